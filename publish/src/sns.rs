//! SNS: `PublishBatch` to the lab's standard topic, at most 10 entries and 256 KiB (all
//! messages together) per request.

use aws_sdk_sns::types::PublishBatchRequestEntry;

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed, by_entry_id};

#[derive(Debug, Clone)]
pub struct SnsPublisher {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsPublisher {
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

impl BatchApi for SnsPublisher {
    const LIMITS: BatchLimits = limits::SNS;

    /// No message attributes are sent, so the message is all SNS counts.
    fn entry_size(event: &Encoded) -> usize {
        event.json.len()
    }

    /// Entry ids are the events' indexes in the batch (SNS allows 1–80 of `[A-Za-z0-9_-]`).
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let entries = events
            .iter()
            .map(|(index, event)| {
                PublishBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message(event.json.clone())
                    .build()
                    .expect("id and message are set")
            })
            .collect();
        let request = self
            .client
            .publish_batch()
            .topic_arn(&self.topic_arn)
            .set_publish_batch_request_entries(Some(entries));
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "PublishBatch", err),
        };
        let successes = output
            .successful()
            .iter()
            .filter_map(|ok| Some((ok.id()?, ok.message_id()?)));
        let failures = output
            .failed()
            .iter()
            .map(|failed| (failed.id(), failed.code(), failed.message(), failed.sender_fault()));
        by_entry_id(successes, failures)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sns::operation::publish_batch::PublishBatchOutput;
    use aws_sdk_sns::types::{BatchResultErrorEntry, PublishBatchResultEntry};
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    /// Accepts every entry except the ids in `fail`, which fail with `sender_fault`.
    fn answering(fail: &'static [&'static str], sender_fault: bool) -> Rule {
        mock!(aws_sdk_sns::Client::publish_batch).then_compute_output(move |req| {
            assert_eq!(req.topic_arn(), Some("arn:aws:sns:us-east-1:000000000000:lab-events"));
            let mut out = PublishBatchOutput::builder()
                .set_successful(Some(vec![]))
                .set_failed(Some(vec![]));
            for entry in req.publish_batch_request_entries() {
                let event = eventlab_schema::LabEvent::from_json(entry.message().as_bytes()).unwrap();
                assert_eq!(entry.id(), event.seq.to_string(), "one request: ids are the indexes");
                out = if fail.contains(&entry.id()) {
                    let failed = BatchResultErrorEntry::builder()
                        .id(entry.id())
                        .code("InternalError")
                        .message("try again")
                        .sender_fault(sender_fault);
                    out.failed(failed.build().unwrap())
                } else {
                    let ok = PublishBatchResultEntry::builder()
                        .id(entry.id())
                        .message_id(format!("sns-{}", entry.id()));
                    out.successful(ok.build())
                };
            }
            out.build()
        })
    }

    fn publisher(rule: &Rule) -> SnsPublisher {
        SnsPublisher::new(
            mock_client!(aws_sdk_sns, RuleMode::MatchAny, [rule]),
            "arn:aws:sns:us-east-1:000000000000:lab-events",
        )
    }

    #[tokio::test]
    async fn publishes_in_batches_of_ten_and_names_every_message() {
        let rule = answering(&[], false);
        let deliveries = send_all(&publisher(&rule), &encoded(10)).await;
        assert_eq!(rule.num_calls(), 1);
        assert_eq!(
            deliveries.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            (0..10).map(|i| format!("sns-{i}")).collect::<Vec<_>>()
        );
        assert_eq!(plan::<SnsPublisher>(&encoded(25)).unwrap(), [0..10, 10..20, 20..25]);
    }

    #[tokio::test]
    async fn a_failed_entry_is_retried_unless_the_sender_is_at_fault() {
        let rule = answering(&["2"], false);
        let deliveries = send_all(&publisher(&rule), &encoded(3)).await;
        assert_eq!(rule.num_calls(), 3, "the first try and two retries of entry 2");
        assert!(deliveries[..2].iter().all(Result::is_ok));
        assert!(deliveries[2].as_ref().unwrap_err().contains("InternalError: try again"));

        let rule = answering(&["0"], true);
        let deliveries = send_all(&publisher(&rule), &encoded(2)).await;
        assert_eq!(rule.num_calls(), 1, "a sender fault is final");
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[test]
    fn the_256_kib_limit_counts_all_messages_of_a_request() {
        assert_eq!(
            plan::<SnsPublisher>(&oversized_events(256 * 1024)).unwrap_err().index,
            1
        );
        // Ten 30 KiB messages exceed 256 KiB together: they go out in two requests.
        let mut events = encoded(10);
        for event in &mut events {
            event.json.push_str(&" ".repeat(30 * 1024));
        }
        assert_eq!(plan::<SnsPublisher>(&events).unwrap(), [0..8, 8..10]);
    }
}
