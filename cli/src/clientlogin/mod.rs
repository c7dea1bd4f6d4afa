//! `gdauth clientlogin …`: ClientLogin (PROTOCOLS.md §1), one module per command.
//!
//! [`login`] exchanges an e-mail address and a password (read without echo, never from the
//! command line) for an `Auth` token, answering a CAPTCHA once when Google asks. Its flag
//! names and output shapes are a contract other tools script against.

use clap::Subcommand;

use crate::CliError;

mod login;

/// ClientLogin commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Log in with an e-mail address and a password (read from the terminal without echo,
    /// or from stdin) and print the Auth token.
    Login(Box<login::LoginArgs>),
}

/// Runs a ClientLogin command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Login(args) => login::run(*args),
    }
}
