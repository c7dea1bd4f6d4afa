//! Provider-side OAuth 1.0 verification: one named test per rule (as oauthlib's
//! `tests/oauth1/rfc5849/endpoints/test_base.py`), one per SECURITY.md §5.1 row 1–24
//! (`row_NN_…`), and fixed known-answer vectors.
//!
//! Good requests are signed with `OAuth1Authorizer` (or by hand where the signer cannot
//! produce the parameters, e.g. `oauth_body_hash`) and then mutated. Every verification goes
//! through `World::check`, which also asserts that verify did not panic, that the credential
//! store is unchanged, and that a rejected request left the replay store untouched.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use gdata_auth::encoding::form_encode;
use gdata_auth::oauth1::base_string::base_string;
use gdata_auth::oauth1::header::{build_header, parse_header};
use gdata_auth::oauth1::signature::{hmac_sha1, signing_key};
use gdata_auth::oauth1::verifier::{
    ConsumerCredential, CredentialLookup, Profile, ReceivedRequest, Verified, Verifier,
    VerifierConfig, VerifyError,
};
use gdata_auth::oauth1::{HeaderError, OAuth1Authorizer, SignatureMethod};
use gdata_auth::{ConsumerSecret, Context, FixedClock, Request, TokenSecret};

#[cfg(feature = "rsa")]
use gdata_auth::{KeyError, RsaSigningKey, RsaVerifyingKey};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// 2023-11-14T22:13:20Z: ten digits, as oauthlib's strict profile wants.
const NOW: u64 = 1_700_000_000;

const CK: &str = "example.com";
const CS: &str = "consumer-secret-canary";
const TOKEN: &str = "1/access-token";
const TS: &str = "token-secret-canary";
const TOKEN2: &str = "1/second-token";
const TS2: &str = "second-secret-canary";
const SHA1_ONLY_CK: &str = "sha1only.example.com";
const STRICT_CK: &str = "abcdefghij0123456789";
const STRICT_TOKEN: &str = "tokentokentokentoken12";
const NONCE: &str = "n0nce-abc";

#[cfg(feature = "rsa")]
const RSA_CK: &str = "rsa.example.com";
#[cfg(feature = "rsa")]
const CERT_CK: &str = "cert.example.com";

#[cfg(feature = "rsa")]
const RSA2048_PKCS1: &str = include_str!("../../fixtures/keys/rsa2048_pkcs1.pem");
#[cfg(feature = "rsa")]
const RSA2048_PKCS8: &str = include_str!("../../fixtures/keys/rsa2048_pkcs8.pem");
#[cfg(feature = "rsa")]
const RSA2048_PUB: &str = include_str!("../../fixtures/keys/rsa2048_pub.pem");
#[cfg(feature = "rsa")]
const RSA2048_CERT: &str = include_str!("../../fixtures/keys/rsa2048_cert.pem");
#[cfg(feature = "rsa")]
const RSA1024_OTHER: &str = include_str!("../../fixtures/keys/rsa1024_other.pem");
#[cfg(feature = "rsa")]
const RSA512: &str = include_str!("../../fixtures/keys/rsa512.pem");
#[cfg(feature = "rsa")]
const OAUTH_NET_RSA1024: &str = include_str!("../../fixtures/keys/oauth_net_rsa1024_pkcs8.pem");

/// An in-memory credential store that counts its lookups.
#[derive(Default)]
struct TestLookup {
    consumers: HashMap<String, ConsumerCredential>,
    tokens: HashMap<(String, String), TokenSecret>,
    consumer_calls: AtomicUsize,
    token_calls: AtomicUsize,
}

impl TestLookup {
    fn add_consumer(&mut self, key: &str, c: ConsumerCredential) {
        self.consumers.insert(key.to_owned(), c);
    }

    fn add_token(&mut self, consumer: &str, token: &str, secret: &str) {
        self.tokens.insert(
            (consumer.to_owned(), token.to_owned()),
            TokenSecret::new(secret),
        );
    }

    /// Everything stored, secrets included, as one comparable string.
    fn fingerprint(&self) -> String {
        let mut rows: Vec<String> = self
            .consumers
            .iter()
            .map(|(k, c)| {
                #[cfg(feature = "rsa")]
                let rsa = format!("{:?}", c.rsa_key);
                #[cfg(not(feature = "rsa"))]
                let rsa = String::new();
                format!(
                    "c|{k}|{}|{:?}|{rsa}",
                    c.secret.as_ref().map_or("", |s| s.secret()),
                    c.allowed_methods
                )
            })
            .chain(
                self.tokens
                    .iter()
                    .map(|((c, t), s)| format!("t|{c}|{t}|{}", s.secret())),
            )
            .collect();
        rows.sort();
        rows.join("\n")
    }
}

impl CredentialLookup for TestLookup {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        self.consumer_calls.fetch_add(1, Ordering::SeqCst);
        self.consumers.get(consumer_key).cloned()
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        self.token_calls.fetch_add(1, Ordering::SeqCst);
        self.tokens
            .get(&(consumer_key.to_owned(), token.to_owned()))
            .cloned()
    }
}

#[cfg(feature = "rsa")]
fn rsa_signing_key() -> RsaSigningKey {
    RsaSigningKey::from_pem(RSA2048_PKCS1).unwrap()
}

fn standard_lookup() -> TestLookup {
    let mut l = TestLookup::default();
    l.add_consumer(CK, ConsumerCredential::hmac(ConsumerSecret::new(CS)));
    l.add_token(CK, TOKEN, TS);
    l.add_token(CK, TOKEN2, TS2);
    l.add_consumer(
        SHA1_ONLY_CK,
        ConsumerCredential::hmac(ConsumerSecret::new(CS))
            .with_allowed_methods([SignatureMethod::HmacSha1]),
    );
    l.add_consumer(STRICT_CK, ConsumerCredential::hmac(ConsumerSecret::new(CS)));
    l.add_token(STRICT_CK, STRICT_TOKEN, TS);
    #[cfg(feature = "rsa")]
    {
        l.add_consumer(
            RSA_CK,
            ConsumerCredential::rsa(RsaVerifyingKey::from_pem(RSA2048_PUB).unwrap()),
        );
        l.add_token(RSA_CK, TOKEN, TS);
        l.add_consumer(
            CERT_CK,
            ConsumerCredential::rsa(RsaVerifyingKey::from_pem(RSA2048_CERT).unwrap()),
        );
    }
    l
}

/// A verifier over the standard credentials with the clock at `NOW`.
struct World {
    v: Verifier<Arc<TestLookup>>,
    clock: Arc<FixedClock>,
    lookup: Arc<TestLookup>,
}

fn world() -> World {
    world_with(VerifierConfig::default())
}

fn world_with(config: VerifierConfig) -> World {
    world_from(standard_lookup(), config)
}

fn world_from(lookup: TestLookup, config: VerifierConfig) -> World {
    let lookup = Arc::new(lookup);
    let clock = Arc::new(FixedClock::new(NOW));
    World {
        v: Verifier::new(lookup.clone(), clock.clone(), config),
        clock,
        lookup,
    }
}

impl World {
    /// Verifies, asserting no panic, unchanged credentials, and (on rejection) an untouched
    /// replay store.
    fn check(&self, req: ReceivedRequest<'_>) -> Result<Verified, VerifyError> {
        let before = self.lookup.fingerprint();
        let stored = self.v.nonces_stored();
        let out = catch_unwind(AssertUnwindSafe(|| self.v.verify(&req)))
            .unwrap_or_else(|_| panic!("verify panicked on {req:?}"));
        assert_eq!(
            self.lookup.fingerprint(),
            before,
            "credentials changed by verify"
        );
        if out.is_err() {
            assert_eq!(
                self.v.nonces_stored(),
                stored,
                "a rejected request touched the replay store"
            );
        }
        out
    }

    fn accept(&self, req: ReceivedRequest<'_>) -> Verified {
        match self.check(req) {
            Ok(v) => v,
            Err(e) => panic!("rejected with {e:?}: {req:?}"),
        }
    }

    fn reject(&self, req: ReceivedRequest<'_>, want: &VerifyError) {
        match self.check(req) {
            Ok(v) => panic!("accepted {v:?}, wanted {want:?}"),
            Err(e) => assert_eq!(&e, want, "{req:?}"),
        }
    }

    fn reject_malformed_header(&self, req: ReceivedRequest<'_>) {
        match self.check(req) {
            Err(VerifyError::MalformedHeader(_)) => {}
            other => panic!("wanted MalformedHeader, got {other:?}"),
        }
    }

    fn reject_bad_request(&self, req: ReceivedRequest<'_>) {
        match self.check(req) {
            Err(VerifyError::BadRequest(_)) => {}
            other => panic!("wanted BadRequest, got {other:?} for {req:?}"),
        }
    }
}

fn hmac_signer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new(CS)).with_token(TOKEN, TokenSecret::new(TS))
}

fn signer_with(method: SignatureMethod) -> OAuth1Authorizer {
    OAuth1Authorizer::with_secret(CK, ConsumerSecret::new(CS), method)
        .unwrap()
        .with_token(TOKEN, TokenSecret::new(TS))
}

fn ctx(ts: u64, nonce: &str) -> Context {
    Context::fixed(ts, nonce)
}

/// The `Authorization` value `auth` produces for this request.
fn sign(
    auth: &OAuth1Authorizer,
    method: &str,
    url: &str,
    form: Option<&str>,
    c: &Context,
) -> String {
    let mut req = Request::new(method, url).unwrap();
    if let Some(f) = form {
        req = req.with_form_body(f).unwrap();
    }
    auth.sign(&req, c)
        .unwrap()
        .authorization
        .header_value()
        .to_owned()
}

/// A header signed with the standard HMAC-SHA1 credentials at `NOW` with `NONCE`.
fn good_header(url: &str) -> String {
    sign(&hmac_signer(), "GET", url, None, &ctx(NOW, NONCE))
}

fn params_of(header: &str) -> Vec<(String, String)> {
    parse_header(header).unwrap().params
}

/// Parses `header`, lets `f` change its parameters, and builds it again (realm kept).
fn rebuild(header: &str, f: impl FnOnce(&mut Vec<(String, String)>)) -> String {
    let parsed = parse_header(header).unwrap();
    let mut params = parsed.params;
    f(&mut params);
    let refs: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    build_header(parsed.realm.as_deref(), &refs).unwrap()
}

fn set(params: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in params.iter_mut() {
        if n == name {
            *v = value.to_owned();
        }
    }
}

fn remove(params: &mut Vec<(String, String)>, name: &str) {
    params.retain(|(n, _)| n != name);
}

/// `url` with `params` appended to its query.
fn with_query(url: &str, params: &[(String, String)]) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", form_encode(params))
}

fn get(url: &str) -> ReceivedRequest<'_> {
    ReceivedRequest::new("GET", url)
}

fn get_h<'a>(url: &'a str, header: &'a str) -> ReceivedRequest<'a> {
    ReceivedRequest::new("GET", url).with_authorization(header)
}

/// An HMAC-SHA1 signature over any protocol parameters, for requests the signer will not
/// build (body hash, unusual parameters).
fn hand_sign(method: &str, url: &str, form: Option<&str>, oauth: &[(&str, &str)]) -> String {
    let mut req = Request::new(method, url).unwrap();
    if let Some(f) = form {
        req = req.with_form_body(f).unwrap();
    }
    let bs = base_string(&req, oauth);
    hmac_sha1(signing_key(CS, TS).as_bytes(), bs.as_bytes())
}

/// The standard protocol parameters, without a signature.
fn base_oauth(nonce: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("oauth_consumer_key", CK),
        ("oauth_token", TOKEN),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1700000000"),
        ("oauth_nonce", nonce),
        ("oauth_version", "1.0"),
    ]
}

fn header_from(oauth: &[(&str, &str)], signature: &str) -> String {
    let mut all = oauth.to_vec();
    all.push(("oauth_signature", signature));
    build_header(None, &all).unwrap()
}

const URL: &str = "https://www.google.com/calendar/feeds/default/private/full?alt=json";

// ---------------------------------------------------------------------------------------------
// Rules (oauthlib test_base.py structure)

#[test]
fn test_valid_requests_every_method_and_location() {
    let w = world();
    // HMAC-SHA1 in the header.
    let h = good_header(URL);
    let v = w.accept(get_h(URL, &h));
    assert_eq!(v.consumer_key, CK);
    assert_eq!(v.token.as_deref(), Some(TOKEN));
    assert_eq!(v.signature_method, SignatureMethod::HmacSha1);
    assert_eq!(v.timestamp, Some(NOW));
    assert_eq!(v.nonce.as_deref(), Some(NONCE));
    assert_eq!(v.params, vec![("alt".to_owned(), "json".to_owned())]);
    assert_eq!(w.v.nonces_stored(), 1);

    // HMAC-SHA256 in the header.
    let h = sign(
        &signer_with(SignatureMethod::HmacSha256),
        "GET",
        URL,
        None,
        &ctx(NOW, "n-256"),
    );
    assert_eq!(
        w.accept(get_h(URL, &h)).signature_method,
        SignatureMethod::HmacSha256
    );

    // PLAINTEXT over https, with and without timestamp and nonce.
    let plain = signer_with(SignatureMethod::Plaintext);
    let h = sign(&plain, "GET", URL, None, &ctx(NOW, "n-plain"));
    assert_eq!(w.accept(get_h(URL, &h)).nonce.as_deref(), Some("n-plain"));
    let none = Context {
        timestamp: None,
        nonce: None,
    };
    let h = sign(&plain, "GET", URL, None, &none);
    let v = w.accept(get_h(URL, &h));
    assert_eq!((v.timestamp, v.nonce), (None, None));

    // HMAC-SHA1 with the protocol parameters in the query.
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW, "n-query"));
    let url = with_query(URL, &params_of(&h));
    let v = w.accept(get(&url));
    assert_eq!(v.nonce.as_deref(), Some("n-query"));
    assert_eq!(v.params, vec![("alt".to_owned(), "json".to_owned())]);

    // HMAC-SHA1 with the protocol parameters in a form body.
    let form = "title=a+b&x=%2A";
    let h = sign(&hmac_signer(), "POST", URL, Some(form), &ctx(NOW, "n-body"));
    let body = format!("{form}&{}", form_encode(&params_of(&h)));
    let v = w.accept(ReceivedRequest::new("POST", URL).with_form_body(&body));
    assert_eq!(v.param("title"), Some("a b"));
    assert_eq!(v.param("x"), Some("*"));
    assert_eq!(
        w.v.nonces_stored(),
        5,
        "five nonces; PLAINTEXT without one records nothing"
    );
}

#[cfg(feature = "rsa")]
#[test]
fn test_valid_rsa_sha1_pkcs1_and_pkcs8_signers() {
    let w = world();
    for (i, pem) in [RSA2048_PKCS1, RSA2048_PKCS8].into_iter().enumerate() {
        let signer = OAuth1Authorizer::rsa_sha1(RSA_CK, RsaSigningKey::from_pem(pem).unwrap())
            .with_token(TOKEN, TokenSecret::new("unused by RSA"));
        let nonce = format!("rsa-{i}");
        let h = sign(&signer, "POST", URL, Some("a=1"), &ctx(NOW, &nonce));
        let v = w.accept(
            ReceivedRequest::new("POST", URL)
                .with_authorization(&h)
                .with_form_body("a=1"),
        );
        assert_eq!(v.signature_method, SignatureMethod::RsaSha1);
        assert_eq!(v.consumer_key, RSA_CK);
        // The form body is signed: change it and the signature fails.
        w.reject(
            ReceivedRequest::new("POST", URL)
                .with_authorization(&h)
                .with_form_body("a=2"),
            &VerifyError::BadSignature,
        );
    }
}

#[cfg(feature = "rsa")]
#[test]
fn test_rsa_x509_certificate_verifies() {
    let w = world();
    let signer = OAuth1Authorizer::rsa_sha1(CERT_CK, rsa_signing_key());
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "cert-1"));
    let v = w.accept(get_h(URL, &h));
    assert_eq!(v.consumer_key, CERT_CK);
    assert_eq!(v.token, None);
    // The certificate and the SPKI PEM hold the same key.
    assert_eq!(
        format!("{:?}", RsaVerifyingKey::from_pem(RSA2048_CERT).unwrap()),
        format!("{:?}", RsaVerifyingKey::from_pem(RSA2048_PUB).unwrap())
    );
}

#[cfg(feature = "rsa")]
#[test]
fn test_rsa_signature_by_other_key_rejected() {
    let w = world();
    let other = OAuth1Authorizer::rsa_sha1(RSA_CK, RsaSigningKey::from_pem(RSA1024_OTHER).unwrap());
    let h = sign(&other, "GET", URL, None, &ctx(NOW, "other-key"));
    w.reject(get_h(URL, &h), &VerifyError::BadSignature);
}

#[cfg(feature = "rsa")]
#[test]
fn test_rsa_512_bit_key_rejected() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    assert_eq!(
        RsaSigningKey::from_pem(RSA512).unwrap_err(),
        KeyError::Size { bits: 512 }
    );
    let public = rsa::RsaPrivateKey::from_pkcs1_pem(RSA512)
        .unwrap()
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    assert_eq!(
        RsaVerifyingKey::from_pem(&public).unwrap_err(),
        KeyError::Size { bits: 512 }
    );
}

#[test]
fn test_duplicate_params() {
    let w = world();
    // oauthlib: ?oauth_version=a&oauth_version=b
    let url = format!("{URL}&oauth_version=a&oauth_version=b");
    w.reject(
        get(&url),
        &VerifyError::DuplicateProtocolParam("oauth_version".into()),
    );
    // A duplicate that is correctly signed is still refused (RFC 5849 §3.1 MUST NOT).
    let mut oauth = base_oauth("dup-signed");
    oauth.push(("oauth_nonce", "second"));
    let sig = hand_sign("GET", URL, None, &oauth);
    let h = header_from(&oauth, &sig);
    w.reject(
        get_h(URL, &h),
        &VerifyError::DuplicateProtocolParam("oauth_nonce".into()),
    );
    // Non-protocol parameters may repeat.
    let url = format!("{URL}&a=1&a=2");
    let h = good_header(&url);
    assert_eq!(w.accept(get_h(&url, &h)).params.len(), 3);
}

fn strict_world() -> World {
    world_with(VerifierConfig {
        profile: Profile::OauthlibStrict,
        ..VerifierConfig::default()
    })
}

#[test]
fn test_multiple_source_params() {
    // RFC 5849 §3.5 under the strict profile: one location only. The placement check comes
    // before the shape checks, so Google-shaped credentials reach it too.
    let w = strict_world();
    let h = good_header(URL);
    // Header and query.
    let url = format!("{URL}&oauth_callback=oob");
    w.reject(get_h(&url, &h), &VerifyError::ParamsInMultipleLocations);
    // Header and body.
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body("oauth_verifier=x"),
        &VerifyError::ParamsInMultipleLocations,
    );
    // Query and body.
    let url = with_query(URL, &params_of(&h));
    w.reject(
        ReceivedRequest::new("POST", &url).with_form_body("oauth_verifier=x"),
        &VerifyError::ParamsInMultipleLocations,
    );
    // A header carrying only a realm is not a second location.
    let url = with_query(URL, &params_of(&h));
    world().accept(get_h(&url, "OAuth realm=\"Photos\""));
}

#[test]
fn test_google_profile_accepts_params_split_across_locations() {
    // What libgdata sent and www.google.com accepted: the header, plus `oauth_verifier` (or
    // `oauth_callback`) in the signed form body.
    let w = world();
    let body = "oauth_verifier=v3r1f13r&scope=x";
    let h = sign(
        &hmac_signer(),
        "POST",
        URL,
        Some(body),
        &ctx(NOW, "split-1"),
    );
    assert!(!h.contains("oauth_verifier"));
    let v = w.accept(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body(body),
    );
    assert_eq!(v.verifier.as_deref(), Some("v3r1f13r"));
    assert_eq!(v.param("scope"), Some("x"));
    assert!(v.params.iter().all(|(n, _)| !n.starts_with("oauth_")));

    // Header plus a protocol parameter in the query, signed: accepted too.
    let url = format!("{URL}&oauth_callback=oob");
    let h = sign(&hmac_signer(), "GET", &url, None, &ctx(NOW, "split-2"));
    assert_eq!(w.accept(get_h(&url, &h)).callback.as_deref(), Some("oob"));

    // All three at once: the nonce in the query, the verifier in the body, the rest in the
    // header.
    // Every location is in the base string (RFC 5849 §3.4.1.3.1), so moving a parameter
    // from the header to the query keeps the signature valid.
    let full = sign(
        &hmac_signer(),
        "POST",
        URL,
        Some(body),
        &ctx(NOW, "split-3"),
    );
    let h = rebuild(&full, |p| remove(p, "oauth_nonce"));
    let url = format!("{URL}&oauth_nonce=split-3");
    let v = w.accept(
        ReceivedRequest::new("POST", &url)
            .with_authorization(&h)
            .with_form_body(body),
    );
    assert_eq!(v.nonce.as_deref(), Some("split-3"));

    // A body parameter the signature did not cover still fails the signature.
    let h = good_header(URL);
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body("oauth_verifier=x"),
        &VerifyError::BadSignature,
    );
}

#[test]
fn test_duplicates_across_locations_refused_under_both_profiles() {
    let h = good_header(URL);
    let strict = strict_world();
    for w in [world(), strict] {
        // The same name in the header and the query, or the header and the body: a duplicate
        // under the Google profile; under the strict one the placement check fires first.
        let want = |dup: &str| match w.v.config().profile {
            Profile::OauthlibStrict => VerifyError::ParamsInMultipleLocations,
            _ => VerifyError::DuplicateProtocolParam(dup.into()),
        };
        let url = format!("{URL}&oauth_nonce=again");
        w.reject(get_h(&url, &h), &want("oauth_nonce"));
        w.reject(
            ReceivedRequest::new("POST", URL)
                .with_authorization(&h)
                .with_form_body("oauth_token=1%2Fother"),
            &want("oauth_token"),
        );
        let url = with_query(URL, &params_of(&h));
        w.reject(
            ReceivedRequest::new("POST", &url).with_form_body("oauth_signature=abc"),
            &want("oauth_signature"),
        );
        // Twice inside one location: a duplicate under both.
        let url = format!("{URL}&oauth_callback=oob&oauth_callback=oob");
        w.reject(
            get(&with_query(&url, &params_of(&h))),
            &VerifyError::DuplicateProtocolParam("oauth_callback".into()),
        );
    }
}

#[test]
fn test_case_sensitive_param_names() {
    let w = world();
    // Upper- and mixed-case names are ordinary, signed parameters.
    let url = format!("{URL}&OAUTH_TOKEN=x&Oauth_Nonce=y");
    let h = good_header(&url);
    let v = w.accept(get_h(&url, &h));
    assert_eq!(v.param("OAUTH_TOKEN"), Some("x"));
    assert_eq!(v.param("Oauth_Nonce"), Some("y"));
    assert_eq!(v.token.as_deref(), Some(TOKEN));
}

#[test]
fn test_case_insensitive_headers() {
    // The scheme is case-insensitive (RFC 9110 §11.1); whitespace around ',' and '=' is free.
    let w = world();
    let h = good_header(URL);
    let lower = h.replacen("OAuth ", "oauth   ", 1).replace(", ", " ,\t");
    w.accept(get_h(URL, &lower));
}

#[test]
fn test_missing_parameters() {
    let w = world();
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW, "missing"));
    // oauthlib: each of the five mandatory parameters in turn.
    let rows = [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_timestamp",
        "oauth_nonce",
    ];
    for name in rows {
        let cut = rebuild(&h, |p| remove(p, name));
        w.reject(get_h(URL, &cut), &VerifyError::MissingParam(name));
    }
    // No OAuth parameters at all.
    w.reject(get(URL), &VerifyError::MissingParam("oauth_consumer_key"));
    // The untouched request still verifies: nothing was recorded on the way.
    w.accept(get_h(URL, &h));
}

#[test]
fn test_signature_methods() {
    let w = world();
    let h = good_header(URL);
    for bad in ["HMAC-SHA512", "hmac-sha1", "RSA-SHA256", "", "PLAINTEXT "] {
        let m = rebuild(&h, |p| set(p, "oauth_signature_method", bad));
        w.reject(get_h(URL, &m), &VerifyError::UnsupportedSignatureMethod);
    }
    // HMAC-SHA256 for a consumer registered for HMAC-SHA1 only.
    let signer = OAuth1Authorizer::with_secret(
        SHA1_ONLY_CK,
        ConsumerSecret::new(CS),
        SignatureMethod::HmacSha256,
    )
    .unwrap();
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "sha256"));
    w.reject(get_h(URL, &h), &VerifyError::SignatureMethodNotAllowed);
}

#[test]
fn test_invalid_version() {
    let w = world();
    let h = good_header(URL);
    for bad in ["2.0", "1.0b", "1", ""] {
        let m = rebuild(&h, |p| set(p, "oauth_version", bad));
        w.reject(get_h(URL, &m), &VerifyError::UnsupportedVersion);
    }
    // "1.0a" (Node's `oauth` sends "1.0A") is accepted under GoogleCompat only.
    let strict = world_with(VerifierConfig {
        profile: Profile::OauthlibStrict,
        ..VerifierConfig::default()
    });
    for (v, nonce) in [("1.0a", "v1a-lower"), ("1.0A", "v1a-upper")] {
        let m = rebuild(&h, |p| set(p, "oauth_version", v));
        strict.reject(get_h(URL, &m), &VerifyError::UnsupportedVersion);
        let mut oauth = base_oauth(nonce);
        for p in oauth.iter_mut().filter(|p| p.0 == "oauth_version") {
            p.1 = v;
        }
        let sig = hand_sign("GET", URL, None, &oauth);
        w.accept(get_h(URL, &header_from(&oauth, &sig)));
    }
    // oauth_version is optional.
    let signer = hmac_signer().without_version();
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "no-version"));
    w.accept(get_h(URL, &h));
}

#[test]
fn test_expired_timestamp() {
    let w = world();
    // oauthlib: a 2009 timestamp.
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(1_234_567_890, "old"));
    w.reject(
        get_h(URL, &h),
        &VerifyError::TimestampOutOfWindow {
            skew: (NOW - 1_234_567_890) as i64,
        },
    );
    // The clock moving on makes an accepted timestamp stale.
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW, "later"));
    w.clock.advance(601);
    w.reject(
        get_h(URL, &h),
        &VerifyError::TimestampOutOfWindow { skew: 601 },
    );
    // Extreme values saturate instead of overflowing.
    let far = rebuild(&h, |p| set(p, "oauth_timestamp", "18446744073709551615"));
    w.reject(
        get_h(URL, &far),
        &VerifyError::TimestampOutOfWindow { skew: i64::MIN },
    );
}

#[test]
fn test_oauth_timestamp() {
    let w = world();
    let h = good_header(URL);
    // oauthlib: non-digits, then a 20-digit overflow.
    for bad in [
        "123456789a",
        "99999999999999999999",
        "",
        "1.7e9",
        "+1700000000",
    ] {
        let m = rebuild(&h, |p| set(p, "oauth_timestamp", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadTimestamp);
    }
    // oauthlib strict: exactly 10 digits, so 9 digits is malformed rather than old.
    let strict = world_with(VerifierConfig {
        profile: Profile::OauthlibStrict,
        ..VerifierConfig::default()
    });
    let m = rebuild(&h, |p| {
        set(p, "oauth_timestamp", "123456789");
        set(p, "oauth_consumer_key", STRICT_CK);
        set(p, "oauth_nonce", "abcdefghijabcdefghij");
        set(p, "oauth_token", STRICT_TOKEN);
    });
    strict.reject(get_h(URL, &m), &VerifyError::BadTimestamp);
}

#[test]
fn test_client_key_check() {
    let w = world();
    // Malformed keys are refused before any lookup.
    let h = good_header(URL);
    for bad in ["", "key with space", "k\u{e9}y", &"k".repeat(257)] {
        let m = rebuild(&h, |p| set(p, "oauth_consumer_key", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadConsumerKey);
    }
    assert_eq!(w.lookup.consumer_calls.load(Ordering::SeqCst), 0);
    // Google's real consumer-key shapes are accepted by the default profile.
    let mut lookup = standard_lookup();
    let google_key = "965697648820.apps.googleusercontent.com";
    lookup.add_consumer(
        google_key,
        ConsumerCredential::hmac(ConsumerSecret::new(CS)),
    );
    let w = world_from(lookup, VerifierConfig::default());
    let signer = OAuth1Authorizer::hmac_sha1(google_key, ConsumerSecret::new(CS));
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "google"));
    assert_eq!(w.accept(get_h(URL, &h)).consumer_key, google_key);
}

#[test]
fn test_noncecheck() {
    let w = world();
    let h = good_header(URL);
    for bad in ["", "a b", "a,b", "\u{e9}t\u{e9}", "a\0b", &"n".repeat(257)] {
        let m = rebuild(&h, |p| set(p, "oauth_nonce", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadNonce);
    }
    // Our own signer's nonces (32 hex digits) pass the default profile.
    let h = sign(&hmac_signer(), "GET", URL, None, &Context::now());
    w.clock.set(Context::now().timestamp.unwrap());
    w.accept(get_h(URL, &h));
}

#[test]
fn test_token_check_and_unknown_token() {
    let w = world();
    let h = good_header(URL);
    let m = rebuild(&h, |p| set(p, "oauth_token", "tok en"));
    w.reject(get_h(URL, &m), &VerifyError::BadToken);
    // Well-formed but unknown: refused after the signature work, not before.
    let signer = OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new(CS))
        .with_token("1/unknown", TokenSecret::new("whatever"));
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "unknown-token"));
    w.reject(get_h(URL, &h), &VerifyError::InvalidToken);
    // A token of another consumer is unknown for this one.
    let signer = OAuth1Authorizer::hmac_sha1(SHA1_ONLY_CK, ConsumerSecret::new(CS))
        .with_token(TOKEN, TokenSecret::new(TS));
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "foreign-token"));
    w.reject(get_h(URL, &h), &VerifyError::InvalidToken);
}

#[test]
fn test_empty_token_means_no_token() {
    // SECURITY.md §2: `oauth_token=""` is "no token" for lookup; the base string keeps it.
    let w = world();
    let mut oauth = base_oauth("empty-token");
    for p in oauth.iter_mut() {
        if p.0 == "oauth_token" {
            p.1 = "";
        }
    }
    let req = Request::new("GET", URL).unwrap();
    let bs = base_string(&req, &oauth);
    assert!(bs.contains("oauth_token%3D%26"), "{bs}");
    let sig = hmac_sha1(signing_key(CS, "").as_bytes(), bs.as_bytes());
    let h = header_from(&oauth, &sig);
    let tokens_before = w.lookup.token_calls.load(Ordering::SeqCst);
    let v = w.accept(get_h(URL, &h));
    assert_eq!(v.token, None);
    assert_eq!(w.lookup.token_calls.load(Ordering::SeqCst), tokens_before);
    // Dropping the empty token changes the base string, so the signature fails.
    let cut = rebuild(&h, |p| {
        remove(p, "oauth_token");
        set(p, "oauth_nonce", "empty-token-2");
    });
    w.reject(get_h(URL, &cut), &VerifyError::BadSignature);
}

#[test]
fn test_signature_too_short() {
    let w = world();
    let h = good_header(URL);
    let sig = params_of(&h)
        .into_iter()
        .find(|(n, _)| n == "oauth_signature")
        .unwrap()
        .1;
    // oauthlib: truncated HMAC is false.
    let m = rebuild(&h, |p| set(p, "oauth_signature", &sig[..sig.len() - 1]));
    w.reject(get_h(URL, &m), &VerifyError::BadSignature);
    // oauthlib: right-length-wrong-content PLAINTEXT is false.
    let plain = signer_with(SignatureMethod::Plaintext);
    let h = sign(&plain, "GET", URL, None, &ctx(NOW, "plain-short"));
    let good = format!("{CS}&{TS}");
    let wrong = format!("{}X", &good[..good.len() - 1]);
    let m = rebuild(&h, |p| set(p, "oauth_signature", &wrong));
    w.reject(get_h(URL, &m), &VerifyError::BadSignature);
    w.accept(get_h(URL, &h));
}

#[test]
fn test_ssl_enforcement() {
    let w = world();
    let http = "http://www.google.com/calendar/feeds/default/private/full";
    let plain = signer_with(SignatureMethod::Plaintext).dangerous_allow_insecure_plaintext();
    let h = sign(&plain, "GET", http, None, &ctx(NOW, "tls"));
    w.reject(get_h(http, &h), &VerifyError::InsecureTransport);
    // HMAC does not send the secrets, so plain http is allowed for it.
    let h = good_header(http);
    w.accept(get_h(http, &h));
}

#[test]
fn test_replay_rejected() {
    let w = world();
    let h = good_header(URL);
    w.accept(get_h(URL, &h));
    w.reject(get_h(URL, &h), &VerifyError::NonceReused);
    assert_eq!(w.v.nonces_stored(), 1);
}

#[test]
fn test_nonce_recorded_only_after_signature_verified() {
    let w = world();
    let h = good_header(URL);
    // The same tuple with a forged signature, an unknown consumer, an unknown token: none
    // may burn the genuine nonce.
    let forged = rebuild(&h, |p| {
        set(p, "oauth_signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    });
    w.reject(get_h(URL, &forged), &VerifyError::BadSignature);
    let other = rebuild(&h, |p| set(p, "oauth_consumer_key", "nobody.example.com"));
    w.reject(get_h(URL, &other), &VerifyError::InvalidConsumer);
    let tok = rebuild(&h, |p| set(p, "oauth_token", "1/nobody"));
    w.reject(get_h(URL, &tok), &VerifyError::InvalidToken);
    assert_eq!(w.v.nonces_stored(), 0);
    w.accept(get_h(URL, &h));
}

#[test]
fn test_replay_store_bounded() {
    let w = world_with(VerifierConfig {
        max_nonces: 3,
        timestamp_window: 100,
        ..VerifierConfig::default()
    });
    let signed: Vec<String> = (0..4)
        .map(|i| {
            sign(
                &hmac_signer(),
                "GET",
                URL,
                None,
                &ctx(NOW, &format!("b{i}")),
            )
        })
        .collect();
    for h in &signed[..3] {
        w.accept(get_h(URL, h));
    }
    // Full of live entries, all of this second: the oldest is forgotten to make room, and
    // with it everything as old, the new request included: refused, never replayable.
    w.reject(get_h(URL, &signed[3]), &VerifyError::TimestampForgotten);
    w.reject(get_h(URL, &signed[0]), &VerifyError::NonceReused);
    // A second later the consumer's fresh requests go in again.
    w.clock.advance(1);
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW + 1, "b-next"));
    w.accept(get_h(URL, &h));
    assert_eq!(w.v.nonces_stored(), 3);
    // Past the window the old entries leave.
    w.clock.advance(200);
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW + 201, "b-late"));
    w.accept(get_h(URL, &h));
    assert_eq!(w.v.nonces_stored(), 1);
}

#[test]
fn test_body_hash() {
    let w = world();
    let body = br#"{"entry":"x"}"#;
    let hash = STANDARD.encode(Sha1::digest(body));
    let mut oauth = base_oauth("body-hash");
    oauth.push(("oauth_body_hash", &hash));
    let sig = hand_sign("POST", URL, None, &oauth);
    let h = header_from(&oauth, &sig);
    let v = w.accept(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_body(body),
    );
    assert!(v.params.iter().all(|(n, _)| n != "oauth_body_hash"));
    // Any other body fails the hash.
    let mut oauth2 = base_oauth("body-hash-2");
    oauth2.push(("oauth_body_hash", &hash));
    let sig2 = hand_sign("POST", URL, None, &oauth2);
    let h2 = header_from(&oauth2, &sig2);
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h2)
            .with_body(b"{\"entry\":\"y\"}"),
        &VerifyError::BodyHashMismatch,
    );
    // No body: the hash is over the empty string.
    let empty = STANDARD.encode(Sha1::digest(b""));
    assert_eq!(empty, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    let mut oauth3 = base_oauth("body-hash-3");
    oauth3.push(("oauth_body_hash", &empty));
    let sig3 = hand_sign("GET", URL, None, &oauth3);
    w.accept(get_h(URL, &header_from(&oauth3, &sig3)));
}

#[test]
fn test_malformed_header() {
    let w = world();
    let h = good_header(URL);
    let rows = [
        h.replace("oauth_nonce=\"", "oauth_nonce="),
        format!("{h}, oauth_x=\"open"),
        h.replace(", oauth_token=", " oauth_token="),
        // A raw comma inside quotes makes parameter boundaries ambiguous.
        h.replace("oauth_nonce=\"", "oauth_nonce=\"a,"),
    ];
    for row in &rows {
        assert_ne!(row, &h);
        w.reject_malformed_header(get_h(URL, row));
    }
    // Another scheme is not ours: ignored, so the OAuth parameters are simply missing.
    w.reject(
        get_h(URL, "Bearer ya29.abc"),
        &VerifyError::MissingParam("oauth_consumer_key"),
    );
    let url = with_query(URL, &params_of(&h));
    w.accept(get_h(&url, "AuthSub token=\"abc\""));
    // A raw '/' or '=' inside quotes decodes to itself: accepted for interoperability.
    let raw = h.replace("%2F", "/").replace("%3D", "=");
    assert_ne!(raw, h);
    world().accept(get_h(URL, &raw));
}

#[test]
fn test_bad_request() {
    let w = world();
    let h = good_header(URL);
    for url in [
        "not a url",
        "ftp://example.com/x",
        "http://example.com/%zz",
        "http://example.com/?a=%zz",
        "http://example.com/?a=%FF",
        "http://example.com:0/",
    ] {
        w.reject_bad_request(get_h(url, &h));
    }
    w.reject_bad_request(ReceivedRequest::new("GE T", URL).with_authorization(&h));
    w.reject_bad_request(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body("a=%"),
    );
}

#[test]
fn test_realm_excluded_from_signature() {
    let w = world();
    let signer = hmac_signer().with_realm("Photos").unwrap();
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "realm"));
    let changed = h.replace("realm=\"Photos\"", "realm=\"http://other/\"");
    assert_ne!(changed, h);
    let v = w.accept(get_h(URL, &changed));
    assert_eq!(v.realm.as_deref(), Some("http://other/"));
    // A realm in the query is an ordinary, signed parameter.
    let url = format!("{URL}&realm=q");
    let h = good_header(&url);
    assert_eq!(w.accept(get_h(&url, &h)).param("realm"), Some("q"));
}

#[test]
fn test_two_legged_requestor_id_and_header_extras() {
    // Google 2LO: no token, xoauth_requestor_id in the query, key `consumer_secret&`.
    let w = world();
    let url = format!("{URL}&xoauth_requestor_id=user%40example.com");
    let signer = OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new(CS));
    let h = sign(&signer, "GET", &url, None, &ctx(NOW, "2lo"));
    let v = w.accept(get_h(&url, &h));
    assert_eq!(v.token, None);
    assert_eq!(v.param("xoauth_requestor_id"), Some("user@example.com"));
    // A non-oauth parameter in the header is signed too (RFC 5849 §3.4.1.3.1).
    let mut oauth = base_oauth("extra");
    oauth.push(("xoauth_displayname", "My App"));
    let sig = hand_sign("GET", URL, None, &oauth);
    let v = w.accept(get_h(URL, &header_from(&oauth, &sig)));
    assert_eq!(v.param("xoauth_displayname"), Some("My App"));
    let mut changed = oauth.clone();
    changed.pop();
    changed.push(("xoauth_displayname", "Evil"));
    changed[4].1 = "extra-2";
    w.reject(
        get_h(URL, &header_from(&changed, &sig)),
        &VerifyError::BadSignature,
    );
}

#[test]
fn test_callback_and_verifier_returned() {
    let w = world();
    let signer = hmac_signer()
        .with_callback("http://printer.example.com/ready")
        .with_verifier("hfdp7dh39dks9884");
    let h = sign(&signer, "POST", URL, None, &ctx(NOW, "cbv"));
    let v = w.accept(ReceivedRequest::new("POST", URL).with_authorization(&h));
    assert_eq!(
        v.callback.as_deref(),
        Some("http://printer.example.com/ready")
    );
    assert_eq!(v.verifier.as_deref(), Some("hfdp7dh39dks9884"));
    assert!(!format!("{v:?}").contains("hfdp7dh39dks9884"));
}

#[test]
fn test_oauthlib_strict_profile() {
    let w = world_with(VerifierConfig {
        profile: Profile::OauthlibStrict,
        ..VerifierConfig::default()
    });
    let signer = OAuth1Authorizer::hmac_sha1(STRICT_CK, ConsumerSecret::new(CS))
        .with_token(STRICT_TOKEN, TokenSecret::new(TS));
    for nonce in ["a".repeat(20), "Z9".repeat(15)] {
        let h = sign(&signer, "GET", URL, None, &ctx(NOW, &nonce));
        w.accept(get_h(URL, &h));
    }
    for nonce in [
        "a".repeat(19),
        "a".repeat(31),
        "abcdefghij-abcdefghij".into(),
    ] {
        let h = sign(&signer, "GET", URL, None, &ctx(NOW, &nonce));
        w.reject(get_h(URL, &h), &VerifyError::BadNonce);
    }
    // Google-shaped keys and tokens fail oauthlib's defaults.
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW, &"b".repeat(20)));
    w.reject(get_h(URL, &h), &VerifyError::BadConsumerKey);
    let google_token = OAuth1Authorizer::hmac_sha1(STRICT_CK, ConsumerSecret::new(CS))
        .with_token(TOKEN, TokenSecret::new(TS));
    let h = sign(&google_token, "GET", URL, None, &ctx(NOW, &"c".repeat(20)));
    w.reject(get_h(URL, &h), &VerifyError::BadToken);
}

#[test]
fn test_oauth_problem_and_status() {
    let rows: Vec<(VerifyError, &str, u16)> = vec![
        (
            VerifyError::MalformedHeader(HeaderError::Unquoted),
            "parameter_rejected",
            400,
        ),
        (
            VerifyError::DuplicateProtocolParam("oauth_nonce".into()),
            "parameter_rejected",
            400,
        ),
        (
            VerifyError::ParamsInMultipleLocations,
            "parameter_rejected",
            400,
        ),
        (
            VerifyError::MissingParam("oauth_nonce"),
            "parameter_absent",
            400,
        ),
        (VerifyError::UnsupportedVersion, "version_rejected", 400),
        (
            VerifyError::UnsupportedSignatureMethod,
            "signature_method_rejected",
            400,
        ),
        (
            VerifyError::SignatureMethodNotAllowed,
            "signature_method_rejected",
            400,
        ),
        (
            VerifyError::InsecureTransport,
            "signature_method_rejected",
            400,
        ),
        (VerifyError::BadTimestamp, "timestamp_refused", 400),
        (
            VerifyError::TimestampOutOfWindow { skew: 601 },
            "timestamp_refused",
            401,
        ),
        (VerifyError::BadNonce, "parameter_rejected", 401),
        (VerifyError::InvalidConsumer, "consumer_key_unknown", 401),
        (VerifyError::InvalidToken, "token_rejected", 401),
        (VerifyError::BadSignature, "signature_invalid", 401),
        (VerifyError::BodyHashMismatch, "signature_invalid", 401),
        (VerifyError::BodyHashNotAllowed, "parameter_rejected", 400),
        (VerifyError::NonceReused, "nonce_used", 401),
        (VerifyError::ReplayStoreFull, "nonce_used", 503),
        (VerifyError::TimestampForgotten, "timestamp_refused", 401),
    ];
    for (e, problem, status) in rows {
        assert_eq!(e.oauth_problem(), problem, "{e:?}");
        assert_eq!(e.http_status(), status, "{e:?}");
    }
}

#[test]
fn test_no_secret_in_errors_or_debug() {
    let w = world();
    let plain = signer_with(SignatureMethod::Plaintext);
    let h = sign(&plain, "GET", URL, None, &ctx(NOW, "leak-test"));
    let url = with_query(URL, &params_of(&h));
    let mut texts = vec![
        format!("{:?}", get_h(URL, &h)),
        format!("{:?}", get(&url)),
        format!("{:?}", w.v),
        format!("{:?}", w.lookup.consumers.get(CK).unwrap()),
    ];
    let mutations = [
        rebuild(&h, |p| set(p, "oauth_signature", &format!("{CS}&{TS}x"))),
        rebuild(&h, |p| set(p, "oauth_version", &format!("{CS}&{TS}"))),
        rebuild(&h, |p| {
            set(p, "oauth_signature_method", &format!("{CS}&{TS}"))
        }),
        rebuild(&h, |p| {
            p.push(("oauth_signature".into(), format!("{CS}&{TS}")))
        }),
        rebuild(&h, |p| set(p, "oauth_consumer_key", "nobody")),
    ];
    for m in &mutations {
        let e = w.check(get_h(URL, m)).unwrap_err();
        texts.push(format!("{e} {e:?}"));
    }
    let v = w.accept(get_h(URL, &h));
    texts.push(format!("{v:?}"));
    for t in texts {
        assert!(!t.contains("canary"), "secret leaked: {t}");
    }
}

#[test]
fn test_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier<TestLookup>>();
    assert_send_sync::<Verifier<Arc<TestLookup>>>();

    // The same request from 8 threads at once: exactly one is accepted.
    let w = Arc::new(world());
    let h = Arc::new(good_header(URL));
    let results: Vec<Result<Verified, VerifyError>> = (0..8)
        .map(|_| {
            let (w, h) = (w.clone(), h.clone());
            std::thread::spawn(move || w.v.verify(&get_h(URL, &h)))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        results
            .iter()
            .filter(|r| **r == Err(VerifyError::NonceReused))
            .count(),
        7
    );
}

// ---------------------------------------------------------------------------------------------
// Fixed known-answer vectors (copied from /work/shared/vectors/oauth1.json; see fixtures/SOURCES.md)

#[test]
fn vector_rfc5849_1_2_protected_resource() {
    // RFC 5849 §1.2, the photos request (id sig-rfc5849-1.2-photos).
    let mut lookup = TestLookup::default();
    lookup.add_consumer(
        "dpf43f3p2l4k3l03",
        ConsumerCredential::hmac(ConsumerSecret::new("kd94hf93k423kf44")),
    );
    lookup.add_token("dpf43f3p2l4k3l03", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00");
    let w = world_from(lookup, VerifierConfig::default());
    w.clock.set(137_131_202);
    let url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
    let h = "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
             oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", \
             oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", \
             oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"";
    let v = w.accept(get_h(url, h));
    assert_eq!(v.realm.as_deref(), Some("Photos"));
    assert_eq!(v.param("file"), Some("vacation.jpg"));
    w.reject(get_h(url, h), &VerifyError::NonceReused);
    // One character of the signature off.
    let bad = h.replace("sui9I", "sui9J");
    w.reject(get_h(url, &bad), &VerifyError::BadSignature);
}

#[test]
fn vector_core_1_0a_appendix_a() {
    // OAuth Core 1.0a Appendix A.5 (id sig-core10a-appA-photos): signature tR3+Ty81….
    let mut lookup = TestLookup::default();
    lookup.add_consumer(
        "dpf43f3p2l4k3l03",
        ConsumerCredential::hmac(ConsumerSecret::new("kd94hf93k423kf44")),
    );
    lookup.add_token("dpf43f3p2l4k3l03", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00");
    let w = world_from(lookup, VerifierConfig::default());
    w.clock.set(1_191_242_096);
    let url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
    let h = build_header(
        None,
        &[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_signature", "tR3+Ty81lMeYAr/Fid0kMTYa/WM="),
            ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"),
            ("oauth_version", "1.0"),
        ],
    )
    .unwrap();
    w.accept(get_h(url, &h));
}

#[test]
fn vector_rfc5849_2_3_plaintext() {
    // RFC 5849 §2.3 (id sig-rfc5849-2.3-plaintext): PLAINTEXT, no timestamp or nonce.
    let mut lookup = TestLookup::default();
    lookup.add_consumer(
        "jd83jd92dhsh93js",
        ConsumerCredential::hmac(ConsumerSecret::new("ja893SD9")),
    );
    lookup.add_token("jd83jd92dhsh93js", "hdk48Djdsa", "xyz4992k83j47x0b");
    let w = world_from(lookup, VerifierConfig::default());
    let h = "OAuth realm=\"Example\", oauth_consumer_key=\"jd83jd92dhsh93js\", \
             oauth_token=\"hdk48Djdsa\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_verifier=\"473f82d3\", oauth_signature=\"ja893SD9%26xyz4992k83j47x0b\"";
    let v = w.accept(
        ReceivedRequest::new("POST", "https://server.example.com/request_token")
            .with_authorization(h),
    );
    assert_eq!(v.verifier.as_deref(), Some("473f82d3"));
    assert_eq!(v.timestamp, None);
    assert_eq!(w.v.nonces_stored(), 0);
}

#[cfg(feature = "rsa")]
#[test]
fn vector_oauth_net_rsa_sha1() {
    // oauth.net wiki TestCases "RSA-SHA1 (section 9.3)" (id sig-wiki-rsa-sha1-photos), with
    // the published 1024-bit key; "vacaction" is the published spelling.
    let key = RsaSigningKey::from_pem(OAUTH_NET_RSA1024)
        .unwrap()
        .verifying_key();
    let mut lookup = TestLookup::default();
    lookup.add_consumer("dpf43f3p2l4k3l03", ConsumerCredential::rsa(key));
    let w = world_from(lookup, VerifierConfig::default());
    w.clock.set(1_196_666_512);
    let url = "http://photos.example.net/photos?file=vacaction.jpg&size=original";
    let sig = "jvTp/wX1TYtByB1m+Pbyo0lnCOLIsyGCH7wke8AUs3BpnwZJtAuEJkvQL2/9n4s5wUmUl4aCI4BwpraNx4\
               RtEXMe5qg5T1LVTGliMRpKasKsW//e+RinhejgCuzoH26dyF8iY2ZZ/5D1ilgeijhV/vBka5twt399mXwa\
               YdCwFYE=";
    let h = build_header(
        None,
        &[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_signature_method", "RSA-SHA1"),
            ("oauth_signature", sig),
            ("oauth_timestamp", "1196666512"),
            ("oauth_nonce", "13917289812797014437"),
            ("oauth_version", "1.0"),
        ],
    )
    .unwrap();
    assert_eq!(
        w.accept(get_h(url, &h)).signature_method,
        SignatureMethod::RsaSha1
    );
}

// ---------------------------------------------------------------------------------------------
// SECURITY.md §5.1, rows 1–24

#[test]
fn row_01_same_param_twice_in_header() {
    let w = world();
    let h = good_header(URL);
    for name in [
        "oauth_nonce",
        "oauth_signature",
        "oauth_token",
        "oauth_unknown_ext",
    ] {
        // Present once already, or (the extension name) added twice.
        let dup = if h.contains(name) {
            format!("{h}, {name}=\"x\"")
        } else {
            format!("{h}, {name}=\"x\", {name}=\"y\"")
        };
        w.reject(
            get_h(URL, &dup),
            &VerifyError::DuplicateProtocolParam(name.into()),
        );
    }
    // The realm twice is refused as well.
    let dup = format!("OAuth realm=\"a\", realm=\"b\", {}", &h[6..]);
    w.reject(
        get_h(URL, &dup),
        &VerifyError::DuplicateProtocolParam("realm".into()),
    );
    w.accept(get_h(URL, &h));
}

#[test]
fn row_02_version_twice_in_query_or_body() {
    let w = world();
    let h = good_header(URL);
    let mut params = params_of(&h);
    params.push(("oauth_version".into(), "b".into()));
    let url = with_query(URL, &params);
    w.reject(
        get(&url),
        &VerifyError::DuplicateProtocolParam("oauth_version".into()),
    );
    let body = form_encode(&params);
    w.reject(
        ReceivedRequest::new("POST", URL).with_form_body(&body),
        &VerifyError::DuplicateProtocolParam("oauth_version".into()),
    );
}

#[test]
fn row_03_params_in_header_and_body_or_query() {
    // SECURITY.md row 3 under the strict profile (RFC 5849 §3.5). The Google profile accepts
    // a split placement (test_google_profile_accepts_params_split_across_locations) but
    // still refuses every repeated name, as here.
    let strict = strict_world();
    let google = world();
    let h = good_header(URL);
    let all = form_encode(&params_of(&h));
    let body_too = ReceivedRequest::new("POST", URL)
        .with_authorization(&h)
        .with_form_body(&all);
    strict.reject(body_too, &VerifyError::ParamsInMultipleLocations);
    google.reject(
        body_too,
        &VerifyError::DuplicateProtocolParam("oauth_consumer_key".into()),
    );
    let url = format!("{URL}&{all}");
    strict.reject(get_h(&url, &h), &VerifyError::ParamsInMultipleLocations);
    google.reject(
        get_h(&url, &h),
        &VerifyError::DuplicateProtocolParam("oauth_consumer_key".into()),
    );
    // Splitting the set between header and query: refused by the strict profile only (the
    // base string, and so the signature, is the same wherever each parameter sits).
    let split = rebuild(&h, |p| remove(p, "oauth_nonce"));
    let url = format!("{URL}&oauth_nonce={NONCE}");
    strict.reject(get_h(&url, &split), &VerifyError::ParamsInMultipleLocations);
    assert_eq!(
        google.accept(get_h(&url, &split)).nonce.as_deref(),
        Some(NONCE)
    );
    world().accept(get_h(URL, &h));
}

#[test]
fn row_04_upper_and_mixed_case_names_are_not_protocol() {
    let w = world();
    let h = good_header(URL);
    for spelling in ["OAUTH_SIGNATURE", "OAuth_Signature", "oauth_Signature"] {
        let mut params = params_of(&h);
        for (n, _) in params.iter_mut() {
            if n == "oauth_signature" {
                *n = spelling.into();
            }
        }
        let url = with_query(URL, &params);
        w.reject(get(&url), &VerifyError::MissingParam("oauth_signature"));
    }
    w.accept(get_h(URL, &h));
}

#[test]
fn row_05_each_required_param_missing() {
    let w = world();
    for (signer, method) in [
        (hmac_signer(), "HMAC-SHA1"),
        (signer_with(SignatureMethod::Plaintext), "PLAINTEXT"),
    ] {
        let h = sign(&signer, "GET", URL, None, &ctx(NOW, "row5"));
        for name in [
            "oauth_consumer_key",
            "oauth_signature_method",
            "oauth_signature",
        ] {
            let cut = rebuild(&h, |p| remove(p, name));
            w.reject(get_h(URL, &cut), &VerifyError::MissingParam(name));
        }
        // Timestamp and nonce: required for HMAC; PLAINTEXT may drop both but not one.
        let only_nonce = rebuild(&h, |p| remove(p, "oauth_timestamp"));
        w.reject(
            get_h(URL, &only_nonce),
            &VerifyError::MissingParam("oauth_timestamp"),
        );
        let only_ts = rebuild(&h, |p| remove(p, "oauth_nonce"));
        w.reject(
            get_h(URL, &only_ts),
            &VerifyError::MissingParam("oauth_nonce"),
        );
        let neither = rebuild(&h, |p| {
            remove(p, "oauth_nonce");
            remove(p, "oauth_timestamp");
        });
        let out = w.check(get_h(URL, &neither));
        if method == "PLAINTEXT" {
            assert!(out.is_ok(), "{out:?}");
        } else {
            assert_eq!(out, Err(VerifyError::MissingParam("oauth_timestamp")));
        }
    }
}

#[test]
fn row_06_version_2_0() {
    let w = world();
    let h = good_header(URL);
    let m = rebuild(&h, |p| set(p, "oauth_version", "2.0"));
    w.reject(get_h(URL, &m), &VerifyError::UnsupportedVersion);
    let url = with_query(URL, &params_of(&m));
    w.reject(get(&url), &VerifyError::UnsupportedVersion);
}

#[test]
fn row_07_malformed_timestamps() {
    let w = world();
    let h = good_header(URL);
    for bad in [
        "123456789a",
        "-1",
        "1e9",
        "99999999999999999999",
        "",
        " 1700000000",
        "0x10",
    ] {
        let m = rebuild(&h, |p| set(p, "oauth_timestamp", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadTimestamp);
    }
    // A 20-digit value that fits u64 is well-formed, just far outside the window.
    let m = rebuild(&h, |p| set(p, "oauth_timestamp", "12345678901234567890"));
    assert!(matches!(
        w.check(get_h(URL, &m)),
        Err(VerifyError::TimestampOutOfWindow { skew: i64::MIN })
    ));
}

#[test]
fn row_08_timestamp_window() {
    let w = world();
    for (offset, ok) in [
        (-601i64, false),
        (601, false),
        (-600, true),
        (600, true),
        (-599, true),
        (599, true),
    ] {
        let ts = NOW.checked_add_signed(offset).unwrap();
        let h = sign(
            &hmac_signer(),
            "GET",
            URL,
            None,
            &ctx(ts, &format!("w{offset}")),
        );
        let out = w.check(get_h(URL, &h));
        if ok {
            assert!(out.is_ok(), "offset {offset}: {out:?}");
        } else {
            assert_eq!(
                out,
                Err(VerifyError::TimestampOutOfWindow { skew: -offset })
            );
        }
    }
    // The window is configurable.
    let narrow = world_with(VerifierConfig {
        timestamp_window: 30,
        ..VerifierConfig::default()
    });
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW - 31, "narrow"));
    narrow.reject(
        get_h(URL, &h),
        &VerifyError::TimestampOutOfWindow { skew: 31 },
    );
    let h = sign(&hmac_signer(), "GET", URL, None, &ctx(NOW - 30, "narrow"));
    narrow.accept(get_h(URL, &h));
}

#[test]
fn row_09_replay_of_identical_tuple() {
    let w = world();
    let h = good_header(URL);
    w.accept(get_h(URL, &h));
    w.reject(get_h(URL, &h), &VerifyError::NonceReused);
    // The same tuple moved to the query is the same tuple.
    let url = with_query(URL, &params_of(&h));
    w.reject(get(&url), &VerifyError::NonceReused);
    // Still refused later within the window.
    w.clock.advance(500);
    w.reject(get_h(URL, &h), &VerifyError::NonceReused);
}

#[test]
fn row_10_same_nonce_other_token_timestamp_or_consumer() {
    let w = world();
    let n = "shared-nonce";
    w.accept(get_h(
        URL,
        &sign(&hmac_signer(), "GET", URL, None, &ctx(NOW, n)),
    ));
    let other_token = OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new(CS))
        .with_token(TOKEN2, TokenSecret::new(TS2));
    w.accept(get_h(
        URL,
        &sign(&other_token, "GET", URL, None, &ctx(NOW, n)),
    ));
    let no_token = OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new(CS));
    w.accept(get_h(URL, &sign(&no_token, "GET", URL, None, &ctx(NOW, n))));
    w.accept(get_h(
        URL,
        &sign(&hmac_signer(), "GET", URL, None, &ctx(NOW + 1, n)),
    ));
    let other_consumer = OAuth1Authorizer::hmac_sha1(SHA1_ONLY_CK, ConsumerSecret::new(CS));
    w.accept(get_h(
        URL,
        &sign(&other_consumer, "GET", URL, None, &ctx(NOW, n)),
    ));
    assert_eq!(w.v.nonces_stored(), 5);
}

#[test]
fn row_11_bad_nonces() {
    let w = world();
    let h = good_header(URL);
    // Default profile: 1..=256 characters from the Google charset.
    let huge = "n".repeat(10_000);
    for bad in ["", "a\0b", "a b", "caf\u{e9}", "a%b", &"n".repeat(257)] {
        let m = rebuild(&h, |p| set(p, "oauth_nonce", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadNonce);
    }
    // 10 000 characters do not fit a header; in the query they reach the nonce check.
    let mut params = params_of(&h);
    set(&mut params, "oauth_nonce", &huge);
    w.reject(get(&with_query(URL, &params)), &VerifyError::BadNonce);
    // oauthlib's strict profile: 19 and 31 refused.
    let strict = world_with(VerifierConfig {
        profile: Profile::OauthlibStrict,
        ..VerifierConfig::default()
    });
    let signer = OAuth1Authorizer::hmac_sha1(STRICT_CK, ConsumerSecret::new(CS));
    for len in [0, 19, 31] {
        let h = sign(&signer, "GET", URL, None, &ctx(NOW, &"x".repeat(len)));
        strict.reject(get_h(URL, &h), &VerifyError::BadNonce);
    }
}

#[test]
fn row_12_unknown_consumer_does_the_same_work() {
    let w = world();
    let unknown = "unknown.example.com";
    let signer = OAuth1Authorizer::hmac_sha1(unknown, ConsumerSecret::new("guess"))
        .with_token(TOKEN, TokenSecret::new(TS));
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "u1"));
    let tokens_before = w.lookup.token_calls.load(Ordering::SeqCst);
    w.reject(get_h(URL, &h), &VerifyError::InvalidConsumer);
    // The token was still looked up, as for a known consumer.
    assert_eq!(
        w.lookup.token_calls.load(Ordering::SeqCst),
        tokens_before + 1
    );
    // Signed with the dummy-like or the real secret: still unknown.
    let signer = OAuth1Authorizer::hmac_sha1(unknown, ConsumerSecret::new(CS));
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "u2"));
    w.reject(get_h(URL, &h), &VerifyError::InvalidConsumer);
    // PLAINTEXT and RSA-SHA1 claims from unknown consumers.
    let plain =
        OAuth1Authorizer::with_secret(unknown, ConsumerSecret::new(CS), SignatureMethod::Plaintext)
            .unwrap();
    let h = sign(&plain, "GET", URL, None, &ctx(NOW, "u3"));
    w.reject(get_h(URL, &h), &VerifyError::InvalidConsumer);
    #[cfg(feature = "rsa")]
    {
        let rsa = OAuth1Authorizer::rsa_sha1(unknown, rsa_signing_key());
        let h = sign(&rsa, "GET", URL, None, &ctx(NOW, "u4"));
        w.reject(get_h(URL, &h), &VerifyError::InvalidConsumer);
    }
}

#[test]
fn row_13_method_not_registered_for_consumer() {
    let w = world();
    // HMAC-SHA256 for an HMAC-SHA1-only consumer.
    let signer = OAuth1Authorizer::with_secret(
        SHA1_ONLY_CK,
        ConsumerSecret::new(CS),
        SignatureMethod::HmacSha256,
    )
    .unwrap();
    let h = sign(&signer, "GET", URL, None, &ctx(NOW, "m1"));
    w.reject(get_h(URL, &h), &VerifyError::SignatureMethodNotAllowed);
    #[cfg(feature = "rsa")]
    {
        // PLAINTEXT (over https) for an RSA-only consumer: no shared secret exists for it.
        let plain = OAuth1Authorizer::with_secret(
            RSA_CK,
            ConsumerSecret::new(""),
            SignatureMethod::Plaintext,
        )
        .unwrap();
        let h = sign(&plain, "GET", URL, None, &ctx(NOW, "m2"));
        w.reject(get_h(URL, &h), &VerifyError::SignatureMethodNotAllowed);
        // RSA-SHA1 claimed by an HMAC consumer: the key is never taken from the request.
        let rsa = OAuth1Authorizer::rsa_sha1(CK, rsa_signing_key());
        let h = sign(&rsa, "GET", URL, None, &ctx(NOW, "m3"));
        w.reject(get_h(URL, &h), &VerifyError::SignatureMethodNotAllowed);
    }
}

#[test]
fn row_14_plaintext_over_http() {
    let http = "http://127.0.0.1:8080/accounts/OAuthGetAccessToken";
    let plain = signer_with(SignatureMethod::Plaintext);
    // The signer refuses too.
    let req = Request::new("GET", http).unwrap();
    assert_eq!(
        plain.sign(&req, &ctx(NOW, "p")).unwrap_err(),
        gdata_auth::AuthorizeError::InsecurePlaintext
    );
    let h = sign(
        &plain.clone().dangerous_allow_insecure_plaintext(),
        "GET",
        http,
        None,
        &ctx(NOW, "p"),
    );
    world().reject(get_h(http, &h), &VerifyError::InsecureTransport);
    // The loopback opt-in.
    let opt_in = world_with(VerifierConfig {
        dangerous_allow_insecure_plaintext: true,
        ..VerifierConfig::default()
    });
    opt_in.accept(get_h(http, &h));
}

#[test]
fn row_15_signature_near_misses() {
    let w = world();
    let h = good_header(URL);
    let sig = params_of(&h)
        .into_iter()
        .find(|(n, _)| n == "oauth_signature")
        .unwrap()
        .1;
    assert_eq!(sig.len(), 28);
    assert!(sig.ends_with('='));
    let flipped = {
        let mut b = sig.clone().into_bytes();
        b[0] = if b[0] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    // HMAC-SHA1 is 20 bytes: the last Base64 digit before '=' carries 2 padding bits that
    // must be zero; setting one gives a non-canonical encoding of the same bytes.
    let last = sig.as_bytes()[26];
    let idx = STANDARD_ALPHABET.find(char::from(last)).unwrap();
    let noncanonical = format!(
        "{}{}=",
        &sig[..26],
        STANDARD_ALPHABET.chars().nth(idx | 1).unwrap()
    );
    assert_ne!(noncanonical, sig);
    let rows = [
        String::new(),
        sig[..sig.len() - 1].to_owned(),
        flipped,
        "!!!!".to_owned(),
        noncanonical,
        sig.trim_end_matches('=').to_owned(),
        format!("{sig}="),
        format!(" {sig}"),
    ];
    for bad in &rows {
        let m = rebuild(&h, |p| set(p, "oauth_signature", bad));
        w.reject(get_h(URL, &m), &VerifyError::BadSignature);
    }
    // None of them burned the nonce.
    w.accept(get_h(URL, &h));
}

const STANDARD_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[cfg(feature = "rsa")]
#[test]
fn row_16_rsa_other_key_small_and_huge_keys() {
    let w = world();
    let other = OAuth1Authorizer::rsa_sha1(RSA_CK, RsaSigningKey::from_pem(RSA1024_OTHER).unwrap());
    let h = sign(&other, "GET", URL, None, &ctx(NOW, "r1"));
    w.reject(get_h(URL, &h), &VerifyError::BadSignature);
    // A genuine RSA signature, truncated.
    let good = OAuth1Authorizer::rsa_sha1(RSA_CK, rsa_signing_key());
    let h = sign(&good, "GET", URL, None, &ctx(NOW, "r2"));
    let m = rebuild(&h, |p| {
        for (n, v) in p.iter_mut() {
            if n == "oauth_signature" {
                v.truncate(v.len() - 4);
            }
        }
    });
    w.reject(get_h(URL, &m), &VerifyError::BadSignature);
    w.accept(get_h(URL, &h));
    // 512-bit keys are refused when loaded; so are keys over 8192 bits.
    assert_eq!(
        RsaSigningKey::from_pem(RSA512).unwrap_err(),
        KeyError::Size { bits: 512 }
    );
    // At the ceiling: an 8192-bit public key loads (above the `rsa` crate's own 4096-bit
    // parser limit, so the size check is ours).
    let n = (rsa::BigUint::from(1u8) << 8192usize) - rsa::BigUint::from(1u8);
    let top =
        rsa::RsaPublicKey::new_with_max_size(n, rsa::BigUint::from(65_537u32), 16_384).unwrap();
    let top =
        rsa::pkcs8::EncodePublicKey::to_public_key_pem(&top, rsa::pkcs8::LineEnding::LF).unwrap();
    assert!(RsaVerifyingKey::from_pem(&top).is_ok());
    let n = (rsa::BigUint::from(1u8) << 8200usize) - rsa::BigUint::from(1u8);
    let huge =
        rsa::RsaPublicKey::new_with_max_size(n, rsa::BigUint::from(65_537u32), 16_384).unwrap();
    let huge =
        rsa::pkcs8::EncodePublicKey::to_public_key_pem(&huge, rsa::pkcs8::LineEnding::LF).unwrap();
    assert_eq!(
        RsaVerifyingKey::from_pem(&huge).unwrap_err(),
        KeyError::Size { bits: 8200 }
    );
}

#[test]
fn row_17_url_case_and_default_port() {
    let w = world();
    let h = sign(
        &hmac_signer(),
        "GET",
        "https://example.com/a",
        None,
        &ctx(NOW, "u17a"),
    );
    w.accept(get_h("HTTPS://Example.COM:443/a", &h));
    let h = sign(
        &hmac_signer(),
        "GET",
        "HTTPS://Example.COM:443/a",
        None,
        &ctx(NOW, "u17b"),
    );
    w.accept(get_h("https://example.com/a", &h));
    // The method is upper-cased in the base string.
    let h = sign(
        &hmac_signer(),
        "get",
        "https://example.com/a",
        None,
        &ctx(NOW, "u17c"),
    );
    w.accept(get_h("https://example.com/a", &h));
}

#[test]
fn row_18_ports() {
    let w = world();
    let same = [
        ("http://h.example:80/x", "http://h.example/x"),
        ("https://h.example:443/x", "https://h.example/x"),
    ];
    for (i, (signed, received)) in same.iter().enumerate() {
        let h = sign(
            &hmac_signer(),
            "GET",
            signed,
            None,
            &ctx(NOW, &format!("p{i}")),
        );
        w.accept(get_h(received, &h));
    }
    // A non-default port is kept: the URL without it is another URL.
    let differ = [
        ("http://h.example:443/x", "http://h.example/x"),
        ("https://h.example:80/x", "https://h.example/x"),
    ];
    for (i, (signed, received)) in differ.iter().enumerate() {
        let h = sign(
            &hmac_signer(),
            "GET",
            signed,
            None,
            &ctx(NOW, &format!("q{i}")),
        );
        w.reject(get_h(received, &h), &VerifyError::BadSignature);
        w.accept(get_h(signed, &h));
    }
    let h = good_header(URL);
    for bad in [
        "http://h.example:0/x",
        "http://h.example:65536/x",
        "http://h.example:abc/x",
    ] {
        w.reject_bad_request(get_h(bad, &h));
    }
}

#[test]
fn row_19_ipv6() {
    let w = world();
    let url = "http://[::1]:8080/x";
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "v6"));
    w.accept(get_h(url, &h));
    let h2 = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "v6b"));
    w.reject(get_h("http://[::1]/x", &h2), &VerifyError::BadSignature);
    w.reject_bad_request(get_h("http://[::1", &h2));
}

#[test]
fn row_20_path_and_query_encoding() {
    let w = world();
    let url = "https://h.example/a%20b/c+d*~%2F/\u{e9}?q=a+b&s=%2A&t=~&u=%7e&v=%E2%82%AC&w=%2B";
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "e1"));
    let v = w.accept(get_h(url, &h));
    assert_eq!(v.param("q"), Some("a b"));
    assert_eq!(v.param("s"), Some("*"));
    assert_eq!(v.param("u"), Some("~"));
    assert_eq!(v.param("v"), Some("\u{20ac}"));
    assert_eq!(v.param("w"), Some("+"));
    // Query values are compared decoded: `%7e` = `~`, `+` = `%20`.
    let respelled =
        "https://h.example/a%20b/c+d*~%2F/\u{e9}?q=a%20b&s=*&t=%7E&u=~&v=%E2%82%AC&w=%2B";
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "e2"));
    w.accept(get_h(respelled, &h));
    // But `%2B` (a plus sign) is not `+` (a space).
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "e3"));
    let plus = url.replace("w=%2B", "w=+");
    w.reject(get_h(&plus, &h), &VerifyError::BadSignature);
    // Malformed escapes and invalid UTF-8.
    for bad in [
        "https://h.example/%zz",
        "https://h.example/%",
        "https://h.example/?a=%zz",
        "https://h.example/?a=%",
        "https://h.example/?a=%C3%28",
    ] {
        w.reject_bad_request(get_h(bad, &h));
    }
}

#[test]
fn row_21_flag_empty_and_repeated_params() {
    let w = world();
    let url = "https://h.example/x?flag&a=2&a=1&empty=";
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "f1"));
    let v = w.accept(get_h(url, &h));
    let want: Vec<(String, String)> = [("flag", ""), ("a", "2"), ("a", "1"), ("empty", "")]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(v.params, want);
    // Same parameters, other order and spelling: the same normalized string.
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "f2"));
    w.accept(get_h("https://h.example/x?a=1&empty&flag=&a=2", &h));
    // Dropping one of the repeated values changes it.
    let h = sign(&hmac_signer(), "GET", url, None, &ctx(NOW, "f3"));
    w.reject(
        get_h("https://h.example/x?flag&a=2&empty=", &h),
        &VerifyError::BadSignature,
    );
}

#[test]
fn row_22_non_form_body_not_signed() {
    let w = world();
    let h = sign(&hmac_signer(), "POST", URL, None, &ctx(NOW, "nf1"));
    // A JSON body is not part of the signature (RFC 5849 §3.4.1.3.1; §4.12 limitation).
    let v = w.accept(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_body(b"a=1&b=2"),
    );
    assert_eq!(v.params, vec![("alt".to_owned(), "json".to_owned())]);
    // The same bytes sent as a form body are signed, so the old signature fails.
    let h = sign(&hmac_signer(), "POST", URL, None, &ctx(NOW, "nf2"));
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body("a=1&b=2"),
        &VerifyError::BadSignature,
    );
}

#[test]
fn row_23_body_hash_on_form_or_mismatched() {
    let w = world();
    let body = b"<entry/>";
    let hash = STANDARD.encode(Sha1::digest(body));
    // On a form-encoded body: refused before any lookup.
    let mut oauth = base_oauth("bh1");
    oauth.push(("oauth_body_hash", &hash));
    let sig = hand_sign("POST", URL, Some("a=1"), &oauth);
    let h = header_from(&oauth, &sig);
    let calls = w.lookup.consumer_calls.load(Ordering::SeqCst);
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_form_body("a=1"),
        &VerifyError::BodyHashNotAllowed,
    );
    assert_eq!(w.lookup.consumer_calls.load(Ordering::SeqCst), calls);
    // Mismatched: wrong body, wrong hash, hash of another encoding.
    let mut oauth = base_oauth("bh2");
    oauth.push(("oauth_body_hash", &hash));
    let sig = hand_sign("POST", URL, None, &oauth);
    let h = header_from(&oauth, &sig);
    for other in [&b"<entry />"[..], b"", b"<entry/>\n"] {
        w.reject(
            ReceivedRequest::new("POST", URL)
                .with_authorization(&h)
                .with_body(other),
            &VerifyError::BodyHashMismatch,
        );
    }
    let hex_hash: String = Sha1::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut oauth = base_oauth("bh3");
    oauth.push(("oauth_body_hash", &hex_hash));
    let sig = hand_sign("POST", URL, None, &oauth);
    w.reject(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&header_from(&oauth, &sig))
            .with_body(body),
        &VerifyError::BodyHashMismatch,
    );
    // The matching body passes.
    w.accept(
        ReceivedRequest::new("POST", URL)
            .with_authorization(&h)
            .with_body(body),
    );
}

#[test]
fn row_24_header_abuse() {
    let w = world();
    let h = good_header(URL);
    let many = (0..10_000)
        .map(|i| format!("p{i}=\"v\""))
        .collect::<Vec<_>>()
        .join(", ");
    let sixty_five = (0..65)
        .map(|i| format!("p{i}=\"v\""))
        .collect::<Vec<_>>()
        .join(",");
    let rows = [
        // Unquoted value.
        h.replace("oauth_version=\"1.0\"", "oauth_version=1.0"),
        // Unterminated quote.
        format!("{h}, oauth_callback=\"oob"),
        // An escaped quote inside a value.
        h.replace("oauth_version=\"1.0\"", "oauth_version=\"1\\\".0\""),
        // A comma inside quotes.
        h.replace("oauth_version=\"1.0\"", "oauth_version=\"1,0\""),
        // 100 KB.
        format!("{h}, x=\"{}\"", "a".repeat(100 * 1024)),
        // 10 000 and 65 parameters.
        format!("OAuth {many}"),
        format!("OAuth {sixty_five}"),
        // NUL, CR LF.
        h.replace("oauth_version=\"1.0\"", "oauth_version=\"1.0\0\""),
        h.replace(", oauth_version", ",\r\n oauth_version"),
    ];
    for row in &rows {
        w.reject_malformed_header(get_h(URL, row));
    }
    w.accept(get_h(URL, &h));
}

// ---------------------------------------------------------------------------------------------
// Timing (coarse; run with `cargo test --release -- --ignored`)

#[test]
#[ignore = "timing-sensitive; run explicitly"]
fn timing_unknown_vs_known_consumer() {
    use std::time::{Duration, Instant};
    let w = world_with(VerifierConfig {
        timestamp_window: u64::MAX / 4,
        ..VerifierConfig::default()
    });
    // Known consumer, wrong secret (BadSignature) vs unknown consumer (InvalidConsumer).
    let known = OAuth1Authorizer::hmac_sha1(CK, ConsumerSecret::new("wrong"))
        .with_token(TOKEN, TokenSecret::new(TS));
    let unknown = OAuth1Authorizer::hmac_sha1("unknown.example.com", ConsumerSecret::new(CS))
        .with_token(TOKEN, TokenSecret::new(TS));
    let hk = sign(&known, "GET", URL, None, &ctx(NOW, "tk"));
    let hu = sign(&unknown, "GET", URL, None, &ctx(NOW, "tu"));
    let time = |h: &str, n: usize| -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            let _ = std::hint::black_box(w.v.verify(&get_h(URL, h)));
        }
        start.elapsed()
    };
    let (mut best_k, mut best_u) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        best_k = best_k.min(time(&hk, 2_000));
        best_u = best_u.min(time(&hu, 2_000));
    }
    let ratio = best_u.as_secs_f64() / best_k.as_secs_f64();
    eprintln!("HMAC known {best_k:?} unknown {best_u:?} ratio {ratio:.3}");
    assert!((0.7..1.4).contains(&ratio), "HMAC ratio {ratio}");

    #[cfg(feature = "rsa")]
    {
        let known =
            OAuth1Authorizer::rsa_sha1(RSA_CK, RsaSigningKey::from_pem(RSA1024_OTHER).unwrap());
        let unknown = OAuth1Authorizer::rsa_sha1("unknown.example.com", rsa_signing_key());
        let hk = sign(&known, "GET", URL, None, &ctx(NOW, "rk"));
        let hu = sign(&unknown, "GET", URL, None, &ctx(NOW, "ru"));
        let (mut best_k, mut best_u) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            best_k = best_k.min(time(&hk, 50));
            best_u = best_u.min(time(&hu, 50));
        }
        let ratio = best_u.as_secs_f64() / best_k.as_secs_f64();
        eprintln!("RSA known {best_k:?} unknown {best_u:?} ratio {ratio:.3}");
        assert!((0.7..1.4).contains(&ratio), "RSA ratio {ratio}");
    }
}
