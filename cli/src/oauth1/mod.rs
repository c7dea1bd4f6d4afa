//! `gdauth oauth1 …`: OAuth 1.0 / 1.0a (RFC 5849), one module per command.
//!
//! [`sign`] signs one request (or one base string) exactly as the library does,
//! [`verify`] checks one received request as a strict provider would, and [`diagnose`]
//! explains a signature that does not verify (which legacy quirk profile reproduces it).
//! All three are contracts other tools script against: their flag names and output shapes
//! are stable.

use clap::Subcommand;

use crate::CliError;

mod diagnose;
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
    /// Explain why a received request's signature does not verify: recompute the base
    /// string under RFC 5849 and under each legacy quirk profile, and name the one that
    /// reproduces it.
    Diagnose(Box<diagnose::DiagnoseArgs>),
}

/// Runs an OAuth 1.0 command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Sign(args) => sign::run(*args),
        Command::Verify(args) => verify::run(*args),
        Command::Diagnose(args) => diagnose::run(*args),
    }
}
