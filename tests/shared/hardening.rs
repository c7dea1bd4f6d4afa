//! Regression tests for what an adversarial probe of `gdauth serve` found (issue 15 §1), one
//! named test per finding: scopes that show one thing and grant another, connections that
//! never send a header, duplicate `Host` / `Authorization`, invalid UTF-8 in the path, the
//! `nosniff` header, request-token floods, callback schemes, CSRF on the consent pages and
//! password guessing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;
use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::transport::HttpRequest;

use crate::support::emulator::{quiet, raw, status_line};

/// Reads until the server closes the connection; returns the bytes and how long it took.
/// Fails if the connection is still open after `limit`.
fn until_closed(s: &mut TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("connection still open after {limit:?}: {e}"),
        }
    }
    (out, start.elapsed())
}

// ---- Scope shown ≠ scope granted ------------------------------------------------------

const DOT_SCOPES: [&str; 4] = [
    "http://www.google.com/calendar/feeds/x/../../../",
    "http://www.google.com/calendar/feeds/%2e%2e/%2e%2e/m8/feeds/",
    "http://www.google.com/calendar/feeds/..%2F..%2Fm8/feeds/",
    "http://www.google.com/calendar/feeds\\..\\..\\m8/feeds/",
];

#[tokio::test]
async fn a_scope_with_dot_segments_is_refused_at_the_request_token_step() {
    let fx = Fixture::new(EmulatorConfig::new());
    let c = OAuth1Authorizer::anonymous().with_callback("oob");
    for scope in DOT_SCOPES {
        let r = fx
            .signed(
                &c,
                "POST",
                &format!(
                    "/accounts/OAuthGetRequestToken?scope={}",
                    gdata_auth::encoding::percent_encode(scope)
                ),
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!(r.status, 400, "{scope}: {}", text(&r));
        assert_eq!(problem(&r), "parameter_rejected", "{scope}");
        assert!(
            text(&r).contains("oauth_parameters_rejected=scope"),
            "{}",
            text(&r)
        );
    }
}

#[tokio::test]
async fn a_scope_with_dot_segments_is_refused_by_authsub_request() {
    let fx = Fixture::new(EmulatorConfig::new());
    for scope in DOT_SCOPES {
        let url = fx.url(&format!(
            "/accounts/AuthSubRequest?next={}&scope={}&session=1&secure=0",
            gdata_auth::encoding::percent_encode("http://localhost/cb"),
            gdata_auth::encoding::percent_encode(scope)
        ));
        let r = fx.send(HttpRequest::get(url)).await;
        assert_eq!(r.status, 400, "{scope}: {}", text(&r));
        assert!(r.header("Location").is_none());
        assert!(text(&r).contains("scope"), "{}", text(&r));
    }
    // The same request with a plain scope shows the consent page.
    let url = fx.url(&format!(
        "/accounts/AuthSubRequest?next={}&scope={}&session=1&secure=0",
        gdata_auth::encoding::percent_encode("http://localhost/cb"),
        gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
    ));
    assert_eq!(fx.send(HttpRequest::get(url)).await.status, 200);
}

#[tokio::test]
async fn an_oauth2_url_scope_with_dot_segments_is_refused() {
    let fx = Fixture::new(EmulatorConfig::new().add_oauth2_client("cid", "csecret"));
    for scope in DOT_SCOPES {
        let r = fx
            .send(HttpRequest::post_form(
                fx.url("/o/oauth2/device/code"),
                &[("client_id", "cid"), ("scope", scope)],
            ))
            .await;
        assert_eq!(r.status, 400, "{scope}: {}", text(&r));
        assert!(text(&r).contains("invalid_scope"), "{}", text(&r));
        let auth = fx.url(&format!(
            "/o/oauth2/auth?response_type=code&client_id=cid&redirect_uri={}&scope={}",
            gdata_auth::encoding::percent_encode("http://127.0.0.1:9/cb"),
            gdata_auth::encoding::percent_encode(scope)
        ));
        let r = fx.send(HttpRequest::get(auth)).await;
        assert_eq!(r.status, 302, "{scope}: {}", text(&r));
        assert!(
            r.header("Location")
                .unwrap()
                .contains("error=invalid_scope"),
            "{:?}",
            r.header("Location")
        );
    }
}

// ---- Header-read and idle timeouts, connection cap ------------------------------------

#[test]
fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let emu =
        Emulator::start(quiet().with_header_read_timeout(Duration::from_millis(300))).unwrap();
    let mut s = TcpStream::connect(emu.local_addr()).unwrap();
    let (_, took) = until_closed(&mut s, Duration::from_secs(5));
    assert!(took >= Duration::from_millis(250), "{took:?}");
}

#[test]
fn a_connection_that_sends_half_a_header_is_closed_after_the_header_read_timeout() {
    let emu =
        Emulator::start(quiet().with_header_read_timeout(Duration::from_millis(300))).unwrap();
    let mut s = TcpStream::connect(emu.local_addr()).unwrap();
    s.write_all(b"GET /calendar/feeds/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    let start = Instant::now();
    // Trickling more bytes does not extend the deadline.
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(50));
        let _ = s.write_all(b"a");
    }
    let (_, _) = until_closed(&mut s, Duration::from_secs(5));
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_timeout() {
    let emu =
        Emulator::start(quiet().with_header_read_timeout(Duration::from_millis(300))).unwrap();
    let mut s = TcpStream::connect(emu.local_addr()).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let (out, took) = until_closed(&mut s, Duration::from_secs(5));
    let out = String::from_utf8_lossy(&out);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(took >= Duration::from_millis(250), "{took:?}");
}

#[test]
fn the_connection_cap_holds() {
    let emu = Emulator::start(quiet().with_max_connections(2)).unwrap();
    let addr = emu.local_addr();
    let mut held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            // A whole request answered proves the connection is being served.
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 12];
            s.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"HTTP/1.1 200");
            s
        })
        .collect();
    let mut third = TcpStream::connect(addr).unwrap();
    let (out, _) = until_closed(&mut third, Duration::from_secs(5));
    let out = String::from_utf8_lossy(&out);
    assert!(out.starts_with("HTTP/1.1 503"), "{out}");
    assert!(out.contains("Retry-After: 1"), "{out}");
    // A freed slot serves again.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = raw(
            addr,
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        );
        if status_line(&r) == "HTTP/1.1 200 OK" {
            break;
        }
        assert!(Instant::now() < deadline, "no slot freed: {r}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn shutdown_still_stops_with_idle_connections_open() {
    let emu = Emulator::start(quiet()).unwrap();
    let _idle = TcpStream::connect(emu.local_addr()).unwrap();
    let start = Instant::now();
    emu.shutdown();
    assert!(start.elapsed() < Duration::from_secs(7));
}

// ---- Duplicate Host / Authorization, HTTP/1.1 without Host ------------------------------

/// Paths of every kind of endpoint, and a feed.
const PATHS: [&str; 8] = [
    "/accounts/OAuthGetRequestToken",
    "/accounts/OAuthAuthorizeToken",
    "/accounts/ClientLogin",
    "/accounts/AuthSubRequest",
    "/o/oauth2/token",
    "/device",
    "/calendar/feeds/default/private/full",
    "/",
];

#[test]
fn a_duplicate_host_header_is_refused() {
    let emu = Emulator::start(quiet()).unwrap();
    for path in PATHS {
        let r = raw(
            emu.local_addr(),
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        assert!(status_line(&r).starts_with("HTTP/1.1 400"), "{path}: {r}");
        assert!(r.contains("more than one host header"), "{path}: {r}");
    }
}

#[test]
fn a_duplicate_authorization_header_is_refused() {
    let emu = Emulator::start(quiet()).unwrap();
    for path in PATHS {
        let r = raw(
            emu.local_addr(),
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: OAuth a=\"b\"\r\n\
                 Authorization: GoogleLogin auth=x\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        assert!(status_line(&r).starts_with("HTTP/1.1 400"), "{path}: {r}");
        assert!(
            r.contains("more than one authorization header"),
            "{path}: {r}"
        );
    }
}

#[test]
fn an_http11_request_without_host_is_refused() {
    let emu = Emulator::start(quiet()).unwrap();
    for path in PATHS {
        let r = raw(
            emu.local_addr(),
            format!("GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert!(status_line(&r).starts_with("HTTP/1.1 400"), "{path}: {r}");
        assert!(r.contains("without a Host"), "{path}: {r}");
    }
    // HTTP/1.0 has no Host requirement.
    let r = raw(emu.local_addr(), b"GET / HTTP/1.0\r\n\r\n");
    assert!(status_line(&r).contains(" 200"), "{r}");
}

// ---- Invalid UTF-8 in the path ----------------------------------------------------------

#[test]
fn invalid_utf8_in_the_path_is_refused() {
    let emu = Emulator::start(quiet()).unwrap();
    for path in [
        "/calendar/feeds/%FF/private/full",
        "/calendar/feeds/%C0%AF/private/full",
        "/m8/feeds/%ff",
        "/accounts/OAuthGetRequestToken/%FF",
    ] {
        let r = raw(
            emu.local_addr(),
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let st = status_line(&r);
        assert!(
            st.starts_with("HTTP/1.1 400") || st.starts_with("HTTP/1.1 404"),
            "{path}: {r}"
        );
        if path.contains("/feeds/") {
            assert!(st.starts_with("HTTP/1.1 400"), "{path}: {r}");
            assert!(r.contains("path"), "{path}: {r}");
        }
    }
    // Valid UTF-8 escapes are still read (and refused only for want of a credential).
    let r = raw(
        emu.local_addr(),
        b"GET /calendar/feeds/%C3%A9/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert!(!r.contains("path:"), "{r}");
}

// ---- nosniff ------------------------------------------------------------------------------

#[test]
fn every_response_says_nosniff() {
    let emu = Emulator::start(quiet()).unwrap();
    for req in [
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "PUT /accounts/ClientLogin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET /accounts/OAuthGetRequestToken HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "POST /accounts/ClientLogin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "GET /calendar/feeds/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET /accounts/OAuthAuthorizeToken?oauth_token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    ] {
        let r = raw(emu.local_addr(), req.as_bytes());
        assert!(
            r.to_ascii_lowercase().contains("x-content-type-options: nosniff"),
            "{req}: {r}"
        );
    }
}

// ---- Request-token flood ------------------------------------------------------------------

#[tokio::test]
async fn a_request_token_flood_does_not_evict_another_users_pending_consent() {
    use gdata_auth::ConsumerSecret;
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("flood.example", "s1")
            .add_hmac_consumer("victim.example", "s2"),
    );
    let flooder = OAuth1Authorizer::hmac_sha1("flood.example", ConsumerSecret::new("s1"));
    let victim = OAuth1Authorizer::hmac_sha1("victim.example", ConsumerSecret::new("s2"));
    let (vt, vs) = fx.request_token(&victim, CALENDAR_SCOPE, "oob").await;
    // The victim's consent page is open.
    let page = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            gdata_auth::encoding::percent_encode(&vt)
        ))))
        .await;
    assert_eq!(page.status, 200);
    let (first_flood, _) = fx.request_token(&flooder, CALENDAR_SCOPE, "oob").await;
    let mut refused = None;
    for _ in 0..1_100 {
        let r = fx
            .signed(
                &flooder.clone().with_callback("oob"),
                "POST",
                "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F",
                &[],
                Placement::Header,
            )
            .await;
        if r.status != 200 {
            refused = Some(r);
            break;
        }
    }
    let refused = refused.expect("the flood is refused at the per-consumer cap");
    assert_eq!(refused.status, 503, "{}", text(&refused));
    assert_eq!(problem(&refused), "temporarily_unavailable");
    assert!(refused.header("Retry-After").is_some());
    // Nobody's pending token was evicted: the flooder's first, and the victim's, whose
    // consent still goes through.
    let still = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            gdata_auth::encoding::percent_encode(&first_flood)
        ))))
        .await;
    assert_eq!(still.status, 200, "{}", text(&still));
    let v = fx.approve(&vt).await;
    let r = fx.exchange(&victim, &vt, &vs, &v).await;
    assert_eq!(r.status, 200, "{}", text(&r));
}

// ---- Callback schemes ---------------------------------------------------------------------

#[tokio::test]
async fn callback_schemes_are_allowlisted() {
    let fx = Fixture::new(EmulatorConfig::new());
    for callback in [
        "feed:javascript:alert(1)",
        "x-javascript:alert(1)",
        "view-source:https://app.example/",
        "jar:https://app.example/x.jar!/",
        "intent://cb#Intent;scheme=https;end",
        "myapp://cb",
    ] {
        let c = OAuth1Authorizer::anonymous().with_callback(callback);
        let r = fx
            .signed(
                &c,
                "POST",
                "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F",
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!(r.status, 400, "{callback}: {}", text(&r));
        assert_eq!(problem(&r), "parameter_rejected", "{callback}");
    }
}

// ---- CSRF on the consent pages -----------------------------------------------------------

/// Posts `action` to a consent page with `fields`, with or without a `csrf_token`.
async fn post_consent(
    fx: &Fixture,
    path: &str,
    fields: &[(&str, &str)],
    csrf: Option<&str>,
    action: &str,
) -> gdata_auth::transport::HttpResponse {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("Email", "user@example.com"));
    form.push(("Passwd", "password"));
    if let Some(t) = csrf {
        form.push(("csrf_token", t));
    }
    form.push(("action", action));
    fx.send(HttpRequest::post_form(fx.url(path), &form)).await
}

#[tokio::test]
async fn a_consent_answer_without_the_pages_csrf_token_is_refused() {
    let fx = Fixture::new(EmulatorConfig::new().add_oauth2_client("cid", "csecret"));
    let c = OAuth1Authorizer::anonymous();
    let (rt, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let (other, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let oauth1 = [("oauth_token", rt.as_str())];
    let other_page = fx
        .csrf(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            gdata_auth::encoding::percent_encode(&other)
        ))
        .await;
    for action in ["approve", "deny"] {
        for csrf in [None, Some(""), Some("00"), Some(other_page.as_str())] {
            let r = post_consent(&fx, "/accounts/OAuthAuthorizeToken", &oauth1, csrf, action).await;
            assert_eq!(r.status, 403, "{action} {csrf:?}: {}", text(&r));
            assert!(text(&r).contains("csrf_token"), "{}", text(&r));
            assert!(r.header("Location").is_none());
        }
    }
    // Nothing changed: the page's own token still approves.
    let page = fx
        .csrf(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            gdata_auth::encoding::percent_encode(&rt)
        ))
        .await;
    let r = post_consent(
        &fx,
        "/accounts/OAuthAuthorizeToken",
        &oauth1,
        Some(&page),
        "approve",
    )
    .await;
    assert_eq!(r.status, 200, "{}", text(&r));
    assert!(oob_verifier(text(&r)).is_some());

    // AuthSub.
    let authsub = [
        ("next", "http://localhost/cb"),
        ("scope", CALENDAR_SCOPE),
        ("session", "1"),
    ];
    for action in ["approve", "deny"] {
        let r = post_consent(&fx, "/accounts/AuthSubRequest", &authsub, None, action).await;
        assert_eq!(r.status, 403, "AuthSub {action}: {}", text(&r));
        assert!(r.header("Location").is_none());
    }
    let page = fx
        .csrf(&format!(
            "/accounts/AuthSubRequest?next={}&scope={}&session=1",
            gdata_auth::encoding::percent_encode("http://localhost/cb"),
            gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
        ))
        .await;
    let r = post_consent(
        &fx,
        "/accounts/AuthSubRequest",
        &authsub,
        Some(&page),
        "approve",
    )
    .await;
    assert_eq!(r.status, 302, "{}", text(&r));

    // OAuth 2.0 authorization endpoint.
    let oauth2 = [
        ("response_type", "code"),
        ("client_id", "cid"),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
        ("scope", CALENDAR_SCOPE),
        ("state", "s"),
    ];
    for action in ["approve", "deny"] {
        let r = post_consent(&fx, "/o/oauth2/auth", &oauth2, None, action).await;
        assert_eq!(r.status, 403, "OAuth 2.0 {action}: {}", text(&r));
        assert!(r.header("Location").is_none());
    }
    let query = gdata_auth::encoding::form_encode(
        &oauth2
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect::<Vec<_>>(),
    );
    let page = fx.csrf(&format!("/o/oauth2/auth?{query}")).await;
    let r = post_consent(&fx, "/o/oauth2/auth", &oauth2, Some(&page), "approve").await;
    assert_eq!(r.status, 302, "{}", text(&r));
    assert!(r.header("Location").unwrap().contains("code="));

    // The device page.
    let d = fx
        .send(HttpRequest::post_form(
            fx.url("/o/oauth2/device/code"),
            &[("client_id", "cid"), ("scope", CALENDAR_SCOPE)],
        ))
        .await;
    let d: serde_json::Value = serde_json::from_str(text(&d)).unwrap();
    let user_code = d["user_code"].as_str().unwrap();
    let device = [("user_code", user_code)];
    for action in ["approve", "deny"] {
        let r = post_consent(&fx, "/device", &device, None, action).await;
        assert_eq!(r.status, 403, "device {action}: {}", text(&r));
    }
    let page = fx.csrf(&format!("/device?user_code={user_code}")).await;
    let r = post_consent(&fx, "/device", &device, Some(&page), "deny").await;
    assert_eq!(r.status, 200, "{}", text(&r));
}

#[tokio::test]
async fn auto_approve_gets_need_no_csrf_token() {
    let fx = Fixture::new(EmulatorConfig::new().with_auto_approve(true));
    let c = OAuth1Authorizer::anonymous();
    let (rt, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let r = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            gdata_auth::encoding::percent_encode(&rt)
        ))))
        .await;
    assert_eq!(r.status, 200);
    assert!(oob_verifier(text(&r)).is_some());
}

// ---- Password guessing on the consent page ---------------------------------------------------

#[tokio::test]
async fn password_guesses_on_the_consent_page_are_rate_limited() {
    use gdata_auth::emulator::{MAX_WRONG_PASSWORDS, SIGN_IN_LOCKOUT};
    let fx = Fixture::new(EmulatorConfig::new());
    let c = OAuth1Authorizer::anonymous();
    let (rt, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    for _ in 0..MAX_WRONG_PASSWORDS {
        let r = fx
            .submit_consent(&rt, "user@example.com", "guess", "approve")
            .await;
        assert_eq!(r.status, 401);
    }
    // Locked: the right password too, with Retry-After; nothing approved.
    let r = fx
        .submit_consent(&rt, "user@example.com", "password", "approve")
        .await;
    assert_eq!(r.status, 429, "{}", text(&r));
    assert_eq!(
        r.header("Retry-After"),
        Some(SIGN_IN_LOCKOUT.to_string().as_str())
    );
    assert!(text(&r).contains("Too many wrong passwords"));
    assert!(oob_verifier(text(&r)).is_none());
    // After the lockout (the emulator's clock), the right password works.
    fx.clock.advance(SIGN_IN_LOCKOUT);
    let v = fx.approve(&rt).await;
    assert!(!v.is_empty());
}
