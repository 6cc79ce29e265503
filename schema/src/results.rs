//! The results bucket: where each transformer's output goes, and the one tolerant reader
//! that every tool reads it with.
//!
//! Layout (keys written by the transformers, and by Firehose for its lane):
//! - `results/<service>/<run_id>/<name>.jsonl`: result lines ([`ResultRecord`]);
//! - `results/firehose/<yyyy>/<MM>/<dd>/<HH>/<stream>-…`: Firehose's delivery of its
//!   processor's output (the run is read from each record, not from the key);
//! - `errors/<service>/rejected/<yyyy>/<mm>/<dd>/<name>.jsonl`: records a transformer
//!   rejected ([`crate::ErrorRecord`]);
//! - `errors/firehose/<error-output-type>/…`: records Firehose itself failed to process,
//!   each with the original record base64-encoded in `rawData`.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{ErrorRecord, LabEvent, ResultRecord, RunId, Service};

/// `results/<service>/<run_id>/<name>.jsonl`
pub fn results_key(service: Service, run_id: &RunId, name: &str) -> String {
    format!("results/{service}/{run_id}/{name}.jsonl")
}

/// `errors/<service>/rejected/<yyyy>/<mm>/<dd>/<name>.jsonl`
pub fn errors_key(service: Service, received_at: DateTime<Utc>, name: &str) -> String {
    let date = received_at.format("%Y/%m/%d");
    format!("errors/{service}/rejected/{date}/{name}.jsonl")
}

/// Where a run's results are, as a prefix and the key to list after: the lanes that write
/// their own results keep each run under `results/<service>/<run_id>/`; Firehose writes
/// `results/firehose/<yyyy/MM/dd/HH>/…`, so its run is among the objects written since
/// `since`.
pub fn results_location(service: Service, run_id: &RunId, since: DateTime<Utc>) -> (String, Option<String>) {
    match service {
        Service::Firehose => {
            let prefix = "results/firehose/".to_owned();
            let start_after = format!("{prefix}{}", since.format("%Y/%m/%d/%H/"));
            (prefix, Some(start_after))
        }
        _ => (format!("results/{service}/{run_id}/"), None),
    }
}

/// What an object of the bucket holds, from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// `results/<service>/…`: result lines.
    Results(Service),
    /// `errors/<service>/rejected/…`: records the transformer rejected; and
    /// `errors/firehose/<error-type>/…`, what Firehose itself failed to process.
    Rejected(Service),
}

impl Holds {
    /// `None` for keys outside the layout.
    pub fn of(key: &str) -> Option<Self> {
        let mut parts = key.splitn(4, '/');
        let (top, service) = (parts.next()?, parts.next()?.parse::<Service>().ok()?);
        let rest = parts.next()?;
        match top {
            "results" => Some(Self::Results(service)),
            "errors" if rest == "rejected" || service == Service::Firehose => Some(Self::Rejected(service)),
            _ => None,
        }
    }
}

/// Everything one object of the bucket holds, sorted by shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contents {
    /// Transformers' results, in the object's order.
    pub results: Vec<ResultRecord>,
    /// Lab events written untransformed among the results: what the emulator's Firehose
    /// writes when its processor fails (AWS writes them under `errors/firehose/` instead).
    pub raw: Vec<LabEvent>,
    /// Lab events inside Firehose error records (`rawData`).
    pub firehose_errors: Vec<LabEvent>,
    /// Records a transformer rejected, with the reason (under `errors/<service>/rejected/`).
    pub rejected: Vec<ErrorRecord>,
    /// JSON values of any other shape (another tool's test lines): counted, never fatal.
    pub other: u64,
    /// Lines that are not JSON: counted, never fatal, and reading goes on at the next line.
    pub unreadable: u64,
}

impl Contents {
    /// Reads an object's bytes: JSON Lines, where a line may also hold several values
    /// written back to back (Firehose concatenates records). The one rule every reader of
    /// the bucket follows: each value is kept by its shape, and nothing stops the read.
    pub fn read(bytes: &[u8]) -> Self {
        let mut contents = Self::default();
        for line in bytes.split(|b| *b == b'\n').filter(|l| !l.trim_ascii().is_empty()) {
            for value in serde_json::Deserializer::from_slice(line).into_iter::<Value>() {
                let Ok(value) = value else {
                    contents.unreadable += 1;
                    break;
                };
                contents.sort(value);
            }
        }
        contents
    }

    /// Every value read, whatever its shape, and every line that was not JSON.
    pub fn count(&self) -> u64 {
        self.not_results() + self.results.len() as u64
    }

    /// What is not a transformer's result: other shapes, and lines that were not JSON.
    pub fn not_results(&self) -> u64 {
        (self.raw.len() + self.firehose_errors.len() + self.rejected.len()) as u64 + self.other + self.unreadable
    }

    /// Adds what another object holds.
    pub fn absorb(&mut self, other: Self) {
        self.results.extend(other.results);
        self.raw.extend(other.raw);
        self.firehose_errors.extend(other.firehose_errors);
        self.rejected.extend(other.rejected);
        self.other += other.other;
        self.unreadable += other.unreadable;
    }

    fn sort(&mut self, value: Value) {
        if value.get("transformed").is_some()
            && let Ok(result) = serde_json::from_value::<ResultRecord>(value.clone())
        {
            self.results.push(result);
        } else if let Some(raw) = value.get("rawData").and_then(Value::as_str) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(raw)
                .unwrap_or_default();
            let events = Self::read(&decoded);
            self.firehose_errors.extend(events.raw);
            self.other += events.other + events.unreadable;
        } else if value.get("reason").is_some()
            && let Ok(rejected) = serde_json::from_value::<ErrorRecord>(value.clone())
        {
            self.rejected.push(rejected);
        } else if let Ok(event) = serde_json::from_value::<LabEvent>(value) {
            self.raw.push(event);
        } else {
            self.other += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = include_str!("../tests/fixtures/event.json");
    const RESULT: &str = include_str!("../tests/fixtures/result.json");

    fn one_line(json: &str) -> String {
        serde_json::to_string(&serde_json::from_str::<Value>(json).unwrap()).unwrap()
    }

    #[test]
    fn keys_say_what_their_objects_hold() {
        let run: RunId = "run-1".parse().unwrap();
        let key = results_key(Service::SqsFifo, &run, "req-1-0");
        assert_eq!(key, "results/sqs-fifo/run-1/req-1-0.jsonl");
        assert_eq!(Holds::of(&key), Some(Holds::Results(Service::SqsFifo)));
        let at = "2026-11-23T22:00:00Z".parse().unwrap();
        let key = errors_key(Service::Kinesis, at, "req");
        assert_eq!(key, "errors/kinesis/rejected/2026/11/23/req.jsonl");
        assert_eq!(Holds::of(&key), Some(Holds::Rejected(Service::Kinesis)));
        assert_eq!(
            Holds::of("results/firehose/2026/11/23/22/eventlab-events-1-x"),
            Some(Holds::Results(Service::Firehose))
        );
        assert_eq!(
            Holds::of("errors/firehose/processing-failed/2026/11/23/22/x"),
            Some(Holds::Rejected(Service::Firehose))
        );
        assert_eq!(Holds::of("errors/sqs/other/x"), None);
        assert_eq!(Holds::of("results/kafka/run/x"), None);
    }

    #[test]
    fn firehose_runs_are_found_by_time_the_others_by_folder() {
        let run: RunId = "r".parse().unwrap();
        let since = "2026-11-23T22:10:00Z".parse().unwrap();
        assert_eq!(
            results_location(Service::Firehose, &run, since),
            (
                "results/firehose/".to_owned(),
                Some("results/firehose/2026/11/23/22/".to_owned())
            )
        );
        assert_eq!(
            results_location(Service::Sqs, &run, since),
            ("results/sqs/r/".to_owned(), None)
        );
    }

    #[test]
    fn every_shape_is_kept_and_a_bad_line_stops_nothing() {
        let (event, result) = (one_line(EVENT), one_line(RESULT));
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{event}\n"));
        let firehose_error = format!(r#"{{"rawData":"{encoded}","errorCode":"Lambda.FunctionError"}}"#);
        let rejected = r#"{"reason":"not a lab event","record_id":"m-1","raw":"x","received_at":"2026-11-23T10:15:30Z","transformer":"t","request_id":"r"}"#;
        let body = format!(
            "{result}\nnot json at all\n{event}{event}\n\n{firehose_error}\n{{\"reason\":\"bad\"}}\n{rejected}\n{result}\n"
        );
        let contents = Contents::read(body.as_bytes());
        assert_eq!(contents.results.len(), 2, "the result after the bad line is read too");
        assert_eq!(contents.raw.len(), 2, "two values back to back on one line");
        assert_eq!(contents.firehose_errors.len(), 1);
        assert_eq!(contents.rejected[0].record_id, "m-1");
        assert_eq!((contents.other, contents.unreadable), (1, 1));
        assert_eq!((contents.count(), contents.not_results()), (8, 6));
    }
}
