//! `gdauth authsub …`: AuthSub (PROTOCOLS.md §2), one module per command.
//!
//! [`sign`] prints the `Authorization: AuthSub` header of one request exactly as the library
//! builds it (non-secure, or secure with `--rsa-key`), and [`verify`] checks one received
//! secure request as a provider would. Both are contracts other tools script against: their
//! flag names and output shapes are stable.

use clap::Subcommand;

use crate::CliError;

mod sign;
mod verify;

/// AuthSub commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Print the Authorization header value of one request: non-secure, or signed with
    /// --rsa-key (secure AuthSub).
    Sign(Box<sign::SignArgs>),
    /// Verify one received secure AuthSub request as a provider would, and name the check
    /// that failed.
    Verify(Box<verify::VerifyArgs>),
}

/// Runs an AuthSub command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Sign(args) => sign::run(*args),
        Command::Verify(args) => verify::run(*args),
    }
}
