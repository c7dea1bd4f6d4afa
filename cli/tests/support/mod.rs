//! Harnesses shared by the CLI's test crates: running `gdauth` with arguments ([`run`]) or
//! fed on stdin ([`command`]), the README's example commands ([`readme`]), the flags of a
//! `--help` page ([`help`]), GNOME libgdata's recorded exchanges (the library's reader,
//! [`recordings`]) `gdauth serve` as a child process ([`serve`]) and `gdauth oauth2 login`, whose prompts a
//! test answers as the user ([`login`]).

#![allow(dead_code, unused_imports)]

pub mod command;
pub mod help;
pub mod login;
pub mod readme;
#[path = "../../../tests/support/recordings.rs"]
pub mod recordings;
pub mod run;
pub mod serve;

pub use command::gdauth_with_stdin;
pub use help::help_flags;
pub use login::{Finished, Login};
pub use readme::readme_example;
pub use run::{gdauth, gdauth_in, Run};
pub use serve::Serve;
