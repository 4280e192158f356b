//! File descriptors: every connection holds one, and a process that runs out can
//! neither accept nor open a file. The server raises its own soft limit to the hard
//! one and keeps its connection cap below what is left.

#![allow(
    unsafe_code,
    reason = "getrlimit and setrlimit have no safe wrapper in std"
)]

/// Descriptors kept for everything that is not a connection: the database and its
/// WAL and shared-memory files on each SQLite connection, the log, the listener, the
/// runtime's own, and the one accepted connection that may wait for a slot.
pub const RESERVED: u64 = 64;

/// Raises the soft limit on open files to the hard limit, and returns the soft limit
/// in force afterwards (`None` where the platform does not say).
#[cfg(unix)]
pub fn raise_soft_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            } else {
                tracing::warn!(
                    soft = limit.rlim_cur,
                    hard = limit.rlim_max,
                    "could not raise the open-files limit"
                );
            }
        }
    }
    // `rlim_t` is u64 on Linux but narrower on some unix targets.
    #[allow(clippy::useless_conversion)]
    Some(u64::from(limit.rlim_cur))
}

#[cfg(not(unix))]
pub fn raise_soft_limit() -> Option<u64> {
    None
}

/// How many descriptors the process has open now (Linux; `None` elsewhere).
pub fn open_now() -> Option<u64> {
    std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|entries| entries.count() as u64)
}

/// The connection cap: what the operator asked for, but never more than the
/// descriptors left after those open now and the reserve (and at least 1).
pub fn connection_cap(requested: usize, soft_limit: Option<u64>, open_now: Option<u64>) -> usize {
    let Some(limit) = soft_limit else {
        return requested.max(1);
    };
    let left = limit.saturating_sub(open_now.unwrap_or(0) + RESERVED);
    requested
        .min(usize::try_from(left).unwrap_or(usize::MAX))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_descriptors_left() {
        assert_eq!(connection_cap(10_000, Some(1024), Some(20)), 1024 - 20 - 64);
        assert_eq!(connection_cap(500, Some(1024), Some(20)), 500);
        assert_eq!(connection_cap(500, None, None), 500);
        assert_eq!(connection_cap(500, Some(10), Some(20)), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let read = || {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: getrlimit only writes the struct passed.
            assert_eq!(
                unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
                0
            );
            limit
        };
        let hard = read().rlim_max;
        // Start from a soft limit below the hard one, as a login shell's 1,024 is.
        let lowered = libc::rlimit {
            rlim_cur: hard.min(512),
            rlim_max: hard,
        };
        // SAFETY: setrlimit only reads the struct passed.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) }, 0);

        let soft = raise_soft_limit().unwrap();
        #[allow(clippy::useless_conversion)]
        let hard_u64 = u64::from(hard);
        assert_eq!(soft, hard_u64);
        assert_eq!(read().rlim_cur, hard);
        assert!(open_now().unwrap() >= 3);
    }
}
