//! OAuth 2.0's pages in Chromium, with `gdauth oauth2 login` as the application: the
//! installed-app flow (the consent page signed in and approved, the redirect followed to
//! the command's loopback listener, the code exchanged with its PKCE verifier) and the
//! device flow (the code typed on the verification page, sign-in, approval, the command's
//! polling ending in a grant); and the consent page's Deny, which the command reports.

use gdata_auth::oauth2::OAuth2Token;
use gdata_auth::store::{FileStore, TokenStore as _};

use crate::harness::Browser;
use crate::support::{Login, Serve};

const EMAIL: &str = "alice@example.com";
const PASSWORD: &str = "Wonder-1and";
const CLIENT: &str = "browser.apps.googleusercontent.com";
const SECRET: &str = "browser-secret";
const SCOPE: &str = "https://www.googleapis.com/auth/calendar";

fn serve() -> Serve {
    Serve::start(&[
        "--user",
        &format!("{EMAIL}:{PASSWORD}"),
        "--oauth2-client",
        &format!("{CLIENT}:{SECRET}"),
        "--device-interval",
        "1",
    ])
}

fn login(server: &Serve, store: &std::path::Path, flow: &str) -> Login {
    Login::start(&[
        "--client-id",
        CLIENT,
        "--client-secret",
        SECRET,
        "--scope",
        SCOPE,
        flow,
        "--no-browser",
        "--endpoint",
        server.base(),
        "--store",
        store.to_str().expect("a UTF-8 path"),
    ])
}

/// Signs in on the shared consent frame and clicks `action` (`approve` or `deny`).
fn sign_in_and(browser: &Browser, action: &str) {
    browser.fill("Email", EMAIL);
    browser.fill("Passwd", PASSWORD);
    browser.click(&format!("button[name=\"action\"][value=\"{action}\"]"));
}

fn stored(store: &std::path::Path) -> OAuth2Token {
    let saved = FileStore::new(store)
        .load("oauth2")
        .expect("the token file reads")
        .expect("a grant stored under oauth2");
    OAuth2Token::from_stored(&saved).expect("an OAuth 2.0 grant")
}

#[test]
fn installed_app_login_through_the_consent_page() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let server = serve();
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = dir.path().join("tokens.json");
    let mut cmd = login(&server, &store, "--installed");
    let url = cmd.line(|l| l.starts_with(&format!("{}/o/oauth2/auth?", server.base())));
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let listening = cmd.line(|l| l.starts_with("Waiting for the redirect on "));
    let redirect_uri = listening
        .trim_start_matches("Waiting for the redirect on ")
        .trim_end_matches(" ...")
        .to_owned();
    browser.goto(&url);
    assert!(
        browser.source().contains(SCOPE),
        "the consent page lists the scope: {}",
        browser.source()
    );
    sign_in_and(&browser, "approve");
    // The redirect reaches the command's listener, which answers with its short page.
    browser.wait_for_url(&redirect_uri);
    assert!(
        browser.source().contains("Signed in"),
        "{}",
        browser.source()
    );
    let done = cmd.finish();
    assert!(done.success, "{:?}", done.stderr);
    let summary: serde_json::Value = serde_json::from_str(done.stdout.trim()).expect("JSON");
    assert_eq!(summary["flow"], "installed");
    assert_eq!(summary["refresh_token"], true);
    let token = stored(&store);
    assert_eq!(token.client_id, CLIENT);
    assert_eq!(token.scopes, [SCOPE]);
    assert!(token.refresh_token.is_some() && token.access_token.is_some());
    assert!(
        server
            .log()
            .contains(&format!("code issued to {CLIENT} for {EMAIL}")),
        "{}",
        server.log()
    );
}

#[test]
fn deny_on_the_consent_page_fails_the_login() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let server = serve();
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = dir.path().join("tokens.json");
    let mut cmd = login(&server, &store, "--installed");
    let url = cmd.line(|l| l.starts_with(&format!("{}/o/oauth2/auth?", server.base())));
    let listening = cmd.line(|l| l.starts_with("Waiting for the redirect on "));
    let redirect_uri = listening
        .trim_start_matches("Waiting for the redirect on ")
        .trim_end_matches(" ...")
        .to_owned();
    browser.goto(&url);
    browser.click("button[name=\"action\"][value=\"deny\"]");
    // The command's listener, not the emulator (both are on 127.0.0.1).
    browser.wait_for_url(&redirect_uri);
    assert!(
        browser.source().contains("Not signed in"),
        "{}",
        browser.source()
    );
    let done = cmd.finish();
    assert!(!done.success);
    assert!(
        done.stderr.iter().any(|l| l.contains("access_denied")),
        "{:?}",
        done.stderr
    );
    assert!(!store.exists(), "nothing stored after a denial");
}

#[test]
fn device_login_through_the_verification_page() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let server = serve();
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = dir.path().join("tokens.json");
    let mut cmd = login(&server, &store, "--device");
    let page = cmd.line(|l| l.starts_with(&format!("{}/device", server.base())));
    cmd.line(|l| l == "and enter the code:");
    let code = cmd.line(|l| {
        l.len() >= 4
            && l.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    });
    // The user, on another device: the page, the code, sign-in, Approve.
    browser.goto(&page);
    browser.fill("user_code", &code);
    browser.click("#continue");
    // The consent page for that device (the entry page had the same URL).
    browser.wait_for("#device-user-code");
    assert!(browser.source().contains(&code), "{}", browser.source());
    sign_in_and(&browser, "approve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !browser.source().to_ascii_lowercase().contains("approved") {
        assert!(std::time::Instant::now() < deadline, "{}", browser.source());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let done = cmd.finish();
    assert!(done.success, "{:?}", done.stderr);
    let summary: serde_json::Value = serde_json::from_str(done.stdout.trim()).expect("JSON");
    assert_eq!(summary["flow"], "device");
    let token = stored(&store);
    assert!(token.refresh_token.is_some());
    assert_eq!(token.scopes, [SCOPE]);
}
