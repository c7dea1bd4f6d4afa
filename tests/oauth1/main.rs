//! OAuth 1.0 / 1.0a: the published vectors, properties of the signing core, the provider-side
//! verifier rule by rule, the dance's pure steps, the client against the emulator over real
//! loopback HTTP, the emulator's endpoints, and Google's own recorded exchanges.

#[path = "../support/mod.rs"]
mod support;

mod client;
mod dance;
mod emulator;
mod flow_pure;
mod properties;
mod recorded_google;
mod vectors;
mod verifier_rules;
