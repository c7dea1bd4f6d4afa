//! Gadgets: spec parsing on real gadget specs of the time (fixtures/SOURCES.md) and
//! malformed ones, the emulator's OAuth Proxy over loopback (refused first request,
//! approval through the consent page, success, per-gadget isolation), and signed fetch
//! (valid, tampered, wrong certificate, stale timestamp).

mod proxy;
mod signed_fetch;
mod spec;
