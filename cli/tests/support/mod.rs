//! Harnesses shared by the CLI's test crates: the README's example commands ([`readme`]) and
//! GNOME libgdata's recorded exchanges (the library's reader, [`recordings`]).

#![allow(dead_code, unused_imports)]

pub mod readme;
#[path = "../../../tests/support/recordings.rs"]
pub mod recordings;

pub use readme::readme_example;
