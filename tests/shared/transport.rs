//! The transport layer: plain request/response structs, closure transports, and (feature
//! `http`) both reqwest transports over real loopback HTTP against a hand-written HTTP/1.1
//! server, so redirects, caps and timeouts are exercised on the wire.

use std::sync::{Arc, Mutex};

use gdata_auth::transport::{
    BlockingTransport, FnTransport, HttpRequest, HttpResponse, Transport, TransportError,
};
use gdata_auth::{Authorization, Request};

const CANARY: &str = "canary-s3cr3t";

#[test]
fn request_debug_redacts_credentials_query_and_body() {
    let req = HttpRequest::post_form(
        format!("https://www.google.com/accounts/ClientLogin?token={CANARY}&b#{CANARY}"),
        &[("Email", "a@b.c"), ("Passwd", CANARY)],
    )
    .with_authorization(&Authorization::new(format!("GoogleLogin auth={CANARY}")))
    .header("Cookie", CANARY)
    .header("proxy-authorization", CANARY)
    .header("X-Plain", "visible");
    let dbg = format!("{req:?}");
    assert!(!dbg.contains(CANARY), "{dbg}");
    for expected in [
        "POST",
        "https://www.google.com/accounts/ClientLogin?token=[redacted]&b=[redacted]",
        "Authorization",
        "visible",
        "bytes redacted",
    ] {
        assert!(dbg.contains(expected), "missing {expected:?} in {dbg}");
    }
    // The secret is really there, just not shown.
    assert!(String::from_utf8_lossy(&req.body).contains(CANARY));
}

#[test]
fn response_debug_redacts_body_and_cookies() {
    let resp = HttpResponse::new(200, format!("oauth_token_secret={CANARY}"))
        .with_header("Set-Cookie", format!("SID={CANARY}"))
        .with_header("Content-Type", "text/plain");
    let dbg = format!("{resp:?}");
    assert!(!dbg.contains(CANARY), "{dbg}");
    assert!(dbg.contains("200") && dbg.contains("text/plain"), "{dbg}");
}

#[test]
fn response_header_lookup_is_case_insensitive_and_first_wins() {
    let resp = HttpResponse::new(302, "")
        .with_header("location", "/one")
        .with_header("Location", "/two");
    for name in ["Location", "LOCATION", "location"] {
        assert_eq!(resp.header(name), Some("/one"), "{name}");
    }
    assert_eq!(resp.header("Content-Type"), None);
    assert!(!resp.is_success());
    assert!(HttpResponse::new(204, "").is_success());
}

#[test]
fn body_text_rejects_non_utf8() {
    let rows: &[(&[u8], Result<&str, usize>)] = &[
        (b"Auth=abc\n", Ok("Auth=abc\n")),
        (b"", Ok("")),
        (b"ok\xffrest", Err(2)),
        (b"\xc3", Err(0)), // truncated two-byte sequence
    ];
    for (body, want) in rows {
        let resp = HttpResponse::new(200, body.to_vec());
        match want {
            Ok(text) => assert_eq!(resp.body_text(), Ok(*text)),
            Err(at) => assert_eq!(
                resp.body_text(),
                Err(TransportError::BodyNotUtf8 { valid_up_to: *at })
            ),
        }
    }
}

#[test]
fn from_request_carries_method_url_and_form_body() {
    let req = Request::new(
        "post",
        "http://h.example/accounts/OAuthGetRequestToken?scope=a%20b",
    )
    .unwrap()
    .with_form([("oauth_callback", "oob"), ("x", "1 2&3")]);
    let http = HttpRequest::from_request(&req);
    assert_eq!(http.method, "POST");
    assert_eq!(
        http.url,
        "http://h.example/accounts/OAuthGetRequestToken?scope=a%20b"
    );
    assert_eq!(
        http.header_value("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(http.body, b"oauth_callback=oob&x=1%202%263");

    let get = HttpRequest::from_request(&Request::new("GET", "https://h.example/feed").unwrap());
    assert_eq!(get.method, "GET");
    assert!(get.body.is_empty());
    assert!(get.headers.is_empty());
}

#[test]
fn with_authorization_replaces_earlier_values() {
    let req = HttpRequest::get("https://h.example/")
        .header("authorization", "Bearer old")
        .with_authorization(&Authorization::new("OAuth a=\"1\""))
        .with_authorization(&Authorization::new("OAuth b=\"2\""));
    let auths: Vec<_> = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(auths, ["OAuth b=\"2\""]);
}

#[test]
fn errors_convert_and_explain() {
    let e = gdata_auth::Error::from(TransportError::InsideAsyncRuntime);
    assert!(matches!(
        e,
        gdata_auth::Error::Transport(TransportError::InsideAsyncRuntime)
    ));
    assert!(e.to_string().contains("async transport"), "{e}");
}

/// Works with any blocking transport, as protocol flows will.
fn fetch_blocking<T: BlockingTransport + ?Sized>(
    t: &T,
    url: &str,
) -> Result<HttpResponse, TransportError> {
    t.send(HttpRequest::get(url).header("X-Trace", "1"))
}

#[test]
fn blocking_closure_transport() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let transport = move |req: HttpRequest| {
        log.lock()
            .unwrap()
            .push((req.method.clone(), req.url.clone()));
        if req.url.ends_with("/fail") {
            return Err(TransportError::Timeout);
        }
        Ok(HttpResponse::new(200, "Auth=xyz\n").with_header("Content-Type", "text/plain"))
    };
    let resp = fetch_blocking(&transport, "http://h/ok").unwrap();
    assert_eq!(resp.body_text().unwrap(), "Auth=xyz\n");
    assert_eq!(
        fetch_blocking(&transport, "http://h/fail").unwrap_err(),
        TransportError::Timeout
    );
    let as_dyn: &dyn BlockingTransport = &transport;
    assert_eq!(fetch_blocking(as_dyn, "http://h/ok").unwrap().status, 200);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("GET".to_owned(), "http://h/ok".to_owned()),
            ("GET".to_owned(), "http://h/fail".to_owned()),
            ("GET".to_owned(), "http://h/ok".to_owned()),
        ]
    );
}

#[tokio::test]
async fn async_closure_transport() {
    let transport = FnTransport(|req: HttpRequest| async move {
        let auth = req
            .header_value("Authorization")
            .unwrap_or("none")
            .to_owned();
        Ok(HttpResponse::new(200, auth))
    });
    let req = HttpRequest::get("http://h/").with_authorization(&Authorization::new("Bearer t"));
    assert_eq!(
        transport
            .send(req.clone())
            .await
            .unwrap()
            .body_text()
            .unwrap(),
        "Bearer t"
    );
    // Object safe: usable behind Arc<dyn Transport>, and the Arc itself is a Transport.
    let shared: Arc<dyn Transport> = Arc::new(transport);
    assert_eq!(shared.send(req.clone()).await.unwrap().body, b"Bearer t");
    let by_ref: &dyn Transport = &shared;
    assert_eq!(by_ref.send(req).await.unwrap().status, 200);

    let failing =
        FnTransport(|_req: HttpRequest| async { Err(TransportError::Io("reset".into())) });
    assert_eq!(
        failing
            .send(HttpRequest::get("http://h/"))
            .await
            .unwrap_err(),
        TransportError::Io("reset".into())
    );
}

#[cfg(feature = "http")]
mod loopback {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use gdata_auth::transport::{
        BlockingTransport, HttpRequest, HttpResponse, ReqwestBlockingTransport, ReqwestTransport,
        Transport, TransportConfig, TransportError,
    };
    use gdata_auth::Authorization;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::CANARY;

    /// What the server received.
    struct Seen {
        /// Request line and headers, as sent.
        head: String,
        body: Vec<u8>,
    }

    impl Seen {
        fn path(&self) -> &str {
            self.head.split(' ').nth(1).unwrap_or("")
        }
    }

    /// What the server sends: `first`, then after `delay`, `rest`; then it closes.
    struct Reply {
        first: Vec<u8>,
        delay: Duration,
        rest: Vec<u8>,
    }

    impl Reply {
        fn now(bytes: Vec<u8>) -> Self {
            Self {
                first: bytes,
                delay: Duration::ZERO,
                rest: Vec::new(),
            }
        }
    }

    /// A complete HTTP/1.1 response with Content-Length, closing the connection.
    fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {status}\r\n");
        for (n, v) in headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut out = out.into_bytes();
        out.extend_from_slice(body);
        out
    }

    /// Starts a server on 127.0.0.1 on a thread of its own (with its own tokio runtime, so
    /// plain tests and `#[tokio::test]`s can both use it). Lives until the process exits.
    fn serve(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> SocketAddr {
        let handler = Arc::new(handler);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                while let Ok((sock, _)) = listener.accept().await {
                    let handler = Arc::clone(&handler);
                    tokio::spawn(async move {
                        let _ = handle(sock, &*handler).await;
                    });
                }
            });
        });
        rx.recv().unwrap()
    }

    async fn handle(
        mut sock: TcpStream,
        handler: &(dyn Fn(&Seen) -> Reply + Send + Sync),
    ) -> std::io::Result<()> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let len: usize = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.trim().parse().unwrap());
        while buf.len() < head_end + len {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let seen = Seen {
            head,
            body: buf[head_end..].to_vec(),
        };
        let reply = handler(&seen);
        sock.write_all(&reply.first).await?;
        sock.flush().await?;
        tokio::time::sleep(reply.delay).await;
        sock.write_all(&reply.rest).await?;
        sock.shutdown().await
    }

    /// Sends `req` through the async transport (on a fresh runtime) and through the
    /// blocking one (from this plain thread): every wire behaviour is checked on both.
    fn both(
        config: &TransportConfig,
        req: &HttpRequest,
    ) -> Vec<(&'static str, Result<HttpResponse, TransportError>)> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let transport = ReqwestTransport::with_config(config.clone()).unwrap();
        let from_async = rt.block_on(transport.send(req.clone()));
        drop(transport);
        drop(rt);
        let blocking = ReqwestBlockingTransport::with_config(config.clone()).unwrap();
        let from_blocking = blocking.send(req.clone());
        vec![("async", from_async), ("blocking", from_blocking)]
    }

    #[test]
    fn round_trip_status_headers_body() {
        let addr = serve(|seen| {
            let mut echo = seen.head.clone().into_bytes();
            echo.extend_from_slice(b"--body--\n");
            echo.extend_from_slice(&seen.body);
            Reply::now(response(
                "201 Created",
                &[("X-Echo", "yes"), ("X-Multi", "1"), ("X-Multi", "2")],
                &echo,
            ))
        });
        let req = HttpRequest::post_form(
            format!("http://{addr}/accounts/ClientLogin?hl=en"),
            &[("Email", "a@b.c"), ("Passwd", "p w&d")],
        )
        .header("X-Custom", "value 1")
        .with_authorization(&Authorization::new("OAuth oauth_token=\"t\""));
        for (which, got) in both(&TransportConfig::default(), &req) {
            let resp = got.unwrap_or_else(|e| panic!("{which}: {e}"));
            assert_eq!(resp.status, 201, "{which}");
            assert_eq!(resp.header("x-echo"), Some("yes"), "{which}");
            assert_eq!(resp.header("X-ECHO"), Some("yes"), "{which}");
            let multi: Vec<_> = resp
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-multi"))
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(multi, ["1", "2"], "{which}");
            let text = resp.body_text().unwrap();
            let (head, body) = text.split_once("--body--\n").unwrap();
            let head = head.to_ascii_lowercase();
            assert!(
                head.starts_with("post /accounts/clientlogin?hl=en http/1.1\r\n"),
                "{which}: {head}"
            );
            for line in [
                "\r\nx-custom: value 1\r\n",
                "\r\ncontent-type: application/x-www-form-urlencoded\r\n",
                "\r\nauthorization: oauth oauth_token=\"t\"\r\n",
                "\r\nuser-agent: gdata-auth/",
            ] {
                assert!(head.contains(line), "{which}: {line:?} missing in {head}");
            }
            assert_eq!(body, "Email=a%40b.c&Passwd=p%20w%26d", "{which}");
        }
    }

    #[test]
    fn redirects_are_returned_not_followed() {
        let followed = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&followed);
        let addr = serve(move |seen| {
            if seen.path() == "/start" {
                Reply::now(response("302 Found", &[("Location", "/target")], b""))
            } else {
                counter.fetch_add(1, Ordering::SeqCst);
                Reply::now(response("200 OK", &[], b"followed"))
            }
        });
        let req = HttpRequest::get(format!("http://{addr}/start"))
            .with_authorization(&Authorization::new("OAuth x=\"1\""));
        for (which, got) in both(&TransportConfig::default(), &req) {
            let resp = got.unwrap_or_else(|e| panic!("{which}: {e}"));
            assert_eq!(resp.status, 302, "{which}");
            assert_eq!(resp.header("location"), Some("/target"), "{which}");
            assert!(resp.body.is_empty(), "{which}");
        }
        assert_eq!(followed.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn body_cap_is_enforced_while_reading() {
        // Path `/<size>/<framing>`: the server sends `size` bytes framed by Content-Length,
        // by closing the connection, or in 100-byte chunks (no length announced up front).
        let addr = serve(|seen| {
            let mut parts = seen.path().trim_start_matches('/').split('/');
            let size: usize = parts.next().unwrap().parse().unwrap();
            let body = vec![b'x'; size];
            match parts.next().unwrap() {
                "length" => Reply::now(response("200 OK", &[], &body)),
                "close" => {
                    let mut out = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
                    out.extend_from_slice(&body);
                    Reply::now(out)
                }
                _ => {
                    let mut out =
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                            .to_vec();
                    for piece in body.chunks(100) {
                        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                        out.extend_from_slice(piece);
                        out.extend_from_slice(b"\r\n");
                    }
                    out.extend_from_slice(b"0\r\n\r\n");
                    Reply::now(out)
                }
            }
        });
        let rows: &[(usize, usize, &str, bool)] = &[
            // (body size, cap, framing, accepted)
            (1000, 1000, "length", true),
            (1001, 1000, "length", false),
            (1000, 1000, "close", true),
            (1001, 1000, "close", false),
            (1000, 1000, "chunked", true),
            (5000, 1000, "chunked", false),
            (0, 0, "length", true),
            (1, 0, "close", false),
            (
                3 * 1024 * 1024,
                TransportConfig::DEFAULT_MAX_RESPONSE_BYTES,
                "chunked",
                false,
            ),
        ];
        for &(size, cap, framing, accepted) in rows {
            let config = TransportConfig::default().with_max_response_bytes(cap);
            let req = HttpRequest::get(format!("http://{addr}/{size}/{framing}"));
            for (which, got) in both(&config, &req) {
                let row = format!("{which} {size} bytes, cap {cap}, {framing}");
                if accepted {
                    assert_eq!(got.unwrap().body.len(), size, "{row}");
                } else {
                    assert_eq!(
                        got.unwrap_err(),
                        TransportError::ResponseTooLarge { limit: cap },
                        "{row}"
                    );
                }
            }
        }
    }

    #[test]
    fn timeouts_fire() {
        // `/head`: the server is silent for 3 s before answering at all.
        // `/body`: it sends the head and half the body, then stalls 3 s.
        let addr = serve(|seen| {
            let full = response("200 OK", &[], b"0123456789");
            let split = if seen.path() == "/head" {
                0
            } else {
                full.len() - 5
            };
            Reply {
                first: full[..split].to_vec(),
                delay: Duration::from_secs(3),
                rest: full[split..].to_vec(),
            }
        });
        let config = TransportConfig::default().with_timeout(Duration::from_millis(300));
        for path in ["/head", "/body"] {
            let req = HttpRequest::get(format!("http://{addr}{path}"));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let transport = ReqwestTransport::with_config(config.clone()).unwrap();
            let start = Instant::now();
            let got = rt.block_on(transport.send(req.clone()));
            assert_eq!(got.unwrap_err(), TransportError::Timeout, "async {path}");
            assert!(start.elapsed() < Duration::from_secs(2), "async {path}");

            let blocking = ReqwestBlockingTransport::with_config(config.clone()).unwrap();
            let start = Instant::now();
            assert_eq!(
                blocking.send(req).unwrap_err(),
                TransportError::Timeout,
                "blocking {path}"
            );
            assert!(start.elapsed() < Duration::from_secs(2), "blocking {path}");
        }
    }

    #[test]
    fn connection_refused_is_connect_error_without_the_query() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        }; // closed again: nothing listens there now
        let req = HttpRequest::get(format!(
            "http://127.0.0.1:{port}/feed?access_token={CANARY}"
        ));
        for (which, got) in both(&TransportConfig::default(), &req) {
            let err = got.unwrap_err();
            assert!(
                matches!(err, TransportError::Connect(_)),
                "{which}: {err:?}"
            );
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(CANARY), "{which}: {shown}");
        }
    }

    #[test]
    fn invalid_requests_are_refused_before_sending() {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let addr = serve(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Reply::now(response("200 OK", &[], b""))
        });
        let url = format!("http://{addr}/");
        let rows = [
            HttpRequest::get(&url).header("X-A", format!("v\r\nX-Injected: {CANARY}")),
            HttpRequest::get(&url).header("Bad Name", "v"),
            HttpRequest::new("GE T", &url),
            HttpRequest::new("", &url),
            HttpRequest::get(format!("ftp://{addr}/x")),
            HttpRequest::get("not a url"),
        ];
        for req in &rows {
            for (which, got) in both(&TransportConfig::default(), req) {
                let err = got.unwrap_err();
                assert!(
                    matches!(err, TransportError::InvalidRequest(_)),
                    "{which} {req:?}: {err:?}"
                );
                assert!(!err.to_string().contains(CANARY), "{which}: {err}");
            }
        }
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn blocking_inside_current_thread_runtime_is_an_error_not_a_panic() {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let addr = serve(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Reply::now(response("200 OK", &[], b"ok"))
        });
        let blocking = ReqwestBlockingTransport::new().unwrap();
        let err = blocking
            .send(HttpRequest::get(format!("http://{addr}/")))
            .unwrap_err();
        assert_eq!(err, TransportError::InsideAsyncRuntime);
        assert!(err.to_string().contains("async transport"), "{err}");
        drop(blocking); // dropping inside the runtime must not panic either
        assert_eq!(hits.load(Ordering::SeqCst), 0);

        // The async transport is the one to use here.
        let resp = ReqwestTransport::new()
            .unwrap()
            .send(HttpRequest::get(format!("http://{addr}/")))
            .await
            .unwrap();
        assert_eq!(resp.body, b"ok");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_inside_multi_thread_runtime_is_an_error_not_a_panic() {
        let blocking = ReqwestBlockingTransport::new().unwrap();
        let got = tokio::spawn(async move {
            let got = blocking.send(HttpRequest::get("http://127.0.0.1:9/"));
            drop(blocking);
            got
        })
        .await
        .unwrap();
        assert_eq!(got.unwrap_err(), TransportError::InsideAsyncRuntime);
    }

    #[test]
    fn blocking_client_built_outside_can_be_dropped_inside_a_runtime() {
        let addr = serve(|_| Reply::now(response("200 OK", &[], b"ok")));
        let blocking = ReqwestBlockingTransport::new().unwrap();
        // First use, from this plain thread, builds reqwest's blocking client.
        let resp = blocking
            .send(HttpRequest::get(format!("http://{addr}/")))
            .unwrap();
        assert_eq!(resp.body_text().unwrap(), "ok");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            // Built client or not, inside a runtime the answer is an error.
            assert_eq!(
                blocking
                    .send(HttpRequest::get(format!("http://{addr}/")))
                    .unwrap_err(),
                TransportError::InsideAsyncRuntime
            );
            // Dropping here must neither panic nor block the executor on reqwest's
            // helper-thread join (the client is handed to a thread of its own).
            drop(blocking);
        });
    }
}
