//! OAuth 1.0 / 1.0a (RFC 5849) with Google's extensions: signing (client side) and
//! verification (provider side), over plain data.
//!
//! * [`base_string`]: the §3.4.1 signature base string.
//! * [`signature`]: HMAC-SHA1, RSA-SHA1, PLAINTEXT (and HMAC-SHA256): sign and verify.
//! * [`header`]: build and strictly parse `Authorization: OAuth …`.
//! * [`OAuth1Authorizer`]: the [`crate::Authorizer`] for OAuth 1.0 credentials.
//! * [`verifier`]: a strict provider's checks, used by the emulator.
//! * [`types`] and [`flow`]: the client side of Google's three-legged dance (request token,
//!   authorization URL, callback, access token, revocation) and two-legged requests, as
//!   pure `prepare_*` / `parse_*` pairs.
//! * [`OAuth1Client`]: endpoints, consumer and transport in one value; each step one call.

mod authorizer;
pub mod base_string;
mod client;
mod error;
pub mod flow;
pub mod header;
pub mod signature;
pub mod types;
pub mod verifier;

#[cfg(feature = "rsa")]
pub use crate::rsa_sha1::{RsaSigningKey, RsaVerifyingKey};
pub use crate::scope::Scope;
pub use authorizer::{OAuth1Authorizer, Signed};
pub use client::OAuth1Client;
pub use error::{CallbackError, FlowError, HeaderError, Malformed, OAuth1Error};
pub use flow::{AuthorizeOptions, RequestTokenOptions};
pub use types::{AccessToken, AuthorizedRequestToken, Callback, OAuthVerifier, RequestToken};
pub use verifier::VerifyError;

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
