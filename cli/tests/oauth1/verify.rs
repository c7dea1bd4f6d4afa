//! End-to-end tests of `gdauth oauth1 verify`: requests signed with `gdauth oauth1 sign`
//! verify (HMAC, RSA with a certificate or a bare public key, PLAINTEXT over TLS, protocol
//! parameters in the header, query or form), each broken request is refused with the check
//! that failed named, the RFC 5849 §1.2 requests verify at their own time, the `--json`
//! shape holds, and bad input ends in status 2; no run panics or prints a secret.

use crate::support::{self, readme_example, Run};

use std::path::PathBuf;

use gdata_auth::encoding::percent_decode;
use serde_json::{Map, Value};

/// Canary secrets: must never appear on stdout or stderr.
const CANARY_CS: &str = "CANARY-cs-s3cr3t";
const CANARY_TS: &str = "CANARY-ts-s3cr3t";

/// The signed request every table starts from: a GData-like POST with a query and a form
/// body, signed at a fixed time so the verifier's clock can be pinned to it.
const METHOD: &str = "POST";
const URL: &str = "https://www.example.com/calendar/feeds/default/private/full?alt=json";
const FORM: [&str; 2] = ["q=meeting notes", "start-min=2026-01-01T00:00:00Z"];
const KEY: &str = "example.com";
const TOKEN: &str = "1/abcdefXYZ";
const TS: u64 = 1_700_000_000;
const NONCE: &str = "4572616e48616d6d6572";

fn fixture(name: &str) -> String {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .join("fixtures/keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs the binary; whatever it answers, it must not panic, and `verify` must not print a
/// canary secret (`sign` does print a PLAINTEXT signature: it is the secrets).
fn gdauth<S: AsRef<str>>(args: &[S]) -> Run {
    let run = support::gdauth(args);
    let shown: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let verifying = shown.get(1) == Some(&"verify");
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("panicked"), "{shown:?}: {text}");
        assert!(
            !(verifying && text.contains("CANARY")),
            "{shown:?}: secret in output: {text}"
        );
    }
    run
}

fn json_object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text).unwrap() {
        Value::Object(map) => map,
        other => panic!("not a JSON object: {other}"),
    }
}

fn str_field<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap()
}

/// `gdauth oauth1 sign … --json`: (base string, Authorization header value).
fn sign(args: &[&str]) -> (String, String) {
    let mut all = vec!["oauth1", "sign"];
    all.extend_from_slice(args);
    all.push("--json");
    let run = gdauth(&all);
    assert_eq!(run.code, Some(0), "sign {args:?}: {}", run.stderr);
    let json = json_object(&run.stdout);
    (
        str_field(&json, "base_string").to_owned(),
        str_field(&json, "authorization").to_owned(),
    )
}

/// The usual request signed with `extra` flags added (or overriding nothing: flags given
/// twice are refused, so rows add only what the base leaves out).
#[rustfmt::skip]
fn sign_usual(extra: &[&str]) -> (String, String) {
    let ts = TS.to_string();
    let mut args = vec![
        "--method", METHOD, "--url", URL, "--form", FORM[0], "--form", FORM[1],
        "--consumer-key", KEY, "--nonce", NONCE, "--timestamp", &ts,
    ];
    args.extend_from_slice(extra);
    sign(&args)
}

/// A request as the provider received it, plus the provider's flags.
#[derive(Clone)]
struct Case {
    method: String,
    url: String,
    form: Vec<String>,
    authorization: Option<String>,
    flags: Vec<String>,
}

impl Case {
    /// The usual request with its header, verified with the usual secrets at its own time.
    fn usual(header: &str) -> Self {
        Self {
            method: METHOD.into(),
            url: URL.into(),
            form: FORM.iter().map(|s| s.to_string()).collect(),
            authorization: Some(header.into()),
            flags: strings(&[
                "--consumer-secret",
                CANARY_CS,
                "--token-secret",
                CANARY_TS,
                "--now",
                &TS.to_string(),
            ]),
        }
    }

    fn with(mut self, edit: impl FnOnce(&mut Self)) -> Self {
        edit(&mut self);
        self
    }

    /// Adds provider flags.
    fn flag(self, extra: &[&str]) -> Self {
        self.with(|c| c.flags.extend(strings(extra)))
    }

    /// Drops a provider flag and its value.
    fn without_flag(self, name: &str) -> Self {
        self.with(|c| {
            let at = c.flags.iter().position(|f| f == name).unwrap();
            c.flags.drain(at..at + 2);
        })
    }

    /// Replaces a provider flag's value.
    fn set_flag(self, name: &str, value: &str) -> Self {
        self.without_flag(name).flag(&[name, value])
    }

    /// Rewrites the header's (encoded) pairs.
    fn edit_header(self, edit: impl FnOnce(&mut Vec<(String, String)>)) -> Self {
        self.with(|c| {
            let mut pairs = header_pairs(c.authorization.as_deref().unwrap());
            edit(&mut pairs);
            c.authorization = Some(build_header(&pairs));
        })
    }

    fn args(&self, json: bool) -> Vec<String> {
        let mut v = strings(&[
            "oauth1",
            "verify",
            "--method",
            &self.method,
            "--url",
            &self.url,
        ]);
        for f in &self.form {
            v.push(format!("--form={f}"));
        }
        if let Some(h) = &self.authorization {
            v.extend(strings(&["--authorization", h]));
        }
        v.extend(self.flags.iter().cloned());
        if json {
            v.push("--json".into());
        }
        v
    }

    fn run(&self) -> Run {
        gdauth(&self.args(false))
    }

    /// The `--json` run: exactly one object on stdout, nothing on stderr.
    fn run_json(&self, code: i32) -> Map<String, Value> {
        let run = gdauth(&self.args(true));
        assert_eq!(
            run.code,
            Some(code),
            "{:?}: {}",
            self.args(true),
            run.stderr
        );
        assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
        assert!(run.stdout.ends_with('\n') && run.stdout.lines().count() == 1);
        json_object(&run.stdout)
    }

    /// Runs in both modes, expecting success; returns the text line and the JSON object.
    fn ok(&self) -> (String, Map<String, Value>) {
        let run = self.run();
        assert_eq!(run.code, Some(0), "{:?}: {}", self.args(false), run.stderr);
        assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
        let line = run.stdout.strip_suffix('\n').unwrap().to_owned();
        assert!(!line.contains('\n'));
        (line, self.run_json(0))
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `OAuth realm="R", k="v", …` as (name, still-encoded value) pairs, in order.
fn header_pairs(header: &str) -> Vec<(String, String)> {
    let rest = header.strip_prefix("OAuth ").unwrap();
    rest.split(", ")
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            let v = v.strip_prefix('"').unwrap().strip_suffix('"').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn build_header(pairs: &[(String, String)]) -> String {
    let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("OAuth {}", parts.join(", "))
}

fn drop_pair(pairs: &mut Vec<(String, String)>, name: &str) {
    let before = pairs.len();
    pairs.retain(|(k, _)| k != name);
    assert_eq!(pairs.len(), before - 1, "{name} was in the header once");
}

fn set_pair(pairs: &mut [(String, String)], name: &str, value: &str) {
    let pair = pairs.iter_mut().find(|(k, _)| k == name).unwrap();
    pair.1 = value.into();
}

/// The header's protocol parameters appended to `url`'s query (values stay encoded: RFC
/// 3986 encoding is valid in a query).
fn url_with_params(url: &str, header: &str) -> String {
    let query: Vec<String> = header_pairs(header)
        .into_iter()
        .filter(|(k, _)| k != "realm")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", query.join("&"))
}

/// The header's protocol parameters as decoded `--form` pairs.
fn form_with_params(header: &str) -> Vec<String> {
    header_pairs(header)
        .into_iter()
        .filter(|(k, _)| k != "realm")
        .map(|(k, v)| format!("{k}={}", percent_decode(&v).unwrap()))
        .collect()
}

/// The six `--json` keys, whatever the verdict.
fn assert_json_shape(json: &Map<String, Value>) {
    let mut keys: Vec<&str> = json.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "base_string",
            "check",
            "http_status",
            "message",
            "oauth_problem",
            "valid"
        ]
    );
    let valid = json["valid"].as_bool().unwrap();
    assert!(json["message"].is_string());
    assert!(json["base_string"].is_string() || json["base_string"].is_null());
    for key in ["check", "oauth_problem"] {
        assert_eq!(json[key].is_string(), !valid, "{key}: {json:?}");
        assert_eq!(json[key].is_null(), valid, "{key}: {json:?}");
    }
    assert_eq!(json["http_status"].is_u64(), !valid);
    assert_eq!(json["http_status"].is_null(), valid);
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn signed_requests_verify() {
    let secrets = ["--consumer-secret", CANARY_CS, "--token", TOKEN, "--token-secret", CANARY_TS];
    let (hmac_base, hmac) = sign_usual(&secrets);
    let (sha256_base, sha256) =
        sign_usual(&[&secrets[..], &["--signature-method", "HMAC-SHA256"]].concat());
    let (_, realm) = sign_usual(&[&secrets[..], &["--realm", "http://www.example.com/"]].concat());
    let (two_legged_base, two_legged) = sign_usual(&["--consumer-secret", CANARY_CS]);
    let (_, empty_ts) =
        sign_usual(&["--consumer-secret", CANARY_CS, "--token", TOKEN, "--token-secret", ""]);
    let (_, plaintext) = sign_usual(&[&secrets[..], &["--signature-method", "PLAINTEXT"]].concat());
    let (_, bare_plaintext) = sign(&[
        &["--method", METHOD, "--url", URL, "--form", FORM[0], "--form", FORM[1]][..],
        &["--consumer-key", KEY], &secrets[..],
        &["--signature-method", "PLAINTEXT", "--no-nonce", "--no-timestamp"],
    ].concat());
    let http_url = "http://127.0.0.1:8080/feeds?alt=json";
    let ts = TS.to_string();
    let (_, http_plaintext) = sign(&[
        "--method", "GET", "--url", http_url, "--consumer-key", KEY, "--signature-method",
        "PLAINTEXT", "--dangerous-allow-insecure", "--timestamp", &ts, "--nonce", NONCE,
        "--token", TOKEN, "--consumer-secret", CANARY_CS, "--token-secret", CANARY_TS,
    ]);
    let with_token = format!("ok: HMAC-SHA1 signature valid for consumer {KEY} token {TOKEN}");
    let sha256_line = format!("ok: HMAC-SHA256 signature valid for consumer {KEY} token {TOKEN}");
    let plaintext_line = format!("ok: PLAINTEXT signature valid for consumer {KEY} token {TOKEN}");
    let no_token = format!("ok: HMAC-SHA1 signature valid for consumer {KEY}");

    // (name, case, the text line, the base string --json must report)
    let rows: Vec<(&str, Case, &str, Option<&str>)> = vec![
        ("hmac-sha1 header", Case::usual(&hmac), with_token.as_str(), Some(hmac_base.as_str())),
        ("hmac-sha256", Case::usual(&sha256), sha256_line.as_str(), Some(sha256_base.as_str())),
        ("realm is not signed", Case::usual(&realm), with_token.as_str(), Some(hmac_base.as_str())),
        ("consumer key given",
         Case::usual(&hmac).flag(&["--consumer-key", KEY]), with_token.as_str(), Some(hmac_base.as_str())),
        ("params in the query",
         Case::usual(&hmac).with(|c| { c.url = url_with_params(URL, &hmac); c.authorization = None; }),
         with_token.as_str(), Some(hmac_base.as_str())),
        ("params in the form body",
         Case::usual(&hmac).with(|c| { c.form.extend(form_with_params(&hmac)); c.authorization = None; }),
         with_token.as_str(), Some(hmac_base.as_str())),
        ("another scheme's header is ignored",
         Case::usual(&hmac).with(|c| {
             c.url = url_with_params(URL, &hmac);
             c.authorization = Some("Bearer ya29.abc".into());
         }),
         with_token.as_str(), Some(hmac_base.as_str())),
        ("two-legged, no token secret flag",
         Case::usual(&two_legged).without_flag("--token-secret"), no_token.as_str(), Some(two_legged_base.as_str())),
        ("two-legged, token secret unused", Case::usual(&two_legged), no_token.as_str(), Some(two_legged_base.as_str())),
        ("empty token secret", Case::usual(&empty_ts).set_flag("--token-secret", ""), with_token.as_str(), None),
        ("clock at the window's far edge",
         Case::usual(&hmac).set_flag("--now", &(TS + 600).to_string()), with_token.as_str(), None),
        ("clock at the window's near edge",
         Case::usual(&hmac).set_flag("--now", &(TS - 600).to_string()), with_token.as_str(), None),
        ("wider window",
         Case::usual(&hmac).set_flag("--now", &(TS + 5000).to_string()).flag(&["--window", "5000"]),
         with_token.as_str(), None),
        ("plaintext over https", Case::usual(&plaintext), plaintext_line.as_str(), None),
        ("plaintext without timestamp and nonce",
         Case::usual(&bare_plaintext).without_flag("--now"), plaintext_line.as_str(), None),
        ("plaintext params in the query",
         Case::usual(&plaintext).with(|c| { c.url = url_with_params(URL, &plaintext); c.authorization = None; }),
         plaintext_line.as_str(), None),
        ("plaintext over http with the opt-in",
         Case::usual(&http_plaintext)
             .with(|c| { c.method = "GET".into(); c.url = http_url.into(); c.form.clear(); })
             .flag(&["--dangerous-allow-insecure"]),
         plaintext_line.as_str(), None),
    ];
    for (name, case, line, base) in rows {
        let (text, json) = case.ok();
        assert_eq!(text, line, "{name}");
        assert_json_shape(&json);
        assert_eq!(json["valid"], true, "{name}");
        assert_eq!(Some(str_field(&json, "message")), line.strip_prefix("ok: "), "{name}");
        let is_plaintext = line.contains("PLAINTEXT");
        // PLAINTEXT signs no base string; every other method reports the one it checked,
        // which must be the signer's.
        assert_eq!(json["base_string"].is_null(), is_plaintext, "{name}");
        if let Some(base) = base {
            assert_eq!(str_field(&json, "base_string"), base, "{name}");
        }
    }
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn rsa_sha1_verifies_with_a_certificate_or_a_public_key() {
    let key = fixture("rsa2048_pkcs1.pem");
    let (base, header) = sign_usual(&["--signature-method", "RSA-SHA1", "--rsa-key", &key]);
    let (token_base, with_token) = sign_usual(&[
        "--signature-method", "RSA-SHA1", "--rsa-key", &fixture("rsa2048_pkcs8.pem"),
        "--token", TOKEN,
    ]);
    let ts = TS.to_string();
    for public in ["rsa2048_cert.pem", "rsa2048_pub.pem"] {
        let rsa = |header: &str| -> Case {
            Case::usual(header).with(|c| c.flags = strings(&["--rsa-cert", &fixture(public), "--now", &ts]))
        };
        let (line, json) = rsa(&header).ok();
        assert_eq!(line, format!("ok: RSA-SHA1 signature valid for consumer {KEY}"), "{public}");
        assert_json_shape(&json);
        assert_eq!(str_field(&json, "base_string"), base, "{public}");

        // RSA-SHA1 does not use the token secret: a token verifies without one.
        let (line, json) = rsa(&with_token).ok();
        assert_eq!(line, format!("ok: RSA-SHA1 signature valid for consumer {KEY} token {TOKEN}"));
        assert_eq!(str_field(&json, "base_string"), token_base, "{public}");
    }
}

/// One broken request: the check `verify` must name, its `oauth_problem` and HTTP status.
struct Refusal {
    name: &'static str,
    case: Case,
    check: &'static str,
    problem: &'static str,
    status: u64,
}

/// Runs a refused case in both modes and returns its `--json` object.
fn assert_refused(row: &Refusal) -> Map<String, Value> {
    let name = row.name;
    let run = row.case.run();
    assert_eq!(
        run.code,
        Some(1),
        "{name}: stdout {} stderr {}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    let line = run.stderr.strip_suffix('\n').unwrap();
    assert!(!line.contains('\n'), "{name}: one line: {line}");
    let message = line
        .strip_prefix(&format!("error: {}: ", row.check))
        .and_then(|rest| rest.strip_suffix(&format!(" (oauth_problem={})", row.problem)))
        .unwrap_or_else(|| panic!("{name}: unexpected stderr {line:?}"));

    let json = row.case.run_json(1);
    assert_json_shape(&json);
    assert_eq!(json["valid"], false, "{name}");
    assert_eq!(str_field(&json, "check"), row.check, "{name}");
    assert_eq!(str_field(&json, "oauth_problem"), row.problem, "{name}");
    assert_eq!(json["http_status"], row.status, "{name}");
    assert_eq!(str_field(&json, "message"), message, "{name}");
    json
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn each_failed_check_is_named() {
    let secrets = ["--consumer-secret", CANARY_CS, "--token", TOKEN, "--token-secret", CANARY_TS];
    let (base, hmac) = sign_usual(&secrets);
    let (_, plaintext) = sign(&[
        "--method", "GET", "--url", "http://h.example/feeds", "--consumer-key", KEY,
        "--consumer-secret", CANARY_CS, "--token", TOKEN, "--token-secret", CANARY_TS,
        "--signature-method", "PLAINTEXT", "--dangerous-allow-insecure",
    ]);
    let usual = || Case::usual(&hmac);
    let refusal = |name, case, check, problem, status| Refusal { name, case, check, problem, status };
    let bad_sig = |name, case| refusal(name, case, "bad_signature", "signature_invalid", 401);
    let missing = |name, case| refusal(name, case, "missing_param", "parameter_absent", 400);
    let malformed = |name, case| refusal(name, case, "malformed_header", "parameter_rejected", 400);

    let rows = vec![
        // The signature covers method, URL, query and form (RFC 5849 §3.4.1).
        bad_sig("tampered query", usual().with(|c| c.url = c.url.replace("alt=json", "alt=atom"))),
        bad_sig("tampered path", usual().with(|c| c.url = c.url.replace("/full", "/basic"))),
        bad_sig("tampered host", usual().with(|c| c.url = c.url.replace("www.", "evil."))),
        bad_sig("tampered form", usual().with(|c| c.form[0] = "q=meeting minutes".into())),
        bad_sig("form dropped", usual().with(|c| c.form.clear())),
        bad_sig("tampered method", usual().with(|c| c.method = "PUT".into())),
        bad_sig("tampered token",
                usual().edit_header(|p| set_pair(p, "oauth_token", "1%2FabcdefXYz"))),
        bad_sig("wrong consumer secret", usual().set_flag("--consumer-secret", "CANARY-other")),
        bad_sig("wrong token secret", usual().set_flag("--token-secret", "CANARY-other")),
        bad_sig("empty token secret", usual().set_flag("--token-secret", "")),
        refusal("no token secret for the token", usual().without_flag("--token-secret"),
                "invalid_token", "token_rejected", 401),
        refusal("another consumer key", usual().flag(&["--consumer-key", "other.example.com"]),
                "invalid_consumer", "consumer_key_unknown", 401),
        refusal("stale timestamp", usual().set_flag("--now", &(TS + 601).to_string()),
                "timestamp_out_of_window", "timestamp_refused", 401),
        refusal("timestamp from the future", usual().set_flag("--now", &(TS - 601).to_string()),
                "timestamp_out_of_window", "timestamp_refused", 401),
        refusal("stale for a narrower window", usual().set_flag("--now", &(TS + 61).to_string())
                    .flag(&["--window", "60"]),
                "timestamp_out_of_window", "timestamp_refused", 401),
        refusal("timestamp not a number",
                usual().edit_header(|p| set_pair(p, "oauth_timestamp", "17e8")),
                "bad_timestamp", "timestamp_refused", 400),
        refusal("duplicate nonce",
                usual().edit_header(|p| p.push(("oauth_nonce".into(), "again".into()))),
                "duplicate_protocol_param", "parameter_rejected", 400),
        refusal("duplicate signature",
                usual().edit_header(|p| p.push(("oauth_signature".into(), "abc".into()))),
                "duplicate_protocol_param", "parameter_rejected", 400),
        // RFC 5849 §3.5 (one location) is the strict profile's rule; the Google profile
        // takes a split placement but refuses a name given in two places.
        refusal("params in header and query (strict)",
                usual().with(|c| c.url.push_str("&oauth_nonce=x")).flag(&["--profile", "oauthlib-strict"]),
                "params_in_multiple_locations", "parameter_rejected", 400),
        refusal("params in header and form (strict)",
                usual().with(|c| c.form.push("oauth_version=1.0".into())).flag(&["--profile", "oauthlib-strict"]),
                "params_in_multiple_locations", "parameter_rejected", 400),
        refusal("params in query and form (strict)",
                usual().with(|c| {
                    c.url = url_with_params(URL, &hmac);
                    c.authorization = None;
                    c.form.push("oauth_callback=oob".into());
                }).flag(&["--profile", "oauthlib-strict"]),
                "params_in_multiple_locations", "parameter_rejected", 400),
        refusal("nonce in header and query (google)",
                usual().with(|c| c.url.push_str("&oauth_nonce=x")),
                "duplicate_protocol_param", "parameter_rejected", 400),
        refusal("version in header and form (google)",
                usual().with(|c| c.form.push("oauth_version=1.0".into())),
                "duplicate_protocol_param", "parameter_rejected", 400),
        bad_sig("unsigned callback in the form (google)",
                usual().with(|c| c.form.push("oauth_callback=oob".into()))),
        missing("no Authorization header", usual().with(|c| c.authorization = None)),
        missing("no signature", usual().edit_header(|p| drop_pair(p, "oauth_signature"))),
        missing("no signature method", usual().edit_header(|p| drop_pair(p, "oauth_signature_method"))),
        missing("no consumer key", usual().edit_header(|p| drop_pair(p, "oauth_consumer_key"))),
        missing("no nonce", usual().edit_header(|p| drop_pair(p, "oauth_nonce"))),
        missing("no timestamp", usual().edit_header(|p| drop_pair(p, "oauth_timestamp"))),
        refusal("unsupported version",
                usual().edit_header(|p| set_pair(p, "oauth_version", "2.0")),
                "unsupported_version", "version_rejected", 400),
        refusal("unsupported signature method",
                usual().edit_header(|p| set_pair(p, "oauth_signature_method", "HMAC-MD5")),
                "unsupported_signature_method", "signature_method_rejected", 400),
        refusal("plaintext over http",
                Case::usual(&plaintext).with(|c| {
                    c.method = "GET".into();
                    c.url = "http://h.example/feeds".into();
                    c.form.clear();
                }),
                "insecure_transport", "signature_method_rejected", 400),
        malformed("unquoted value", usual().with(|c| {
            c.authorization = Some(c.authorization.as_deref().unwrap().replace("\"1.0\"", "1.0"));
        })),
        malformed("unterminated quote", usual().with(|c| {
            c.authorization = Some(c.authorization.as_deref().unwrap().replace("\"1.0\"", "\"1.0"));
        })),
        malformed("whitespace inside a value",
                  usual().edit_header(|p| set_pair(p, "oauth_nonce", "a b"))),
        malformed("raw comma in a value", usual().edit_header(|p| set_pair(p, "oauth_nonce", "a,b"))),
        malformed("scheme only half OAuth", usual().with(|c| {
            c.authorization = Some(c.authorization.as_deref().unwrap().replacen("OAuth", "OAuthX", 1));
        })),
        refusal("nonce too short for oauthlib-strict",
                usual().edit_header(|p| set_pair(p, "oauth_nonce", "abc123"))
                    .flag(&["--profile", "oauthlib-strict"]),
                "bad_nonce", "parameter_rejected", 401),
        refusal("consumer key with a dot for oauthlib-strict",
                usual().flag(&["--profile", "oauthlib-strict"]),
                "bad_consumer_key", "consumer_key_unknown", 401),
        refusal("consumer key with a space",
                usual().edit_header(|p| set_pair(p, "oauth_consumer_key", "a%20b")),
                "bad_consumer_key", "consumer_key_unknown", 401),
    ];
    for row in &rows {
        let json = assert_refused(row);
        // The base string is reported once the verifier got as far as the signature.
        let at_signature = ["bad_signature", "invalid_token", "invalid_consumer"].contains(&row.check);
        assert_eq!(json["base_string"].is_string(), at_signature, "{}", row.name);
        if row.name.starts_with("wrong") || row.name.contains("token secret") {
            // Same request, other secrets: the base string is the signer's.
            assert_eq!(str_field(&json, "base_string"), base, "{}", row.name);
        }
        if row.name == "tampered query" {
            let seen = str_field(&json, "base_string");
            assert_ne!(seen, base);
            assert!(seen.contains("alt%3Datom"), "{seen}");
        }
    }
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn rsa_refusals_are_named() {
    let ts = TS.to_string();
    let (_, other_key) = sign_usual(&[
        "--signature-method", "RSA-SHA1", "--rsa-key", &fixture("rsa1024_other.pem"),
    ]);
    let (_, rsa) = sign_usual(&[
        "--signature-method", "RSA-SHA1", "--rsa-key", &fixture("rsa2048_pkcs1.pem"),
    ]);
    let (_, hmac) = sign_usual(&["--consumer-secret", CANARY_CS]);
    let cert = fixture("rsa2048_cert.pem");
    let rows = [
        Refusal {
            name: "signed by another key",
            case: Case::usual(&other_key).with(|c| c.flags = strings(&["--rsa-cert", &cert, "--now", &ts])),
            check: "bad_signature", problem: "signature_invalid", status: 401,
        },
        Refusal {
            name: "RSA request, consumer registered with a shared secret",
            case: Case::usual(&rsa).without_flag("--token-secret"),
            check: "signature_method_not_allowed", problem: "signature_method_rejected", status: 400,
        },
        Refusal {
            name: "HMAC request, consumer registered with a certificate",
            case: Case::usual(&hmac).with(|c| c.flags = strings(&["--rsa-cert", &cert, "--now", &ts])),
            check: "signature_method_not_allowed", problem: "signature_method_rejected", status: 400,
        },
        Refusal {
            name: "tampered RSA request",
            case: Case::usual(&rsa)
                .with(|c| { c.flags = strings(&["--rsa-cert", &cert, "--now", &ts]); c.form.pop(); }),
            check: "bad_signature", problem: "signature_invalid", status: 401,
        },
    ];
    for row in &rows {
        assert_refused(row);
    }
}

/// One of the RFC 5849 §1.2 requests, as `gdauth oauth1 sign` reproduces it in
/// tests/cli.rs.
struct RfcRequest {
    method: &'static str,
    url: &'static str,
    header: &'static str,
    consumer_secret: &'static str,
    token_secret: Option<&'static str>,
    timestamp: u64,
    ok_line: &'static str,
}

impl RfcRequest {
    /// Verified with its secrets at its own time.
    fn case(&self) -> Case {
        let mut flags = strings(&[
            "--consumer-secret",
            self.consumer_secret,
            "--now",
            &self.timestamp.to_string(),
        ]);
        if let Some(ts) = self.token_secret {
            flags.extend(strings(&["--token-secret", ts]));
        }
        Case {
            method: self.method.into(),
            url: self.url.into(),
            form: Vec::new(),
            authorization: Some(self.header.into()),
            flags,
        }
    }
}

#[rustfmt::skip]
const RFC5849_1_2: [RfcRequest; 3] = [
    RfcRequest {
        method: "POST", url: "https://photos.example.net/initiate",
        header: "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\"",
        consumer_secret: "kd94hf93k423kf44", token_secret: None, timestamp: 137_131_200,
        ok_line: "ok: HMAC-SHA1 signature valid for consumer dpf43f3p2l4k3l03",
    },
    RfcRequest {
        method: "POST", url: "https://photos.example.net/token",
        header: "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"hh5s93j4hdidpola\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131201\", oauth_nonce=\"walatlh\", oauth_verifier=\"hfdp7dh39dks9884\", oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\"",
        consumer_secret: "kd94hf93k423kf44", token_secret: Some("hdhd0244k9j7ao03"),
        timestamp: 137_131_201,
        ok_line: "ok: HMAC-SHA1 signature valid for consumer dpf43f3p2l4k3l03 token hh5s93j4hdidpola",
    },
    RfcRequest {
        method: "GET", url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
        header: "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"",
        consumer_secret: "kd94hf93k423kf44", token_secret: Some("pfkkdhi9sl3r4s00"),
        timestamp: 137_131_202,
        ok_line: "ok: HMAC-SHA1 signature valid for consumer dpf43f3p2l4k3l03 token nnch734d00sl2jdk",
    },
];

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn rfc5849_example_requests_verify_at_their_own_time() {
    for req in &RFC5849_1_2 {
        let (url, case) = (req.url, req.case());
        let (text, json) = case.ok();
        assert_eq!(text, req.ok_line);
        assert_json_shape(&json);

        // Today's clock refuses them: they were signed in 1974.
        let today = case.clone().without_flag("--now");
        let json = today.run_json(1);
        assert_eq!(str_field(&json, "check"), "timestamp_out_of_window", "{url}");
        // oauthlib's provider wants 10-digit timestamps.
        let strict = case.clone().flag(&["--profile", "oauthlib-strict"]);
        assert_eq!(str_field(&strict.run_json(1), "check"), "bad_timestamp", "{url}");
        // One second past a one-second window.
        let narrow = case.clone().set_flag("--now", &(req.timestamp + 2).to_string())
            .flag(&["--window", "1"]);
        assert_eq!(str_field(&narrow.run_json(1), "check"), "timestamp_out_of_window");
    }

    // §1.2's photos request with its published base string (the signer's, in tests/cli.rs).
    let (_, json) = RFC5849_1_2[2].case().ok();
    assert_eq!(
        str_field(&json, "base_string"),
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
    );
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn json_reports_every_verdict_in_one_shape() {
    let (base, hmac) = sign_usual(&["--consumer-secret", CANARY_CS]);
    let ok = Case::usual(&hmac).run_json(0);
    assert_json_shape(&ok);
    assert_eq!(ok["valid"], true);
    assert_eq!(str_field(&ok, "base_string"), base);

    // Refused before the signature step: no base string yet.
    let early = Case::usual(&hmac).edit_header(|p| drop_pair(p, "oauth_nonce")).run_json(1);
    assert_json_shape(&early);
    assert_eq!(early["valid"], false);
    assert_eq!(early["check"], "missing_param");
    assert_eq!(early["oauth_problem"], "parameter_absent");
    assert_eq!(early["http_status"], 400);
    assert_eq!(early["message"], "missing required parameter oauth_nonce");
    assert!(early["base_string"].is_null());

    // Refused at the signature: the base string the verifier checked.
    let late = Case::usual(&hmac).set_flag("--consumer-secret", "CANARY-other").run_json(1);
    assert_json_shape(&late);
    assert_eq!(late["check"], "bad_signature");
    assert_eq!(late["http_status"], 401);
    assert_eq!(str_field(&late, "base_string"), base);
}

#[test]
#[rustfmt::skip] // flag/value pairs read best side by side
fn bad_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    let not_pem = write("notes.txt", format!("password: {CANARY_CS}\n").as_bytes());
    let broken = write(
        "broken.pem",
        format!("-----BEGIN PUBLIC KEY-----\n{CANARY_CS}\n-----END PUBLIC KEY-----\n").as_bytes(),
    );
    let broken_cert = write(
        "broken_cert.pem",
        format!("-----BEGIN CERTIFICATE-----\n{CANARY_CS}\n-----END CERTIFICATE-----\n").as_bytes(),
    );
    let binary = write("binary.pem", &[0xff, 0xfe, 0x00, 0x80]);
    let huge = write("huge.pem", &vec![b'A'; 200 * 1024]);
    let missing = dir.path().join("missing.pem").to_string_lossy().into_owned();
    let dir_path = dir.path().to_string_lossy().into_owned();
    let private = fixture("rsa2048_pkcs1.pem");

    let header = "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\"";
    // `oauth1 verify` of a fine request with `extra` flags.
    let at = |method: &str, url: &str, extra: &[&str]| -> Vec<String> {
        let mut v = strings(&[
            "oauth1", "verify", "--method", method, "--url", url, "--authorization", header,
            "--token-secret", CANARY_TS,
        ]);
        v.extend(strings(extra));
        v
    };
    let req = |extra: &[&str]| at("GET", "https://h.example/", extra);
    let cs = ["--consumer-secret", CANARY_CS];
    let with_cs = |extra: &[&str]| req(&[&cs[..], extra].concat());
    let rsa = |path: &str| req(&["--rsa-cert", path]);

    // (arguments, what stderr must name)
    let rows: Vec<(Vec<String>, &str)> = vec![
        (req(&[]), "verify needs the consumer's key: --consumer-secret"),
        (with_cs(&["--rsa-cert", &fixture("rsa2048_cert.pem")]),
         "'--consumer-secret <S>' cannot be used with '--rsa-cert <PEM_FILE>'"),
        (with_cs(&["--consumer-secret", CANARY_CS]), "cannot be used multiple times"),
        (rsa(&missing), "cannot read --rsa-cert file"),
        (rsa(&dir_path), "cannot read --rsa-cert file"),
        (rsa(&not_pem), "notes.txt: bad RSA key"),
        (rsa(&broken), "broken.pem: bad RSA key: malformed SPKI public key"),
        (rsa(&broken_cert), "broken_cert.pem: bad RSA key: malformed X.509 certificate"),
        (rsa(&private), "expected a PEM public key or X.509 certificate"),
        (rsa(&binary), "binary.pem is not text"),
        (rsa(&huge), "larger than 65536 bytes"),
        (at("GET", "not a url", &cs), "--url: malformed URL"),
        (at("GET", "ftp://h.example/", &cs), "--url: unsupported URL scheme"),
        (at("GET", "http://h.example:0/", &cs), "--url: invalid port"),
        (at("GET", &format!("https://h.example/?token={CANARY_TS}%zz"), &cs), "--url: bad encoding"),
        (at("GE T", "https://h.example/", &cs), "--method: invalid HTTP method"),
        (at("", "https://h.example/", &cs), "--method: invalid HTTP method"),
        (with_cs(&["--form", "nameonly"]), "--form #1 has no '='"),
        (with_cs(&["--profile", "strict"]), "invalid value 'strict' for '--profile <PROFILE>'"),
        (with_cs(&["--now", "abc"]), "invalid value 'abc' for '--now"),
        (with_cs(&["--now", "-1"]), "invalid value '-1' for '--now"),
        (with_cs(&["--window", "-5"]), "invalid value '-5' for '--window"),
        (with_cs(&["--window", "1.5"]), "invalid value '1.5' for '--window"),
        (with_cs(&["--authorization", "x"]), "'--authorization <HEADER>' cannot be used multiple times"),
        (strings(&["oauth1", "verify", "--method", "GET", "--url", "https://h.example/",
                   "--consumer-secret", CANARY_CS, "--authorization", &format!("Authorization: {header}")]),
         "--authorization takes the header value"),
        (strings(&["oauth1", "verify", "--url", "https://h.example/", "--consumer-secret", CANARY_CS]),
         "not provided:\n  --method"),
        (strings(&["oauth1", "verify", "--method", "GET", "--consumer-secret", CANARY_CS]),
         "not provided:\n  --url"),
        (with_cs(&["--bogus"]), "unexpected argument '--bogus'"),
    ];
    for (args, names) in &rows {
        for json in [false, true] {
            let mut args = args.clone();
            if json {
                args.push("--json".into());
            }
            let run = gdauth(&args);
            let shown = args.join(" ");
            assert_eq!(run.code, Some(2), "{shown}: stderr {}", run.stderr);
            assert!(run.stdout.is_empty(), "{shown}: stdout {}", run.stdout);
            assert!(run.stderr.contains(names), "{shown}: stderr {:?} lacks {names}", run.stderr);
        }
    }
}

#[test]
fn help_lists_every_flag() {
    let run = gdauth(&["oauth1", "verify", "--help"]);
    assert_eq!(run.code, Some(0));
    for flag in [
        "--method",
        "--url",
        "--form",
        "--authorization",
        "--consumer-key",
        "--consumer-secret",
        "--rsa-cert",
        "--token-secret",
        "--now",
        "--window",
        "--profile",
        "oauthlib-strict",
        "--dangerous-allow-insecure",
        "--json",
    ] {
        assert!(run.stdout.contains(flag), "help lacks {flag}");
    }
    let group = gdauth(&["oauth1", "--help"]);
    assert!(group.stdout.contains("verify"), "{}", group.stdout);
}

#[test]
fn readme_verify_example_is_current() {
    // The README's `oauth1 verify` example and its printed output must match the binary.
    let (_, args, output) = readme_example("oauth1 verify");
    let run = gdauth(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), output);

    // The header in the example is the one the README's sign example prints.
    let (_, _, sign_output) = readme_example("oauth1 sign");
    let header_at = args.iter().position(|w| w == "--authorization").unwrap();
    assert_eq!(args[header_at + 1], sign_output);
}
