//! Faults (issue 15 §7): a client that disconnects in the middle of a request spends
//! nothing it had not finished asking for, and a grant whose store cannot be written is kept
//! in memory and used, never lost. (A 503 with `Retry-After` retried by `retry::Backoff` is
//! `tests/clientlogin/emulator.rs::backoff_honours_retry_after_on_service_unavailable`.)

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::oauth2::{ClientCredentials, ClientSecret, OAuth2Token, RefreshToken, TokenSource};
use gdata_auth::store::{FileStore, TokenStore};
use gdata_auth::transport::{FnTransport, HttpRequest, HttpResponse, TransportError};

use crate::support::emulator::{
    form, get, signed_request, text, Fixture, Placement, CALENDAR_SCOPE,
};

fn consumer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_disconnects_mid_request_spends_nothing() {
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "consumer-secret")
            .add_user("user@example.com", "password"),
    );
    let (token, secret) = fx.request_token(&consumer(), CALENDAR_SCOPE, "oob").await;
    let verifier = fx.approve(&token).await;
    // The access-token request, signed, sent with its body cut short, then the socket
    // closed: the exchange never completed, so the request token must still be unspent.
    let auth = consumer()
        .with_token(
            token.as_str(),
            gdata_auth::TokenSecret::new(secret.as_str()),
        )
        .with_verifier(verifier.as_str());
    let url = fx.url("/accounts/OAuthGetAccessToken");
    let req = signed_request(
        &auth,
        "POST",
        &url,
        &[("x", "1")],
        Placement::Header,
        &fx.ctx(),
    );
    let addr = fx.emu.base_url().trim_start_matches("http://").to_owned();
    let header = req.header_value("Authorization").unwrap().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /accounts/OAuthGetAccessToken HTTP/1.1\r\nHost: x\r\nAuthorization: {header}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nx="
        )
        .unwrap();
        s.shutdown(std::net::Shutdown::Both).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
    })
    .await
    .unwrap();
    // The server goes on, and the interrupted exchange spent nothing: the real one works.
    let resp = fx.exchange(&consumer(), &token, &secret, &verifier).await;
    assert_eq!(resp.status, 200, "{}", text(&resp));
    assert!(get(&form(&resp), "oauth_token").is_some());
    // A second exchange of the same token is refused: the first completed one spent it.
    let again = fx.exchange(&consumer(), &token, &secret, &verifier).await;
    assert_eq!(again.status, 401, "{}", text(&again));
}

#[tokio::test]
async fn a_grant_whose_store_cannot_be_written_is_kept_and_used() {
    // A store whose directory is a file: every save fails (as a full or broken disk would,
    // and whoever runs the tests, root included).
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(blocker.join("tokens.json")));
    let answers = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = answers.clone();
    let http = FnTransport(move |_req: HttpRequest| {
        let n = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            Ok::<_, TransportError>(HttpResponse::new(
                200,
                format!(
                    r#"{{"access_token":"ya29.n{n}","token_type":"Bearer","expires_in":3600}}"#
                ),
            ))
        }
    });
    let client = ClientCredentials::new("cid", ClientSecret::new("s"));
    let grant = OAuth2Token::from_refresh_token("cid", RefreshToken::new("1//r"));
    let source = TokenSource::new(
        gdata_auth::endpoints::Endpoints::google(),
        client,
        grant,
        http,
    )
    .with_store(store.clone(), "jo");
    // The refresh succeeds at the endpoint; saving fails and says so.
    let first = source.access_token().await;
    assert!(
        matches!(first, Err(gdata_auth::oauth2::SourceError::Store(_))),
        "{first:?}"
    );
    // Nothing is lost: the refreshed token is kept in memory and handed out without asking
    // the endpoint again, and the refresh token is still there.
    let token = source.access_token().await.unwrap();
    assert_eq!(token.secret(), "ya29.n0");
    assert_eq!(answers.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(source.token().await.refresh_token.is_some());
    assert!(store.load("jo").is_err() || store.load("jo").unwrap().is_none());
}
