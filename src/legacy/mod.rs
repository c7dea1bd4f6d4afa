//! Tokens stored by old applications, read and written as they stored them: the
//! gdata-python-client token blobs (PROTOCOLS.md §7.7, `gauth.token_to_blob` /
//! `token_from_blob`), every field kept, so a Python application's tokens can be loaded,
//! used and migrated.
//!
//! * [`blob`]: [`LegacyToken`] and [`blob::to_blob`] / [`blob::from_blob`], the field
//!   codec ([`blob::join_parts`], [`blob::split_parts`]) and [`BlobError`].
//! * [`import`]: [`LegacyToken::import`] turns a token into this crate's authorizer (or an
//!   OAuth 2.0 grant and its client), [`Imported`] and [`ImportError`].

pub mod blob;
pub mod import;

pub use blob::{from_blob, to_blob, AuthState, BlobError, LegacyToken};
pub use import::{ImportError, Imported};
