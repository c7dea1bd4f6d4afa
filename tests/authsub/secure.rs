//! Secure AuthSub (PROTOCOLS.md §2.5): the authorizer signs `METHOD URL TIMESTAMP NONCE`
//! with the shared RSA-SHA1 keys and the public key verifies it (and a known answer
//! computed with OpenSSL reproduces); then the provider's check, rule by rule, each refusal
//! named by its [`VerifyError`].

use gdata_auth::authsub::header::{build_secure_header, parse_header};
use gdata_auth::authsub::verifier::{verify, Verified, DEFAULT_TIMESTAMP_WINDOW};
use gdata_auth::authsub::{
    AuthSubAuthorizer, DataError, HeaderError, Security, SessionToken, VerifyError,
};
use gdata_auth::{
    AuthorizeError, Authorizer, Context, FixedClock, Request, RsaSigningKey, RsaVerifyingKey,
};

use crate::{certificate, other_public_key, signing_key};

const TOKEN: &str = "CKF50YzIHxCTKMAg";
const URL: &str = "https://www.google.com/calendar/feeds/default/private/full?x=1";
const TS: u64 = 1_700_000_000;
const NONCE: &str = "123456789";
const DATA: &str =
    "GET https://www.google.com/calendar/feeds/default/private/full?x=1 1700000000 123456789";
/// RSA-SHA1 of [`DATA`] with `fixtures/keys/rsa2048_pkcs8.pem`, computed independently:
/// `printf '%s' "$DATA" | openssl dgst -sha1 -sign rsa2048_pkcs8.pem | base64 -w0`
/// (OpenSSL 3.0; PKCS#1 v1.5 is deterministic, so blinding leaves it unchanged).
const SIG: &str = "isSUuXTAnXosDQeLgitHyAzsEpXVDLMWH3B/1DTLd04d+2VKQatAAFIKaydydyv+G/xRDX67rjsRvRI2ZO8PmyQQfF0TEKnsDk56lIARnFjia6AD33pbDTeM4dY0pKf5a7GKvSooloG/BsI0Dz/IcWQW2HQdieZyWebyFJA4dYIg/fgOuxFRLRnhQ+dwm58cfLpZYxUxarhwK1okAT3EvFmIgqCR6r9M6kqIUFhBG05tVwhdLkPK1kRDyFUgqMJTCXIq7oRLWoSb7/Vr0xkwh5Q6Ur9fyl43r+SUu1nW0ivBxkFnpuZtjHP2gZ18qv8OFsqwrl6QAuJqnL82BtT56g==";
/// The same over the vector `authsub-data-put`'s data string, computed the same way.
const SIG_PUT: &str = "vHmxbgLhEBq9xvyVOZZfZMv4e7BjwHrRl8jHEVoXiUM43KZvZyDmKrQwQiunFm0oT+gmDsGUB6j2RMMpDx+hgP6QKmqaa6WDSr+TyFQFEkWBumHbTPE5W23FfY3JBuz68eFPlDciCs+iDjYJ0cVSMuqkIdSkg5Ef6CXHEFwkw1H27xi+SKC5KoeYs0H9sGHD6ZmrmWDOzhph9ujDwRbKcp7EAjX/bZPvzAsfFFDU6sOHFlz0ZO3UMpw1YccfHOVIojfdFpryfblU5VlkCdbM7Qut1BYHLIvwq59kDISA0oj60zPVbc5zbYkiZLvsXzRj5u8A0rTEmRpbeULLN7NSog==";

fn secure() -> AuthSubAuthorizer {
    AuthSubAuthorizer::new(&SessionToken::new(TOKEN), Security::secure(signing_key())).unwrap()
}

/// The usual request's secure header at the usual time and nonce.
fn header() -> String {
    let signed = secure()
        .sign(
            &Request::new("GET", URL).unwrap(),
            &Context::fixed(TS, NONCE),
        )
        .unwrap();
    signed.authorization.header_value().to_owned()
}

#[test]
fn secure_signing_reproduces_openssl_and_verifies_with_the_public_key() {
    let signed = secure()
        .sign(
            &Request::new("get", URL).unwrap(),
            &Context::fixed(TS, NONCE),
        )
        .unwrap();
    // The method is upper-cased, as the request sends it.
    assert_eq!(signed.data.as_deref(), Some(DATA));
    assert_eq!(signed.signature.as_deref(), Some(SIG));
    assert_eq!(
        signed.authorization.header_value(),
        format!("AuthSub token=\"{TOKEN}\" data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\"")
    );
    assert_eq!(signed.authorization.scheme(), "AuthSub");

    // Every form of the public key verifies it; another key, or other data, does not.
    let public = [
        certificate(),
        RsaVerifyingKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pub.pem")).unwrap(),
        signing_key().verifying_key(),
    ];
    for key in &public {
        assert!(key.verify(DATA.as_bytes(), SIG));
        assert!(!key.verify(DATA.replace("x=1", "x=2").as_bytes(), SIG));
    }
    assert!(!other_public_key().verify(DATA.as_bytes(), SIG));

    // The PKCS#1 file holds the same key: the same signature. Base64 on one line, no
    // newline every 76 characters (PY1's latent bug, PROTOCOLS.md §2.5).
    let pkcs1 =
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs1.pem")).unwrap();
    assert_eq!(pkcs1.sign(DATA.as_bytes()).unwrap(), SIG);
    assert_eq!(SIG.len(), 344);

    // The vector `authsub-data-put`'s data string, signed through a PUT request.
    let put = secure()
        .sign(
            &Request::new("PUT", "http://example.com/foo?a=1").unwrap(),
            &Context::fixed(1234567890, "mynonce"),
        )
        .unwrap();
    assert_eq!(
        put.data.as_deref(),
        Some("PUT http://example.com/foo?a=1 1234567890 mynonce")
    );
    assert_eq!(put.signature.as_deref(), Some(SIG_PUT));
}

#[test]
fn the_nonce_is_carried_as_given() {
    // PROTOCOLS.md §0: PY2's 15 digits, PY1's and JAVA's unsigned 64-bit numbers, ZEND's
    // up to 9 digits, and the 32 hex digits of this crate's own `OsNonce`.
    for nonce in [
        "802571289103468",
        "18446744073709551615",
        "42",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    ] {
        let signed = secure()
            .sign(
                &Request::new("GET", URL).unwrap(),
                &Context::fixed(TS, nonce),
            )
            .unwrap();
        let data = signed.data.clone().unwrap();
        // PROTOCOLS.md §2.5: `METHOD URL TIMESTAMP NONCE`, single spaces, the nonce as given.
        assert_eq!(data, format!("GET {URL} {TS} {nonce}"));
        let v = verify(
            "GET",
            URL,
            signed.authorization.header_value(),
            &certificate(),
            &FixedClock::new(TS),
            600,
        )
        .unwrap();
        assert_eq!(v.nonce, nonce);
    }
    // A fresh context: the nonce and time vary, the header still verifies.
    let now = Context::now();
    let signed = secure()
        .sign(&Request::new("GET", URL).unwrap(), &now)
        .unwrap();
    let clock = FixedClock::new(now.timestamp.unwrap());
    assert!(verify(
        "GET",
        URL,
        signed.authorization.header_value(),
        &certificate(),
        &clock,
        0
    )
    .is_ok());
}

#[test]
fn signing_needs_a_usable_timestamp_and_nonce() {
    let request = Request::new("GET", URL).unwrap();
    let rows = [
        (
            Context {
                timestamp: None,
                nonce: Some("n".into()),
            },
            AuthorizeError::MissingTimestampOrNonce,
        ),
        (
            Context {
                timestamp: Some(TS),
                nonce: None,
            },
            AuthorizeError::MissingTimestampOrNonce,
        ),
        (Context::fixed(TS, ""), AuthorizeError::BadNonce),
        (Context::fixed(TS, "a b"), AuthorizeError::BadNonce),
        (Context::fixed(TS, "a\"b"), AuthorizeError::BadNonce),
        (Context::fixed(TS, "a\\b"), AuthorizeError::BadNonce),
        (Context::fixed(TS, "a\r\nb"), AuthorizeError::BadNonce),
        (Context::fixed(TS, "caf\u{e9}"), AuthorizeError::BadNonce),
    ];
    for (ctx, want) in rows {
        assert_eq!(
            secure().authorize(&request, &ctx),
            Err(want.clone()),
            "{ctx:?}"
        );
        assert_eq!(secure().sign(&request, &ctx).map(|_| ()), Err(want));
    }
    // A raw backslash survives in a query (the URL Standard leaves it), and a quoted header
    // value would read it as an escape: refused, and `%5C` works.
    let backslash = Request::new("GET", "https://h.example/feed?q=a\\b").unwrap();
    assert!(backslash.url().contains('\\'));
    let ctx = Context::fixed(TS, NONCE);
    assert_eq!(
        secure().sign(&backslash, &ctx).map(|_| ()),
        Err(AuthorizeError::UnquotableUrl)
    );
    let encoded = Request::new("GET", "https://h.example/feed?q=a%5Cb").unwrap();
    assert!(secure().sign(&encoded, &ctx).is_ok());
    // Non-secure AuthSub signs nothing, so it needs neither.
    let plain = AuthSubAuthorizer::new(&SessionToken::new(TOKEN), Security::NonSecure).unwrap();
    let empty = Context {
        timestamp: None,
        nonce: None,
    };
    let signed = plain.sign(&request, &empty).unwrap();
    assert_eq!(
        (signed.data.as_deref(), signed.signature.as_deref()),
        (None, None)
    );
    assert_eq!(
        plain.authorize(&request, &empty).unwrap().header_value(),
        format!("AuthSub token=\"{TOKEN}\"")
    );
    assert!(!plain.is_secure() && secure().is_secure());
}

#[test]
fn authorizers_are_interchangeable_trait_objects() {
    let request = Request::new("GET", URL).unwrap();
    let ctx = Context::fixed(TS, NONCE);
    let authorizers: Vec<Box<dyn Authorizer>> = vec![
        Box::new(AuthSubAuthorizer::new(&SessionToken::new(TOKEN), Security::NonSecure).unwrap()),
        Box::new(secure()),
    ];
    let headers: Vec<String> = authorizers
        .iter()
        .map(|a| {
            a.authorize(&request, &ctx)
                .unwrap()
                .header_value()
                .to_owned()
        })
        .collect();
    assert_eq!(headers[0], format!("AuthSub token=\"{TOKEN}\""));
    assert_eq!(headers[1], header());
    // A token that cannot go into a header is refused when the authorizer is built.
    let bad = AuthSubAuthorizer::new(&SessionToken::new("a\r\nX: y"), Security::NonSecure);
    assert!(bad.is_err());
}

/// Runs the check with the usual key and a clock at `now`.
fn check(method: &str, url: &str, header: &str, now: u64) -> Result<Verified, VerifyError> {
    verify(
        method,
        url,
        header,
        &certificate(),
        &FixedClock::new(now),
        DEFAULT_TIMESTAMP_WINDOW,
    )
}

/// A secure header over `data` (signed with the usual key), for data the authorizer would
/// never produce.
fn header_over(data: &str) -> String {
    let sig = signing_key().sign(data.as_bytes()).unwrap();
    build_secure_header(TOKEN, data, &sig).unwrap()
}

#[test]
fn the_provider_accepts_what_the_clients_sent() {
    let v = check("GET", URL, &header(), TS).unwrap();
    // The hook for the caller's replay store and token lookup.
    assert_eq!(
        (
            v.token.secret(),
            v.timestamp,
            v.nonce.as_str(),
            v.data.as_str()
        ),
        (TOKEN, TS, NONCE, DATA)
    );
    assert!(!format!("{v:?}").contains(TOKEN));

    // PY2's layout: token unquoted, sigalg first (PROTOCOLS.md §2.5).
    let py2 = format!("AuthSub token={TOKEN} sigalg=\"rsa-sha1\" data=\"{DATA}\" sig=\"{SIG}\"");
    assert!(check("GET", URL, &py2, TS).is_ok());
    // PY2 signed the method as its caller spelt it.
    assert!(check(
        "GET",
        URL,
        &header_over(&DATA.replacen("GET", "get", 1)),
        TS
    )
    .is_ok());
    assert!(check("get", URL, &header(), TS).is_ok());
    // The same URL in another spelling: default port, host case.
    for url in [
        "https://www.google.com:443/calendar/feeds/default/private/full?x=1",
        "https://WWW.Google.COM/calendar/feeds/default/private/full?x=1",
        "https://www.google.com/calendar/feeds/default/private/full?x=1#top",
    ] {
        assert!(check("GET", url, &header(), TS).is_ok(), "{url}");
    }
    // The window's edges are inside it.
    for now in [TS - 600, TS + 600] {
        assert!(check("GET", URL, &header(), now).is_ok(), "{now}");
    }
    let wide = verify(
        "GET",
        URL,
        &header(),
        &certificate(),
        &FixedClock::new(TS + 3600),
        3600,
    );
    assert!(wide.is_ok());
}

#[test]
fn each_failed_check_is_named() {
    let good = header();
    let non_secure = format!("AuthSub token=\"{TOKEN}\"");
    let tampered_sig = good.replace(&SIG[..8], "AAAAAAAA");
    let tampered_data = good.replace(" 123456789\"", " 123456780\"");
    let dsa = good.replace("sigalg=\"rsa-sha1\"", "sigalg=\"dsa-sha1\"");
    let oauth = "OAuth oauth_consumer_key=\"k\", oauth_signature=\"s\"".to_owned();
    let no_sig = good.replace(&format!("sig=\"{SIG}\""), "sig=\"\"");
    let rows: Vec<(&str, &str, String, u64, VerifyError)> = vec![
        (
            "GET",
            URL,
            oauth,
            TS,
            VerifyError::MalformedHeader(HeaderError::NotAuthSub),
        ),
        (
            "GET",
            URL,
            dsa,
            TS,
            VerifyError::MalformedHeader(HeaderError::UnsupportedSigalg),
        ),
        (
            "GET",
            URL,
            format!("{good}\r\n"),
            TS,
            VerifyError::MalformedHeader(HeaderError::ControlCharacter),
        ),
        ("GET", URL, non_secure, TS, VerifyError::NotSecure),
        (
            "GET",
            URL,
            header_over("GET"),
            TS,
            VerifyError::MalformedData(DataError::NotFourFields),
        ),
        (
            "GET",
            URL,
            header_over(&format!("GET {URL} 1700000000")),
            TS,
            VerifyError::MalformedData(DataError::NotFourFields),
        ),
        (
            "GET",
            URL,
            header_over(&format!("GET {URL} yesterday n")),
            TS,
            VerifyError::MalformedData(DataError::BadTimestamp),
        ),
        ("POST", URL, good.clone(), TS, VerifyError::MethodMismatch),
        ("DELETE", URL, good.clone(), TS, VerifyError::MethodMismatch),
        (
            "GET",
            "https://www.google.com/calendar/feeds/default/private/full?x=2",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "https://www.google.com/calendar/feeds/default/private/full",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "http://www.google.com/calendar/feeds/default/private/full?x=1",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "https://evil.example/calendar/feeds/default/private/full?x=1",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "https://www.google.com/calendar/feeds/default/private/full?x=1&y=2",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "not a url",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        // The same path written with dot segments or an encoded dot is another request:
        // no normalization lets one signature cover two paths.
        (
            "GET",
            "https://www.google.com/calendar/feeds/x/../default/private/full?x=1",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            "https://www.google.com/calendar/feeds/default/private/%66ull?x=1",
            good.clone(),
            TS,
            VerifyError::UrlMismatch,
        ),
        (
            "GET",
            URL,
            good.clone(),
            TS + 601,
            VerifyError::TimestampOutOfWindow { skew: 601 },
        ),
        (
            "GET",
            URL,
            good.clone(),
            TS - 601,
            VerifyError::TimestampOutOfWindow { skew: -601 },
        ),
        (
            "GET",
            URL,
            header_over(&format!("GET {URL} {} n", u64::MAX)),
            0,
            VerifyError::TimestampOutOfWindow { skew: i64::MIN },
        ),
        ("GET", URL, tampered_sig, TS, VerifyError::BadSignature),
        ("GET", URL, tampered_data, TS, VerifyError::BadSignature),
        ("GET", URL, no_sig, TS, VerifyError::BadSignature),
        (
            "GET",
            URL,
            good.replace(SIG, "not base64!"),
            TS,
            VerifyError::BadSignature,
        ),
        (
            "GET",
            URL,
            good.replace(SIG, &SIG[..SIG.len() - 4]),
            TS,
            VerifyError::BadSignature,
        ),
    ];
    for (method, url, header, now, want) in rows {
        assert_eq!(
            check(method, url, &header, now),
            Err(want.clone()),
            "{method} {url} {header}"
        );
    }
    // Another domain's key: the signature does not verify.
    let other = verify(
        "GET",
        URL,
        &good,
        &other_public_key(),
        &FixedClock::new(TS),
        600,
    );
    assert_eq!(other, Err(VerifyError::BadSignature));
    // The parsed header is the same one the checks saw.
    assert!(parse_header(&good).unwrap().secure.is_some());
}
