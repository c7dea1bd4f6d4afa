//! The pieces every protocol shares: the HTTP transport, the token stores, secrets that never
//! reach an error or a `Debug`, and the emulator's own robustness (bad input, hosts, limits).

#[path = "../support/mod.rs"]
mod support;

mod durable;
mod emulator_robustness;
mod examples;
mod exchanges;
mod faults;
mod hardening;
mod integration;
mod limits;
mod no_secret_leaks;
mod quirks;
mod store;
mod transport;
