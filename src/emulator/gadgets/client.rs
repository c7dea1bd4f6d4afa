//! The container's HTTP client: HTTP/1.1 over loopback to this emulator's own listener, one
//! request per connection (`Connection: close`), for the OAuth Proxy's token requests and
//! feed fetches. The container only ever talks to the emulator itself (which stands in for
//! every host a spec names), so nothing here reaches another machine.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::transport::{HttpRequest, HttpResponse};

/// The most a fetched answer may hold (status line, headers and body).
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `req` to the emulator at `addr` (its URL's path and query; `Host` is `addr`).
pub async fn send(addr: SocketAddr, req: &HttpRequest) -> Result<HttpResponse, String> {
    tokio::time::timeout(FETCH_TIMEOUT, send_inner(addr, req))
        .await
        .map_err(|_| "the fetch timed out".to_owned())?
}

async fn send_inner(addr: SocketAddr, req: &HttpRequest) -> Result<HttpResponse, String> {
    let url = url::Url::parse(&req.url).map_err(|e| e.to_string())?;
    let mut target = url.path().to_owned();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        req.method,
        req.body.len()
    );
    for (name, value) in &req.headers {
        if name
            .bytes()
            .chain(value.bytes())
            .any(|b| b == b'\r' || b == b'\n')
        {
            return Err("a header holds a line break".into());
        }
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    stream
        .write_all(&req.body)
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let mut limited = (&mut stream).take(MAX_RESPONSE_BYTES as u64 + 1);
    limited
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    if raw.len() > MAX_RESPONSE_BYTES {
        return Err("the answer is too large".into());
    }
    parse_response(&raw)
}

/// Reads a complete HTTP/1.1 answer (the connection closed after it).
fn parse_response(raw: &[u8]) -> Result<HttpResponse, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let (head, rest) = raw.split_at(split);
    let body = rest.get(4..).unwrap_or_default();
    let head = std::str::from_utf8(head).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status code")?;
    let mut response_headers = Vec::new();
    let mut chunked = false;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding")
                && value.eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            }
            response_headers.push((name.to_owned(), value.to_owned()));
        }
    }
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    let mut response = HttpResponse::new(status, body);
    for (name, value) in response_headers {
        response = response.with_header(name, value);
    }
    Ok(response)
}

/// Decodes a chunked body.
fn dechunk(mut input: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = input
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let (size_line, rest) = input.split_at(line_end);
        let size_text = std::str::from_utf8(size_line).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| "bad chunk size")?;
        let rest = rest.get(2..).ok_or("bad chunk")?;
        if size == 0 {
            return Ok(out);
        }
        let chunk = rest.get(..size).ok_or("truncated chunk")?;
        out.extend_from_slice(chunk);
        input = rest.get(size + 2..).ok_or("truncated chunk")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_chunked_answers() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi").unwrap();
        assert_eq!((r.status, r.body_text().unwrap()), (200, "hi"));
        let r = parse_response(
            b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((r.status, r.body_text().unwrap()), (401, "abc"));
    }
}
