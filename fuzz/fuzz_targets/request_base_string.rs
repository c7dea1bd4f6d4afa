#![no_main]
//! Fuzz target `request_base_string`: the check lives in tests/fuzz_props/request_base_string.rs, shared with the stable
//! property test of the same name.

#[path = "../../tests/fuzz_props/common.rs"]
mod common;
#[path = "../../tests/fuzz_props/request_base_string.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::check(data));
