//! Faults (issue 15 §7): a client that disconnects in the middle of a request spends
//! nothing it had not finished asking for, a grant whose store cannot be written is kept
//! in memory and used, never lost, and an emulator whose state store fails mid-request
//! answers 503 with `Retry-After`, changes nothing, and serves the retry once the disk is
//! back. (A 503 with `Retry-After` retried by `retry::Backoff` is
//! `tests/clientlogin/emulator.rs::backoff_honours_retry_after_on_service_unavailable`.)

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;

use gdata_auth::emulator::{Change, EmulatorConfig, Expiring, StateError, StateStore};
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

/// A state store on a disk that can be made to fail: every write refused while `fail` is
/// set (as a full or vanished disk would refuse it).
#[derive(Debug, Default)]
struct FlakyDisk {
    rows: std::sync::Mutex<std::collections::BTreeMap<(String, String), String>>,
    expiring: std::sync::Mutex<std::collections::BTreeMap<(String, String), u64>>,
    fail: std::sync::atomic::AtomicBool,
    /// Fails only the batches that touch this table (a write that fails half-way through
    /// an operation spanning two stores).
    fail_table: std::sync::Mutex<Option<&'static str>>,
    refused: std::sync::atomic::AtomicUsize,
}

impl FlakyDisk {
    fn check(&self) -> Result<(), StateError> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            self.refused
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Err(StateError::Io("No space left on device (simulated)".into()));
        }
        Ok(())
    }
}

impl StateStore for FlakyDisk {
    fn apply(&self, changes: &[Change]) -> Result<(), StateError> {
        self.check()?;
        let failing = *self.fail_table.lock().unwrap();
        if let Some(table) = failing {
            let touches = changes.iter().any(|c| match c {
                Change::Put { table: t, .. } | Change::Delete { table: t, .. } => *t == table,
                _ => false,
            });
            if touches {
                return Err(StateError::Io(format!("{table}: disk full (simulated)")));
            }
        }
        let mut rows = self.rows.lock().unwrap();
        for c in changes {
            match c {
                Change::Put { table, key, value } => {
                    rows.insert((table.to_string(), key.clone()), value.clone());
                }
                Change::Delete { table, key } => {
                    rows.remove(&(table.to_string(), key.clone()));
                }
                _ => unreachable!("a change this test does not know"),
            }
        }
        Ok(())
    }

    fn load(&self, table: &str) -> Result<Vec<(String, String)>, StateError> {
        let rows = self.rows.lock().unwrap();
        Ok(rows
            .iter()
            .filter(|((t, _), _)| t == table)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect())
    }

    fn purge(&self, _table: &str, _now: u64) -> Result<(), StateError> {
        self.check()
    }

    fn write_expiring(&self, batch: &[Expiring]) -> Result<(), StateError> {
        self.check()?;
        let mut rows = self.expiring.lock().unwrap();
        for change in batch {
            match change {
                Expiring::Put {
                    table,
                    key,
                    expires,
                } => {
                    rows.insert((table.to_string(), key.clone()), *expires);
                }
                Expiring::Delete { table, key, .. } => {
                    rows.remove(&(table.to_string(), key.clone()));
                }
                _ => unreachable!("a change this test does not know"),
            }
        }
        Ok(())
    }

    fn load_expiring(&self, table: &str) -> Result<Vec<(String, u64)>, StateError> {
        let rows = self.expiring.lock().unwrap();
        Ok(rows
            .iter()
            .filter(|((t, _), _)| t == table)
            .map(|((_, k), e)| (k.clone(), *e))
            .collect())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_write_that_fails_mid_request_answers_503_and_loses_nothing() {
    let disk = Arc::new(FlakyDisk::default());
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "consumer-secret")
            .add_user("user@example.com", "password")
            .with_state_store(disk.clone()),
    );
    let (token, secret) = fx.request_token(&consumer(), CALENDAR_SCOPE, "oob").await;
    let verifier = fx.approve(&token).await;

    // The disk fails: the exchange is refused with 503 and Retry-After, and nothing the
    // client was not told about is kept.
    disk.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    let refused = fx.exchange(&consumer(), &token, &secret, &verifier).await;
    assert_eq!(refused.status, 503, "{}", text(&refused));
    assert!(refused.header("retry-after").is_some());
    assert!(disk.refused.load(std::sync::atomic::Ordering::SeqCst) > 0);
    let refused = fx
        .signed(
            &consumer().with_callback("oob"),
            "POST",
            &format!(
                "/accounts/OAuthGetRequestToken?scope={}",
                gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
            ),
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(refused.status, 503, "{}", text(&refused));

    // The disk is back: the same request token, approved before, exchanges now (it was not
    // spent by the refused attempt), and the stored state holds exactly that.
    disk.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    let ok = fx.exchange(&consumer(), &token, &secret, &verifier).await;
    assert_eq!(ok.status, 200, "{}", text(&ok));
    let access = get(&form(&ok), "oauth_token").unwrap().to_owned();
    let rows = disk.load("oauth1_access_tokens").unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].0.contains(&access));
    // The refused request token call stored nothing either: one request token in all.
    assert_eq!(disk.load("oauth1_request_tokens").unwrap().len(), 1);

    // A feed read changes no token, only the nonce window: its answer waits for the
    // nonce's batch, so with the disk failing it is 503, not the feed.
    let access_secret = get(&form(&ok), "oauth_token_secret").unwrap().to_owned();
    let reader = consumer().with_token(
        access.as_str(),
        gdata_auth::TokenSecret::new(access_secret.as_str()),
    );
    let read = signed_request(
        &reader,
        "GET",
        &fx.url("/calendar/feeds/default/private/full"),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    disk.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    let refused = fx.send(read.clone()).await;
    assert_eq!(refused.status, 503, "{}", text(&refused));
    assert!(refused.header("retry-after").is_some());
    assert!(!text(&refused).contains("<feed"), "the feed was answered");
    disk.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    // That nonce stays spent (a replay of a refused request is still a replay); a fresh
    // signature reads the feed, and its nonce is on disk by the time the answer arrives.
    let replay = fx.send(read).await;
    assert_eq!(replay.status, 401, "{}", text(&replay));
    assert!(text(&replay).contains("nonce_used"));
    let stored = disk.load_expiring("oauth1_nonces").unwrap().len();
    let fresh = fx
        .signed(
            &reader,
            "GET",
            "/calendar/feeds/default/private/full",
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", text(&fresh));
    assert_eq!(
        disk.load_expiring("oauth1_nonces").unwrap().len(),
        stored + 1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_whose_grant_cannot_be_written_is_not_spent() {
    let disk = Arc::new(FlakyDisk::default());
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_oauth2_client("cid", "csecret")
            .add_user("user@example.com", "password")
            .with_auto_approve(true)
            .with_state_store(disk.clone()),
    );
    let redirect = "http://127.0.0.1:9/cb";
    let approved = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/o/oauth2/auth?response_type=code&client_id=cid&redirect_uri={}&scope={}&state=s",
            gdata_auth::encoding::percent_encode(redirect),
            gdata_auth::encoding::percent_encode("https://www.googleapis.com/auth/calendar"),
        ))))
        .await;
    assert_eq!(approved.status, 302, "{}", text(&approved));
    let location = approved.header("location").unwrap().to_owned();
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .map(|c| gdata_auth::encoding::percent_decode(c).unwrap())
        .unwrap();
    let exchange = || {
        HttpRequest::post_form(
            fx.url("/o/oauth2/token"),
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
                ("client_id", "cid"),
                ("client_secret", "csecret"),
            ],
        )
    };
    // The code is spent (written), then the grant cannot be written: 503, and the code is
    // put back, so the retry the 503 invites succeeds instead of "already redeemed".
    *disk.fail_table.lock().unwrap() = Some("oauth2_grants");
    let refused = fx.send(exchange()).await;
    assert_eq!(refused.status, 503, "{}", text(&refused));
    assert!(text(&refused).contains("temporarily_unavailable"));
    assert!(refused.header("retry-after").is_some());
    *disk.fail_table.lock().unwrap() = None;
    let ok = fx.send(exchange()).await;
    assert_eq!(ok.status, 200, "{}", text(&ok));
    assert!(text(&ok).contains("access_token"));
    // Spent for good now.
    let again = fx.send(exchange()).await;
    assert_eq!(again.status, 400, "{}", text(&again));
}
