//! The DynamoDB Streams lane: an event source mapping on the events table's stream (new
//! images) invokes this with `ReportBatchItemFailures`. Each event is one item, so the
//! stream's order per item key holds trivially; Lambda resumes a shard from the lowest
//! sequence number reported, like Kinesis.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// The item attribute that holds the event's JSON (the generator's `dynamodb::EVENT`).
pub const EVENT_ATTRIBUTE: &str = "event";

/// Handles one shard batch; the response names only the records to redeliver.
pub async fn handle(event: Event, invocation: &Invocation, sink: &impl ObjectSink) -> DynamoDbEventResponse {
    let records = event
        .records
        .into_iter()
        // TTL deletions (`REMOVE`) reach the stream too, a day later; they carry no event.
        // The mapping's filter drops them on AWS; this keeps them out anywhere.
        .filter(|record| record.event_name == "INSERT")
        .map(|record| {
            let sequence = record.change.sequence_number.unwrap_or_default();
            let payload = match record.change.new_image.get(EVENT_ATTRIBUTE) {
                Some(serde_dynamo::AttributeValue::S(json)) => json.clone().into_bytes(),
                // Kept whole in errors/, so the reader sees what arrived instead.
                _ => serde_json::to_vec(&record.change.new_image).unwrap_or_default(),
            };
            Incoming {
                record_id: sequence,
                payload,
                // The stream does not say how often a record was delivered.
                attempt: 1,
                position: None,
            }
        })
        .collect();
    let outcome = batch::process(Service::DynamoDb, records, invocation, sink).await;
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = outcome
        .retry
        .into_iter()
        .map(|sequence| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence);
            failure
        })
        .collect();
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::tests::{MemorySink, event_json, invocation};

    fn stream_record(name: &str, sequence: &str, event: Option<&[u8]>) -> serde_json::Value {
        let mut image = serde_json::json!({
            "event_id": { "S": format!("key-{sequence}") },
            "expires_at": { "N": "1795515330" }
        });
        if let Some(event) = event {
            image["event"] = serde_json::json!({ "S": String::from_utf8_lossy(event) });
        }
        serde_json::json!({
            "eventID": format!("id-{sequence}"),
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_795_428_930,
                "Keys": { "event_id": { "S": format!("key-{sequence}") } },
                "NewImage": image,
                "SequenceNumber": sequence,
                "SizeBytes": 512,
                "StreamViewType": "NEW_IMAGE"
            },
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/eventlab-events/stream/2026-11-23T10:00:00.000"
        })
    }

    fn item_event(run: &str, seq: u32) -> Vec<u8> {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, seq)).unwrap();
        event["service"] = "dynamodb".into();
        serde_json::to_vec(&event).unwrap()
    }

    fn batch(records: &[serde_json::Value]) -> Event {
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    #[tokio::test]
    async fn inserts_land_removals_are_skipped_and_an_item_without_an_event_is_rejected() {
        let sink = MemorySink::default();
        let event = batch(&[
            stream_record("INSERT", "100", Some(&item_event("run-d", 0))),
            stream_record("INSERT", "200", None),
            stream_record("REMOVE", "300", None),
            stream_record("INSERT", "400", Some(&item_event("run-d", 1))),
        ]);
        let response = handle(event, &invocation(), &sink).await;

        assert!(response.batch_item_failures.is_empty());
        let results = sink.lines("results/dynamodb/run-d/");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["batch_size"], 3, "the REMOVE is not part of the batch");
        let errors = sink.lines("errors/dynamodb/");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["record_id"], "200");
        assert!(errors[0]["raw"].as_str().unwrap().contains("key-200"));
    }

    #[tokio::test]
    async fn a_failed_write_reports_those_sequence_numbers() {
        let sink = MemorySink {
            fail_prefix: Some("results/dynamodb/run-b/"),
            ..MemorySink::default()
        };
        let event = batch(&[
            stream_record("INSERT", "1", Some(&item_event("run-a", 0))),
            stream_record("INSERT", "2", Some(&item_event("run-b", 0))),
        ]);
        let response = handle(event, &invocation(), &sink).await;
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(
            json["batchItemFailures"],
            serde_json::json!([{ "itemIdentifier": "2" }])
        );
    }
}
