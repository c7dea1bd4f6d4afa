//! A loopback HTTP responder for the CLI tests: it answers each connection with the next
//! canned reply (`Connection: close`), records what it was sent, and stops answering when
//! the replies run out. Bounded: one thread, a few connections, 10 s read timeouts.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    /// An answer with `status` and a `text/plain` `body`.
    pub fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// A request as the responder received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded form field `name` of the body (at most once).
    pub fn field(&self, name: &str) -> Option<String> {
        let form = gdata_auth::encoding::Form::parse(&self.body).unwrap();
        form.single(name).unwrap().map(str::to_owned)
    }
}

/// A running responder.
pub struct Responder {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Responder {
    /// Listens on a free loopback port and answers with `replies`, one per connection.
    pub fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for reply in replies {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                // Recorded before answering: the test reads the log once the CLI is done.
                if let Some((request, stream)) = read_request(stream) {
                    log.lock().unwrap().push(request);
                    write_reply(stream, &reply);
                }
            }
        });
        Self { base, seen }
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// What was received so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request from `stream`.
fn read_request(mut stream: TcpStream) -> Option<(Seen, TcpStream)> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8(data[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8(data[head_end..].to_vec()).ok()?;
    let seen = Seen {
        method,
        path,
        headers,
        body,
    };
    Some((seen, stream))
}

/// Writes `reply` and closes the connection.
fn write_reply(mut stream: TcpStream, reply: &Reply) {
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&reply.body);
    let _ = stream.write_all(out.as_bytes());
}
