//! Per-key request budgets (GCRA, from the `governor` crate): sign-in per client
//! address, so a password guesser is slowed before any password hash is computed;
//! validate per machine, so one misbehaving or stolen machine key cannot crowd out
//! the rest. A refused request changes nothing; the HTTP layer answers it with
//! `429 rate_limited` and a `Retry-After` header.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// A budget: up to `burst` requests at once, then one more every `refill_every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub burst: NonZeroU32,
    pub refill_every: Duration,
}

impl RateLimit {
    /// `None` (no limit) when `burst` is 0; a zero period counts as 1 ms.
    pub fn new(burst: u32, refill_every: Duration) -> Option<Self> {
        Some(Self {
            burst: NonZeroU32::new(burst)?,
            refill_every: refill_every.max(Duration::from_millis(1)),
        })
    }

    #[allow(clippy::expect_used, reason = "`new` keeps the period at 1 ms or more")]
    fn quota(self) -> Quota {
        Quota::with_period(self.refill_every)
            .expect("the period is at least 1 ms")
            .allow_burst(self.burst)
    }
}

/// A request over its budget, and how many whole seconds until it would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: u64,
}

/// One budget per key; `None` lets everything through.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(limit: Option<RateLimit>) -> Self {
        let clock = DefaultClock::default();
        Self {
            limiter: limit.map(|l| RateLimiter::dashmap_with_clock(l.quota(), clock.clone())),
            clock,
        }
    }

    /// Spends one request of `key`'s budget, or says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), Refused> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            // Whole seconds, rounded up: "Retry-After: 0" would invite a hot loop.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Refused {
                retry_after_secs: seconds.max(1),
            }
        })
    }

    /// Forgets keys whose budget is full again, so a flood of distinct addresses
    /// does not grow memory for ever.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    pub fn tracked_keys(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

/// The backend's budgets.
pub struct RateLimits {
    pub sign_in: KeyedLimiter<IpAddr>,
    pub validate: KeyedLimiter<gashapay_core::MachineId>,
}

impl RateLimits {
    pub fn new(sign_in: Option<RateLimit>, validate: Option<RateLimit>) -> Self {
        Self {
            sign_in: KeyedLimiter::new(sign_in),
            validate: KeyedLimiter::new(validate),
        }
    }

    pub fn forget_idle(&self) {
        self.sign_in.forget_idle();
        self.validate.forget_idle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits_and_other_keys_are_unaffected() {
        let limits = KeyedLimiter::new(RateLimit::new(3, Duration::from_secs(60)));
        for _ in 0..3 {
            limits.check(&"a").unwrap();
        }
        let wait = limits.check(&"a").unwrap_err().retry_after_secs;
        assert!((59..=60).contains(&wait), "{wait}");
        limits.check(&"b").unwrap();
        assert_eq!(limits.tracked_keys(), 2);
    }

    #[test]
    fn the_budget_refills_with_time() {
        let limits = KeyedLimiter::new(RateLimit::new(1, Duration::from_millis(20)));
        limits.check(&1).unwrap();
        assert!(limits.check(&1).is_err());
        std::thread::sleep(Duration::from_millis(40));
        limits.check(&1).unwrap();
    }

    #[test]
    fn a_zero_burst_means_no_limit() {
        let limits = KeyedLimiter::new(RateLimit::new(0, Duration::from_secs(1)));
        for _ in 0..10_000 {
            limits.check(&"a").unwrap();
        }
        assert_eq!(limits.tracked_keys(), 0);
    }
}
