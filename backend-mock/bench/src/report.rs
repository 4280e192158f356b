//! The lines the bench prints beside its table.

use crate::cpu::CpuTime;
use crate::measurement::Measurement;
use crate::targets::Target;
use gashapay_backend_mock::writer::{WaitHistogram, WriterSnapshot};
use std::time::Duration;

/// The table (one line per target, the echo first) and the notes under it.
pub fn print(targets: &[&Target], results: &[Measurement]) {
    println!(
        "{:<38} {:>10} {:>9} {:>9} {:>7} {:>9}",
        "target", "req/s", "p50 ms", "p99 ms", "errors", "vs echo"
    );
    let echo = &results[0];
    let mut notes = Vec::new();
    for (index, (target, r)) in targets.iter().zip(results).enumerate() {
        // Index 0 is the echo itself.
        if index > 0 {
            notes.push(round_ratios(
                &target.name,
                &r.round_rates,
                &echo.round_rates,
            ));
        }
        if target.writer.is_some() {
            notes.push(writer_summary(&target.name, &r.writer));
        }
        if let Some(cpu) = r.cpu {
            notes.push(cpu_summary(&target.name, cpu, r.ok + r.errors, r.seconds));
        }
        let p99s = r.round_p99s_ms();
        if let (Some(best), Some(worst)) = (p99s.first(), p99s.last()) {
            notes.push(format!(
                "{}: p99 round by round: min {best:.2} ms, median {:.2} ms, worst {worst:.2} ms",
                target.name,
                p99s[p99s.len() / 2]
            ));
        }
        println!(
            "{:<38} {:>10.0} {:>9.2} {:>9.2} {:>7} {:>8.0}%",
            target.name,
            r.requests_per_second(),
            r.percentile_ms(0.50),
            r.percentile_ms(0.99),
            r.errors,
            100.0 * r.requests_per_second() / echo.requests_per_second()
        );
    }
    for note in notes {
        println!("{note}");
    }
}

/// The ratio to the echo round by round (each round's target against the echo's
/// round just before it): how steady the headline ratio is on a noisy machine.
pub fn round_ratios(name: &str, rates: &[f64], echo_rates: &[f64]) -> String {
    let mut ratios: Vec<f64> = rates
        .iter()
        .zip(echo_rates)
        .map(|(rate, echo)| 100.0 * rate / echo)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    let median = match ratios.len() % 2 {
        1 => ratios[middle],
        _ => (ratios[middle.saturating_sub(1)] + ratios[middle]) / 2.0,
    };
    match (ratios.first(), ratios.last()) {
        (Some(min), Some(max)) => format!(
            "{name}: vs echo round by round: min {min:.0}%, median {median:.0}%, max {max:.0}% ({} rounds)",
            ratios.len()
        ),
        _ => format!("{name}: no rounds"),
    }
}

/// How many plays shared a commit, and how long a play spent queued for and inside
/// the writer (the rest of a validation's time is HTTP, checks and the client).
pub fn writer_summary(name: &str, writer: &WriterSnapshot) -> String {
    let ms = |waits: &WaitHistogram, q: f64| match waits.quantile(q) {
        Some(wait) => format!("≤ {:.1} ms", wait.as_secs_f64() * 1000.0),
        None => "beyond the histogram".to_owned(),
    };
    match writer.mean_batch() {
        Some(mean) => format!(
            "{name}: {} commits of {mean:.1} plays on average; from queued to the writer's answer, p50 {}, p99 {}; from the answer to the request running again, p50 {}, p99 {}",
            writer.batches,
            ms(&writer.answered, 0.5),
            ms(&writer.answered, 0.99),
            ms(&writer.resumed, 0.5),
            ms(&writer.resumed, 0.99)
        ),
        None => format!("{name}: the writer committed nothing"),
    }
}

/// The server side's CPU per request under wrk, how much of it the writer took, and
/// what wrk itself used.
pub fn cpu_summary(name: &str, cpu: CpuTime, requests: u64, seconds: f64) -> String {
    let per_request = |time: Duration| time.as_secs_f64() * 1e6 / requests.max(1) as f64;
    let cores = |time: Duration| time.as_secs_f64() / seconds;
    let writer = match cpu.writers.is_zero() {
        true => String::new(),
        false => format!(
            ", of which the play writer {:.1} µs",
            per_request(cpu.writers)
        ),
    };
    format!(
        "{name}: server CPU per request {:.1} µs{writer} ({:.2} cores busy); wrk {:.1} µs per request ({:.2} cores)",
        per_request(cpu.process),
        cores(cpu.process),
        per_request(cpu.children),
        cores(cpu.children),
    )
}
