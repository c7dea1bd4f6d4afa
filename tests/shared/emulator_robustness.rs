//! The emulator under bad input and in its different hosts: malformed requests answered with
//! errors while the server keeps serving, raw garbage on the socket, size caps, starting from
//! sync code and from inside a tokio runtime, `serve` for `gdauth serve`, shutdown on drop,
//! configuration errors and the public base URL.

use std::net::TcpStream;
use std::time::Duration;

use crate::support::*;
use gdata_auth::emulator::{serve, Emulator, EmulatorConfig, EmulatorError, LogTarget};
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport, Transport};
use gdata_auth::ConsumerSecret;

use crate::support::emulator::{quiet, raw, status_line};

#[tokio::test]
async fn malformed_requests_are_refused_and_the_server_keeps_serving() {
    let fx = Fixture::new(EmulatorConfig::new());
    let rt_url = fx.url("/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fa%2F");
    let big_header = format!("OAuth oauth_consumer_key=\"{}\"", "a".repeat(9 * 1024));
    let cases: Vec<(&str, HttpRequest, u16)> = vec![
        (
            "garbage header",
            HttpRequest::get(&rt_url).header("Authorization", "OAuth garbage\"\"\""),
            400,
        ),
        (
            "unencoded value",
            HttpRequest::get(&rt_url).header("Authorization", "OAuth oauth_consumer_key=\"a b\""),
            400,
        ),
        (
            "header over 8 KiB",
            HttpRequest::get(&rt_url).header("Authorization", big_header),
            400,
        ),
        (
            "bad escape in query",
            HttpRequest::get(fx.url("/accounts/OAuthGetRequestToken?scope=%zz")),
            400,
        ),
        (
            "non-UTF-8 form body",
            HttpRequest::new("POST", fx.url("/accounts/OAuthGetAccessToken"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(vec![b'a', b'=', 0xff, 0xfe]),
            400,
        ),
        (
            "200 KiB body",
            HttpRequest::new("POST", fx.url("/accounts/OAuthGetAccessToken"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(vec![b'a'; 200 * 1024]),
            413,
        ),
        (
            "unsigned access-token call",
            HttpRequest::get(fx.url("/accounts/OAuthGetAccessToken")),
            400,
        ),
        (
            "PUT",
            HttpRequest::new("PUT", fx.url("/accounts/OAuthGetRequestToken")),
            405,
        ),
        (
            "DELETE feed",
            HttpRequest::new("DELETE", fx.url(CALENDAR_FEED)),
            405,
        ),
        (
            "unknown path",
            HttpRequest::get(fx.url("/nothing/here")),
            404,
        ),
        (
            "authorize without token",
            HttpRequest::get(fx.url("/accounts/OAuthAuthorizeToken")),
            400,
        ),
        (
            "authorize unknown token",
            HttpRequest::get(fx.url("/accounts/OAuthAuthorizeToken?oauth_token=4%2Fnope")),
            401,
        ),
    ];
    for (name, req, status) in cases {
        let r = fx.send(req).await;
        assert_eq!(r.status, status, "{name}: {:?}", r.body_text());
    }
    // Still serving, and nothing broke: a whole dance and a feed read.
    let c = OAuth1Authorizer::anonymous();
    let (at, ats) = fx.dance(&c, CALENDAR_SCOPE).await;
    let r = fx
        .signed(
            &c.with_token(at, gdata_auth::TokenSecret::new(ats)),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[test]
fn raw_garbage_on_the_socket() {
    let emu = Emulator::start(quiet()).unwrap();
    let addr = emu.local_addr();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not HTTP", b"\x00\x01\x02 GARBAGE\r\n\r\n".to_vec(), "HTTP/1.1 400"),
        (
            "bad Host",
            b"GET /calendar/feeds/x HTTP/1.1\r\nHost: a@b/c\r\nConnection: close\r\n\r\n".to_vec(),
            "HTTP/1.1 400",
        ),
        (
            "non-ASCII Authorization",
            b"GET /accounts/OAuthGetRequestToken HTTP/1.1\r\nHost: x\r\nAuthorization: OAuth \xff\xfe\r\nConnection: close\r\n\r\n".to_vec(),
            "HTTP/1.1 400",
        ),
        (
            "40 KiB of headers",
            {
                let mut r = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_vec();
                for i in 0..10 {
                    r.extend_from_slice(format!("X-Pad-{i}: {}\r\n", "p".repeat(4096)).as_bytes());
                }
                r.extend_from_slice(b"\r\n");
                r
            },
            "HTTP/1.1 431",
        ),
        (
            "lying Content-Length",
            b"POST /accounts/OAuthGetRequestToken HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\nabc".to_vec(),
            "HTTP/1.1 413",
        ),
    ];
    for (name, bytes, expected) in cases {
        let resp = raw(addr, &bytes);
        assert_eq!(
            status_line(&resp).get(..12),
            Some(expected),
            "{name}: {resp}"
        );
    }
    let ok = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
}

#[test]
fn starts_from_sync_code_and_stops_when_dropped() {
    let emu = Emulator::start(quiet()).unwrap();
    let addr = emu.local_addr();
    assert_eq!(emu.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    let http = ReqwestBlockingTransport::new().unwrap();
    let r = http
        .send(HttpRequest::get(format!("{}/", emu.base_url())))
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body_text().unwrap().contains("Google Accounts emulator"));
    drop(emu);
    assert!(
        TcpStream::connect(addr).is_err(),
        "port still open after drop"
    );
}

#[tokio::test]
async fn starts_inside_a_current_thread_runtime() {
    let emu = Emulator::start(quiet()).unwrap();
    let http = gdata_auth::transport::ReqwestTransport::new().unwrap();
    let r = http
        .send(HttpRequest::get(format!("{}/", emu.base_url())))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let addr = emu.local_addr();
    // Dropped while the client still holds a keep-alive connection.
    let started = std::time::Instant::now();
    drop(emu);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_inside_a_multi_thread_runtime() {
    let emu = Emulator::start(quiet()).unwrap();
    let http = gdata_auth::transport::ReqwestTransport::new().unwrap();
    let r = http
        .send(HttpRequest::get(format!("{}/", emu.base_url())))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    emu.shutdown();
}

#[tokio::test]
async fn serve_reports_ready_and_stops_on_the_signal() {
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(
        quiet(),
        async move {
            let _ = stop_rx.await;
        },
        move |addr| {
            let _ = addr_tx.send(format!("listening on http://{addr}"));
        },
    ));
    let line = addr_rx.await.unwrap();
    let base = line.strip_prefix("listening on ").unwrap().to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "{line}"
    );
    let http = gdata_auth::transport::ReqwestTransport::new().unwrap();
    let r = http
        .send(HttpRequest::get(format!("{base}/")))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    stop_tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}

#[test]
fn bind_and_config_errors() {
    let first = Emulator::start(quiet()).unwrap();
    let taken = Emulator::start(quiet().with_addr(first.local_addr()));
    assert!(
        matches!(taken, Err(EmulatorError::Bind { .. })),
        "{taken:?}"
    );
    for bad in [
        quiet().with_public_base_url("ftp://x"),
        quiet().with_public_base_url("https://h/?q=1"),
        quiet().add_user("not-an-email", "pw"),
        quiet().add_hmac_consumer("has space", "s"),
    ] {
        let r = Emulator::start(bad);
        assert!(matches!(r, Err(EmulatorError::InvalidConfig(_))), "{r:?}");
    }
}

#[tokio::test]
async fn the_public_base_url_is_what_gets_verified() {
    let public = "https://accounts.example.test";
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "s3cret")
            .with_public_base_url(format!("{public}/")),
    );
    let path = "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fa%2F";
    // Signed for the public URL, delivered to the local socket (as a proxy would).
    let send_signed_for = |signed_url: String, auth: OAuth1Authorizer| {
        let mut req = signed_request(&auth, "GET", &signed_url, &[], Placement::Header, &fx.ctx());
        req.url = format!("http://{}{path}", fx.emu.local_addr());
        fx.send(req)
    };
    let hmac = OAuth1Authorizer::hmac_sha1("example.com", ConsumerSecret::new("s3cret"))
        .with_callback("oob");
    let r = send_signed_for(format!("{public}{path}"), hmac.clone()).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    // Signed for the local URL: refused, and the answer shows what was expected.
    let r = send_signed_for(format!("http://{}{path}", fx.emu.local_addr()), hmac).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "signature_invalid"));
    let base = get(&form(&r), "oauth_signature_base_string")
        .unwrap()
        .to_owned();
    assert!(
        base.starts_with(
            "GET&https%3A%2F%2Faccounts.example.test%2Faccounts%2FOAuthGetRequestToken&"
        ),
        "{base}"
    );
    assert_eq!(
        r.header("WWW-Authenticate"),
        Some("OAuth realm=\"https://accounts.example.test\"")
    );
    // The public URL is https, so PLAINTEXT is acceptable there (RFC 5849 §3.4.4).
    let plain = OAuth1Authorizer::with_secret(
        "example.com",
        ConsumerSecret::new("s3cret"),
        SignatureMethod::Plaintext,
    )
    .unwrap()
    .with_callback("oob");
    let r = send_signed_for(format!("{public}{path}"), plain).await;
    assert_eq!(r.status, 200, "{}", text(&r));
}

/// A path with dot segments normalizes to another resource than the one routed and
/// scope-checked: it is refused outright, even with a signature valid for the normalized URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_cannot_smuggle_a_request_past_the_scope_check() {
    let fx = Fixture::new(EmulatorConfig::new().with_log(LogTarget::Off));
    let consumer = OAuth1Authorizer::anonymous();
    let (token, secret) = fx.dance(&consumer, CALENDAR_SCOPE).await;
    let auth = consumer.with_token(token, gdata_auth::TokenSecret::new(secret));
    // Signed for the contacts feed (out of the calendar scope), sent on a raw path that
    // starts in the calendar feeds and climbs out with `..`.
    let signed = gdata_auth::signed::prepare_signed(
        &auth,
        &gdata_auth::Request::new("GET", &fx.url(CONTACTS_FEED)).unwrap(),
        &fx.ctx(),
    )
    .unwrap();
    let header = signed.header_value("authorization").unwrap().to_owned();
    let addr = fx.emu.local_addr();
    for path in [
        "/calendar/feeds/../../m8/feeds/contacts/default/full",
        "/calendar/feeds/%2e%2e/%2e%2e/m8/feeds/contacts/default/full",
        "/calendar/feeds/./default/../../../m8/feeds/contacts/default/full",
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {header}\r\nConnection: close\r\n\r\n"
        );
        let resp = tokio::task::spawn_blocking(move || raw(addr, request.as_bytes()))
            .await
            .unwrap();
        assert!(
            status_line(&resp).starts_with("HTTP/1.1 400"),
            "{path}: {resp}"
        );
        assert!(resp.contains("parameter_rejected"), "{path}: {resp}");
    }
    // The same signature on the normalized path is a wrong-scope 401, as it should be.
    let resp = fx.send(signed).await;
    assert_eq!(resp.status, 401);
    assert!(text(&resp).contains("permission_denied"));
}
