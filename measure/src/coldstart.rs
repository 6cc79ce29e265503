//! Cold starts and warm invocations of the lab's own Lambda binaries: the records a
//! `coldstart` run produces and the figures over them. Measuring is the bench's
//! (processes under its Lambda Runtime API); these are host figures, not Lambda's.

use std::path::PathBuf;

use chrono::Utc;
use eventlab_schema::switches::Strategy;
use serde::{Deserialize, Serialize};

use crate::stats::Latency;

/// One binary to measure: a function, the build it came from, and for the generator the
/// configuration strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub function: String,
    /// A label for the build (`local`, `release`, …).
    pub build: String,
    pub binary: PathBuf,
    pub strategy: Option<Strategy>,
}

impl Subject {
    pub fn label(&self) -> String {
        match self.strategy {
            Some(strategy) => format!("{} · {} · {strategy}", self.function, self.build),
            None => format!("{} · {}", self.function, self.build),
        }
    }
}

/// One invocation, as the process lived it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    pub wall_ms: f64,
    pub cpu_ms: f64,
}

/// One process: its INIT, its invocations and its peak memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub init: Invocation,
    pub first: Invocation,
    pub warm: Vec<Invocation>,
    pub large: Vec<Invocation>,
    pub peak_rss_kib: u64,
}

/// The binary a deployed function runs: the generator its own, every transformer the one
/// `transform` binary (its lane named by the function's environment).
pub fn binary_of(function: &str) -> &'static str {
    if function == "generator" {
        "generator"
    } else {
        "transform"
    }
}

/// A subject's figures over its processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub subject: Subject,
    pub processes: usize,
    pub init_wall: Option<Latency>,
    pub init_cpu: Option<Latency>,
    pub first_wall: Option<Latency>,
    pub warm_wall: Option<Latency>,
    pub warm_cpu: Option<Latency>,
    /// Events in each large invocation (0 when the function has none).
    pub large_events: u32,
    pub large_cpu: Option<Latency>,
    /// Median CPU of a large invocation divided by its events.
    pub large_cpu_per_event_ms: Option<f64>,
    /// The highest peak RSS of its processes, in MiB.
    pub peak_rss_mib: f64,
}

/// Everything one `coldstart` run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub created_at: chrono::DateTime<Utc>,
    /// Where the functions' AWS calls went: the emulator's endpoint, or `None` for AWS.
    pub endpoint: Option<String>,
    pub host: String,
    pub cold_starts: usize,
    pub warm: usize,
    pub rows: Vec<Row>,
}

/// The deployed functions, by the lab's name for them.
pub const FUNCTIONS: [&str; 5] = [
    "generator",
    "transform-sqs",
    "transform-kinesis",
    "transform-firehose",
    "transform-eventbridge",
];

/// A subject's figures over its processes.
#[allow(clippy::cast_precision_loss)]
pub fn row(subject: &Subject, processes: &[Process], large_events: u32) -> Row {
    let all = |pick: fn(&Process) -> Vec<f64>| -> Vec<f64> { processes.iter().flat_map(pick).collect() };
    let large_cpu = Latency::of(&all(|p| p.large.iter().map(|i| i.cpu_ms).collect()));
    Row {
        subject: subject.clone(),
        processes: processes.len(),
        init_wall: Latency::of(&all(|p| vec![p.init.wall_ms])),
        init_cpu: Latency::of(&all(|p| vec![p.init.cpu_ms])),
        first_wall: Latency::of(&all(|p| vec![p.first.wall_ms])),
        warm_wall: Latency::of(&all(|p| p.warm.iter().map(|i| i.wall_ms).collect())),
        warm_cpu: Latency::of(&all(|p| p.warm.iter().map(|i| i.cpu_ms).collect())),
        large_events,
        large_cpu_per_event_ms: large_cpu
            .filter(|_| large_events > 0)
            .map(|l| l.p50 / f64::from(large_events)),
        large_cpu,
        peak_rss_mib: processes.iter().map(|p| p.peak_rss_kib).max().unwrap_or(0) as f64 / 1024.0,
    }
}
