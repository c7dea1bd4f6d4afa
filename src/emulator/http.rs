//! HTTP plumbing shared by the emulator's routes: reading a request within size limits,
//! rebuilding the URL the client signed, answering errors in the OAuth Problem Reporting
//! format, escaping for HTML and XML, and the one-line-per-request log.

use std::future::poll_fn;
use std::pin::pin;
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::encoding::{form_encode, parse_form};
use crate::oauth1::verifier::{received_base_string, ReceivedRequest, VerifyError};

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

/// A note a handler attaches to its response for the request log (never a secret).
#[derive(Debug, Clone)]
pub struct LogNote(pub String);

/// An error answer in the OAuth Problem Reporting style
/// (`oauth_problem=…&oauth_problem_advice=…`), with the HTTP status RFC 5849 §3.2 gives it.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `oauth_problem` value.
    pub problem: &'static str,
    /// Human-readable advice (`oauth_problem_advice`); never a secret.
    pub advice: String,
    /// Further Problem Reporting parameters (`oauth_parameters_absent`, …).
    pub extra: Vec<(&'static str, String)>,
    /// Extra headers (`Retry-After`).
    pub headers: Vec<(header::HeaderName, String)>,
}

impl Problem {
    /// A problem with the given status, code and advice.
    pub fn new(status: StatusCode, problem: &'static str, advice: impl Into<String>) -> Self {
        Self {
            status,
            problem,
            advice: advice.into(),
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// 400 `parameter_absent` naming the missing parameter.
    pub fn absent(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "parameter_absent",
            format!("missing required parameter {param}"),
        )
        .with("oauth_parameters_absent", param)
    }

    /// 400 `parameter_rejected` naming the refused parameter.
    pub fn rejected(param: &str, why: impl core::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "parameter_rejected",
            format!("{param}: {why}"),
        )
        .with("oauth_parameters_rejected", param)
    }

    /// 401 with the given problem.
    pub fn unauthorized(problem: &'static str, advice: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, problem, advice)
    }

    /// 401 `token_rejected`.
    pub fn token_rejected(advice: impl Into<String>) -> Self {
        Self::unauthorized("token_rejected", advice)
    }

    /// 503, retry later.
    pub fn busy(advice: impl Into<String>) -> Self {
        let mut p = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            advice,
        );
        p.headers.push((header::RETRY_AFTER, "5".to_owned()));
        p
    }

    /// Adds a Problem Reporting parameter.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// The problem for a failed verification. `now` and `window` fill in
    /// `oauth_acceptable_timestamps`; `incoming` gives the base string for a bad signature.
    pub fn from_verify(e: &VerifyError, now: u64, window: u64, incoming: &Incoming) -> Self {
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let mut p = Self::new(status, e.oauth_problem(), e.to_string());
        match e {
            VerifyError::TimestampOutOfWindow { .. } | VerifyError::BadTimestamp => {
                let lo = now.saturating_sub(window);
                let hi = now.saturating_add(window);
                p = p.with("oauth_acceptable_timestamps", format!("{lo}-{hi}"));
            }
            VerifyError::UnsupportedVersion => {
                p = p.with("oauth_acceptable_versions", "1.0-1.0");
            }
            VerifyError::MissingParam(name) => {
                p = p.with("oauth_parameters_absent", *name);
            }
            VerifyError::DuplicateProtocolParam(name) => {
                p = p.with("oauth_parameters_rejected", name.clone());
            }
            VerifyError::BadSignature => {
                // Google answered a bad signature with the base string it computed
                // (`signature_invalid` / `base_string:…`), the one clue a developer needs.
                // It holds no secret: the signature and the keys are not part of it.
                if let Some(bs) = incoming.diagnostic_base_string() {
                    p = p.with("oauth_signature_base_string", bs);
                }
            }
            VerifyError::ReplayStoreFull => {
                p.headers.push((header::RETRY_AFTER, "5".to_owned()));
            }
            _ => {}
        }
        p
    }

    /// The response: `text/plain` body of form-encoded parameters; 401 adds a
    /// `WWW-Authenticate: OAuth realm="…"` challenge.
    pub fn into_response_with_realm(self, realm: &str) -> Response {
        let mut pairs: Vec<(&str, &str)> = vec![("oauth_problem", self.problem)];
        pairs.extend(self.extra.iter().map(|(n, v)| (*n, v.as_str())));
        pairs.push(("oauth_problem_advice", self.advice.as_str()));
        let body = form_encode(&pairs);
        let note = format!("refused: oauth_problem={} ({})", self.problem, self.advice);
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=UTF-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            let realm: String = realm
                .chars()
                .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
                .collect();
            if let Ok(v) = HeaderValue::from_str(&format!("OAuth realm=\"{realm}\"")) {
                h.insert(header::WWW_AUTHENTICATE, v);
            }
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        resp.extensions_mut().insert(LogNote(note));
        resp
    }
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
    pub async fn read(app: &App, req: Request) -> Result<Self, Problem> {
        let (parts, body) = req.into_parts();
        let authorization = match parts.headers.get(header::AUTHORIZATION) {
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| {
                        Problem::new(
                            StatusCode::BAD_REQUEST,
                            "parameter_rejected",
                            "Authorization header is not visible ASCII",
                        )
                    })?
                    .to_owned(),
            ),
            None => None,
        };
        let base = app.base_for(&parts.headers)?;
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let path = parts.uri.path().to_owned();
        // The verifier signs the URL as the `url` crate normalizes it (dot segments removed),
        // while routing and scope checks see the raw path. A path that normalizes to
        // something else (`/calendar/feeds/../../m8/…`) could be signed for one resource and
        // served as another, so it is refused before anything else.
        let normalized = url::Url::parse(&format!("{base}{path_and_query}"))
            .map(|u| u.path() == path)
            .unwrap_or(false);
        if !normalized {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "parameter_rejected",
                "the request path is not in normal form (dot segments or unescaped characters); \
                 sign and send the normalized URL",
            ));
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
            let text = String::from_utf8(bytes).map_err(|_| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "parameter_rejected",
                    "form body is not UTF-8",
                )
            })?;
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

    /// The verifier's view of this request.
    pub fn received(&self) -> ReceivedRequest<'_> {
        ReceivedRequest {
            method: self.method.as_str(),
            url: &self.url,
            authorization: self.authorization.as_deref(),
            form_body: self.form_body.as_deref(),
            body: self.body.as_deref(),
        }
    }

    /// Decoded query and form parameters, in that order (unsigned pages such as the consent
    /// form read these). Malformed encoding is an error.
    pub fn plain_params(&self) -> Result<Vec<(String, String)>, Problem> {
        let mut out = parse_form(self.query.as_deref().unwrap_or_default())
            .map_err(|e| Problem::rejected("query", e))?;
        if let Some(body) = &self.form_body {
            out.extend(parse_form(body).map_err(|e| Problem::rejected("form body", e))?);
        }
        Ok(out)
    }

    /// The base string the provider computes for this request, for the `signature_invalid`
    /// answer: the verifier's own ([`received_base_string`]); `None` if it does not parse.
    pub fn diagnostic_base_string(&self) -> Option<String> {
        received_base_string(&self.received())
    }
}

fn too_large() -> Problem {
    let mut p = Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "parameter_rejected",
        format!("request body larger than {MAX_BODY_BYTES} bytes"),
    );
    p.headers.push((header::CONNECTION, "close".to_owned()));
    p
}

/// Reads the body: at most [`MAX_BODY_BYTES`] kept, at most [`MAX_DRAIN_BYTES`] read, within
/// [`BODY_TIMEOUT`].
async fn read_body(body: Body, declared: Option<u64>) -> Result<Vec<u8>, Problem> {
    if declared.is_some_and(|n| n > MAX_DRAIN_BYTES as u64) {
        return Err(too_large());
    }
    let read = async move {
        let mut body = pin!(body);
        let mut kept = Vec::new();
        let mut total = 0usize;
        while let Some(frame) = poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let frame = frame.map_err(|_| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "parameter_rejected",
                    "unreadable request body",
                )
            })?;
            if let Ok(data) = frame.into_data() {
                total = total.saturating_add(data.len());
                if total > MAX_DRAIN_BYTES {
                    return Err(too_large());
                }
                if total <= MAX_BODY_BYTES {
                    kept.extend_from_slice(&data);
                }
            }
        }
        if total > MAX_BODY_BYTES {
            return Err(too_large());
        }
        Ok(kept)
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .map_err(|_| {
            let mut p = Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "parameter_rejected",
                "request body not received in time",
            );
            p.headers.push((header::CONNECTION, "close".to_owned()));
            p
        })?
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
pub fn method_not_allowed() -> Response {
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
pub fn get_or_post(m: &Method) -> bool {
    m == Method::GET || m == Method::POST
}

/// Middleware: refuses oversize header sets with 431, then logs one line per request:
/// method, path (never the query, which may carry tokens or a PLAINTEXT signature), status,
/// time, and the handler's note (the refusal reason).
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
    let resp = if header_bytes(req.headers()) > MAX_HEADER_BYTES {
        let mut r = (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request header fields exceed {MAX_HEADER_BYTES} bytes\n"),
        )
            .into_response();
        r.extensions_mut()
            .insert(LogNote("refused: header fields too large".to_owned()));
        r
    } else {
        next.run(req).await
    };
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

/// Runs `f` on the read request and turns its `Problem` into the error answer.
pub async fn endpoint(
    app: std::sync::Arc<App>,
    req: Request,
    f: impl FnOnce(&App, &Incoming) -> Result<Response, Problem>,
) -> Response {
    if !get_or_post(req.method()) {
        return method_not_allowed();
    }
    let realm = app.realm();
    let incoming = match Incoming::read(&app, req).await {
        Ok(i) => i,
        Err(p) => return p.into_response_with_realm(&realm),
    };
    match f(&app, &incoming) {
        Ok(r) => r,
        Err(p) => p.into_response_with_realm(&incoming.base),
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

    #[test]
    fn problem_body_is_form_encoded() {
        let p = Problem::absent("scope");
        let resp = p.into_response_with_realm("http://h");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(resp.headers().get(header::WWW_AUTHENTICATE).is_none());
        let p = Problem::token_rejected("x").into_response_with_realm("http://h\"x");
        assert_eq!(
            p.headers()
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.as_bytes()),
            Some(&b"OAuth realm=\"http://hx\""[..])
        );
    }
}
