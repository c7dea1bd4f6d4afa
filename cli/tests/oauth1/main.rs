//! `gdauth oauth1 …`: the `sign` and `verify` contracts (flags, output shapes, exit codes),
//! the request flags they share, published vectors through the command line, and Google's
//! recorded requests verified.

#[path = "../support/mod.rs"]
mod support;

mod args;
mod diagnose;
mod recorded;
mod sign;
mod verify;
