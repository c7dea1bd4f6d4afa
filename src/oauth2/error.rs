//! The OAuth 2.0 errors: one [`OAuth2Error`] for everything this module does. A token
//! endpoint's JSON error (RFC 6749 §5.2) is classified by what the caller must do next:
//! ask the user again ([`OAuth2Error::ReconsentRequired`]), sign the user in again under
//! session control ([`OAuth2Error::ReauthRequired`]), tell the user an administrator said
//! no ([`OAuth2Error::AdminPolicyEnforced`]), or retry later (a 5xx, [`Retryable`]).
//! No variant carries a token, a secret or a response body.

use std::time::Duration;

use thiserror::Error;

use crate::retry::Retryable;
use crate::transport::TransportError;

/// A kind of OAuth 2.0 token, each with its own size limit ([`TokenKind::limit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// An authorization code (≤ 256 bytes).
    AuthorizationCode,
    /// An access token (≤ 2048 bytes).
    AccessToken,
    /// A refresh token (≤ 512 bytes).
    RefreshToken,
}

impl TokenKind {
    /// The token's name, as the token response spells its field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "code",
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

impl core::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most characters of an unknown `error` code kept ([`ErrorCode::Other`]).
const MAX_CODE_CHARS: usize = 64;

/// A server's text as this crate shows it (an error code, subtype or description): at most
/// `max_chars` characters, control characters (a terminal's escape sequences, line breaks)
/// replaced by `\u{FFFD}`, so an error message cannot rewrite the terminal or forge log
/// lines.
pub(super) fn printable(text: &str, max_chars: usize) -> String {
    text.chars()
        .take(max_chars)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// The `error` code of a token endpoint's JSON answer (RFC 6749 §5.2, RFC 7009 §2.2.1,
/// Google's additions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_client`.
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `invalid_token`.
    InvalidToken,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `unsupported_token_type` (RFC 7009).
    UnsupportedTokenType,
    /// `invalid_scope`.
    InvalidScope,
    /// `admin_policy_enforced` (Google: an administrator restricted a scope).
    AdminPolicyEnforced,
    /// `server_error`.
    ServerError,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// `authorization_pending` (RFC 8628 §3.5: the user has not answered yet).
    AuthorizationPending,
    /// `slow_down` (RFC 8628 §3.5: poll less often).
    SlowDown,
    /// `access_denied` (RFC 6749 §4.1.2.1, RFC 8628 §3.5: the user said no).
    AccessDenied,
    /// `expired_token` (RFC 8628 §3.5: the device code expired).
    ExpiredToken,
    /// Any other code, as sent (at most 64 characters kept, control characters replaced by
    /// `\u{FFFD}`).
    Other(String),
}

impl ErrorCode {
    /// Reads a code.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "invalid_token" => Self::InvalidToken,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            "invalid_scope" => Self::InvalidScope,
            "admin_policy_enforced" => Self::AdminPolicyEnforced,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "authorization_pending" => Self::AuthorizationPending,
            "slow_down" => Self::SlowDown,
            "access_denied" => Self::AccessDenied,
            "expired_token" => Self::ExpiredToken,
            // Shown to the user like the description (see `printable`).
            other => Self::Other(printable(other, MAX_CODE_CHARS)),
        }
    }

    /// The code as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidToken => "invalid_token",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidScope => "invalid_scope",
            Self::AdminPolicyEnforced => "admin_policy_enforced",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::AccessDenied => "access_denied",
            Self::ExpiredToken => "expired_token",
            Self::Other(s) => s,
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token endpoint's JSON error, as sent: the code, Google's `error_subtype` (such as
/// `invalid_rapt`), `error_description`, and the HTTP status. Descriptions are cut to 200
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    /// `error`.
    pub code: ErrorCode,
    /// `error_subtype`, when sent.
    pub subtype: Option<String>,
    /// `error_description`, when sent.
    pub description: Option<String>,
    /// The HTTP status.
    pub status: u16,
    /// The answer's `Retry-After`, when it had one.
    pub retry_after: Option<Duration>,
}

impl core::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HTTP {}, error={}", self.status, self.code)?;
        if let Some(s) = &self.subtype {
            write!(f, ", error_subtype={s}")?;
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Why a token endpoint's answer could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// Not a JSON object, or a field of the wrong type, or a field given twice.
    NotJson,
    /// The body is larger than [`super::MAX_RESPONSE_BYTES`].
    TooLarge,
    /// A required field is missing (`access_token`, `token_type`, or the migration's
    /// `refresh_token`).
    MissingField(&'static str),
    /// `token_type` is not `Bearer` (RFC 6749 §7.1, compared case-insensitively).
    UnsupportedTokenType,
    /// `expires_in` is not a non-negative whole number of seconds within ten years.
    BadExpiresIn,
    /// A device answer's `interval` is not a whole number of seconds from 1 to an hour.
    BadInterval,
    /// A `scope` that is not a space-separated list of scopes.
    BadScope,
}

impl core::fmt::Display for Malformed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotJson => f.write_str("not a JSON object of the expected fields"),
            Self::TooLarge => f.write_str("the body is too large"),
            Self::MissingField(name) => write!(f, "no `{name}`"),
            Self::UnsupportedTokenType => f.write_str("`token_type` is not Bearer"),
            Self::BadExpiresIn => f.write_str("`expires_in` is not a whole number of seconds"),
            Self::BadInterval => f.write_str("`interval` is not 1 to 3600 whole seconds"),
            Self::BadScope => f.write_str("`scope` is not a list of scopes"),
        }
    }
}

/// An input refused before anything was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputError {
    /// A token is empty or holds characters outside RFC 6750 §2.1's `b64token`.
    BadToken(TokenKind),
    /// The grant has no refresh token to refresh with.
    NoRefreshToken,
    /// The client ID is empty or the client secret holds a control character.
    BadClient,
    /// The token endpoint's URL cannot be signed.
    BadEndpoint,
    /// A PKCE `code_verifier` that is not 43 to 128 unreserved characters (RFC 7636 §4.1).
    BadPkceVerifier,
    /// An authorization request without a scope, or a scope that is not RFC 6749 §3.3's
    /// `scope-token`.
    BadScope,
    /// A `redirect_uri` that is not an absolute `http(s)` URL without a fragment.
    BadRedirectUri,
}

impl core::fmt::Display for InputError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadToken(kind) => write!(
                f,
                "the {kind} is empty or holds characters a token cannot (RFC 6750 §2.1)"
            ),
            Self::NoRefreshToken => f.write_str("the grant has no refresh token"),
            Self::BadClient => f.write_str("the client ID is empty or the secret is unusable"),
            Self::BadEndpoint => f.write_str("the token endpoint's URL cannot be signed"),
            Self::BadPkceVerifier => {
                f.write_str("the PKCE verifier is not 43 to 128 unreserved characters")
            }
            Self::BadScope => f.write_str("no scope, or a scope with a space or a quote"),
            Self::BadRedirectUri => {
                f.write_str("the redirect URI is not an absolute http(s) URL without a fragment")
            }
        }
    }
}

/// Why the loopback redirect listener of the installed-app flow failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ListenerError {
    /// No port could be bound on `127.0.0.1`.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(String),
    /// Accepting or reading a connection failed.
    #[error("connection failed: {0}")]
    Io(String),
    /// No redirect arrived in time (the user closed the browser, or never signed in).
    #[error("no redirect arrived within {0:?}")]
    TimedOut(Duration),
}

/// Why a service-account key or assertion could not be used (features `rsa`, `serde`).
#[cfg(all(feature = "rsa", feature = "serde"))]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ServiceAccountError {
    /// The key file could not be read.
    #[error("cannot read the service-account key file: {0}")]
    Io(String),
    /// The key file is larger than [`crate::rsa_sha1::MAX_KEY_FILE_BYTES`].
    #[error(
        "the service-account key file is over {} bytes",
        crate::rsa_sha1::MAX_KEY_FILE_BYTES
    )]
    FileTooLarge,
    /// Not a JSON object of the expected fields.
    #[error("the service-account key is not JSON of Google's key file format")]
    NotJson,
    /// `type` is not `service_account` (an `authorized_user` file holds a user's grant).
    #[error("the key file's type is {0:?}, not \"service_account\"")]
    WrongType(String),
    /// A required field is missing or empty.
    #[error("the service-account key has no `{0}`")]
    MissingField(&'static str),
    /// `private_key` is not a usable RSA private key.
    #[error("the service-account private key: {0}")]
    Key(crate::rsa_sha1::KeyError),
    /// No scope was asked for (Google refuses an assertion without one).
    #[error("a service-account assertion needs at least one scope")]
    NoScope,
    /// The lifetime is 0 or over an hour
    /// ([`MAX_ASSERTION_LIFETIME`](super::service_account::MAX_ASSERTION_LIFETIME)).
    #[error("an assertion lives 1 to 3600 seconds (Google's limit)")]
    BadLifetime,
    /// Signing failed.
    #[error("the assertion could not be signed")]
    Sign,
    /// An assertion's signature, header or claims did not verify.
    #[error("the assertion does not verify: {0}")]
    Invalid(&'static str),
}

/// Anything OAuth 2.0 code here can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OAuth2Error {
    /// A token larger than Google's limit for its kind (seed 001 "Token size"): refused,
    /// never truncated.
    #[error("the {kind} is {len} bytes, over Google's limit of {limit}")]
    TokenTooLarge {
        /// Which token.
        kind: TokenKind,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// `invalid_grant` without a sub-error: the grant was revoked, unused for six months,
    /// invalidated by a password change (Gmail scopes) or by the live-token limit (seed
    /// 001 "Refresh token expiration"). Ask the user to consent again. Final.
    #[error("the grant is no longer valid ({0}); ask the user to consent again")]
    ReconsentRequired(EndpointError),
    /// `invalid_grant` or `invalid_token` with a sub-error such as `invalid_rapt`: a
    /// session-control policy ended the session (seed 001, SECURITY.md §4). Restart an
    /// auth session (the user signs in again). Final.
    #[error("the session ended under session control ({0}); the user must sign in again")]
    ReauthRequired(EndpointError),
    /// `admin_policy_enforced`: an administrator restricted the scopes. Final.
    #[error("an administrator's policy refuses the grant ({0})")]
    AdminPolicyEnforced(EndpointError),
    /// `invalid_client`: the client ID or secret is wrong. Final.
    #[error("the token endpoint refused the client ({0})")]
    InvalidClient(EndpointError),
    /// Any other JSON error answer (`invalid_request`, `unsupported_grant_type`,
    /// `invalid_scope`, …); retryable when it is a 5xx, `server_error` or
    /// `temporarily_unavailable`.
    #[error("the token endpoint refused the request ({0})")]
    Refused(EndpointError),
    /// An HTTP status without a JSON error (a proxy's page, a 5xx). Retryable when 5xx or
    /// 429.
    #[error("the server answered HTTP {status} without an OAuth 2.0 error")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The answer's `Retry-After`, when it had one.
        retry_after: Option<Duration>,
    },
    /// The answer could not be read.
    #[error("malformed token endpoint answer: {0}")]
    Malformed(Malformed),
    /// A resource refused the access token twice (HTTP 401 `invalid_token` after one
    /// refresh): nothing more is tried.
    #[error("the resource refused the access token again after a refresh")]
    TokenRejected,
    /// The user (or the authorization server) refused: `access_denied` at the token
    /// endpoint (device flow) or in the redirect. Final.
    #[error("the user denied access ({0})")]
    AccessDenied(EndpointError),
    /// The device code expired before the user answered (`expired_token`, or
    /// `expires_in` passed while polling): start again. Final.
    #[error("the device code expired ({0}); request a new one")]
    DeviceCodeExpired(EndpointError),
    /// The redirect's `state` is missing or is not the one this flow sent (RFC 6749
    /// §10.12: a forged or replayed redirect, cross-site request forgery). Nothing was
    /// exchanged.
    #[error("the redirect's state does not match the authorization request (RFC 6749 §10.12)")]
    StateMismatch,
    /// The redirect carried an error other than `access_denied` (RFC 6749 §4.1.2.1).
    #[error("the authorization server refused the request ({0})")]
    AuthorizationRefused(EndpointError),
    /// The loopback redirect listener failed.
    #[error("the loopback redirect listener failed: {0}")]
    Listener(ListenerError),
    /// An input was refused before anything was sent.
    #[error("invalid OAuth 2.0 input: {0}")]
    InvalidInput(InputError),
    /// The OAuth 1.0 signature of a migration request could not be made.
    #[error("could not sign the migration request with the OAuth 1.0 token: {0}")]
    Sign(#[from] crate::authorizer::AuthorizeError),
    /// Sending the request or reading its answer failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A service-account key or assertion could not be used (features `rsa`, `serde`).
    #[cfg(all(feature = "rsa", feature = "serde"))]
    #[error(transparent)]
    ServiceAccount(#[from] ServiceAccountError),
}

impl OAuth2Error {
    /// The endpoint's JSON error, for the variants that carry one.
    pub fn endpoint_error(&self) -> Option<&EndpointError> {
        match self {
            Self::ReconsentRequired(e)
            | Self::ReauthRequired(e)
            | Self::AdminPolicyEnforced(e)
            | Self::InvalidClient(e)
            | Self::AccessDenied(e)
            | Self::DeviceCodeExpired(e)
            | Self::AuthorizationRefused(e)
            | Self::Refused(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the refusal is final for this grant (the variants documented "Final"):
    /// asking again without the user or the administrator cannot succeed.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::ReconsentRequired(_)
                | Self::ReauthRequired(_)
                | Self::AdminPolicyEnforced(_)
                | Self::InvalidClient(_)
                | Self::AccessDenied(_)
                | Self::DeviceCodeExpired(_)
        )
    }

    /// Whether the same request may succeed later: a 5xx or 429, `server_error`,
    /// `temporarily_unavailable`, or a connection that failed or timed out. A refused
    /// grant never is.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http { status, .. } => (500..600).contains(status) || *status == 429,
            Self::Refused(e) => {
                (500..600).contains(&e.status)
                    || e.status == 429
                    || matches!(
                        e.code,
                        ErrorCode::ServerError | ErrorCode::TemporarilyUnavailable
                    )
            }
            Self::Transport(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The `Retry-After` the server sent.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http { retry_after, .. } => *retry_after,
            other => other.endpoint_error().and_then(|e| e.retry_after),
        }
    }

    /// Classifies a token endpoint's JSON error by what the caller must do next.
    pub fn classify(error: EndpointError) -> Self {
        let has_subtype = error.subtype.as_deref().is_some_and(|s| !s.is_empty());
        match error.code {
            // Seed 001: session control answers `invalid_token` / `invalid_grant` "with a
            // sub-error type" that tells it apart from a revoked token.
            ErrorCode::InvalidGrant | ErrorCode::InvalidToken if has_subtype => {
                Self::ReauthRequired(error)
            }
            ErrorCode::InvalidGrant => Self::ReconsentRequired(error),
            ErrorCode::AdminPolicyEnforced => Self::AdminPolicyEnforced(error),
            ErrorCode::InvalidClient => Self::InvalidClient(error),
            ErrorCode::AccessDenied => Self::AccessDenied(error),
            ErrorCode::ExpiredToken => Self::DeviceCodeExpired(error),
            _ => Self::Refused(error),
        }
    }
}

impl Retryable for OAuth2Error {
    fn is_retryable(&self) -> bool {
        OAuth2Error::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        OAuth2Error::retry_after(self)
    }
}
