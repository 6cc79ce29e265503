//! The SQS lane: an event source mapping with `ReportBatchItemFailures` invokes this.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// Handles one SQS batch; the response names only the messages to redeliver.
pub async fn handle(event: SqsEvent, invocation: &Invocation, sink: &impl ObjectSink) -> SqsBatchResponse {
    let records = event
        .records
        .into_iter()
        .map(|message| Incoming {
            attempt: message
                .attributes
                .get("ApproximateReceiveCount")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            // Without a message id a record cannot be reported as failed; SQS always sets one.
            record_id: message.message_id.unwrap_or_default(),
            payload: message.body.unwrap_or_default().into_bytes(),
            // A standard queue promises no order.
            position: None,
        })
        .collect();
    let outcome = batch::process(Service::Sqs, records, invocation, sink).await;
    let mut response = SqsBatchResponse::default();
    response.set_failures(outcome.retry);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::tests::{MemorySink, invocation};

    fn fixture() -> SqsEvent {
        serde_json::from_str(include_str!("../tests/fixtures/sqs-event.json")).unwrap()
    }

    #[tokio::test]
    async fn good_messages_land_and_the_malformed_one_is_acknowledged_into_errors() {
        let sink = MemorySink::default();
        let response = handle(fixture(), &invocation(), &sink).await;

        assert!(response.batch_item_failures.is_empty(), "nothing is transient here");
        let results = sink.lines("results/sqs/fixture-run/");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["attempt"], 1);
        assert_eq!(results[1]["attempt"], 2, "ApproximateReceiveCount is carried over");
        assert_eq!(results[0]["batch_size"], 3);
        let errors = sink.lines("errors/sqs/");
        assert_eq!(errors[0]["record_id"], "c3d1e2f0-0000-4000-8000-000000000003");
    }

    #[tokio::test]
    async fn a_failed_write_reports_exactly_those_message_ids() {
        let sink = MemorySink {
            fail_prefix: Some("results/"),
            ..MemorySink::default()
        };
        let response = handle(fixture(), &invocation(), &sink).await;

        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(
            failed,
            [
                "c3d1e2f0-0000-4000-8000-000000000001",
                "c3d1e2f0-0000-4000-8000-000000000002"
            ]
        );
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(
            json["batchItemFailures"][0]["itemIdentifier"],
            "c3d1e2f0-0000-4000-8000-000000000001"
        );
    }
}
