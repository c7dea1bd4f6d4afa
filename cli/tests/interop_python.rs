//! A third-party OAuth 1.0a client from another ecosystem, Python's requests-oauthlib
//! (oauthlib), drives `gdauth serve` over loopback: the dance with parameters in the header,
//! the query and a form body, RSA-SHA1 with an `oob` verifier, two-legged requests, scope
//! checks and revocation (cli/tests/interop/requests_oauthlib_client.py).
//!
//! A second test drives the OAuth 2.0 endpoints with Google's own google-auth (refresh,
//! `AuthorizedSession`, `RefreshError` after a revocation) after requests-oauthlib signs the
//! OAuth 1.0 migration grant (cli/tests/interop/google_auth_client.py).
//!
//! Three more drive the OAuth 2.0 flows with the clients applications use:
//! google-auth-oauthlib's `InstalledAppFlow.run_local_server` (a stand-in browser follows
//! the auto-approved 302 to the flow's loopback server; PKCE S256, offline access, feeds in
//! and out of scope, refresh, a wrong verifier refused: installed_app_flow_client.py);
//! google-auth's service-account credentials with domain-wide delegation (the JWT bearer
//! grant: service_account_client.py); requests-oauthlib's `OAuth2Session` web-server flow
//! with PKCE and a reused code, then the device flow by hand (oauth2_session_client.py).
//!
//! Needs `python3 -m pip install -r cli/tests/interop/requirements.txt` (`.ci/run` does it). On a
//! machine without those packages the test says so and passes, unless `CI` is set, where a
//! missing client is a failure: CI must never skip it silently.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// The repository root, for fixtures and the Python clients.
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Runs `script` (under `cli/tests/interop/`, given the server's base URL and then
/// `script_args`) against a `gdauth serve` started with `serve_args`, and asserts it passed.
/// Without the Python packages `imports` names it says so and passes, except under `CI`.
fn drive(imports: &str, serve_args: &[String], script: &str, script_args: &[String]) {
    let probe = Command::new("python3")
        .args(["-c", &format!("import {imports}")])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the interop test: pip install -r cli/tests/interop/requirements.txt"
        );
        eprintln!("skipped: python3 with {imports} is not installed here");
        return;
    }
    let mut server = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["serve", "--addr", "127.0.0.1:0", "--auto-approve"])
        .args(["--consumer", "app.example.com:app-secret"])
        .args(["--user", "alice@example.com:pw"])
        .args(serve_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let out = Command::new("python3")
        .arg(format!("{DIR}/cli/tests/interop/{script}"))
        .arg(&base)
        .args(script_args)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("interop: all passed"), "{stdout}");
}

#[test]
fn requests_oauthlib_drives_gdauth_serve() {
    drive(
        "requests_oauthlib, cryptography, jwt",
        &[
            "--rsa-consumer".to_owned(),
            format!("rsa.example.com:{DIR}/fixtures/keys/rsa2048_cert.pem"),
        ],
        "requests_oauthlib_client.py",
        &[format!("{DIR}/fixtures/keys/rsa2048_pkcs1.pem")],
    );
}

#[test]
fn google_auth_drives_the_oauth2_endpoints() {
    drive(
        "requests_oauthlib, google.oauth2.credentials",
        &[
            "--oauth2-client".to_owned(),
            "py.apps.googleusercontent.com:py-secret".to_owned(),
        ],
        "google_auth_client.py",
        &[],
    );
}

/// The serve flag registering the OAuth 2.0 client the scripts use.
fn oauth2_client() -> [String; 2] {
    [
        "--oauth2-client".to_owned(),
        "py.apps.googleusercontent.com:py-secret".to_owned(),
    ]
}

#[test]
fn installed_app_flow_signs_in_through_the_authorization_endpoint() {
    drive(
        "google_auth_oauthlib.flow, google.auth.transport.requests",
        &oauth2_client(),
        "installed_app_flow_client.py",
        &[],
    );
}

#[test]
fn google_auth_service_account_uses_the_jwt_bearer_grant() {
    let key = format!("{DIR}/fixtures/keys/service_account.json");
    drive(
        "google.oauth2.service_account, google.auth.transport.requests",
        &["--service-account".to_owned(), key.clone()],
        "service_account_client.py",
        &[key],
    );
}

#[test]
fn oauth2_session_runs_the_code_and_device_flows() {
    let mut args = oauth2_client().to_vec();
    args.extend(["--device-interval".to_owned(), "1".to_owned()]);
    drive(
        "requests_oauthlib, oauthlib.oauth2",
        &args,
        "oauth2_session_client.py",
        &[],
    );
}
