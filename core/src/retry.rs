//! When a failed request may be sent again unchanged, and how long to wait before
//! each new try. The app's client, its status poller and the emulated machine all
//! follow these.

use std::time::Duration;

/// HTTP statuses after which the same request may succeed if sent again: a time-out,
/// "slow down", and a server or gateway that is briefly unwell. Any other answer is
/// final for this request.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Exponential backoff: `first`, doubling with each further retry, never above `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    pub const fn new(first: Duration, max: Duration) -> Self {
        Self { first, max }
    }

    /// The wait before retry number `retry` (0 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.first.saturating_mul(factor).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling_and_never_overflows() {
        let backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
        let delays: Vec<u128> = (0..6).map(|n| backoff.delay(n).as_millis()).collect();
        assert_eq!(delays, [200, 400, 800, 1600, 3200, 5000]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn only_statuses_that_may_pass_next_time_are_transient() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient_status(status), "{status}");
        }
        for status in [200, 400, 401, 402, 404, 409, 413, 422, 501, 505] {
            assert!(!is_transient_status(status), "{status}");
        }
    }
}
