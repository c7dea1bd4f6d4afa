//! `gdauth authsub verify`: requests signed with `gdauth authsub sign` verify (with the
//! certificate or the bare public key, in the JAVA and the PY2 layout), each broken request
//! is refused with the check that failed named (`error: CHECK: message`, exit 1), the
//! `--json` shape holds, a refused command line exits 2, and the token is never printed.

use serde_json::{Map, Value};

use crate::support::{gdauth, gdauth_in, help_flags, readme_example, Run};
use crate::{json_object, key, keys, repo_root};

/// A canary token: verify must never print it.
const TOKEN: &str = "CANARY-token-1";
const URL: &str = "https://www.google.com/calendar/feeds/default/private/full?x=1";
const TS: u64 = 1_700_000_000;

/// `gdauth authsub sign` of the usual request, secure, at `TS` with nonce `n`.
fn signed(method: &str, url: &str, nonce: &str) -> String {
    let ts = TS.to_string();
    let pem = key("rsa2048_pkcs8.pem");
    let args = [
        "authsub",
        "sign",
        "--token",
        TOKEN,
        "--method",
        method,
        "--url",
        url,
        "--rsa-key",
        &pem,
        "--nonce",
        nonce,
        "--timestamp",
        &ts,
    ];
    let run = gdauth(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.stdout.trim_end().to_owned()
}

/// `authsub verify` of `header` as received by `method` `url`, plus `extra` flags; it never
/// panics nor prints the token.
fn verify(method: &str, url: &str, header: &str, extra: &[&str]) -> Run {
    let cert = key("rsa2048_cert.pem");
    let mut args = vec![
        "authsub",
        "verify",
        "--method",
        method,
        "--url",
        url,
        "--authorization",
        header,
    ];
    if !extra.contains(&"--rsa-cert") {
        args.extend(["--rsa-cert", cert.as_str()]);
    }
    args.extend_from_slice(extra);
    let run = gdauth(&args);
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("panicked"), "{args:?}: {text}");
        assert!(!text.contains("CANARY"), "{args:?}: token printed: {text}");
    }
    run
}

/// The `--json` run of a verdict: one object on stdout, nothing on stderr, exit `code`.
fn verify_json(
    method: &str,
    url: &str,
    header: &str,
    extra: &[&str],
    code: i32,
) -> Map<String, Value> {
    let mut extra = extra.to_vec();
    extra.push("--json");
    let run = verify(method, url, header, &extra);
    assert_eq!(run.code, Some(code), "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.ends_with('\n') && run.stdout.lines().count() == 1);
    let json = json_object(&run.stdout);
    assert_eq!(keys(&json), ["check", "data", "message", "valid"]);
    json
}

const NOW: &str = "1700000000";

#[test]
fn the_flags_are_the_contract() {
    let run = gdauth(&["authsub", "verify", "--help"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        help_flags(&run.stdout),
        [
            "--method",
            "--url",
            "--authorization",
            "--rsa-cert",
            "--now",
            "--window",
            "--json",
            "--help",
            "--version"
        ]
    );
    let run = gdauth(&["authsub", "verify"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains(
            "--method <M>\n  --url <U>\n  --authorization <HEADER>\n  --rsa-cert <PEM_FILE>"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn signed_requests_verify() {
    let header = signed("GET", URL, "123456789");
    let run = verify("GET", URL, &header, &["--now", NOW]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ok: rsa-sha1 signature valid (timestamp 1700000000, nonce 123456789)\n"
    );
    assert!(run.stderr.is_empty());

    let json = verify_json("GET", URL, &header, &["--now", NOW], 0);
    assert_eq!(json["valid"], true);
    assert_eq!(json["check"], Value::Null);
    assert_eq!(json["data"], format!("GET {URL} 1700000000 123456789"));

    // The bare public key verifies as the certificate does.
    let run = verify(
        "GET",
        URL,
        &header,
        &["--now", NOW, "--rsa-cert", &key("rsa2048_pub.pem")],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // PY2's layout of the same signature: token unquoted, sigalg first.
    let (token, rest) = header
        .strip_prefix("AuthSub token=\"")
        .unwrap()
        .split_once("\" ")
        .unwrap();
    let rest = rest.strip_suffix(" sigalg=\"rsa-sha1\"").unwrap();
    let py2 = format!("AuthSub token={token} sigalg=\"rsa-sha1\" {rest}");
    assert_eq!(verify("GET", URL, &py2, &["--now", NOW]).code, Some(0));
    // A POST with a query of its own; a clock within the window.
    let post_url = "https://www.google.com/m8/feeds/contacts/default/full?alt=json&q=a%20b";
    let post = signed("POST", post_url, "7");
    assert_eq!(
        verify("POST", post_url, &post, &["--now", "1700000600"]).code,
        Some(0)
    );
    assert_eq!(
        verify(
            "POST",
            post_url,
            &post,
            &["--now", "1700003000", "--window", "3000"]
        )
        .code,
        Some(0)
    );
}

/// A refused request: method, URL, header, extra flags, the check named, a message part.
type Refusal<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a str, &'a str);

#[test]
fn each_failed_check_is_named() {
    let good = signed("GET", URL, "123456789");
    let non_secure = format!("AuthSub token=\"{TOKEN}\"");
    let bad_data = good.replace(" 1700000000 123456789\"", " yesterday 123456789\"");
    let short_data = good.replace(" 1700000000 123456789\"", "\"");
    let tampered = good.replace("sig=\"", "sig=\"AAAA");
    let other_nonce = good.replace(" 123456789\"", " 123456780\"");
    let dsa = good.replace("rsa-sha1", "dsa-sha1");
    let rows: [Refusal; 11] = [
        (
            "GET",
            URL,
            "Bearer x",
            &["--now", NOW],
            "malformed_header",
            "scheme is not AuthSub",
        ),
        (
            "GET",
            URL,
            &dsa,
            &["--now", NOW],
            "malformed_header",
            "unsupported sigalg",
        ),
        (
            "GET",
            URL,
            &non_secure,
            &["--now", NOW],
            "not_secure",
            "not signed",
        ),
        (
            "GET",
            URL,
            &bad_data,
            &["--now", NOW],
            "malformed_data",
            "timestamp",
        ),
        (
            "GET",
            URL,
            &short_data,
            &["--now", NOW],
            "malformed_data",
            "METHOD URL TIMESTAMP NONCE",
        ),
        (
            "POST",
            URL,
            &good,
            &["--now", NOW],
            "method_mismatch",
            "signed method",
        ),
        (
            "GET",
            "https://www.google.com/calendar/feeds/default/private/full?x=2",
            &good,
            &["--now", NOW],
            "url_mismatch",
            "signed URL",
        ),
        (
            "GET",
            URL,
            &good,
            &[],
            "timestamp_out_of_window",
            "outside the accepted window",
        ),
        (
            "GET",
            URL,
            &good,
            &["--now", "1700000601"],
            "timestamp_out_of_window",
            "601 s",
        ),
        (
            "GET",
            URL,
            &tampered,
            &["--now", NOW],
            "bad_signature",
            "signature invalid",
        ),
        (
            "GET",
            URL,
            &other_nonce,
            &["--now", NOW],
            "bad_signature",
            "signature invalid",
        ),
    ];
    for (method, url, header, extra, check, message) in rows {
        let run = verify(method, url, header, extra);
        assert_eq!(run.code, Some(1), "{check}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{check}: {}", run.stdout);
        let line = run.stderr.trim_end();
        assert!(
            line.starts_with(&format!("error: {check}: ")) && line.contains(message),
            "{check}: {line}"
        );
        assert_eq!(run.stderr.lines().count(), 1);

        let json = verify_json(method, url, header, extra, 1);
        assert_eq!(json["valid"], false);
        assert_eq!(json["check"], check);
        assert!(
            json["message"].as_str().unwrap().contains(message),
            "{json:?}"
        );
        // The signed data is reported whenever the header parsed as a secure one.
        let secure = !matches!(check, "malformed_header" | "not_secure");
        assert_eq!(json["data"].is_string(), secure, "{check}: {json:?}");
    }
}

#[test]
fn refused_command_lines_exit_2() {
    let good = signed("GET", URL, "1");
    let rows: [(&str, &str, String, Vec<String>, &str); 7] = [
        (
            "GET",
            "not a url",
            good.clone(),
            vec![],
            "--url: malformed URL",
        ),
        (
            "G T",
            URL,
            good.clone(),
            vec![],
            "--method: invalid HTTP method",
        ),
        (
            "GET",
            URL,
            format!("Authorization: {good}"),
            vec![],
            "without \"Authorization:\"",
        ),
        (
            "GET",
            URL,
            good.clone(),
            vec!["--rsa-cert".into(), "/nonexistent.pem".into()],
            "cannot read --rsa-cert file",
        ),
        (
            "GET",
            URL,
            good.clone(),
            vec!["--rsa-cert".into(), key("rsa2048_pkcs8.pem")],
            "expected a PEM public key or X.509 certificate",
        ),
        (
            "GET",
            URL,
            good.clone(),
            vec!["--now".into(), "-5".into()],
            "invalid value",
        ),
        (
            "GET",
            URL,
            good.clone(),
            vec!["--window".into(), "wide".into()],
            "invalid value",
        ),
    ];
    for (method, url, header, extra, message) in rows {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        for json in [false, true] {
            let mut extra = extra.clone();
            if json {
                extra.push("--json");
            }
            let run = verify(method, url, &header, &extra);
            assert_eq!(run.code, Some(2), "{message}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{message}: {}", run.stdout);
            assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
        }
    }
}

#[test]
fn readme_example_runs() {
    let (_, args, output) = readme_example("authsub verify");
    let run = gdauth_in(repo_root(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), output);
    // The README's verify example checks the header its sign example prints.
    let (_, sign_args, sign_output) = readme_example("authsub sign");
    let header_at = args.iter().position(|a| a == "--authorization").unwrap() + 1;
    assert_eq!(args[header_at], sign_output);
    let url_at = |a: &[String]| a.iter().position(|x| x == "--url").unwrap() + 1;
    assert_eq!(args[url_at(&args)], sign_args[url_at(&sign_args)]);
}
