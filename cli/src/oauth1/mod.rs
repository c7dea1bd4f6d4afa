//! `gdauth oauth1 …`: OAuth 1.0 / 1.0a (RFC 5849), one module per command.
//!
//! [`sign`] signs one request (or one base string) exactly as the library does, and
//! [`verify`] checks one received request as a strict provider would. Both are contracts
//! other tools script against: their flag names and output shapes are stable.

use clap::Subcommand;

use crate::CliError;

mod sign;
mod verify;

/// OAuth 1.0 commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Sign one request and print its Authorization header value (or, with --base-string,
    /// sign a signature base string).
    Sign(Box<sign::SignArgs>),
    /// Verify one received request as a strict provider would, and name the check that
    /// failed.
    Verify(Box<verify::VerifyArgs>),
}

/// Runs an OAuth 1.0 command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Sign(args) => sign::run(*args),
        Command::Verify(args) => verify::run(*args),
    }
}
