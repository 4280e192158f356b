//! Wall-clock time, behind a trait so that whoever holds a [`Clock`] can be handed a
//! [`ManualClock`] in tests and made to live through minutes in a moment.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch.
pub type UnixMillis = i64;

/// A source of the current time. Time-outs that the protocol promises (token expiry,
/// code expiry, the outcome time-out) read it; waiting (sleeps, long-poll deadlines)
/// uses the runtime's monotonic timers instead.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_millis(&self) -> UnixMillis;

    /// Whole seconds since the epoch (0 before it).
    fn now_secs(&self) -> u64 {
        (self.now_millis().max(0) / 1000) as u64
    }

    fn now_utc(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_millis()).unwrap_or_default()
    }
}

/// A shared clock, as services hold it.
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> UnixMillis {
        Utc::now().timestamp_millis()
    }
}

impl SystemClock {
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

/// The system clock moved forward by however much a test has asked: time still
/// flows (so codes signed by real devices stay within the skew), and a test can live
/// through a 15-minute token or a 5-minute time-out in a moment.
#[derive(Debug, Default)]
pub struct SettableClock {
    ahead_millis: AtomicI64,
}

impl SettableClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.ahead_millis.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for SettableClock {
    fn now_millis(&self) -> UnixMillis {
        SystemClock
            .now_millis()
            .saturating_add(self.ahead_millis.load(Ordering::SeqCst))
    }
}

/// Seconds since the Unix epoch by the system clock.
pub fn unix_now() -> u64 {
    SystemClock.now_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settable_clock_runs_with_the_system_clock_plus_what_it_was_moved() {
        let clock = SettableClock::new();
        let behind = SystemClock.now_millis();
        clock.advance(Duration::from_secs(301));
        let now = clock.now_millis();
        assert!(
            now >= behind + 301_000 && now < behind + 306_000,
            "{now} vs {behind}"
        );
        assert_eq!(clock.now_secs(), (now / 1000) as u64);
        assert_eq!(clock.now_utc().timestamp(), now / 1000);
    }

    #[test]
    fn the_system_clock_agrees_with_chrono() {
        let before = Utc::now().timestamp_millis();
        let now = SystemClock.now_millis();
        assert!(now >= before && now - before < 5_000);
    }
}
