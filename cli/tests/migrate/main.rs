//! `gdauth migrate …`: token blobs on stdin to JSON, and the OAuth 1.0 → 2.0 exchange
//! against an in-process emulator.

#[path = "../support/mod.rs"]
mod support;

mod blob;
mod oauth1;
