//! The fuzz targets of `fuzz/` as bounded property tests on stable (issue 15 §2): each
//! target's check (one file per target in this directory, `#[path]`-imported by
//! `fuzz/fuzz_targets/<target>.rs`, so there is one copy) runs on
//!
//! * every input of the target's checked-in corpus (`fuzz/corpus/<target>/`: the seeds, what
//!   the fuzzer kept, and the regression inputs of every crash it found), and
//! * at most 256 generated inputs: corpus inputs with random byte edits, inputs built field
//!   by field in the target's input format, and raw bytes.

mod common;

mod authsub_header;
mod authsub_next;
mod clientlogin_response;
mod form_decode;
mod legacy_blob;
mod oauth1_header;
mod oauth1_verify;
mod oauth2_response;
mod request_base_string;

use std::path::PathBuf;

use proptest::prelude::*;

/// The checked-in corpus of `target`, sorted by file name.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

/// Bytes the parsers care about, and a few others.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        prop::sample::select(b"\"%=&,\\ \t\r\n\0+/.:?#@[]~;|'<>-_0123456789aAfFzZ".to_vec()),
        any::<u8>(),
    ]
}

/// A corpus input with up to 8 byte edits (replace, insert or delete).
fn mutated(inputs: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = inputs.len();
    (
        0..n,
        prop::collection::vec(
            (any::<prop::sample::Index>(), interesting_byte(), 0..3u8),
            0..8,
        ),
    )
        .prop_map(move |(i, edits)| {
            let mut data = inputs[i].clone();
            for (at, b, op) in edits {
                let len = data.len();
                match op {
                    0 if len > 0 => data[at.index(len)] = b,
                    1 => data.insert(at.index(len + 1), b),
                    _ if len > 0 => {
                        data.remove(at.index(len));
                    }
                    _ => data.push(b),
                }
            }
            data
        })
}

/// Text of the characters URLs, forms and headers are made of.
fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::char::range('a', 'z'),
            2 => prop::char::range('0', '9'),
            2 => prop::sample::select("%+=&-._~/:?#@!$'()*,; \"\\".chars().collect::<Vec<_>>()),
            1 => prop::sample::select(vec!['é', '€', '\u{1F600}', '\t', '\u{0}']),
        ],
        0..12,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn pairs() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), piece(), any::<bool>()), 0..5).prop_map(|ps| {
        ps.into_iter()
            .map(|(n, v, eq)| if eq { format!("{n}={v}") } else { n })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn url() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http://", "https://", "HTTPS://", "ftp://", ""]),
        prop::sample::select(vec![
            "example.com",
            "WWW.Google.COM",
            "127.0.0.1",
            "[::1]",
            "xn--nxasmq6b.com",
            "h",
            "0x7f.1",
        ]),
        prop::sample::select(vec!["", ":80", ":443", ":8080", ":0", ":65536", ":abc"]),
        prop::collection::vec(piece(), 0..4),
        prop::option::of(pairs()),
    )
        .prop_map(|(scheme, host, port, segments, query)| {
            let mut u = format!("{scheme}{host}{port}");
            for s in segments {
                u.push('/');
                u.push_str(&s);
            }
            if let Some(q) = query {
                u.push('?');
                u.push_str(&q);
            }
            u
        })
}

fn method() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["GET", "post", "Put", "DELETE", "", "G T", "M-SEARCH"])
        .prop_map(str::to_owned)
}

fn join(fields: &[&str]) -> Vec<u8> {
    fields.join("\0").into_bytes()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

macro_rules! fuzz_props {
    ($target:ident, $corpus_test:ident, $structured:expr) => {
        #[test]
        fn $corpus_test() {
            for input in corpus(stringify!($target)) {
                $target::check(&input);
            }
        }

        proptest! {
            #![proptest_config(config())]
            #[test]
            fn $target(data in prop_oneof![
                3 => mutated(corpus(stringify!($target))),
                3 => $structured,
                1 => prop::collection::vec(any::<u8>(), 0..64),
            ]) {
                $target::check(&data);
            }
        }
    };
}

fuzz_props!(
    oauth1_header,
    oauth1_header_corpus,
    (
        prop::option::of(piece()),
        prop::collection::vec((piece(), piece()), 0..4)
    )
        .prop_map(|(realm, ps)| {
            let mut h = "OAuth ".to_owned();
            if let Some(r) = realm {
                h.push_str(&format!("realm=\"{r}\", "));
            }
            let ps: Vec<String> = ps.iter().map(|(n, v)| format!("{n}=\"{v}\"")).collect();
            h.push_str(&ps.join(", "));
            h.into_bytes()
        })
);

fuzz_props!(
    authsub_header,
    authsub_header_corpus,
    (piece(), method(), url(), any::<u32>(), piece(), piece(), any::<bool>()).prop_map(
        |(token, m, u, ts, nonce, sig, secure)| {
            if secure {
                format!("AuthSub token=\"{token}\" data=\"{m} {u} {ts} {nonce}\" sig=\"{sig}\" sigalg=\"rsa-sha1\"")
            } else {
                format!("AuthSub token={token}")
            }
            .into_bytes()
        }
    )
);

fuzz_props!(
    clientlogin_response,
    clientlogin_response_corpus,
    (
        any::<u8>(),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "Auth",
                    "SID",
                    "LSID",
                    "Error",
                    "Url",
                    "Info",
                    "CaptchaToken",
                    "CaptchaUrl",
                    "auth"
                ]),
                piece()
            ),
            0..6
        ),
        prop::sample::select(vec!["\n", "\r\n"])
    )
        .prop_map(|(sel, lines, eol)| {
            let mut out = vec![sel];
            for (k, v) in lines {
                out.extend(format!("{k}={v}{eol}").into_bytes());
            }
            out
        })
);

fuzz_props!(
    request_base_string,
    request_base_string_corpus,
    (method(), url(), pairs(), pairs()).prop_map(|(m, u, b, o)| join(&[&m, &u, &b, &o]))
);

fuzz_props!(
    form_decode,
    form_decode_corpus,
    prop_oneof![
        pairs().prop_map(String::into_bytes),
        prop::collection::vec((piece(), piece()), 0..5).prop_map(|ls| {
            ls.iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect::<String>()
                .into_bytes()
        }),
    ]
);

fuzz_props!(
    oauth2_response,
    oauth2_response_corpus,
    (
        any::<u8>(),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "access_token",
                    "token_type",
                    "expires_in",
                    "refresh_token",
                    "scope",
                    "error",
                    "error_description",
                    "device_code",
                    "user_code",
                    "verification_url",
                    "interval",
                ]),
                prop_oneof![
                    piece().prop_map(serde_json::Value::String),
                    any::<i64>().prop_map(serde_json::Value::from),
                    Just(serde_json::Value::Null),
                ]
            ),
            0..6
        )
    )
        .prop_map(|(sel, fields)| {
            let mut out = vec![sel];
            if sel >> 4 & 3 == 3 {
                let q: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("1")))
                    .chain(["state=fuzz-state-0123456789".to_owned()])
                    .collect();
                out.extend(format!("?{}", q.join("&")).into_bytes());
            } else {
                let map: serde_json::Map<String, serde_json::Value> =
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                out.extend(serde_json::to_vec(&map).unwrap());
            }
            out
        })
);

fuzz_props!(
    legacy_blob,
    legacy_blob_corpus,
    (
        prop::sample::select(vec![
            "1c", "1a", "1s", "1rtl", "1htl", "1r", "1h", "2o", "1x"
        ]),
        prop::collection::vec(piece(), 0..10)
    )
        .prop_map(|(marker, parts)| {
            let mut out = marker.to_owned();
            for p in parts {
                out.push('|');
                out.push_str(&p);
            }
            out.into_bytes()
        })
);

fuzz_props!(
    authsub_next,
    authsub_next_corpus,
    url().prop_map(String::into_bytes)
);

fuzz_props!(
    oauth1_verify,
    oauth1_verify_corpus,
    (
        any::<u8>(),
        method(),
        url(),
        pairs(),
        piece(),
        any::<[u8; 2]>()
    )
        .prop_map(|(sel, m, u, body, nonce, mutation)| {
            // Mostly signed requests (the selector's low bit set).
            let mut out = vec![sel | u8::from(sel & 0x40 == 0)];
            out.extend(join(&[&m, &u, &body, &nonce]));
            out.push(0);
            out.extend(mutation);
            out
        })
);

/// The seeds that are validly signed requests verify (so the raw mode's "accepted"
/// invariants are exercised by the corpus, not only by luck).
#[test]
fn signed_seeds_verify() {
    use gdata_auth::oauth1::verifier::{Profile, ReceivedRequest};
    let inputs = corpus("oauth1_verify");
    let seed = inputs
        .iter()
        .find(|i| i.first() == Some(&0) && i.windows(7).any(|w| w == b"feeds?a"))
        .expect("the raw signed seed");
    let f = common::fields(&seed[1..], 5);
    let req = ReceivedRequest::new(&f[0], &f[1]).with_authorization(&f[2]);
    let v = oauth1_verify::verifier_for_tests(Profile::GoogleCompat);
    assert!(v.verify(&req).is_ok(), "{:?}", v.verify(&req));
}
