//! `gdauth`: the command-line face of `gdata-auth`, thin over the library.
//!
//! Commands are `gdauth <protocol> <verb>`, one module per protocol with one file per verb
//! (`oauth1/sign.rs`, `oauth1/verify.rs`, `authsub/sign.rs`, `authsub/verify.rs`,
//! `clientlogin/login.rs`): `sign` builds one request's `Authorization` header exactly as
//! the library does, and `verify` checks one received request as a strict provider would,
//! so other tools can script against both; `gdauth clientlogin login` exchanges a password
//! for a ClientLogin token; `gdauth oauth2 login` obtains a new OAuth 2.0 grant with one of
//! today's flows and stores it. Beside them,
//! `gdauth serve` runs the emulator and `gdauth demo` walks every protocol against it.
//! Output goes to stdout; errors go to stderr as one `error: …` line naming what was wrong,
//! never a secret, and the exit status is non-zero (2 for a misused command line, 1 for a
//! failure, including a request that does not verify).
//!
//! A protocol plugs in with a module `<protocol>/` (its subcommand enum and `run`), one
//! variant in [`Group`] and one arm in [`main`]; flags it shares with others come from
//! [`args`].

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod authsub;
mod bench_serve;
mod clientlogin;
mod demo;
mod fixtures;
mod migrate;
mod oauth1;
mod oauth2;
mod serve;

/// Google Data (GData) legacy auth protocols: sign, verify and emulate.
// No `Debug` on the argument types: they hold secrets.
#[derive(Parser)]
#[command(name = "gdauth", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    group: Group,
}

/// The protocol (or tool) groups; each protocol has its own commands.
#[derive(Subcommand)]
enum Group {
    /// OAuth 1.0 / 1.0a (RFC 5849).
    #[command(name = "oauth1", subcommand)]
    OAuth1(oauth1::Command),
    /// ClientLogin: exchange an e-mail address and password for an Auth token.
    #[command(name = "clientlogin", subcommand)]
    ClientLogin(clientlogin::Command),
    /// AuthSub, plain and secure (Google's web-application protocol).
    #[command(name = "authsub", subcommand)]
    AuthSub(authsub::Command),
    /// OAuth 2.0 flows that replace the legacy protocols: installed app (PKCE and a
    /// loopback redirect), device, service account.
    #[command(name = "oauth2", subcommand)]
    OAuth2(oauth2::Command),
    /// Carry stored credentials over to OAuth 2.0: the OAuth 1.0 migration grant, and
    /// gdata-python-client token blobs.
    #[command(name = "migrate", subcommand)]
    Migrate(migrate::Command),
    /// Run the Google Accounts emulator (OAuth 1.0a, AuthSub, ClientLogin and OAuth 2.0
    /// endpoints, consent pages, sample feeds).
    #[command(after_long_help = serve::TEST_ACCOUNTS)]
    Serve(serve::ServeArgs),
    /// Walk every supported protocol end to end against an in-process emulator.
    Demo,
    /// Load the emulator over loopback: N clients, an unauthenticated route then signed
    /// feed reads; requests per second, latency percentiles, every refusal by cause.
    #[command(name = "bench-serve")]
    BenchServe(bench_serve::BenchArgs),
    /// Recorded exchanges (the conformance kit): check a directory of them.
    #[command(subcommand)]
    Fixtures(fixtures::Command),
}

/// Why a command failed. The message is shown as it is, so it must never hold a secret.
#[derive(Debug)]
enum CliError {
    /// The command line was wrong (a flag missing, two flags that exclude each other).
    Usage(String),
    /// The command line was fine but the work failed (unreadable file, bad key, bad URL).
    Failed(String),
    /// The command ran and its answer is "no" (`verify --json` on a request that does not
    /// verify): this report goes to stdout, and the exit status is 1.
    Rejected(String),
}

impl CliError {
    /// 2 for a refused command line, 1 otherwise.
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Usage(_) => ExitCode::from(2),
            Self::Failed(_) | Self::Rejected(_) => ExitCode::from(1),
        }
    }

    /// The message, shown as it is.
    fn message(&self) -> &str {
        match self {
            Self::Usage(m) | Self::Failed(m) | Self::Rejected(m) => m,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap chooses the stream and status: help and version to stdout with 0,
            // usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.group {
        Group::OAuth1(cmd) => oauth1::run(cmd),
        Group::ClientLogin(cmd) => clientlogin::run(cmd),
        Group::AuthSub(cmd) => authsub::run(cmd),
        Group::OAuth2(cmd) => oauth2::run(cmd),
        Group::Migrate(cmd) => migrate::run(cmd),
        Group::Serve(args) => serve::run(args),
        Group::Demo => demo::run(),
        Group::BenchServe(args) => bench_serve::run(args),
        Group::Fixtures(cmd) => fixtures::run(cmd),
    };
    let outcome = match result {
        Ok(out) => write_stdout(&out).map(|()| ExitCode::SUCCESS),
        // A report of a "no": on stdout like a success, with the failure's status.
        Err(e @ CliError::Rejected(_)) => write_stdout(e.message()).map(|()| e.exit_code()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {}", e.message());
            e.exit_code()
        }
    }
}

/// Writes one line to stdout (nothing for an empty result: `serve` has printed its own).
fn write_stdout(out: &str) -> Result<(), CliError> {
    if out.is_empty() {
        return Ok(());
    }
    // Not println!: it panics when stdout is closed (`gdauth … | head -c0`).
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}")
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        // clap checks its own invariants (conflicting ids, bad `requires`) only here; a
        // mistake would otherwise be a panic at run time.
        Cli::command().debug_assert();
    }
}
