//! Signing the `http` and `reqwest` crates' own request types in place, and reqwest's
//! builders (async and blocking) through `RequestBuilderExt`, against the emulator over
//! loopback: the signature is the one the crate's own path gives, the method is sent
//! upper-case, and errors keep their source.

use std::error::Error as _;

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::integration::{sign_http, RequestBuilderExt as _, SignError};
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::{Authorizer, ConsumerSecret, Context, Request, TokenSecret};

const URL: &str = "https://www.google.com/calendar/feeds/default/private/full?alt=json";
const FORM: [(&str, &str); 2] = [
    ("q", "meeting notes"),
    ("start-min", "2026-01-01T00:00:00Z"),
];

fn auth() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1("example.com", ConsumerSecret::new("kd94hf93k423kf44"))
        .with_token("1/token", TokenSecret::new("token-secret"))
}

fn ctx() -> Context {
    Context::fixed(1_300_000_000, "integration-nonce")
}

#[test]
fn an_http_request_is_signed_as_the_crate_signs_its_own() {
    let own = Request::new("POST", URL).unwrap().with_form(FORM);
    let want = auth().authorize(&own, &ctx()).unwrap();
    let mut req = http::Request::post(URL)
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(own.form_body().into_bytes())
        .unwrap();
    let described = Request::from_http(&req).unwrap();
    assert_eq!(described.params(), own.params());
    sign_http(&mut req, &auth(), &ctx()).unwrap();
    let header = req.headers().get("authorization").unwrap();
    assert!(header.is_sensitive());
    assert_eq!(header.to_str().unwrap(), want.header_value());

    // A body that is not a form is not signed (RFC 5849 §3.4.1.3.1).
    let json = http::Request::post(URL)
        .header("Content-Type", "application/json")
        .body(b"q=meeting".to_vec())
        .unwrap();
    assert!(Request::from_http(&json).unwrap().params().len() == 1);
    // A relative URI cannot be signed.
    let relative = http::Request::get("/feeds").body(Vec::<u8>::new()).unwrap();
    assert!(Request::from_http(&relative).is_err());
    // Nor a form body that is not UTF-8.
    let bad = http::Request::post(URL)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'q', b'=', 0xff])
        .unwrap();
    assert!(Request::from_http(&bad).is_err());
}

#[test]
fn a_lower_case_method_is_described_and_sent_upper_case() {
    let req = Request::new("post", URL).unwrap();
    assert_eq!(req.method(), "POST");
    let sent = gdata_auth::transport::HttpRequest::from_request(&req);
    assert_eq!(sent.method, "POST");
}

#[tokio::test]
async fn reqwest_builders_are_signed_and_accepted_by_the_emulator() {
    let emu = Emulator::start(
        EmulatorConfig::new()
            .add_hmac_consumer("app.example.com", ConsumerSecret::new("app-secret"))
            .add_user("alice@example.com", "pw")
            .with_log(LogTarget::Off),
    )
    .unwrap();
    // Two-legged: the consumer alone, on behalf of a configured user.
    let consumer =
        OAuth1Authorizer::hmac_sha1("app.example.com", ConsumerSecret::new("app-secret"));
    let url = format!(
        "{}/calendar/feeds/default/private/full?xoauth_requestor_id=alice%40example.com",
        emu.base_url()
    );
    let response = reqwest::Client::new()
        .post(&url)
        .form(&FORM)
        .authorize_with(&consumer)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);

    // The same through the blocking builder, off the async runtime.
    let url2 = url.clone();
    let status = tokio::task::spawn_blocking(move || {
        let consumer =
            OAuth1Authorizer::hmac_sha1("app.example.com", ConsumerSecret::new("app-secret"));
        reqwest::blocking::Client::new()
            .get(&url2)
            .authorize_with(&consumer)
            .unwrap()
            .send()
            .unwrap()
            .status()
    })
    .await
    .unwrap();
    assert_eq!(status, 200);

    // A wrong secret: the emulator refuses, so the signature really was checked.
    let wrong = OAuth1Authorizer::hmac_sha1("app.example.com", ConsumerSecret::new("guess"));
    let response = reqwest::Client::new()
        .get(&url)
        .authorize_with(&wrong)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[test]
fn builder_errors_keep_their_source() {
    let err = reqwest::blocking::Client::new()
        .get("not a url")
        .authorize_with(&auth())
        .unwrap_err();
    assert!(matches!(err, SignError::Build(_)));
    assert!(
        err.source().is_some(),
        "the builder's own error is the source"
    );
}
