//! OAuth 1.0's wire format for refusals: [`Problem`], an answer in the OAuth Problem
//! Reporting style (`oauth_problem=…&oauth_problem_advice=…`) with the HTTP status RFC 5849
//! §3.2 gives it, and the mappings to it from the domain outcomes: an unreadable request
//! ([`ReadError`]), a failed verification ([`VerifyError`]) and a refusal of the token store
//! ([`Refused`]).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::encoding::form_encode;
use crate::oauth1::verifier::{received_base_string, ReceivedRequest, VerifyError};

use crate::emulator::http::{challenge, noted, Incoming, ReadError, WireError};

use super::state::{Refused, TokenKind};

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

    /// Adds a Problem Reporting parameter.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// Adds a response header.
    fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The problem for a failed verification. `now` and `window` fill in
    /// `oauth_acceptable_timestamps`; `incoming` gives the base string for a bad signature.
    pub fn from_verify(e: &VerifyError, now: u64, window: u64, incoming: &Incoming) -> Self {
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let p = Self::new(status, e.oauth_problem(), e.to_string());
        match e {
            VerifyError::TimestampOutOfWindow { .. } | VerifyError::BadTimestamp => {
                let lo = now.saturating_sub(window);
                let hi = now.saturating_add(window);
                p.with("oauth_acceptable_timestamps", format!("{lo}-{hi}"))
            }
            VerifyError::UnsupportedVersion => p.with("oauth_acceptable_versions", "1.0-1.0"),
            VerifyError::MissingParam(name) => p.with("oauth_parameters_absent", *name),
            VerifyError::DuplicateProtocolParam(name) => {
                p.with("oauth_parameters_rejected", name.clone())
            }
            // Google answered a bad signature with the base string it computed
            // (`signature_invalid` / `base_string:…`), the one clue a developer needs. It
            // holds no secret: the signature and the keys are not part of it.
            VerifyError::BadSignature => match diagnostic_base_string(incoming) {
                Some(bs) => p.with("oauth_signature_base_string", bs),
                None => p,
            },
            VerifyError::ReplayStoreFull | VerifyError::ReplayStoreUnavailable(_) => {
                p.with_header(header::RETRY_AFTER, "5")
            }
            _ => p,
        }
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
            challenge(h, "OAuth", realm);
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        noted(resp, note)
    }
}

impl WireError for Problem {
    fn into_response_with_realm(self, realm: &str) -> Response {
        Problem::into_response_with_realm(self, realm)
    }
}

/// An unreadable request: `parameter_rejected` with the reader's status, naming the refused
/// part where there is one; the connection closes when the body was not read to its end.
impl From<ReadError> for Problem {
    fn from(e: ReadError) -> Self {
        let mut p = Self::new(e.status(), "parameter_rejected", e.to_string());
        if let Some(part) = e.part() {
            p = p.with("oauth_parameters_rejected", part);
        }
        if e.closes_connection() {
            p = p.with_header(header::CONNECTION, "close");
        }
        p
    }
}

/// The token store's refusals, worded as Google's Problem Reporting answers (PROTOCOLS.md
/// §9): 401 for a token that is unknown, foreign, used, expired, denied or revoked; 400 for
/// a verifier that is absent or wrong; 503 with `Retry-After` when the store is full.
impl From<Refused> for Problem {
    fn from(r: Refused) -> Self {
        let unauthorized = Self::unauthorized;
        let rejected = Self::token_rejected;
        match r {
            Refused::Unknown(TokenKind::Request) => rejected("unknown request token"),
            Refused::Unknown(TokenKind::Access) => rejected("unknown access token"),
            Refused::WrongConsumer(TokenKind::Request) => {
                rejected("request token was issued to another consumer")
            }
            Refused::WrongConsumer(TokenKind::Access) => {
                rejected("access token was issued to another consumer")
            }
            Refused::ExchangeOfAccessToken => rejected("an access token cannot be exchanged again"),
            Refused::RevocationOfRequestToken => {
                rejected("a request token cannot be revoked; only access tokens can")
            }
            Refused::AccessWithRequestToken => rejected(
                "a request token cannot access data; exchange it for an access token first",
            ),
            Refused::AlreadyAuthorized => {
                unauthorized("token_used", "request token was already authorized")
            }
            Refused::Used => unauthorized(
                "token_used",
                "request token was already exchanged (single use)",
            ),
            Refused::Denied => unauthorized("permission_denied", "the user denied access"),
            Refused::AlreadyDenied => unauthorized(
                "permission_denied",
                "the user already denied this request token",
            ),
            Refused::Expired => {
                unauthorized("token_expired", "request token is older than one hour")
            }
            Refused::NotYetAuthorized => unauthorized(
                "permission_unknown",
                "the user has not authorized this request token yet",
            ),
            Refused::MissingVerifier => Self::absent("oauth_verifier"),
            // Google answered a wrong verifier with 400 ("The token is invalid.", libgdata's
            // recording of 2013-07-29), not 401.
            Refused::WrongVerifier => {
                Self::rejected("oauth_verifier", "does not match this request token")
            }
            Refused::Revoked => unauthorized("token_revoked", "access token was revoked"),
            Refused::AlreadyRevoked => {
                unauthorized("token_revoked", "access token was already revoked")
            }
            Refused::Busy => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "too many outstanding request tokens; retry later",
            )
            .with_header(header::RETRY_AFTER, "5"),
            Refused::ConsumerBusy => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "this consumer holds 1000 request tokens not yet approved, denied or expired \
                 (they live one hour); retry later",
            )
            .with_header(header::RETRY_AFTER, "60"),
            Refused::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the state store could not be written; nothing changed; retry later",
            )
            .with_header(header::RETRY_AFTER, "5"),
        }
    }
}

/// The verifier's view of a request.
pub fn received(incoming: &Incoming) -> ReceivedRequest<'_> {
    ReceivedRequest {
        method: incoming.method.as_str(),
        url: &incoming.url,
        authorization: incoming.authorization.as_deref(),
        form_body: incoming.form_body.as_deref(),
        body: incoming.body.as_deref(),
    }
}

/// The base string the provider computes for this request, for the `signature_invalid`
/// answer: the verifier's own ([`received_base_string`]); `None` if it does not parse.
fn diagnostic_base_string(incoming: &Incoming) -> Option<String> {
    received_base_string(&received(incoming))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn store_refusals_keep_their_status_problem_and_advice() {
        use Refused::*;
        let rows: [(Refused, u16, &str, &str); 17] = [
            (
                Unknown(TokenKind::Request),
                401,
                "token_rejected",
                "unknown request token",
            ),
            (
                Unknown(TokenKind::Access),
                401,
                "token_rejected",
                "unknown access token",
            ),
            (
                WrongConsumer(TokenKind::Request),
                401,
                "token_rejected",
                "request token was issued to another consumer",
            ),
            (
                WrongConsumer(TokenKind::Access),
                401,
                "token_rejected",
                "access token was issued to another consumer",
            ),
            (
                ExchangeOfAccessToken,
                401,
                "token_rejected",
                "an access token cannot be exchanged again",
            ),
            (
                RevocationOfRequestToken,
                401,
                "token_rejected",
                "a request token cannot be revoked; only access tokens can",
            ),
            (
                AccessWithRequestToken,
                401,
                "token_rejected",
                "a request token cannot access data; exchange it for an access token first",
            ),
            (
                AlreadyAuthorized,
                401,
                "token_used",
                "request token was already authorized",
            ),
            (
                Used,
                401,
                "token_used",
                "request token was already exchanged (single use)",
            ),
            (Denied, 401, "permission_denied", "the user denied access"),
            (
                AlreadyDenied,
                401,
                "permission_denied",
                "the user already denied this request token",
            ),
            (
                Expired,
                401,
                "token_expired",
                "request token is older than one hour",
            ),
            (
                NotYetAuthorized,
                401,
                "permission_unknown",
                "the user has not authorized this request token yet",
            ),
            (
                MissingVerifier,
                400,
                "parameter_absent",
                "missing required parameter oauth_verifier",
            ),
            (
                WrongVerifier,
                400,
                "parameter_rejected",
                "oauth_verifier: does not match this request token",
            ),
            (Revoked, 401, "token_revoked", "access token was revoked"),
            (
                AlreadyRevoked,
                401,
                "token_revoked",
                "access token was already revoked",
            ),
        ];
        for (refused, status, problem, advice) in rows {
            let p = Problem::from(refused);
            assert_eq!(
                (p.status.as_u16(), p.problem, p.advice.as_str()),
                (status, problem, advice),
                "{refused:?}"
            );
        }
        let busy = Problem::from(Busy);
        assert_eq!(
            (busy.status.as_u16(), busy.problem),
            (503, "temporarily_unavailable")
        );
        assert_eq!(busy.headers, [(header::RETRY_AFTER, "5".to_owned())]);
    }

    #[test]
    fn unreadable_requests_are_parameter_rejected() {
        let p = Problem::from(ReadError::BadHost);
        assert_eq!(
            (p.status.as_u16(), p.advice.as_str()),
            (400, "Host: not a host[:port]")
        );
        assert_eq!(p.extra, [("oauth_parameters_rejected", "Host".to_owned())]);
        let p = Problem::from(ReadError::BodyTooLarge);
        assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(p.advice, "request body larger than 65536 bytes");
        assert!(p.extra.is_empty());
        assert_eq!(p.headers, [(header::CONNECTION, "close".to_owned())]);
        let p = Problem::from(ReadError::BodyTimeout);
        assert_eq!(p.status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(p.headers, [(header::CONNECTION, "close".to_owned())]);
        let source = crate::encoding::parse_form("a=%zz").unwrap_err();
        let p = Problem::from(ReadError::BadEncoding {
            part: "query",
            source,
        });
        assert_eq!(p.advice, "query: malformed percent-encoding at byte 0");
        assert_eq!(p.extra, [("oauth_parameters_rejected", "query".to_owned())]);
    }
}
