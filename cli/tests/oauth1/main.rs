//! `gdauth oauth1 …`: the `sign` and `verify` contracts (flags, output shapes, exit codes),
//! published vectors through the command line, and Google's recorded requests verified.

#[path = "../support/mod.rs"]
mod support;

mod recorded;
mod sign;
mod verify;
