//! `gdauth serve` as other tools drive it: the exact readiness line, the flags, the
//! one-line-per-request log on stderr, real OAuth traffic, `gdauth clientlogin login`
//! through a CAPTCHA, and a clean stop on SIGTERM.
#![cfg(unix)]

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{Callback, OAuth1Authorizer, RequestTokenOptions, Scope};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{ConsumerSecret, Context};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .strip_prefix("listening on ")
            .and_then(|l| l.strip_suffix('\n'))
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
        assert_ne!(port, 0);
        Server { child, base }
    }

    /// Sends SIGTERM, waits, and returns (exit success, rest of stdout, stderr).
    fn stop(mut self) -> (bool, String, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status.success(), out, err)
    }
}

#[test]
fn anonymous_consumer_by_default_and_one_log_line_per_request() {
    let server = Server::start(&["--auto-approve"]);
    let endpoints = Endpoints::at(&server.base).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let consumer = OAuth1Authorizer::anonymous();
    let options = RequestTokenOptions::new(
        [Scope::new("https://www.google.com/calendar/feeds/").unwrap()],
        Callback::Oob,
    );
    let token = flow::request_token(&endpoints, &consumer, &options, &Context::now())
        .send_blocking(&http)
        .unwrap();
    // --auto-approve with oob: a page with the verifier in id="verifier".
    let url = flow::authorize_url(&endpoints, &token, &Default::default());
    let page = http.send(HttpRequest::get(url)).unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body_text().unwrap().contains("id=\"verifier\""));
    let (ok, rest, log) = server.stop();
    assert!(ok, "serve did not exit cleanly on SIGTERM");
    assert_eq!(rest, "", "nothing after the readiness line on stdout");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains("/accounts/OAuthGetRequestToken") && lines[0].contains("200"));
    assert!(lines[1].contains("/accounts/OAuthAuthorizeToken"));
}

#[test]
fn consumers_users_and_rsa_consumers_from_flags() {
    let cert = concat!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
        "/fixtures/keys/rsa2048_cert.pem"
    );
    let server = Server::start(&[
        "--consumer",
        "app.example.com:s3cr:et",
        "--rsa-consumer",
        &format!("rsa.example.com:{cert}"),
        "--user",
        "bob@example.com:pw",
    ]);
    let http = ReqwestBlockingTransport::new().unwrap();
    let url = format!("{}/calendar/feeds/default/private/full", server.base);
    // The secret splits at the first ':' only.
    let hmac = OAuth1Authorizer::hmac_sha1("app.example.com", ConsumerSecret::new("s3cr:et"));
    let req =
        flow::prepare_two_legged(&hmac, "GET", &url, "bob@example.com", &Context::now()).unwrap();
    assert_eq!(http.send(req).unwrap().status, 200);
    // `anonymous` is not registered once a --consumer is given.
    let anon = flow::prepare_two_legged(
        &OAuth1Authorizer::anonymous(),
        "GET",
        &url,
        "bob@example.com",
        &Context::now(),
    )
    .unwrap();
    assert_eq!(http.send(anon).unwrap().status, 401);
    let key =
        gdata_auth::RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs1.pem"))
            .unwrap();
    let rsa = OAuth1Authorizer::rsa_sha1("rsa.example.com", key);
    let req =
        flow::prepare_two_legged(&rsa, "GET", &url, "bob@example.com", &Context::now()).unwrap();
    assert_eq!(http.send(req).unwrap().status, 200);
    let (ok, _, log) = server.stop();
    assert!(ok);
    assert!(!log.contains("s3cr:et"), "secret in the log");
}

#[test]
fn help_mentions_authsub() {
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("AuthSub"), "{help}");
    for flag in [
        "--addr",
        "--consumer",
        "--rsa-consumer",
        "--user",
        "--auto-approve",
    ] {
        assert!(help.contains(flag), "{flag} missing from {help}");
    }
}

#[test]
fn bad_flags_fail_fast_with_a_message() {
    for args in [
        vec!["--consumer", "no-colon"],
        vec!["--user", ":pw"],
        vec!["--rsa-consumer", "k:/nonexistent/key.pem"],
        vec!["--addr", "not-an-address"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .arg("serve")
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}

#[test]
fn clientlogin_login_drives_serve_through_a_captcha() {
    let server = Server::start(&[
        "--user",
        "jo@example.com:CANARY-pw",
        "--captcha-after",
        "1",
        "--captcha-answer",
        "w",
    ]);
    let login = |stdin: &str| {
        support::gdauth_with_stdin(
            &[
                "clientlogin",
                "login",
                "--endpoint",
                &server.base,
                "--email",
                "jo@example.com",
                "--service",
                "cl",
            ],
            stdin,
        )
    };
    // One wrong password: BadAuthentication, and the account now needs a CAPTCHA.
    let (code, out, err) = login("wrong\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("Error=BadAuthentication"), "{err}");
    // The right password: a CAPTCHA on stderr, answered from the next stdin line.
    let (code, token, err) = login("CANARY-pw\nw\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!("{}/accounts/Captcha?ctoken=", server.base)),
        "{err}"
    );
    let token = token.trim();
    assert_eq!(token.len(), 64, "{token}");
    // The token reads the calendar feed.
    let http = ReqwestBlockingTransport::new().unwrap();
    let feed = HttpRequest::get(format!(
        "{}/calendar/feeds/default/private/full",
        server.base
    ))
    .header("Authorization", format!("GoogleLogin auth={token}"));
    assert_eq!(http.send(feed).unwrap().status, 200);
    let (ok, _, log) = server.stop();
    assert!(ok);
    assert!(
        !log.contains("CANARY-pw") && !log.contains(token),
        "secret in the log"
    );
}

#[test]
fn a_bad_captcha_answer_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["serve", "--captcha-answer", "two words"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CAPTCHA answer"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_rsa_consumer_key_file_is_read_with_a_size_cap() {
    // `/dev/zero` never ends: the 64 KiB cap (as sign and verify) refuses it at once.
    let start = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["serve", "--rsa-consumer", "k:/dev/zero"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rsa-consumer"), "{err}");
    assert!(err.contains("65536"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}
