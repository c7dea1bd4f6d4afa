//! Signed fetch: signed as the container with fixtures/keys/rsa2048_pkcs1.pem, verified by
//! a backend with the container's certificate fixtures/keys/rsa2048_cert.pem.

use std::sync::Arc;

use gdata_auth::clock::FixedClock;
use gdata_auth::gadgets::{
    sign_signed_fetch, OpenSocialId, SignedFetchError, SignedFetchParams, SignedFetchVerifier,
};
use gdata_auth::oauth1::verifier::{ReceivedRequest, VerifierConfig, VerifyError};
use gdata_auth::oauth1::{OAuth1Authorizer, RsaSigningKey, RsaVerifyingKey};
use gdata_auth::Context;

const KEY: &str = include_str!("../../fixtures/keys/rsa2048_pkcs1.pem");
const CERT: &str = include_str!("../../fixtures/keys/rsa2048_cert.pem");
const OTHER: &str = include_str!("../../fixtures/keys/rsa1024_other.pem");
const CONTAINER: &str = "gmodules.com";
const NOW: u64 = 1_262_304_000;
const BACKEND: &str = "https://backend.example.com/api/whoami?lang=en";
const APP: &str = "http://gadgets.example.com/hello.xml";

fn signed(ts: u64) -> String {
    let container = OAuth1Authorizer::rsa_sha1(CONTAINER, RsaSigningKey::from_pem(KEY).unwrap());
    let params = SignedFetchParams::new(APP, OpenSocialId::new("03067092798963641994").unwrap())
        .with_owner(OpenSocialId::new("orkut.com:123").unwrap())
        .with_instance_id("7")
        .with_key_name("pub.1199819524.-1556113204990931254.cer");
    sign_signed_fetch(
        BACKEND,
        &params,
        &container,
        &Context::fixed(ts, format!("n{ts}")),
    )
    .unwrap()
    .url
    .clone()
}

fn backend(cert: &str) -> SignedFetchVerifier {
    SignedFetchVerifier::with_config(
        CONTAINER,
        RsaVerifyingKey::from_pem(cert).unwrap(),
        Some(Arc::new(FixedClock::new(NOW))),
        VerifierConfig::default(),
    )
}

#[test]
fn a_valid_signed_fetch_names_owner_viewer_and_gadget() {
    let url = signed(NOW);
    for p in [
        "opensocial_owner_id=orkut.com%3A123",
        "opensocial_viewer_id=03067092798963641994",
        "opensocial_app_url=http%3A%2F%2Fgadgets.example.com%2Fhello.xml",
        "opensocial_app_id=",
        "opensocial_instance_id=7",
        "xoauth_signature_publickey=",
        "xoauth_public_key=",
        "oauth_signature_method=RSA-SHA1",
        "oauth_consumer_key=gmodules.com",
    ] {
        assert!(url.contains(p), "{p} missing from {url}");
    }
    let fetch = backend(CERT)
        .verify(&ReceivedRequest::new("GET", &url))
        .unwrap();
    assert_eq!(fetch.container, CONTAINER);
    assert_eq!(fetch.viewer.unwrap().as_str(), "03067092798963641994");
    assert_eq!(fetch.owner.unwrap().as_str(), "orkut.com:123");
    assert_eq!(fetch.app_url, APP);
    assert_eq!(fetch.instance_id.as_deref(), Some("7"));
    assert_eq!(
        fetch.key_name.as_deref(),
        Some("pub.1199819524.-1556113204990931254.cer")
    );
    assert_eq!(fetch.params, [("lang".to_owned(), "en".to_owned())]);
}

#[test]
fn a_tampered_viewer_is_refused() {
    let url = signed(NOW).replace("03067092798963641994", "03067092798963641995");
    let err = backend(CERT)
        .verify(&ReceivedRequest::new("GET", &url))
        .unwrap_err();
    assert!(
        matches!(err, SignedFetchError::Verify(VerifyError::BadSignature)),
        "{err:?}"
    );
}

#[test]
fn another_certificate_is_refused() {
    let other_pub = RsaSigningKey::from_pem(OTHER).unwrap().verifying_key();
    let backend = SignedFetchVerifier::with_config(
        CONTAINER,
        other_pub,
        Some(Arc::new(FixedClock::new(NOW))),
        VerifierConfig::default(),
    );
    let err = backend
        .verify(&ReceivedRequest::new("GET", &signed(NOW)))
        .unwrap_err();
    assert!(matches!(err, SignedFetchError::Verify(_)), "{err:?}");
}

#[test]
fn a_stale_timestamp_is_refused() {
    let err = backend(CERT)
        .verify(&ReceivedRequest::new("GET", &signed(NOW - 3600)))
        .unwrap_err();
    assert!(
        matches!(
            err,
            SignedFetchError::Verify(VerifyError::TimestampOutOfWindow { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn a_replay_and_a_gadget_forged_identity_are_refused() {
    let url = signed(NOW);
    let b = backend(CERT);
    b.verify(&ReceivedRequest::new("GET", &url)).unwrap();
    assert!(b.verify(&ReceivedRequest::new("GET", &url)).is_err());
    let container = OAuth1Authorizer::rsa_sha1(CONTAINER, RsaSigningKey::from_pem(KEY).unwrap());
    let params = SignedFetchParams::new(APP, OpenSocialId::new("v").unwrap());
    let err = sign_signed_fetch(
        "https://backend.example.com/?opensocial_viewer_id=admin",
        &params,
        &container,
        &Context::fixed(NOW, "x"),
    )
    .unwrap_err();
    assert!(matches!(err, SignedFetchError::ReservedParameter(_)));
}
