//! SQS: `SendMessageBatch`, at most 10 entries and 1 MiB (all bodies together) per request.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use eventlab_schema::LabEvent;

use super::{BatchApi, Failure, all_failed};

#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsPublisher {
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

impl BatchApi for SqsPublisher {
    const MAX_ENTRIES: usize = 10;
    const MAX_REQUEST_BYTES: usize = 1024 * 1024;
    const MAX_ENTRY_BYTES: usize = 1024 * 1024;

    fn entry_size(event: &LabEvent) -> usize {
        event.to_json().len()
    }

    /// Entry ids are the events' indexes in the batch.
    async fn send(&self, events: &[(usize, &LabEvent)]) -> Vec<(usize, Result<String, Failure>)> {
        let entries = events
            .iter()
            .map(|(index, event)| {
                SendMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message_body(event.to_json())
                    .build()
                    .expect("id and body are set")
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
        let successes = output
            .successful()
            .iter()
            .filter_map(|ok| Some((ok.id().parse().ok()?, Ok(ok.message_id().to_owned()))));
        let failures = output.failed().iter().filter_map(|failed| {
            let message = format!("{}: {}", failed.code(), failed.message().unwrap_or("no message"));
            // A sender fault (bad entry) fails the same way every time; anything else may not.
            Some((
                failed.id().parse().ok()?,
                Err(Failure {
                    message,
                    retryable: !failed.sender_fault(),
                }),
            ))
        });
        successes.chain(failures).collect()
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::operation::send_message_batch::{SendMessageBatchError, SendMessageBatchOutput};
    use aws_sdk_sqs::types::{BatchResultErrorEntry, SendMessageBatchResultEntry};
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::publish::{check, publish};
    use crate::test_support::{events, oversized_events};

    /// Accepts every entry except the ids in `fail`, which fail with `sender_fault`.
    fn answering(fail: &'static [&'static str], sender_fault: bool) -> Rule {
        mock!(aws_sdk_sqs::Client::send_message_batch).then_compute_output(move |req| {
            let mut out = SendMessageBatchOutput::builder()
                .set_successful(Some(vec![]))
                .set_failed(Some(vec![]));
            for entry in req.entries() {
                assert!(serde_json::from_str::<serde_json::Value>(entry.message_body()).is_ok());
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
            let deliveries = publish(&publisher(&rule), &events(count)).await;
            assert_eq!(rule.num_calls(), requests, "{count} events");
            assert_eq!(deliveries.len(), count as usize);
            assert_eq!(
                deliveries.last().map(|d| d.clone().unwrap()),
                count.checked_sub(1).map(|last| format!("msg-{last}"))
            );
        }
    }

    #[tokio::test]
    async fn a_transient_entry_failure_is_retried_once_and_a_sender_fault_is_not() {
        let rule = answering(&["3"], false);
        let deliveries = publish(&publisher(&rule), &events(5)).await;
        assert_eq!(rule.num_calls(), 2);
        assert!(deliveries[3].as_ref().unwrap_err().contains("InternalError"));

        let rule = answering(&["0"], true);
        let deliveries = publish(&publisher(&rule), &events(2)).await;
        assert_eq!(rule.num_calls(), 1);
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[tokio::test]
    async fn a_failed_request_fails_its_entries_after_one_retry() {
        let rule = mock!(aws_sdk_sqs::Client::send_message_batch).then_error(|| {
            SendMessageBatchError::generic(aws_sdk_sqs::error::ErrorMetadata::builder().code("Unexpected").build())
        });
        let deliveries = publish(&publisher(&rule), &events(3)).await;
        assert_eq!(rule.num_calls(), 2);
        assert!(
            deliveries
                .iter()
                .all(|d| d.as_ref().unwrap_err().starts_with("SendMessageBatch failed"))
        );
    }

    #[test]
    fn an_event_over_a_mebibyte_is_rejected_before_sending() {
        assert_eq!(
            check::<SqsPublisher>(&oversized_events(1024 * 1024)).unwrap_err().index,
            1
        );
        assert!(check::<SqsPublisher>(&events(500)).is_ok());
    }
}
