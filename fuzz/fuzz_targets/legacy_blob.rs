#![no_main]
//! Fuzz target `legacy_blob`: the check lives in tests/fuzz_props/legacy_blob.rs, shared with the stable
//! property test of the same name.

#[path = "../../tests/fuzz_props/common.rs"]
mod common;
#[path = "../../tests/fuzz_props/legacy_blob.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::check(data));
