//! The ClientLogin errors: one [`ClientLoginError`] for everything this module does. Each
//! `Error=` code of PROTOCOLS.md §1.4 is its own variant carrying what Google said beside it
//! ([`ErrorDetails`]); unreadable answers are [`ProtocolError`]s, refused inputs
//! [`InputError`]s, and a token a feed refused is [`ClientLoginError::TokenRejected`].
//! No variant carries a password, a token or a response body.

use std::time::Duration;

use thiserror::Error;

use super::captcha::CaptchaChallenge;
use crate::retry::Retryable;
use crate::transport::TransportError;

/// The largest answer read (SECURITY.md §5.1 row 28): a real one is a few hundred bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Anything ClientLogin code here can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ClientLoginError {
    /// `Error=BadAuthentication`: the user name or password is wrong, or (with
    /// `Info=InvalidSecondFactor`) the account uses two-step verification and needs an
    /// application-specific password. Final.
    #[error("{}", bad_authentication(.0))]
    BadAuthentication(ErrorDetails),
    /// `Error=NotVerified`: the account's e-mail address has not been verified.
    #[error("the account's e-mail address has not been verified (Error=NotVerified)")]
    NotVerified(ErrorDetails),
    /// `Error=TermsNotAgreed`: the user has not agreed to the terms of service.
    #[error("the user has not agreed to the terms of service (Error=TermsNotAgreed)")]
    TermsNotAgreed(ErrorDetails),
    /// `Error=CaptchaRequired`: show the challenge's image and log in once more with the
    /// answer ([`super::flow::login_with_captcha`]). Never retried automatically.
    #[error(
        "Google asks for a CAPTCHA: show its image and log in again with the answer \
         (Error=CaptchaRequired)"
    )]
    CaptchaRequired(CaptchaChallenge),
    /// `Error=Unknown`: unknown or unspecified; often a wrong service name.
    #[error("the login failed for an unspecified reason; check the service name (Error=Unknown)")]
    Unknown(ErrorDetails),
    /// `Error=AccountDeleted`.
    #[error("the account has been deleted (Error=AccountDeleted)")]
    AccountDeleted(ErrorDetails),
    /// `Error=AccountDisabled`.
    #[error("the account has been disabled (Error=AccountDisabled)")]
    AccountDisabled(ErrorDetails),
    /// `Error=AccountMigrated`: in GNOME libgdata's table beside the codes of PROTOCOLS.md
    /// §1.4 (SECURITY.md §3).
    #[error("the account has been migrated (Error=AccountMigrated)")]
    AccountMigrated(ErrorDetails),
    /// `Error=ServiceDisabled`: the user's access to this service has been disabled.
    #[error("the user's access to the service has been disabled (Error=ServiceDisabled)")]
    ServiceDisabled(ErrorDetails),
    /// `Error=ServiceUnavailable`: try again later, with backoff. Retryable.
    #[error(
        "the service is not available; try again later{} (Error=ServiceUnavailable)",
        retry_hint(*.retry_after)
    )]
    ServiceUnavailable {
        /// `Url=` and `Info=`.
        details: ErrorDetails,
        /// The answer's `Retry-After`, when it had one.
        retry_after: Option<Duration>,
    },
    /// An HTTP status without a ClientLogin error body (a 5xx, a proxy's page, a 302 from
    /// a wrong URL). Retryable when 5xx or 429.
    #[error("the server answered HTTP {status} without a ClientLogin error{}", retry_hint(*.retry_after))]
    Http {
        /// The HTTP status.
        status: u16,
        /// The answer's `Retry-After`, when it had one.
        retry_after: Option<Duration>,
    },
    /// The answer is not a ClientLogin answer: empty, oversize, not `Key=Value` lines, no
    /// `Auth` in a 200, an unknown `Error=` code, a bad CAPTCHA URL.
    #[error("malformed ClientLogin answer: {0}")]
    Protocol(ProtocolError),
    /// A feed refused the `Auth` token (HTTP 401): log in again.
    #[error("the service refused the ClientLogin token ({0}); log in again")]
    TokenRejected(TokenRejection),
    /// An input was refused before anything was sent.
    #[error("invalid ClientLogin input: {0}")]
    InvalidInput(InputError),
    /// Sending the request or reading its answer failed. Retryable when the connection
    /// failed or timed out.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

fn bad_authentication(details: &ErrorDetails) -> &'static str {
    if details.needs_application_password() {
        "the account uses two-step verification: log in with an application-specific password \
         (Error=BadAuthentication, Info=InvalidSecondFactor)"
    } else if details.needs_web_login() {
        "Google wants this account to sign in on the web first, at the page in Url= \
         (Error=BadAuthentication, Info=WebLoginRequired)"
    } else {
        "wrong user name or password (Error=BadAuthentication)"
    }
}

fn retry_hint(after: Option<Duration>) -> String {
    after
        .map(|d| format!(" (Retry-After: {} s)", d.as_secs()))
        .unwrap_or_default()
}

impl ClientLoginError {
    /// Whether the same login may succeed later (SECURITY.md §3, §5.5):
    /// `ServiceUnavailable`, a 5xx or 429 status, or a connection that failed or timed
    /// out. Authentication errors and CAPTCHAs are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::ServiceUnavailable { .. } => true,
            Self::Http { status, .. } => (500..600).contains(status) || *status == 429,
            Self::Transport(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The `Retry-After` the server sent with a retryable answer.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::ServiceUnavailable { retry_after, .. } | Self::Http { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// The `Url=` and `Info=` of an `Error=` answer (not of a CAPTCHA: see its challenge).
    pub fn details(&self) -> Option<&ErrorDetails> {
        match self {
            Self::BadAuthentication(d)
            | Self::NotVerified(d)
            | Self::TermsNotAgreed(d)
            | Self::Unknown(d)
            | Self::AccountDeleted(d)
            | Self::AccountDisabled(d)
            | Self::AccountMigrated(d)
            | Self::ServiceDisabled(d)
            | Self::ServiceUnavailable { details: d, .. } => Some(d),
            _ => None,
        }
    }
}

impl Retryable for ClientLoginError {
    fn is_retryable(&self) -> bool {
        ClientLoginError::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        ClientLoginError::retry_after(self)
    }
}

/// What an `Error=` answer said beside its code: `Url=` (a help page) and `Info=` (a
/// detail such as `InvalidSecondFactor`), each when present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    url: Option<String>,
    info: Option<String>,
}

impl ErrorDetails {
    /// No `Url=`, no `Info=`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `Url=`.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets `Info=`.
    pub fn with_info(mut self, info: impl Into<String>) -> Self {
        self.info = Some(info.into());
        self
    }

    /// `Url=`.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// `Info=`.
    pub fn info(&self) -> Option<&str> {
        self.info.as_deref()
    }

    /// `Info=InvalidSecondFactor`: two-step verification is on, so the login needs an
    /// application-specific password (PROTOCOLS.md §1.4, rietveld's upload.py).
    pub fn needs_application_password(&self) -> bool {
        self.info.as_deref() == Some("InvalidSecondFactor")
    }

    /// `Info=WebLoginRequired`: the password is right but Google wants the user to sign in
    /// on the web first (the page is in `Url=`; SECURITY.md §3).
    pub fn needs_web_login(&self) -> bool {
        self.info.as_deref() == Some("WebLoginRequired")
    }
}

/// A line of a ClientLogin answer, by key (PROTOCOLS.md §1.2, §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `SID`.
    Sid,
    /// `LSID`.
    Lsid,
    /// `Auth`.
    Auth,
    /// `Error`.
    Error,
    /// `Url`.
    Url,
    /// `Info`.
    Info,
    /// `CaptchaToken`.
    CaptchaToken,
    /// `CaptchaUrl`.
    CaptchaUrl,
}

impl Field {
    /// The key as Google wrote it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sid => "SID",
            Self::Lsid => "LSID",
            Self::Auth => "Auth",
            Self::Error => "Error",
            Self::Url => "Url",
            Self::Info => "Info",
            Self::CaptchaToken => "CaptchaToken",
            Self::CaptchaUrl => "CaptchaUrl",
        }
    }
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a ClientLogin answer is malformed (SECURITY.md §5.1 row 28).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// No body where a ClientLogin answer was due.
    #[error("the body is empty")]
    Empty,
    /// The body exceeds [`MAX_RESPONSE_BYTES`].
    #[error("the body exceeds {} bytes", MAX_RESPONSE_BYTES)]
    TooLarge,
    /// The body is not UTF-8.
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    /// A line is not `Key=Value` (no `=`, or nothing before it).
    #[error("a line is not Key=Value")]
    NotKeyValue,
    /// A control character inside a line (a lone CR, NUL, …).
    #[error("a control character inside a line")]
    ControlCharacter,
    /// A key this module reads appears twice: which one counts would be a guess.
    #[error("{0} appears more than once")]
    Duplicate(Field),
    /// A 200 answer without an `Auth` line (PY2's `ClientLoginTokenMissing`).
    #[error("no Auth token in a successful answer")]
    MissingAuth,
    /// A refusal (HTTP 403) without an `Error` line.
    #[error("no Error code in a refusal")]
    MissingError,
    /// `Error=` with nothing after it.
    #[error("an empty Error code")]
    EmptyErrorCode,
    /// An `Error=` code not in PROTOCOLS.md §1.4 (GNOME libgdata's `Error=Foobar` row). The
    /// code is kept when it is a short word, never free text.
    #[error("unknown Error code{}", .0.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    UnknownErrorCode(Option<String>),
    /// A token (`Auth`, `SID`, `LSID`, `CaptchaToken`) that is empty or holds characters a
    /// header cannot carry unquoted (space, `"`, `\`, `,`, non-ASCII).
    #[error("{0} is empty or holds characters a header cannot carry")]
    BadToken(Field),
    /// A CAPTCHA challenge without `CaptchaToken` or `CaptchaUrl`.
    #[error("the CAPTCHA challenge has no {0}")]
    MissingCaptchaField(Field),
    /// `CaptchaUrl` is not a safe relative reference (SECURITY.md §3).
    #[error("refused CaptchaUrl: {0}")]
    BadCaptchaUrl(CaptchaUrlError),
}

/// Why a `CaptchaUrl` was refused: it must be a relative path below the accounts base, so
/// the image shown to the user comes from Google Accounts and nowhere else (SECURITY.md §3,
/// §5.1 row 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CaptchaUrlError {
    /// Empty.
    #[error("it is empty")]
    Empty,
    /// It has a scheme (`http://evil/x`, `javascript:…`).
    #[error("it is an absolute URL")]
    Absolute,
    /// It names another host (`//evil/x`).
    #[error("it names a host (//host)")]
    NetworkPath,
    /// It starts with `/`, leaving the accounts base.
    #[error("it starts with '/'")]
    RootPath,
    /// A `.` or `..` path segment (percent-encoded or not).
    #[error("it has a '.' or '..' path segment")]
    DotSegment,
    /// Whitespace, CR, LF or another control character.
    #[error("it holds whitespace or a control character")]
    ControlOrWhitespace,
    /// A backslash, which browsers read as `/`.
    #[error("it holds a backslash")]
    Backslash,
    /// Joined to the base it does not stay below the base.
    #[error("it does not resolve below the accounts base")]
    OutsideBase,
}

/// Why a feed refused the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenRejection {
    /// The answer says `Token expired` (the Java client's `SessionExpiredException`,
    /// PROTOCOLS.md §1.3).
    #[error("token expired")]
    Expired,
    /// Any other 401: a revoked token (a changed password), or one for another service.
    #[error("token invalid or revoked")]
    Invalid,
}

/// Why an input was refused before anything was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// `Email` is empty.
    #[error("the e-mail address is empty")]
    EmptyEmail,
    /// `Passwd` is empty.
    #[error("the password is empty")]
    EmptyPassword,
    /// `service` is empty.
    #[error("the service code is empty")]
    EmptyService,
    /// `source` is empty.
    #[error("the source (application name) is empty")]
    EmptySource,
    /// The CAPTCHA answer is empty (or only whitespace).
    #[error("the CAPTCHA answer is empty")]
    EmptyCaptchaAnswer,
    /// The CAPTCHA token is not a token ([`ProtocolError::BadToken`] says which are).
    #[error("the CAPTCHA token is empty or holds characters a form cannot carry safely")]
    BadCaptchaToken,
    /// An `Auth` token given by the caller cannot be sent in a header.
    #[error("the Auth token is empty or holds characters a header cannot carry")]
    BadAuthToken,
    /// Not `HOSTED_OR_GOOGLE`, `GOOGLE` or `HOSTED`.
    #[error("unknown account type (expected HOSTED_OR_GOOGLE, GOOGLE or HOSTED)")]
    UnknownAccountType,
}
