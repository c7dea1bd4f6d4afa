//! Legacy token import and export: the gdata-python-client blob vectors both ways, round
//! trips, and malformed blobs as clear errors; each kind imported as this crate's
//! credential and used against the emulator.

#[path = "../support/mod.rs"]
mod support;

mod blobs;
mod import;
