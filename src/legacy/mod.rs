//! Tokens stored by old applications, read and written as they stored them: the
//! gdata-python-client token blobs (PROTOCOLS.md §7.7, `gauth.token_to_blob` /
//! `token_from_blob`), every field kept, so a Python application's tokens can be loaded,
//! used and migrated.
//!
//! * [`blob`]: [`LegacyToken`] and [`blob::to_blob`] / [`blob::from_blob`], the field
//!   codec ([`blob::join_parts`], [`blob::split_parts`]) and [`BlobError`].

pub mod blob;

pub use blob::{from_blob, to_blob, AuthState, BlobError, LegacyToken};
