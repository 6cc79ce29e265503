//! Batch handling shared by the lanes: parse, transform, group by run, write one object
//! per run and invocation, and account for what failed.
//!
//! Two kinds of failure are kept apart on purpose. A malformed record can never succeed,
//! so it is written under `errors/` and acknowledged. A failed write may succeed later, so
//! its records are returned for the service to redeliver, and only those.

use std::collections::BTreeMap;
use std::future::Future;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use eventlab_schema::results;
use eventlab_schema::{ErrorRecord, LabEvent, ResultRecord, RunId, Service, Transformation, millis_between};

use aws_sdk_s3::primitives::ByteStream;

/// What a handler knows about the invocation it is serving.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub function_name: String,
    pub received_at: DateTime<Utc>,
    pub cold_start: bool,
}

impl Invocation {
    /// Builds the invocation metadata from the runtime's context, at receipt time.
    pub fn from_context(context: &lambda_runtime::Context, cold_start: &ColdStart) -> Self {
        Self {
            request_id: context.request_id.clone(),
            function_name: context.env_config.function_name.clone(),
            received_at: Utc::now(),
            cold_start: cold_start.take(),
        }
    }
}

/// Tells the first invocation of an execution environment from the rest.
#[derive(Debug)]
pub struct ColdStart(AtomicBool);

impl ColdStart {
    pub const fn new() -> Self {
        Self(AtomicBool::new(true))
    }

    /// True on the first call only.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

impl Default for ColdStart {
    fn default() -> Self {
        Self::new()
    }
}

/// The transformation every lane applies: deterministic, so results can be checked.
pub fn transform(event: &LabEvent) -> Transformation {
    let words: Vec<&str> = event.random_fact.split_whitespace().collect();
    let id_band = match event.id {
        0..=333 => "low",
        334..=666 => "mid",
        _ => "high",
    };
    Transformation {
        fact_word_count: words.len(),
        fact_normalised: words.join(" ").to_lowercase(),
        id_band: id_band.to_owned(),
    }
}

/// One record of a batch, as the service delivered it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The service's id for the record; it is what a batch item failure reports.
    pub record_id: String,
    pub payload: Vec<u8>,
    /// Delivery attempt as the service reports it (1 where unknown).
    pub attempt: u32,
    /// The record's place in the service's promised order, where it has one.
    pub position: Option<eventlab_schema::Position>,
}

/// What became of a batch.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// Records whose write failed: to be redelivered.
    pub retry: Vec<String>,
    /// Events written to `results/`.
    pub written: usize,
    /// Malformed records written to `errors/`.
    pub rejected: usize,
}

/// `errors/<service>/rejected/<yyyy>/<mm>/<dd>/<request_id>.jsonl` ([`results::errors_key`]):
/// records the transformer rejected (apart from `errors/firehose/<error-output-type>/…`,
/// which Firehose itself writes).
pub fn errors_key(service: Service, invocation: &Invocation) -> String {
    results::errors_key(service, invocation.received_at, &invocation.request_id)
}

/// One record after parsing: a result to write, or a record rejected with its reason.
#[derive(Debug)]
pub enum Prepared {
    Result(ResultRecord),
    Rejected(ErrorRecord),
}

/// Parses and transforms one record, or says why it can never be a result.
pub fn prepare(service: Service, record: &Incoming, batch_size: usize, invocation: &Invocation) -> Prepared {
    match parse_for(service, &record.payload) {
        Ok(event) => Prepared::Result(ResultRecord {
            transformed: transform(&event),
            received_at: invocation.received_at,
            transformer: invocation.function_name.clone(),
            request_id: invocation.request_id.clone(),
            batch_size,
            cold_start: invocation.cold_start,
            attempt: record.attempt,
            e2e_ms: millis_between(event.time, invocation.received_at),
            position: record.position.clone(),
            event,
        }),
        Err(reason) => {
            tracing::warn!(record_id = %record.record_id, %reason, "rejecting malformed record");
            Prepared::Rejected(ErrorRecord {
                reason,
                raw: String::from_utf8_lossy(&record.payload).into_owned(),
                record_id: record.record_id.clone(),
                received_at: invocation.received_at,
                transformer: invocation.function_name.clone(),
                request_id: invocation.request_id.clone(),
            })
        }
    }
}

/// Parses, transforms and writes one batch from `service`.
pub async fn process(
    service: Service,
    records: Vec<Incoming>,
    invocation: &Invocation,
    sink: &impl ObjectSink,
) -> Outcome {
    let batch_size = records.len();
    let mut runs: BTreeMap<RunId, (Vec<u8>, Vec<String>)> = BTreeMap::new();
    let mut errors = (Vec::new(), Vec::new());
    for record in records {
        match prepare(service, &record, batch_size, invocation) {
            Prepared::Result(result) => {
                let (lines, ids) = runs.entry(result.event.run_id.clone()).or_default();
                push_line(lines, &result);
                ids.push(record.record_id);
            }
            Prepared::Rejected(error) => {
                push_line(&mut errors.0, &error);
                errors.1.push(record.record_id);
            }
        }
    }

    let mut outcome = Outcome::default();
    for (run_id, (body, ids)) in runs {
        let key = results::results_key(service, &run_id, &invocation.request_id);
        write(sink, &key, body, ids, &mut outcome.retry, &mut outcome.written).await;
    }
    if !errors.1.is_empty() {
        let key = errors_key(service, invocation);
        write(
            sink,
            &key,
            errors.0,
            errors.1,
            &mut outcome.retry,
            &mut outcome.rejected,
        )
        .await;
    }
    tracing::info!(
        %service,
        batch_size,
        written = outcome.written,
        rejected = outcome.rejected,
        retry = outcome.retry.len(),
        "batch processed"
    );
    outcome
}

/// Like [`process`], for a service that promises order (SQS FIFO): the batch is written in
/// delivery order, as runs of consecutive records bound for the same object, and the first
/// failed write stops it. That record and every one after it are returned for redelivery,
/// none of them written, so a retry can neither reorder a group nor write a result twice.
pub async fn process_in_order(
    service: Service,
    records: Vec<Incoming>,
    invocation: &Invocation,
    sink: &impl ObjectSink,
) -> Outcome {
    let batch_size = records.len();
    // Consecutive records with the same destination: `Some(run)` for results, `None` for errors.
    let mut segments: Vec<(Option<RunId>, Vec<u8>, Vec<String>)> = Vec::new();
    for record in records {
        let (destination, line) = match prepare(service, &record, batch_size, invocation) {
            Prepared::Result(result) => {
                let mut line = Vec::new();
                push_line(&mut line, &result);
                (Some(result.event.run_id), line)
            }
            Prepared::Rejected(error) => {
                let mut line = Vec::new();
                push_line(&mut line, &error);
                (None, line)
            }
        };
        match segments.last_mut() {
            Some((last, body, ids)) if *last == destination => {
                body.extend(line);
                ids.push(record.record_id);
            }
            _ => segments.push((destination, line, vec![record.record_id])),
        }
    }

    let mut outcome = Outcome::default();
    for (part, (destination, body, ids)) in segments.into_iter().enumerate() {
        if !outcome.retry.is_empty() {
            outcome.retry.extend(ids);
            continue;
        }
        // One object per segment: a batch can hold several segments of the same run.
        let name = format!("{}-{part}", invocation.request_id);
        let (key, done) = match &destination {
            Some(run_id) => (results::results_key(service, run_id, &name), &mut outcome.written),
            None => (
                results::errors_key(service, invocation.received_at, &name),
                &mut outcome.rejected,
            ),
        };
        write(sink, &key, body, ids, &mut outcome.retry, done).await;
    }
    tracing::info!(
        %service,
        batch_size,
        written = outcome.written,
        rejected = outcome.rejected,
        retry = outcome.retry.len(),
        "batch processed in order"
    );
    outcome
}

fn parse_for(service: Service, payload: &[u8]) -> Result<LabEvent, String> {
    let event = LabEvent::from_json(payload).map_err(|e| format!("not a lab event: {e}"))?;
    if event.service != service {
        return Err(format!("event for {} arrived on {service}", event.service));
    }
    Ok(event)
}

/// One JSON line: the value and a newline.
pub fn push_line(buffer: &mut Vec<u8>, value: &impl serde::Serialize) {
    serde_json::to_writer(&mut *buffer, value).expect("schema types always serialise");
    buffer.push(b'\n');
}
async fn write(
    sink: &impl ObjectSink,
    key: &str,
    body: Vec<u8>,
    ids: Vec<String>,
    retry: &mut Vec<String>,
    done: &mut usize,
) {
    match sink.put(key, body).await {
        Ok(()) => *done += ids.len(),
        Err(err) => {
            tracing::error!(error = %err, records = ids.len(), "write failed; records will be redelivered");
            retry.extend(ids);
        }
    }
}

// Where results go: S3 in the product, behind a one-method trait so batch handling can be
// tested without a network.
#[derive(Debug, thiserror::Error)]
#[error("writing s3://{bucket}/{key} failed: {message}")]
pub struct SinkError {
    pub bucket: String,
    pub key: String,
    pub message: String,
}

/// Stores one object. Implementations must be safe to retry: keys are unique per invocation.
pub trait ObjectSink: Send + Sync {
    fn put(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Writes JSON Lines objects to the results bucket.
#[derive(Debug, Clone)]
pub struct S3Sink {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Sink {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }
}

impl ObjectSink for S3Sink {
    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), SinkError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/x-ndjson")
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| SinkError {
                bucket: self.bucket.clone(),
                key: key.to_owned(),
                message: aws_sdk_s3::error::DisplayErrorContext(err).to_string(),
            })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Mutex;

    use chrono::Utc;

    use super::SinkError;
    use super::*;

    /// Records every put; fails those whose key starts with `fail_prefix`.
    #[derive(Debug, Default)]
    pub(crate) struct MemorySink {
        pub objects: Mutex<BTreeMap<String, Vec<u8>>>,
        pub fail_prefix: Option<&'static str>,
    }

    impl ObjectSink for MemorySink {
        async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), SinkError> {
            if self.fail_prefix.is_some_and(|prefix| key.starts_with(prefix)) {
                return Err(SinkError {
                    bucket: "memory".into(),
                    key: key.into(),
                    message: "injected".into(),
                });
            }
            self.objects.lock().unwrap().insert(key.to_owned(), body);
            Ok(())
        }
    }

    impl MemorySink {
        pub(crate) fn lines(&self, key_prefix: &str) -> Vec<serde_json::Value> {
            let objects = self.objects.lock().unwrap();
            objects
                .iter()
                .filter(|(key, _)| key.starts_with(key_prefix))
                .flat_map(|(_, body)| {
                    serde_json::Deserializer::from_slice(body)
                        .into_iter()
                        .map(Result::unwrap)
                })
                .collect()
        }
    }

    pub(crate) fn invocation() -> Invocation {
        Invocation {
            request_id: "req-1".into(),
            function_name: "eventlab-transform-sqs".into(),
            received_at: Utc::now(),
            cold_start: true,
        }
    }

    pub(crate) fn event_json(run_id: &str, seq: u32) -> Vec<u8> {
        let mut event = LabEvent::from_json(include_bytes!("../../schema/tests/fixtures/event.json")).unwrap();
        event.run_id = run_id.parse().unwrap();
        event.seq = seq;
        event.event_id = uuid::Uuid::now_v7();
        event.to_json().into_bytes()
    }

    fn incoming(id: &str, payload: Vec<u8>) -> Incoming {
        Incoming {
            record_id: id.into(),
            payload,
            attempt: 1,
            position: None,
        }
    }

    #[tokio::test]
    async fn one_object_per_run_with_every_event_transformed() {
        let sink = MemorySink::default();
        let records = vec![
            incoming("m1", event_json("run-a", 0)),
            incoming("m2", event_json("run-b", 0)),
            incoming("m3", event_json("run-a", 1)),
        ];
        let outcome = process(Service::Sqs, records, &invocation(), &sink).await;

        assert_eq!(
            outcome,
            Outcome {
                retry: vec![],
                written: 3,
                rejected: 0
            }
        );
        let keys: Vec<String> = sink.objects.lock().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["results/sqs/run-a/req-1.jsonl", "results/sqs/run-b/req-1.jsonl"]);
        let run_a = sink.lines("results/sqs/run-a/");
        assert_eq!(run_a.len(), 2);
        assert_eq!(run_a[0]["batch_size"], 3);
        assert_eq!(run_a[0]["transformed"]["fact_word_count"], 10);
        assert_eq!(run_a[1]["event"]["seq"], 1);
        assert_eq!(run_a[0]["cold_start"], true);
    }

    #[tokio::test]
    async fn a_malformed_record_goes_to_errors_and_its_neighbours_land() {
        let sink = MemorySink::default();
        let records = vec![
            incoming("good-1", event_json("run-a", 0)),
            incoming("bad", b"{\"not\": \"an event\"}".to_vec()),
            incoming("good-2", event_json("run-a", 1)),
        ];
        let inv = invocation();
        let outcome = process(Service::Sqs, records, &inv, &sink).await;

        assert_eq!(
            outcome,
            Outcome {
                retry: vec![],
                written: 2,
                rejected: 1
            }
        );
        let errors = sink.lines("errors/sqs/");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["record_id"], "bad");
        assert_eq!(errors[0]["raw"], "{\"not\": \"an event\"}");
        assert!(errors[0]["reason"].as_str().unwrap().starts_with("not a lab event"));
        assert!(
            sink.objects
                .lock()
                .unwrap()
                .contains_key(&errors_key(Service::Sqs, &inv))
        );
    }

    #[tokio::test]
    async fn an_event_for_another_service_is_rejected() {
        let sink = MemorySink::default();
        let outcome = process(
            Service::Kinesis,
            vec![incoming("x", event_json("r", 0))],
            &invocation(),
            &sink,
        )
        .await;
        assert_eq!(outcome.rejected, 1);
        assert!(
            sink.lines("errors/kinesis/")[0]["reason"]
                .as_str()
                .unwrap()
                .contains("arrived on kinesis")
        );
    }

    #[tokio::test]
    async fn a_failed_write_returns_only_that_runs_records_for_retry() {
        let sink = MemorySink {
            fail_prefix: Some("results/sqs/run-b/"),
            ..MemorySink::default()
        };
        let records = vec![
            incoming("a1", event_json("run-a", 0)),
            incoming("b1", event_json("run-b", 0)),
            incoming("bad", b"nope".to_vec()),
            incoming("b2", event_json("run-b", 1)),
        ];
        let outcome = process(Service::Sqs, records, &invocation(), &sink).await;
        assert_eq!(
            outcome,
            Outcome {
                retry: vec!["b1".into(), "b2".into()],
                written: 1,
                rejected: 1
            }
        );
    }

    #[tokio::test]
    async fn in_order_writes_each_consecutive_segment_and_stops_at_the_first_failure() {
        let sink = MemorySink {
            fail_prefix: Some("results/sqs-fifo/run-b/"),
            ..MemorySink::default()
        };
        let fifo = |run: &str, seq| {
            let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, seq)).unwrap();
            event["service"] = "sqs-fifo".into();
            serde_json::to_vec(&event).unwrap()
        };
        let records = vec![
            incoming("a1", fifo("run-a", 0)),
            incoming("bad", b"nope".to_vec()),
            incoming("a2", fifo("run-a", 1)),
            incoming("b1", fifo("run-b", 0)),
            incoming("a3", fifo("run-a", 2)),
        ];
        let outcome = process_in_order(Service::SqsFifo, records, &invocation(), &sink).await;
        assert_eq!(
            outcome,
            Outcome {
                retry: vec!["b1".into(), "a3".into()],
                written: 2,
                rejected: 1
            },
            "b1 failed: a3 after it is not written, so redelivery keeps the order"
        );
        let keys: Vec<String> = sink.objects.lock().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(keys.contains(&"results/sqs-fifo/run-a/req-1-0.jsonl".to_owned()));
        assert!(keys.contains(&"results/sqs-fifo/run-a/req-1-2.jsonl".to_owned()));
        assert_eq!(sink.lines("results/sqs-fifo/run-a/").len(), 2);
        assert_eq!(sink.lines("errors/sqs-fifo/")[0]["record_id"], "bad");
    }

    #[tokio::test]
    async fn a_failed_error_write_retries_the_malformed_records_rather_than_lose_them() {
        let sink = MemorySink {
            fail_prefix: Some("errors/"),
            ..MemorySink::default()
        };
        let records = vec![
            incoming("ok", event_json("run-a", 0)),
            incoming("bad", b"nope".to_vec()),
        ];
        let outcome = process(Service::Sqs, records, &invocation(), &sink).await;
        assert_eq!(
            outcome,
            Outcome {
                retry: vec!["bad".into()],
                written: 1,
                rejected: 0
            }
        );
    }

    fn lab_event(id: u16, fact: &str) -> LabEvent {
        let mut event = LabEvent::from_json(include_bytes!("../../schema/tests/fixtures/event.json")).unwrap();
        event.id = id;
        event.random_fact = fact.to_owned();
        event
    }

    #[test]
    fn counts_words_and_folds_white_space() {
        let out = transform(&lab_event(417, "  Honey   never\tspoils\n"));
        assert_eq!(out.fact_word_count, 3);
        assert_eq!(out.fact_normalised, "honey never spoils");
        assert_eq!(out.id_band, "mid");
    }

    #[test]
    fn bands_split_the_id_range_in_three() {
        assert_eq!(transform(&lab_event(1, "a")).id_band, "low");
        assert_eq!(transform(&lab_event(333, "a")).id_band, "low");
        assert_eq!(transform(&lab_event(334, "a")).id_band, "mid");
        assert_eq!(transform(&lab_event(667, "a")).id_band, "high");
        assert_eq!(transform(&lab_event(1000, "a")).id_band, "high");
    }

    #[test]
    fn an_empty_fact_has_no_words() {
        let out = transform(&lab_event(5, "   "));
        assert_eq!(out.fact_word_count, 0);
        assert_eq!(out.fact_normalised, "");
    }
}

#[cfg(test)]
mod s3_sink_tests {
    use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    #[tokio::test]
    async fn puts_json_lines_under_the_given_key() {
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(|req| {
                req.bucket() == Some("results")
                    && req.key() == Some("results/sqs/r1/req.jsonl")
                    && req.content_type() == Some("application/x-ndjson")
            })
            .then_output(|| PutObjectOutput::builder().build());
        let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&put]);

        S3Sink::new(client, "results")
            .put("results/sqs/r1/req.jsonl", b"{}\n".to_vec())
            .await
            .unwrap();
        assert_eq!(put.num_calls(), 1);
    }

    #[tokio::test]
    async fn an_s3_error_names_the_object() {
        let put = mock!(aws_sdk_s3::Client::put_object).then_error(|| {
            PutObjectError::generic(
                aws_sdk_s3::error::ErrorMetadata::builder()
                    .code("SlowDown")
                    .message("reduce your request rate")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_s3, RuleMode::Sequential, &[&put]);

        let err = S3Sink::new(client, "results").put("k", Vec::new()).await.unwrap_err();
        assert_eq!(err.key, "k");
        assert!(err.to_string().contains("SlowDown"), "{err}");
    }
}
