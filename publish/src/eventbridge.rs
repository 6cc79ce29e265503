//! EventBridge: `PutEvents` on the lab's bus, at most 10 entries and 1 MiB per request.

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use eventlab_schema::{EVENTBRIDGE_DETAIL_TYPE, EVENTBRIDGE_SOURCE};

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed, in_request_order};

#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: aws_sdk_eventbridge::Client,
    bus_name: String,
}

impl EventBridgePublisher {
    pub fn new(client: aws_sdk_eventbridge::Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }
}

/// Error codes AWS documents as worth another try; others (malformed detail, …) are not.
const TRANSIENT: &[&str] = &["InternalFailure", "ThrottlingException", "ServiceUnavailable"];

impl BatchApi for EventBridgePublisher {
    const LIMITS: BatchLimits = limits::EVENTBRIDGE;

    /// AWS counts source, detail type and detail (no time or resources are sent).
    fn entry_size(event: &Encoded) -> usize {
        EVENTBRIDGE_SOURCE.len() + EVENTBRIDGE_DETAIL_TYPE.len() + event.json.len()
    }

    /// Answers come back in request order.
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let entries = events
            .iter()
            .map(|(_, event)| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(&self.bus_name)
                    .source(EVENTBRIDGE_SOURCE)
                    .detail_type(EVENTBRIDGE_DETAIL_TYPE)
                    .detail(event.json.clone())
                    .build()
            })
            .collect();
        let output = match self.client.put_events().set_entries(Some(entries)).send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "PutEvents", err),
        };
        let answers = output
            .entries()
            .iter()
            .map(|e| (e.event_id(), e.error_code(), e.error_message()));
        in_request_order(events, answers, |code| TRANSIENT.contains(&code))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    /// Answers each entry in order; the n-th entry of a request fails with `code` if
    /// its detail's seq is in `fail`.
    fn answering(fail: &'static [u32], code: &'static str) -> Rule {
        mock!(aws_sdk_eventbridge::Client::put_events).then_compute_output(move |req| {
            let mut failed = 0;
            let entries = req.entries().iter().map(|entry| {
                assert_eq!(entry.source(), Some(EVENTBRIDGE_SOURCE));
                assert_eq!(entry.event_bus_name(), Some("lab-bus"));
                let event = eventlab_schema::LabEvent::from_json(entry.detail().unwrap().as_bytes()).unwrap();
                if fail.contains(&event.seq) {
                    failed += 1;
                    PutEventsResultEntry::builder()
                        .error_code(code)
                        .error_message("nope")
                        .build()
                } else {
                    PutEventsResultEntry::builder()
                        .event_id(format!("eb-{}", event.seq))
                        .build()
                }
            });
            let entries: Vec<_> = entries.collect();
            PutEventsOutput::builder()
                .set_entries(Some(entries))
                .failed_entry_count(failed)
                .build()
        })
    }

    fn publisher(rule: &Rule) -> EventBridgePublisher {
        EventBridgePublisher::new(mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [rule]), "lab-bus")
    }

    #[tokio::test]
    async fn sends_in_chunks_of_ten() {
        for (count, requests) in [(0, 0), (1, 1), (10, 1), (11, 2), (500, 50)] {
            let rule = answering(&[], "");
            let deliveries = send_all(&publisher(&rule), &encoded(count)).await;
            assert_eq!(rule.num_calls(), requests, "{count} events");
            assert!(
                deliveries
                    .iter()
                    .enumerate()
                    .all(|(i, d)| d.as_deref() == Ok(format!("eb-{i}").as_str()))
            );
        }
    }

    #[tokio::test]
    async fn transient_entry_errors_are_retried_and_others_are_not() {
        let rule = answering(&[2], "ThrottlingException");
        let deliveries = send_all(&publisher(&rule), &encoded(4)).await;
        assert_eq!(rule.num_calls(), 3, "the first try and two retries");
        assert!(deliveries[2].as_ref().unwrap_err().starts_with("ThrottlingException"));
        assert_eq!(deliveries.iter().filter(|d| d.is_ok()).count(), 3);

        let rule = answering(&[0], "MalformedDetail");
        let deliveries = send_all(&publisher(&rule), &encoded(2)).await;
        assert_eq!(rule.num_calls(), 1);
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[test]
    fn an_event_over_the_entry_limit_is_rejected_before_sending() {
        assert_eq!(
            plan::<EventBridgePublisher>(&oversized_events(1024 * 1024))
                .unwrap_err()
                .index,
            1
        );
        assert!(plan::<EventBridgePublisher>(&encoded(500)).is_ok());
    }
}
