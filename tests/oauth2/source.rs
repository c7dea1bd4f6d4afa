//! The token source over a closure transport that plays the token endpoint and a feed:
//! concurrent callers trigger one refresh, refresh before expiry with a margin, one refresh
//! and one retry on a 401, a final refusal kept, every new token saved.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gdata_auth::clock::FixedClock;
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::{
    AccessToken, AuthorizationCode, ClientCredentials, ClientSecret, Malformed, OAuth2Error,
    OAuth2Token, RefreshToken, SourceError, TokenKind, TokenSource,
};
use gdata_auth::store::{MemoryStore, TokenStore};
use gdata_auth::transport::{FnTransport, HttpRequest, HttpResponse, TransportError};

const FEED: &str = "http://127.0.0.1:1/calendar/feeds/default/private/full";

#[derive(Default)]
struct Server {
    refreshes: AtomicUsize,
    feed_calls: AtomicUsize,
    /// The feed refuses every token (to test the no-loop rule).
    feed_refuses_all: bool,
    /// The token endpoint answers this error.
    refuse: Option<&'static str>,
    /// The token endpoint's `expires_in` (3600 when unset).
    expires_in: Option<u64>,
    /// When set, the token endpoint answers this status and JSON body instead.
    token_answer: std::sync::Mutex<Option<(u16, String)>>,
}

impl Server {
    async fn answer(self: Arc<Self>, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if req.url.ends_with("/o/oauth2/token") {
            let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
            let body = String::from_utf8(req.body.clone()).unwrap();
            assert!(body
                .starts_with("grant_type=refresh_token&refresh_token=1%2Frefresh&client_id=cid"));
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Some(err) = self.refuse {
                return Ok(HttpResponse::new(400, err));
            }
            let answer = self.token_answer.lock().unwrap().clone();
            if let Some((status, body)) = answer {
                return Ok(
                    HttpResponse::new(status, body).with_header("Content-Type", "application/json")
                );
            }
            let expires_in = self.expires_in.unwrap_or(3600);
            return Ok(super::json(&format!(
                r#"{{"access_token":"ya29.new{n}","token_type":"Bearer","expires_in":{expires_in}}}"#
            )));
        }
        self.feed_calls.fetch_add(1, Ordering::SeqCst);
        let auth = req
            .header_value("Authorization")
            .unwrap_or_default()
            .to_owned();
        if self.feed_refuses_all || auth == "Bearer ya29.old" {
            return Ok(HttpResponse::new(401, "").with_header(
                "WWW-Authenticate",
                "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
            ));
        }
        Ok(HttpResponse::new(200, "<feed/>"))
    }
}

type Http = FnTransport<
    Box<
        dyn Fn(
                HttpRequest,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<HttpResponse, TransportError>> + Send>,
            > + Send
            + Sync,
    >,
>;

fn transport(server: &Arc<Server>) -> Http {
    let server = Arc::clone(server);
    FnTransport(Box::new(move |req| {
        Box::pin(Arc::clone(&server).answer(req))
    }))
}

fn grant(expires_at: Option<u64>) -> OAuth2Token {
    OAuth2Token::from_refresh_token("cid", RefreshToken::new("1/refresh"))
        .with_access_token(AccessToken::new("ya29.old"), expires_at)
        .with_scopes(["https://www.google.com/calendar/feeds/"])
}

fn source(server: &Arc<Server>, token: OAuth2Token, clock: Arc<FixedClock>) -> TokenSource<Http> {
    let endpoints = Endpoints::at("http://127.0.0.1:1").unwrap();
    let client = ClientCredentials::new("cid", ClientSecret::new("csecret"));
    TokenSource::new(endpoints, client, token, transport(server)).with_clock(clock)
}

/// `n` concurrent callers ask `src` for a token; each must get `expected`.
async fn all_get(src: &Arc<TokenSource<Http>>, n: usize, expected: &str) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let src = Arc::clone(src);
            tokio::spawn(async move { src.access_token().await.unwrap() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().secret(), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_trigger_one_refresh() {
    let server = Arc::new(Server::default());
    let src = Arc::new(source(
        &server,
        grant(Some(1000)),
        Arc::new(FixedClock::new(2000)),
    ));
    all_get(&src, 32, "ya29.new1").await;
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(src.refreshes(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_shorter_than_the_margin_is_refreshed_once() {
    // expires_in 30 s, under the 60 s margin: the new token must be used by every waiting
    // caller, not refreshed again by each (a refresh storm).
    let server = Arc::new(Server {
        expires_in: Some(30),
        ..Server::default()
    });
    let clock = Arc::new(FixedClock::new(2000));
    let src = Arc::new(source(&server, grant(Some(1000)), Arc::clone(&clock)));
    all_get(&src, 200, "ya29.new1").await;
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    // Half its life later it is refreshed again, once.
    clock.set(2015);
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.new2");
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.new2");
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refreshes_before_expiry_with_a_margin() {
    let server = Arc::new(Server::default());
    let clock = Arc::new(FixedClock::new(900));
    let src = source(&server, grant(Some(1000)), Arc::clone(&clock));
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.old");
    clock.set(939); // 61 s left: still good
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.old");
    clock.set(940); // 60 s left: the default margin
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.new1");
    assert_eq!(src.token().await.expires_at, Some(940 + 3600));
    // The refresh token and the scopes were kept (the answer had neither).
    let t = src.token().await;
    assert_eq!(t.refresh_token, Some(RefreshToken::new("1/refresh")));
    assert_eq!(t.scopes, ["https://www.google.com/calendar/feeds/"]);
    // Explicitly.
    assert_eq!(src.refresh().await.unwrap().secret(), "ya29.new2");
}

#[tokio::test]
async fn one_refresh_and_one_retry_on_a_401() {
    let server = Arc::new(Server::default());
    // No known expiry: only the 401 tells the token is stale.
    let src = source(&server, grant(None), Arc::new(FixedClock::new(0)));
    let resp = src.send(HttpRequest::get(FEED)).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.feed_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn never_a_loop() {
    let server = Arc::new(Server {
        feed_refuses_all: true,
        ..Server::default()
    });
    let src = source(&server, grant(None), Arc::new(FixedClock::new(0)));
    let err = src.send(HttpRequest::get(FEED)).await.unwrap_err();
    assert!(
        matches!(err, SourceError::OAuth2(OAuth2Error::TokenRejected)),
        "{err:?}"
    );
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.feed_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_refresh_once() {
    let server = Arc::new(Server::default());
    let src = Arc::new(source(&server, grant(None), Arc::new(FixedClock::new(0))));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let src = Arc::clone(&src);
            tokio::spawn(async move { src.send(HttpRequest::get(FEED)).await.unwrap().status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_final_refusal_is_kept() {
    let server = Arc::new(Server {
        refuse: Some(r#"{"error":"invalid_grant","error_subtype":"invalid_rapt"}"#),
        ..Server::default()
    });
    let src = source(&server, grant(Some(10)), Arc::new(FixedClock::new(100)));
    for _ in 0..3 {
        let err = src.access_token().await.unwrap_err();
        assert!(
            matches!(err, SourceError::OAuth2(OAuth2Error::ReauthRequired(_))),
            "{err:?}"
        );
    }
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn every_new_token_is_saved() {
    let server = Arc::new(Server::default());
    let store = Arc::new(MemoryStore::new());
    let src = source(&server, grant(Some(10)), Arc::new(FixedClock::new(100)))
        .with_store(store.clone(), "jo@calendar");
    src.access_token().await.unwrap();
    let saved = OAuth2Token::from_stored(&store.load("jo@calendar").unwrap().unwrap()).unwrap();
    assert_eq!(saved.access_token, Some(AccessToken::new("ya29.new1")));
    assert_eq!(saved.refresh_token, Some(RefreshToken::new("1/refresh")));
    assert_eq!(saved.expires_at, Some(3700));
    let json = serde_json::to_string(&saved.to_stored()).unwrap();
    assert!(
        json.starts_with(r#"{"kind":"oauth2","client_id":"cid""#),
        "{json}"
    );
}

// ---------------------------------------------------------------------------------------------
// SECURITY.md §5.1, rows 32–34

const KEPT: &str = "jo@calendar";

/// A source over `server` for an expired `grant`, saved beforehand in a store it keeps saving
/// to; returns the source and the store.
fn kept_source(server: &Arc<Server>) -> (TokenSource<Http>, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    store.save(KEPT, &grant(Some(10)).to_stored()).unwrap();
    let src = source(server, grant(Some(10)), Arc::new(FixedClock::new(100)))
        .with_store(store.clone(), KEPT);
    (src, store)
}

/// Nothing lost: the source's grant and the stored one are the grant we started with (the
/// refresh token, the old access token, its expiry and scopes).
async fn nothing_lost(src: &TokenSource<Http>, store: &MemoryStore, what: &str) {
    assert_eq!(src.token().await, grant(Some(10)), "{what}: grant changed");
    let stored = OAuth2Token::from_stored(&store.load(KEPT).unwrap().unwrap()).unwrap();
    assert_eq!(stored, grant(Some(10)), "{what}: stored grant changed");
}

fn oauth2_error(e: SourceError) -> OAuth2Error {
    match e {
        SourceError::OAuth2(e) => e,
        other => panic!("not an OAuth 2.0 error: {other:?}"),
    }
}

/// SECURITY.md §5.1 row 32: token answers over Google's size limits (code 257 B, access
/// 2049 B, refresh 513 B) are `TokenTooLarge`, a bad `expires_in` (−1, 1e30, `"1h"`) is
/// `BadExpiresIn`, a missing `token_type` is `MissingField`, extra fields are ignored;
/// nothing lost: after each refusal the source's grant and the stored grant are unchanged
/// (refresh token kept), and the next good answer is taken and saved.
#[tokio::test]
async fn row_32_token_response_sizes_expiry_and_fields() {
    assert_eq!(
        AuthorizationCode::checked("c".repeat(257)).unwrap_err(),
        OAuth2Error::TokenTooLarge {
            kind: TokenKind::AuthorizationCode,
            len: 257,
            limit: 256
        }
    );
    let too_large = |kind: TokenKind, len: usize| OAuth2Error::TokenTooLarge {
        kind,
        len,
        limit: kind.limit(),
    };
    let a = |n: usize| "a".repeat(n);
    let rows = [
        (
            format!(r#"{{"access_token":"{}","token_type":"Bearer"}}"#, a(2049)),
            too_large(TokenKind::AccessToken, 2049),
        ),
        (
            format!(
                r#"{{"access_token":"t","token_type":"Bearer","refresh_token":"{}"}}"#,
                a(513)
            ),
            too_large(TokenKind::RefreshToken, 513),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":-1}"#.to_owned(),
            OAuth2Error::Malformed(Malformed::BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":1e30}"#.to_owned(),
            OAuth2Error::Malformed(Malformed::BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":"1h"}"#.to_owned(),
            OAuth2Error::Malformed(Malformed::BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","expires_in":3600}"#.to_owned(),
            OAuth2Error::Malformed(Malformed::MissingField("token_type")),
        ),
    ];
    let server = Arc::new(Server::default());
    let (src, store) = kept_source(&server);
    for (body, want) in rows {
        *server.token_answer.lock().unwrap() = Some((200, body.clone()));
        let got = oauth2_error(src.access_token().await.unwrap_err());
        assert_eq!(got, want, "{}", &body[..body.len().min(80)]);
        nothing_lost(&src, &store, &body[..body.len().min(80)]).await;
    }
    // Extra fields are ignored; the refresh token is kept and the new grant saved.
    *server.token_answer.lock().unwrap() = Some((
        200,
        r#"{"access_token":"ya29.extra","token_type":"Bearer","expires_in":3600,"id_token":"x.y.z","extra":{"n":[1]}}"#
            .to_owned(),
    ));
    assert_eq!(src.access_token().await.unwrap().secret(), "ya29.extra");
    let saved = OAuth2Token::from_stored(&store.load(KEPT).unwrap().unwrap()).unwrap();
    assert_eq!(saved.access_token, Some(AccessToken::new("ya29.extra")));
    assert_eq!(saved.refresh_token, Some(RefreshToken::new("1/refresh")));
}

/// SECURITY.md §5.1 row 33: a refresh answered `invalid_grant` is `ReconsentRequired` (the
/// table's `RefreshRevoked`), `invalid_grant` + `error_subtype=invalid_rapt` is
/// `ReauthRequired`, `admin_policy_enforced` is `AdminPolicyEnforced`; each is final, kept
/// and not retried; nothing lost: the old grant (refresh token included) stays in the
/// source and in the store, for diagnosis.
#[tokio::test]
async fn row_33_refresh_revoked_reauth_or_admin_policy() {
    for (body, is) in [
        (
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
            (|e: &OAuth2Error| matches!(e, OAuth2Error::ReconsentRequired(_)))
                as fn(&OAuth2Error) -> bool,
        ),
        (
            r#"{"error":"invalid_grant","error_subtype":"invalid_rapt"}"#,
            |e: &OAuth2Error| matches!(e, OAuth2Error::ReauthRequired(_)),
        ),
        (r#"{"error":"admin_policy_enforced"}"#, |e: &OAuth2Error| {
            matches!(e, OAuth2Error::AdminPolicyEnforced(_))
        }),
    ] {
        let server = Arc::new(Server::default());
        *server.token_answer.lock().unwrap() = Some((400, body.to_owned()));
        let (src, store) = kept_source(&server);
        for _ in 0..3 {
            let e = oauth2_error(src.access_token().await.unwrap_err());
            assert!(is(&e), "{body}: {e:?}");
            assert!(e.is_final(), "{body}");
        }
        assert_eq!(
            server.refreshes.load(Ordering::SeqCst),
            1,
            "{body}: retried"
        );
        nothing_lost(&src, &store, body).await;
    }
}

/// SECURITY.md §5.1 row 34: a resource answering 401 `invalid_token` twice in a row gets
/// one refresh and one retry, then `TokenRejected` (no loop); nothing lost: the refresh
/// token is kept in the source and the store, and the refreshed access token was saved.
#[tokio::test]
async fn row_34_two_invalid_token_401s_in_a_row() {
    let server = Arc::new(Server {
        feed_refuses_all: true,
        ..Server::default()
    });
    let store = Arc::new(MemoryStore::new());
    store.save(KEPT, &grant(None).to_stored()).unwrap();
    let src =
        source(&server, grant(None), Arc::new(FixedClock::new(0))).with_store(store.clone(), KEPT);
    let err = oauth2_error(src.send(HttpRequest::get(FEED)).await.unwrap_err());
    assert_eq!(err, OAuth2Error::TokenRejected);
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.feed_calls.load(Ordering::SeqCst), 2);
    let held = src.token().await;
    assert_eq!(held.refresh_token, Some(RefreshToken::new("1/refresh")));
    assert_eq!(held.access_token, Some(AccessToken::new("ya29.new1")));
    let stored = OAuth2Token::from_stored(&store.load(KEPT).unwrap().unwrap()).unwrap();
    assert_eq!(stored, held);
}
