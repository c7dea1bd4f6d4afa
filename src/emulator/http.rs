//! HTTP plumbing shared by every protocol's routes: reading a request within size limits
//! (with the URL the client addressed rebuilt), the endpoint wrapper that answers a refusal in
//! the protocol's own wire format ([`WireError`]), escaping for HTML and XML, the headers of
//! HTML pages, and the one-line-per-request log. Nothing here knows a protocol.

use std::future::poll_fn;
use std::pin::pin;
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

use crate::encoding::{parse_form, EncodingError, Form};

use super::App;

/// Largest request body read, in bytes; a bigger one is answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Bodies over [`MAX_BODY_BYTES`] but under this are read to the end (and dropped) before
/// the 413 is sent: closing a socket with unread data makes the kernel reset the connection,
/// and the client would lose the answer. Larger declared bodies are refused at once.
const MAX_DRAIN_BYTES: usize = 1024 * 1024;
/// Time allowed to receive a request body (a client that declares a body and trickles it
/// cannot hold a handler forever).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest total size of the request's header fields (names and values), in bytes; a bigger
/// set is answered 431 before any handler runs.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Longest path written to the log.
const MAX_LOGGED_PATH: usize = 200;
/// Longest `Host` header accepted, in bytes (a DNS name is at most 255).
const MAX_HOST_LEN: usize = 255;

/// A note a handler attaches to its response for the request log (never a secret).
#[derive(Debug, Clone)]
pub struct LogNote(pub String);

/// Attaches a [`LogNote`] to a response.
pub fn noted(mut resp: Response, note: impl Into<String>) -> Response {
    resp.extensions_mut().insert(LogNote(note.into()));
    resp
}

/// Why a request could not be read: the protocol-neutral outcome, which each protocol
/// answers in its own wire format ([`WireError`]). The `Display` text is the advice given.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The `Authorization` header holds bytes other than visible ASCII.
    #[error("Authorization header is not visible ASCII")]
    AuthorizationNotAscii,
    /// The `Host` header is not a plain `host[:port]`.
    #[error("Host: not a host[:port]")]
    BadHost,
    /// The path has dot segments or unescaped characters: the `url` crate, which the signer
    /// and verifier use, would normalize it to another resource.
    #[error(
        "the request path is not in normal form (dot segments or unescaped characters); \
         sign and send the normalized URL"
    )]
    PathNotNormal,
    /// A form body that is not UTF-8.
    #[error("form body is not UTF-8")]
    FormNotUtf8,
    /// A body over [`MAX_BODY_BYTES`].
    #[error("request body larger than {max} bytes", max = MAX_BODY_BYTES)]
    BodyTooLarge,
    /// The body could not be read.
    #[error("unreadable request body")]
    BodyUnreadable,
    /// The body did not arrive within [`BODY_TIMEOUT`].
    #[error("request body not received in time")]
    BodyTimeout,
    /// Malformed percent-encoding (or escapes that do not decode to UTF-8) in the path, the
    /// query or the form body.
    #[error("{part}: {source}")]
    BadEncoding {
        /// `path`, `query` or `form body`.
        part: &'static str,
        /// What is wrong with it.
        source: EncodingError,
    },
}

impl ReadError {
    /// The HTTP status: 413 for a body too large, 408 for one too slow, else 400.
    ///
    /// (`path`, `query` and `form body` are the parts [`ReadError::BadEncoding`] names.)
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The part of the request refused, where the refusal names one (`Host`, `path`,
    /// `query`, `form body`).
    pub fn part(&self) -> Option<&'static str> {
        match self {
            Self::BadHost => Some("Host"),
            Self::BadEncoding { part, .. } => Some(part),
            _ => None,
        }
    }

    /// Whether the answer closes the connection (the body was not, or not all, read).
    pub fn closes_connection(&self) -> bool {
        matches!(self, Self::BodyTooLarge | Self::BodyTimeout)
    }
}

/// How a protocol answers a refusal on the wire: its own error type, which also words a
/// [`ReadError`]. [`endpoint`] is generic over it.
pub trait WireError: From<ReadError> {
    /// The response; `realm` is the scheme-host-port the client addressed, for a challenge.
    fn into_response_with_realm(self, realm: &str) -> Response;
}

/// A request read within the limits, with the URL the client signed rebuilt.
#[derive(Clone)]
pub struct Incoming {
    /// The HTTP method.
    pub method: Method,
    /// The path, as received.
    pub path: String,
    /// The URL the client is assumed to have signed: `{base}{path-and-query}`.
    pub url: String,
    /// The scheme-host-port prefix of `url` (also the `WWW-Authenticate` realm).
    pub base: String,
    /// The raw query (no `?`), if any.
    pub query: Option<String>,
    /// The `Authorization` header value.
    pub authorization: Option<String>,
    /// The body, when `Content-Type` is `application/x-www-form-urlencoded`.
    pub form_body: Option<String>,
    /// Any other non-empty body.
    pub body: Option<Vec<u8>>,
}

impl core::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The query, header and body may carry tokens or a PLAINTEXT signature.
        f.debug_struct("Incoming")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Incoming {
    /// Reads `req` (body capped at [`MAX_BODY_BYTES`]) and rebuilds its URL.
    pub async fn read(app: &App, req: Request) -> Result<Self, ReadError> {
        let (parts, body) = req.into_parts();
        let authorization = match parts.headers.get(header::AUTHORIZATION) {
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| ReadError::AuthorizationNotAscii)?
                    .to_owned(),
            ),
            None => None,
        };
        let base = base_for(app, &parts.headers)?;
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let path = parts.uri.path().to_owned();
        // The path's escapes must decode to UTF-8, as the query's and the header's must
        // (SECURITY.md §5.1 row 20): `%FF` or the overlong `%C0%AF` would otherwise reach
        // routing and scope checks undecodable (issue 15 §1).
        crate::encoding::percent_decode(&path).map_err(|source| ReadError::BadEncoding {
            part: "path",
            source,
        })?;
        // The verifier signs the URL as the `url` crate normalizes it (dot segments removed),
        // while routing and scope checks see the raw path. A path that normalizes to
        // something else (`/calendar/feeds/../../m8/…`) could be signed for one resource and
        // served as another, so it is refused before anything else.
        let normalized = url::Url::parse(&format!("{base}{path_and_query}"))
            .map(|u| u.path() == path)
            .unwrap_or(false);
        if !normalized {
            return Err(ReadError::PathNotNormal);
        }
        let query = parts.uri.query().map(str::to_owned);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = read_body(body, declared).await?;
        let (form_body, body) = if is_form {
            let text = String::from_utf8(bytes).map_err(|_| ReadError::FormNotUtf8)?;
            (Some(text), None)
        } else if bytes.is_empty() {
            (None, None)
        } else {
            (None, Some(bytes))
        };
        Ok(Self {
            method: parts.method,
            url: format!("{base}{path_and_query}"),
            base,
            path,
            query,
            authorization,
            form_body,
            body,
        })
    }

    /// Decoded query and form parameters, in that order (unsigned pages such as the consent
    /// form read these). Malformed encoding is an error.
    pub fn plain_params(&self) -> Result<Form, ReadError> {
        let bad = |part| move |source| ReadError::BadEncoding { part, source };
        let mut out =
            parse_form(self.query.as_deref().unwrap_or_default()).map_err(bad("query"))?;
        if let Some(body) = &self.form_body {
            out.extend(parse_form(body).map_err(bad("form body"))?);
        }
        Ok(Form::from(out))
    }
}

/// The scheme-host-port the client addressed: the public base URL, else the `Host` header
/// (checked to be a plain `host[:port]`), else the local address.
fn base_for(app: &App, headers: &HeaderMap) -> Result<String, ReadError> {
    if let Some(u) = &app.public_base_url {
        return Ok(u.clone());
    }
    let Some(host) = headers.get(header::HOST) else {
        return Ok(format!("http://{}", app.local_addr));
    };
    let host = host.to_str().unwrap_or_default();
    let ok = !host.is_empty()
        && host.len() <= MAX_HOST_LEN
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b));
    if !ok {
        return Err(ReadError::BadHost);
    }
    Ok(format!("http://{host}"))
}

/// Reads the body: at most [`MAX_BODY_BYTES`] kept, at most [`MAX_DRAIN_BYTES`] read, within
/// [`BODY_TIMEOUT`].
async fn read_body(body: Body, declared: Option<u64>) -> Result<Vec<u8>, ReadError> {
    if declared.is_some_and(|n| n > MAX_DRAIN_BYTES as u64) {
        return Err(ReadError::BodyTooLarge);
    }
    let read = async move {
        let mut body = pin!(body);
        let mut kept = Vec::new();
        let mut total = 0usize;
        while let Some(frame) = poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let frame = frame.map_err(|_| ReadError::BodyUnreadable)?;
            if let Ok(data) = frame.into_data() {
                total = total.saturating_add(data.len());
                if total > MAX_DRAIN_BYTES {
                    return Err(ReadError::BodyTooLarge);
                }
                if total <= MAX_BODY_BYTES {
                    kept.extend_from_slice(&data);
                }
            }
        }
        if total > MAX_BODY_BYTES {
            return Err(ReadError::BodyTooLarge);
        }
        Ok(kept)
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .map_err(|_| ReadError::BodyTimeout)?
}

/// Escapes text for HTML and XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A `405 Method Not Allowed` for anything but GET and POST.
fn method_not_allowed() -> Response {
    let mut resp = (
        StatusCode::METHOD_NOT_ALLOWED,
        "only GET and POST are accepted here\n",
    )
        .into_response();
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    resp
}

/// Whether the method is one every endpoint accepts.
fn get_or_post(m: &Method) -> bool {
    m == Method::GET || m == Method::POST
}

/// Headers a request may carry at most once: a second `Host` leaves which host was meant
/// to whoever reads first (RFC 9112 §3.2: "A server MUST respond with a 400 … to any
/// HTTP/1.1 request message that lacks a Host header field and to any request message that
/// contains more than one Host header field"), a second `Authorization` which credential
/// (issue 15 §1).
const SINGLE_HEADERS: [header::HeaderName; 2] = [header::HOST, header::AUTHORIZATION];

/// Why a request is refused before any handler reads it (400, plain text), if it is: a
/// header of [`SINGLE_HEADERS`] given twice, or an HTTP/1.1 request without `Host`.
fn header_refusal(req: &Request) -> Option<String> {
    for name in &SINGLE_HEADERS {
        if req.headers().get_all(name).iter().nth(1).is_some() {
            return Some(format!("more than one {name} header field (RFC 9112 §3.2)"));
        }
    }
    if req.version() == axum::http::Version::HTTP_11 && !req.headers().contains_key(header::HOST) {
        return Some("an HTTP/1.1 request without a Host header field (RFC 9112 §3.2)".into());
    }
    None
}

/// Middleware: refuses oversize header sets with 431 and requests with a duplicate `Host` or
/// `Authorization`, or an HTTP/1.1 one without `Host`, with 400 ([`SINGLE_HEADERS`]); then
/// logs one line per request: method, path (never the query, which may carry tokens or a
/// PLAINTEXT signature), status, time, and the handler's note (the refusal reason). Every
/// response gets `X-Content-Type-Options: nosniff`, so no browser reads a `text/plain`
/// error or a form-encoded token answer as HTML (issue 15 §1).
pub async fn log_requests(
    State(app): State<std::sync::Arc<App>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let mut path: String = req.uri().path().chars().take(MAX_LOGGED_PATH).collect();
    if req.uri().path().len() > path.len() {
        path.push('…');
    }
    // With a durable nonce window: the queue position of the nonce this request records.
    let mut recorded_nonce = 0;
    let resp = if header_bytes(req.headers()) > MAX_HEADER_BYTES {
        let mut r = (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request header fields exceed {MAX_HEADER_BYTES} bytes\n"),
        )
            .into_response();
        r.extensions_mut()
            .insert(LogNote("refused: header fields too large".to_owned()));
        r
    } else if let Some(why) = header_refusal(&req) {
        let mut r = (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r.extensions_mut()
            .insert(LogNote(format!("refused: {why}")));
        r
    } else if app.oauth1.durable_nonces().is_some() {
        let (resp, recorded) = super::durable::recording_nonces(next.run(req)).await;
        recorded_nonce = recorded;
        resp
    } else {
        // In memory, nothing is waited for: no task-local to set up per request.
        next.run(req).await
    };
    let mut resp = resp;
    if let (Some(nonces), 1..) = (app.oauth1.durable_nonces(), recorded_nonce) {
        // Group commit: the tuple this request recorded is on disk before it is answered,
        // so a restart never accepts them again. When their batch failed, the request is
        // refused instead (a retry with a fresh nonce succeeds once the disk is back).
        if let Err(e) = nonces.settled(recorded_nonce).await {
            resp = (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "the state store could not be written; retry later\n",
            )
                .into_response();
            resp.extensions_mut()
                .insert(LogNote(format!("refused: {e}")));
        }
    }
    resp.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let note = resp
        .extensions()
        .get::<LogNote>()
        .map(|n| format!(" {}", n.0))
        .unwrap_or_default();
    app.log.line(&format!(
        "{method} {path} {} {}ms{note}",
        resp.status().as_u16(),
        start.elapsed().as_millis()
    ));
    resp
}

fn header_bytes(h: &HeaderMap) -> usize {
    h.iter()
        .map(|(n, v)| n.as_str().len() + v.as_bytes().len() + 4)
        .sum()
}

/// Adds the headers every HTML page carries: no caching, no framing (clickjacking on the
/// consent page), no referrer (the URL holds the request token), a CSP with no scripts.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut resp = (status, Body::from(html)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    resp
}

/// Adds the `WWW-Authenticate: {scheme} realm="…"` challenge of a 401, the realm reduced to
/// visible ASCII without `"` or `\`.
pub fn challenge(headers: &mut HeaderMap, scheme: &str, realm: &str) {
    let realm: String = realm
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("{scheme} realm=\"{realm}\"")) {
        headers.insert(header::WWW_AUTHENTICATE, v);
    }
}

/// Reads the request: a method other than GET and POST is answered 405, a [`ReadError`] by
/// `refuse` (given it and the realm).
pub async fn accept(
    app: &App,
    req: Request,
    refuse: impl FnOnce(ReadError, &str) -> Response,
) -> Result<Incoming, Response> {
    if !get_or_post(req.method()) {
        return Err(method_not_allowed());
    }
    Incoming::read(app, req)
        .await
        .map_err(|e| refuse(e, &app.realm()))
}

/// Runs `f` on the read request and answers its refusal, or a request that could not be
/// read, in the protocol's wire format `E`.
pub async fn endpoint<E: WireError>(
    app: std::sync::Arc<App>,
    req: Request,
    f: impl FnOnce(&App, &Incoming) -> Result<Response, E>,
) -> Response {
    let incoming = match accept(&app, req, |e, realm| {
        E::from(e).into_response_with_realm(realm)
    })
    .await
    {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    match f(&app, &incoming) {
        Ok(r) => r,
        Err(e) => e.into_response_with_realm(&incoming.base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
