//! Time and randomness, injected: signing is pure over a [`crate::Context`] drawn from a
//! [`Clock`] and a [`NonceSource`], so tests pin both and production uses the system clock
//! and the operating system's CSPRNG.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rand_core::{OsRng, RngCore};

/// A source of the current time, in whole seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        // A clock before 1970 is a misconfigured machine; 0 makes every timestamp check fail
        // loudly instead of panicking.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// A clock that reads a settable value: for tests and for pinned timestamps.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    /// A clock stopped at `unix` seconds.
    pub fn new(unix: u64) -> Self {
        Self(AtomicU64::new(unix))
    }

    /// Moves the clock to `unix` seconds.
    pub fn set(&self, unix: u64) {
        self.0.store(unix, Ordering::SeqCst);
    }

    /// Moves the clock forward by `secs` seconds.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_unix(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Checks a signed timestamp against a provider's clock: `Ok` when `|now − timestamp|` is
/// at most `window` seconds, else the skew `now − timestamp` (positive: the request is
/// older than now), saturated to the `i64` range. Shared by the OAuth 1.0 verifier and the
/// secure AuthSub check.
pub fn check_window(now: u64, timestamp: u64, window: u64) -> Result<(), i64> {
    if now.abs_diff(timestamp) <= window {
        return Ok(());
    }
    let d = i128::from(now) - i128::from(timestamp);
    Err(i64::try_from(d).unwrap_or(if d > 0 { i64::MAX } else { i64::MIN }))
}

/// A source of nonces for signed requests.
pub trait NonceSource: Send + Sync {
    /// A fresh nonce. RFC 5849 §3.3: unique per (timestamp, client, token).
    fn nonce(&self) -> String;
}

/// Nonces of 128 bits from the operating system's CSPRNG, as 32 lower-case hex digits.
///
/// Legacy libraries used 15 decimal digits from a non-cryptographic RNG (CVE-2013-4347
/// class); 128 bits makes collisions and guessing irrelevant.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsNonce;

impl NonceSource for OsNonce {
    fn nonce(&self) -> String {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        hex_lower(&bytes)
    }
}

/// A nonce source that always returns the same value: tests and `gdauth oauth1 sign --nonce`.
#[derive(Debug, Clone)]
pub struct FixedNonce(pub String);

impl NonceSource for FixedNonce {
    fn nonce(&self) -> String {
        self.0.clone()
    }
}

/// `n` random bytes from the OS CSPRNG as lower-case hex: tokens, verifiers, nonces.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    hex_lower(&bytes)
}

// A nibble (`b >> 4`, `b & 0x0f`) is below 16: it always indexes `HEX`.
#[allow(clippy::indexing_slicing)]
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_nonces_are_128_bit_hex_and_differ() {
        let a = OsNonce.nonce();
        let b = OsNonce.nonce();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn window_edges_and_saturation() {
        assert_eq!(check_window(1000, 400, 600), Ok(()));
        assert_eq!(check_window(1000, 1600, 600), Ok(()));
        assert_eq!(check_window(1000, 399, 600), Err(601));
        assert_eq!(check_window(1000, 1601, 600), Err(-601));
        assert_eq!(check_window(0, u64::MAX, 600), Err(i64::MIN));
        assert_eq!(check_window(u64::MAX, 0, 600), Err(i64::MAX));
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::new(100);
        assert_eq!(c.now_unix(), 100);
        c.advance(5);
        assert_eq!(c.now_unix(), 105);
        c.set(7);
        assert_eq!(c.now_unix(), 7);
    }
}
