//! `gdauth migrate …`: carrying stored legacy credentials over, one module per command.
//!
//! [`oauth1`] exchanges an OAuth 1.0 access token for an OAuth 2.0 grant (the migration
//! grant) and prints the new token as JSON; [`blob`] reads one gdata-python-client token blob (PROTOCOLS.md §7.7) on stdin and
//! prints it as this crate's JSON token format, every field kept.

use clap::Subcommand;

use crate::CliError;

mod blob;
mod oauth1;

/// Migration commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Read one gdata-python-client token blob on stdin (a trailing newline is fine) and
    /// print it as one JSON document in this crate's token format.
    Blob,
    /// Exchange an OAuth 1.0 access token for an OAuth 2.0 refresh token (the migration
    /// grant) and print the new token as JSON; the OAuth 1.0 token is left as it was.
    #[command(name = "oauth1")]
    OAuth1(Box<oauth1::OAuth1Args>),
}

/// Runs a migration command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Blob => blob::run(),
        Command::OAuth1(args) => oauth1::run(*args),
    }
}
