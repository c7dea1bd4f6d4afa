//! The client's OAuth 1.0a dance against the emulator over real loopback HTTP: the library's
//! `flow` functions on one side, `gdauth serve`'s server on the other. HMAC-SHA1 and
//! RSA-SHA1, callback URL and `oob`, async and blocking, two-legged, feed access allowed and
//! refused, revocation, and access tokens kept in a `FileStore`.

use std::sync::Arc;

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{
    AccessToken, AuthorizeOptions, Callback, OAuth1Authorizer, RequestToken, RequestTokenOptions,
    Scope,
};
use gdata_auth::oauth1::{FlowError, OAuth1Error};
use gdata_auth::store::{FileStore, StoredToken, TokenStore};
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, ReqwestBlockingTransport, ReqwestTransport, Transport,
};
use gdata_auth::{ConsumerSecret, Context, FixedClock, Request};
use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

const KEY: &str = "app.example.com";
const SECRET: &str = "app-secret";
const RSA_KEY: &str = "rsa.example.com";
const USER: &str = "alice@example.com";
const PASSWORD: &str = "alice-password";
const CALENDAR: &str = "https://www.google.com/calendar/feeds/";
const CALLBACK: &str = "https://app.example.com/cb?state=xyz";

fn emulator(auto_approve: bool) -> Emulator {
    let cert =
        RsaVerifyingKey::from_pem(include_str!("../../fixtures/keys/rsa2048_cert.pem")).unwrap();
    let mut config = EmulatorConfig::new()
        .add_hmac_consumer(KEY, ConsumerSecret::new(SECRET))
        .add_rsa_consumer(RSA_KEY, cert)
        .add_user(USER, PASSWORD)
        .with_log(LogTarget::Off);
    config.auto_approve = auto_approve;
    Emulator::start(config).unwrap()
}

fn hmac() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1(KEY, ConsumerSecret::new(SECRET))
}

fn rsa() -> OAuth1Authorizer {
    let key =
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs1.pem")).unwrap();
    OAuth1Authorizer::rsa_sha1(RSA_KEY, key)
}

fn options(callback: Callback) -> RequestTokenOptions {
    RequestTokenOptions::new([Scope::new(CALENDAR).unwrap()], callback)
}

/// The consent form as a browser submits it: the page fetched for its `csrf_token`, then
/// Approve.
fn approve(
    http: &ReqwestBlockingTransport,
    token: &RequestToken,
    endpoints: &Endpoints,
) -> HttpRequest {
    let page = http
        .send(HttpRequest::get(format!(
            "{}?oauth_token={}",
            endpoints.oauth1_authorize_token(),
            gdata_auth::encoding::percent_encode(token.token())
        )))
        .unwrap();
    let csrf = gdata_auth::emulator::csrf_token_of(page.body_text().unwrap()).unwrap();
    HttpRequest::post_form(
        endpoints.oauth1_authorize_token(),
        &[
            ("oauth_token", token.token()),
            ("Email", USER),
            ("Passwd", PASSWORD),
            ("csrf_token", &csrf),
            ("action", "approve"),
        ],
    )
}

fn verifier_from(html: &str) -> String {
    let rest = html
        .split("id=\"verifier\"")
        .nth(1)
        .expect("verifier element");
    let rest = rest.split('>').nth(1).unwrap();
    rest.split('<').next().unwrap().trim().to_owned()
}

/// Runs the blocking dance with a callback URL through the real consent form.
fn blocking_dance(
    http: &ReqwestBlockingTransport,
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
) -> AccessToken {
    let opts = options(Callback::Url(CALLBACK.into()));
    let token = flow::request_token(endpoints, consumer, &opts, &Context::now())
        .send_blocking(http)
        .unwrap();
    let redirect = http.send(approve(http, &token, endpoints)).unwrap();
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap();
    assert!(
        location.starts_with("https://app.example.com/cb?state=xyz&"),
        "{location}"
    );
    let authorized = flow::parse_callback(token.clone(), location).unwrap();
    flow::access_token(endpoints, consumer, &authorized, &Context::now())
        .send_blocking(http)
        .unwrap()
}

fn fetch(
    http: &ReqwestBlockingTransport,
    auth: &OAuth1Authorizer,
    url: &str,
) -> gdata_auth::transport::HttpResponse {
    let req = Request::new("GET", url).unwrap();
    gdata_auth::signed::signed(auth, &req, &Context::now())
        .send_blocking(http)
        .unwrap()
}

#[test]
fn hmac_dance_with_callback_then_feed_then_revoke() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let access = blocking_dance(&http, &endpoints, &hmac());
    assert!(access.token().starts_with("1/"));
    assert_eq!(access.consumer_key(), KEY);
    let auth = access.authorizer(&hmac());
    let feed = format!("{}/calendar/feeds/default/private/full", emu.base_url());
    let ok = fetch(&http, &auth, &feed);
    assert_eq!(ok.status, 200);
    assert!(ok.body_text().unwrap().contains("<feed"));
    // Outside the token's scope.
    let docs = fetch(
        &http,
        &auth,
        &format!("{}/feeds/documents/private/full", emu.base_url()),
    );
    assert_eq!(docs.status, 401);
    flow::revoke(&endpoints, &hmac(), &access, &Context::now())
        .send_blocking(&http)
        .unwrap();
    assert_eq!(fetch(&http, &auth, &feed).status, 401);
}

#[test]
fn rsa_dance_with_oob_verifier() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let opts = options(Callback::Oob);
    let token = flow::request_token(&endpoints, &rsa(), &opts, &Context::now())
        .send_blocking(&http)
        .unwrap();
    let page = http.send(approve(&http, &token, &endpoints)).unwrap();
    assert_eq!(page.status, 200);
    let verifier = verifier_from(page.body_text().unwrap());
    let authorized = token.with_verifier(&verifier).unwrap();
    let access = flow::access_token(&endpoints, &rsa(), &authorized, &Context::now())
        .send_blocking(&http)
        .unwrap();
    let feed = format!("{}/calendar/feeds/default/private/full", emu.base_url());
    assert_eq!(fetch(&http, &access.authorizer(&rsa()), &feed).status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_dance_with_auto_approve() {
    let emu = emulator(true);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestTransport::new().unwrap();
    let opts = options(Callback::Url(CALLBACK.into()));
    let token = flow::request_token(&endpoints, &hmac(), &opts, &Context::now())
        .send(&http)
        .await
        .unwrap();
    let url = flow::authorize_url(&endpoints, &token, &AuthorizeOptions::new().with_hl("de"));
    let redirect = http.send(HttpRequest::get(url)).await.unwrap();
    assert_eq!(redirect.status, 302);
    let authorized =
        flow::parse_callback(token.clone(), redirect.header("location").unwrap()).unwrap();
    let access = flow::access_token(&endpoints, &hmac(), &authorized, &Context::now())
        .send(&http)
        .await
        .unwrap();
    let feed = Request::new(
        "GET",
        &format!("{}/calendar/feeds/default/private/full", emu.base_url()),
    )
    .unwrap();
    let resp = gdata_auth::signed::signed(&access.authorizer(&hmac()), &feed, &Context::now())
        .send(&http)
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    // The blocking transport refuses to run inside this runtime rather than panicking.
    let blocking_http = ReqwestBlockingTransport::new().unwrap();
    assert!(blocking_http
        .send(HttpRequest::get(emu.base_url()))
        .is_err());
}

#[test]
fn request_token_and_verifier_are_single_use() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let opts = options(Callback::Url(CALLBACK.into()));
    let token = flow::request_token(&endpoints, &hmac(), &opts, &Context::now())
        .send_blocking(&http)
        .unwrap();
    let redirect = http.send(approve(&http, &token, &endpoints)).unwrap();
    let authorized =
        flow::parse_callback(token.clone(), redirect.header("location").unwrap()).unwrap();
    flow::access_token(&endpoints, &hmac(), &authorized, &Context::now())
        .send_blocking(&http)
        .unwrap();
    let again =
        flow::access_token(&endpoints, &hmac(), &authorized, &Context::now()).send_blocking(&http);
    assert!(
        matches!(
            again,
            Err(OAuth1Error::Flow(FlowError::Http { status: 401, .. }))
        ),
        "{again:?}"
    );
}

#[test]
fn callback_for_another_token_is_refused_by_the_client() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let opts = options(Callback::Url(CALLBACK.into()));
    let mine = flow::request_token(&endpoints, &hmac(), &opts, &Context::now())
        .send_blocking(&http)
        .unwrap();
    let theirs = flow::request_token(&endpoints, &hmac(), &opts, &Context::now())
        .send_blocking(&http)
        .unwrap();
    // An attacker's approved token delivered to our callback (session fixation, 2009.1).
    let redirect = http.send(approve(&http, &theirs, &endpoints)).unwrap();
    let result = flow::parse_callback(mine.clone(), redirect.header("location").unwrap());
    assert_eq!(result.unwrap_err(), FlowError::TokenMismatch);
}

#[test]
fn two_legged_request_reads_a_users_feed() {
    let emu = emulator(false);
    let http = ReqwestBlockingTransport::new().unwrap();
    let url = format!(
        "{}/calendar/feeds/default/private/full?max-results=3",
        emu.base_url()
    );
    let req = flow::prepare_two_legged(&hmac(), "GET", &url, USER, &Context::now()).unwrap();
    assert!(req
        .url
        .contains("max-results=3&xoauth_requestor_id=alice%40example.com"));
    assert_eq!(http.send(req).unwrap().status, 200);
    // Naming a user the emulator does not know is refused.
    let req =
        flow::prepare_two_legged(&hmac(), "GET", &url, "mallory@example.com", &Context::now())
            .unwrap();
    assert_eq!(http.send(req).unwrap().status, 401);
}

#[test]
fn stale_and_replayed_requests_are_refused() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let access = blocking_dance(&http, &endpoints, &hmac());
    let auth = access.authorizer(&hmac());
    let feed = Request::new(
        "GET",
        &format!("{}/calendar/feeds/default/private/full", emu.base_url()),
    )
    .unwrap();
    let signed = gdata_auth::signed::prepare_signed(&auth, &feed, &Context::now()).unwrap();
    assert_eq!(http.send(signed.clone()).unwrap().status, 200);
    let replay = http.send(signed).unwrap();
    assert_eq!(replay.status, 401);
    assert!(replay.body_text().unwrap().contains("nonce_used"));
    let stale = Context::draw(
        &FixedClock::new(Context::now().timestamp.unwrap() - 3600),
        &gdata_auth::OsNonce,
    );
    let old = http
        .send(gdata_auth::signed::prepare_signed(&auth, &feed, &stale).unwrap())
        .unwrap();
    assert_eq!(old.status, 401);
    assert!(old.body_text().unwrap().contains("timestamp_refused"));
}

#[test]
fn access_token_survives_a_file_store_round_trip() {
    let emu = emulator(false);
    let endpoints = Endpoints::at(emu.base_url()).unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let access = blocking_dance(&http, &endpoints, &hmac());
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(dir.path().join("tokens.json")));
    store.save("alice", &StoredToken::from(&access)).unwrap();
    let loaded = AccessToken::try_from(store.load("alice").unwrap().unwrap()).unwrap();
    assert_eq!(loaded.token(), access.token());
    let feed = format!("{}/calendar/feeds/default/private/full", emu.base_url());
    assert_eq!(fetch(&http, &loaded.authorizer(&hmac()), &feed).status, 200);
}
