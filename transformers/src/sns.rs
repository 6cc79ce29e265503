//! The SNS lane: a Lambda subscription on a standard topic invokes this asynchronously,
//! one message per invocation.

use aws_lambda_events::event::sns::SnsEvent;
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// Handles one notification. A malformed message goes to `errors/` and succeeds; a failed
/// write fails the invocation, so Lambda's async retries (then the on-failure destination,
/// the lane's dead-letter queue) take over.
pub async fn handle(
    event: SnsEvent,
    invocation: &Invocation,
    sink: &impl ObjectSink,
) -> Result<batch::Outcome, lambda_runtime::Error> {
    // SNS sends exactly one record per invocation; taking all of them costs nothing.
    let records = event
        .records
        .into_iter()
        .map(|record| Incoming {
            record_id: record.sns.message_id,
            payload: record.sns.message.into_bytes(),
            // Lambda does not tell an async retry from the first attempt.
            attempt: 1,
            // A standard topic promises no order.
            position: None,
        })
        .collect();
    let outcome = batch::process(Service::Sns, records, invocation, sink).await;
    if outcome.retry.is_empty() {
        Ok(outcome)
    } else {
        Err("writing the result failed; the invocation will be retried".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::tests::{MemorySink, event_json, invocation};

    fn notification(message: &str) -> SnsEvent {
        serde_json::from_value(serde_json::json!({
            "Records": [{
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:000000000000:eventlab-events:6c0e4b1e",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": "arn:aws:sns:us-east-1:000000000000:eventlab-events",
                    "Subject": null,
                    "Message": message,
                    "Timestamp": "2026-11-23T10:15:30.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {}
                }
            }]
        }))
        .unwrap()
    }

    fn message(run: &str) -> String {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, 0)).unwrap();
        event["service"] = "sns".into();
        event.to_string()
    }

    #[tokio::test]
    async fn writes_the_message_as_one_result() {
        let sink = MemorySink::default();
        let outcome = handle(notification(&message("run-s")), &invocation(), &sink)
            .await
            .unwrap();
        assert_eq!(outcome.written, 1);
        let results = sink.lines("results/sns/run-s/");
        assert_eq!(results[0]["batch_size"], 1);
        assert_eq!(results[0]["event"]["service"], "sns");
    }

    #[tokio::test]
    async fn a_malformed_message_is_kept_in_errors_and_not_retried() {
        let sink = MemorySink::default();
        let outcome = handle(notification("not json"), &invocation(), &sink).await.unwrap();
        assert_eq!(outcome.rejected, 1);
        assert_eq!(
            sink.lines("errors/sns/")[0]["record_id"],
            "95df01b4-ee98-5cb9-9903-4c221d41eb5e"
        );
    }

    #[tokio::test]
    async fn a_failed_write_fails_the_invocation() {
        let sink = MemorySink {
            fail_prefix: Some("results/"),
            ..MemorySink::default()
        };
        assert!(
            handle(notification(&message("run-s")), &invocation(), &sink)
                .await
                .is_err()
        );
    }
}
