//! `gdauth oauth2 …`: obtaining new OAuth 2.0 grants the way Google documents today, one
//! module per command ([`login`]).

use clap::Subcommand;

use crate::CliError;

mod login;

/// OAuth 2.0 commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Obtain a grant with one flow (installed app with PKCE and a loopback redirect,
    /// device, or service account) and store it.
    Login(Box<login::LoginArgs>),
}

/// Runs an OAuth 2.0 command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Login(args) => login::run(*args),
    }
}
