//! The token source over a closure transport that plays the token endpoint and a feed:
//! concurrent callers trigger one refresh, refresh before expiry with a margin, one refresh
//! and one retry on a 401, a final refusal kept, every new token saved.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gdata_auth::clock::FixedClock;
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::{
    AccessToken, ClientCredentials, ClientSecret, OAuth2Error, OAuth2Token, RefreshToken,
    SourceError, TokenSource,
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
