//! The AuthSub errors: one [`AuthSubError`] for everything this module does, with nested
//! detail ([`TokenError`] for a token that cannot go into a header, [`NextUrlError`] for the
//! return URL, [`HeaderError`] for the `Authorization: AuthSub` header, [`FlowError`] for the
//! answers of the session, revoke and token-info calls, [`VerifyError`] for the provider's
//! check of a secure request) so callers match as coarsely or as finely as they need. No
//! variant carries a token, a signature's key or a response body.

use thiserror::Error;

use crate::authorizer::AuthorizeError;
use crate::request::RequestError;
use crate::scope::ScopeError;
use crate::transport::TransportError;

/// The largest answer body the parsers read: these answers are a few lines.
pub const MAX_RESPONSE_BYTES: usize = crate::encoding::MAX_LINES_BYTES;

/// Anything AuthSub code here can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AuthSubError {
    /// A request to sign or send could not be described (bad URL or method).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// Signing failed (RSA failure, a context without timestamp or nonce, a bad nonce).
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// A token cannot be written into an `Authorization` header.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The `next` URL was refused.
    #[error(transparent)]
    NextUrl(#[from] NextUrlError),
    /// A scope was refused, or none was given.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// An `Authorization: AuthSub` header could not be built or parsed.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// A reply or an answer could not be accepted.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The provider-side check refused a secure request.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Sending a request or reading its answer failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Why a token was refused. A token is written into a header value, so it is checked before
/// any header is built (SECURITY.md §3, "header injection": gdata-java formatted it in
/// unescaped) and whenever one is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is the empty string.
    #[error("the token is empty")]
    Empty,
    /// Longer than [`super::header::MAX_TOKEN_LEN`] bytes (SECURITY.md §5.1 row 30).
    #[error("the token is longer than 512 bytes")]
    TooLong,
    /// A `"`: it would end the quoted header value.
    #[error("the token contains a double quote")]
    Quote,
    /// A `\`: an escape inside a quoted header value.
    #[error("the token contains a backslash")]
    Backslash,
    /// A space: it would end an unquoted token.
    #[error("the token contains whitespace")]
    Whitespace,
    /// A control character (CR and LF split headers).
    #[error("the token contains a control character")]
    ControlCharacter,
    /// A character outside ASCII.
    #[error("the token contains a non-ASCII character")]
    NonAscii,
}

/// Why a `next` URL (where Google sends the user back) was refused (SECURITY.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NextUrlError {
    /// Whitespace or a control character: a CR or LF could split a header or a log line,
    /// and URL parsers drop tabs and newlines silently, so what was checked would not be
    /// what is used.
    #[error("the next URL contains whitespace or a control character")]
    ControlCharacter,
    /// A backslash, which URL parsers read as `/` in some places and not in others.
    #[error("the next URL contains a backslash")]
    Backslash,
    /// Not an absolute URL with a host.
    #[error("the next URL is not an absolute URL with a host")]
    NotAbsolute,
    /// A scheme other than `https` (`javascript:`, `data:`, `ftp:`, …).
    #[error("the next URL must be https")]
    NotHttps,
    /// Plain `http`: the single-use token would travel in the clear. Allowed only through
    /// [`super::NextUrl::dangerous_allow_http`].
    #[error("the next URL is plain http; use https (or the dangerous opt-in for tests)")]
    PlainHttp,
    /// A user name or password (`https://good.example@evil.example/`).
    #[error("the next URL carries a user name or password")]
    UserInfo,
    /// A fragment: Google appends `token=` to the query, and a fragment is never sent.
    #[error("the next URL has a fragment")]
    Fragment,
    /// Its query already has a `token` parameter, or is not strict form encoding: the reply
    /// would carry a token the application did not get from Google, or not parse.
    #[error("the next URL's query already has a token parameter or is malformed")]
    BadQuery,
}

/// A parameter of the `Authorization: AuthSub` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderParam {
    /// `token`.
    Token,
    /// `data`: the signed `METHOD URL TIMESTAMP NONCE`.
    Data,
    /// `sig`: the Base64 signature of `data`.
    Sig,
    /// `sigalg`: the signature algorithm.
    Sigalg,
}

impl HeaderParam {
    /// The parameter's name in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Data => "data",
            Self::Sig => "sig",
            Self::Sigalg => "sigalg",
        }
    }
}

impl core::fmt::Display for HeaderParam {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with an `Authorization: AuthSub` header (PROTOCOLS.md §2.4, §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// Longer than [`super::header::MAX_HEADER_LEN`].
    #[error("header longer than 8 KiB")]
    TooLong,
    /// A control character (CR, LF, NUL, …) in the value. PY1 wrapped long signatures with
    /// `\n` (PROTOCOLS.md §2.5); no HTTP header can carry that, so it is refused too.
    #[error("control character in header")]
    ControlCharacter,
    /// The scheme is not `AuthSub`.
    #[error("scheme is not AuthSub")]
    NotAuthSub,
    /// A parameter without `=`.
    #[error("parameter without '='")]
    MissingEquals,
    /// A parameter other than `token`, `data`, `sig` and `sigalg`.
    #[error("unknown parameter")]
    UnknownParameter,
    /// A quoted value without its closing quote.
    #[error("unterminated quoted value")]
    Unterminated,
    /// A backslash escape inside a quoted value (no AuthSub value needs one).
    #[error("escape sequence in quoted value")]
    Escape,
    /// A quoted value not followed by whitespace or the end.
    #[error("missing space after a quoted value")]
    MissingSpace,
    /// `data`, `sig` or `sigalg` without quotes (only the token was sent unquoted).
    #[error("{0} is not quoted")]
    Unquoted(HeaderParam),
    /// A parameter given twice.
    #[error("duplicate parameter {0}")]
    DuplicateParameter(HeaderParam),
    /// A required parameter is absent: the token, or part of a secure header.
    #[error("missing parameter {0}")]
    MissingParameter(HeaderParam),
    /// The token cannot be carried in a header.
    #[error("bad token: {0}")]
    BadToken(TokenError),
    /// A `data` or `sig` value that cannot be written as a quoted value (a `"`, a `\` or a
    /// control character); only the builder reports it.
    #[error("{0} cannot be written into the header")]
    BadValue(HeaderParam),
    /// `sigalg` other than `rsa-sha1` (JAVA and NET also signed with DSA, `dsa-sha1`).
    #[error("unsupported sigalg (only rsa-sha1 is accepted)")]
    UnsupportedSigalg,
}

/// How the `data` of a secure header is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DataError {
    /// Not four non-empty fields `METHOD URL TIMESTAMP NONCE` separated by single spaces.
    #[error("data is not METHOD URL TIMESTAMP NONCE")]
    NotFourFields,
    /// The timestamp is not 1 to 20 decimal digits fitting in 64 bits.
    #[error("the data's timestamp is not a number of seconds")]
    BadTimestamp,
}

/// Why a reply or an answer of the session, revoke or token-info calls was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The provider answered with a non-2xx status. The body is not reported: it may echo
    /// the token.
    #[error("the provider answered HTTP {status}")]
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// The answer's body exceeds [`MAX_RESPONSE_BYTES`].
    #[error("response body exceeds {} bytes", MAX_RESPONSE_BYTES)]
    ResponseTooLarge,
    /// A reply or answer is not in the expected format.
    #[error("malformed response: {0}")]
    Malformed(Malformed),
    /// A required parameter or line is absent.
    #[error("missing {0}")]
    MissingParameter(&'static str),
    /// A parameter or line appears more than once.
    #[error("{0} appears more than once")]
    DuplicateParameter(String),
    /// The token received cannot be used in a header.
    #[error("bad token: {0}")]
    BadToken(TokenError),
}

/// How a reply or an answer is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The body is not UTF-8.
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    /// The reply's query is not strict form encoding.
    #[error("not valid form encoding")]
    NotFormEncoded,
    /// A line of the body holds a control character or an empty key.
    #[error("not key=value lines")]
    NotKeyValueLines,
    /// `Secure=` is neither `true` nor `false`.
    #[error("Secure is neither true nor false")]
    BadSecureFlag,
    /// `Scope=` holds no scope, or one with a control character.
    #[error("Scope holds no valid scope")]
    BadScope,
}

/// Why the provider-side check refused a secure AuthSub request: each variant names one
/// check ([`super::verifier`] runs them in the order listed).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The `Authorization: AuthSub` header did not parse.
    #[error("malformed AuthSub Authorization header: {0}")]
    MalformedHeader(HeaderError),
    /// The header is a non-secure one (no `data`, `sig`, `sigalg`).
    #[error("the request is not signed (non-secure AuthSub header)")]
    NotSecure,
    /// The signed `data` is not `METHOD URL TIMESTAMP NONCE`.
    #[error("malformed data: {0}")]
    MalformedData(DataError),
    /// The signed method is not the request's.
    #[error("the signed method is not the request's method")]
    MethodMismatch,
    /// The signed URL is not the request's.
    #[error("the signed URL is not the request's URL")]
    UrlMismatch,
    /// The signed timestamp is too far from the provider's clock.
    #[error(
        "the signed timestamp is {skew} s from the provider clock, outside the accepted window"
    )]
    TimestampOutOfWindow {
        /// Provider time minus the signed timestamp, in seconds (positive: the request is
        /// older than now), saturated to the `i64` range.
        skew: i64,
    },
    /// The signature does not verify with the registered key.
    #[error("signature invalid")]
    BadSignature,
}
