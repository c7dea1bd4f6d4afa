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
}

#[cfg(feature = "rsa")]
impl From<crate::rsa_sha1::RsaSignError> for AuthorizeError {
    fn from(_: crate::rsa_sha1::RsaSignError) -> Self {
        Self::RsaSign
    }
}

/// Produces the `Authorization` header value for a request. Pure: no I/O, no clock, no
/// randomness beyond what the [`Context`] carries (RSA blinding excepted).
///
/// Object safe: hold a `Box<dyn Authorizer>` or `Arc<dyn Authorizer>`.
pub trait Authorizer: Send + Sync {
    /// Authorizes `request` with the timestamp and nonce in `ctx`.
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError>;
}

impl<A: Authorizer + ?Sized> Authorizer for std::sync::Arc<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        (**self).authorize(request, ctx)
    }
}

impl<A: Authorizer + ?Sized> Authorizer for Box<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        (**self).authorize(request, ctx)
    }
}
