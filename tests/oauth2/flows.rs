//! The client's OAuth 2.0 flows over loopback against the emulator, end to end through the
//! library's own `prepare_*` / `parse_*` steps: the installed-app flow (PKCE, the loopback
//! listener, the code exchange, then refresh and a bearer feed), the web-server flow's
//! refusals (wrong PKCE verifier, reused code), the device flow (pending, `slow_down`,
//! approval, expiry) and service accounts (delegation, the token source's cache, and each
//! refused assertion: bad signature, wrong audience, expired).

use std::time::Duration;

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::encoding::url_with_query;
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::authorize::{prepare_code_exchange, AuthState};
use gdata_auth::oauth2::device::{
    self, parse_device_poll, prepare_device_poll, DeviceCode, DevicePoll,
};
use gdata_auth::oauth2::service_account::jwt_grant;
use gdata_auth::oauth2::{
    AssertionRequest, AuthorizationCode, AuthorizationRequest, BearerAuthorizer, ClientCredentials,
    ClientSecret, ErrorCode, LoopbackRedirect, OAuth2Error, PkceVerifier, ServiceAccountKey,
    TokenResponse, TokenSource,
};
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, ReqwestBlockingTransport, ReqwestTransport,
};

use crate::support::emulator::{Fixture, CALENDAR_FEED, CONTACTS_FEED};

const CID: &str = "flows.apps.googleusercontent.com";
const CSECRET: &str = "flows-secret";
const CALENDAR: &str = "https://www.googleapis.com/auth/calendar";
const KEY: &str = include_str!("../../fixtures/keys/service_account.json");
const OTHER_KEY: &str = include_str!("../../fixtures/keys/service_account_other.json");

fn config() -> EmulatorConfig {
    EmulatorConfig::new()
        .add_user("user@example.com", "password")
        .add_user("jo@example.com", "pw")
        .add_oauth2_client(CID, CSECRET)
        .add_service_account(ServiceAccountKey::from_json(KEY).unwrap())
        .with_auto_approve(true)
        .with_device_interval(1)
}

fn client() -> ClientCredentials {
    ClientCredentials::new(CID, ClientSecret::new(CSECRET))
}

fn endpoints(fx: &Fixture) -> Endpoints {
    Endpoints::at(fx.emu.base_url()).unwrap()
}

/// Runs blocking work on a plain thread, outside the runtime (the blocking client refuses
/// to run where a runtime is current, `spawn_blocking` threads included).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.await.expect("the thread finished")
}

/// What the consent page (auto-approving) redirects to.
async fn consent_redirect(fx: &Fixture, url: String) -> String {
    let resp = fx.send(HttpRequest::get(url)).await;
    assert_eq!(resp.status, 302, "{:?}", resp.body_text());
    resp.header("location").expect("a Location").to_owned()
}

async fn read_feed(fx: &Fixture, token: &TokenResponse, path: &str) -> u16 {
    let bearer = BearerAuthorizer::new(token.access_token.clone()).unwrap();
    fx.send(HttpRequest::get(fx.url(path)).with_authorization(&bearer.authorization()))
        .await
        .status
}

#[tokio::test(flavor = "multi_thread")]
async fn installed_app_pkce_and_loopback_then_refresh_and_feeds() {
    let fx = Fixture::new(config());
    let e = endpoints(&fx);
    let listener = LoopbackRedirect::bind().unwrap();
    let (url, pending) = AuthorizationRequest::new(CID, listener.redirect_uri(), [CALENDAR])
        .offline()
        .start(&e)
        .unwrap();
    assert!(url.contains("code_challenge_method=S256"));
    // The browser: the consent page's redirect goes to the listener, which answers it.
    let location = consent_redirect(&fx, url).await;
    assert!(location.starts_with(listener.redirect_uri()));
    let browser = blocking(move || {
        let http = ReqwestBlockingTransport::new().unwrap();
        http.send(HttpRequest::get(location)).unwrap()
    });
    let waited = blocking(move || {
        let code = listener.wait(&pending, Duration::from_secs(20));
        (code, pending)
    });
    let (page, (code, pending)) = tokio::join!(browser, waited);
    assert_eq!(page.status, 200);
    assert!(page.body_text().unwrap().contains("Signed in"));
    let granted = pending
        .exchange(&e, &client(), code.unwrap())
        .send(&fx.http)
        .await
        .unwrap();
    assert_eq!(granted.scope.as_deref(), Some(&[CALENDAR.to_owned()][..]));
    let refresh = granted
        .refresh_token
        .clone()
        .expect("offline: a refresh token");
    assert_eq!(read_feed(&fx, &granted, CALENDAR_FEED).await, 200);
    assert_eq!(read_feed(&fx, &granted, CONTACTS_FEED).await, 403);
    // The grant refreshes like a migrated one.
    let again = gdata_auth::oauth2::refresh(&e, &client(), &refresh)
        .send(&fx.http)
        .await
        .unwrap();
    assert_ne!(again.access_token, granted.access_token);
    assert_eq!(read_feed(&fx, &again, CALENDAR_FEED).await, 200);
}

/// A code (and its verifier) from the auto-approving consent page, without the listener.
async fn code_for(fx: &Fixture, verifier: &str, offline: bool) -> (AuthorizationCode, String) {
    let redirect = "http://localhost:9/cb";
    let mut req = AuthorizationRequest::new(CID, redirect, [CALENDAR]);
    if offline {
        req = req.offline();
    }
    let (url, pending) = req
        .start_with(
            &endpoints(fx),
            AuthState::new("s1"),
            Some(PkceVerifier::checked(verifier).unwrap()),
        )
        .unwrap();
    let location = consent_redirect(fx, url).await;
    (
        pending.read_redirect(&location).unwrap(),
        redirect.to_owned(),
    )
}

async fn exchange(
    fx: &Fixture,
    code: &AuthorizationCode,
    redirect: &str,
    verifier: Option<&str>,
) -> Result<TokenResponse, OAuth2Error> {
    let verifier = verifier.map(|v| PkceVerifier::checked(v).unwrap());
    let req = prepare_code_exchange(&endpoints(fx), &client(), code, redirect, verifier.as_ref())
        .unwrap();
    gdata_auth::oauth2::parse_token_response(fx.send(req).await)
}

fn invalid_grant(r: Result<TokenResponse, OAuth2Error>) -> bool {
    matches!(r, Err(e) if e.endpoint_error().is_some_and(|e| e.code == ErrorCode::InvalidGrant && e.status == 400))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_verifier_or_a_reused_code_is_invalid_grant() {
    let fx = Fixture::new(config());
    let right = "r".repeat(43);
    let (code, redirect) = code_for(&fx, &right, false).await;
    assert!(invalid_grant(
        exchange(&fx, &code, &redirect, Some(&"w".repeat(43))).await
    ));
    let (code, redirect) = code_for(&fx, &right, false).await;
    assert!(invalid_grant(exchange(&fx, &code, &redirect, None).await));
    let (code, redirect) = code_for(&fx, &right, false).await;
    let first = exchange(&fx, &code, &redirect, Some(&right)).await.unwrap();
    // Online: no refresh token.
    assert!(first.refresh_token.is_none());
    assert!(invalid_grant(
        exchange(&fx, &code, &redirect, Some(&right)).await
    ));
    // A redirect_uri other than the authorization request's.
    let (code, _) = code_for(&fx, &right, true).await;
    assert!(invalid_grant(
        exchange(&fx, &code, "http://localhost:9/other", Some(&right)).await
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_device_flow_pends_slows_down_and_is_approved() {
    let fx = Fixture::new(config());
    let e = endpoints(&fx);
    let auth = device::request_device_code(&e, CID, &[CALENDAR.to_owned()])
        .send(&fx.http)
        .await
        .unwrap();
    assert!(auth.verification_url.starts_with(fx.emu.base_url()));
    assert_eq!(auth.interval, Duration::from_secs(1));
    async fn poll(
        fx: &Fixture,
        e: &Endpoints,
        code: &DeviceCode,
    ) -> Result<DevicePoll, OAuth2Error> {
        let req = prepare_device_poll(e, &client(), code).unwrap();
        parse_device_poll(fx.send(req).await)
    }
    assert_eq!(
        poll(&fx, &e, &auth.device_code).await.unwrap(),
        DevicePoll::Pending
    );
    // Again at once (the emulator's clock has not moved): too soon.
    assert_eq!(
        poll(&fx, &e, &auth.device_code).await.unwrap(),
        DevicePoll::SlowDown
    );
    // The user approves on the verification page; a poll after the interval gets the grant.
    let page = url_with_query(&auth.verification_url, &[("user_code", &auth.user_code)]);
    assert_eq!(fx.send(HttpRequest::get(page)).await.status, 200);
    fx.clock.advance(60);
    let DevicePoll::Granted(token) = poll(&fx, &e, &auth.device_code).await.unwrap() else {
        panic!("not granted")
    };
    assert!(token.refresh_token.is_some());
    assert_eq!(read_feed(&fx, &token, CALENDAR_FEED).await, 200);
    // Spent.
    fx.clock.advance(60);
    assert!(
        matches!(poll(&fx, &e, &auth.device_code).await, Err(e) if e.endpoint_error().is_some_and(|e| e.code == ErrorCode::InvalidGrant))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_device_code_ends_the_loop() {
    let fx = Fixture::new(config());
    let e = endpoints(&fx);
    let auth = device::request_device_code(&e, CID, &[CALENDAR.to_owned()])
        .send(&fx.http)
        .await
        .unwrap();
    // The codes' lifetime passes on the emulator's clock before the first poll.
    fx.clock.advance(auth.expires_in + 1);
    let err = device::wait(&fx.http, &e, &client(), &auth)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuth2Error::DeviceCodeExpired(x) if x.status == 400),
        "{err:?}"
    );
    assert!(err.is_final());
}

fn other_key_as_registered() -> ServiceAccountKey {
    // The other key's file, claiming the registered account's email.
    let mut v: serde_json::Value = serde_json::from_str(OTHER_KEY).unwrap();
    let registered: serde_json::Value = serde_json::from_str(KEY).unwrap();
    v["client_email"] = registered["client_email"].clone();
    ServiceAccountKey::from_json(&v.to_string()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn service_accounts_delegate_cache_and_refuse_bad_assertions() {
    let fx = Fixture::new(config());
    let e = endpoints(&fx);
    let key = ServiceAccountKey::from_json(KEY).unwrap();
    let ask = AssertionRequest::new([CALENDAR]).with_subject("jo@example.com");
    let source = TokenSource::service_account(
        e.clone(),
        key.clone(),
        ask.clone(),
        ReqwestTransport::new().unwrap(),
    )
    .with_clock(fx.clock.clone());
    let first = source.access_token().await.unwrap();
    assert_eq!(source.access_token().await.unwrap(), first);
    assert_eq!(source.refreshes(), 1, "cached until near expiry");
    let resp = source
        .send(HttpRequest::get(fx.url(CALENDAR_FEED)))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    let resp = source
        .send(HttpRequest::get(fx.url(CONTACTS_FEED)))
        .await
        .unwrap();
    assert_eq!(resp.status, 403);
    // Near expiry, a new assertion.
    fx.clock.advance(3600 - 30);
    assert_ne!(source.access_token().await.unwrap(), first);
    assert_eq!(source.refreshes(), 2);

    let now = gdata_auth::clock::Clock::now_unix(fx.clock.as_ref());
    let send = |key: &ServiceAccountKey, ask: &AssertionRequest, at: u64| {
        fx.http_send(jwt_grant(e.oauth2_token(), key, ask, at))
    };
    assert!(send(&key, &ask, now).await.is_ok());
    assert!(
        invalid_grant(send(&other_key_as_registered(), &ask, now).await),
        "bad signature"
    );
    let evil = ask.clone().with_audience("https://evil.example/token");
    assert!(
        invalid_grant(send(&key, &evil, now).await),
        "wrong audience"
    );
    assert!(invalid_grant(send(&key, &ask, now - 7200).await), "expired");
    let stranger = AssertionRequest::new([CALENDAR]).with_subject("nobody@example.com");
    assert!(
        invalid_grant(send(&key, &stranger, now).await),
        "sub not a user"
    );
}

trait SendCall {
    async fn http_send<T>(&self, call: gdata_auth::Call<T, OAuth2Error>) -> Result<T, OAuth2Error>;
}

impl SendCall for Fixture {
    async fn http_send<T>(&self, call: gdata_auth::Call<T, OAuth2Error>) -> Result<T, OAuth2Error> {
        call.send(&self.http).await
    }
}
