//! What the generator published, read from its own log lines in CloudWatch Logs: after
//! each request it logs one `published` line per lane with the counts. The same reader
//! works on AWS and the emulator; it sees what went through the API (a learner's curl, a
//! bench run), not what the bench publishes straight to a service (`--via direct`).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use anyhow::Result;
use chrono::{DateTime, Utc};
use eventlab_schema::Service;
use serde::Deserialize;

/// How far back each read looks again: CloudWatch Logs may make an event readable a few
/// seconds after its timestamp, and several execution environments write at once.
const LOOKBACK_MS: i64 = 30_000;

/// One lane of one request, as the generator logged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedLine {
    pub service: Service,
    pub published: u64,
    pub failed: u64,
}

#[derive(Deserialize)]
struct JsonLine {
    fields: Fields,
}

#[derive(Deserialize)]
struct Fields {
    message: String,
    service: Option<String>,
    published: Option<u64>,
    failed: Option<u64>,
}

/// The counts in a `published` line; `None` for every other line.
pub fn parse(message: &str) -> Option<PublishedLine> {
    let line: JsonLine = serde_json::from_str(message.trim()).ok()?;
    if line.fields.message != "published" {
        return None;
    }
    Some(PublishedLine {
        service: line.fields.service?.parse().ok()?,
        published: line.fields.published?,
        failed: line.fields.failed.unwrap_or(0),
    })
}

/// Reads a log group's new `published` lines, each once.
#[derive(Debug)]
pub struct PublishedReader {
    logs: aws_sdk_cloudwatchlogs::Client,
    group: String,
    /// Reads start here, less [`LOOKBACK_MS`].
    from_ms: i64,
    /// Events already counted (by id, or by time and text where the service gives no id),
    /// with their timestamps, kept for the look-back.
    counted: HashMap<u64, i64>,
    lines_read: u64,
}

impl PublishedReader {
    pub fn new(logs: aws_sdk_cloudwatchlogs::Client, group: impl Into<String>, since_ms: i64) -> Self {
        Self {
            logs,
            group: group.into(),
            from_ms: since_ms,
            counted: HashMap::new(),
            lines_read: 0,
        }
    }

    pub fn lines_read(&self) -> u64 {
        self.lines_read
    }

    /// The `published` lines logged since the last read.
    pub async fn poll(&mut self) -> Result<Vec<PublishedLine>> {
        let from = DateTime::from_timestamp_millis((self.from_ms - LOOKBACK_MS).max(0)).unwrap_or_default();
        let events = eventlab_client::logs::read(&self.logs, &self.group, from, Utc::now()).await?;
        let mut lines = Vec::new();
        let mut newest = self.from_ms;
        for event in events {
            let mut identity = DefaultHasher::new();
            match &event.event_id {
                Some(id) => id.hash(&mut identity),
                None => (event.timestamp_ms, &event.message).hash(&mut identity),
            }
            if self.counted.insert(identity.finish(), event.timestamp_ms).is_some() {
                continue;
            }
            self.lines_read += 1;
            newest = newest.max(event.timestamp_ms);
            lines.extend(parse(&event.message));
        }
        self.from_ms = newest;
        let keep_from = newest - LOOKBACK_MS;
        self.counted.retain(|_, timestamp| *timestamp >= keep_from);
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_generators_published_lines_and_nothing_else() {
        let line = r#"{"level":"INFO","fields":{"message":"published","run_id":"run-1","service":"sqs-fifo","published":9,"failed":1},"span":{"requestId":"r"}}"#;
        assert_eq!(
            parse(line),
            Some(PublishedLine {
                service: Service::SqsFifo,
                published: 9,
                failed: 1
            })
        );
        for other in [
            r#"{"level":"INFO","fields":{"message":"reading targets","strategy":"ssm-at-init"}}"#,
            r#"{"level":"INFO","fields":{"message":"published","service":"kafka","published":1,"failed":0}}"#,
            "REPORT RequestId: r\tDuration: 1 ms",
            "",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
    }
}
