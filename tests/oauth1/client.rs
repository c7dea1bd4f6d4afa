//! The library as a newcomer meets it: the `OAuth1Client` dance async and blocking against
//! the emulator, the token kept in a `FileStore` and used again, `Box<dyn Authorizer>` that
//! says what it holds, the caller's own reqwest client, the verifier set up in a few lines,
//! and a signed request whose 401 the caller chooses to treat as an error.

use std::sync::Arc;

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::verifier::{MemoryCredentials, ReceivedRequest, Verifier};
use gdata_auth::oauth1::{
    AccessToken, Callback, OAuth1Authorizer, OAuth1Client, RequestTokenOptions, VerifyError,
};
use gdata_auth::store::{FileStore, TokenStore};
use gdata_auth::transport::{
    HttpRequest, ReqwestBlockingTransport, ReqwestTransport, Transport as _,
};
use gdata_auth::{Authorizer, Context, FixedClock, Request, Scheme, Scope};

const CONTACTS: &str = "https://www.google.com/m8/feeds/";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().with_auto_approve(true)).unwrap()
}

fn options() -> RequestTokenOptions {
    RequestTokenOptions::new([Scope::new(CONTACTS).unwrap()], Callback::Oob)
}

/// The verifier from the auto-approved `oob` page.
fn verifier_on(html: &str) -> String {
    let start = html.find("id=\"verifier\">").unwrap() + "id=\"verifier\">".len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_async_client_runs_the_dance_and_the_token_is_kept() {
    let emu = emulator();
    let client = OAuth1Client::new(
        OAuth1Authorizer::anonymous(),
        ReqwestTransport::new().unwrap(),
    )
    .with_endpoints(Endpoints::at(emu.base_url()).unwrap());

    let token = client.request_token(&options()).await.unwrap();
    let page = client
        .http()
        .send(HttpRequest::get(
            client.authorize_url(&token, &Default::default()),
        ))
        .await
        .unwrap();
    let authorized = token
        .with_verifier(&verifier_on(page.body_text().unwrap()))
        .unwrap();
    let access = client.access_token(&authorized).await.unwrap();

    // Kept in a file store, loaded back, used again.
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("tokens.json"));
    store.save("alice", &access.to_stored()).unwrap();
    let loaded = AccessToken::from_stored(&store.load("alice").unwrap().unwrap()).unwrap();
    assert_eq!(loaded, access);

    let feed = Request::new(
        "get",
        &format!("{}/m8/feeds/contacts/default/full", emu.base_url()),
    )
    .unwrap();
    let response = client.fetch(&loaded, &feed).await.unwrap();
    assert_eq!(response.status, 200);

    // Revoked: the next fetch comes back 401, and the caller chooses to make it an error.
    client.revoke(&loaded).await.unwrap();
    let refused = client.fetch(&loaded, &feed).await.unwrap();
    let err = refused.error_for_status().unwrap_err();
    assert_eq!(err.status(), 401);
    let err: gdata_auth::Error = err.into();
    assert!(err.to_string().contains("401"), "{err}");
}

#[test]
fn the_blocking_client_runs_the_same_dance() {
    let emu = emulator();
    let client = OAuth1Client::new(
        OAuth1Authorizer::anonymous(),
        ReqwestBlockingTransport::new().unwrap(),
    )
    .with_endpoints(Endpoints::at(emu.base_url()).unwrap());
    let token = client.request_token(&options()).blocking().unwrap();
    let page = gdata_auth::transport::BlockingTransport::send(
        client.http(),
        HttpRequest::get(client.authorize_url(&token, &Default::default())),
    )
    .unwrap();
    let authorized = token
        .with_verifier(&verifier_on(page.body_text().unwrap()))
        .unwrap();
    let access = client.access_token(&authorized).blocking().unwrap();
    let feed = Request::new(
        "GET",
        &format!("{}/m8/feeds/contacts/default/full", emu.base_url()),
    )
    .unwrap();
    assert_eq!(client.fetch(&access, &feed).blocking().unwrap().status, 200);
}

#[test]
fn a_boxed_authorizer_says_what_it_holds_and_hides_its_secrets() {
    let boxed: Box<dyn Authorizer> = Box::new(
        OAuth1Authorizer::hmac_sha1("example.com", "consumer-CANARY")
            .with_token("1/t", "token-CANARY"),
    );
    assert_eq!(boxed.scheme(), Scheme::OAuth1);
    assert_eq!(boxed.scheme().to_string(), "OAuth");
    let debug = format!("{boxed:?}");
    assert!(
        debug.contains("example.com") && !debug.contains("CANARY"),
        "{debug}"
    );
    // `authorize_now` draws a fresh timestamp and nonce each time.
    let req = Request::new("GET", "https://www.google.com/m8/feeds/").unwrap();
    let (a, b) = (
        boxed.authorize_now(&req).unwrap(),
        boxed.authorize_now(&req).unwrap(),
    );
    assert_ne!(a, b);
}

#[tokio::test]
async fn the_callers_own_reqwest_client_is_a_transport() {
    let emu = Emulator::start(EmulatorConfig::new().with_log(LogTarget::Off)).unwrap();
    let http = ReqwestTransport::from(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    );
    let client = OAuth1Client::new(OAuth1Authorizer::anonymous(), http)
        .with_endpoints(Endpoints::at(emu.base_url()).unwrap());
    let token = client.request_token(&options()).await.unwrap();
    assert!(token.token().starts_with("4/"));
}

#[test]
fn the_verifier_is_set_up_in_a_few_lines_and_check_records_nothing() {
    let credentials = MemoryCredentials::new()
        .with_hmac_consumer("example.com", "cs")
        .with_token("example.com", "1/t", "ts");
    let verifier = Verifier::builder(credentials)
        .clock(Arc::new(FixedClock::new(1_300_000_000)))
        .build();
    let signer = OAuth1Authorizer::hmac_sha1("example.com", "cs").with_token("1/t", "ts");
    let req = Request::new("POST", "https://h.example/feeds/x?a=1")
        .unwrap()
        .with_form([("b", "2")]);
    let header = signer
        .authorize(&req, &Context::fixed(1_300_000_000, "n1"))
        .unwrap();
    let sent = HttpRequest::from_request(&req).with_authorization(&header);

    // From the request as sent: `check` does not record the nonce, `verify` does.
    let received = ReceivedRequest::from(&sent);
    assert!(verifier.check(&received).is_ok());
    assert!(verifier.check(&received).is_ok());
    assert_eq!(verifier.verify(&received).unwrap().param("b"), Some("2"));
    assert_eq!(
        verifier.verify(&received).unwrap_err(),
        VerifyError::NonceReused
    );
    assert_eq!(
        verifier.check(&received).unwrap_err(),
        VerifyError::NonceReused
    );

    // The same from an `http::Request`.
    let mut http_req = http::Request::post("https://h.example/feeds/x?a=1")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"b=2".to_vec())
        .unwrap();
    gdata_auth::integration::sign_http(
        &mut http_req,
        &signer,
        &Context::fixed(1_300_000_000, "n2"),
    )
    .unwrap();
    assert!(verifier.verify_http(&http_req).is_ok());
    assert_eq!(
        verifier.check_http(&http_req).unwrap_err(),
        VerifyError::NonceReused
    );
}

#[test]
fn an_emulator_started_by_a_library_is_quiet_by_default() {
    assert!(matches!(EmulatorConfig::new().log, LogTarget::Off));
}
