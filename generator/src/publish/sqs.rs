//! SQS: `SendMessageBatch`, at most 10 entries and 1 MiB per request.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use eventlab_schema::LabEvent;

use super::{Delivery, Oversized, chunk_ranges};

/// Entries per `SendMessageBatch` request.
pub const MAX_ENTRIES: usize = 10;
/// Bytes per request (sum of all message bodies), and so per message.
pub const MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

/// A failed entry, and whether sending it again may succeed.
struct Failure {
    message: String,
    retryable: bool,
}

impl SqsPublisher {
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    pub fn check(events: &[LabEvent]) -> Result<(), Oversized> {
        chunk_ranges(&sizes(&bodies(events)), MAX_ENTRIES, MAX_BYTES).map(|_| ())
    }

    /// Sends every event; entries that fail for a reason other than the sender's own fault
    /// are sent once more, and whatever still fails is reported per event.
    pub async fn publish(&self, events: &[LabEvent]) -> Vec<Delivery> {
        let bodies = bodies(events);
        let Ok(ranges) = chunk_ranges(&sizes(&bodies), MAX_ENTRIES, MAX_BYTES) else {
            return vec![
                Err("batch exceeds SQS limits; call check first".to_owned());
                events.len()
            ];
        };
        let mut deliveries: Vec<Delivery> = vec![Err("not sent".to_owned()); events.len()];
        for range in ranges {
            let first_try = self.send(&bodies, range.collect()).await;
            let mut retry = Vec::new();
            for (index, outcome) in first_try {
                match outcome {
                    Ok(id) => deliveries[index] = Ok(id),
                    Err(failure) if failure.retryable => retry.push(index),
                    Err(failure) => deliveries[index] = Err(failure.message),
                }
            }
            if !retry.is_empty() {
                tracing::warn!(entries = retry.len(), "retrying failed SQS entries once");
                for (index, outcome) in self.send(&bodies, retry).await {
                    deliveries[index] = outcome.map_err(|failure| failure.message);
                }
            }
        }
        deliveries
    }

    /// One `SendMessageBatch` request; entry ids are the events' indexes in the request.
    async fn send(
        &self,
        bodies: &[String],
        indexes: Vec<usize>,
    ) -> Vec<(usize, Result<String, Failure>)> {
        let entries = indexes
            .iter()
            .map(|&index| {
                SendMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message_body(&bodies[index])
                    .build()
                    .expect("id and body are set")
            })
            .collect();
        let output = match self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(output) => output,
            Err(err) => {
                let message = format!(
                    "SendMessageBatch failed: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(err)
                );
                return indexes
                    .into_iter()
                    .map(|index| {
                        (
                            index,
                            Err(Failure {
                                message: message.clone(),
                                retryable: true,
                            }),
                        )
                    })
                    .collect();
            }
        };
        let mut outcomes: Vec<(usize, Result<String, Failure>)> = Vec::with_capacity(indexes.len());
        for ok in output.successful() {
            if let Ok(index) = ok.id().parse() {
                outcomes.push((index, Ok(ok.message_id().to_owned())));
            }
        }
        for failed in output.failed() {
            if let Ok(index) = failed.id().parse() {
                let message = format!(
                    "{}: {}",
                    failed.code(),
                    failed.message().unwrap_or("no message")
                );
                outcomes.push((
                    index,
                    Err(Failure {
                        message,
                        retryable: !failed.sender_fault(),
                    }),
                ));
            }
        }
        // An entry SQS neither accepted nor rejected must not pass silently.
        for index in indexes {
            if !outcomes.iter().any(|(i, _)| *i == index) {
                let message = "SQS returned no result for this entry".to_owned();
                outcomes.push((
                    index,
                    Err(Failure {
                        message,
                        retryable: true,
                    }),
                ));
            }
        }
        outcomes
    }
}

fn bodies(events: &[LabEvent]) -> Vec<String> {
    events.iter().map(LabEvent::to_json).collect()
}

fn sizes(bodies: &[String]) -> Vec<usize> {
    bodies.iter().map(String::len).collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::operation::send_message_batch::{
        SendMessageBatchError, SendMessageBatchOutput,
    };
    use aws_sdk_sqs::types::{BatchResultErrorEntry, SendMessageBatchResultEntry};
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::test_support::events;

    /// Answers every request by accepting all its entries, except ids in `fail` which
    /// fail with `sender_fault`; counts requests and entries.
    fn accepting(fail: &'static [&'static str], sender_fault: bool) -> Rule {
        mock!(aws_sdk_sqs::Client::send_message_batch).then_compute_output(move |req| {
            let mut out = SendMessageBatchOutput::builder()
                .set_successful(Some(vec![]))
                .set_failed(Some(vec![]));
            for entry in req.entries() {
                if fail.contains(&entry.id()) {
                    out = out.failed(
                        BatchResultErrorEntry::builder()
                            .id(entry.id())
                            .code("InternalError")
                            .sender_fault(sender_fault)
                            .build()
                            .unwrap(),
                    );
                } else {
                    out = out.successful(
                        SendMessageBatchResultEntry::builder()
                            .id(entry.id())
                            .message_id(format!("msg-{}", entry.id()))
                            .md5_of_message_body("x")
                            .build()
                            .unwrap(),
                    );
                }
            }
            out.build().unwrap()
        })
    }

    fn publisher(rule: &Rule) -> SqsPublisher {
        SqsPublisher::new(
            mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [rule]),
            "http://queue",
        )
    }

    #[tokio::test]
    async fn sends_in_chunks_of_ten() {
        for (count, requests) in [(0, 0), (1, 1), (10, 1), (11, 2), (500, 50)] {
            let rule = accepting(&[], false);
            let deliveries = publisher(&rule).publish(&events(count)).await;
            assert_eq!(rule.num_calls(), requests, "{count} events");
            assert_eq!(deliveries.len(), count as usize);
            assert!(deliveries.iter().all(Result::is_ok));
        }
    }

    #[tokio::test]
    async fn message_ids_come_back_in_event_order() {
        let rule = accepting(&[], false);
        let deliveries = publisher(&rule).publish(&events(12)).await;
        assert_eq!(deliveries[0].as_deref(), Ok("msg-0"));
        assert_eq!(deliveries[11].as_deref(), Ok("msg-11"));
    }

    #[tokio::test]
    async fn a_transient_entry_failure_is_retried_once_then_reported() {
        let rule = accepting(&["3"], false);
        let deliveries = publisher(&rule).publish(&events(5)).await;
        assert_eq!(
            rule.num_calls(),
            2,
            "one batch, one retry of the failed entry"
        );
        assert!(
            deliveries[3]
                .as_ref()
                .unwrap_err()
                .contains("InternalError")
        );
        assert_eq!(deliveries.iter().filter(|d| d.is_ok()).count(), 4);
    }

    #[tokio::test]
    async fn a_sender_fault_is_not_retried() {
        let rule = accepting(&["0"], true);
        let deliveries = publisher(&rule).publish(&events(2)).await;
        assert_eq!(rule.num_calls(), 1);
        assert!(deliveries[0].is_err());
        assert!(deliveries[1].is_ok());
    }

    #[tokio::test]
    async fn a_failed_request_fails_its_entries_after_one_retry() {
        let rule = mock!(aws_sdk_sqs::Client::send_message_batch).then_error(|| {
            SendMessageBatchError::generic(
                aws_sdk_sqs::error::ErrorMetadata::builder()
                    .code("Unexpected")
                    .message("connection reset")
                    .build(),
            )
        });
        let deliveries = publisher(&rule).publish(&events(3)).await;
        assert_eq!(rule.num_calls(), 2);
        assert!(deliveries.iter().all(|d| {
            d.as_ref()
                .unwrap_err()
                .starts_with("SendMessageBatch failed")
        }));
    }

    #[test]
    fn an_event_over_a_mebibyte_is_rejected_before_sending() {
        let mut big = events(2);
        big[1].random_fact = "x".repeat(MAX_BYTES);
        assert_eq!(SqsPublisher::check(&big).unwrap_err().index, 1);
        assert!(SqsPublisher::check(&events(500)).is_ok());
    }
}
