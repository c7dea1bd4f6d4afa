//! OAuth 1.0 / 1.0a (RFC 5849) with Google's extensions: signing (client side) and
//! verification (provider side), over plain data.
//!
//! * [`base_string`]: the §3.4.1 signature base string.
//! * [`signature`]: HMAC-SHA1, RSA-SHA1, PLAINTEXT (and HMAC-SHA256): sign and verify.
//! * [`header`]: build and strictly parse `Authorization: OAuth …`.
//! * [`OAuth1Authorizer`]: the [`crate::Authorizer`] for OAuth 1.0 credentials.
//! * [`verifier`]: a strict provider's checks, used by the emulator.
//! * [`types`] and [`flow`]: the client side of Google's three-legged dance (request token,
//!   authorization URL, callback, access token, revocation) and two-legged requests.

use thiserror::Error;

use crate::request::RequestError;

mod authorizer;
pub mod base_string;
pub mod flow;
pub mod header;
pub mod signature;
pub mod types;
pub mod verifier;

pub use authorizer::{OAuth1Authorizer, Signed};
pub use flow::{AuthorizeOptions, FlowError, RequestTokenOptions};
pub use types::{AccessToken, AuthorizedRequestToken, Callback, RequestToken, Scope};

/// An OAuth 1.0 signature method (`oauth_signature_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `HMAC-SHA1` (RFC 5849 §3.4.2).
    HmacSha1,
    /// `HMAC-SHA256`: an extension, not in RFC 5849, accepted by many providers.
    HmacSha256,
    /// `RSA-SHA1` (RFC 5849 §3.4.3).
    RsaSha1,
    /// `PLAINTEXT` (RFC 5849 §3.4.4): the key itself; only over TLS.
    Plaintext,
}

impl SignatureMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha256 => "HMAC-SHA256",
            Self::RsaSha1 => "RSA-SHA1",
            Self::Plaintext => "PLAINTEXT",
        }
    }

    /// Parses a wire name (exact, case-sensitive as RFC 5849 §3.4 spells them).
    pub fn parse(name: &str) -> Result<Self, OAuth1Error> {
        match name {
            "HMAC-SHA1" => Ok(Self::HmacSha1),
            "HMAC-SHA256" => Ok(Self::HmacSha256),
            "RSA-SHA1" => Ok(Self::RsaSha1),
            "PLAINTEXT" => Ok(Self::Plaintext),
            other => Err(OAuth1Error::UnsupportedSignatureMethod(other.to_owned())),
        }
    }

    /// Whether the method signs with the shared secrets (HMAC and PLAINTEXT).
    pub fn uses_shared_secret(self) -> bool {
        !matches!(self, Self::RsaSha1)
    }
}

impl core::fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for SignatureMethod {
    type Err = OAuth1Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Errors from OAuth 1.0 signing and header handling (client side). Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OAuth1Error {
    /// The request description was refused.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The signature method is not one this crate implements.
    #[error("unsupported signature method {0:?}")]
    UnsupportedSignatureMethod(String),
    /// RSA-SHA1 was asked for without an RSA private key.
    #[error("RSA-SHA1 needs an RSA private key")]
    MissingRsaKey,
    /// An HMAC or PLAINTEXT method was asked for without a consumer secret.
    #[error("{0} needs a consumer secret")]
    MissingSecret(SignatureMethod),
    /// This build has no RSA support (the `rsa` feature is off).
    #[error("RSA-SHA1 support is not compiled in (enable the `rsa` feature)")]
    RsaUnavailable,
    /// RFC 5849 §3.4.4: PLAINTEXT sends the secrets themselves, so it needs TLS.
    #[error(
        "PLAINTEXT over plain http is refused (RFC 5849 §3.4.4); use https or the dangerous opt-in"
    )]
    InsecurePlaintext,
    /// The realm cannot be written as a quoted-string without escapes.
    #[error("realm contains '\"', '\\\\' or a control character")]
    BadRealm,
    /// The RSA key could not be read.
    #[error("bad RSA key: {0}")]
    BadRsaKey(String),
    /// The RSA key's size is outside the accepted range.
    #[error("RSA key of {bits} bits rejected (accepted: 1024 to 8192)")]
    KeyRejected {
        /// The modulus size.
        bits: usize,
    },
    /// RSA signing failed.
    #[error("RSA signing failed")]
    RsaSign,
    /// An `Authorization: OAuth` header did not parse.
    #[error("malformed OAuth Authorization header: {reason}")]
    MalformedHeader {
        /// What was wrong.
        reason: &'static str,
    },
    /// A parameter appeared twice where it must appear once.
    #[error("duplicate parameter {0:?}")]
    DuplicateParameter(String),
}
