//! Provider-side verification of a whole request (src/oauth1/verifier.rs) with a fixed clock
//! and an in-memory credential store. Two kinds of input:
//!
//! * raw: method, URL, `Authorization`, form body and body straight from the input; the
//!   verifier never panics, `check` is repeatable and agrees with `verify`, an accepted
//!   request's signature re-derives from the base string the verifier reports, and its
//!   nonce is then spent;
//! * signed: the input's method, URL, form body and nonce signed by this crate's client
//!   (HMAC-SHA1, HMAC-SHA256 or PLAINTEXT, with or without a token); the verifier must
//!   accept it, report the signer's base string and parameters, refuse the replay, and a
//!   one-byte change to the URL or header is refused unless it leaves the base string as
//!   it was (a realm, the scheme's case).

use std::sync::Arc;

use gdata_auth::encoding::parse_form;
use gdata_auth::oauth1::header::parse_header;
use gdata_auth::oauth1::verifier::{
    received_base_string, MemoryCredentials, Profile, ReceivedRequest, Verifier,
};
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod, VerifyError};
use gdata_auth::{Context, FixedClock, Request};

pub const NOW: u64 = 1_300_000_000;
pub const CONSUMER: &str = "fuzz-consumer";
pub const CONSUMER_SECRET: &str = "fuzz consumer&secret";
pub const TOKEN: &str = "fuzz-token";
pub const TOKEN_SECRET: &str = "fuzz/token secret";

/// The verifier the checks use (also for the property tests' own assertions).
#[allow(dead_code)]
pub fn verifier_for_tests(profile: Profile) -> Verifier<MemoryCredentials> {
    verifier(profile)
}

fn verifier(profile: Profile) -> Verifier<MemoryCredentials> {
    let lookup = MemoryCredentials::new()
        .with_hmac_consumer(CONSUMER, CONSUMER_SECRET)
        .with_token(CONSUMER, TOKEN, TOKEN_SECRET);
    Verifier::builder(lookup)
        .clock(Arc::new(FixedClock::new(NOW)))
        .profile(profile)
        .build()
}

fn authorizer(method: SignatureMethod, token: bool) -> OAuth1Authorizer {
    let a = OAuth1Authorizer::with_secret(CONSUMER, CONSUMER_SECRET, method)
        .expect("a shared-secret method");
    if token {
        a.with_token(TOKEN, TOKEN_SECRET)
    } else {
        a
    }
}

/// Every `oauth_signature` value the request carries, wherever it sits.
fn signatures(req: &ReceivedRequest<'_>) -> Vec<String> {
    let mut all = Vec::new();
    if let Some(h) = req.authorization.and_then(|h| parse_header(h).ok()) {
        all.extend(h.params);
    }
    if let Some(q) = req.url.split_once('?').map(|(_, q)| q) {
        let q = q.split('#').next().unwrap_or_default();
        all.extend(parse_form(q).unwrap_or_default());
    }
    if let Some(f) = req.form_body {
        all.extend(parse_form(f).unwrap_or_default());
    }
    all.into_iter()
        .filter(|(n, _)| n == "oauth_signature")
        .map(|(_, v)| v)
        .collect()
}

fn raw(sel: u8, data: &[u8]) {
    let f = crate::common::fields(data, 5);
    let mut req = ReceivedRequest::new(&f[0], &f[1]);
    if !f[2].is_empty() {
        req = req.with_authorization(&f[2]);
    }
    if sel & 0x02 != 0 {
        req = req.with_form_body(&f[3]);
    }
    if !f[4].is_empty() {
        req = req.with_body(f[4].as_bytes());
    }
    let profile = if sel & 0x04 != 0 {
        Profile::OauthlibStrict
    } else {
        Profile::GoogleCompat
    };
    let v = verifier(profile);
    let checked = v.check(&req);
    assert_eq!(v.check(&req), checked, "check is not repeatable");
    let verified = v.verify(&req);
    assert_eq!(verified, checked, "verify and check disagree");
    let _ = received_base_string(&req);
    let Ok(ok) = verified else {
        return;
    };
    let base = received_base_string(&req).expect("a verified request has a base string");
    let expected = authorizer(ok.signature_method, ok.token.is_some())
        .signature_of(&base)
        .expect("sign the reported base string");
    assert_eq!(
        signatures(&req),
        [expected],
        "the signature does not re-derive"
    );
    if ok.nonce.is_some() {
        assert_eq!(v.verify(&req), Err(VerifyError::NonceReused));
        assert_eq!(v.check(&req), Err(VerifyError::NonceReused));
    }
}

fn signed(sel: u8, data: &[u8]) {
    let f = crate::common::fields(data, 5);
    let (method_name, url, body, nonce_in, mutation) = (&f[0], &f[1], &f[2], &f[3], &f[4]);
    let Ok(mut request) = Request::new(method_name, url) else {
        return;
    };
    if !body.is_empty() {
        let Ok(r) = request.with_form_body(body) else {
            return;
        };
        request = r;
    }
    let method = match sel >> 2 & 0x3 {
        0 | 1 => SignatureMethod::HmacSha1,
        2 => SignatureMethod::HmacSha256,
        _ => SignatureMethod::Plaintext,
    };
    let token = sel & 0x10 != 0;
    // A nonce of the shape GoogleCompat accepts.
    let nonce: String = nonce_in
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(64)
        .collect();
    let nonce = if nonce.is_empty() {
        "n0nce".to_owned()
    } else {
        nonce
    };
    let skew = u64::from(sel >> 5) * 100; // 0..=700 s: the last one is out of the window
    let ctx = Context::fixed(NOW - skew, nonce.clone());
    let Ok(signed) = authorizer(method, token).sign(&request, &ctx) else {
        // PLAINTEXT over http: the signer refuses, as the verifier would.
        assert!(method == SignatureMethod::Plaintext && !request.is_https());
        return;
    };
    let header = signed.authorization.header_value().to_owned();
    let form_body = request.form_body();
    let mut req = ReceivedRequest::new(request.method(), request.url()).with_authorization(&header);
    if request.has_form() {
        req = req.with_form_body(&form_body);
    }
    let v = verifier(Profile::GoogleCompat);
    // Protocol parameters of the input's own in the query or body may legitimately clash
    // with the signer's (a duplicate): then only "no panic" holds.
    if request
        .params()
        .iter()
        .any(|(n, _)| n.starts_with("oauth_"))
    {
        let _ = v.verify(&req);
        return;
    }

    // A one-byte change, checked first (check records nothing).
    let mut bytes = [request.url().as_bytes(), b"\0", header.as_bytes()].concat();
    // PLAINTEXT signs no part of the request, so only the HMAC methods pin the base string.
    let pinned = method != SignatureMethod::Plaintext;
    if let (Some(&pos), Some(&val)) = (mutation.as_bytes().first(), mutation.as_bytes().last()) {
        let i = usize::from(pos) * bytes.len() / 256;
        if pinned && bytes[i] != val && val != 0 {
            bytes[i] = val;
            if let Ok(s) = std::str::from_utf8(&bytes) {
                if let Some((m_url, m_header)) = s.split_once('\0') {
                    let mut m =
                        ReceivedRequest::new(request.method(), m_url).with_authorization(m_header);
                    m.form_body = req.form_body;
                    if v.check(&m).is_ok() {
                        assert_eq!(
                            received_base_string(&m).as_deref(),
                            Some(signed.base_string.as_str()),
                            "a changed request verified with another base string"
                        );
                    }
                }
            }
        }
    }

    let result = v.verify(&req);
    if skew > 600 {
        assert!(
            matches!(result, Err(VerifyError::TimestampOutOfWindow { .. })),
            "{result:?}"
        );
        return;
    }
    let ok = result.unwrap_or_else(|e| panic!("a request this crate signed was refused: {e:?}"));
    assert_eq!(ok.consumer_key, CONSUMER);
    assert_eq!(ok.token.as_deref(), token.then_some(TOKEN));
    assert_eq!(ok.signature_method, method);
    assert_eq!(ok.nonce.as_deref(), Some(nonce.as_str()));
    assert_eq!(ok.timestamp, Some(NOW - skew));
    assert_eq!(
        received_base_string(&req).as_deref(),
        Some(signed.base_string.as_str())
    );
    let mut params = request
        .url()
        .split_once('?')
        .map(|(_, q)| parse_form(q).expect("a described query decodes"))
        .unwrap_or_default();
    params.extend(parse_form(&form_body).expect("a described body decodes"));
    params.retain(|(n, _)| !n.starts_with("oauth_"));
    assert_eq!(ok.params, params);
    assert_eq!(v.verify(&req), Err(VerifyError::NonceReused));
}

pub fn check(data: &[u8]) {
    let (sel, rest) = crate::common::selector(data);
    if sel & 0x01 == 0 {
        raw(sel, rest);
    } else {
        signed(sel, rest);
    }
}
