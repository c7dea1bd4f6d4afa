//! Over loopback against the emulator: OAuth 1.0 access token → migration grant → refresh
//! → bearer feed fetch; a failed migration leaves the OAuth 1.0 token working; one refresh
//! on a 401; the token endpoint's JSON errors; the scripted test users and clients.

use std::sync::Arc;

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::oauth2::migration::{migrate, prepare_migration};
use gdata_auth::oauth2::{
    self, BearerAuthorizer, ClientAuth, ClientCredentials, ClientSecret, OAuth2Error, OAuth2Token,
    RefreshToken, Revocable, TokenKind, TokenSource,
};
use gdata_auth::request::Request;
use gdata_auth::transport::{HttpRequest, HttpResponse, Transport};
use gdata_auth::{Authorizer, Scheme, Scope, TokenSecret};

use crate::support::emulator::{
    form, get, Fixture, CALENDAR_FEED, CALENDAR_SCOPE, CONTACTS_FEED, DOCS_FEED, T0,
};

const CID: &str = "123.apps.googleusercontent.com";
const CSECRET: &str = "client-secret";

fn fixture() -> Fixture {
    Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "consumer-secret")
            .add_user("user@example.com", "password")
            .add_user("rapt-jo@example.com", "pw")
            .add_user("revoked-jo@example.com", "pw")
            .add_oauth2_client(CID, CSECRET)
            .add_oauth2_client("oversize-1", "s"),
    )
}

fn consumer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret")
}

fn client() -> ClientCredentials {
    ClientCredentials::new(CID, ClientSecret::new(CSECRET))
}

fn endpoints(fx: &Fixture) -> Endpoints {
    Endpoints::at(fx.emu.base_url()).unwrap()
}

/// An OAuth 1.0 access token for `email` (approved on the consent page).
async fn oauth1_token(fx: &Fixture, email: &str, password: &str) -> OAuth1Authorizer {
    oauth1_token_for(fx, CALENDAR_SCOPE, email, password).await
}

/// An OAuth 1.0 access token for `scope`.
async fn oauth1_token_for(
    fx: &Fixture,
    scope: &str,
    email: &str,
    password: &str,
) -> OAuth1Authorizer {
    let (rt, rs) = fx.request_token(&consumer(), scope, "oob").await;
    let resp = fx.submit_consent(&rt, email, password, "approve").await;
    let v = crate::support::emulator::verifier_of(&resp, &rt);
    let resp = fx.exchange(&consumer(), &rt, &rs, &v).await;
    let f = form(&resp);
    consumer().with_token(
        get(&f, "oauth_token").unwrap(),
        TokenSecret::new(get(&f, "oauth_token_secret").unwrap()),
    )
}

/// A feed read with the OAuth 1.0 token: its status.
async fn oauth1_feed(fx: &Fixture, old: &OAuth1Authorizer) -> u16 {
    fx.signed(
        old,
        "GET",
        CALENDAR_FEED,
        &[],
        crate::support::emulator::Placement::Header,
    )
    .await
    .status
}

async fn bearer_feed(fx: &Fixture, token: &str, path: &str) -> HttpResponse {
    fx.send(HttpRequest::get(fx.url(path)).header("Authorization", format!("Bearer {token}")))
        .await
}

#[tokio::test]
async fn migration_then_refresh_then_bearer_fetch() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    let grant: OAuth2Token = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    // The refresh token carries the OAuth 1.0 token's scopes.
    assert_eq!(grant.scopes, [CALENDAR_SCOPE]);
    assert!(grant
        .refresh_token
        .as_ref()
        .unwrap()
        .secret()
        .starts_with("1//"));
    // The old token still works.
    assert_eq!(oauth1_feed(&fx, &old).await, 200);

    // Refresh, with the client in HTTP Basic this time.
    let basic = client().with_auth(ClientAuth::Basic);
    let fresh = oauth2::refresh(
        &endpoints(&fx),
        &basic,
        grant.refresh_token.as_ref().unwrap(),
    )
    .send(&fx.http)
    .await
    .unwrap();
    assert_eq!(fresh.expires_in, Some(3600));
    let token = fresh.access_token.secret().to_owned();
    let resp = bearer_feed(&fx, &token, CALENDAR_FEED).await;
    assert_eq!(
        resp.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&resp.body)
    );
    // Outside the token's scopes: refused.
    assert_eq!(bearer_feed(&fx, &token, CONTACTS_FEED).await.status, 403);
    // In the URL: refused, even a good token.
    let in_url = fx
        .send(HttpRequest::get(format!(
            "{}?access_token={token}",
            fx.url(CALENDAR_FEED)
        )))
        .await;
    assert_eq!(in_url.status, 401);
    // Its name escaped is the same parameter.
    let escaped = fx
        .send(HttpRequest::get(format!(
            "{}?alt=atom&access%5Ftoken={token}",
            fx.url(CALENDAR_FEED)
        )))
        .await;
    assert_eq!(escaped.status, 401);

    // Revoking the refresh token ends the grant; the OAuth 1.0 token lives on until
    // revoked on its own.
    oauth2::revoke(
        &endpoints(&fx),
        Revocable::Refresh(grant.refresh_token.as_ref().unwrap()),
    )
    .send(&fx.http)
    .await
    .unwrap();
    assert_eq!(bearer_feed(&fx, &token, CALENDAR_FEED).await.status, 401);
    let err = oauth2::refresh(
        &endpoints(&fx),
        &client(),
        grant.refresh_token.as_ref().unwrap(),
    )
    .send(&fx.http)
    .await
    .unwrap_err();
    assert!(matches!(err, OAuth2Error::ReconsentRequired(_)), "{err:?}");
    assert_eq!(oauth1_feed(&fx, &old).await, 200);
}

#[tokio::test]
async fn an_oauth2_scope_reads_the_legacy_feeds() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    // `scope` may narrow the grant to what the token holds; here it names it exactly.
    let scopes = [Scope::new(CALENDAR_SCOPE).unwrap()];
    let grant = migrate(&endpoints(&fx), &client(), &old, &scopes, &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    let token = grant.access_token.unwrap();
    assert_eq!(
        bearer_feed(&fx, token.secret(), CALENDAR_FEED).await.status,
        200
    );
    // A scope the OAuth 1.0 token does not hold is refused.
    let wider = [Scope::new("https://www.google.com/m8/feeds/").unwrap()];
    let err = migrate(&endpoints(&fx), &client(), &old, &wider, &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuth2Error::Refused(e) if e.code.as_str() == "invalid_scope"),
        "{err:?}"
    );
}

/// One call site: reads the calendar feed with whatever authorizer it is given.
async fn read_calendar(fx: &Fixture, auth: &dyn Authorizer) -> u16 {
    let url = fx.url(CALENDAR_FEED);
    let authorization = auth
        .authorize(&Request::new("GET", &url).unwrap(), &fx.ctx())
        .unwrap();
    fx.send(HttpRequest::get(url).with_authorization(&authorization))
        .await
        .status
}

#[tokio::test]
async fn the_bearer_authorizer_drops_in_where_the_oauth1_one_was() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    assert_eq!(read_calendar(&fx, &old).await, 200);
    let grant = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    let bearer = BearerAuthorizer::new(grant.access_token.unwrap()).unwrap();
    assert_eq!(bearer.scheme(), Scheme::Bearer);
    assert_eq!(read_calendar(&fx, &bearer).await, 200);
    // Both held the same way, as a boxed trait object.
    let held: Vec<Box<dyn Authorizer>> = vec![Box::new(old), Box::new(bearer)];
    for auth in &held {
        assert_eq!(read_calendar(&fx, auth.as_ref()).await, 200);
    }
}

#[tokio::test]
async fn another_clients_refresh_token_reads_as_unknown() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    let grant = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    let other = ClientCredentials::new("oversize-1", ClientSecret::new("s"));
    let refused = |token: RefreshToken| {
        let other = other.clone();
        let fx = &fx;
        async move {
            match oauth2::refresh(&endpoints(fx), &other, &token)
                .send(&fx.http)
                .await
                .unwrap_err()
            {
                OAuth2Error::ReconsentRequired(e) => (e.code.as_str().to_owned(), e.description),
                e => panic!("{e:?}"),
            }
        }
    };
    // The same answer as for a token that never existed: no oracle for other clients' tokens.
    let theirs = refused(grant.refresh_token.clone().unwrap()).await;
    let nobodys = refused(RefreshToken::new("1//nobody")).await;
    assert_eq!(theirs.0, "invalid_grant");
    assert_eq!(theirs, nobodys);
    // And the grant still works for its own client.
    assert!(oauth2::refresh(
        &endpoints(&fx),
        &client(),
        grant.refresh_token.as_ref().unwrap()
    )
    .send(&fx.http)
    .await
    .is_ok());
}

#[tokio::test]
async fn a_drive_token_does_not_open_other_services() {
    // The Documents List row also names a content host (path `/`); the emulator matches
    // feeds by path, so that entry must not open calendar or contacts feeds.
    let fx = fixture();
    let old = oauth1_token_for(
        &fx,
        "https://docs.google.com/feeds/",
        "user@example.com",
        "password",
    )
    .await;
    let drive = [Scope::new("https://www.googleapis.com/auth/drive").unwrap()];
    let grant = migrate(&endpoints(&fx), &client(), &old, &drive, &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    let token = grant.access_token.unwrap();
    assert_eq!(
        bearer_feed(&fx, token.secret(), DOCS_FEED).await.status,
        200
    );
    assert_eq!(
        bearer_feed(&fx, token.secret(), CALENDAR_FEED).await.status,
        403
    );
    assert_eq!(
        bearer_feed(&fx, token.secret(), CONTACTS_FEED).await.status,
        403
    );
}

#[tokio::test]
async fn a_failed_migration_leaves_the_oauth1_token_working() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    // A wrong client secret: 401 invalid_client, as JSON.
    let wrong = ClientCredentials::new(CID, ClientSecret::new("nope"));
    let err = migrate(&endpoints(&fx), &wrong, &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuth2Error::InvalidClient(e) if e.status == 401),
        "{err:?}"
    );
    // A bad OAuth 1.0 signature: invalid_grant, as JSON.
    let forged = consumer().with_token("1/unknown", TokenSecret::new("x"));
    let err = migrate(&endpoints(&fx), &client(), &forged, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuth2Error::ReconsentRequired(e) if e.status == 400),
        "{err:?}"
    );
    // The token tampered with after signing: the signature no longer matches.
    let mut req = prepare_migration(&endpoints(&fx), &client(), &old, &[], &fx.ctx()).unwrap();
    req.body.extend_from_slice(b"&scope=x");
    let resp = fx.http.send(req).await.unwrap();
    assert_eq!(resp.status, 400);
    let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(json["error"], "invalid_grant");
    assert_eq!(oauth1_feed(&fx, &old).await, 200);
}

#[tokio::test]
async fn every_token_endpoint_answer_is_json() {
    let fx = fixture();
    let url = endpoints(&fx).oauth2_token().to_owned();
    let rows: Vec<(HttpRequest, u16, &str)> = vec![
        (HttpRequest::get(&url), 400, "invalid_request"),
        (
            HttpRequest::new("PUT", &url).with_body("grant_type=refresh_token"),
            400,
            "invalid_request",
        ),
        (
            HttpRequest::post_form(&url, &[("x", "y".repeat(70_000).as_str())]),
            413,
            "invalid_request",
        ),
        (
            HttpRequest::post_form(&url, &[("grant_type", "refresh_token")]),
            401,
            "invalid_client",
        ),
        (
            HttpRequest::post_form(
                &url,
                &[
                    ("grant_type", "password"),
                    ("client_id", CID),
                    ("client_secret", CSECRET),
                ],
            ),
            400,
            "unsupported_grant_type",
        ),
        (
            HttpRequest::post_form(&url, &[("client_id", CID), ("client_secret", CSECRET)]),
            400,
            "invalid_request",
        ),
        (
            HttpRequest::post_form(
                &url,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "1//nope"),
                    ("client_id", CID),
                    ("client_secret", CSECRET),
                ],
            ),
            400,
            "invalid_grant",
        ),
        (
            HttpRequest::post_form(
                &url,
                &[
                    ("grant_type", oauth2::MIGRATION_GRANT_TYPE),
                    ("client_id", CID),
                    ("client_secret", CSECRET),
                ],
            ),
            400,
            "invalid_grant",
        ),
    ];
    let revoke = endpoints(&fx).oauth2_revoke().to_owned();
    let rows = rows.into_iter().chain([
        (HttpRequest::new("PUT", &revoke), 400, "invalid_request"),
        (HttpRequest::get(&revoke), 400, "invalid_request"),
    ]);
    for (req, status, code) in rows {
        let resp = fx.send(req).await;
        assert_eq!(resp.status, status, "{code}");
        assert!(resp
            .header("Content-Type")
            .unwrap()
            .starts_with("application/json"));
        let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
        assert_eq!(json["error"], code);
    }
}

#[tokio::test]
async fn scripted_failures() {
    let fx = fixture();
    for (user, want) in [
        ("rapt-jo@example.com", "reauth"),
        ("revoked-jo@example.com", "reconsent"),
    ] {
        let old = oauth1_token(&fx, user, "pw").await;
        let grant = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
            .send(&fx.http)
            .await
            .unwrap();
        let err = oauth2::refresh(
            &endpoints(&fx),
            &client(),
            grant.refresh_token.as_ref().unwrap(),
        )
        .send(&fx.http)
        .await
        .unwrap_err();
        match want {
            "reauth" => assert!(
                matches!(&err, OAuth2Error::ReauthRequired(e) if e.subtype.as_deref() == Some("invalid_rapt")),
                "{err:?}"
            ),
            _ => assert!(matches!(err, OAuth2Error::ReconsentRequired(_)), "{err:?}"),
        }
    }
    // Oversized tokens are refused, never truncated.
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    let oversize = ClientCredentials::new("oversize-1", ClientSecret::new("s"));
    let err = migrate(&endpoints(&fx), &oversize, &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        OAuth2Error::TokenTooLarge {
            kind: TokenKind::RefreshToken,
            len: 513,
            limit: 512
        }
    );
}

#[tokio::test]
async fn one_refresh_on_a_401() {
    let fx = fixture();
    let old = oauth1_token(&fx, "user@example.com", "password").await;
    let grant = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    // The access token dies behind the source's back (revoked on its own).
    let access = grant.access_token.clone().unwrap();
    oauth2::revoke(&endpoints(&fx), Revocable::Access(&access))
        .send(&fx.http)
        .await
        .unwrap();
    let source = Arc::new(
        TokenSource::new(endpoints(&fx), client(), grant, fx.http.clone())
            .with_clock(fx.clock.clone()),
    );
    let resp = source
        .send(HttpRequest::get(fx.url(CALENDAR_FEED)))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(source.refreshes(), 1);
    // Concurrent callers after the grant is revoked: one refresh, then the kept refusal.
    let refresh = source.token().await.refresh_token.unwrap();
    oauth2::revoke(&endpoints(&fx), Revocable::Refresh(&refresh))
        .send(&fx.http)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = Arc::clone(&source);
            let url = fx.url(CALENDAR_FEED);
            tokio::spawn(async move { s.send(HttpRequest::get(url)).await.is_err() })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(source.refreshes(), 2);
}

/// SECURITY.md §5.1 row 35: the server fails mid-migration (500 `server_error`, or the
/// migration reaches the server and its answer is lost): the migration fails, retryably;
/// nothing lost: the OAuth 1.0 credential is still stored as it was, still reads the feed,
/// and still migrates afterwards.
#[tokio::test]
async fn row_35_server_error_mid_migration_keeps_the_oauth1_credential() {
    use gdata_auth::oauth1::AccessToken as OAuth1Token;
    use gdata_auth::store::{MemoryStore, TokenStore};
    use gdata_auth::transport::{FnTransport, TransportError};

    let fx = fixture();
    let (token, secret) = fx.dance(&consumer(), CALENDAR_SCOPE).await;
    let kept = OAuth1Token::new(
        "example.com",
        token,
        TokenSecret::new(secret),
        vec![Scope::new(CALENDAR_SCOPE).unwrap()],
    );
    let store = MemoryStore::new();
    store.save("jo", &kept.to_stored()).unwrap();
    let old = kept.authorizer(&consumer());

    // The token endpoint answers 500.
    let failing = FnTransport(|_req: HttpRequest| async {
        Ok(HttpResponse::new(500, r#"{"error":"server_error"}"#)
            .with_header("Content-Type", "application/json"))
    });
    // The request reaches the emulator, and its answer is lost on the way back.
    let http = fx.http.clone();
    let lost = FnTransport(move |req: HttpRequest| {
        let http = http.clone();
        async move {
            let resp = http.send(req).await?;
            assert_eq!(resp.status, 200, "the emulator migrated");
            Err(TransportError::Connect("connection reset".into()))
        }
    });
    for (what, transport) in [
        ("500", &failing as &dyn Transport),
        ("answer lost", &lost as &dyn Transport),
    ] {
        let err = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
            .send(transport)
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{what}: {err:?}");
        let stored = OAuth1Token::from_stored(&store.load("jo").unwrap().unwrap()).unwrap();
        assert_eq!(stored.token(), kept.token(), "{what}");
        assert_eq!(stored.secret(), kept.secret(), "{what}");
        assert_eq!(stored.scopes(), kept.scopes(), "{what}");
        assert_eq!(
            oauth1_feed(&fx, &stored.authorizer(&consumer())).await,
            200,
            "{what}"
        );
    }
    let grant = migrate(&endpoints(&fx), &client(), &old, &[], &fx.ctx(), T0)
        .send(&fx.http)
        .await
        .unwrap();
    assert!(grant.refresh_token.is_some());
    assert_eq!(oauth1_feed(&fx, &old).await, 200);
}
