//! The SQS FIFO lane: an event source mapping (batches of at most 10) with
//! `ReportBatchItemFailures` invokes this. Lambda hands a message group to one invocation
//! at a time, in order; the handler keeps that order by writing in delivery order and
//! stopping at the first failed write.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use eventlab_schema::{Position, Service};

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// Handles one batch; the response names the message whose write failed and every message
/// after it, which SQS redelivers in the same order.
pub async fn handle(event: SqsEvent, invocation: &Invocation, sink: &impl ObjectSink) -> SqsBatchResponse {
    let records = event
        .records
        .into_iter()
        .map(|mut message| {
            let mut attribute = |name: &str| message.attributes.remove(name).unwrap_or_default();
            let (group, sequence) = (attribute("MessageGroupId"), attribute("SequenceNumber"));
            Incoming {
                attempt: attribute("ApproximateReceiveCount").parse().unwrap_or(1),
                // The group is the ordering scope; sequence numbers rise within it.
                position: Some(Position { scope: group, sequence }),
                record_id: message.message_id.unwrap_or_default(),
                payload: message.body.unwrap_or_default().into_bytes(),
            }
        })
        .collect();
    let outcome = batch::process_in_order(Service::SqsFifo, records, invocation, sink).await;
    let mut response = SqsBatchResponse::default();
    response.set_failures(outcome.retry);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::tests::{MemorySink, event_json, invocation};

    fn message(id: &str, group: &str, sequence: &str, body: &[u8]) -> serde_json::Value {
        serde_json::json!({
            "messageId": id,
            "receiptHandle": format!("handle-{id}"),
            "body": String::from_utf8_lossy(body),
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1795428930123",
                "SequenceNumber": sequence,
                "MessageGroupId": group,
                "SenderId": "AIDAEXAMPLE",
                "MessageDeduplicationId": format!("dedup-{id}"),
                "ApproximateFirstReceiveTimestamp": "1795428930150"
            },
            "messageAttributes": {},
            "md5OfBody": "0",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:eventlab-events.fifo",
            "awsRegion": "us-east-1"
        })
    }

    fn fifo_event(run: &str, seq: u32) -> Vec<u8> {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, seq)).unwrap();
        event["service"] = "sqs-fifo".into();
        serde_json::to_vec(&event).unwrap()
    }

    fn batch(messages: &[serde_json::Value]) -> SqsEvent {
        serde_json::from_value(serde_json::json!({ "Records": messages })).unwrap()
    }

    #[tokio::test]
    async fn results_keep_their_group_and_sequence_and_the_malformed_one_is_acknowledged() {
        let sink = MemorySink::default();
        let event = batch(&[
            message("m1", "ids-001-100", "18880000000000000001", &fifo_event("run-f", 0)),
            message("m2", "ids-001-100", "18880000000000000002", b"garbage"),
            message("m3", "ids-001-100", "18880000000000000003", &fifo_event("run-f", 1)),
        ]);
        let response = handle(event, &invocation(), &sink).await;

        assert!(response.batch_item_failures.is_empty());
        let results = sink.lines("results/sqs-fifo/run-f/");
        assert_eq!(results.len(), 2);
        assert_eq!(results[1]["position"]["scope"], "ids-001-100");
        assert_eq!(results[1]["position"]["sequence"], "18880000000000000003");
        assert_eq!(sink.lines("errors/sqs-fifo/")[0]["record_id"], "m2");
    }

    #[tokio::test]
    async fn a_failed_write_reports_that_message_and_everything_after_it() {
        let sink = MemorySink {
            fail_prefix: Some("results/sqs-fifo/run-b/"),
            ..MemorySink::default()
        };
        let event = batch(&[
            message("a", "ids-001-100", "1", &fifo_event("run-a", 0)),
            message("b", "ids-101-200", "2", &fifo_event("run-b", 0)),
            message("c", "ids-001-100", "3", &fifo_event("run-a", 1)),
        ]);
        let response = handle(event, &invocation(), &sink).await;
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["b", "c"]);
        assert_eq!(sink.lines("results/sqs-fifo/run-a/").len(), 1, "c waits for b");
    }
}
