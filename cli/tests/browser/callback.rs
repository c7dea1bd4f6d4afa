//! The application's side of a redirect: a tiny HTTP listener on a free loopback port that
//! the browser is sent back to. Every request gets `200 text/html` "done"; each request line
//! (`GET /cb?oauth_token=… HTTP/1.1`) is handed to the test, which waits for the one it
//! expects. Connections are served on their own threads, so an idle speculative connection
//! from Chromium cannot hold up the real request. The listener stops when dropped.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::harness::TIMEOUT;

/// A loopback HTTP listener that records request lines; stops on drop.
pub struct Callback {
    base: String,
    requests: Receiver<String>,
    stop: Arc<AtomicBool>,
}

impl Callback {
    /// Listens on `127.0.0.1:0` and serves in the background.
    pub fn start() -> Callback {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the callback listener");
        let port = listener
            .local_addr()
            .expect("callback listener address")
            .port();
        listener
            .set_nonblocking(true)
            .expect("make the callback listener non-blocking");
        let (tx, requests) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || accept_until(&listener, &stopped, &tx));
        Callback {
            base: format!("http://127.0.0.1:{port}"),
            requests,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The first request line whose target starts with `path_prefix` (others, such as
    /// `/favicon.ico`, are passed over), waiting up to [`TIMEOUT`].
    pub fn request_to(&self, path_prefix: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.requests.recv_timeout(left) {
                Ok(line) => {
                    let target = line.split(' ').nth(1).unwrap_or_default();
                    if target.starts_with(path_prefix) {
                        return line;
                    }
                    seen.push(line);
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "no request to {path_prefix} reached the callback listener within \
                     {TIMEOUT:?}; requests seen: {seen:?}"
                ),
            }
        }
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Accepts connections until `stop` is set, each served on its own thread.
fn accept_until(listener: &TcpListener, stop: &AtomicBool, tx: &Sender<String>) {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let tx = tx.clone();
                thread::spawn(move || serve(stream, &tx));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(10));
            }
            Err(_) => return,
        }
    }
}

/// Reads one request head from `stream`, sends its request line to `tx` and answers "done".
fn serve(stream: TcpStream, tx: &Sender<String>) {
    // Accepted sockets may inherit non-blocking mode; reads here block, with a limit.
    if stream.set_nonblocking(false).is_err() || stream.set_read_timeout(Some(TIMEOUT)).is_err() {
        return;
    }
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // A speculative connection closed unused.
    }
    // Skip the headers up to the blank line.
    let mut header = String::new();
    loop {
        header.clear();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let body = "<!DOCTYPE html><title>done</title><p>done</p>";
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = (&stream).write_all(response.as_bytes());
    let _ = tx.send(request_line.trim_end().to_owned());
}
