//! SECURITY.md §5 ("secrets in logs"): every error the public API can produce and every
//! credential type is formatted — `Debug`, and `Display` where it exists — after being built
//! from inputs that carry a canary secret, and the canary must not appear.
//!
//! Errors are triggered through the API with the canary in the secret positions (secrets,
//! query and form values, key material); variants the API cannot trigger from outside are
//! constructed directly so that their formatting is still exercised.

use std::fmt::{Debug, Display};
use std::marker::PhantomData;

use gdata_auth::authsub::AuthSubError;
use gdata_auth::encoding::{self, EncodingError};
use gdata_auth::oauth1::header::parse_header;
use std::sync::Arc;

use gdata_auth::oauth1::verifier::{
    ConsumerCredential, CredentialLookup, ReceivedRequest, Verifier, VerifierConfig,
};
use gdata_auth::oauth1::{
    CallbackError, FlowError, HeaderError, OAuth1Authorizer, OAuth1Error, SignatureMethod,
};
use gdata_auth::AuthorizeError;
use gdata_auth::FixedClock;
use gdata_auth::{
    Authorization, ConsumerSecret, Context, Error, Request, RequestError, SecretString, TokenSecret,
};

const CANARY: &str = "CANARY-s3cr3t";

/// Asserts neither rendering of `value` holds the canary.
fn assert_clean_both<T: Debug + Display>(what: &str, value: &T) {
    let shown = value.to_string();
    assert!(!shown.contains(CANARY), "{what}: Display leaks: {shown}");
    assert!(!shown.is_empty(), "{what}: empty Display");
    assert_clean_debug(what, value);
}

/// Asserts `Debug` of `value` holds no canary.
fn assert_clean_debug<T: Debug>(what: &str, value: &T) {
    for debug in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(!debug.contains(CANARY), "{what}: Debug leaks: {debug}");
    }
}

/// Asserts that at least `min` errors came, and that neither rendering of any of them, nor
/// of the crate's [`Error`] wrapping it, holds the canary.
fn assert_errors_clean<E: Debug + Display>(errors: Vec<(&str, E)>, min: usize)
where
    Error: From<E>,
{
    assert!(errors.len() >= min, "only {} errors", errors.len());
    for (what, e) in errors {
        assert_clean_both(what, &e);
        assert_clean_both(what, &Error::from(e));
    }
}

/// A URL whose query carries the canary (query values are where tokens travel).
fn url_with_canary(base: &str) -> String {
    format!("{base}?access_token={CANARY}&x=1")
}

/// Each error kind, triggered through the API with the canary around.
fn request_errors() -> Vec<(&'static str, RequestError)> {
    let cases: Vec<(&str, Result<Request, RequestError>)> = vec![
        ("BadUrl", Request::new("GET", &url_with_canary("not a url"))),
        (
            "BadUrl ipv6",
            Request::new("GET", &url_with_canary("http://[::1")),
        ),
        (
            "UnsupportedScheme",
            Request::new("GET", &url_with_canary("ftp://h.example/")),
        ),
        (
            "BadPort",
            Request::new("GET", &url_with_canary("http://h.example:0/")),
        ),
        (
            "BadMethod",
            Request::new("GE T", &url_with_canary("http://h.example/")),
        ),
        (
            "BadEncoding path",
            Request::new("GET", &url_with_canary("http://h.example/%zz")),
        ),
        (
            "BadEncoding query",
            Request::new("GET", &format!("http://h.example/?pw={CANARY}%zz")),
        ),
        (
            "BadEncoding query utf8",
            Request::new("GET", &format!("http://h.example/?pw={CANARY}%FF")),
        ),
        (
            "BadEncoding form",
            Request::new("POST", "https://h.example/")
                .and_then(|r| r.with_form_body(&format!("Passwd={CANARY}%2"))),
        ),
    ];
    cases
        .into_iter()
        .map(|(what, r)| match r {
            Ok(req) => panic!("{what}: accepted: {req:?}"),
            Err(e) => (what, e),
        })
        .collect()
}

fn encoding_errors() -> Vec<(&'static str, EncodingError)> {
    let percent = format!("{CANARY}%z1");
    let utf8 = format!("{CANARY}%C3%28");
    let form = format!("Passwd={CANARY}%");
    vec![
        (
            "percent_decode",
            encoding::percent_decode(&percent).unwrap_err(),
        ),
        (
            "percent_decode utf8",
            encoding::percent_decode(&utf8).unwrap_err(),
        ),
        ("form_decode", encoding::form_decode(&percent).unwrap_err()),
        ("parse_form", encoding::parse_form(&form).unwrap_err()),
        (
            "check_escapes",
            encoding::check_escapes(&percent).unwrap_err(),
        ),
        (
            "parse_lines duplicate",
            encoding::parse_lines(format!("Auth={CANARY}\nAuth={CANARY}").as_bytes()).unwrap_err(),
        ),
        (
            "parse_lines control",
            encoding::parse_lines(format!("Auth={CANARY}\r").as_bytes()).unwrap_err(),
        ),
        (
            "parse_lines empty key",
            encoding::parse_lines(format!("={CANARY}").as_bytes()).unwrap_err(),
        ),
        (
            "parse_lines utf8",
            encoding::parse_lines(&[format!("Auth={CANARY}").as_bytes(), b"\xff"].concat())
                .unwrap_err(),
        ),
        (
            "parse_lines size",
            encoding::parse_lines(CANARY.repeat(10_000).as_bytes()).unwrap_err(),
        ),
    ]
}

fn oauth1_errors() -> Vec<(&'static str, OAuth1Error)> {
    let cs = || ConsumerSecret::new(CANARY);
    let ts = || TokenSecret::new(CANARY);
    let ctx = Context::fixed(1, "n");
    let http_req = Request::new("GET", &url_with_canary("http://h.example/")).unwrap();
    let mut out = vec![
        (
            "MissingRsaKey",
            OAuth1Authorizer::with_secret("k", cs(), SignatureMethod::RsaSha1).unwrap_err(),
        ),
        (
            "InsecurePlaintext",
            OAuth1Authorizer::with_secret("k", cs(), SignatureMethod::Plaintext)
                .unwrap()
                .with_token("t", ts())
                .sign(&http_req, &ctx)
                .unwrap_err()
                .into(),
        ),
        (
            "BadRealm",
            OAuth1Authorizer::hmac_sha1("k", cs())
                .with_realm(format!("{CANARY}\""))
                .unwrap_err(),
        ),
        (
            "UnsupportedSignatureMethod",
            SignatureMethod::parse("HMAC-MD5").unwrap_err(),
        ),
        ("Request", OAuth1Error::from(request_errors().remove(0).1)),
        // Not reachable from outside with a secret in hand: formatted all the same.
        (
            "RsaUnavailable",
            OAuth1Error::from(AuthorizeError::RsaUnavailable),
        ),
        ("RsaSign", OAuth1Error::from(AuthorizeError::RsaSign)),
        (
            "DuplicateParameter",
            OAuth1Error::from(HeaderError::DuplicateParameter("oauth_token".into())),
        ),
        (
            "CallbackError",
            OAuth1Error::from(FlowError::InvalidCallback(CallbackError::NotAbsolute)),
        ),
    ];
    // Strict header parsing, with the canary inside the header being parsed.
    for header in [
        format!("Basic {CANARY}"),
        format!("OAuth oauth_signature=\"{CANARY}"),
        format!("OAuth oauth_signature={CANARY}"),
        format!("OAuth oauth_signature=\"{CANARY}\\\"\""),
        format!("OAuth oauth_signature=\"{CANARY}%zz\""),
        format!("OAuth oauth_signature=\"{CANARY}\" x=\"y\""),
        format!("OAuth oauth_signature=\"{CANARY}\r\n\""),
        format!("OAuth realm=\"{CANARY}\", realm=\"{CANARY}\""),
        format!("OAuth a=\"{CANARY}{}\"", "x".repeat(9000)),
    ] {
        out.push(("parse_header", parse_header(&header).unwrap_err().into()));
    }
    out
}

#[cfg(feature = "rsa")]
fn rsa_errors() -> Vec<(&'static str, gdata_auth::KeyError)> {
    use gdata_auth::{RsaSigningKey, RsaVerifyingKey};
    let armored =
        |label: &str| format!("-----BEGIN {label}-----\n{CANARY}\n-----END {label}-----\n");
    let mut out = Vec::new();
    for label in ["PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"] {
        out.push((
            "BadRsaKey",
            RsaSigningKey::from_pem(&armored(label)).unwrap_err(),
        ));
    }
    for label in ["PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE", "X"] {
        out.push((
            "BadRsaKey public",
            RsaVerifyingKey::from_pem(&armored(label)).unwrap_err(),
        ));
    }
    // A real key below the size floor: refused for its size through the API.
    out.push((
        "KeyRejected",
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa512.pem")).unwrap_err(),
    ));
    out.push((
        "KeyFile",
        RsaSigningKey::from_pem_file(format!("/nonexistent/{CANARY}.pem")).unwrap_err(),
    ));
    out
}

#[test]
#[cfg(feature = "rsa")]
fn key_errors_hold_no_secret() {
    assert_errors_clean(rsa_errors(), 9);
}

#[test]
fn request_errors_hold_no_secret() {
    assert_errors_clean(request_errors(), 9);
}

#[test]
fn encoding_errors_hold_no_secret() {
    for (what, e) in encoding_errors() {
        assert_clean_both(what, &e);
        let wrapped = RequestError::BadEncoding {
            part: "query",
            source: e,
        };
        assert_clean_both(what, &wrapped);
        assert_clean_both(what, &Error::from(wrapped));
    }
}

#[test]
fn oauth1_errors_hold_no_secret() {
    assert_errors_clean(oauth1_errors(), 15);
}

/// A lookup that knows one consumer and one token, both with canary secrets.
struct CanaryLookup;

impl CredentialLookup for CanaryLookup {
    fn consumer(&self, key: &str) -> Option<ConsumerCredential> {
        (key == "ck").then(|| ConsumerCredential::hmac(ConsumerSecret::new(CANARY)))
    }
    fn token_secret(&self, _consumer: &str, token: &str) -> Option<TokenSecret> {
        (token == "tok").then(|| TokenSecret::new(CANARY))
    }
}

#[test]
fn verify_errors_hold_no_secret() {
    // Requests that carry the canary where an attacker or a careless client would put a
    // secret: as a PLAINTEXT signature, a verifier, a token, a query and a form value, in
    // the header, the query and the body; each refused for a different reason.
    let verifier = Verifier::new(
        CanaryLookup,
        Arc::new(FixedClock::new(1_700_000_000)),
        VerifierConfig::default(),
    );
    let plain_sig = format!("{CANARY}%26{CANARY}");
    let header = |extra: &str| {
        format!(
            "OAuth oauth_consumer_key=\"ck\", oauth_token=\"tok\", \
             oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1700000000\", \
             oauth_nonce=\"n1\", oauth_verifier=\"{CANARY}\", oauth_signature=\"{CANARY}\"{extra}"
        )
    };
    let url = url_with_canary("https://h.example/feed");
    let cases: Vec<(&str, String, Option<String>, Option<String>)> = vec![
        ("bad signature", url.clone(), Some(header("")), Some(format!("pw={CANARY}"))),
        (
            "duplicate signature",
            url.clone(),
            Some(header(&format!(", oauth_signature=\"{CANARY}\""))),
            None,
        ),
        (
            "PLAINTEXT over http",
            format!("http://h.example/?oauth_consumer_key=ck&oauth_signature_method=PLAINTEXT&oauth_signature={plain_sig}"),
            None,
            None,
        ),
        (
            "two locations",
            url.clone(),
            Some(header("")),
            Some(format!("oauth_token={CANARY}")),
        ),
        ("unknown token", url.clone(), Some(header("").replace("\"tok\"", &format!("\"{CANARY}\""))), None),
        ("malformed header", url.clone(), Some(format!("OAuth oauth_signature=\"{CANARY}")), None),
        ("stale", url.clone(), Some(header("").replace("1700000000", "1600000000")), None),
    ];
    for (what, url, auth, form) in &cases {
        let req = ReceivedRequest {
            method: "POST",
            url,
            authorization: auth.as_deref(),
            form_body: form.as_deref(),
            ..Default::default()
        };
        assert_clean_debug(what, &req);
        let e = verifier.verify(&req).expect_err(what);
        assert_clean_both(what, &e);
        assert_clean_both(what, &Error::from(e));
    }
}

/// Every AuthSub error kind, triggered through the API with the canary as the token (in the
/// reply, the header, the answer body) or in a URL's query, user info or fragment.
fn authsub_errors() -> Vec<(&'static str, AuthSubError)> {
    use gdata_auth::authsub::header::{build_secure_header, parse_header};
    use gdata_auth::authsub::verifier::verify;
    use gdata_auth::authsub::{self, Security, SessionToken, SingleUseToken};
    use gdata_auth::transport::{HttpRequest, HttpResponse, TransportError};

    let mut out: Vec<(&str, AuthSubError)> = Vec::new();
    for reply in [
        format!("?token={CANARY}%22"),
        format!("?token={CANARY}&token={CANARY}"),
        format!("?token={CANARY}%zz"),
        format!("?token={CANARY}+x"),
        format!("?token={CANARY}%0D%0A"),
        format!("?token={}", CANARY.repeat(50)),
        format!("https://app.example/cb?state={CANARY}"),
    ] {
        out.push((
            "parse_reply",
            authsub::parse_reply(&reply).unwrap_err().into(),
        ));
    }
    for next in [
        format!("https://{CANARY}@evil.example/"),
        format!("https://app.example/?token={CANARY}"),
        format!("https://app.example/#{CANARY}"),
        format!("http://app.example/?s={CANARY}"),
        format!("https://app.example/{CANARY}\r\n"),
        format!("https://app.example\\{CANARY}"),
        format!("javascript:{CANARY}"),
        format!("{CANARY}/relative"),
    ] {
        out.push(("NextUrl", authsub::NextUrl::new(&next).unwrap_err().into()));
    }
    let data = "GET https://h/ 1 n";
    for header in [
        format!("AuthSub token=\"{CANARY}"),
        format!("AuthSub token={CANARY}\"x"),
        format!("AuthSub token=\"{CANARY}\" realm=\"{CANARY}\""),
        format!("AuthSub token={CANARY} token={CANARY}"),
        format!("AuthSub token=\"{CANARY}\\\""),
        format!("AuthSub token=\"{CANARY}\"sig=\"x\""),
        format!("AuthSub token={CANARY} data={CANARY}"),
        format!("AuthSub token={CANARY} data=\"{data}\""),
        format!("AuthSub token={CANARY} data=\"{data}\" sig=\"s\" sigalg=\"dsa-sha1\""),
        format!("AuthSub token={CANARY}\r\n"),
        format!("AuthSub token={CANARY} {CANARY}"),
        format!("Bearer {CANARY}"),
        format!("AuthSub token={}", CANARY.repeat(700)),
    ] {
        out.push(("parse_header", parse_header(&header).unwrap_err().into()));
    }
    out.push((
        "build_secure_header",
        build_secure_header(CANARY, &format!("{data}\"{CANARY}"), "s")
            .unwrap_err()
            .into(),
    ));
    out.push((
        "AuthSubAuthorizer::new",
        authsub::AuthSubAuthorizer::new(
            &SessionToken::new(format!("{CANARY} x")),
            Security::NonSecure,
        )
        .unwrap_err()
        .into(),
    ));
    let answers = [
        HttpResponse::new(403, format!("Token invalid: {CANARY}")),
        HttpResponse::new(200, format!("Token={CANARY}\nToken={CANARY}")),
        HttpResponse::new(200, format!("Token={CANARY}\"")),
        HttpResponse::new(200, format!("Token={CANARY}\r")),
        HttpResponse::new(200, format!("Other={CANARY}")),
        HttpResponse::new(
            200,
            [format!("Token={CANARY}").as_bytes(), b"\xff"].concat(),
        ),
        HttpResponse::new(200, CANARY.repeat(10_000)),
    ];
    for answer in &answers {
        out.push((
            "parse_session_token",
            authsub::parse_session_token(answer).unwrap_err().into(),
        ));
        out.push((
            "parse_token_info",
            authsub::parse_token_info(answer).unwrap_err().into(),
        ));
    }
    let info = HttpResponse::new(
        200,
        format!("Target={CANARY}\nScope={CANARY}\nSecure={CANARY}"),
    );
    out.push((
        "parse_token_info flag",
        authsub::parse_token_info(&info).unwrap_err().into(),
    ));
    out.push((
        "parse_revoke",
        authsub::parse_revoke(&HttpResponse::new(401, CANARY))
            .unwrap_err()
            .into(),
    ));
    let failing = |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
        Err(TransportError::Connect("refused".into()))
    };
    out.push((
        "session_token transport",
        authsub::session_token(
            &gdata_auth::endpoints::Endpoints::google(),
            SingleUseToken::new(CANARY),
            &Security::NonSecure,
            &Context::now(),
        )
        .send_blocking(&failing)
        .unwrap_err(),
    ));

    // Secure: signing refusals, then every check of the provider's verifier on a request
    // whose token is the canary.
    let key =
        gdata_auth::RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs8.pem"))
            .unwrap();
    let cert = key.verifying_key();
    let secure =
        authsub::AuthSubAuthorizer::new(&SessionToken::new(CANARY), Security::secure(key)).unwrap();
    let url = url_with_canary("https://h.example/feed");
    let request = Request::new("GET", &url).unwrap();
    for ctx in [
        Context::fixed(1, format!("{CANARY} x")),
        Context {
            timestamp: None,
            nonce: None,
        },
    ] {
        out.push((
            "secure sign",
            secure.sign(&request, &ctx).unwrap_err().into(),
        ));
    }
    let good = secure
        .sign(&request, &Context::fixed(1_700_000_000, CANARY))
        .unwrap()
        .authorization
        .header_value()
        .to_owned();
    let clock = FixedClock::new(1_700_000_000);
    for (method, url, header, now) in [
        (
            "GET",
            url.as_str(),
            format!("AuthSub token={CANARY}"),
            1_700_000_000,
        ),
        (
            "GET",
            url.as_str(),
            format!("AuthSub token={CANARY} data=\"{CANARY}\" sig=\"s\" sigalg=\"rsa-sha1\""),
            1_700_000_000,
        ),
        ("POST", url.as_str(), good.clone(), 1_700_000_000),
        (
            "GET",
            "https://h.example/other",
            good.clone(),
            1_700_000_000,
        ),
        ("GET", url.as_str(), good.clone(), 1_800_000_000),
        (
            "GET",
            url.as_str(),
            good.replace("sig=\"", "sig=\"AAAA"),
            1_700_000_000,
        ),
        (
            "GET",
            url.as_str(),
            good.replace("sigalg=\"rsa-sha1\"", "x=\"y\""),
            1_700_000_000,
        ),
    ] {
        clock.set(now);
        let e = verify(method, url, &header, &cert, &clock, 600).unwrap_err();
        out.push(("verify", e.into()));
    }
    out
}

#[test]
fn authsub_errors_hold_no_secret() {
    assert_errors_clean(authsub_errors(), 50);
}

#[test]
fn authsub_credentials_are_redacted() {
    use gdata_auth::authsub::header::parse_header;
    use gdata_auth::authsub::verifier::verify;
    use gdata_auth::authsub::{self, Security, Session, SessionToken, SingleUseToken};
    use gdata_auth::encoding::KeyValueLines;

    assert_clean_debug("SingleUseToken", &SingleUseToken::new(CANARY));
    assert_clean_debug("SessionToken", &SessionToken::new(CANARY));
    let session = Session::new(SessionToken::new(CANARY), Some("20061004T123456Z".into()));
    assert_clean_debug("Session", &session);
    assert_clean_debug(
        "parse_reply",
        &authsub::parse_reply(&format!("?token={CANARY}")).unwrap(),
    );
    let lines = KeyValueLines::parse(format!("Token={CANARY}\nSID={CANARY}").as_bytes()).unwrap();
    assert_clean_debug("KeyValueLines", &lines);
    assert_eq!(lines.get("token"), Some(CANARY));
    assert_clean_debug(
        "ParsedHeader",
        &parse_header(&format!("AuthSub token={CANARY}")).unwrap(),
    );

    let key =
        gdata_auth::RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs8.pem"))
            .unwrap();
    let cert = key.verifying_key();
    let url = url_with_canary("https://h.example/feed");
    let request = Request::new("GET", &url).unwrap();
    let ctx = Context::fixed(1_700_000_000, "8413");
    for security in [Security::NonSecure, Security::secure(key)] {
        let auth = session.authorizer(security).unwrap();
        assert_clean_debug("AuthSubAuthorizer", &auth);
        let signed = auth.sign(&request, &ctx).unwrap();
        assert!(signed.authorization.header_value().contains(CANARY));
        assert_clean_debug("authsub::Signed", &signed);
        if let Some(data) = &signed.data {
            // The data string holds the URL's query, canary included: Debug must not.
            assert!(data.contains(CANARY));
            let v = verify(
                "GET",
                &url,
                signed.authorization.header_value(),
                &cert,
                &FixedClock::new(1_700_000_000),
                0,
            )
            .unwrap();
            assert_eq!(v.token.secret(), CANARY);
            assert_clean_debug("Verified", &v);
        }
        let req =
            authsub::prepare_token_info(&gdata_auth::endpoints::Endpoints::google(), &auth, &ctx)
                .unwrap();
        assert_clean_debug("prepared HttpRequest", &req);
    }
}

#[test]
fn secret_newtypes_are_redacted() {
    assert_clean_debug("ConsumerSecret", &ConsumerSecret::new(CANARY));
    assert_clean_debug("TokenSecret", &TokenSecret::new(CANARY));
    assert_clean_debug("SecretString", &SecretString::new(CANARY));
    // The value is still there for the code that must read it.
    assert_eq!(ConsumerSecret::new(CANARY).secret(), CANARY);
}

/// Autoref probe: `has_display!(T)` is true exactly when `T: Display` (the `&Probe` impl is
/// picked first when its bound holds, the by-value fallback otherwise).
struct Probe<T>(PhantomData<T>);
impl<T> Clone for Probe<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Probe<T> {}
trait ViaDisplay {
    fn has_display(self) -> bool;
}
impl<T: Display> ViaDisplay for &Probe<T> {
    fn has_display(self) -> bool {
        true
    }
}
trait ViaFallback {
    fn has_display(self) -> bool;
}
impl<T> ViaFallback for Probe<T> {
    fn has_display(self) -> bool {
        false
    }
}
macro_rules! has_display {
    ($t:ty) => {
        (&Probe::<$t>(PhantomData)).has_display()
    };
}

#[test]
fn credential_types_have_no_display() {
    // The probe works: errors and strings do have Display.
    assert!(has_display!(OAuth1Error));
    assert!(has_display!(String));
    assert!(!has_display!(ConsumerSecret));
    assert!(!has_display!(TokenSecret));
    assert!(!has_display!(SecretString));
    assert!(!has_display!(Authorization));
    assert!(!has_display!(OAuth1Authorizer));
    assert!(!has_display!(gdata_auth::oauth1::Signed));
    assert!(!has_display!(Request));
    assert!(!has_display!(gdata_auth::authsub::SingleUseToken));
    assert!(!has_display!(gdata_auth::authsub::SessionToken));
    assert!(!has_display!(gdata_auth::authsub::Session));
    assert!(!has_display!(gdata_auth::authsub::AuthSubAuthorizer));
    assert!(!has_display!(gdata_auth::authsub::Signed));
    assert!(!has_display!(gdata_auth::authsub::header::ParsedHeader));
    assert!(!has_display!(gdata_auth::authsub::verifier::Verified));
    assert!(!has_display!(gdata_auth::encoding::KeyValueLines));
    #[cfg(feature = "rsa")]
    assert!(!has_display!(gdata_auth::RsaSigningKey));
}

#[test]
fn authorization_is_redacted() {
    let a = Authorization::new(format!("OAuth oauth_signature=\"{CANARY}\""));
    assert_clean_debug("Authorization", &a);
    assert_eq!(a.scheme(), "OAuth");
}

#[test]
fn request_with_secret_parameters_is_redacted() {
    let req = Request::new("POST", &url_with_canary("https://h.example/feed"))
        .unwrap()
        .with_form([("Passwd", CANARY)]);
    assert_clean_debug("Request", &req);
    let from_body = Request::new("POST", "https://h.example/")
        .unwrap()
        .with_form_body(&format!("Passwd={CANARY}"))
        .unwrap();
    assert_clean_debug("Request form body", &from_body);
}

#[test]
fn authorizers_and_signatures_are_redacted() {
    let req = Request::new("POST", &url_with_canary("https://h.example/feed"))
        .unwrap()
        .with_form([("Passwd", CANARY)]);
    let ctx = Context::fixed(1_191_242_096, "nonce");
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::Plaintext,
    ] {
        let auth = OAuth1Authorizer::with_secret("k", ConsumerSecret::new(CANARY), method)
            .unwrap()
            .with_token("t", TokenSecret::new(CANARY))
            .with_verifier(CANARY)
            .with_callback(format!("https://cb.example/?state={CANARY}"));
        assert_clean_debug("OAuth1Authorizer", &auth);
        let signed = auth.sign(&req, &ctx).unwrap();
        // PLAINTEXT's signature *is* the secrets, and the base string holds every
        // parameter value: Debug must show neither.
        assert!(
            method != SignatureMethod::Plaintext || signed.signature.contains(CANARY),
            "the PLAINTEXT case must really carry the canary"
        );
        assert!(signed.base_string.contains(CANARY));
        assert_clean_debug("Signed", &signed);
        assert_clean_debug("Signed.authorization", &signed.authorization);
    }
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_keys_are_redacted() {
    use gdata_auth::RsaSigningKey;
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/keys/oauth_net_rsa1024_pkcs8.pem"
    ))
    .unwrap();
    let key = RsaSigningKey::from_pem(&pem).unwrap();
    let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(body.len() > 5);
    let auth = OAuth1Authorizer::rsa_sha1("k", key.clone());
    for debug in [format!("{key:?}"), format!("{key:#?}"), format!("{auth:?}")] {
        for line in &body {
            assert!(!debug.contains(line), "key material in Debug: {debug}");
        }
        // No long run of digits either (a modulus or exponent printed in decimal).
        let longest_digits = debug
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digits < 20, "number in Debug: {debug}");
    }
}

/// OAuth 2.0 errors, each triggered with the canary in the token, the client secret or the
/// answer's body.
fn oauth2_errors() -> Vec<(&'static str, gdata_auth::oauth2::OAuth2Error)> {
    use gdata_auth::oauth2::{parse_token_response, AccessToken, BearerAuthorizer, RefreshToken};
    use gdata_auth::transport::HttpResponse;
    let answer =
        |status, body: String| parse_token_response(HttpResponse::new(status, body)).unwrap_err();
    let big = format!("{CANARY}{}", "a".repeat(3000));
    vec![
        (
            "too large",
            BearerAuthorizer::new(AccessToken::new(big.clone())).unwrap_err(),
        ),
        (
            "bad token",
            RefreshToken::checked(format!("{CANARY} x")).unwrap_err(),
        ),
        (
            "refresh too large",
            answer(
                200,
                format!(r#"{{"access_token":"a","token_type":"Bearer","refresh_token":"{big}"}}"#),
            ),
        ),
        ("not json", answer(200, format!("access_token={CANARY}"))),
        (
            "duplicate",
            answer(
                200,
                format!(r#"{{"access_token":"{CANARY}","access_token":"{CANARY}"}}"#),
            ),
        ),
        (
            "bad expires_in",
            answer(
                200,
                format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":"{CANARY}"}}"#),
            ),
        ),
        ("http", answer(502, format!("<html>{CANARY}</html>"))),
        ("unknown code", answer(400, r#"{"error":"x"}"#.to_owned())),
        (
            "reconsent",
            answer(400, r#"{"error":"invalid_grant"}"#.to_owned()),
        ),
    ]
}

#[test]
fn oauth2_errors_hold_no_secret() {
    assert_errors_clean(oauth2_errors(), 9);
}

#[test]
fn oauth2_and_legacy_credentials_are_redacted() {
    use gdata_auth::legacy::from_blob;
    use gdata_auth::oauth2::{
        AccessToken, BearerAuthorizer, ClientCredentials, ClientSecret, OAuth2Token, RefreshToken,
    };
    let token = OAuth2Token::from_refresh_token("cid", RefreshToken::new(CANARY))
        .with_access_token(AccessToken::new(CANARY), Some(1));
    assert_clean_debug("OAuth2Token", &token);
    assert_clean_debug("StoredToken::OAuth2", &token.to_stored());
    assert_clean_debug(
        "ClientCredentials",
        &ClientCredentials::new("cid", ClientSecret::new(CANARY)),
    );
    assert_clean_debug(
        "BearerAuthorizer",
        &BearerAuthorizer::new(AccessToken::new("CANARYs3cr3t")).unwrap(),
    );
    for blob in [
        format!("1h|k|{CANARY}|t|{CANARY}|3||{CANARY}"),
        format!("2o|id|{CANARY}|s|ua|a|t|{CANARY}|{CANARY}"),
        format!("1s|{CANARY}|{CANARY}"),
        format!("1c|{CANARY}"),
    ] {
        assert_clean_debug("LegacyToken", &from_blob(&blob).unwrap());
    }
    assert_clean_both("BlobError", &from_blob(&format!("{CANARY}|x")).unwrap_err());
}
