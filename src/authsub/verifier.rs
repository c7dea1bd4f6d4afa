//! The provider's check of a received secure AuthSub request (PROTOCOLS.md §2.5), for
//! `gdauth authsub verify` and the emulator: [`verify`] takes the request's method, URL and
//! `Authorization` header, the registered public key, a clock and a window.
//!
//! # Order of checks
//! Cheap shape checks first, then the clock, then the signature:
//!
//! 1. The header parses ([`parse_header`]) → [`VerifyError::MalformedHeader`].
//! 2. It is secure (`data`, `sig`, `sigalg="rsa-sha1"`) → [`VerifyError::NotSecure`].
//! 3. `data` is `METHOD URL TIMESTAMP NONCE` → [`VerifyError::MalformedData`].
//! 4. The signed method is the request's (ASCII case-insensitive: PY2 signed the method as
//!    its caller spelt it) → [`VerifyError::MethodMismatch`].
//! 5. The signed URL is the request's, query included: the same text, or the same URL once
//!    both are in the URL Standard's serialization (host case, default port), fragments
//!    aside → [`VerifyError::UrlMismatch`].
//! 6. The signed timestamp is within the window of the clock (default ±600 s, as the OAuth
//!    1.0 verifier) → [`VerifyError::TimestampOutOfWindow`].
//! 7. The RSA-SHA1 signature of `data` verifies with the registered key (public-key
//!    operations only) → [`VerifyError::BadSignature`].
//!
//! Out of scope: nonce replay and token lookup, which need the provider's state (the
//! emulator's). [`Verified`] returns the token, timestamp and nonce so that the caller can
//! look the token up and record the nonce.

use url::Url;

use super::error::VerifyError;
use super::header::{parse_data, parse_header};
use crate::clock::{check_window, Clock};
use crate::rsa_sha1::RsaVerifyingKey;
use crate::secret::SecretString;

/// The default largest accepted |now − signed timestamp|, in seconds.
pub const DEFAULT_TIMESTAMP_WINDOW: u64 = 600;

/// A secure request that passed every check. `Debug` redacts the token and the data
/// string (it holds the URL's query, which may carry secrets).
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    /// The token the request carries (a credential): look it up.
    pub token: SecretString,
    /// The data string that was signed.
    pub data: String,
    /// The signed timestamp.
    pub timestamp: u64,
    /// The signed nonce: record it with the token and timestamp to refuse a replay.
    pub nonce: String,
}

impl core::fmt::Debug for Verified {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verified")
            .field("token", &self.token)
            .field(
                "data",
                &format_args!("[redacted, {} bytes]", self.data.len()),
            )
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// Checks a received secure AuthSub request; see the module documentation for the checks
/// and their order. `window` is the largest accepted distance between the signed timestamp
/// and `clock`, in seconds ([`DEFAULT_TIMESTAMP_WINDOW`]).
pub fn verify(
    method: &str,
    url: &str,
    authorization: &str,
    key: &RsaVerifyingKey,
    clock: &dyn Clock,
    window: u64,
) -> Result<Verified, VerifyError> {
    let parsed = parse_header(authorization).map_err(VerifyError::MalformedHeader)?;
    let secure = parsed.secure.ok_or(VerifyError::NotSecure)?;
    let data = parse_data(&secure.data).map_err(VerifyError::MalformedData)?;
    if !data.method.eq_ignore_ascii_case(method) {
        return Err(VerifyError::MethodMismatch);
    }
    if !same_url(data.url, url) {
        return Err(VerifyError::UrlMismatch);
    }
    check_window(clock.now_unix(), data.timestamp, window)
        .map_err(|skew| VerifyError::TimestampOutOfWindow { skew })?;
    if !key.verify(secure.data.as_bytes(), &secure.sig) {
        return Err(VerifyError::BadSignature);
    }
    let (timestamp, nonce) = (data.timestamp, data.nonce.to_owned());
    Ok(Verified {
        token: parsed.token,
        data: secure.data,
        timestamp,
        nonce,
    })
}

/// Whether `signed` and `received` name the same URL: the same text, or the same target
/// written with another case of scheme or host or with the default port spelled out. The
/// path and query must be byte for byte the same (fragments dropped: they are never sent);
/// no dot-segment or escape normalization, so one signature never covers two paths.
fn same_url(signed: &str, received: &str) -> bool {
    if signed == received {
        return true;
    }
    /// Scheme, host and port, as the URL Standard reads them.
    type Origin = (String, String, Option<u16>);
    /// The origin, and the rest (path and query) as written.
    fn split(s: &str) -> Option<(Origin, &str)> {
        let s = s.split_once('#').map_or(s, |(before, _)| before);
        let after_scheme = s.find("://")? + 3;
        let tail_start = s
            .get(after_scheme..)?
            .find(['/', '?'])
            .map_or(s.len(), |i| after_scheme + i);
        let parsed = Url::parse(s.get(..tail_start)?).ok()?;
        let origin = (
            parsed.scheme().to_owned(),
            parsed.host_str()?.to_owned(),
            parsed.port_or_known_default(),
        );
        let tail = s.get(tail_start..)?;
        Some((origin, if tail.is_empty() { "/" } else { tail }))
    }
    match (split(signed), split(received)) {
        (Some((a, pa)), Some((b, pb))) => a == b && pa == pb,
        _ => false,
    }
}
