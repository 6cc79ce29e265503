//! What the generator published, read from its own log lines in CloudWatch Logs: after
//! each request it logs one `published` line per lane with the counts. The same reader
//! works on AWS and the emulator; it sees what went through the API (a learner's curl, a
//! bench run), not what the bench publishes straight to a service (`--via direct`).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use anyhow::Result;
use chrono::{DateTime, Utc};
use eventlab_measure::usage::LogEvent;
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
    /// When the watch started: lines stamped before it were published before the watch
    /// and are never counted (their events may have landed before it too).
    floor_ms: i64,
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
            floor_ms: since_ms,
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
        Ok(self.take(events))
    }

    /// The lines among `events` not counted yet, stamped since the watch began.
    fn take(&mut self, events: Vec<LogEvent>) -> Vec<PublishedLine> {
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
            if event.timestamp_ms >= self.floor_ms {
                lines.extend(parse(&event.message));
            }
        }
        self.from_ms = newest;
        let keep_from = newest - LOOKBACK_MS;
        self.counted.retain(|_, timestamp| *timestamp >= keep_from);
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(at_ms: i64, id: &str, count: u64) -> LogEvent {
        LogEvent {
            event_id: Some(id.to_owned()),
            timestamp_ms: at_ms,
            message: format!(
                r#"{{"level":"INFO","fields":{{"message":"published","service":"sqs","published":{count},"failed":0}}}}"#
            ),
        }
    }

    /// Lines of requests made before the watch began are read (the look-back may return
    /// them) but never counted: their events may have landed before the watch, so they
    /// would stay "in flight" for ever.
    #[tokio::test]
    async fn what_was_published_before_the_watch_began_is_not_counted() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let start = 1_000_000;
        let mut reader = PublishedReader::new(aws_sdk_cloudwatchlogs::Client::new(&config), "g", start);
        let first = reader.take(vec![published(start - 5_000, "a", 12), published(start + 10, "b", 3)]);
        assert_eq!(first.iter().map(|l| l.published).collect::<Vec<_>>(), [3]);
        // The same events again (the look-back) and one new: only the new one counts.
        let second = reader.take(vec![
            published(start - 5_000, "a", 12),
            published(start + 10, "b", 3),
            published(start + 20, "c", 4),
        ]);
        assert_eq!(second.iter().map(|l| l.published).collect::<Vec<_>>(), [4]);
    }

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
