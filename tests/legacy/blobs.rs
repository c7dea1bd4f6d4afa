//! PROTOCOLS.md §7.7, both ways: each fixture blob reads as the token gauth_test.py built,
//! and that token writes back to the same blob.

use gdata_auth::legacy::blob::{join_parts, split_parts};
use gdata_auth::legacy::{from_blob, to_blob, AuthState, BlobError, LegacyToken};
use gdata_auth::SecretString;

const BLOBS: &str = include_str!("../../fixtures/vectors/py2_token_blobs.tsv");

fn blob(id: &str) -> &'static str {
    BLOBS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.split_once('\t').filter(|(i, _)| *i == id).map(|(_, b)| b))
        .unwrap_or_else(|| panic!("no vector {id}"))
}

fn s(v: &str) -> Option<SecretString> {
    Some(SecretString::new(v))
}

fn o(v: &str) -> Option<String> {
    Some(v.to_owned())
}

const CAL: &str = "https://www.google.com/calendar/feeds";
const AUTH: &str = "https://accounts.google.com/o/oauth2/auth";
const TOKEN: &str = "https://accounts.google.com/o/oauth2/token";

fn vectors() -> Vec<(&'static str, LegacyToken)> {
    vec![
        (
            "secure_authsub",
            LegacyToken::SecureAuthSub {
                token: s("b"),
                rsa_private_key: s("f"),
                scopes: vec![],
            },
        ),
        (
            "secure_authsub_empty",
            LegacyToken::SecureAuthSub {
                token: None,
                rsa_private_key: None,
                scopes: vec![],
            },
        ),
        (
            "secure_authsub_scopes",
            LegacyToken::SecureAuthSub {
                token: None,
                rsa_private_key: None,
                scopes: vec!["http://example.net".into(), "http://google.com".into()],
            },
        ),
        (
            "oauth_rsa",
            LegacyToken::OAuthRsa {
                consumer_key: o("consumerKey"),
                rsa_private_key: s("myRsa"),
                token: o("t"),
                token_secret: s("secret"),
                auth_state: AuthState::AUTHORIZED_REQUEST_TOKEN,
                next: o("http://example.com/next"),
                verifier: s("verifier"),
            },
        ),
        (
            "oauth_rsa_no_key",
            LegacyToken::OAuthRsa {
                consumer_key: None,
                rsa_private_key: s("myRsa"),
                token: o("t"),
                token_secret: s("secret"),
                auth_state: AuthState(0),
                next: None,
                verifier: None,
            },
        ),
        (
            "oauth_rsa_verifier",
            LegacyToken::OAuthRsa {
                consumer_key: None,
                rsa_private_key: s("myRsa"),
                token: o("t"),
                token_secret: s("secret"),
                auth_state: AuthState::ACCESS_TOKEN,
                next: None,
                verifier: s("v"),
            },
        ),
        (
            "oauth_hmac",
            LegacyToken::OAuthHmac {
                consumer_key: o("consumerKey"),
                consumer_secret: s("consumerSecret"),
                token: o("t"),
                token_secret: s("secret"),
                auth_state: AuthState::REQUEST_TOKEN,
                next: o("http://example.com/next"),
                verifier: s("verifier"),
            },
        ),
        (
            "oauth_hmac_comma",
            LegacyToken::OAuthHmac {
                consumer_key: None,
                consumer_secret: s("c,s"),
                token: o("t"),
                token_secret: s("secret"),
                auth_state: AuthState(7),
                next: None,
                verifier: s("v"),
            },
        ),
        (
            "oauth2",
            LegacyToken::OAuth2 {
                client_id: o("clientId"),
                client_secret: s("clientSecret"),
                scope: o(CAL),
                user_agent: o("userAgent"),
                auth_uri: o(AUTH),
                token_uri: o(TOKEN),
                access_token: s("accessToken"),
                refresh_token: s("refreshToken"),
            },
        ),
        (
            "oauth2_empty",
            LegacyToken::OAuth2 {
                client_id: o("clientId"),
                client_secret: s("clientSecret"),
                scope: o(CAL),
                user_agent: None,
                auth_uri: o(AUTH),
                token_uri: o(TOKEN),
                access_token: None,
                refresh_token: None,
            },
        ),
    ]
}

#[test]
fn vectors_both_ways() {
    for (id, token) in vectors() {
        let want = blob(id);
        assert_eq!(to_blob(&token), want, "write {id}");
        assert_eq!(from_blob(want).unwrap(), token, "read {id}");
    }
}

#[test]
fn join_and_split_parts() {
    let parts = [Some("1x"), Some("test|string"), Some("%x%"), Some(""), None];
    assert_eq!(join_parts(parts), blob("join_parts"));
    assert_eq!(
        split_parts(blob("join_parts")).unwrap(),
        vec![o("1x"), o("test|string"), o("%x%"), None, None]
    );
}

#[test]
fn empty_strings_and_nones_write_the_same_blob() {
    // `SecureAuthSubToken(None, '')` and `('', None)` are both `1s||`.
    let t = LegacyToken::SecureAuthSub {
        token: s(""),
        rsa_private_key: None,
        scopes: vec![],
    };
    assert_eq!(to_blob(&t), "1s||");
}

#[test]
fn round_trips() {
    let rows = [
        LegacyToken::AuthSub {
            token: s("key-="),
            scopes: vec![
                "http://example.com".into(),
                "http://other||test".into(),
                "thir|d".into(),
            ],
        },
        LegacyToken::ClientLogin {
            token: s("test|key"),
        },
        LegacyToken::TwoLeggedHmac {
            consumer_key: o("example.com"),
            consumer_secret: s("s e+c%"),
            requestor_id: o("jo@example.com"),
        },
        LegacyToken::TwoLeggedRsa {
            consumer_key: o("example.com"),
            rsa_private_key: s("-----BEGIN RSA PRIVATE KEY-----\nMII…\n"),
            requestor_id: None,
        },
    ];
    for token in rows {
        let b = to_blob(&token);
        assert_eq!(from_blob(&b).unwrap(), token, "{b}");
    }
    assert_eq!(
        to_blob(&LegacyToken::ClientLogin {
            token: s("test|key")
        }),
        "1c|test%7Ckey"
    );
}

#[test]
fn malformed_blobs_are_clear_errors() {
    let rows: &[(&str, BlobError)] = &[
        ("~~z", BlobError::UnknownMarker("\"~~z\"".into())),
        (
            "CANARY-s3cr3t|x",
            BlobError::UnknownMarker("13 characters long".into()),
        ),
        ("1x|a", BlobError::UnknownMarker("\"1x\"".into())),
        ("", BlobError::Empty),
        (
            "1c",
            BlobError::FieldCount {
                marker: "1c",
                expected: 1,
                found: 0,
            },
        ),
        (
            "1c|a|b",
            BlobError::FieldCount {
                marker: "1c",
                expected: 1,
                found: 2,
            },
        ),
        (
            "1s|a",
            BlobError::FieldCount {
                marker: "1s",
                expected: 2,
                found: 1,
            },
        ),
        (
            "1h|k|s|t|ts|3|n",
            BlobError::FieldCount {
                marker: "1h",
                expected: 7,
                found: 6,
            },
        ),
        (
            "2o|a",
            BlobError::FieldCount {
                marker: "2o",
                expected: 8,
                found: 1,
            },
        ),
        ("1h|k|s|t|ts|x|n|v", BlobError::BadAuthState),
        ("1h|k|s|t|ts||n|v", BlobError::BadAuthState),
        ("1c|%zz", BlobError::BadEncoding { index: 1 }),
        ("1c|%4", BlobError::BadEncoding { index: 1 }),
        ("1c|%FF", BlobError::BadEncoding { index: 1 }),
    ];
    for (b, want) in rows {
        assert_eq!(&from_blob(b).unwrap_err(), want, "{b:?}");
    }
    // No secret in an error or a Debug.
    let t = from_blob("1h|k|CANARY1|t|CANARY2|3||CANARY3").unwrap();
    assert!(!format!("{t:?}").contains("CANARY"));
}

#[test]
fn json_keeps_every_field() {
    let t = from_blob(blob("oauth2")).unwrap();
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["kind"], "oauth2_legacy");
    assert_eq!(json["refresh_token"], "refreshToken");
    assert_eq!(json["user_agent"], "userAgent");
    let back: LegacyToken = serde_json::from_value(json).unwrap();
    assert_eq!(back, t);
    let h = serde_json::to_value(from_blob(blob("oauth_hmac")).unwrap()).unwrap();
    assert_eq!(h["kind"], "oauth1_hmac");
}
