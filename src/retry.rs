//! Trying a step again after a passing failure (a busy or failing server), with exponential
//! backoff that honours `Retry-After` (SECURITY.md §5.5).
//!
//! The caller drives it: [`Backoff::next_delay`] says how long to wait before the next try,
//! or that it is time to stop, and never sleeps. [`Backoff::send_blocking`] and
//! [`Backoff::send`] run that loop over a [`Call`] with the sleep the caller passes in, so no
//! runtime is assumed and nothing retries unless asked to. Only errors that say so
//! ([`Retryable::is_retryable`]) are retried: an authentication failure or a CAPTCHA never is.

use core::future::Future;
use std::time::Duration;

use rand_core::{OsRng, RngCore};

use crate::call::Call;
use crate::transport::{BlockingTransport, Transport, TransportError};

/// An error that can say whether trying again may help, and how long the server asked to
/// wait first.
pub trait Retryable {
    /// Whether the same request may succeed later (SECURITY.md §5.5: 5xx, 429, an
    /// unavailable service, a connection that failed or timed out). Authentication
    /// failures are final.
    fn is_retryable(&self) -> bool;

    /// The server's `Retry-After`, when it gave one.
    fn retry_after(&self) -> Option<Duration>;
}

/// Exponential backoff with jitter, in the manner of google-http-java-client's
/// `ExponentialBackOff` (SECURITY.md §5.5): first interval 500 ms, multiplied by 1.5 after
/// each try, randomized by ±50 %, at most 60 s apart, and no more than 15 minutes of waiting
/// in all. A server's `Retry-After` is a lower bound on the next delay.
///
/// The elapsed time counts the delays handed out, not the time the requests took, so the
/// value is pure and a test drives it without a clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    initial: Duration,
    multiplier: f64,
    randomization: f64,
    max_interval: Duration,
    max_elapsed: Duration,
    interval: Duration,
    elapsed: Duration,
    retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// google-http-java-client's defaults (SECURITY.md §5.5).
    pub fn new() -> Self {
        let initial = Duration::from_millis(500);
        Self {
            initial,
            multiplier: 1.5,
            randomization: 0.5,
            max_interval: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(15 * 60),
            interval: initial,
            elapsed: Duration::ZERO,
            retries: 0,
        }
    }

    /// Sets the first interval (and starts over).
    pub fn with_initial_interval(mut self, interval: Duration) -> Self {
        self.initial = interval;
        self.reset();
        self
    }

    /// Sets the factor the interval grows by after each try (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Sets the jitter: each delay is the interval times a random factor in
    /// `1 ± randomization` (clamped to `0..=1`; 0 makes delays exact).
    pub fn with_randomization(mut self, randomization: f64) -> Self {
        self.randomization = if randomization.is_finite() {
            randomization.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Sets the longest interval.
    pub fn with_max_interval(mut self, max: Duration) -> Self {
        self.max_interval = max;
        self
    }

    /// Sets the most waiting in all, after which [`Backoff::next_delay`] gives up.
    pub fn with_max_elapsed(mut self, max: Duration) -> Self {
        self.max_elapsed = max;
        self
    }

    /// Starts over: first interval, nothing elapsed.
    pub fn reset(&mut self) {
        self.interval = self.initial;
        self.elapsed = Duration::ZERO;
        self.retries = 0;
    }

    /// How many delays were handed out since the start.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The waiting handed out so far.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How long to wait before trying again after `error`, or `None` to stop: the error is
    /// final, or the waiting budget is spent. The jitter comes from the OS CSPRNG.
    pub fn next_delay<E: Retryable + ?Sized>(&mut self, error: &E) -> Option<Duration> {
        let mut bytes = [0u8; 4];
        // Without randomness the delay is the plain interval: still a backoff.
        let unit = match OsRng.try_fill_bytes(&mut bytes) {
            Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
            Err(_) => 0.5,
        };
        self.next_delay_with(error, unit)
    }

    /// [`Backoff::next_delay`] with the jitter drawn by the caller: `unit` in `0.0..1.0`
    /// (0.5 is no jitter). For tests and reproducible schedules.
    pub fn next_delay_with<E: Retryable + ?Sized>(
        &mut self,
        error: &E,
        unit: f64,
    ) -> Option<Duration> {
        if !error.is_retryable() {
            return None;
        }
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let factor = 1.0 - self.randomization + 2.0 * self.randomization * unit;
        let jittered = scale(self.interval, factor);
        // The server knows best when it will be back: never sooner than it said.
        let delay = error
            .retry_after()
            .map_or(jittered, |after| after.max(jittered));
        let elapsed = self.elapsed.checked_add(delay)?;
        if elapsed > self.max_elapsed {
            return None;
        }
        self.elapsed = elapsed;
        self.retries = self.retries.saturating_add(1);
        self.interval = scale(self.interval, self.multiplier).min(self.max_interval);
        Some(delay)
    }

    /// Runs `step` over a blocking transport until it succeeds, fails for good, or the
    /// backoff gives up, calling `sleep` (`std::thread::sleep`, or a test's recorder) with
    /// each delay. `step` builds a fresh [`Call`] for every try.
    pub fn send_blocking<T, E, H>(
        &mut self,
        transport: &H,
        mut step: impl FnMut() -> Call<T, E>,
        mut sleep: impl FnMut(Duration),
    ) -> Result<T, E>
    where
        E: Retryable + From<TransportError>,
        H: BlockingTransport + ?Sized,
    {
        loop {
            match step().send_blocking(transport) {
                Err(e) => match self.next_delay(&e) {
                    Some(delay) => sleep(delay),
                    None => return Err(e),
                },
                ok => return ok,
            }
        }
    }

    /// [`Backoff::send_blocking`] over an async transport; `sleep` returns the future that
    /// waits (`tokio::time::sleep`, or a test's recorder).
    pub async fn send<T, E, H, S, F>(
        &mut self,
        transport: &H,
        mut step: impl FnMut() -> Call<T, E>,
        mut sleep: S,
    ) -> Result<T, E>
    where
        E: Retryable + From<TransportError>,
        H: Transport + ?Sized,
        S: FnMut(Duration) -> F,
        F: Future<Output = ()>,
    {
        loop {
            match step().send(transport).await {
                Err(e) => match self.next_delay(&e) {
                    Some(delay) => sleep(delay).await,
                    None => return Err(e),
                },
                ok => return ok,
            }
        }
    }
}

/// `d × factor`, saturating instead of panicking (`Duration::mul_f64` panics on overflow).
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

impl Retryable for TransportError {
    /// A connection that could not be made, or a request that timed out, may work later.
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Connect(_) | Self::Timeout)
    }

    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

/// Reads a `Retry-After` header value given in seconds (RFC 9110 §10.2.3). The HTTP-date
/// form is not read: a backoff without the hint is still a backoff.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E {
        retry: bool,
        after: Option<Duration>,
    }

    impl Retryable for E {
        fn is_retryable(&self) -> bool {
            self.retry
        }
        fn retry_after(&self) -> Option<Duration> {
            self.after
        }
    }

    const BUSY: E = E {
        retry: true,
        after: None,
    };

    #[test]
    fn delays_grow_by_the_multiplier_up_to_the_cap() {
        let mut b = Backoff::new().with_max_interval(Duration::from_secs(1));
        let got: Vec<_> = (0..4).map(|_| b.next_delay_with(&BUSY, 0.5)).collect();
        let ms = |m| Some(Duration::from_millis(m));
        assert_eq!(got, [ms(500), ms(750), ms(1000), ms(1000)]);
        assert_eq!(b.retries(), 4);
        assert_eq!(b.elapsed(), Duration::from_millis(3250));
    }

    #[test]
    fn jitter_stays_within_the_randomization() {
        let mut low = Backoff::new();
        let mut high = Backoff::new();
        assert_eq!(
            low.next_delay_with(&BUSY, 0.0),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            high.next_delay_with(&BUSY, 1.0),
            Some(Duration::from_millis(750))
        );
        let d = Backoff::new().next_delay(&BUSY).unwrap();
        assert!(d >= Duration::from_millis(250) && d <= Duration::from_millis(750));
    }

    #[test]
    fn final_errors_and_spent_budgets_stop() {
        let mut b = Backoff::new().with_max_elapsed(Duration::from_secs(1));
        let fatal = E {
            retry: false,
            after: None,
        };
        assert_eq!(b.next_delay_with(&fatal, 0.5), None);
        assert!(b.next_delay_with(&BUSY, 0.5).is_some());
        let long = E {
            retry: true,
            after: Some(Duration::from_secs(2)),
        };
        assert_eq!(b.next_delay_with(&long, 0.5), None);
    }

    #[test]
    fn retry_after_is_a_lower_bound() {
        let mut b = Backoff::new();
        let after = E {
            retry: true,
            after: Some(Duration::from_secs(7)),
        };
        assert_eq!(b.next_delay_with(&after, 0.5), Some(Duration::from_secs(7)));
        let soon = E {
            retry: true,
            after: Some(Duration::ZERO),
        };
        assert_eq!(
            b.next_delay_with(&soon, 0.5),
            Some(Duration::from_millis(750))
        );
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        for bad in [
            "",
            "-1",
            "1.5",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "99999999999999999999",
        ] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
    }
}
