//! `gdauth serve --state PATH` (issue 15 §5): killed with SIGKILL in the middle of load and
//! started again on the same file, the emulator still honours every grant it acknowledged
//! to a client (OAuth 1.0 access tokens under load; a ClientLogin token, an AuthSub session
//! token and an OAuth 2.0 device grant from before) and refuses every nonce it served
//! inside the window; a restart without the
//! `--consumer` flag still knows the consumer; and a state file it cannot use stops it at
//! start with the reason.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{AccessToken, Callback, OAuth1Authorizer, RequestTokenOptions, Scope};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Context, Request};

#[path = "support/mod.rs"]
mod support;

use support::Serve;

const SECRET: &str = "durable-secret";
const FEED: &str = "/calendar/feeds/default/private/full";
/// Consumers registered for the load: each takes ten grants, so no grant is revoked by the
/// ten-tokens-per-(user, consumer) rule and every acknowledged one must stay live.
const CONSUMERS: usize = 40;

fn consumer_key(n: usize) -> String {
    format!("c{n}.example.com")
}

fn consumer(n: usize) -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1(consumer_key(n), SECRET)
}

/// One client's three-legged dance with auto-approval: the access token, once the server
/// answered with it.
fn dance(
    endpoints: &Endpoints,
    http: &ReqwestBlockingTransport,
    consumer: &OAuth1Authorizer,
) -> Option<AccessToken> {
    let scope = Scope::new("http://www.google.com/calendar/feeds/").ok()?;
    let options = RequestTokenOptions::new([scope], Callback::Url("http://127.0.0.1:9/cb".into()));
    let rt = flow::request_token(endpoints, consumer, &options, &Context::now())
        .send_blocking(http)
        .ok()?;
    let page = http
        .send(HttpRequest::get(flow::authorize_url(
            endpoints,
            &rt,
            &Default::default(),
        )))
        .ok()?;
    let authorized = flow::parse_callback(rt, page.header("location")?).ok()?;
    flow::access_token(endpoints, consumer, &authorized, &Context::now())
        .send_blocking(http)
        .ok()
}

/// A feed read signed with `token`: the request as sent, to replay it later.
fn feed_read(base: &str, token: &AccessToken) -> HttpRequest {
    let url = format!("{base}{FEED}");
    let consumer = OAuth1Authorizer::hmac_sha1(token.consumer_key(), SECRET);
    let signed = token
        .authorizer(&consumer)
        .sign(&Request::new("GET", &url).unwrap(), &Context::now())
        .unwrap();
    HttpRequest::get(url).with_authorization(&signed.authorization)
}

/// The body of `resp` as text.
fn text(resp: &gdata_auth::transport::HttpResponse) -> String {
    String::from_utf8_lossy(&resp.body).into_owned()
}

/// `KEY=value` from a line-based answer.
fn line<'a>(body: &'a str, key: &str) -> &'a str {
    body.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|l| l.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key}= in {body:?}"))
}

/// A field of a JSON answer.
fn json(resp: &gdata_auth::transport::HttpResponse, key: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_owned()
}

/// A credential of every other protocol, got before the load: a ClientLogin `Auth` token,
/// an AuthSub session token, and an OAuth 2.0 device grant (access and refresh token).
struct Others {
    clientlogin: String,
    authsub: String,
    oauth2_access: String,
    oauth2_refresh: String,
}

fn other_protocols(base: &str, http: &ReqwestBlockingTransport) -> Others {
    let login = http
        .send(HttpRequest::post_form(
            format!("{base}/accounts/ClientLogin"),
            &[
                ("accountType", "HOSTED_OR_GOOGLE"),
                ("Email", "user@example.com"),
                ("Passwd", "pw"),
                ("service", "cl"),
                ("source", "durable-test"),
            ],
        ))
        .unwrap();
    assert_eq!(login.status, 200, "{}", text(&login));
    let clientlogin = line(&text(&login), "Auth").to_owned();

    let approved = http
        .send(HttpRequest::get(format!(
            "{base}/accounts/AuthSubRequest?next=http%3A%2F%2F127.0.0.1%3A9%2Fdone\
             &scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F&session=1&secure=0"
        )))
        .unwrap();
    assert_eq!(approved.status, 302, "{}", text(&approved));
    let location = approved.header("location").unwrap();
    let single = location.split("token=").nth(1).unwrap().to_owned();
    let upgraded = http
        .send(
            HttpRequest::get(format!("{base}/accounts/AuthSubSessionToken"))
                .header("Authorization", format!("AuthSub token=\"{single}\"")),
        )
        .unwrap();
    assert_eq!(upgraded.status, 200, "{}", text(&upgraded));
    let authsub = line(&text(&upgraded), "Token").to_owned();

    let code = http
        .send(HttpRequest::post_form(
            format!("{base}/o/oauth2/device/code"),
            &[
                ("client_id", "cid"),
                ("scope", "https://www.googleapis.com/auth/calendar"),
            ],
        ))
        .unwrap();
    assert_eq!(code.status, 200, "{}", text(&code));
    let user_code = json(&code, "user_code");
    let page = http
        .send(HttpRequest::get(format!(
            "{base}/device?user_code={user_code}"
        )))
        .unwrap();
    assert_eq!(page.status, 200, "{}", text(&page));
    let tokens = http
        .send(HttpRequest::post_form(
            format!("{base}/o/oauth2/token"),
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", &json(&code, "device_code")),
                ("client_id", "cid"),
                ("client_secret", "csecret"),
            ],
        ))
        .unwrap();
    assert_eq!(tokens.status, 200, "{}", text(&tokens));
    Others {
        clientlogin,
        authsub,
        oauth2_access: json(&tokens, "access_token"),
        oauth2_refresh: json(&tokens, "refresh_token"),
    }
}

/// A calendar feed read with `authorization`: its status.
fn feed_status(base: &str, http: &ReqwestBlockingTransport, authorization: &str) -> u16 {
    http.send(HttpRequest::get(format!("{base}{FEED}")).header("Authorization", authorization))
        .unwrap()
        .status
}

/// Every credential of `others` still reads the feed, and the refresh token refreshes.
fn others_still_work(base: &str, http: &ReqwestBlockingTransport, others: &Others) {
    let cl = format!("GoogleLogin auth={}", others.clientlogin);
    assert_eq!(feed_status(base, http, &cl), 200, "ClientLogin token");
    let authsub = format!("AuthSub token=\"{}\"", others.authsub);
    assert_eq!(
        feed_status(base, http, &authsub),
        200,
        "AuthSub session token"
    );
    let bearer = format!("Bearer {}", others.oauth2_access);
    assert_eq!(
        feed_status(base, http, &bearer),
        200,
        "OAuth 2.0 access token"
    );
    let refreshed = http
        .send(HttpRequest::post_form(
            format!("{base}/o/oauth2/token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &others.oauth2_refresh),
                ("client_id", "cid"),
                ("client_secret", "csecret"),
            ],
        ))
        .unwrap();
    assert_eq!(refreshed.status, 200, "{}", text(&refreshed));
    let bearer = format!("Bearer {}", json(&refreshed, "access_token"));
    assert_eq!(
        feed_status(base, http, &bearer),
        200,
        "refreshed OAuth 2.0 token"
    );
}

/// `gdauth serve` on `addr` keeping its state in `state`, with auto-approval.
fn start(addr: &str, state: &str, extra: &[&str]) -> Serve {
    let mut args = vec![
        "--state",
        state,
        "--user",
        "user@example.com:pw",
        "--auto-approve",
        "--oauth2-client",
        "cid:csecret",
        "--device-interval",
        "1",
    ];
    args.extend_from_slice(extra);
    Serve::start_at(addr, &args)
}

#[test]
fn a_kill_9_under_load_loses_no_acknowledged_grant_and_accepts_no_nonce_twice() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let state = state.to_str().unwrap();
    let flags: Vec<String> = (0..CONSUMERS)
        .flat_map(|n| {
            [
                "--consumer".to_owned(),
                format!("{}:{SECRET}", consumer_key(n)),
            ]
        })
        .collect();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = start("127.0.0.1:0", state, &flags);
    let base = server.base().to_owned();
    let endpoints = Endpoints::at(&base).unwrap();
    let others = other_protocols(&base, &ReqwestBlockingTransport::new().unwrap());

    // Eight clients dance and read in a loop; every grant the server answered is kept, with
    // every feed read it served (a 200), until the server dies under them.
    let granted: Arc<Mutex<Vec<AccessToken>>> = Arc::default();
    let served: Arc<Mutex<Vec<HttpRequest>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let dances = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (endpoints, base) = (endpoints.clone(), base.clone());
            let (granted, served, stop) = (granted.clone(), served.clone(), stop.clone());
            let dances = dances.clone();
            std::thread::spawn(move || {
                let http = ReqwestBlockingTransport::new().unwrap();
                while !stop.load(Ordering::SeqCst) {
                    let n = dances.fetch_add(1, Ordering::SeqCst);
                    if n >= CONSUMERS * 10 {
                        break;
                    }
                    let Some(token) = dance(&endpoints, &http, &consumer(n / 10)) else {
                        continue;
                    };
                    granted.lock().unwrap().push(token.clone());
                    let read = feed_read(&base, &token);
                    if http.send(read.clone()).is_ok_and(|r| r.status == 200) {
                        served.lock().unwrap().push(read);
                    }
                }
            })
        })
        .collect();
    // Let the load run, then SIGKILL the server in the middle of it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while granted.lock().unwrap().len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(server);
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let granted = granted.lock().unwrap().clone();
    let served = served.lock().unwrap().clone();
    assert!(
        granted.len() >= 50,
        "only {} grants before the kill",
        granted.len()
    );
    // The replay half below checks nothing without served reads.
    assert!(
        !served.is_empty(),
        "no feed read was served before the kill"
    );

    // Started again on the same file and port (so the URLs the clients signed name it),
    // without --consumer: the stored consumers are still known.
    let restarted_at = Instant::now();
    let addr = base.trim_start_matches("http://");
    let _again = start(addr, state, &[]);
    let restart = restarted_at.elapsed();
    let http = ReqwestBlockingTransport::new().unwrap();
    let mut lost = Vec::new();
    for token in &granted {
        let status = http.send(feed_read(&base, token)).unwrap().status;
        if status != 200 {
            lost.push((token.token().to_owned(), status));
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} grants lost: {lost:?}",
        lost.len(),
        granted.len()
    );
    others_still_work(&base, &http, &others);
    for read in &served {
        let r = http.send(read.clone()).unwrap();
        assert_eq!(r.status, 401, "a served request was accepted again");
        assert!(r.body_text().unwrap().contains("nonce_used"));
    }
    eprintln!(
        "kill -9 under load: {} grants acknowledged, all {} honoured after restart; {} served \
         reads replayed, all refused (nonce_used); restart on the state file took {} ms",
        granted.len(),
        granted.len(),
        served.len(),
        restart.as_millis()
    );
}

#[test]
fn a_state_file_that_cannot_be_used_stops_serve_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // Not a database.
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        "not a database, only text, and long enough to be read as one",
    )
    .unwrap();
    // A directory that does not exist.
    let missing = dir.path().join("no-such-dir").join("state.db");
    for path in [junk, missing] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .args(["serve", "--addr", "127.0.0.1:0", "--state"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(out.stdout.is_empty(), "it must not say it is listening");
        assert!(stderr.contains("state store"), "{stderr}");
        assert!(
            stderr.contains(path.file_name().unwrap().to_str().unwrap())
                || stderr.contains("no-such-dir"),
            "{stderr}"
        );
    }
}

#[test]
fn a_second_server_on_the_same_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let state = state.to_str().unwrap();
    let _first = start("127.0.0.1:0", state, &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["serve", "--addr", "127.0.0.1:0", "--state", state])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("locked"), "{stderr}");
}
