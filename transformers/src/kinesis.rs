//! The Kinesis lane: an event source mapping with `ReportBatchItemFailures` invokes this.
//!
//! Lambda resumes a shard from the lowest sequence number reported, so a failed write
//! redelivers that record and the ones after it: Kinesis is at-least-once, and the
//! bench counts the duplicates this can cause.

use aws_lambda_events::event::kinesis::KinesisEvent;
use aws_lambda_events::event::streams::KinesisEventResponse;
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// Handles one shard batch; the response names only the records to redeliver.
pub async fn handle(event: KinesisEvent, invocation: &Invocation, sink: &impl ObjectSink) -> KinesisEventResponse {
    let records = event
        .records
        .into_iter()
        .map(|record| {
            // `eventID` is `<shard id>:<sequence number>`: sequence numbers order records
            // within their shard only.
            let shard = record
                .event_id
                .as_deref()
                .and_then(|id| id.split_once(':'))
                .map_or_else(String::new, |(shard, _)| shard.to_owned());
            Incoming {
                position: Some(eventlab_schema::Position {
                    scope: shard,
                    sequence: record.kinesis.sequence_number.clone(),
                }),
                record_id: record.kinesis.sequence_number,
                payload: record.kinesis.data.to_vec(),
                // Kinesis does not say how often a record was delivered.
                attempt: 1,
            }
        })
        .collect();
    let outcome = batch::process(Service::Kinesis, records, invocation, sink).await;
    let mut response = KinesisEventResponse::default();
    response.set_failures(outcome.retry);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::tests::{MemorySink, event_json, invocation};

    /// A shard batch of the given payloads, sequence numbers 1, 2, 3, …
    fn shard_batch(payloads: &[Vec<u8>]) -> KinesisEvent {
        use base64::Engine;
        let records: Vec<serde_json::Value> = payloads
            .iter()
            .enumerate()
            .map(|(i, payload)| {
                serde_json::json!({
                    "awsRegion": "us-east-1",
                    "eventID": format!("shardId-000000000000:{}", i + 1),
                    "eventName": "aws:kinesis:record",
                    "eventSource": "aws:kinesis",
                    "eventSourceARN": "arn:aws:kinesis:us-east-1:000000000000:stream/eventlab-events",
                    "eventVersion": "1.0",
                    "invokeIdentityArn": "arn:aws:iam::000000000000:role/eventlab-transform-kinesis",
                    "kinesis": {
                        "approximateArrivalTimestamp": 1_795_428_930.123,
                        "data": base64::engine::general_purpose::STANDARD.encode(payload),
                        "kinesisSchemaVersion": "1.0",
                        "partitionKey": "417",
                        "sequenceNumber": format!("{}", i + 1)
                    }
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    fn kinesis_event(run: &str, seq: u32) -> Vec<u8> {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, seq)).unwrap();
        event["service"] = "kinesis".into();
        serde_json::to_vec(&event).unwrap()
    }

    #[tokio::test]
    async fn decodes_records_writes_results_and_rejects_the_malformed_one() {
        let sink = MemorySink::default();
        let batch = shard_batch(&[
            kinesis_event("run-k", 0),
            b"garbage".to_vec(),
            kinesis_event("run-k", 1),
        ]);
        let response = handle(batch, &invocation(), &sink).await;

        assert!(response.batch_item_failures.is_empty());
        let results = sink.lines("results/kinesis/run-k/");
        assert_eq!(results.len(), 2);
        assert_eq!(results[1]["event"]["seq"], 1);
        assert_eq!(results[0]["batch_size"], 3);
        // Each result keeps its shard and sequence number, for the bench's order check.
        assert_eq!(results[1]["position"]["scope"], "shardId-000000000000");
        assert_eq!(results[1]["position"]["sequence"], "3");
        assert_eq!(sink.lines("errors/kinesis/")[0]["record_id"], "2");
    }

    #[tokio::test]
    async fn a_failed_write_reports_those_sequence_numbers() {
        let sink = MemorySink {
            fail_prefix: Some("results/kinesis/run-b/"),
            ..MemorySink::default()
        };
        let batch = shard_batch(&[
            kinesis_event("run-a", 0),
            kinesis_event("run-b", 0),
            kinesis_event("run-b", 1),
        ]);
        let response = handle(batch, &invocation(), &sink).await;
        let failed: Vec<Option<&str>> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_deref())
            .collect();
        assert_eq!(failed, [Some("2"), Some("3")]);
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["batchItemFailures"][0]["itemIdentifier"], "2");
    }
}
