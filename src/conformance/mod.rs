//! The conformance kit (issue 14): what a maintainer of an old integration needs when a
//! provider says "signature invalid" and nothing more.
//!
//! * [`quirks`]: the legacy clients' base-string behaviours, by name ("quirk profiles"),
//!   each a variant of RFC 5849 §3.4.1 that a published implementation produced.
//! * [`diagnose`]: a received OAuth 1.0 request and its secrets in, a verdict out: valid
//!   under RFC 5849, or which quirk profile reproduces its signature, and how that base
//!   string differs from the RFC's.
//! * [`exchange`] (feature `serde`): a documented, versioned JSON format for one recorded
//!   HTTP exchange, secrets replaced by references.
//! * [`recorder`] (features `serde`, `http`): a transport that records what passes through
//!   it in that format.
//! * [`replay`] (feature `serde`): checks a directory of recordings: every request's
//!   signature, every response's shape against what Google documented.

pub mod diagnose;
#[cfg(feature = "serde")]
pub mod exchange;
pub mod quirks;
#[cfg(all(feature = "serde", feature = "http"))]
pub mod recorder;
#[cfg(feature = "serde")]
pub mod replay;
