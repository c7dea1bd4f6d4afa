//! Sending requests: the only I/O in the crate (DESIGN.md "Data flows one way", step 3).
//!
//! Protocol code prepares an [`HttpRequest`] and parses an [`HttpResponse`]; both are plain
//! data. In between sits a [`Transport`] (async) or a [`BlockingTransport`]: implemented here
//! for reqwest behind the `http` feature (redirects off, timeouts on, a response-size cap,
//! rustls only) and for closures, so tests and users with their own HTTP stack plug in
//! without this crate knowing. No `reqwest::Error` ever reaches a public type.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use zeroize::Zeroize;

use crate::encoding;
use crate::request::{Authorization, Request};

#[cfg(feature = "http")]
mod reqwest_client;
#[cfg(feature = "http")]
pub use reqwest_client::{ReqwestBlockingTransport, ReqwestTransport};

/// Why a request could not be sent or its response not read.
///
/// Messages describe what failed by kind; they never carry a URL's query, a header value or
/// a body, since any of those may hold a token or a password.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be made (DNS, TCP or TLS).
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connect timeout or the whole-request timeout expired.
    #[error("the request timed out")]
    Timeout,
    /// The response body was larger than the configured cap.
    #[error("response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A blocking transport was called from inside an async runtime, where blocking would
    /// stall (or, in reqwest's case, panic) the executor.
    #[error(
        "the blocking transport was called from inside an async runtime; \
         use the async transport (ReqwestTransport) there"
    )]
    InsideAsyncRuntime,
    /// The request cannot be sent as described (bad method, URL, header name or value).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The response body is not UTF-8 where text was expected.
    #[error("response body is not valid UTF-8 (valid up to byte {valid_up_to})")]
    BodyNotUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The HTTP client could not be built (for example, the TLS backend failed to start).
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// Sending the request or reading the response failed after connecting.
    #[error("I/O error: {0}")]
    Io(String),
}

/// Header names whose values are credentials: redacted in every `Debug` output.
fn is_sensitive_header(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ]
    .iter()
    .any(|s| s.eq_ignore_ascii_case(name))
}

/// Writes `headers` for `Debug`, values of credential headers replaced by `[redacted]`.
fn debug_headers(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| {
            if is_sensitive_header(n) {
                (n.as_str(), "[redacted]")
            } else {
                (n.as_str(), v.as_str())
            }
        })
        .collect()
}

/// A URL for `Debug`: query values and the fragment dropped, since they can carry tokens
/// (AuthSub `token=`, OAuth 2.0 `access_token=`, ClientLogin `Passwd=`).
struct RedactedUrl<'a>(&'a str);

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let without_fragment = self.0.split_once('#').map_or(self.0, |(u, _)| u);
        let Some((base, query)) = without_fragment.split_once('?') else {
            return write!(f, "{without_fragment:?}");
        };
        let mut out = String::with_capacity(base.len() + query.len());
        out.push_str(base);
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            out.push_str(name);
            out.push_str("=[redacted]");
        }
        write!(f, "{out:?}")
    }
}

/// An HTTP request ready to send: method, absolute URL, headers in order, body bytes.
///
/// `Debug` shows neither credential header values, nor query values, nor the body (a form
/// body can carry a password). The body and header values are zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method, e.g. `GET` or `POST`.
    pub method: String,
    /// The absolute URL, query included.
    pub url: String,
    /// Header fields in order; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty for none).
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request with the given method and URL, no headers and no body.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }

    /// A `POST` of an `application/x-www-form-urlencoded` body built from `pairs`.
    pub fn post_form<N: AsRef<str>, V: AsRef<str>>(
        url: impl Into<String>,
        pairs: &[(N, V)],
    ) -> Self {
        Self::new("POST", url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .with_body(encoding::form_encode(pairs).into_bytes())
    }

    /// The request described by `request`: its method (upper-cased, as it was signed), full
    /// URL, and its form parameters as an `application/x-www-form-urlencoded` body when it
    /// has any.
    pub fn from_request(request: &Request) -> Self {
        // RFC 5849 §3.4.1.1 signs the upper-cased method; HTTP methods are case-sensitive
        // (RFC 9110 §9.1), so the wire carries the same spelling the signature covers.
        let out = Self::new(request.method(), request.url());
        if request.has_form() {
            out.header("Content-Type", "application/x-www-form-urlencoded")
                .with_body(request.form_body().into_bytes())
        } else {
            out
        }
    }

    /// Appends a header field (duplicates are kept, in order).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the `Authorization` header, replacing any already present.
    pub fn with_authorization(mut self, authorization: &Authorization) -> Self {
        self.remove_header("Authorization");
        self.header("Authorization", authorization.header_value())
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body.zeroize();
        self.body = body.into();
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Removes every field named `name` (case-insensitive), zeroizing the values.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain_mut(|(n, v)| {
            let keep = !n.eq_ignore_ascii_case(name);
            if !keep {
                v.zeroize();
            }
            keep
        });
    }
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        // Form bodies carry passwords (ClientLogin `Passwd`) and header values carry
        // credentials: leave no copy behind in freed memory.
        self.body.zeroize();
        for (_, v) in &mut self.headers {
            v.zeroize();
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &RedactedUrl(&self.url))
            .field("headers", &debug_headers(&self.headers))
            .field(
                "body",
                &format_args!("[{} bytes redacted]", self.body.len()),
            )
            .finish()
    }
}

/// An HTTP response: status, headers in order, the whole body.
///
/// `Debug` shows the body's length only (token responses carry secrets) and redacts
/// `Set-Cookie`. The body is zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, e.g. 200.
    pub status: u16,
    /// Header fields in order; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with the given status and body and no headers (closure transports, tests).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Appends a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as UTF-8 text; bytes that are not UTF-8 are an error, never replaced.
    pub fn body_text(&self) -> Result<&str, TransportError> {
        core::str::from_utf8(&self.body).map_err(|e| TransportError::BodyNotUtf8 {
            valid_up_to: e.valid_up_to(),
        })
    }

    /// The response itself when its status is 2xx, else a [`StatusError`] holding it: for
    /// answers that come back as they came ([`crate::signed::signed`],
    /// `OAuth1Client::fetch`), where the caller chooses whether a 401 is an error.
    pub fn error_for_status(self) -> Result<Self, StatusError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(StatusError { response: self })
        }
    }

    /// Takes the body out (the response is dropped; its remaining fields are zeroized).
    pub fn into_body(mut self) -> Vec<u8> {
        core::mem::take(&mut self.body)
    }
}

impl Drop for HttpResponse {
    fn drop(&mut self) {
        // Token endpoints answer with secrets in the body (`oauth_token_secret=`, `Auth=`).
        self.body.zeroize();
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &debug_headers(&self.headers))
            .field(
                "body",
                &format_args!("[{} bytes redacted]", self.body.len()),
            )
            .finish()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A response whose status is not 2xx ([`HttpResponse::error_for_status`]); it keeps the
/// response, whose `Debug` shows no body.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the server answered HTTP {}", .response.status)]
pub struct StatusError {
    response: HttpResponse,
}

impl StatusError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.response.status
    }

    /// The response.
    pub fn response(&self) -> &HttpResponse {
        &self.response
    }

    /// Takes the response back.
    pub fn into_response(self) -> HttpResponse {
        self.response
    }
}

/// The future a [`Transport`] returns.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends an [`HttpRequest`] and returns the whole [`HttpResponse`], asynchronously.
///
/// Object safe: hold an `Arc<dyn Transport>`. Implementations must not follow redirects
/// (a 3xx is returned as is: following one could replay an `Authorization` header to
/// another host) and should bound time and response size.
pub trait Transport: Send + Sync {
    /// Sends `req`.
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        (**self).send(req)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        (**self).send(req)
    }
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        (**self).send(req)
    }
}

/// Sends an [`HttpRequest`] and returns the whole [`HttpResponse`], blocking the thread.
///
/// Implemented for every `Fn(HttpRequest) -> Result<HttpResponse, TransportError>` closure.
pub trait BlockingTransport: Send + Sync {
    /// Sends `req`.
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError>;
}

impl<F> BlockingTransport for F
where
    F: Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
{
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self(req)
    }
}

/// An async [`Transport`] from a closure returning a `Send` future:
/// `FnTransport(|req| async move { … })`.
#[derive(Clone, Copy)]
pub struct FnTransport<F>(pub F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport(..)")
    }
}

impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
{
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        Box::pin((self.0)(req))
    }
}

/// Limits for the reqwest transports: timeouts on and a response cap by default
/// (SECURITY.md §5.5: connect 10 s, whole request 30 s; never "0 = wait forever").
///
/// Start from [`TransportConfig::default`] and adjust with the `with_*` methods or the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Time allowed to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, response body included.
    pub timeout: Duration,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// The `User-Agent` header value (`None` sends none).
    pub user_agent: Option<String>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: Some(concat!("gdata-auth/", env!("CARGO_PKG_VERSION")).to_owned()),
        }
    }
}

impl TransportConfig {
    /// The default response body cap: 1 MiB, far above any auth endpoint's answer.
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

    /// The defaults: connect 10 s, whole request 30 s, 1 MiB bodies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the whole-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the response body cap, in bytes.
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Sets the `User-Agent` header (`None` sends none).
    pub fn with_user_agent(mut self, user_agent: Option<String>) -> Self {
        self.user_agent = user_agent;
        self
    }
}
