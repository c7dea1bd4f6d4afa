//! The one trait every scheme implements, so a call site moves from OAuth 1.0 (or AuthSub,
//! or ClientLogin) to OAuth 2.0 by swapping the authorizer and nothing else, and its own
//! small error type: what can go wrong while producing one header value.

use thiserror::Error;

use crate::request::{Authorization, Context, Request};

/// Why an [`Authorizer`] could not produce a header value. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// RFC 5849 §3.4.4: PLAINTEXT sends the secrets themselves, so it needs TLS.
    #[error(
        "PLAINTEXT over plain http is refused (RFC 5849 §3.4.4); use https or the dangerous opt-in"
    )]
    InsecurePlaintext,
    /// RSA signing failed.
    #[error("RSA signing failed")]
    RsaSign,
    /// The credential needs RSA, which this build leaves out (the `rsa` feature is off).
    #[error("RSA-SHA1 support is not compiled in (enable the `rsa` feature)")]
    RsaUnavailable,
    /// The scheme signs a timestamp and a nonce (secure AuthSub, PROTOCOLS.md §2.5) and the
    /// [`Context`] leaves one out.
    #[error("this scheme signs a timestamp and a nonce, and the request context lacks one")]
    MissingTimestampOrNonce,
    /// The nonce cannot be carried where the scheme puts it: secure AuthSub writes it as the
    /// last space-separated field of a quoted header value, so it must be non-empty
    /// printable ASCII without spaces, `"` or `\`.
    #[error(
        "the nonce is empty or holds whitespace, a quote, a backslash, or a control or \
         non-ASCII character"
    )]
    BadNonce,
    /// The request's URL cannot be written into a quoted header value: secure AuthSub
    /// signs the URL as sent, and a query may hold a raw `\` (the URL Standard leaves it
    /// there), which a quoted-string reads as an escape. Percent-encode it (`%5C`).
    #[error(
        "the URL holds a backslash, which a quoted header value cannot carry; \
         percent-encode it as %5C"
    )]
    UnquotableUrl,
    /// The request's URL carries an `access_token` query parameter: a bearer token goes
    /// in the `Authorization` header only (RFC 6750 §2.3; Google refuses it in URLs since
    /// 2021, SECURITY.md §4), since URLs are logged.
    #[error(
        "the URL carries an access_token query parameter; bearer tokens go in the \
         Authorization header only"
    )]
    TokenInUrl,
}

#[cfg(feature = "rsa")]
impl From<crate::rsa_sha1::RsaSignError> for AuthorizeError {
    fn from(_: crate::rsa_sha1::RsaSignError) -> Self {
        Self::RsaSign
    }
}

/// The authentication scheme an [`Authorizer`] speaks: what a log line or a metric names when
/// it shows which credential a call site holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// OAuth 1.0 / 1.0a (`Authorization: OAuth …`).
    OAuth1,
    /// AuthSub, plain or secure (`Authorization: AuthSub token="…"`).
    AuthSub,
    /// ClientLogin (`Authorization: GoogleLogin auth=…`).
    ClientLogin,
    /// An OAuth 2.0 bearer token (`Authorization: Bearer …`).
    Bearer,
}

impl Scheme {
    /// The scheme's name, as the protocols spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OAuth1 => "OAuth",
            Self::AuthSub => "AuthSub",
            Self::ClientLogin => "GoogleLogin",
            Self::Bearer => "Bearer",
        }
    }
}

impl core::fmt::Display for Scheme {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Produces the `Authorization` header value for a request. Pure: no I/O, no clock, no
/// randomness beyond what the [`Context`] carries (RSA blinding excepted).
///
/// Object safe: hold a `Box<dyn Authorizer>` or `Arc<dyn Authorizer>`; `Debug` (redacted in
/// every implementation) and [`Authorizer::scheme`] tell what a call site holds.
pub trait Authorizer: Send + Sync + core::fmt::Debug {
    /// Authorizes `request` with the timestamp and nonce in `ctx`.
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError>;

    /// The scheme this authorizer speaks.
    fn scheme(&self) -> Scheme;

    /// Authorizes `request` with a fresh timestamp (system clock) and nonce (OS CSPRNG);
    /// [`Authorizer::authorize`] takes them explicitly for tests and reproducible signatures.
    fn authorize_now(&self, request: &Request) -> Result<Authorization, AuthorizeError> {
        self.authorize(request, &Context::now())
    }
}

impl<A: Authorizer + ?Sized> Authorizer for std::sync::Arc<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        (**self).authorize(request, ctx)
    }

    fn scheme(&self) -> Scheme {
        (**self).scheme()
    }
}

impl<A: Authorizer + ?Sized> Authorizer for Box<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        (**self).authorize(request, ctx)
    }

    fn scheme(&self) -> Scheme {
        (**self).scheme()
    }
}
