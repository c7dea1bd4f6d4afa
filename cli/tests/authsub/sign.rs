//! `gdauth authsub sign`: the contract other tools depend on
//! (`--token T --method M --url U [--rsa-key PEM_FILE] [--nonce N] [--timestamp T] [--json]`),
//! the non-secure and secure headers, the `--json` keys, a pinned nonce and timestamp giving
//! the same data string and signature every time (an OpenSSL known answer), and every
//! refused command line.

use serde_json::Value;

use crate::support::{gdauth, gdauth_in, help_flags, readme_example, Run};
use crate::{json_object, key, keys, repo_root};

const TOKEN: &str = "CKF50YzIHxCTKMAg";
const URL: &str = "https://www.google.com/calendar/feeds/default/private/full?x=1";
const DATA: &str =
    "GET https://www.google.com/calendar/feeds/default/private/full?x=1 1700000000 123456789";
/// RSA-SHA1 of [`DATA`] with `fixtures/keys/rsa2048_pkcs8.pem`, computed independently with
/// `printf '%s' "$DATA" | openssl dgst -sha1 -sign rsa2048_pkcs8.pem | base64 -w0`.
const SIG: &str = "isSUuXTAnXosDQeLgitHyAzsEpXVDLMWH3B/1DTLd04d+2VKQatAAFIKaydydyv+G/xRDX67rjsRvRI2ZO8PmyQQfF0TEKnsDk56lIARnFjia6AD33pbDTeM4dY0pKf5a7GKvSooloG/BsI0Dz/IcWQW2HQdieZyWebyFJA4dYIg/fgOuxFRLRnhQ+dwm58cfLpZYxUxarhwK1okAT3EvFmIgqCR6r9M6kqIUFhBG05tVwhdLkPK1kRDyFUgqMJTCXIq7oRLWoSb7/Vr0xkwh5Q6Ur9fyl43r+SUu1nW0ivBxkFnpuZtjHP2gZ18qv8OFsqwrl6QAuJqnL82BtT56g==";

/// `authsub sign` followed by `args`; it never panics.
fn sign(args: &[&str]) -> Run {
    let mut all = vec!["authsub", "sign"];
    all.extend_from_slice(args);
    let run = gdauth(&all);
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    run
}

/// A run that must succeed with one line on stdout; returns it.
fn sign_ok(args: &[&str]) -> String {
    let run = sign(args);
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    assert!(run.stdout.ends_with('\n') && run.stdout.lines().count() == 1);
    run.stdout.trim_end().to_owned()
}

/// A run that must be refused with `code` and one `error: …` line holding `message`,
/// never the token.
fn sign_refused(args: &[&str], code: i32, message: &str) {
    let run = sign(args);
    assert_eq!(run.code, Some(code), "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    assert!(
        !run.stderr.contains("CANARY"),
        "{args:?}: token in {}",
        run.stderr
    );
}

#[rustfmt::skip]
fn secure_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--token", TOKEN, "--method", "GET", "--url", URL];
    args.extend_from_slice(extra);
    args
}

#[test]
fn the_flags_are_the_contract() {
    let run = gdauth(&["authsub", "sign", "--help"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        help_flags(&run.stdout),
        [
            "--token",
            "--method",
            "--url",
            "--rsa-key",
            "--nonce",
            "--timestamp",
            "--json",
            "--help",
            "--version"
        ]
    );
    assert!(run
        .stdout
        .contains("Usage: gdauth authsub sign [OPTIONS] --token <T> --method <M> --url <U>"));
    // All three are required.
    let run = sign(&[]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--token <T>\n  --method <M>\n  --url <U>"),
        "{}",
        run.stderr
    );
    // `gdauth authsub` lists both commands.
    let run = gdauth(&["authsub", "--help"]);
    assert!(
        run.stdout.contains("  sign ") && run.stdout.contains("  verify "),
        "{}",
        run.stdout
    );
}

#[test]
fn without_a_key_the_header_is_non_secure() {
    let args = ["--token", TOKEN, "--method", "GET", "--url", URL];
    assert_eq!(sign_ok(&args), format!("AuthSub token=\"{TOKEN}\""));
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let json = json_object(&sign_ok(&json_args));
    assert_eq!(keys(&json), ["authorization", "data", "signature"]);
    assert_eq!(json["data"], Value::Null);
    assert_eq!(json["signature"], Value::Null);
    assert_eq!(json["authorization"], format!("AuthSub token=\"{TOKEN}\""));
    // A token that starts with '-' is a value, not a flag.
    let dashed = sign_ok(&["--token", "-1/abc", "--method", "GET", "--url", URL]);
    assert_eq!(dashed, "AuthSub token=\"-1/abc\"");
}

#[test]
fn a_pinned_nonce_and_timestamp_reproduce_the_data_string_and_signature() {
    let pinned = [
        "--rsa-key",
        &key("rsa2048_pkcs8.pem"),
        "--nonce",
        "123456789",
        "--timestamp",
        "1700000000",
    ];
    let header = sign_ok(&secure_args(&pinned));
    assert_eq!(
        header,
        format!("AuthSub token=\"{TOKEN}\" data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\"")
    );
    // The same again, and the same from the PKCS#1 file of the same key.
    assert_eq!(sign_ok(&secure_args(&pinned)), header);
    let pkcs1 = [
        "--rsa-key",
        &key("rsa2048_pkcs1.pem"),
        "--nonce",
        "123456789",
        "--timestamp",
        "1700000000",
    ];
    assert_eq!(sign_ok(&secure_args(&pkcs1)), header);

    let mut with_json = pinned.to_vec();
    with_json.push("--json");
    let json = json_object(&sign_ok(&secure_args(&with_json)));
    assert_eq!(keys(&json), ["authorization", "data", "signature"]);
    assert_eq!(
        (json["data"].as_str(), json["signature"].as_str()),
        (Some(DATA), Some(SIG))
    );
    assert_eq!(json["authorization"], header);

    // The method is upper-cased, as it is sent; the nonce is carried as given.
    let lower = [
        "--token",
        TOKEN,
        "--method",
        "get",
        "--url",
        URL,
        "--rsa-key",
        &key("rsa2048_pkcs8.pem"),
        "--nonce",
        "18446744073709551615",
        "--timestamp",
        "0",
        "--json",
    ];
    let json = json_object(&sign_ok(&lower));
    assert_eq!(json["data"], format!("GET {URL} 0 18446744073709551615"));
}

#[test]
fn unpinned_signatures_take_a_fresh_nonce_and_the_current_time() {
    let pem = key("rsa2048_pkcs8.pem");
    let data_of = || {
        let args = secure_args(&["--rsa-key", &pem, "--json"]);
        let json = json_object(&sign_ok(&args));
        json["data"].as_str().unwrap().to_owned()
    };
    let (a, b) = (data_of(), data_of());
    let fields = |d: &str| d.rsplitn(3, ' ').map(str::to_owned).collect::<Vec<_>>();
    let (fa, fb) = (fields(&a), fields(&b));
    assert_ne!(fa[0], fb[0], "the nonce is fresh each time");
    assert!(
        fa[0].len() == 32 && fa[0].bytes().all(|c| c.is_ascii_hexdigit()),
        "{a}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let ts: u64 = fa[1].parse().unwrap();
    assert!(now.abs_diff(ts) < 60, "{a}");
    // The pinned half stays pinned.
    let json = json_object(&sign_ok(&secure_args(&[
        "--rsa-key",
        &key("rsa2048_pkcs8.pem"),
        "--nonce",
        "7",
        "--json",
    ])));
    assert!(json["data"].as_str().unwrap().ends_with(" 7"));
}

#[test]
#[rustfmt::skip]
fn refused_command_lines() {
    let pem = key("rsa2048_pkcs8.pem");
    // Exit 2: the command line itself.
    let usage: Vec<(Vec<&str>, &str)> = vec![
        (secure_args(&["--nonce", "1"]), "--rsa-key"),
        (secure_args(&["--timestamp", "1"]), "--rsa-key"),
        (secure_args(&["--rsa-key", &pem, "--nonce", "a b"]), "--nonce must be"),
        (secure_args(&["--rsa-key", &pem, "--nonce", ""]), "--nonce must be"),
        (secure_args(&["--rsa-key", &pem, "--nonce", "a\"b"]), "--nonce must be"),
        (secure_args(&["--rsa-key", &pem, "--timestamp", "-1"]), "invalid value"),
        (secure_args(&["--rsa-key", &pem, "--timestamp", "soon"]), "invalid value"),
        (vec!["--token", "CANARY\"x", "--method", "GET", "--url", URL], "--token: the token contains a double quote"),
        (vec!["--token", "CANARY x", "--method", "GET", "--url", URL], "--token: the token contains whitespace"),
        (vec!["--token", "CANARY\\x", "--method", "GET", "--url", URL], "--token: the token contains a backslash"),
        (vec!["--token", "CANARY\r\nX: y", "--method", "GET", "--url", URL], "--token: the token contains a control character"),
        (vec!["--token", "CANARY-caf\u{e9}", "--method", "GET", "--url", URL], "--token: the token contains a non-ASCII character"),
        (vec!["--token", "", "--method", "GET", "--url", URL], "--token: the token is empty"),
        (vec!["--token", TOKEN, "--method", "G T", "--url", URL], "--method: invalid HTTP method"),
        (vec!["--token", TOKEN, "--method", "GET", "--url", "ftp://h/"], "--url: unsupported URL scheme"),
        (vec!["--token", TOKEN, "--method", "GET", "--url", "not a url"], "--url: malformed URL"),
        (secure_args(&["--form", "a=b"]), "unexpected argument '--form'"),
        (vec!["--token", TOKEN, "--method", "GET", "--url", "https://h/?q=a\\b", "--rsa-key", &pem], "--url: the URL holds a backslash"),
    ];
    for (args, message) in &usage {
        sign_refused(args, 2, message);
    }
    let long = "CANARY".repeat(100);
    sign_refused(&["--token", &long, "--method", "GET", "--url", URL], 2, "longer than 512 bytes");

    // Exit 1: the key file.
    let failed: Vec<(String, &str)> = vec![
        ("/nonexistent/key.pem".into(), "cannot read --rsa-key file /nonexistent/key.pem"),
        (key("rsa512.pem"), "RSA key of 512 bits rejected"),
        (key("rsa2048_pub.pem"), "expected a PEM RSA private key"),
        (key("README.md"), "expected a PEM RSA private key"),
        ("/dev/zero".into(), "larger than 65536 bytes"),
    ];
    for (path, message) in &failed {
        sign_refused(&secure_args(&["--rsa-key", path]), 1, message);
    }
}

#[test]
fn readme_example_runs() {
    let (readme, args, output) = readme_example("authsub sign");
    let run = gdauth_in(repo_root(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), output);
    assert!(readme.contains("## AuthSub from the command line"));
}
