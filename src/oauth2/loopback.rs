//! The installed-app flow's loopback redirect (RFC 8252 §7.3, Google's "Loopback IP
//! address" option): a listener on `127.0.0.1` at a port the system picks, whose URL is
//! the `redirect_uri`. The browser brings the redirect to it; it answers with a short page
//! and stops listening. It also opens the system browser when there is one
//! ([`open_browser`]).
//!
//! Plain `std::net`, blocking: an installed app waits for its user anyway, and an async
//! program runs [`LoopbackRedirect::wait`] on a blocking thread.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::authorize::PendingAuthorization;
use super::error::{ListenerError, OAuth2Error};
use super::types::AuthorizationCode;

/// The largest request head read from the browser (a redirect URL with a code is a few
/// hundred bytes; browsers cap URLs far above this, and a larger one is refused).
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The page the browser shows after a successful redirect.
const DONE_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signed in</title></head>\
<body><h1>Signed in</h1><p>You may close this window and return to the application.</p></body></html>";

/// The page the browser shows when the redirect was refused or carried an error.
const FAILED_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Not signed in</title></head>\
<body><h1>Not signed in</h1><p>The application could not complete the sign-in. Return to it for details.</p></body></html>";

/// A loopback listener waiting for one authorization redirect.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    redirect_uri: String,
}

impl LoopbackRedirect {
    /// Listens on `127.0.0.1` at a free port; the redirect URI is
    /// `http://127.0.0.1:PORT/` (RFC 8252 §7.3: the IP literal, not `localhost`, which
    /// may resolve elsewhere).
    pub fn bind() -> Result<Self, OAuth2Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| OAuth2Error::Listener(ListenerError::Bind(e.kind().to_string())))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuth2Error::Listener(ListenerError::Bind(e.kind().to_string())))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/"),
        })
    }

    /// The `redirect_uri` to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for the redirect of `pending`, answers the browser, and stops
    /// listening. Requests for other paths (a browser's `/favicon.ico`) get a 404 and the
    /// wait goes on; a redirect whose `state` does not match ends it with
    /// [`OAuth2Error::StateMismatch`].
    pub fn wait(
        self,
        pending: &PendingAuthorization,
        timeout: Duration,
    ) -> Result<AuthorizationCode, OAuth2Error> {
        let io = |e: std::io::Error| OAuth2Error::Listener(ListenerError::Io(e.kind().to_string()));
        // A timeout too large to add is no deadline at all.
        let deadline = Instant::now().checked_add(timeout);
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        self.listener.set_nonblocking(true).map_err(io)?;
        loop {
            if left().is_some_and(|l| l.is_zero()) {
                return Err(OAuth2Error::Listener(ListenerError::TimedOut(timeout)));
            }
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => return Err(io(e)),
            };
            // One connection at a time, each read bounded by what is left of the wait: a
            // silent or trickling connection costs at most that, never the login.
            let budget = left().map_or(READ_TIMEOUT, |l| l.min(READ_TIMEOUT));
            if let Some(result) = answer(stream, pending, budget) {
                return result;
            }
        }
    }
}

/// Serves one connection: `None` when it was not the redirect (the wait goes on). A
/// connection that sends nothing readable (a browser's unused preconnect, a port scan, a
/// local process) is answered 400 and ignored: only the redirect ends the wait.
fn answer(
    mut stream: TcpStream,
    pending: &PendingAuthorization,
    budget: Duration,
) -> Option<Result<AuthorizationCode, OAuth2Error>> {
    // The accepted socket may inherit non-blocking mode; the head is read within `budget`.
    let deadline = Instant::now() + budget;
    let ready = stream.set_nonblocking(false).is_ok();
    let target = if ready {
        read_target(&mut stream, deadline)
    } else {
        None
    };
    let Some(target) = target else {
        respond(&mut stream, "400 Bad Request", FAILED_PAGE);
        return None;
    };
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    if path != "/" {
        respond(&mut stream, "404 Not Found", "");
        return None;
    }
    let result = pending.read_redirect(query);
    match &result {
        Ok(_) => respond(&mut stream, "200 OK", DONE_PAGE),
        Err(_) => respond(&mut stream, "400 Bad Request", FAILED_PAGE),
    }
    Some(result)
}

/// The request target of a `GET` whose head fits [`MAX_HEAD_BYTES`] and arrives before
/// `deadline` (each read gets only what is left, so trickling bytes cannot stretch it).
fn read_target(stream: &mut TcpStream, deadline: Instant) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > MAX_HEAD_BYTES {
            return None;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    let line = head.split(|b| *b == b'\r').next()?;
    let line = core::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    (method == "GET" && version.starts_with("HTTP/1.") && parts.next().is_none())
        .then(|| target.to_owned())
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The browser may already have gone: nothing to do about a failed write.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(Shutdown::Both);
}

/// Opens `url` in the system browser: `$BROWSER` when set, else `xdg-open` (Linux, BSD),
/// `open` (macOS) or `rundll32 url.dll,FileProtocolHandler` (Windows; not `cmd /C start`,
/// whose shell would cut the URL at its first `&`). The URL is one argument, never parsed
/// by a shell. The browser is started and left running (a browser in the foreground
/// would otherwise hold the login until it closed); `false` when none could be started,
/// so the caller prints the URL instead.
pub fn open_browser(url: &str) -> bool {
    use std::process::{Command, Stdio};
    let mut candidates: Vec<(String, Vec<&str>)> = Vec::new();
    if let Some(b) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        candidates.push((b.to_string_lossy().into_owned(), Vec::new()));
    }
    if cfg!(target_os = "macos") {
        candidates.push(("open".into(), Vec::new()));
    } else if cfg!(windows) {
        candidates.push(("rundll32".into(), vec!["url.dll,FileProtocolHandler"]));
    } else {
        candidates.push(("xdg-open".into(), Vec::new()));
    }
    candidates.into_iter().any(|(program, args)| {
        Command::new(program)
            .args(args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::Endpoints;
    use crate::oauth2::authorize::{AuthState, AuthorizationRequest};

    /// What `read_target` makes of a head of exactly `len` bytes.
    fn target_of_head(len: usize) -> Option<String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let start = "GET /?code=c HTTP/1.1\r\nX-Pad: ";
        let end = "\r\n\r\n";
        let head = format!("{start}{}{end}", "p".repeat(len - start.len() - end.len()));
        assert_eq!(head.len(), len);
        let writer = std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            // The reader may stop early and close: a failed write is part of the test.
            let _ = s.write_all(head.as_bytes());
        });
        let (mut stream, _) = listener.accept().unwrap();
        let target = read_target(&mut stream, Instant::now() + Duration::from_secs(10));
        writer.join().unwrap();
        target
    }

    #[test]
    fn a_head_is_read_to_its_limit_and_refused_one_past() {
        assert_eq!(target_of_head(MAX_HEAD_BYTES).as_deref(), Some("/?code=c"));
        assert_eq!(target_of_head(MAX_HEAD_BYTES + 1), None);
    }

    fn get(port_uri: &str, target: &str) -> String {
        let addr = port_uri
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    fn pending(uri: &str) -> PendingAuthorization {
        AuthorizationRequest::new("c", uri, ["s"])
            .start_with(&Endpoints::google(), AuthState::new("st"), None)
            .unwrap()
            .1
    }

    #[test]
    fn the_redirect_is_answered_and_the_listener_stops() {
        let l = LoopbackRedirect::bind().unwrap();
        let uri = l.redirect_uri().to_owned();
        assert!(uri.starts_with("http://127.0.0.1:"));
        let p = pending(&uri);
        let browser = std::thread::spawn({
            let uri = uri.clone();
            move || {
                let favicon = get(&uri, "/favicon.ico");
                let done = get(&uri, "/?state=st&code=4%2Fabc");
                (favicon, done)
            }
        });
        let code = l.wait(&p, Duration::from_secs(10)).unwrap();
        assert_eq!(code.secret(), "4/abc");
        let (favicon, done) = browser.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"));
        assert!(done.starts_with("HTTP/1.1 200") && done.contains("Signed in"));
        // Stopped: nothing listens on the port any more.
        let addr = uri.trim_start_matches("http://").trim_end_matches('/');
        assert!(TcpStream::connect(addr).is_err());
    }

    #[test]
    fn silent_and_garbage_connections_do_not_end_the_wait() {
        let l = LoopbackRedirect::bind().unwrap();
        let uri = l.redirect_uri().to_owned();
        let p = pending(&uri);
        let t = std::thread::spawn(move || {
            let addr = uri
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
            // Connects and closes at once, then sends garbage, then a POST.
            drop(TcpStream::connect(&addr).unwrap());
            let mut g = TcpStream::connect(&addr).unwrap();
            g.write_all(b"\x16\x03\x01 not http\r\n\r\n").unwrap();
            let mut post = TcpStream::connect(&addr).unwrap();
            post.write_all(b"POST /?state=st&code=x HTTP/1.1\r\n\r\n")
                .unwrap();
            get(&uri, "/?state=st&code=4%2Freal")
        });
        let code = l.wait(&p, Duration::from_secs(20)).unwrap();
        assert_eq!(code.secret(), "4/real");
        assert!(t.join().unwrap().starts_with("HTTP/1.1 200"));
    }

    #[test]
    fn a_trickling_connection_cannot_outlast_the_timeout() {
        let l = LoopbackRedirect::bind().unwrap();
        let uri = l.redirect_uri().to_owned();
        let p = pending(&uri);
        let addr = uri
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let _trickle = std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            for _ in 0..40 {
                if s.write_all(b"G").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let started = Instant::now();
        assert!(matches!(
            l.wait(&p, Duration::from_millis(700)),
            Err(OAuth2Error::Listener(ListenerError::TimedOut(_)))
        ));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        // A timeout too large to add is no deadline, not a panic (checked without waiting:
        // the redirect arrives at once).
        let l = LoopbackRedirect::bind().unwrap();
        let uri = l.redirect_uri().to_owned();
        let p = pending(&uri);
        let t = std::thread::spawn(move || get(&uri, "/?state=st&code=c"));
        assert!(l.wait(&p, Duration::MAX).is_ok());
        t.join().unwrap();
    }

    #[test]
    fn a_forged_redirect_ends_the_wait_and_a_silent_one_times_out() {
        let l = LoopbackRedirect::bind().unwrap();
        let uri = l.redirect_uri().to_owned();
        let p = pending(&uri);
        let t = std::thread::spawn(move || get(&uri, "/?state=evil&code=x"));
        assert_eq!(
            l.wait(&p, Duration::from_secs(10)).unwrap_err(),
            OAuth2Error::StateMismatch
        );
        assert!(t.join().unwrap().starts_with("HTTP/1.1 400"));
        let l = LoopbackRedirect::bind().unwrap();
        let p = pending(l.redirect_uri());
        assert!(matches!(
            l.wait(&p, Duration::from_millis(100)),
            Err(OAuth2Error::Listener(ListenerError::TimedOut(_)))
        ));
    }
}
