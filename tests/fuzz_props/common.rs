//! Helpers shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the stable property
//! tests (`main.rs`): how raw input bytes become the fields a check reads.

#![allow(dead_code)]

/// The input as text: invalid UTF-8 replaced (U+FFFD), so every byte string is an input.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Splits the input into exactly `n` text fields at NUL bytes (the last field keeps the
/// rest, NULs included; missing fields are empty). A fuzzer finds the separator quickly
/// and a seed file reads as `field\0field\0…`.
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    while out.len() + 1 < n {
        match rest.iter().position(|&b| b == 0) {
            Some(i) => {
                out.push(text(&rest[..i]));
                rest = &rest[i + 1..];
            }
            None => break,
        }
    }
    out.push(text(rest));
    while out.len() < n {
        out.push(String::new());
    }
    out
}

/// The first byte (a selector) and the rest.
pub fn selector(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) => (b, rest),
        None => (0, data),
    }
}
