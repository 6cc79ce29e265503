//! SQS: `SendMessageBatch`, at most 10 entries and 1 MiB (all bodies together) per request,
//! to a standard queue or (with a message group and deduplication id per message) a FIFO one.

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed, by_entry_id};
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    fifo: bool,
}

impl SqsPublisher {
    /// To a standard queue.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
            fifo: false,
        }
    }

    /// To a FIFO queue: each message in its id band's group ([`eventlab_schema::fifo_group`]),
    /// deduplicated by its `event_id`, so a retried entry is never delivered twice.
    pub fn fifo(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            fifo: true,
            ..Self::new(client, queue_url)
        }
    }
}

impl BatchApi for SqsPublisher {
    const LIMITS: BatchLimits = limits::SQS;

    fn entry_size(event: &Encoded) -> usize {
        event.json.len()
    }

    /// Entry ids are the events' indexes in the batch.
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let entries = events
            .iter()
            .map(|(index, event)| {
                let entry = SendMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message_body(event.json.clone());
                let entry = if self.fifo {
                    entry
                        .message_group_id(eventlab_schema::fifo_group(event.id))
                        .message_deduplication_id(event.event_id.simple().to_string())
                } else {
                    entry
                };
                entry.build().expect("id and body are set")
            })
            .collect();
        let request = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries));
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "SendMessageBatch", err),
        };
        let successes = output.successful().iter().map(|ok| (ok.id(), ok.message_id()));
        let failures = output
            .failed()
            .iter()
            .map(|failed| (failed.id(), failed.code(), failed.message(), failed.sender_fault()));
        by_entry_id(successes, failures)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
    use aws_sdk_sqs::types::{BatchResultErrorEntry, SendMessageBatchResultEntry};
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    /// Accepts every entry except the ids in `fail`, which fail with `sender_fault`.
    fn answering(fail: &'static [&'static str], sender_fault: bool) -> Rule {
        mock!(aws_sdk_sqs::Client::send_message_batch).then_compute_output(move |req| {
            let mut out = SendMessageBatchOutput::builder()
                .set_successful(Some(vec![]))
                .set_failed(Some(vec![]));
            for entry in req.entries() {
                assert!(serde_json::from_str::<serde_json::Value>(entry.message_body()).is_ok());
                assert!(entry.message_group_id().is_none(), "a standard queue takes no group");
                out = if fail.contains(&entry.id()) {
                    let failed = BatchResultErrorEntry::builder()
                        .id(entry.id())
                        .code("InternalError")
                        .sender_fault(sender_fault);
                    out.failed(failed.build().unwrap())
                } else {
                    let ok = SendMessageBatchResultEntry::builder()
                        .id(entry.id())
                        .message_id(format!("msg-{}", entry.id()));
                    out.successful(ok.md5_of_message_body("x").build().unwrap())
                };
            }
            out.build().unwrap()
        })
    }

    fn publisher(rule: &Rule) -> SqsPublisher {
        SqsPublisher::new(mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [rule]), "http://queue")
    }

    #[tokio::test]
    async fn sends_in_chunks_of_ten() {
        for (count, requests) in [(0, 0), (1, 1), (10, 1), (11, 2), (500, 50)] {
            let rule = answering(&[], false);
            let deliveries = send_all(&publisher(&rule), &encoded(count)).await;
            assert_eq!(rule.num_calls(), requests, "{count} events");
            assert_eq!(deliveries.len(), count as usize);
            assert_eq!(
                deliveries.last().map(|d| d.clone().unwrap()),
                count.checked_sub(1).map(|last| format!("msg-{last}"))
            );
        }
    }

    #[tokio::test]
    async fn a_transient_entry_failure_is_retried_and_a_sender_fault_is_not() {
        let rule = answering(&["3"], false);
        let deliveries = send_all(&publisher(&rule), &encoded(5)).await;
        assert_eq!(rule.num_calls(), 3, "the first try and two retries");
        assert!(deliveries[3].as_ref().unwrap_err().contains("InternalError"));

        let rule = answering(&["0"], true);
        let deliveries = send_all(&publisher(&rule), &encoded(2)).await;
        assert_eq!(rule.num_calls(), 1);
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[tokio::test]
    async fn fifo_messages_carry_their_group_and_deduplication_id() {
        let rule = mock!(aws_sdk_sqs::Client::send_message_batch).then_compute_output(|req| {
            let mut out = SendMessageBatchOutput::builder()
                .set_successful(Some(vec![]))
                .set_failed(Some(vec![]));
            for entry in req.entries() {
                let event = eventlab_schema::LabEvent::from_json(entry.message_body().as_bytes()).unwrap();
                assert_eq!(
                    entry.message_group_id(),
                    Some(eventlab_schema::fifo_group(event.id).as_str())
                );
                assert_eq!(
                    entry.message_deduplication_id(),
                    Some(event.event_id.simple().to_string().as_str())
                );
                let ok = SendMessageBatchResultEntry::builder().id(entry.id()).message_id("m");
                out = out.successful(ok.md5_of_message_body("x").build().unwrap());
            }
            out.build().unwrap()
        });
        let client = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&rule]);
        let deliveries = send_all(&SqsPublisher::fifo(client, "http://queue.fifo"), &encoded(12)).await;
        assert_eq!(rule.num_calls(), 2);
        assert!(deliveries.iter().all(Result::is_ok));
    }

    /// A client whose SDK retries as the generator's does, without the waits.
    fn retrying_publisher(rule: &Rule) -> SqsPublisher {
        let client = mock_client!(aws_sdk_sqs, RuleMode::Sequential, [rule], |config| {
            config.retry_config(crate::sdk_retry_config().with_initial_backoff(std::time::Duration::from_millis(1)))
        });
        SqsPublisher::new(client, "http://queue")
    }

    fn failing_with(code: &'static str) -> Rule {
        let body = format!(r#"{{"__type": "{code}", "message": "{code} here"}}"#);
        mock!(aws_sdk_sqs::Client::send_message_batch)
            .sequence()
            .http_status(400, Some(body))
            .repeatedly()
            .build()
    }

    #[tokio::test]
    async fn a_request_that_cannot_succeed_fails_its_entries_at_once() {
        let rule = failing_with("AccessDenied");
        let deliveries = send_all(&retrying_publisher(&rule), &encoded(3)).await;
        assert_eq!(rule.num_calls(), 1, "no retry can fix access denied");
        for delivery in deliveries {
            let error = delivery.unwrap_err();
            assert!(
                error.starts_with("SendMessageBatch failed") && error.contains("AccessDenied"),
                "{error}"
            );
        }
    }

    #[tokio::test]
    async fn a_throttled_request_is_retried_by_the_sdk_then_reported() {
        let rule = failing_with("ThrottlingException");
        let deliveries = send_all(&retrying_publisher(&rule), &encoded(2)).await;
        assert_eq!(rule.num_calls(), 3, "the SDK's standard mode: three attempts");
        assert!(
            deliveries
                .iter()
                .all(|d| d.as_ref().unwrap_err().contains("ThrottlingException"))
        );
    }

    #[test]
    fn an_event_over_a_mebibyte_is_rejected_before_sending() {
        assert_eq!(
            plan::<SqsPublisher>(&oversized_events(1024 * 1024)).unwrap_err().index,
            1
        );
        assert!(plan::<SqsPublisher>(&encoded(500)).is_ok());
    }
}
