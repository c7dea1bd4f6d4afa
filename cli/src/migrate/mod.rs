//! `gdauth migrate …`: carrying stored legacy credentials over, one module per command.
//!
//! [`blob`] reads one gdata-python-client token blob (PROTOCOLS.md §7.7) on stdin and
//! prints it as this crate's JSON token format, every field kept.

use clap::Subcommand;

use crate::CliError;

mod blob;

/// Migration commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Read one gdata-python-client token blob on stdin (a trailing newline is fine) and
    /// print it as one JSON document in this crate's token format.
    Blob,
}

/// Runs a migration command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Blob => blob::run(),
    }
}
