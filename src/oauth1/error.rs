//! The OAuth 1.0 errors: one [`OAuth1Error`] for everything this module does, with nested
//! detail ([`HeaderError`] for the `Authorization: OAuth` header, [`FlowError`] for the
//! answers of the dance, [`VerifyError`] for the provider side) so callers match as coarsely
//! or as finely as they need. No variant carries a secret or a response body.

use thiserror::Error;

use super::verifier::VerifyError;
use super::SignatureMethod;
use crate::authorizer::AuthorizeError;
use crate::request::RequestError;
use crate::scope::ScopeError;
use crate::transport::TransportError;

/// The largest response body the dance's parsers read: token answers are a few hundred
/// bytes ([`FlowError::ResponseTooLarge`] beyond).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Anything OAuth 1.0 code here can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OAuth1Error {
    /// A request to sign or send could not be described (bad URL or method).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// Signing failed (PLAINTEXT over http, RSA failure).
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// An `Authorization: OAuth` header could not be built or parsed.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// A scope was refused.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A step of the dance got an answer (or a callback) it cannot accept.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// Provider-side verification refused a request.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Sending a request or reading its answer failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The signature method is not one this crate implements.
    #[error("unsupported signature method {0:?}")]
    UnsupportedSignatureMethod(String),
    /// RSA-SHA1 was asked for without an RSA private key.
    #[error("RSA-SHA1 needs an RSA private key")]
    MissingRsaKey,
    /// A shared-secret method was asked for with an RSA key.
    #[error("{0} signs with a consumer secret, not an RSA key")]
    NotSharedSecret(SignatureMethod),
}

/// What is wrong with an `Authorization: OAuth` header (RFC 5849 §3.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// Longer than [`super::header::MAX_HEADER_LEN`].
    #[error("header longer than 8 KiB")]
    TooLong,
    /// A control character (CR, LF, NUL, …) in the value.
    #[error("control character in header")]
    ControlCharacter,
    /// The scheme is not `OAuth`.
    #[error("scheme is not OAuth")]
    NotOAuth,
    /// More than [`super::header::MAX_HEADER_PARAMS`] parameters.
    #[error("more than 64 parameters")]
    TooManyParameters,
    /// A parameter without `=`.
    #[error("parameter without '='")]
    MissingEquals,
    /// An empty name, or one holding `,`, `"` or a space.
    #[error("malformed parameter name")]
    BadName,
    /// A value not in double quotes.
    #[error("parameter value is not quoted")]
    Unquoted,
    /// A quoted value without its closing quote.
    #[error("unterminated quoted value")]
    Unterminated,
    /// A backslash escape inside a quoted value (never needed: values are percent-encoded).
    #[error("escape sequence in quoted value")]
    Escape,
    /// Two parameters without a `,` between them.
    #[error("missing ',' between parameters")]
    MissingComma,
    /// A name or value with a malformed `%XX` escape or non-UTF-8 bytes.
    #[error("bad percent-encoding in a name or value")]
    BadEncoding,
    /// A raw comma or whitespace inside a quoted value: ambiguous to other parsers
    /// (SECURITY.md §5.1 row 24). Only the verifier refuses it.
    #[error("comma or whitespace inside a quoted header value")]
    CommaOrWhitespace,
    /// A parameter (the realm included) given twice where it may appear once.
    #[error("duplicate parameter {0:?}")]
    DuplicateParameter(String),
    /// The realm cannot be written as a quoted-string without escapes.
    #[error("realm contains '\"', '\\\\' or a control character")]
    BadRealm,
}

/// Why a step of the OAuth 1.0 dance refused an answer or a callback.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The request-token answer lacks `oauth_callback_confirmed=true`: an OAuth 1.0 (not
    /// 1.0a) provider, open to session fixation, so it is refused.
    #[error("the provider did not confirm the callback (oauth_callback_confirmed=true missing); OAuth 1.0 providers are refused")]
    CallbackNotConfirmed,
    /// The callback names a different `oauth_token` than the one this flow started with.
    #[error("the callback's oauth_token is not the request token this flow started with")]
    TokenMismatch,
    /// The callback (or the pasted text) carries no `oauth_verifier`.
    #[error("no oauth_verifier in the callback")]
    MissingVerifier,
    /// A required parameter is absent from a response or callback.
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    /// A protocol parameter appears more than once.
    #[error("parameter {0} appears more than once")]
    DuplicateParameter(String),
    /// The provider answered with a non-2xx status.
    #[error(
        "the provider answered HTTP {status}{}",
        .problem.as_deref().map(|p| format!(" (oauth_problem={p})")).unwrap_or_default()
    )]
    Http {
        /// The HTTP status.
        status: u16,
        /// `oauth_problem` from the answer, when it gave one (body or `WWW-Authenticate`).
        problem: Option<String>,
    },
    /// A response or callback is not in the expected format.
    #[error("malformed response: {0}")]
    Malformed(Malformed),
    /// The response body exceeds [`MAX_RESPONSE_BYTES`].
    #[error("response body exceeds {} bytes", MAX_RESPONSE_BYTES)]
    ResponseTooLarge,
    /// The callback is neither `oob` nor a usable absolute URL.
    #[error("invalid callback: {0}")]
    InvalidCallback(CallbackError),
}

/// How an answer or a callback is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The body is not UTF-8.
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    /// The body (or callback query) is not strict form encoding.
    #[error("not valid form encoding")]
    NotFormEncoded,
    /// A value holds a control character.
    #[error("{0} contains a control character")]
    ControlCharacter(&'static str),
}

/// Why an `oauth_callback` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// Whitespace or a control character in the URL.
    #[error("the callback URL contains whitespace or a control character")]
    Whitespace,
    /// Neither `oob` nor an absolute URL.
    #[error("the callback is neither `oob` nor an absolute URL")]
    NotAbsolute,
}
