//! The crate's top-level error: one variant per protocol, plus the shared pieces (request
//! description, authorization, keys, transport, store), each wrapping that concern's own
//! `#[non_exhaustive]` enum, so callers match as coarsely or as finely as they need.
//! No variant carries a secret or a response body.
//!
//! Protocol code never returns this type (each protocol returns its own error), so it sits
//! on top of the import graph and only the scheme-independent glue produces it.

use thiserror::Error;

use crate::authorizer::AuthorizeError;
use crate::authsub::AuthSubError;
use crate::clientlogin::ClientLoginError;
use crate::oauth1::OAuth1Error;
use crate::request::RequestError;
#[cfg(feature = "rsa")]
use crate::rsa_sha1::KeyError;
use crate::scope::ScopeError;
use crate::store::StoreError;
use crate::transport::TransportError;

/// Any error from this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A request description was refused.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// An authorizer could not produce a header.
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// A scope was refused, or none was given.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// An RSA key could not be loaded.
    #[cfg(feature = "rsa")]
    #[error(transparent)]
    Key(#[from] KeyError),
    /// OAuth 1.0: signing, the dance, or provider-side verification.
    #[error(transparent)]
    OAuth1(#[from] OAuth1Error),
    /// OAuth 2.0: a token too large, a refused refresh or revocation (classified), a
    /// malformed answer, a token a resource refused twice.
    #[error(transparent)]
    OAuth2(#[from] crate::oauth2::OAuth2Error),
    /// ClientLogin: a refused input, a refused login (each `Error=` code), a malformed
    /// answer, or a token a feed no longer accepts.
    #[error(transparent)]
    ClientLogin(#[from] ClientLoginError),
    /// AuthSub: the request URL, the reply, the header, the session, revoke and token-info
    /// calls, or the provider's check of a secure request.
    #[error(transparent)]
    AuthSub(#[from] AuthSubError),
    /// Sending a request or reading its response failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A token store could not load or save.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server answered with a status the caller refuses
    /// ([`crate::transport::HttpResponse::error_for_status`]).
    #[error(transparent)]
    Status(#[from] crate::transport::StatusError),
    /// A request of the `http` or `reqwest` crates could not be signed in place.
    #[cfg(feature = "http")]
    #[error(transparent)]
    Sign(#[from] crate::integration::SignError),
}

/// `From` a protocol's nested error to [`Error`], through that protocol's own error.
macro_rules! nested_from {
    ($variant:ident: $($nested:ty),+ $(,)?) => {$(
        impl From<$nested> for Error {
            fn from(e: $nested) -> Self {
                Self::$variant(e.into())
            }
        }
    )+};
}

nested_from!(OAuth1: crate::oauth1::VerifyError, crate::oauth1::FlowError, crate::oauth1::HeaderError);
nested_from!(
    AuthSub: crate::authsub::TokenError,
    crate::authsub::NextUrlError,
    crate::authsub::HeaderError,
    crate::authsub::FlowError,
    crate::authsub::VerifyError,
);
