#![no_main]
//! Fuzz target `form_decode`: the check lives in tests/fuzz_props/form_decode.rs, shared with the stable
//! property test of the same name.

#[path = "../../tests/fuzz_props/common.rs"]
mod common;
#[path = "../../tests/fuzz_props/form_decode.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::check(data));
