//! AuthSub's wire format: answers are `text/plain` `key=value` lines, one per line
//! (PROTOCOLS.md §2.3), successes ([`lines`]) and refusals ([`Answer`]) alike. A refused
//! credential is always 401 with `Error=<code>` and `Info=<reason>` lines and a
//! `WWW-Authenticate: AuthSub realm="…"` challenge, never 400 and never a redirect; an
//! unreadable request keeps the reader's status, a full table (or a state store that could
//! not be written) is 503 with `Retry-After`.
//! This module maps the domain outcomes ([`Denied`], [`Refused`], [`ReadError`]) to it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::emulator::http::{challenge, noted, ReadError, WireError};

use super::state::Refused;
use super::Denied;

/// `key=value` lines, `text/plain`, never cached.
pub fn lines(pairs: &[(&str, &str)], note: String) -> Response {
    let body: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    plain(StatusCode::OK, body, note)
}

fn plain(status: StatusCode, body: String, note: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    noted(resp, note)
}

/// A refusal: the status, a short code and the reason (never a token).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Error=` code.
    pub code: &'static str,
    /// The `Info=` reason.
    pub reason: String,
    /// Extra headers (`Retry-After`, `Connection`).
    headers: Vec<(header::HeaderName, &'static str)>,
}

impl Answer {
    /// 401 with `code` and `reason`.
    pub fn unauthorized(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code,
            reason: reason.into(),
            headers: Vec::new(),
        }
    }

    /// Google's own words for a token whose scopes do not cover the feed.
    pub fn wrong_scope() -> Self {
        Self::unauthorized(
            "wrong_scope",
            "Token invalid - AuthSub token has wrong scope",
        )
    }
}

impl WireError for Answer {
    fn into_response_with_realm(self, realm: &str) -> Response {
        let note = format!("refused: AuthSub {} ({})", self.code, self.reason);
        let body = format!("Error={}\nInfo={}\n", self.code, self.reason);
        let mut resp = plain(self.status, body, note);
        let h = resp.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            challenge(h, "AuthSub", realm);
        }
        for (name, value) in self.headers {
            h.insert(name, HeaderValue::from_static(value));
        }
        resp
    }
}

/// An unreadable request: the reader's status (400, 413, 408), closing the connection when
/// the body was not read to its end.
impl From<ReadError> for Answer {
    fn from(e: ReadError) -> Self {
        let mut headers = Vec::new();
        if e.closes_connection() {
            headers.push((header::CONNECTION, "close"));
        }
        Self {
            status: e.status(),
            code: "bad_request",
            reason: e.to_string(),
            headers,
        }
    }
}

/// The token store's refusals: 401, except a full table or a state store that could not be
/// written (503, `Retry-After`).
impl From<Refused> for Answer {
    fn from(r: Refused) -> Self {
        let (code, reason) = match r {
            Refused::Unknown => ("token_unknown", "Token invalid - no such AuthSub token"),
            Refused::Revoked => ("token_revoked", "Token invalid - the token was revoked"),
            Refused::Spent => (
                "token_used",
                "Token invalid - the single-use token was already upgraded",
            ),
            Refused::Expired => ("token_expired", "Token invalid - the token has expired"),
            Refused::NotSingleUse => (
                "not_single_use",
                "only a single-use token can be upgraded to a session token",
            ),
            Refused::NotUpgradable => (
                "not_upgradable",
                "the token was asked for with session=0 and cannot be upgraded",
            ),
            Refused::Replayed => (
                "nonce_used",
                "this (timestamp, nonce) was already used with this token (a replay)",
            ),
            Refused::Busy => {
                return Self {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: "busy",
                    reason: "too many AuthSub tokens or nonces outstanding; retry later".to_owned(),
                    headers: vec![(header::RETRY_AFTER, "5")],
                }
            }
            Refused::Unavailable => {
                return Self {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: "unavailable",
                    reason: "the token store could not be written; nothing changed, retry later"
                        .to_owned(),
                    headers: vec![(header::RETRY_AFTER, "5")],
                }
            }
        };
        Self::unauthorized(code, reason)
    }
}

/// A refused credential: always 401 (a full table aside).
impl From<Denied> for Answer {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NoHeader => Self::unauthorized(
                "token_absent",
                "this call needs an Authorization: AuthSub token=\"…\" header",
            ),
            Denied::Header(e) => Self::unauthorized(
                "bad_header",
                format!("malformed AuthSub Authorization header: {e}"),
            ),
            Denied::Token(r) => r.into(),
            #[cfg(feature = "rsa")]
            Denied::Signature(e) => {
                use crate::authsub::VerifyError;
                let code = match e {
                    VerifyError::NotSecure => "signature_absent",
                    VerifyError::TimestampOutOfWindow { .. } => "timestamp_refused",
                    VerifyError::MethodMismatch | VerifyError::UrlMismatch => "data_mismatch",
                    _ => "signature_invalid",
                };
                let reason = match e {
                    VerifyError::NotSecure => {
                        "a secure token needs a signed request (data, sig, sigalg)".to_owned()
                    }
                    e => e.to_string(),
                };
                Self::unauthorized(code, reason)
            }
            Denied::NoKey => Self::unauthorized(
                "signature_unverifiable",
                "no RSA certificate is registered for the token's web application",
            ),
            Denied::SingleUseForData => Self::unauthorized(
                "single_use",
                "a single-use token is good only for AuthSubSessionToken; upgrade it first",
            ),
        }
    }
}
