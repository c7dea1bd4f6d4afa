//! A stored token put to use: each blob kind imports as the credential its protocol uses
//! here, an imported OAuth 1.0 access token reads a feed from the emulator, and tokens that
//! cannot authorize (fields missing, a request token, a key that is not a key, a token that
//! cannot go into a header) are clear errors.

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::legacy::{from_blob, to_blob, AuthState, ImportError, Imported, LegacyToken};
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::request::Request;
use gdata_auth::transport::HttpRequest;
use gdata_auth::{Authorizer, Context, Scheme, SecretString, TokenSecret};

use crate::support::emulator::{form, get, verifier_of, Fixture, CALENDAR_FEED, CALENDAR_SCOPE};

const PEM: &str = include_str!("../../fixtures/keys/rsa2048_pkcs8.pem");

fn s(v: &str) -> Option<SecretString> {
    Some(SecretString::new(v))
}

fn o(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// The token as an old application stored it and read it back (through the blob).
fn through_blob(token: &LegacyToken) -> LegacyToken {
    from_blob(&to_blob(token)).unwrap()
}

fn hmac(auth_state: AuthState, token: Option<String>) -> LegacyToken {
    LegacyToken::OAuthHmac {
        consumer_key: o("example.com"),
        consumer_secret: s("consumer-secret"),
        token,
        token_secret: s("token-secret"),
        auth_state,
        next: None,
        verifier: None,
    }
}

/// A `2o` token with a client ID, no secret and no access token.
fn bare_oauth2(refresh_token: Option<SecretString>) -> LegacyToken {
    LegacyToken::OAuth2 {
        client_id: o("cid"),
        client_secret: None,
        scope: None,
        user_agent: None,
        auth_uri: None,
        token_uri: None,
        access_token: None,
        refresh_token,
    }
}

/// The `Authorization` header the imported token's authorizer writes for a feed GET.
fn header(imported: &Imported) -> String {
    let request = Request::new("GET", "https://www.google.com/calendar/feeds/default").unwrap();
    let ctx = Context::fixed(1_289_861_432, "nonce");
    imported
        .authorizer()
        .expect("an authorizer")
        .authorize(&request, &ctx)
        .unwrap()
        .header_value()
        .to_owned()
}

#[tokio::test]
async fn an_imported_oauth1_token_reads_its_feed() {
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "consumer-secret")
            .add_user("user@example.com", "password"),
    );
    let consumer = OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret");
    let (rt, rs) = fx.request_token(&consumer, CALENDAR_SCOPE, "oob").await;
    let resp = fx
        .submit_consent(&rt, "user@example.com", "password", "approve")
        .await;
    let v = verifier_of(&resp, &rt);
    let f = form(&fx.exchange(&consumer, &rt, &rs, &v).await);
    // The Python application stored the access token as a `1h` blob.
    let stored = LegacyToken::OAuthHmac {
        consumer_key: o("example.com"),
        consumer_secret: s("consumer-secret"),
        token: o(get(&f, "oauth_token").unwrap()),
        token_secret: s(get(&f, "oauth_token_secret").unwrap()),
        auth_state: AuthState::ACCESS_TOKEN,
        next: o("oob"),
        verifier: None,
    };
    let imported = through_blob(&stored).import().unwrap();
    let auth = imported.authorizer().unwrap();
    assert_eq!(auth.scheme(), Scheme::OAuth1);
    let url = fx.url(CALENDAR_FEED);
    let authorization = auth
        .authorize(&Request::new("GET", &url).unwrap(), &fx.ctx())
        .unwrap();
    let resp = fx
        .send(HttpRequest::get(url).with_authorization(&authorization))
        .await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
}

#[test]
fn each_kind_becomes_its_protocols_credential() {
    // OAuth 1.0 HMAC: the same header as the authorizer built by hand.
    let imported = through_blob(&hmac(AuthState::ACCESS_TOKEN, o("tok")))
        .import()
        .unwrap();
    let by_hand = OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret")
        .with_token("tok", TokenSecret::new("token-secret"));
    let request = Request::new("GET", "https://www.google.com/calendar/feeds/default").unwrap();
    let ctx = Context::fixed(1_289_861_432, "nonce");
    assert_eq!(
        header(&imported),
        by_hand.authorize(&request, &ctx).unwrap().header_value()
    );

    // OAuth 1.0 RSA, two-legged with its requestor.
    let two_legged = LegacyToken::TwoLeggedRsa {
        consumer_key: o("example.com"),
        rsa_private_key: s(PEM),
        requestor_id: o("jo@example.com"),
    };
    match through_blob(&two_legged).import().unwrap() {
        Imported::TwoLegged {
            authorizer,
            requestor_id,
        } => {
            assert_eq!(requestor_id.as_deref(), Some("jo@example.com"));
            assert_eq!(authorizer.token(), None);
            let h = authorizer.authorize(&request, &ctx).unwrap();
            assert!(h
                .header_value()
                .contains("oauth_signature_method=\"RSA-SHA1\""));
        }
        other => panic!("{other:?}"),
    }

    // AuthSub, plain and secure; ClientLogin.
    let plain = LegacyToken::AuthSub {
        token: s("CSession"),
        scopes: vec![CALENDAR_SCOPE.into()],
    };
    assert_eq!(
        header(&through_blob(&plain).import().unwrap()),
        "AuthSub token=\"CSession\""
    );
    let secure = LegacyToken::SecureAuthSub {
        token: s("CSession"),
        rsa_private_key: s(PEM),
        scopes: vec![],
    };
    let h = header(&through_blob(&secure).import().unwrap());
    assert!(h.starts_with("AuthSub token=\"CSession\" data=\"GET https://www.google.com/calendar/feeds/default 1289861432 "), "{h}");
    assert!(h.contains("sigalg=\"rsa-sha1\""), "{h}");
    let cl = LegacyToken::ClientLogin { token: s("DQAAAG") };
    assert_eq!(
        header(&through_blob(&cl).import().unwrap()),
        "GoogleLogin auth=DQAAAG"
    );

    // OAuth 2.0: the grant and its client; a bearer header while there is an access token.
    let oauth2 = LegacyToken::OAuth2 {
        client_id: o("123.apps.googleusercontent.com"),
        client_secret: s("client-secret"),
        scope: o("https://www.google.com/calendar/feeds https://www.google.com/m8/feeds"),
        user_agent: o("app"),
        auth_uri: None,
        token_uri: None,
        access_token: s("ya29.a"),
        refresh_token: s("1/r"),
    };
    let imported = through_blob(&oauth2).import().unwrap();
    assert_eq!(header(&imported), "Bearer ya29.a");
    match &imported {
        Imported::OAuth2 { token, client } => {
            assert_eq!(token.client_id, "123.apps.googleusercontent.com");
            assert_eq!(token.scopes.len(), 2);
            assert_eq!(token.refresh_token.as_ref().unwrap().secret(), "1/r");
            assert_eq!(
                client.as_ref().unwrap().id(),
                "123.apps.googleusercontent.com"
            );
        }
        other => panic!("{other:?}"),
    }
    let refresh_only = bare_oauth2(s("1/r"));
    let imported = refresh_only.import().unwrap();
    assert!(imported.authorizer().is_none(), "refresh it first");
    assert!(matches!(imported, Imported::OAuth2 { client: None, .. }));
}

#[test]
fn tokens_that_cannot_authorize_are_clear_errors() {
    let cases: Vec<(LegacyToken, &str)> = vec![
        (
            hmac(AuthState::ACCESS_TOKEN, None),
            "the 1h token has no token",
        ),
        (
            hmac(AuthState::AUTHORIZED_REQUEST_TOKEN, o("tok")),
            "not an access token (auth_state 2)",
        ),
        (hmac(AuthState::REQUEST_TOKEN, o("tok")), "(auth_state 1)"),
        (
            LegacyToken::ClientLogin { token: None },
            "the 1c token has no token_string",
        ),
        (
            LegacyToken::ClientLogin { token: s("a\"b") },
            "the stored 1c token cannot be sent",
        ),
        (
            LegacyToken::AuthSub {
                token: s("a\r\nX-Evil: 1"),
                scopes: vec![],
            },
            "the stored 1a token cannot be sent",
        ),
        (
            LegacyToken::SecureAuthSub {
                token: s("t"),
                rsa_private_key: s("myRsa"),
                scopes: vec![],
            },
            "the stored RSA private key",
        ),
        (bare_oauth2(None), "no access_token or refresh_token"),
    ];
    for (token, expected) in cases {
        let err: ImportError = token.import().unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expected), "{text:?} for {expected:?}");
        assert!(!text.contains("secret"), "no secret in {text:?}");
    }
}
