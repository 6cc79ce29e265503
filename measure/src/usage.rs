//! What each lab function really used, read from its CloudWatch Logs group: the `REPORT`
//! line Lambda writes after every invocation (billed duration, memory, INIT duration on a
//! cold start) and the bytes of everything logged, which CloudWatch Logs bills as ingested.
//! The same code reads AWS and the emulator; only the figures differ in kind.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::stats::Latency;

/// CloudWatch Logs counts each event as its UTF-8 message plus 26 bytes
/// (`PutLogEvents`: <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html>).
pub const LOG_EVENT_OVERHEAD_BYTES: u64 = 26;

/// One parsed `REPORT RequestId: … Duration: … Billed Duration: … Memory Size: …` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub request_id: String,
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: f64,
    /// `None` where the platform did not measure it (the emulator writes 0).
    pub max_memory_used_mb: Option<f64>,
    /// Present on cold starts (AWS); already inside `billed_ms` for custom runtimes.
    pub init_ms: Option<f64>,
}

/// The number before `unit` in a `Name: 12.34 unit` field of a REPORT line.
fn field(line: &str, name: &str) -> Option<f64> {
    let start = line.find(&format!("{name}: "))? + name.len() + 2;
    line[start..].split_whitespace().next()?.parse().ok()
}

/// Parses a REPORT line; anything else (START, END, the function's own lines) is `None`.
pub fn parse_report(message: &str) -> Option<Report> {
    let rest = message.trim_start().strip_prefix("REPORT RequestId: ")?;
    let request_id = rest.split_whitespace().next()?.to_owned();
    Some(Report {
        request_id,
        duration_ms: field(rest, "Duration")?,
        billed_ms: field(rest, "Billed Duration")?,
        memory_mb: field(rest, "Memory Size")?,
        max_memory_used_mb: field(rest, "Max Memory Used").filter(|mb| *mb > 0.0),
        init_ms: field(rest, "Init Duration"),
    })
}

/// One log event as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// CloudWatch Logs' id for the event (the emulator gives none).
    pub event_id: Option<String>,
    pub timestamp_ms: i64,
    pub message: String,
}

/// What one function used in a time window, from its log group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionUsage {
    pub function: String,
    /// REPORT lines: one per invocation.
    pub invocations: u64,
    pub billed_ms: Option<Latency>,
    pub billed_ms_total: f64,
    pub duration_ms: Option<Latency>,
    /// Invocations that met a cold start (an `Init Duration`, or a result that says so).
    pub cold_starts: u64,
    /// `Init Duration` where the platform reports it (AWS does; the emulator does not).
    pub init_ms: Option<Latency>,
    /// Configured memory, from the REPORT lines.
    pub memory_mb: Option<f64>,
    pub max_memory_used_mb: Option<f64>,
    pub log_events: u64,
    /// Bytes CloudWatch Logs ingests for these events (message + 26 bytes each).
    pub log_bytes: u64,
}

impl FunctionUsage {
    /// Summarises a function's log events; `cold` names request ids known to have met a
    /// cold start by other means (the transformers' results), for platforms that do not
    /// write `Init Duration`.
    #[allow(clippy::cast_precision_loss)]
    pub fn of(function: &str, events: &[LogEvent], cold: &HashSet<String>) -> Self {
        let reports: Vec<Report> = events.iter().filter_map(|e| parse_report(&e.message)).collect();
        let billed: Vec<f64> = reports.iter().map(|r| r.billed_ms).collect();
        let durations: Vec<f64> = reports.iter().map(|r| r.duration_ms).collect();
        let inits: Vec<f64> = reports.iter().filter_map(|r| r.init_ms).collect();
        let cold_starts = reports
            .iter()
            .filter(|r| r.init_ms.is_some() || cold.contains(&r.request_id))
            .count() as u64;
        Self {
            function: function.to_owned(),
            invocations: reports.len() as u64,
            billed_ms: Latency::of(&billed),
            billed_ms_total: billed.iter().sum(),
            duration_ms: Latency::of(&durations),
            cold_starts,
            init_ms: Latency::of(&inits),
            memory_mb: reports.iter().map(|r| r.memory_mb).reduce(f64::max),
            max_memory_used_mb: reports.iter().filter_map(|r| r.max_memory_used_mb).reduce(f64::max),
            log_events: events.len() as u64,
            log_bytes: events
                .iter()
                .map(|e| e.message.len() as u64 + LOG_EVENT_OVERHEAD_BYTES)
                .sum(),
        }
    }

    /// Mean billed milliseconds per invocation (INIT included, as custom runtimes bill it).
    #[allow(clippy::cast_precision_loss)]
    pub fn billed_ms_per_invocation(&self) -> Option<f64> {
        (self.invocations > 0).then(|| self.billed_ms_total / self.invocations as f64)
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn log_bytes_per_invocation(&self) -> Option<f64> {
        (self.invocations > 0).then(|| self.log_bytes as f64 / self.invocations as f64)
    }

    /// Whether every request id in `expected` has its REPORT line among `events`.
    pub fn has_reports_for(events: &[LogEvent], expected: &HashSet<String>) -> bool {
        let seen: HashSet<String> = events
            .iter()
            .filter_map(|e| parse_report(&e.message))
            .map(|r| r.request_id)
            .collect();
        expected.iter().all(|id| seen.contains(id))
    }
}

/// Lambda's log group for a function.
pub fn log_group(function: &str) -> String {
    format!("/aws/lambda/{function}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As AWS writes it on a cold start of a custom runtime.
    const AWS_COLD: &str = "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\tBilled Duration: 31 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\tInit Duration: 17.92 ms\t";
    /// As MiniStack writes it.
    const EMULATOR: &str = "REPORT RequestId: 60b22e54-0530-40f5-aabb-d8d660832b22\tDuration: 51 ms\tBilled Duration: 51 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB";

    #[test]
    fn parses_aws_and_emulator_report_lines() {
        let cold = parse_report(AWS_COLD).unwrap();
        assert_eq!(cold.request_id, "3604209a-e9a3-11e6-939a-754dd98c7be3");
        assert!((cold.duration_ms - 12.34).abs() < 1e-9);
        assert!((cold.billed_ms - 31.0).abs() < 1e-9);
        assert!((cold.memory_mb - 128.0).abs() < 1e-9);
        assert_eq!(cold.max_memory_used_mb, Some(18.0));
        assert_eq!(cold.init_ms, Some(17.92));

        let local = parse_report(EMULATOR).unwrap();
        assert!((local.billed_ms - 51.0).abs() < 1e-9);
        assert_eq!(local.max_memory_used_mb, None, "0 MB means not measured");
        assert_eq!(local.init_ms, None);

        assert_eq!(parse_report("START RequestId: x Version: $LATEST"), None);
        assert_eq!(parse_report("{\"level\":\"INFO\"}"), None);
        assert_eq!(parse_report("REPORT RequestId: x\tDuration: soon"), None);
    }

    #[test]
    #[allow(clippy::cast_precision_loss)]
    fn usage_sums_billed_time_counts_cold_starts_and_log_bytes() {
        let events: Vec<LogEvent> = [
            "START RequestId: a Version: $LATEST",
            AWS_COLD,
            EMULATOR,
            "END RequestId: b",
        ]
        .iter()
        .enumerate()
        .map(|(i, m)| LogEvent {
            event_id: None,
            timestamp_ms: i64::try_from(i).unwrap(),
            message: (*m).to_owned(),
        })
        .collect();
        let cold_by_results: HashSet<String> = ["60b22e54-0530-40f5-aabb-d8d660832b22".to_owned()].into();
        let usage = FunctionUsage::of("f", &events, &cold_by_results);
        assert_eq!(usage.invocations, 2);
        assert!((usage.billed_ms_total - 82.0).abs() < 1e-9);
        assert_eq!(usage.billed_ms_per_invocation(), Some(41.0));
        assert_eq!(usage.cold_starts, 2, "one by Init Duration, one by the results");
        assert_eq!(usage.init_ms.unwrap().count, 1);
        assert_eq!(usage.memory_mb, Some(128.0));
        let bytes: usize = events.iter().map(|e| e.message.len() + 26).sum();
        assert_eq!(usage.log_bytes, bytes as u64);
        assert_eq!(usage.log_bytes_per_invocation(), Some(bytes as f64 / 2.0));

        let expected: HashSet<String> = ["60b22e54-0530-40f5-aabb-d8d660832b22".to_owned()].into();
        assert!(FunctionUsage::has_reports_for(&events, &expected));
        assert!(!FunctionUsage::has_reports_for(&events, &["zzz".to_owned()].into()));
    }

    #[test]
    fn no_reports_means_no_per_invocation_figures() {
        let usage = FunctionUsage::of("f", &[], &HashSet::new());
        assert_eq!(usage.billed_ms_per_invocation(), None);
        assert_eq!(usage.log_bytes_per_invocation(), None);
    }
}
