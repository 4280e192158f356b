//! CPU time of this process (the servers), of its play-writer threads, and of its
//! finished children (wrk), from /proc.

use gashapay_backend_mock::writer::WRITER_THREAD_NAME;
use std::time::Duration;

/// CPU time used by this process, in all and in its play-writer threads, and by its
/// finished children (wrk), read from /proc (Linux only). Under wrk this process only
/// serves, so the time per request is the server side's cost, steadier from run to
/// run than the request rate on a noisy VM; wrk's own time shows how much of the two
/// cores the load generator got. /proc counts in ticks of 10 ms (USER_HZ): over a
/// round of seconds on two cores, well under 1%.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTime {
    pub process: Duration,
    pub writers: Duration,
    /// Children that have ended and been waited for: wrk, once each round is over
    /// (its start-up, reading the request file, included).
    pub children: Duration,
}

impl CpuTime {
    pub const TICK: Duration = Duration::from_millis(10);

    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let process = Self::of_stat(&stat, 11)?;
        let children = Self::of_stat(&stat, 13)?;
        // Linux keeps the first 15 bytes of a thread's name.
        let writer_name = &WRITER_THREAD_NAME[..WRITER_THREAD_NAME.len().min(15)];
        let mut writers = Duration::ZERO;
        for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue; // the thread has just ended
            };
            let name = stat
                .split_once('(')
                .and_then(|(_, rest)| rest.rsplit_once(')'));
            if name.is_some_and(|(name, _)| name == writer_name) {
                writers += Self::of_stat(&stat, 11).unwrap_or_default();
            }
        }
        Some(Self {
            process,
            writers,
            children,
        })
    }

    /// User plus system time from a `stat` line: the two fields that start `skip`
    /// fields after the name in parentheses (which may hold spaces). 11 gives the
    /// task's own time (fields 14 and 15), 13 its waited-for children's (16 and 17).
    pub fn of_stat(stat: &str, skip: usize) -> Option<Duration> {
        let (_, after_name) = stat.rsplit_once(')')?;
        let mut fields = after_name.split_whitespace().skip(skip);
        let user: u32 = fields.next()?.parse().ok()?;
        let system: u32 = fields.next()?.parse().ok()?;
        Some(Self::TICK * (user + system))
    }

    pub fn minus(self, earlier: Self) -> Self {
        Self {
            process: self.process.saturating_sub(earlier.process),
            writers: self.writers.saturating_sub(earlier.writers),
            children: self.children.saturating_sub(earlier.children),
        }
    }

    pub fn plus(self, other: Self) -> Self {
        Self {
            process: self.process + other.process,
            writers: self.writers + other.writers,
            children: self.children + other.children,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn cpu_time_is_user_plus_system_from_a_stat_line() {
        // A thread name may hold spaces and parentheses; fields are counted after
        // the last ')'. utime 250 and stime 50 ticks: 3 s; the children's cutime 70
        // and cstime 30: 1 s.
        let stat =
            "4242 (odd (name) here) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 70 30 20 0 3 0 1 2 3";
        assert_eq!(CpuTime::of_stat(stat, 11), Some(Duration::from_secs(3)));
        assert_eq!(CpuTime::of_stat(stat, 13), Some(Duration::from_secs(1)));
        assert_eq!(CpuTime::of_stat("4242 (cut short) S 1 2", 11), None);
        assert_eq!(CpuTime::of_stat("no name at all", 11), None);
    }

    #[test]
    fn this_process_reads_its_own_cpu_time() {
        let Some(before) = CpuTime::now() else {
            return; // not Linux: the bench prints no CPU line
        };
        // Spin until /proc shows 50 ms more (five of its ticks), or give up after
        // 10 s of wall time on a machine that never gives this thread a core.
        let give_up = Instant::now() + Duration::from_secs(10);
        let mut n = 0u64;
        let used = loop {
            n = std::hint::black_box(n.wrapping_add(1));
            let used = CpuTime::now().unwrap().minus(before);
            if used.process >= Duration::from_millis(50) || Instant::now() > give_up {
                break used;
            }
        };
        assert!(used.process >= Duration::from_millis(50), "{used:?}");
        assert_eq!(used.writers, Duration::ZERO, "no play writer runs here");
    }

    #[test]
    fn a_finished_childs_cpu_time_is_counted_apart() {
        let Some(before) = CpuTime::now() else {
            return; // not Linux
        };
        // A child that spins for a fixed amount of work (about 0.2 s of CPU time
        // here), as wrk would; only its own time, however long the wait for a core.
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"])
            .status()
            .unwrap();
        assert!(status.success());
        let used = CpuTime::now().unwrap().minus(before);
        assert!(used.children >= Duration::from_millis(50), "{used:?}");
    }
}
