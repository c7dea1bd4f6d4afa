//! Criterion benchmarks of OAuth 1.0 signing.
//!
//! Workload: the Google Calendar feed POST (two query and two form parameters), signed with
//! a fixed nonce and timestamp. `*_floor` measure only the cryptographic primitive over the
//! precomputed base string; `*_header` measure a described request (reused) to the header
//! value; `*_from_parts` describe the request from the URL string and the form pairs inside
//! the measured loop, as a caller signing a new request each time does; `*_from_http` sign
//! an `http::Request` built outside the loop; `peer_oauth1_request_hmac` is oauth1-request
//! 0.6 signing the same workload.
//!
//! Targets (ratios from one run): hmac_sha1_header ≤ 1.3× hmac_sha1_floor;
//! hmac_sha1_from_parts ≤ 2.0× hmac_sha1_floor and ≥ 1.5× the rate of
//! peer_oauth1_request_hmac; rsa_sha1_2048_from_parts (and _header) ≤ 1.05× its floor;
//! params_1000_header / params_10_header ≤ 150×.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use gdata_auth::oauth1::signature::{hmac_sha1, signing_key};
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::{Authorizer, ConsumerSecret, Context, Request, RsaSigningKey, TokenSecret};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};

const URL: &str =
    "https://www.google.com/calendar/feeds/default/private/full?max-results=25&alt=json";
const FORM: [(&str, &str); 2] = [
    ("q", "meeting notes"),
    ("start-min", "2026-01-01T00:00:00Z"),
];
const SIGNATURE: &str = "teEP+6fTd8mM6KNa33GgoPa7ciI=";
const TOKEN: &str = "1/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const RSA_PEM: &str = include_str!("../fixtures/keys/rsa2048_pkcs1.pem");

/// The measured path: `Authorizer::authorize`, from a described request to the header.
fn header(auth: &OAuth1Authorizer, req: &Request, ctx: &Context) -> gdata_auth::Authorization {
    auth.authorize(black_box(req), black_box(ctx))
        .expect("sign")
}

/// The path a caller takes for a new request: describe it from the URL string and the form
/// pairs, then authorize.
fn from_parts(auth: &OAuth1Authorizer, ctx: &Context) -> gdata_auth::Authorization {
    let req = Request::new("POST", black_box(URL))
        .expect("bench URL")
        .with_form(black_box(FORM));
    auth.authorize(&req, black_box(ctx)).expect("sign")
}

fn request(extra: usize) -> Request {
    let mut form: Vec<(String, String)> = FORM
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    form.extend((0..extra).map(|i| (format!("p{i}"), format!("value {i}"))));
    Request::new("POST", URL)
        .expect("bench URL")
        .with_form(form)
}

fn hmac_auth() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1("example.com", ConsumerSecret::new("kd94hf93k423kf44"))
        .with_token(TOKEN, TokenSecret::new("pfkkdhi9sl3r4s00"))
}

fn ctx() -> Context {
    Context::fixed(1191242096, "4572616e48616d6d65724c61686176")
}

fn benches(c: &mut Criterion) {
    let req = request(0);
    let ctx = ctx();
    let hmac = hmac_auth();
    let signed = hmac.sign(&req, &ctx).expect("sign");
    assert_eq!(signed.signature, SIGNATURE);
    assert_eq!(header(&hmac, &req, &ctx), signed.authorization);
    assert_eq!(from_parts(&hmac, &ctx), signed.authorization);
    let base = signed.base_string.clone();
    let key = signing_key("kd94hf93k423kf44", "pfkkdhi9sl3r4s00");

    c.bench_function("hmac_sha1_floor", |b| {
        b.iter(|| hmac_sha1(black_box(key.as_bytes()), black_box(base.as_bytes())))
    });
    c.bench_function("hmac_sha1_header", |b| b.iter(|| header(&hmac, &req, &ctx)));
    c.bench_function("hmac_sha1_from_parts", |b| {
        b.iter(|| from_parts(&hmac, &ctx))
    });
    // An `http::Request` a caller built, described and authorized inside the loop.
    let http_req = http::Request::post(URL)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            Request::new("POST", URL)
                .expect("bench URL")
                .with_form(FORM)
                .form_body(),
        )
        .expect("bench http::Request");
    let from_http = |auth: &OAuth1Authorizer| {
        let req = Request::from_http(black_box(&http_req)).expect("describe");
        auth.authorize(&req, black_box(&ctx)).expect("sign")
    };
    assert_eq!(from_http(&hmac), signed.authorization);
    c.bench_function("hmac_sha1_from_http", |b| b.iter(|| from_http(&hmac)));
    peer(c);

    let rsa_key = RsaSigningKey::from_pem(RSA_PEM).expect("bench RSA key");
    let rsa = OAuth1Authorizer::rsa_sha1("example.com", rsa_key.clone())
        .with_token(TOKEN, TokenSecret::new(""));
    let rsa_base = rsa.sign(&req, &ctx).expect("sign").base_string.clone();
    // The floor: the `rsa` crate's own blinded PKCS#1 v1.5 SHA-1 signature over the base
    // string, with the key loaded by that crate directly.
    let floor_key = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(
        rsa::RsaPrivateKey::from_pkcs1_pem(RSA_PEM).expect("bench RSA key"),
    );
    c.bench_function("rsa_sha1_2048_floor", |b| {
        b.iter(|| {
            floor_key
                .sign_with_rng(&mut rand_core::OsRng, black_box(rsa_base.as_bytes()))
                .to_bytes()
        })
    });
    c.bench_function("rsa_sha1_2048_header", |b| {
        b.iter(|| header(&rsa, &req, &ctx))
    });
    c.bench_function("rsa_sha1_2048_from_parts", |b| {
        b.iter(|| from_parts(&rsa, &ctx))
    });

    let req10 = request(10);
    let req1000 = request(1000);
    c.bench_function("params_10_header", |b| {
        b.iter(|| header(&hmac, &req10, &ctx))
    });
    c.bench_function("params_1000_header", |b| {
        b.iter(|| {
            hmac.sign(black_box(&req1000), black_box(&ctx))
                .expect("sign")
        })
    });
}

/// oauth1-request 0.6, the best Rust peer, on the same workload: its `uri` takes no query, so
/// the query and form parameters go in one (sorted) parameter list, and `oauth_version` is
/// asked for as this crate sends it.
fn peer(c: &mut Criterion) {
    use oauth1_request as oauth;
    let token =
        oauth::Token::from_parts("example.com", "kd94hf93k423kf44", TOKEN, "pfkkdhi9sl3r4s00");
    let base = URL.split('?').next().expect("bench URL");
    let sign = |params: [(&str, &str); 4]| {
        let mut builder = oauth::Builder::with_token(token.as_ref(), oauth::HMAC_SHA1);
        builder
            .nonce("4572616e48616d6d65724c61686176")
            .timestamp(core::num::NonZeroU64::new(1191242096))
            .version(true);
        builder.post(base, &oauth::ParameterList::new(params))
    };
    let params = [
        ("alt", "json"),
        ("max-results", "25"),
        ("q", "meeting notes"),
        ("start-min", "2026-01-01T00:00:00Z"),
    ];
    let header = sign(params);
    let encoded_signature = gdata_auth::encoding::percent_encode(SIGNATURE);
    assert!(
        header.contains(&format!("oauth_signature=\"{encoded_signature}\"")),
        "the peer signs the same workload: {header}"
    );
    c.bench_function("peer_oauth1_request_hmac", |b| {
        b.iter(|| sign(black_box(params)))
    });
}

criterion_group!(signing, benches);
criterion_main!(signing);
