//! The crate's top-level error: one variant per concern, each wrapping that concern's own
//! `#[non_exhaustive]` enum, so callers match as coarsely or as finely as they need.
//! No variant carries a secret or a response body.

use thiserror::Error;

use crate::encoding::EncodingError;
use crate::oauth1::flow::FlowError;
use crate::oauth1::verifier::VerifyError;
use crate::oauth1::OAuth1Error;
use crate::request::RequestError;
use crate::store::StoreError;
use crate::transport::TransportError;

/// Any error from this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A request description was refused.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// Percent- or form-decoding failed.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// OAuth 1.0 signing or header handling failed.
    #[error(transparent)]
    OAuth1(#[from] OAuth1Error),
    /// OAuth 1.0 provider-side verification refused a request.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Sending a request or reading its response failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A step of the OAuth 1.0 dance failed.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// A token store could not load or save.
    #[error(transparent)]
    Store(#[from] StoreError),
}
