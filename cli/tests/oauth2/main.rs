//! `gdauth oauth2 login` against `gdauth serve`, without a browser: the installed-app flow
//! (the test follows the auto-approved redirect to the command's loopback listener), the
//! device flow (the test opens the verification page), the service-account flow (with and
//! without a delegated subject, and a refused subject), and the command line's contract
//! (its flags, and usage errors with exit status 2). The same flows in a real browser are
//! in `tests/browser/oauth2.rs`.

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;

use gdata_auth::oauth2::OAuth2Token;
use gdata_auth::store::{FileStore, TokenStore as _};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use support::{gdauth, help_flags, Login, Serve};

const CLIENT: &str = "cli.apps.googleusercontent.com";
const SECRET: &str = "cli-secret";
const CALENDAR: &str = "https://www.googleapis.com/auth/calendar";
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/keys/service_account.json"
);

fn serve() -> Serve {
    Serve::start(&[
        "--auto-approve",
        "--user",
        "jo@example.com:pw",
        "--oauth2-client",
        &format!("{CLIENT}:{SECRET}"),
        "--service-account",
        KEY,
        "--device-interval",
        "1",
    ])
}

fn stored(store: &Path, name: &str) -> OAuth2Token {
    let saved = FileStore::new(store)
        .load(name)
        .expect("the token file reads")
        .expect("the grant is stored");
    OAuth2Token::from_stored(&saved).expect("an OAuth 2.0 grant")
}

fn summary(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.trim()).expect("one JSON line")
}

fn client_args<'a>(server: &'a Serve, store: &'a str, flow: &'a str) -> Vec<&'a str> {
    vec![
        "--client-id",
        CLIENT,
        "--client-secret",
        SECRET,
        "--scope",
        CALENDAR,
        flow,
        "--no-browser",
        "--endpoint",
        server.base(),
        "--store",
        store,
    ]
}

#[test]
fn installed_app_login_follows_the_redirect_to_its_listener() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("nested/tokens.json");
    let store_arg = store.to_str().unwrap().to_owned();
    let mut cmd = Login::start(&client_args(&server, &store_arg, "--installed"));
    let url = cmd.line(|l| l.starts_with(&format!("{}/o/oauth2/auth?", server.base())));
    for param in [
        "response_type=code",
        "code_challenge_method=S256",
        "access_type=offline",
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A",
    ] {
        assert!(url.contains(param), "{param} in {url}");
    }
    // The browser's part: the consent page approves at once and redirects to the listener.
    let http = ReqwestBlockingTransport::new().unwrap();
    let consent = http.send(HttpRequest::get(url)).unwrap();
    assert_eq!(consent.status, 302);
    let location = consent.header("location").unwrap().to_owned();
    let page = http.send(HttpRequest::get(location)).unwrap();
    assert_eq!(page.status, 200);
    let done = cmd.finish();
    assert!(done.success, "{:?}", done.stderr);
    let s = summary(&done.stdout);
    assert_eq!(s["flow"], "installed");
    assert_eq!(s["name"], "oauth2");
    assert_eq!(s["refresh_token"], true);
    assert_eq!(s["scopes"], serde_json::json!([CALENDAR]));
    // Nothing secret on stdout.
    assert!(!done.stdout.contains("ya29.") && !done.stdout.contains("1//"));
    let token = stored(&store, "oauth2");
    assert_eq!(token.client_id, CLIENT);
    assert!(token.access_token.is_some() && token.refresh_token.is_some());
}

#[test]
fn device_login_prints_the_page_and_code_and_polls_until_approved() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    let store_arg = store.to_str().unwrap().to_owned();
    let mut args = client_args(&server, &store_arg, "--device");
    args.extend(["--name", "tv"]);
    let mut cmd = Login::start(&args);
    let page = cmd.line(|l| l.starts_with(&format!("{}/device", server.base())));
    cmd.line(|l| l == "and enter the code:");
    let code = cmd.line(|l| l.len() == 9 && l.as_bytes()[4] == b'-');
    let http = ReqwestBlockingTransport::new().unwrap();
    let approved = http
        .send(HttpRequest::get(format!("{page}?user_code={code}")))
        .unwrap();
    assert_eq!(approved.status, 200);
    let done = cmd.finish();
    assert!(done.success, "{:?}", done.stderr);
    assert_eq!(summary(&done.stdout)["flow"], "device");
    assert!(stored(&store, "tv").refresh_token.is_some());
}

#[test]
fn service_account_login_acts_as_its_subject_and_a_stranger_is_refused() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    let store_arg = store.to_str().unwrap();
    let base = server.base();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "oauth2",
            "login",
            "--scope",
            CALENDAR,
            "--service-account",
            KEY,
            "--endpoint",
            base,
            "--store",
            store_arg,
        ];
        args.extend_from_slice(extra);
        gdauth(&args)
    };
    let ok = run(&["--subject", "jo@example.com", "--name", "robot-as-jo"]);
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    let s = summary(&ok.stdout);
    assert_eq!(s["flow"], "service_account");
    assert_eq!(s["refresh_token"], false, "a new assertion is the refresh");
    let token = stored(&store, "robot-as-jo");
    assert_eq!(
        token.client_id,
        "robot@gdata-auth-test.iam.gserviceaccount.com"
    );
    assert!(token.access_token.is_some() && token.expires_at.is_some());
    // The token reads jo's calendar.
    let bearer = format!("Bearer {}", token.access_token.unwrap().secret());
    let feed = ReqwestBlockingTransport::new()
        .unwrap()
        .send(
            HttpRequest::get(format!("{base}/calendar/feeds/default/private/full"))
                .header("Authorization", &bearer),
        )
        .unwrap();
    assert_eq!(feed.status, 200);
    assert!(feed.body_text().unwrap().contains("jo@example.com"));

    let refused = run(&["--subject", "mallory@example.com", "--name", "mallory"]);
    assert_eq!(refused.code, Some(1));
    assert!(refused.stderr.starts_with("error: "), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("invalid_grant"),
        "{}",
        refused.stderr
    );
    assert!(FileStore::new(&store).load("mallory").unwrap().is_none());
}

#[test]
fn the_command_line_is_a_contract() {
    let help = gdauth(&["oauth2", "login", "--help"]);
    assert_eq!(help.code, Some(0));
    assert_eq!(
        help_flags(&help.stdout),
        [
            "--client-id",
            "--client-secret",
            "--scope",
            "--installed",
            "--device",
            "--service-account",
            "--subject",
            "--endpoint",
            "--no-browser",
            "--timeout",
            "--store",
            "--name",
            "--help",
            "--version",
        ]
    );
    for (args, why) in [
        (&["oauth2", "login", "--scope", "s"][..], "no flow"),
        (
            &["oauth2", "login", "--scope", "s", "--installed", "--device"][..],
            "two flows",
        ),
        (&["oauth2", "login", "--installed"][..], "no scope"),
        (
            &[
                "oauth2",
                "login",
                "--scope",
                "s",
                "--installed",
                "--store",
                "/tmp/x",
            ][..],
            "no client id",
        ),
        (
            &[
                "oauth2",
                "login",
                "--scope",
                "s",
                "--device",
                "--subject",
                "a@b",
            ][..],
            "--subject without a service account",
        ),
    ] {
        let r = gdauth(args);
        assert_eq!(r.code, Some(2), "{why}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{why}");
    }
    let missing = gdauth(&[
        "oauth2",
        "login",
        "--scope",
        "s",
        "--service-account",
        "/nonexistent/key.json",
        "--store",
        "/tmp/never-written.json",
    ]);
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("/nonexistent/key.json"),
        "{}",
        missing.stderr
    );
}
