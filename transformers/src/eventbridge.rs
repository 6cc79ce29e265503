//! The EventBridge lane: a bus rule targets this function, which EventBridge invokes
//! asynchronously once per event (no batching on a rules bus).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use eventlab_schema::Service;

use crate::Invocation;
use crate::batch::ObjectSink;
use crate::batch::{self, Incoming};

/// Handles one event. A malformed detail goes to `errors/` and succeeds; a failed write
/// fails the invocation, so Lambda's async retries (then the target's dead-letter
/// queue) take over.
pub async fn handle(
    event: EventBridgeEvent,
    invocation: &Invocation,
    sink: &impl ObjectSink,
) -> Result<batch::Outcome, lambda_runtime::Error> {
    let record = Incoming {
        record_id: event.id.unwrap_or_default(),
        payload: serde_json::to_vec(&event.detail)?,
        attempt: 1,
        position: None,
    };
    let outcome = batch::process(Service::EventBridge, vec![record], invocation, sink).await;
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

    fn envelope(detail: &serde_json::Value) -> EventBridgeEvent {
        serde_json::from_value(serde_json::json!({
            "version": "0",
            "id": "eb-event-1",
            "detail-type": eventlab_schema::EVENTBRIDGE_DETAIL_TYPE,
            "source": eventlab_schema::EVENTBRIDGE_SOURCE,
            "account": "000000000000",
            "time": "2026-11-23T10:15:30Z",
            "region": "us-east-1",
            "resources": [],
            "detail": detail
        }))
        .unwrap()
    }

    fn detail(run: &str) -> serde_json::Value {
        let mut event: serde_json::Value = serde_json::from_slice(&event_json(run, 0)).unwrap();
        event["service"] = "eventbridge".into();
        event
    }

    #[tokio::test]
    async fn writes_the_detail_as_one_result() {
        let sink = MemorySink::default();
        let outcome = handle(envelope(&detail("run-e")), &invocation(), &sink).await.unwrap();
        assert_eq!(outcome.written, 1);
        let results = sink.lines("results/eventbridge/run-e/");
        assert_eq!(results[0]["batch_size"], 1);
        assert_eq!(results[0]["event"]["service"], "eventbridge");
    }

    #[tokio::test]
    async fn a_malformed_detail_is_kept_in_errors_and_not_retried() {
        let sink = MemorySink::default();
        let outcome = handle(envelope(&serde_json::json!({"hello": "world"})), &invocation(), &sink)
            .await
            .unwrap();
        assert_eq!(outcome.rejected, 1);
        assert_eq!(sink.lines("errors/eventbridge/")[0]["record_id"], "eb-event-1");
    }

    #[tokio::test]
    async fn a_failed_write_fails_the_invocation() {
        let sink = MemorySink {
            fail_prefix: Some("results/"),
            ..MemorySink::default()
        };
        assert!(handle(envelope(&detail("run-e")), &invocation(), &sink).await.is_err());
    }
}
