//! What landed in the results bucket, learned from the bucket's own notices: S3 sends one
//! message per object created to the stack's `results-created` queue, and each poll
//! receives what is new there. A poll costs what arrived since the last one, however many
//! objects the bucket holds (a listing would cost one request per 1,000 stored keys).
//!
//! A notice is deleted once its object was read, so an object whose read failed comes back
//! after the queue's visibility timeout. Notices for objects created before the watch began
//! are deleted unread; S3 may send a notice twice, so keys read in the last [`SETTLE`] are
//! remembered.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// How long a key read is remembered, against a notice S3 sends twice.
pub const SETTLE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// Receives per poll at most (10 notices each): a poll stays short under any load.
const MAX_RECEIVES: usize = 40;
/// Seconds a received notice stays hidden: if its object cannot be read meanwhile, it
/// comes back for another try.
const VISIBILITY_S: i32 = 30;

/// An object that appeared since the last poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObject {
    pub key: String,
    pub last_modified: DateTime<Utc>,
    /// The notice to delete once the object is read.
    receipt: String,
}

/// Receives the bucket's notices and returns each new object once.
#[derive(Debug)]
pub struct BucketReader {
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    bucket: String,
    queue_url: String,
    /// Objects created before this are not counted.
    since: DateTime<Utc>,
    /// Keys read, with when, while younger than [`SETTLE`].
    read: HashMap<String, DateTime<Utc>>,
    /// Notices handled and not deleted yet.
    to_delete: Vec<String>,
    last_received: u64,
    visibility_s: i32,
}

impl BucketReader {
    /// A reader of `bucket`'s notices on `queue_url` that counts objects created after `since`.
    pub fn new(
        s3: aws_sdk_s3::Client,
        sqs: aws_sdk_sqs::Client,
        bucket: impl Into<String>,
        queue_url: impl Into<String>,
        since: DateTime<Utc>,
    ) -> Self {
        Self {
            s3,
            sqs,
            bucket: bucket.into(),
            queue_url: queue_url.into(),
            since,
            read: HashMap::new(),
            to_delete: Vec::new(),
            last_received: 0,
            visibility_s: VISIBILITY_S,
        }
    }

    /// How long a notice whose object was not read stays hidden before it comes back.
    #[must_use]
    pub fn retry_after(mut self, seconds: i32) -> Self {
        self.visibility_s = seconds;
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Notices received by the last poll.
    pub fn last_received(&self) -> u64 {
        self.last_received
    }

    /// Keys held so that none is read twice.
    pub fn remembered(&self) -> usize {
        self.read.len()
    }

    /// The objects created since the last poll, oldest first. Each must be
    /// [`mark_read`](Self::mark_read) once handled, or its notice comes back later.
    pub async fn poll(&mut self, now: DateTime<Utc>) -> Result<Vec<NewObject>> {
        self.delete_handled().await?;
        let mut fresh = Vec::new();
        let mut received = 0;
        for _ in 0..MAX_RECEIVES {
            let answer = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(self.visibility_s)
                .wait_time_seconds(0)
                .send()
                .await
                .map_err(eventlab_client::sdk_error)
                .with_context(|| format!("receiving the bucket's notices from {}", self.queue_url))?;
            let messages = answer.messages();
            if messages.is_empty() {
                break;
            }
            received += messages.len() as u64;
            for message in messages {
                let Some(receipt) = message.receipt_handle() else {
                    continue;
                };
                let created = created_objects(message.body().unwrap_or_default());
                let wanted: Vec<(String, DateTime<Utc>)> = created
                    .into_iter()
                    .filter(|(key, at)| *at >= self.since && !self.read.contains_key(key))
                    .collect();
                match wanted.as_slice() {
                    // Before the watch, a notice sent twice, or not a notice: done with it.
                    [] => self.to_delete.push(receipt.to_owned()),
                    [(key, at)] => fresh.push(NewObject {
                        key: key.clone(),
                        last_modified: *at,
                        receipt: receipt.to_owned(),
                    }),
                    // S3 sends one record per message; should one carry several, each is
                    // read, and the message deleted with the first.
                    many => {
                        for (i, (key, at)) in many.iter().enumerate() {
                            fresh.push(NewObject {
                                key: key.clone(),
                                last_modified: *at,
                                receipt: if i == 0 { receipt.to_owned() } else { String::new() },
                            });
                        }
                    }
                }
            }
        }
        self.last_received = received;
        self.read.retain(|_, at| *at >= now - SETTLE);
        fresh.sort_by(|a, b| a.last_modified.cmp(&b.last_modified).then_with(|| a.key.cmp(&b.key)));
        fresh.dedup_by(|a, b| a.key == b.key);
        Ok(fresh)
    }

    /// `object` was handled: its notice is deleted with the next poll, and the key is not
    /// returned again.
    pub fn mark_read(&mut self, object: &NewObject) {
        self.read.insert(object.key.clone(), object.last_modified);
        if !object.receipt.is_empty() {
            self.to_delete.push(object.receipt.clone());
        }
    }

    /// The object's bytes.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        eventlab_client::results::read_bytes(&self.s3, &self.bucket, key).await
    }

    async fn delete_handled(&mut self) -> Result<()> {
        for chunk in std::mem::take(&mut self.to_delete).chunks(10) {
            let entries: Vec<_> = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, receipt)| {
                    aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(receipt)
                        .build()
                        .ok()
                })
                .collect();
            // A notice that could not be deleted comes back, and its key is remembered.
            self.sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(eventlab_client::sdk_error)
                .context("deleting the bucket's notices")?;
        }
        Ok(())
    }
}

/// An S3 event notification, as much of it as the watch needs.
#[derive(Debug, Deserialize)]
struct Notice {
    #[serde(rename = "Records", default)]
    records: Vec<NoticeRecord>,
}

#[derive(Debug, Deserialize)]
struct NoticeRecord {
    #[serde(rename = "eventName", default)]
    event_name: String,
    #[serde(rename = "eventTime")]
    event_time: DateTime<Utc>,
    s3: NoticeS3,
}

#[derive(Debug, Deserialize)]
struct NoticeS3 {
    object: NoticeObject,
}

#[derive(Debug, Deserialize)]
struct NoticeObject {
    key: String,
}

/// The objects a notice says were created, with when; nothing for S3's test event or a
/// message that is not a notice. Keys arrive URL-encoded (a space as `+`).
fn created_objects(body: &str) -> Vec<(String, DateTime<Utc>)> {
    let Ok(notice) = serde_json::from_str::<Notice>(body) else {
        return Vec::new();
    };
    notice
        .records
        .into_iter()
        .filter(|r| r.event_name.starts_with("ObjectCreated:") || r.event_name.starts_with("s3:ObjectCreated:"))
        .map(|r| {
            let plus_decoded = r.s3.object.key.replace('+', " ");
            let key = percent_encoding::percent_decode_str(&plus_decoded)
                .decode_utf8_lossy()
                .into_owned();
            (key, r.event_time)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(event: &str, key: &str, at: &str) -> String {
        serde_json::json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": at, "eventName": event,
            "s3": {"bucket": {"name": "b"}, "object": {"key": key, "size": 10}}
        }]})
        .to_string()
    }

    #[test]
    fn a_created_object_is_read_from_its_notice_with_its_key_decoded() {
        let body = notice(
            "ObjectCreated:Put",
            "results/sqs/my+run/a%3Db.jsonl",
            "2026-11-28T10:00:00.123Z",
        );
        let created = created_objects(&body);
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].0, "results/sqs/my run/a=b.jsonl");
        assert_eq!(created[0].1.timestamp_millis() % 1000, 123);
    }

    #[test]
    fn test_events_removals_and_strangers_create_nothing() {
        let test_event = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-28T10:00:00Z","Bucket":"b"}"#;
        assert!(created_objects(test_event).is_empty());
        assert!(created_objects(&notice("ObjectRemoved:Delete", "k", "2026-11-28T10:00:00Z")).is_empty());
        assert!(created_objects("not json").is_empty());
        assert_eq!(
            created_objects(&notice("s3:ObjectCreated:Put", "k", "2026-11-28T10:00:00Z")).len(),
            1,
            "the emulator's spelling of the event name"
        );
    }
}
