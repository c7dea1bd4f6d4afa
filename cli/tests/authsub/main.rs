//! `gdauth authsub …`: the `sign` and `verify` contracts (flags, output shapes, exit codes),
//! a pinned nonce and timestamp giving a reproducible data string and signature, each
//! refusal named, and the README's examples; no run panics or prints a token it must not.

#[path = "../support/mod.rs"]
mod support;

mod sign;
mod verify;

use std::path::PathBuf;

/// The repository root, where the README's commands run.
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A test key or certificate under `fixtures/keys/`, by absolute path.
pub fn key(name: &str) -> String {
    repo_root()
        .join("fixtures/keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Parses one JSON object.
pub fn json_object(text: &str) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str(text).unwrap() {
        serde_json::Value::Object(map) => map,
        other => panic!("not a JSON object: {other}"),
    }
}

/// The sorted keys of a JSON object.
pub fn keys(map: &serde_json::Map<String, serde_json::Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}
