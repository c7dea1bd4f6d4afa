//! OAuth 1.0a's consent page in Chromium: a request token for the test's own loopback
//! callback, then the user's part in the browser (sign in, Approve or Deny, the redirect
//! back to the application), then the application's part (the verifier exchanged for an
//! access token that reads a feed).

use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::{Callback as OAuthCallback, OAuth1Authorizer, OAuth1Client};
use gdata_auth::oauth1::{RequestToken, RequestTokenOptions, Scope};
use gdata_auth::transport::ReqwestBlockingTransport;
use gdata_auth::Request;

use crate::callback::Callback;
use crate::harness::Browser;
use crate::support::Serve;

const EMAIL: &str = "alice@example.com";
const PASSWORD: &str = "Wonder-1and";
const SCOPE: &str = "https://www.google.com/calendar/feeds/";
const FEED: &str = "/calendar/feeds/default/private/full";

/// An emulator with one user (no auto-approve), the application's callback listener, and a
/// request token whose callback is `/cb` on that listener.
struct Setup {
    server: Serve,
    app: Callback,
    client: OAuth1Client<ReqwestBlockingTransport>,
    token: RequestToken,
}

impl Setup {
    fn new() -> Setup {
        let server = Serve::start(&["--user", &format!("{EMAIL}:{PASSWORD}")]);
        let app = Callback::start();
        let client = OAuth1Client::new(
            OAuth1Authorizer::anonymous(),
            ReqwestBlockingTransport::new().expect("an HTTP client"),
        )
        .with_endpoints(Endpoints::at(server.base()).expect("endpoints at the emulator"));
        let options = RequestTokenOptions::new(
            [Scope::new(SCOPE).expect("a valid scope")],
            OAuthCallback::Url(app.url("/cb?app_state=xyz")),
        );
        let token = client
            .request_token(&options)
            .blocking()
            .expect("a request token");
        Setup {
            server,
            app,
            client,
            token,
        }
    }

    fn authorize_url(&self) -> String {
        self.client.authorize_url(&self.token, &Default::default())
    }
}

/// The value of query parameter `name` in `url`, if present once or more (the first).
fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .expect("a valid URL")
        .query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn approve_in_chromium_redirects_with_a_verifier_that_buys_an_access_token() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let setup = Setup::new();
    browser.goto(&setup.authorize_url());
    assert_eq!(
        browser.title(),
        "Grant access - Google Accounts (emulator)",
        "{}",
        browser.source()
    );
    // The page names the application after the callback's host and lists the scope.
    assert_eq!(browser.text("#app-name"), "127.0.0.1");
    assert_eq!(browser.text("ul.scopes li"), SCOPE);
    // The only account is prefilled; a wrong password shows the page again with an error.
    assert_eq!(
        browser.attr("input[name=\"Email\"]", "value").as_deref(),
        Some(EMAIL)
    );
    browser.fill("Passwd", "not-the-password");
    browser.click("button[name=\"action\"][value=\"approve\"]");
    // The page comes back at the same URL: known by its error line.
    browser.wait_for("#error");
    assert_eq!(
        browser.text("#error"),
        "The email or password you entered is incorrect."
    );
    assert!(setup.server.logged("wrong email or password"));
    // The right email and password, then Approve: back at the application.
    browser.fill("Email", EMAIL);
    browser.fill("Passwd", PASSWORD);
    browser.click("button[name=\"action\"][value=\"approve\"]");
    let landed = browser.wait_for_url(&setup.app.url("/cb?"));
    assert_eq!(browser.title(), "done", "{}", browser.source());
    let request_line = setup.app.request_to("/cb");
    assert!(request_line.starts_with("GET /cb?"), "{request_line}");
    // The application's own parameter is kept, and the token is the one asked for.
    assert_eq!(query_param(&landed, "app_state").as_deref(), Some("xyz"));
    assert_eq!(
        query_param(&landed, "oauth_token").as_deref(),
        Some(setup.token.token())
    );
    let verifier = query_param(&landed, "oauth_verifier").expect("an oauth_verifier");
    assert!(!verifier.is_empty());
    assert_eq!(query_param(&landed, "oauth_problem"), None);
    // The request line the listener saw carries the same verifier.
    let target = request_line.split(' ').nth(1).expect("a request target");
    assert_eq!(
        query_param(&setup.app.url(target), "oauth_verifier").as_deref(),
        Some(verifier.as_str())
    );
    // The application's part: the verifier buys an access token, which reads the feed.
    let authorized = setup
        .client
        .parse_callback(setup.token.clone(), &landed)
        .expect("a valid callback");
    let access = setup
        .client
        .access_token(&authorized)
        .blocking()
        .expect("the verifier is exchanged for an access token");
    let feed =
        Request::new("GET", &format!("{}{FEED}", setup.server.base())).expect("a feed request");
    let response = setup
        .client
        .fetch(&access, &feed)
        .blocking()
        .expect("the feed answers");
    assert_eq!(response.status, 200, "{:?}", response.body_text());
    assert!(
        setup.server.logged(&format!("approved by {EMAIL}")),
        "{}",
        setup.server.log()
    );
}

#[test]
fn deny_in_chromium_redirects_with_permission_denied_and_no_verifier() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let setup = Setup::new();
    browser.goto(&setup.authorize_url());
    // Deny needs no password (the button skips form validation).
    browser.click("button[name=\"action\"][value=\"deny\"]");
    let landed = browser.wait_for_url(&setup.app.url("/cb?"));
    let request_line = setup.app.request_to("/cb");
    assert!(
        request_line.contains("oauth_problem=permission_denied"),
        "{request_line}"
    );
    assert_eq!(
        query_param(&landed, "oauth_token").as_deref(),
        Some(setup.token.token())
    );
    assert_eq!(
        query_param(&landed, "oauth_problem").as_deref(),
        Some("permission_denied")
    );
    assert_eq!(query_param(&landed, "oauth_verifier"), None);
    assert_eq!(query_param(&landed, "app_state").as_deref(), Some("xyz"));
    // The denied token cannot be approved afterwards: the page refuses it.
    browser.goto(&setup.authorize_url());
    assert!(
        !browser.exists("button[value=\"approve\"]"),
        "a denied token is offered again: {}",
        browser.source()
    );
    assert!(setup.server.logged("denied by the user"));
}
