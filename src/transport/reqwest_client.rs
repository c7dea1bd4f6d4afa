//! The reqwest transports (feature `http`): [`ReqwestTransport`] (async) and
//! [`ReqwestBlockingTransport`].
//!
//! Both follow no redirects (a 3xx is handed back as is, so an `Authorization` header is
//! never replayed to a host the caller did not name), use rustls only, time out by default
//! and read at most [`TransportConfig::max_response_bytes`] of a body, counting while reading.
//! reqwest errors are turned into [`TransportError`] by kind, with the URL stripped.

use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{Method, Url};

use super::{is_sensitive_header, HttpRequest, HttpResponse, SendFuture, Transport};
use super::{BlockingTransport, TransportConfig, TransportError};

/// Walks an error and its sources into one line: `outer: cause: root cause`.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // hyper and reqwest often repeat their cause in their own message.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// Maps a reqwest error by kind. `without_url` first: the URL's query may hold a token.
fn map_reqwest_error(e: reqwest::Error) -> TransportError {
    let e = e.without_url();
    if e.is_timeout() {
        TransportError::Timeout
    } else if e.is_connect() {
        TransportError::Connect(describe(&e))
    } else if e.is_builder() {
        TransportError::InvalidRequest(describe(&e))
    } else {
        TransportError::Io(describe(&e))
    }
}

/// Maps an error from reading a blocking body, which reqwest wraps in `io::Error`.
fn map_io_error(e: std::io::Error) -> TransportError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return TransportError::Timeout;
    }
    let kind = e.kind();
    match e.into_inner() {
        Some(inner) => match inner.downcast::<reqwest::Error>() {
            Ok(re) => map_reqwest_error(*re),
            Err(other) => TransportError::Io(describe(&*other)),
        },
        None => TransportError::Io(kind.to_string()),
    }
}

/// The parts of an [`HttpRequest`] in reqwest's types, checked. Error messages name the
/// offending part but never echo a header value or the URL (either may be a credential).
struct Parts {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn to_parts(mut req: HttpRequest) -> Result<Parts, TransportError> {
    let method = Method::from_bytes(req.method.as_bytes())
        .map_err(|_| TransportError::InvalidRequest(format!("invalid method {:?}", req.method)))?;
    // `url::ParseError`'s message does not repeat the input.
    let url = Url::parse(&req.url)
        .map_err(|e| TransportError::InvalidRequest(format!("invalid URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(TransportError::InvalidRequest(format!(
            "unsupported URL scheme {:?}",
            url.scheme()
        )));
    }
    let mut headers = HeaderMap::with_capacity(req.headers.len());
    for (name, value) in &req.headers {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| TransportError::InvalidRequest(format!("invalid header name {name:?}")))?;
        // Rejects CR, LF and other control bytes: no header injection.
        let mut header_value = HeaderValue::from_str(value).map_err(|_| {
            TransportError::InvalidRequest(format!("invalid value for header {header_name}"))
        })?;
        if is_sensitive_header(name) {
            header_value.set_sensitive(true);
        }
        headers.append(header_name, header_value);
    }
    let body = core::mem::take(&mut req.body);
    Ok(Parts {
        method,
        url,
        headers,
        body,
    })
}

fn from_header_map(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            // Header values are bytes; the rare non-UTF-8 (Latin-1) byte becomes U+FFFD
            // rather than failing a response whose body may still be fine.
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

fn too_large(limit: usize) -> TransportError {
    TransportError::ResponseTooLarge { limit }
}

/// Refuses a declared `Content-Length` above the cap before reading anything.
fn check_declared(len: Option<u64>, limit: usize) -> Result<(), TransportError> {
    match len {
        Some(len) if len > u64::try_from(limit).unwrap_or(u64::MAX) => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// Preallocates for the declared length, but never more than the cap or 64 KiB.
fn initial_capacity(len: Option<u64>, limit: usize) -> usize {
    let declared = len.and_then(|l| usize::try_from(l).ok()).unwrap_or(0);
    declared.min(limit).min(64 * 1024)
}

/// The async reqwest transport. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: usize,
}

impl From<reqwest::Client> for ReqwestTransport {
    /// Wraps the caller's own client (its pool, proxy, TLS and timeouts), with the default
    /// response cap. Keep its redirect policy off (`redirect::Policy::none()`) for token
    /// endpoints: a followed redirect could carry a request where it was not meant to go.
    fn from(client: reqwest::Client) -> Self {
        Self {
            client,
            max_response_bytes: TransportConfig::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl ReqwestTransport {
    /// A transport with the default [`TransportConfig`].
    pub fn new() -> Result<Self, TransportError> {
        Self::with_config(TransportConfig::default())
    }

    /// A transport with the given limits.
    pub fn with_config(config: TransportConfig) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout);
        if let Some(ua) = &config.user_agent {
            builder = builder.user_agent(ua.as_str());
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::Client(describe(&e.without_url())))?;
        Ok(Self {
            client,
            max_response_bytes: config.max_response_bytes,
        })
    }

    async fn send_inner(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let limit = self.max_response_bytes;
        let parts = to_parts(req)?;
        let mut builder = self
            .client
            .request(parts.method, parts.url)
            .headers(parts.headers);
        if !parts.body.is_empty() {
            builder = builder.body(parts.body);
        }
        let mut resp = builder.send().await.map_err(map_reqwest_error)?;
        let status = resp.status().as_u16();
        let headers = from_header_map(resp.headers());
        check_declared(resp.content_length(), limit)?;
        let mut body = Vec::with_capacity(initial_capacity(resp.content_length(), limit));
        // Counted chunk by chunk: a server that lies about (or omits) Content-Length still
        // cannot make us buffer more than the cap.
        while let Some(chunk) = resp.chunk().await.map_err(map_reqwest_error)? {
            if chunk.len() > limit.saturating_sub(body.len()) {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        Box::pin(self.send_inner(req))
    }
}

/// The blocking reqwest transport.
///
/// reqwest's blocking client runs its own runtime on a helper thread; building it or
/// sending with it inside an async runtime panics (a debug assertion: "Cannot drop a
/// runtime in a context where blocking is not allowed"), and dropping it joins the helper
/// thread, blocking whatever thread drops it. So this type builds the client lazily, on the
/// first `send` made outside any runtime; `send` inside a runtime returns
/// [`TransportError::InsideAsyncRuntime`]; and dropping it inside a runtime hands the
/// client to a short-lived thread, so no executor thread waits on the join. Construction
/// never fails or panics; a client that cannot be built is reported by `send` as
/// [`TransportError::Client`].
///
/// Inside `tokio::task::spawn_blocking` a runtime handle is also present, so the check
/// refuses there too: use [`ReqwestTransport`] with `Handle::block_on` in that case.
pub struct ReqwestBlockingTransport {
    config: TransportConfig,
    client: OnceLock<reqwest::blocking::Client>,
}

impl core::fmt::Debug for ReqwestBlockingTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReqwestBlockingTransport")
            .field("config", &self.config)
            .field("client_built", &self.client.get().is_some())
            .finish()
    }
}

impl From<reqwest::blocking::Client> for ReqwestBlockingTransport {
    /// Wraps the caller's own blocking client, with the default response cap; see
    /// `From<reqwest::Client> for ReqwestTransport` on redirects.
    fn from(client: reqwest::blocking::Client) -> Self {
        Self {
            config: TransportConfig::default(),
            client: OnceLock::from(client),
        }
    }
}

impl ReqwestBlockingTransport {
    /// A transport with the default [`TransportConfig`]. The client is built on first use,
    /// so this does not fail today; it returns a `Result` as [`ReqwestTransport::new`] does,
    /// so the two are interchangeable.
    pub fn new() -> Result<Self, TransportError> {
        Self::with_config(TransportConfig::default())
    }

    /// A transport with the given limits (see [`Self::new`]).
    pub fn with_config(config: TransportConfig) -> Result<Self, TransportError> {
        Ok(Self {
            config,
            client: OnceLock::new(),
        })
    }

    /// The limits in use.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// The client, built on first use. Only called outside a runtime.
    fn client(&self) -> Result<&reqwest::blocking::Client, TransportError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let mut builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .redirect(Policy::none())
            .connect_timeout(self.config.connect_timeout)
            .timeout(self.config.timeout);
        if let Some(ua) = &self.config.user_agent {
            builder = builder.user_agent(ua.as_str());
        }
        let built = builder
            .build()
            .map_err(|e| TransportError::Client(describe(&e.without_url())))?;
        // Two threads may race to build; the loser's client is dropped here, outside any
        // runtime, which is safe.
        Ok(self.client.get_or_init(|| built))
    }
}

impl BlockingTransport for ReqwestBlockingTransport {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(TransportError::InsideAsyncRuntime);
        }
        let limit = self.config.max_response_bytes;
        let client = self.client()?;
        let parts = to_parts(req)?;
        let mut builder = client
            .request(parts.method, parts.url)
            .headers(parts.headers);
        if !parts.body.is_empty() {
            builder = builder.body(parts.body);
        }
        let mut resp = builder.send().map_err(map_reqwest_error)?;
        let status = resp.status().as_u16();
        let headers = from_header_map(resp.headers());
        check_declared(resp.content_length(), limit)?;
        let mut body = Vec::with_capacity(initial_capacity(resp.content_length(), limit));
        // Read one byte past the cap, so "exactly at the cap" and "over it" differ, and
        // never more.
        let budget = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        (&mut resp)
            .take(budget)
            .read_to_end(&mut body)
            .map_err(map_io_error)?;
        if body.len() > limit {
            return Err(too_large(limit));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Drop for ReqwestBlockingTransport {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return; // dropped here, where blocking is allowed
        }
        // Inside a runtime: drop the client (which joins reqwest's helper thread) on a
        // thread of our own, so the executor thread never blocks on that join. The slot lets us recover the client if that thread cannot
        // be spawned, and then leak it rather than risk a panic in `drop`.
        let slot = Arc::new(Mutex::new(Some(client)));
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("gdata-auth-client-drop".into())
            .spawn(move || {
                let client = theirs.lock().ok().and_then(|mut c| c.take());
                drop(client);
            });
        if spawned.is_err() {
            if let Ok(mut guard) = slot.lock() {
                if let Some(client) = guard.take() {
                    core::mem::forget(client);
                }
            }
        }
    }
}
