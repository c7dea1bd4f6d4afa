//! Provider-side OAuth 1.0 verification (stub; being written).

use thiserror::Error;

/// Why a request failed verification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Placeholder.
    #[error("signature invalid")]
    BadSignature,
}
