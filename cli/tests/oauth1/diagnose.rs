//! `gdauth oauth1 diagnose` and `gdauth serve --accept-quirk`: for every quirk profile, a
//! request signed the quirky way (the library's quirk base string, real HMAC-SHA1 or
//! PLAINTEXT) is named by `diagnose --json` with every key of the contract checked, and
//! `serve` lets it through for the consumer given the quirk only, logging the quirk. Also the
//! text output, a valid and a garbage signature, exit statuses, and no secret echoed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::{gdauth, Serve};
use gdata_auth::conformance::quirks::{base_string, QuirkProfile};
use gdata_auth::encoding::{form_encode, parse_form};
use gdata_auth::oauth1::header::build_header;
use gdata_auth::oauth1::signature::{hmac_sha1, signing_key};
use gdata_auth::oauth1::verifier::ReceivedRequest;
use serde_json::Value;

/// Canary secrets: must never appear on stdout or stderr.
const QUIRKY_SECRET: &str = "CANARY-quirky-s3cr3t";
const PLAIN_SECRET: &str = "CANARY-plain-s3cr3t";
const PLAIN: &str = "plain.example.com";
const REQUEST_TOKEN: &str =
    "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F";

/// One profile's request: the query after `scope`, the decoded form pairs, the origin it is
/// signed for, and whether it signs PLAINTEXT.
struct Case {
    profile: QuirkProfile,
    extra_query: &'static str,
    form: &'static [(&'static str, &'static str)],
    origin: &'static str,
    plaintext: bool,
}

fn cases() -> Vec<Case> {
    let case = |profile, extra_query, form, origin, plaintext| Case {
        profile,
        extra_query,
        form,
        origin,
        plaintext,
    };
    let http = "http://www.example.com";
    vec![
        case(QuirkProfile::EmptyPathNoSlash, "", &[], http, false),
        case(QuirkProfile::DropEmptyParams, "&extra=", &[], http, false),
        case(
            QuirkProfile::LastDuplicateWins,
            "&a=1&a=2",
            &[],
            http,
            false,
        ),
        case(
            QuirkProfile::SortJoinedPairs,
            "&a=1&a-b=2",
            &[],
            http,
            false,
        ),
        case(QuirkProfile::PlusForSpace, "&q=x+y", &[], http, false),
        case(QuirkProfile::RawQuery, "&t=%7E", &[], http, false),
        case(
            QuirkProfile::IgnoreBodyParams,
            "",
            &[("extra", "1")],
            http,
            false,
        ),
        case(
            QuirkProfile::KeepDefaultPort,
            "",
            &[],
            "http://www.example.com:80",
            false,
        ),
        case(
            QuirkProfile::PlaintextConsumerKey,
            "",
            &[],
            "https://www.example.com",
            true,
        ),
    ]
}

impl Case {
    /// The URL signed: the request-token call, except for the empty path, which is the
    /// origin alone.
    fn url(&self) -> String {
        if self.profile == QuirkProfile::EmptyPathNoSlash {
            self.origin.to_owned()
        } else {
            format!("{}{REQUEST_TOKEN}{}", self.origin, self.extra_query)
        }
    }

    /// The consumer that `serve` gives this case's quirk.
    fn consumer(&self) -> String {
        format!("{}.example.com", self.profile)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The `Authorization` value of `consumer`'s request-token call, signed under `profile`
/// (`None`: RFC 5849).
fn sign(
    consumer: &str,
    secret: &str,
    profile: Option<QuirkProfile>,
    url: &str,
    form: &[(&str, &str)],
    plaintext: bool,
    nonce: &str,
) -> String {
    let ts = now().to_string();
    let mut params = vec![
        ("oauth_callback", "oob"),
        ("oauth_consumer_key", consumer),
        ("oauth_nonce", nonce),
        (
            "oauth_signature_method",
            if plaintext { "PLAINTEXT" } else { "HMAC-SHA1" },
        ),
        ("oauth_timestamp", ts.as_str()),
        ("oauth_version", "1.0"),
    ];
    let signature = if plaintext {
        let first = if profile == Some(QuirkProfile::PlaintextConsumerKey) {
            consumer
        } else {
            secret
        };
        signing_key(first, "").to_string()
    } else {
        let unsigned = build_header(None, &params).unwrap();
        let body = form_encode(form);
        let mut received = ReceivedRequest::new("POST", url).with_authorization(&unsigned);
        if !form.is_empty() {
            received = received.with_form_body(&body);
        }
        let base = base_string(&received, profile).unwrap();
        hmac_sha1(signing_key(secret, "").as_bytes(), base.as_bytes())
    };
    params.push(("oauth_signature", &signature));
    build_header(None, &params).unwrap()
}

/// `gdauth oauth1 diagnose` on a POST of `url` with `form` and `header`, plus `extra` flags.
fn diagnose(url: &str, form: &[(&str, &str)], header: &str, extra: &[&str]) -> crate::support::Run {
    let mut args: Vec<String> = ["oauth1", "diagnose", "--method", "POST", "--url", url]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (n, v) in form {
        args.push(format!("--form={n}={v}"));
    }
    args.push("--authorization".into());
    args.push(header.into());
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = gdauth(&args);
    for secret in [QUIRKY_SECRET, PLAIN_SECRET] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
    run
}

fn json(stdout: &str) -> serde_json::Map<String, Value> {
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    let map = v.as_object().unwrap().clone();
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "difference",
            "matched_base_string",
            "profile",
            "rfc_base_string",
            "valid"
        ],
        "{stdout}"
    );
    map
}

/// The base string of `url`/`form`/`header` under `profile`, as the library computes it.
fn library_base(
    url: &str,
    form: &[(&str, &str)],
    header: &str,
    profile: Option<QuirkProfile>,
) -> String {
    let body = form_encode(form);
    let mut received = ReceivedRequest::new("POST", url).with_authorization(header);
    if !form.is_empty() {
        received = received.with_form_body(&body);
    }
    base_string(&received, profile).unwrap()
}

#[test]
fn diagnose_names_every_profile() {
    let cases = cases();
    assert_eq!(cases.len(), QuirkProfile::ALL.len());
    for case in cases {
        let name = case.profile.as_str();
        let url = case.url();
        let header = sign(
            "quirky.example.com",
            QUIRKY_SECRET,
            Some(case.profile),
            &url,
            case.form,
            case.plaintext,
            "n1",
        );
        let run = diagnose(
            &url,
            case.form,
            &header,
            &["--consumer-secret", QUIRKY_SECRET, "--json"],
        );
        assert_eq!(run.code, Some(1), "{name}: {}{}", run.stdout, run.stderr);
        let d = json(&run.stdout);
        assert_eq!(d["valid"], false, "{name}");
        assert_eq!(d["profile"], name);
        let rfc = library_base(&url, case.form, &header, None);
        assert_eq!(d["rfc_base_string"], rfc.as_str(), "{name}");
        let matched = if case.plaintext {
            rfc.clone()
        } else {
            library_base(&url, case.form, &header, Some(case.profile))
        };
        assert_eq!(d["matched_base_string"], matched.as_str(), "{name}");
        assert!(
            d["difference"].as_str().unwrap().starts_with(name),
            "{name}: {}",
            d["difference"]
        );
    }
}

#[test]
fn diagnose_text_valid_and_garbage() {
    let url = format!("http://www.example.com{REQUEST_TOKEN}&extra=");
    let quirky = sign(
        "k",
        QUIRKY_SECRET,
        Some(QuirkProfile::DropEmptyParams),
        &url,
        &[],
        false,
        "n1",
    );
    let run = diagnose(&url, &[], &quirky, &["--consumer-secret", QUIRKY_SECRET]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert_eq!(lines[0], "valid: no");
    assert_eq!(lines[1], "profile: drop-empty-params");
    assert!(lines[2].starts_with("rfc_base_string: POST&http%3A%2F%2Fwww.example.com%2F"));
    assert!(lines[3].starts_with("matched_base_string: POST&"));
    assert!(
        lines[4].starts_with("difference: drop-empty-params (")
            && lines[4].contains("parameters left out: extra="),
        "{}",
        lines[4]
    );

    // RFC 5849: valid, profile rfc5849, exit 0.
    let rfc = sign("k", QUIRKY_SECRET, None, &url, &[], false, "n2");
    let run = diagnose(
        &url,
        &[],
        &rfc,
        &["--consumer-secret", QUIRKY_SECRET, "--json"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let d = json(&run.stdout);
    assert_eq!(d["valid"], true);
    assert_eq!(d["profile"], "rfc5849");
    assert_eq!(d["matched_base_string"], d["rfc_base_string"]);
    let run = diagnose(&url, &[], &rfc, &["--consumer-secret", QUIRKY_SECRET]);
    assert_eq!(run.code, Some(0));
    assert!(
        run.stdout.starts_with("valid: yes\nprofile: rfc5849\n"),
        "{}",
        run.stdout
    );

    // A garbage signature: not valid, no profile, exit 1.
    let garbage = rfc.replace("oauth_signature=\"", "oauth_signature=\"AAAA");
    let run = diagnose(
        &url,
        &[],
        &garbage,
        &["--consumer-secret", QUIRKY_SECRET, "--json"],
    );
    assert_eq!(run.code, Some(1));
    let d = json(&run.stdout);
    assert_eq!(d["valid"], false);
    assert_eq!(d["profile"], Value::Null);
    assert_eq!(d["matched_base_string"], Value::Null);
}

#[test]
fn diagnose_bad_command_lines_exit_2() {
    let url = format!("http://www.example.com{REQUEST_TOKEN}");
    let header = sign("k", QUIRKY_SECRET, None, &url, &[], false, "n1");
    // No secret for an HMAC signature.
    let run = diagnose(&url, &[], &header, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--consumer-secret"), "{}", run.stderr);
    // A URL that is not one.
    let run = diagnose("not a url", &[], &header, &["--consumer-secret", "s"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    // No --authorization.
    let run = gdauth(&["oauth1", "diagnose", "--method", "GET", "--url", &url]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    // An unreadable --rsa-cert.
    let run = diagnose(&url, &[], &header, &["--rsa-cert", "/nonexistent/cert.pem"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

/// POSTs to the server at `base` with the `Host` header `host`; returns the status and body.
fn post(base: &str, host: &str, path: &str, header: &str, form: &[(&str, &str)]) -> (u16, String) {
    let addr = base.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = form_encode(form);
    let content_type = if form.is_empty() {
        String::new()
    } else {
        "Content-Type: application/x-www-form-urlencoded\r\n".to_owned()
    };
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {header}\r\n{content_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    (status, body.to_owned())
}

fn problem(body: &str) -> String {
    parse_form(body)
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == "oauth_problem")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[test]
fn serve_accepts_each_quirk_for_its_consumer_only() {
    let cases = cases();
    let mut args: Vec<String> = vec!["--consumer".into(), format!("{PLAIN}:{PLAIN_SECRET}")];
    for case in &cases {
        args.push("--consumer".into());
        args.push(format!("{}:{QUIRKY_SECRET}", case.consumer()));
        args.push("--accept-quirk".into());
        args.push(format!("{}:{}", case.consumer(), case.profile));
    }
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let serve = Serve::start(&arg_refs);
    let real_host = serve.base().strip_prefix("http://").unwrap().to_owned();
    // PLAINTEXT needs TLS, which `serve` lacks: the quirk is accepted with a warning.
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        serve
            .log()
            .contains("plaintext-consumer-key: this plain-http server refuses PLAINTEXT"),
        "{}",
        serve.log()
    );

    for (i, case) in cases.iter().enumerate() {
        let name = case.profile.as_str();
        // No signed endpoint of the emulator has an empty path, and PLAINTEXT needs TLS:
        // the library's in-process tests cover those two against the verifier.
        if matches!(
            case.profile,
            QuirkProfile::EmptyPathNoSlash | QuirkProfile::PlaintextConsumerKey
        ) {
            continue;
        }
        // The Host the client addressed: `:80` written out for keep-default-port.
        let host = if case.profile == QuirkProfile::KeepDefaultPort {
            "127.0.0.1:80".to_owned()
        } else {
            real_host.clone()
        };
        let path = format!("{REQUEST_TOKEN}{}", case.extra_query);
        let url = format!("http://{host}{path}");
        let consumer = case.consumer();

        let header = sign(
            &consumer,
            QUIRKY_SECRET,
            Some(case.profile),
            &url,
            case.form,
            false,
            &format!("q{i}"),
        );
        let (status, body) = post(serve.base(), &host, &path, &header, case.form);
        assert_eq!(status, 200, "{name}: {body}");
        assert!(body.contains("oauth_token="), "{name}: {body}");
        let line = format!("consumer {consumer} accepted under quirk {name}");
        assert!(serve.logged(&line), "{name}: {}", serve.log());

        // The same quirk from a consumer without it: refused.
        let header = sign(
            PLAIN,
            PLAIN_SECRET,
            Some(case.profile),
            &url,
            case.form,
            false,
            &format!("p{i}"),
        );
        let (status, body) = post(serve.base(), &host, &path, &header, case.form);
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(problem(&body), "signature_invalid", "{name}: {body}");
    }
    let log = serve.log();
    assert!(!log.contains(QUIRKY_SECRET) && !log.contains(PLAIN_SECRET));
}

#[test]
fn serve_refuses_unknown_quirks_and_consumers() {
    let run = gdauth(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--accept-quirk",
        "anonymous:no-such-quirk",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown quirk profile") && run.stderr.contains("raw-query"),
        "{}",
        run.stderr
    );
    let run = gdauth(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--accept-quirk",
        "nobody.example.com:raw-query",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("not registered"), "{}", run.stderr);
    let run = gdauth(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--accept-quirk",
        "raw-query",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}
