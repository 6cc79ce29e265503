//! The drill's books: where every published event is, read from what the services and the
//! transformers left behind. Pure functions over what the drill read from the stack.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use eventlab_schema::LabEvent;
use eventlab_schema::results::Contents;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One event found somewhere in the results bucket.
#[derive(Debug, Clone, PartialEq)]
pub enum InBucket {
    /// A transformer's result: the event landed (on this delivery attempt).
    Result { event: LabEvent, attempt: u32 },
    /// The event itself, untransformed, among the results: what the emulator's Firehose
    /// writes when its processor fails (AWS writes those to the error prefix instead).
    Raw(LabEvent),
    /// A record Firehose gave up on, under `errors/firehose/`: its `rawData` is the event.
    FirehoseError(LabEvent),
}

/// Every event in one object of the results bucket, whatever its shape, read by the
/// bucket's one reader ([`Contents::read`]); values that are none of them are skipped.
pub fn in_object(bytes: &[u8]) -> Vec<InBucket> {
    let contents = Contents::read(bytes);
    let results = contents.results.into_iter().map(|result| InBucket::Result {
        attempt: result.attempt,
        event: result.event,
    });
    results
        .chain(contents.raw.into_iter().map(InBucket::Raw))
        .chain(contents.firehose_errors.into_iter().map(InBucket::FirehoseError))
        .collect()
}

/// What one message of a dead-letter or on-failure queue holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Held {
    /// The event itself: an SQS message moved by its redrive policy, or the request payload
    /// of a Lambda on-failure record (EventBridge, SNS), or an SNS subscription's dead letter.
    Event(LabEvent),
    /// A stream's on-failure record (Kinesis, DynamoDB Streams): where the failed batch is,
    /// not its records; they stay in the stream for its retention.
    Pointer {
        records: u64,
        shard: String,
        first: String,
        last: String,
    },
    /// Anything else.
    Unknown,
}

/// The events or pointer in one failure-queue message body.
pub fn held_in(body: &str) -> Held {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Held::Unknown;
    };
    if let Ok(event) = serde_json::from_value::<LabEvent>(value.clone()) {
        return Held::Event(event);
    }
    for info in ["KinesisBatchInfo", "DDBStreamBatchInfo"] {
        if let Some(batch) = value.get(info) {
            let text = |k: &str| batch.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            return Held::Pointer {
                records: batch.get("batchSize").and_then(Value::as_u64).unwrap_or(0),
                shard: text("shardId"),
                first: text("startSequenceNumber"),
                last: text("endSequenceNumber"),
            };
        }
    }
    let payload = value.get("requestPayload").unwrap_or(&value);
    if let Some(event) = payload
        .get("detail")
        .and_then(|d| serde_json::from_value::<LabEvent>(d.clone()).ok())
    {
        return Held::Event(event);
    }
    let sns_message = payload
        .pointer("/Records/0/Sns/Message")
        .or_else(|| payload.get("Message"))
        .and_then(Value::as_str);
    sns_message
        .and_then(|m| serde_json::from_str::<LabEvent>(m).ok())
        .map_or(Held::Unknown, Held::Event)
}

/// What the drill has seen of one lane so far.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Deliveries of each landed event, and the highest attempt a result reports.
    pub landed: HashMap<Uuid, (u64, u32)>,
    pub raw: HashSet<Uuid>,
    pub firehose_errors: HashSet<Uuid>,
    /// Events of this drill in the lane's failure queue, by id.
    pub held: HashSet<Uuid>,
    /// Events of any run a stream's on-failure records point at (only their count is known).
    pub held_by_pointer: u64,
    /// Records the broken transformer refused (from its log), failed invocations.
    pub refused_records: u64,
    pub refused_invocations: u64,
    /// Messages in the lane's source queue, visible or in flight (SQS lanes only).
    pub source_queue: Option<u64>,
}

impl InBucket {
    pub fn event(&self) -> &LabEvent {
        match self {
            Self::Result { event, .. } | Self::Raw(event) | Self::FirehoseError(event) => event,
        }
    }
}

impl Seen {
    pub fn note(&mut self, found: &InBucket) {
        match found {
            InBucket::Result { event, attempt } => {
                let entry = self.landed.entry(event.event_id).or_insert((0, 0));
                entry.0 += 1;
                entry.1 = entry.1.max(*attempt);
            }
            InBucket::Raw(event) => {
                self.raw.insert(event.event_id);
            }
            InBucket::FirehoseError(event) => {
                self.firehose_errors.insert(event.event_id);
            }
        }
    }
}

/// One lane's books at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Books {
    pub published: u64,
    /// Distinct events with a result in S3.
    pub landed: u64,
    /// Results beyond the first for an event: at-least-once delivery showing.
    pub duplicates: u64,
    /// The highest delivery attempt any result reports (SQS's receive count; 1 elsewhere).
    pub max_attempt: u32,
    /// In the lane's dead-letter or on-failure queue.
    pub held: u64,
    /// Counted through stream on-failure records, which name a batch, not its events.
    pub held_by_pointer: u64,
    /// Written untransformed among the results (the emulator's Firehose, on processor error).
    pub passed_through: u64,
    /// Under Firehose's error prefix.
    pub firehose_errors: u64,
    /// Failed once and never retried: the emulator invokes EventBridge and SNS targets once
    /// (AWS retries twice, then the on-failure destination). The failures are the broken
    /// transformer's refusals, and the invocations the emulator killed in flight when the
    /// break was set or lifted (it stops running workers on a configuration change). Counted
    /// only on those lanes, once the consumer is restored, for events published before that,
    /// and only if the transformer refused something.
    pub dropped_by_emulator: u64,
    /// Published, and nowhere above yet: still in the service (a queue, a stream, a retry).
    pub waiting: u64,
    /// Age of the oldest waiting event, seconds: how far behind the lane is (iterator age
    /// or queue age, seen from outside).
    pub oldest_waiting_s: Option<f64>,
    pub refused_records: u64,
    pub refused_invocations: u64,
    pub source_queue: Option<u64>,
}

impl Books {
    /// Every published event is in one final place.
    pub fn balanced(&self) -> bool {
        self.waiting == 0
    }
}

/// The books of one lane: `published` are the events the service accepted, with when.
/// `drops_until` is, on a lane whose emulator does not retry a failed delivery, the moment
/// the consumer was restored: missing events published before it were dropped.
pub fn tally(
    published: &[(Uuid, DateTime<Utc>)],
    seen: &Seen,
    now: DateTime<Utc>,
    drops_until: Option<DateTime<Utc>>,
) -> (Books, Vec<Uuid>) {
    let mut books = Books {
        published: published.len() as u64,
        held_by_pointer: seen.held_by_pointer,
        refused_records: seen.refused_records,
        refused_invocations: seen.refused_invocations,
        source_queue: seen.source_queue,
        ..Books::default()
    };
    let mut waiting = Vec::new();
    let mut oldest: Option<DateTime<Utc>> = None;
    let mut newest: Option<DateTime<Utc>> = None;
    for (id, at) in published {
        if let Some((deliveries, attempt)) = seen.landed.get(id) {
            books.landed += 1;
            books.duplicates += deliveries - 1;
            books.max_attempt = books.max_attempt.max(*attempt);
        } else if seen.firehose_errors.contains(id) {
            books.firehose_errors += 1;
        } else if seen.held.contains(id) {
            books.held += 1;
        } else if seen.raw.contains(id) {
            books.passed_through += 1;
        } else {
            waiting.push(*id);
            oldest = Some(oldest.map_or(*at, |o| o.min(*at)));
            newest = Some(newest.map_or(*at, |n| n.max(*at)));
        }
    }
    // Pointer records name batches of any run: they account for at most what is missing.
    let mut unexplained = (waiting.len() as u64).saturating_sub(seen.held_by_pointer);
    let all_before = |until: DateTime<Utc>| newest.is_some_and(|n| n < until);
    if unexplained > 0 && seen.refused_records > 0 && drops_until.is_some_and(all_before) {
        books.dropped_by_emulator = unexplained;
        unexplained = 0;
    }
    books.waiting = unexplained;
    if unexplained > 0 {
        #[allow(clippy::cast_precision_loss)]
        let age = oldest.map(|o| (now - o).num_milliseconds() as f64 / 1000.0);
        books.oldest_waiting_s = age;
    } else {
        waiting.clear();
    }
    (books, waiting)
}

#[cfg(test)]
mod tests {
    use eventlab_schema::{FactSource, Service};

    use base64::Engine;

    use super::*;

    /// A fresh event, as it reads back from JSON (times keep microseconds).
    fn event(service: Service) -> LabEvent {
        let mut built = LabEvent::from_json(include_bytes!("../../../schema/tests/fixtures/event.json")).unwrap();
        built.service = service;
        built.event_id = Uuid::now_v7();
        built.run_id = "drill-test".parse().unwrap();
        built.fact_source = FactSource::Fallback;
        serde_json::from_str(&serde_json::to_string(&built).unwrap()).unwrap()
    }

    #[test]
    fn finds_events_in_each_shape_the_bucket_holds() {
        let raw = event(Service::Firehose);
        let failed = event(Service::Firehose);
        let error_record = serde_json::json!({
            "attemptsMade": 4,
            "errorCode": "Lambda.FunctionError",
            "rawData": base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&failed).unwrap()),
        });
        let mut object = serde_json::to_vec(&raw).unwrap();
        object.extend(serde_json::to_vec(&error_record).unwrap());
        object.extend(b"\n{\"something\":\"else\"}\n");
        assert_eq!(
            in_object(&object),
            [InBucket::Raw(raw), InBucket::FirehoseError(failed)]
        );
    }

    #[test]
    fn reads_the_event_out_of_every_kind_of_dead_letter() {
        let e = event(Service::Sqs);
        let body = serde_json::to_string(&e).unwrap();
        assert_eq!(held_in(&body), Held::Event(e.clone()));
        // Lambda's on-failure record for an asynchronous invocation (EventBridge, SNS).
        let eventbridge = serde_json::json!({
            "version": "1.0",
            "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": {"source": "eventlab.generator", "detail-type": "LabEvent", "detail": e},
        });
        assert_eq!(held_in(&eventbridge.to_string()), Held::Event(e.clone()));
        let sns = serde_json::json!({
            "requestPayload": {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": body}}]},
        });
        assert_eq!(held_in(&sns.to_string()), Held::Event(e.clone()));
        let kinesis = serde_json::json!({
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "KinesisBatchInfo": {"shardId": "shardId-000000000000", "startSequenceNumber": "1", "endSequenceNumber": "9", "batchSize": 9},
        });
        assert_eq!(
            held_in(&kinesis.to_string()),
            Held::Pointer {
                records: 9,
                shard: "shardId-000000000000".into(),
                first: "1".into(),
                last: "9".into()
            }
        );
        assert_eq!(held_in("not json"), Held::Unknown);
    }

    #[test]
    fn every_event_is_counted_once_in_its_final_place() {
        let at = Utc::now();
        let ids: Vec<(Uuid, DateTime<Utc>)> = (0..6)
            .map(|i| (Uuid::now_v7(), at + chrono::Duration::seconds(i)))
            .collect();
        let mut seen = Seen::default();
        seen.landed.insert(ids[0].0, (2, 2));
        seen.landed.insert(ids[1].0, (1, 1));
        seen.held.insert(ids[2].0);
        seen.raw.insert(ids[3].0);
        seen.firehose_errors.insert(ids[3].0);
        let (books, waiting) = tally(&ids, &seen, at + chrono::Duration::seconds(10), None);
        assert_eq!(
            (
                books.landed,
                books.duplicates,
                books.max_attempt,
                books.held,
                books.firehose_errors,
                books.passed_through
            ),
            (2, 1, 2, 1, 1, 0)
        );
        assert_eq!(books.waiting, 2);
        assert_eq!(waiting, [ids[4].0, ids[5].0]);
        assert_eq!(books.oldest_waiting_s, Some(6.0));
        assert!(!books.balanced());
    }

    #[test]
    fn missing_events_are_put_down_to_the_emulator_only_after_the_restore_and_a_refusal() {
        let at = Utc::now();
        let ids: Vec<(Uuid, DateTime<Utc>)> = (0..3)
            .map(|i| (Uuid::now_v7(), at + chrono::Duration::seconds(i)))
            .collect();
        let mut seen = Seen {
            refused_records: 1,
            ..Seen::default()
        };
        seen.landed.insert(ids[0].0, (1, 1));
        let restored = at + chrono::Duration::seconds(5);
        let (books, _) = tally(&ids, &seen, restored, Some(restored));
        assert_eq!((books.dropped_by_emulator, books.waiting), (2, 0));
        assert!(books.balanced());
        // Before the restore, or on a lane whose emulator retries, they are still waiting.
        assert_eq!(tally(&ids, &seen, restored, None).0.waiting, 2);
        // An event published after the restore must land.
        let early = at + chrono::Duration::seconds(2);
        let (books, waiting) = tally(&ids, &seen, restored, Some(early));
        assert_eq!((books.dropped_by_emulator, books.waiting, waiting.len()), (0, 2, 2));
        // Nothing refused: the break never reached the lane, so nothing was dropped by it.
        seen.refused_records = 0;
        assert_eq!(tally(&ids, &seen, restored, Some(restored)).0.waiting, 2);
    }
}
