#![no_main]
//! Fuzz target `oauth2_response`: the check lives in tests/fuzz_props/oauth2_response.rs, shared with the stable
//! property test of the same name.

#[path = "../../tests/fuzz_props/common.rs"]
mod common;
#[path = "../../tests/fuzz_props/oauth2_response.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::check(data));
