//! A transport that records: [`Recorder::wrap`] puts a [`RecordingTransport`] around any
//! [`Transport`] (async) or [`BlockingTransport`], which sends each request on and keeps
//! the exchange in the [`exchange`](super::exchange) format, every secret replaced by a
//! reference as it is kept, so that no secret ever reaches a [`Recording`].
//!
//! # Which values are replaced
//!
//! * Every value registered with [`Recorder::secret`], under its name, in each spelling of
//!   [`Spelling`] (raw, percent-encoded once and twice, form-encoded): a PLAINTEXT
//!   signature, whose header value encodes the secrets twice, is caught too.
//! * Unless [`Recorder::detect_secrets`] turns it off, the secrets the module documentation
//!   of [`exchange`](super::exchange) lists, found where the protocols put them, before the
//!   exchange is kept: request form and query fields (`Passwd`, `logincaptcha`,
//!   `client_secret`, `code`, `code_verifier`, `refresh_token`, `device_code`,
//!   `access_token`, and `token` at an OAuth 2.0 revoke endpoint), credentials in an
//!   `Authorization` header (`AuthSub token=`, `GoogleLogin auth=`, `Bearer`), answer fields
//!   (`oauth_token_secret`, `Token`, `SID`, `LSID`, `Auth`, `access_token`,
//!   `refresh_token`, `id_token`, `device_code`) and the query of a `Location` redirect
//!   (`token`, `code`). Each is registered as `PREFIX.FIELD` (then `PREFIX.FIELD-2`… for
//!   other values), `PREFIX` being the recorder's.
//!
//! Longer values are replaced first, so a secret that contains another is replaced whole.
//! [`Recorder::secrets`] returns every value registered, for the separate secrets file.
//!
//! ```
//! use gdata_auth::conformance::exchange::{Protocol, Source, SourceKind};
//! use gdata_auth::conformance::recorder::Recorder;
//! use gdata_auth::transport::{BlockingTransport, HttpRequest, HttpResponse, TransportError};
//!
//! let server = |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
//!     Ok(HttpResponse::new(200, "SID=s1\nLSID=l1\nAuth=a1\n")
//!         .with_header("Content-Type", "text/plain"))
//! };
//! let recorder = Recorder::new("login");
//! recorder.secret("password", "hunter 2");
//! let http = recorder.wrap(server);
//! recorder.name_next("success");
//! let req = HttpRequest::post_form(
//!     "https://www.google.com/accounts/ClientLogin",
//!     &[("Email", "a@b.c"), ("Passwd", "hunter 2")],
//! );
//! let resp = http.send(req)?;
//! assert_eq!(resp.status, 200);
//!
//! let source = Source {
//!     kind: SourceKind::Emulator,
//!     description: "a closure".into(),
//!     repo: None, path: None, commit: None, sha256: None,
//! };
//! let json = recorder.recording("login", Protocol::ClientLogin, source).to_json();
//! assert!(json.contains("Passwd=${secret:password:pct}")); // "hunter%202" on the wire
//! assert!(json.contains("Auth=${secret:login.Auth}"));
//! assert!(!json.contains("hunter") && !json.contains("a1"));
//! assert_eq!(recorder.secrets().get("login.Auth"), Some("a1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, Mutex, PoisonError};

use super::exchange::{
    reference, Body, Credentials, Exchange, Protocol, RecordedRequest, RecordedResponse, Recording,
    Secrets, Source, Spelling,
};
use crate::clock::Clock;
use crate::encoding::{parse_form, query_part};
use crate::transport::{
    BlockingTransport, HttpRequest, HttpResponse, SendFuture, Transport, TransportError,
};

/// Request form or query fields whose values are secrets.
const REQUEST_FIELDS: [&str; 8] = [
    "Passwd",
    "logincaptcha",
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "device_code",
    "access_token",
];

/// Answer fields (form, `key=value` lines or JSON) whose values are secrets.
const RESPONSE_FIELDS: [&str; 9] = [
    "oauth_token_secret",
    "Token",
    "SID",
    "LSID",
    "Auth",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
];

/// Query fields of a `Location` redirect whose values are secrets.
const REDIRECT_FIELDS: [&str; 2] = ["token", "code"];

#[derive(Default)]
struct State {
    /// (name, value), in registration order.
    secrets: Vec<(String, String)>,
    exchanges: Vec<Exchange>,
    next_name: Option<String>,
    next_credentials: Credentials,
    next_notes: String,
    count: usize,
}

/// Collects recorded exchanges and the secrets to keep out of them; cheap to clone (the
/// clones share one state).
#[derive(Clone)]
pub struct Recorder {
    prefix: String,
    detect: bool,
    clock: Option<Arc<dyn Clock>>,
    state: Arc<Mutex<State>>,
}

impl core::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Recorder")
            .field("prefix", &self.prefix)
            .field("detect", &self.detect)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder whose detected secrets are named `PREFIX.FIELD`.
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            detect: true,
            clock: None,
            state: Arc::default(),
        }
    }

    /// Whether secrets are also found where the protocols put them (on by default).
    pub fn detect_secrets(mut self, on: bool) -> Self {
        self.detect = on;
        self
    }

    /// The clock whose time is kept as each exchange's `sent_at` (none by default).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers `value` as secret `name`: it is replaced by `${secret:NAME…}` wherever it
    /// appears. An empty value is ignored. A value already registered keeps its first name.
    pub fn secret(&self, name: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            return;
        }
        let mut state = self.lock();
        if state.secrets.iter().any(|(_, v)| *v == value) {
            return;
        }
        state.secrets.push((name.into(), value));
    }

    /// The name `value` is registered under (by the caller or detected), if any.
    pub fn secret_name(&self, value: &str) -> Option<String> {
        self.lock()
            .secrets
            .iter()
            .find(|(_, v)| v == value)
            .map(|(n, _)| n.clone())
    }

    /// Names the next exchange recorded (otherwise `exchange-N`).
    pub fn name_next(&self, name: impl Into<String>) {
        self.lock().next_name = Some(name.into());
    }

    /// Sets the credentials the next exchange's check needs.
    pub fn credentials_next(&self, credentials: Credentials) {
        self.lock().next_credentials = credentials;
    }

    /// Sets the notes of the next exchange.
    pub fn notes_next(&self, notes: impl Into<String>) {
        self.lock().next_notes = notes.into();
    }

    /// A transport that sends through `inner` and records here.
    pub fn wrap<T>(&self, inner: T) -> RecordingTransport<T> {
        RecordingTransport {
            inner,
            recorder: self.clone(),
        }
    }

    /// The secrets registered so far (by the caller and detected), for the secrets file.
    pub fn secrets(&self) -> Secrets {
        let mut out = Secrets::new();
        for (name, value) in &self.lock().secrets {
            out.insert(name.clone(), value.clone());
        }
        out
    }

    /// The exchanges recorded so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().exchanges.clone()
    }

    /// Forgets the exchanges recorded so far (the secrets stay registered).
    pub fn clear(&self) {
        self.lock().exchanges.clear();
    }

    /// The exchanges recorded so far as a [`Recording`]; they are redacted again with every
    /// secret known now, so a value registered after an exchange was kept is replaced too.
    pub fn recording(&self, name: &str, protocol: Protocol, source: Source) -> Recording {
        let state = self.lock();
        let mut rec = Recording::new(name, protocol, source);
        rec.exchanges = state
            .exchanges
            .iter()
            .map(|e| redact_exchange(e, &state.secrets))
            .collect();
        rec
    }

    fn record(&self, req: &HttpRequest, resp: &HttpResponse, sent_at: Option<u64>) {
        let mut state = self.lock();
        if self.detect {
            for (field, value) in detect(req, resp) {
                register_detected(&mut state.secrets, &self.prefix, &field, value);
            }
        }
        state.count += 1;
        let name = state
            .next_name
            .take()
            .unwrap_or_else(|| format!("exchange-{}", state.count));
        let exchange = Exchange {
            name,
            sent_at,
            request: RecordedRequest {
                method: req.method.clone(),
                url: req.url.clone(),
                headers: req.headers.clone(),
                body: Body::from_bytes(&req.body),
            },
            response: RecordedResponse {
                status: resp.status,
                headers: resp.headers.clone(),
                body: Body::from_bytes(&resp.body),
            },
            credentials: core::mem::take(&mut state.next_credentials),
            notes: core::mem::take(&mut state.next_notes),
        };
        let redacted = redact_exchange(&exchange, &state.secrets);
        state.exchanges.push(redacted);
    }
}

/// Registers a detected value under `PREFIX.FIELD` (or the first free `-N` suffix).
fn register_detected(
    secrets: &mut Vec<(String, String)>,
    prefix: &str,
    field: &str,
    value: String,
) {
    if value.is_empty() || secrets.iter().any(|(_, v)| *v == value) {
        return;
    }
    let base = format!("{prefix}.{field}");
    let mut name = base.clone();
    let mut n = 1;
    while secrets.iter().any(|(k, _)| *k == name) {
        n += 1;
        name = format!("{base}-{n}");
    }
    secrets.push((name, value));
}

/// The secrets found where the protocols put them, as (field, value).
fn detect(req: &HttpRequest, resp: &HttpResponse) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut fields = |pairs: &[(String, String)], names: &[&str]| {
        for (n, v) in pairs {
            if names.contains(&n.as_str()) {
                out.push((n.clone(), v.clone()));
            }
        }
    };
    let is_revoke = req
        .url
        .split('?')
        .next()
        .is_some_and(|p| p.ends_with("/revoke"));
    let mut request_fields: Vec<&str> = REQUEST_FIELDS.to_vec();
    if is_revoke {
        request_fields.push("token");
    }
    if let Ok(q) = parse_form(query_part(&req.url)) {
        fields(&q, &request_fields);
    }
    if let Ok(body) = core::str::from_utf8(&req.body) {
        if let Ok(form) = parse_form(body) {
            fields(&form, &request_fields);
        }
    }
    if let Ok(body) = core::str::from_utf8(&resp.body) {
        // A form answer is one line; `key=value` line answers are read below.
        if !body.trim().contains('\n') {
            if let Ok(form) = parse_form(body.trim()) {
                fields(&form, &RESPONSE_FIELDS);
            }
        }
        let lines: Vec<(String, String)> = body
            .lines()
            .filter_map(|l| l.trim_end_matches('\r').split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        fields(&lines, &RESPONSE_FIELDS);
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(body) {
            let pairs: Vec<(String, String)> = map
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect();
            fields(&pairs, &RESPONSE_FIELDS);
        }
    }
    if let Some(location) = resp.header("Location") {
        if let Ok(q) = parse_form(query_part(location)) {
            fields(&q, &REDIRECT_FIELDS);
        }
    }
    let mut auth = Vec::new();
    if let Some(value) = req.header_value("Authorization") {
        if let Some(token) = authorization_credential(value) {
            auth.push(("authorization".to_owned(), token));
        }
    }
    out.extend(auth);
    out
}

/// The credential an `Authorization` value carries in the clear: an AuthSub token, a
/// ClientLogin `auth`, a bearer token.
fn authorization_credential(value: &str) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("Bearer") {
        return Some(rest.trim().to_owned());
    }
    let key = if scheme.eq_ignore_ascii_case("AuthSub") {
        "token="
    } else if scheme.eq_ignore_ascii_case("GoogleLogin") {
        "auth="
    } else {
        return None;
    };
    let lower = rest.to_ascii_lowercase();
    let at = lower.find(key)? + key.len();
    let tail = rest.get(at..)?;
    let value = if let Some(quoted) = tail.strip_prefix('"') {
        quoted.split('"').next()?
    } else {
        tail.split([' ', ',']).next()?
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// `exchange` with every secret's every spelling replaced by its reference.
fn redact_exchange(exchange: &Exchange, secrets: &[(String, String)]) -> Exchange {
    // Longest spelled value first, so a secret containing another is replaced whole.
    let mut table: Vec<(String, String)> = Vec::new();
    for (name, value) in secrets {
        for (spelling, _) in Spelling::ALL {
            let spelled = spelling.apply(value);
            if !table.iter().any(|(s, _)| *s == spelled) {
                table.push((spelled, reference(name, spelling)));
            }
        }
    }
    table.sort_by_key(|(spelled, _)| core::cmp::Reverse(spelled.len()));
    let text = |s: &str| redact_text(s, &table);
    let headers = |hs: &[(String, String)]| -> Vec<(String, String)> {
        hs.iter().map(|(n, v)| (n.clone(), text(v))).collect()
    };
    let body = |b: &Body| -> Body {
        match b.to_bytes() {
            Ok(bytes) => Body::from_bytes(&redact_bytes(&bytes, &table)),
            Err(_) => b.clone(),
        }
    };
    Exchange {
        name: exchange.name.clone(),
        sent_at: exchange.sent_at,
        request: RecordedRequest {
            method: exchange.request.method.clone(),
            url: text(&exchange.request.url),
            headers: headers(&exchange.request.headers),
            body: body(&exchange.request.body),
        },
        response: RecordedResponse {
            status: exchange.response.status,
            headers: headers(&exchange.response.headers),
            body: body(&exchange.response.body),
        },
        credentials: exchange.credentials.clone(),
        notes: exchange.notes.clone(),
    }
}

fn redact_text(s: &str, table: &[(String, String)]) -> String {
    let bytes = redact_bytes(s.as_bytes(), table);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Replaces, left to right, the longest secret spelling found at each position.
fn redact_bytes(input: &[u8], table: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    'outer: while let Some((&first, tail)) = rest.split_first() {
        for (spelled, refer) in table {
            let s = spelled.as_bytes();
            if let Some(after) = rest.strip_prefix(s).filter(|_| !s.is_empty()) {
                out.extend_from_slice(refer.as_bytes());
                rest = after;
                continue 'outer;
            }
        }
        out.push(first);
        rest = tail;
    }
    out
}

/// A transport that sends through `T` and records each exchange in its [`Recorder`].
///
/// It is a [`Transport`] when `T` is one and a [`BlockingTransport`] when `T` is one. A
/// request that fails to send is not recorded.
pub struct RecordingTransport<T> {
    inner: T,
    recorder: Recorder,
}

impl<T> core::fmt::Debug for RecordingTransport<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordingTransport")
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}

impl<T> RecordingTransport<T> {
    /// The recorder.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: Transport> Transport for RecordingTransport<T> {
    fn send<'a>(&'a self, req: HttpRequest) -> SendFuture<'a> {
        Box::pin(async move {
            let sent_at = self.recorder.clock.as_ref().map(|c| c.now_unix());
            let kept = req.clone();
            let resp = self.inner.send(req).await?;
            self.recorder.record(&kept, &resp, sent_at);
            Ok(resp)
        })
    }
}

impl<T: BlockingTransport> BlockingTransport for RecordingTransport<T> {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let sent_at = self.recorder.clock.as_ref().map(|c| c.now_unix());
        let kept = req.clone();
        let resp = self.inner.send(req)?;
        self.recorder.record(&kept, &resp, sent_at);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_credentials_are_found() {
        assert_eq!(
            authorization_credential("AuthSub token=\"abc\" data=\"x\"").as_deref(),
            Some("abc")
        );
        assert_eq!(
            authorization_credential("AuthSub token=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            authorization_credential("GoogleLogin auth=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(
            authorization_credential("Bearer ya29.t").as_deref(),
            Some("ya29.t")
        );
        assert_eq!(authorization_credential("OAuth oauth_token=\"1\""), None);
    }

    #[test]
    fn the_longest_spelling_wins() {
        let secrets = vec![
            ("short".to_owned(), "ab".to_owned()),
            ("long".to_owned(), "ab cd".to_owned()),
        ];
        let e = Exchange {
            name: "x".into(),
            sent_at: None,
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://h/?a=ab+cd&b=ab".into(),
                headers: vec![],
                body: Body::default(),
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![],
                body: Body::from_bytes(b"ab cd"),
            },
            credentials: Credentials::default(),
            notes: String::new(),
        };
        let r = redact_exchange(&e, &secrets);
        assert_eq!(
            r.request.url,
            "http://h/?a=${secret:long:form}&b=${secret:short}"
        );
        assert_eq!(r.response.body.text(), Some("${secret:long}"));
    }
}
