//! ClientLogin's wire format (PROTOCOLS.md §1.2, §1.4): the `text/plain` `Key=Value` lines
//! of a success, [`LoginError`] for every refused login (HTTP 403, or 503 when the state
//! store could not be written, `Error=CODE` on the
//! **first** line, where Google's Python client looks for it, then `Url=`, `Info=`,
//! `CaptchaToken=`, `CaptchaUrl=` as they apply), and [`FeedError`], a feed's plain-text
//! 401 for a token it does not take (§1.3).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::emulator::http::{noted, ReadError, WireError};

use super::state::{Challenge, Issued, Malformed, Refused, TokenRefused, UNAVAILABLE_RETRY_AFTER};

/// A plain-text answer, never cached: `Content-Type: text/plain` and the headers
/// www.google.com sent with every ClientLogin answer in GNOME libgdata's July 2013 traces
/// (converted to `fixtures/exchanges/google/`): `Cache-control: no-cache, no-store`,
/// `Pragma: no-cache` and an `Expires` in the past (so an HTTP/1.0 cache in between keeps
/// no token either), and `X-Content-Type-Options: nosniff`.
fn plain(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        header::EXPIRES,
        HeaderValue::from_static("Mon, 01-Jan-1990 00:00:00 GMT"),
    );
    // `X-Content-Type-Options: nosniff`, which Google also sent, is added to every answer
    // by the shared request middleware (`http::log_requests`).
    resp
}

/// The 200 answer of a login: `SID=`, `LSID=`, `Auth=` lines (§1.2).
pub fn success(issued: &Issued, note: String) -> Response {
    let body = format!(
        "SID={}\nLSID={}\nAuth={}\n",
        issued.sid, issued.lsid, issued.auth
    );
    noted(plain(StatusCode::OK, body), note)
}

/// A refused login, as Google worded it: HTTP 403 and `Error=` first.
#[derive(Debug, Clone)]
pub struct LoginError {
    code: &'static str,
    info: Option<&'static str>,
    /// Whether a `Url=` help line goes with it (the emulator's index page).
    help: bool,
    /// `CaptchaToken` and the `ctoken` of `CaptchaUrl` (its `Debug` hides both).
    captcha: Option<Challenge>,
    retry_after: Option<u64>,
    /// 503 instead of 403: the emulator itself, not the account, is unavailable.
    unavailable: bool,
    close: bool,
    /// For the log; never a secret.
    reason: &'static str,
}

impl LoginError {
    fn new(code: &'static str, reason: &'static str) -> Self {
        Self {
            code,
            info: None,
            help: false,
            captcha: None,
            retry_after: None,
            unavailable: false,
            close: false,
            reason,
        }
    }

    fn help(mut self) -> Self {
        self.help = true;
        self
    }
}

impl From<Refused> for LoginError {
    fn from(r: Refused) -> Self {
        let new = Self::new;
        match r {
            Refused::BadAuthentication => new("BadAuthentication", "wrong email or password"),
            Refused::InvalidSecondFactor => {
                let mut e = new("BadAuthentication", "two-step verification account");
                e.info = Some("InvalidSecondFactor");
                e
            }
            Refused::NotVerified => new("NotVerified", "unverified- account").help(),
            Refused::TermsNotAgreed => new("TermsNotAgreed", "tos- account").help(),
            Refused::AccountDeleted => new("AccountDeleted", "deleted- account").help(),
            Refused::AccountDisabled => new("AccountDisabled", "disabled- account").help(),
            Refused::AccountMigrated => new("AccountMigrated", "migrated- account").help(),
            Refused::ServiceDisabled => new("ServiceDisabled", "noservice- account").help(),
            Refused::ServiceUnavailable => {
                let mut e = new("ServiceUnavailable", "unavailable- account");
                e.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
                e
            }
            // A state store that failed is, to the client, the service being unavailable:
            // the `unavailable-` account's answer, but 503 (the server is at fault, and a
            // client that looks only at the status retries too), with its reason in the log.
            Refused::StoreUnavailable => {
                let mut e = new("ServiceUnavailable", "state store unavailable");
                e.retry_after = Some(UNAVAILABLE_RETRY_AFTER);
                e.unavailable = true;
                e
            }
            Refused::Unknown(m) => new("Unknown", m.reason()),
            Refused::CaptchaRequired(c) => {
                let mut e = new("CaptchaRequired", "CAPTCHA required");
                e.captcha = Some(c);
                e
            }
        }
    }
}

/// An unreadable request is not understood: `Error=Unknown`, the connection closed when
/// its body was not read to the end.
impl From<ReadError> for LoginError {
    fn from(e: ReadError) -> Self {
        let mut out = Self::from(Refused::Unknown(Malformed::Unreadable));
        out.close = e.closes_connection();
        out
    }
}

impl WireError for LoginError {
    fn into_response_with_realm(self, realm: &str) -> Response {
        let mut body = format!("Error={}\n", self.code);
        if self.help {
            body.push_str(&format!("Url={realm}/\n"));
        }
        if let Some(info) = self.info {
            body.push_str(&format!("Info={info}\n"));
        }
        if let Some(Challenge { token, ctoken }) = &self.captcha {
            body.push_str(&format!(
                "CaptchaToken={token}\nCaptchaUrl=Captcha?ctoken={ctoken}\n"
            ));
        }
        let status = match self.unavailable {
            true => StatusCode::SERVICE_UNAVAILABLE,
            false => StatusCode::FORBIDDEN,
        };
        let mut resp = plain(status, body);
        let h = resp.headers_mut();
        if let Some(after) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(after));
        }
        if self.close {
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        noted(
            resp,
            format!("refused: Error={} ({})", self.code, self.reason),
        )
    }
}

/// A feed's refusal of a `GoogleLogin` credential: 401, plain text as Google answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedError {
    /// `Token invalid`: unknown, evicted or unreadable.
    Invalid,
    /// `Token expired`.
    Expired,
    /// The token's service does not cover the feed.
    WrongScope,
}

impl From<TokenRefused> for FeedError {
    fn from(r: TokenRefused) -> Self {
        match r {
            TokenRefused::Unknown => Self::Invalid,
            TokenRefused::Expired => Self::Expired,
        }
    }
}

impl FeedError {
    /// The 401 with a `WWW-Authenticate: GoogleLogin realm="…/accounts/ClientLogin"` challenge.
    pub fn into_response_with_realm(self, realm: &str) -> Response {
        let text = match self {
            Self::Invalid => "Token invalid",
            Self::Expired => "Token expired",
            Self::WrongScope => "Token invalid - the token's service does not cover this feed",
        };
        let mut resp = plain(StatusCode::UNAUTHORIZED, format!("{text}\n"));
        let realm: String = realm
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "GoogleLogin realm=\"{realm}/accounts/ClientLogin\""
        )) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        noted(resp, format!("refused: ClientLogin {text}"))
    }
}
