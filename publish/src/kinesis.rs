//! Kinesis Data Streams: `PutRecords`, at most 500 records and 5 MiB per request, 1 MiB
//! per record (data and partition key together).

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed, in_request_order};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;

#[derive(Debug, Clone)]
pub struct KinesisPublisher {
    client: aws_sdk_kinesis::Client,
    stream_name: String,
}

impl KinesisPublisher {
    pub fn new(client: aws_sdk_kinesis::Client, stream_name: impl Into<String>) -> Self {
        Self {
            client,
            stream_name: stream_name.into(),
        }
    }
}

/// The per-record errors AWS documents for `PutRecords`: both pass. Any other code is
/// reported at once.
const TRANSIENT: &[&str] = &["ProvisionedThroughputExceededException", "InternalFailure"];

impl BatchApi for KinesisPublisher {
    const LIMITS: BatchLimits = limits::KINESIS;

    fn entry_size(event: &Encoded) -> usize {
        event.json.len() + limits::kinesis_partition_key(event.id).len()
    }

    /// Answers come back in request order.
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let records = events
            .iter()
            .map(|(_, event)| {
                PutRecordsRequestEntry::builder()
                    .data(Blob::new(event.json.as_bytes()))
                    .partition_key(limits::kinesis_partition_key(event.id))
                    .build()
                    .expect("data and partition key are set")
            })
            .collect();
        let request = self
            .client
            .put_records()
            .stream_name(&self.stream_name)
            .set_records(Some(records));
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "PutRecords", err),
        };
        let answers = output
            .records()
            .iter()
            .map(|r| (r.sequence_number(), r.error_code(), r.error_message()));
        in_request_order(events, answers, |code| TRANSIENT.contains(&code))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_kinesis::operation::put_records::PutRecordsOutput;
    use aws_sdk_kinesis::types::PutRecordsResultEntry;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    /// Answers each record in order; records whose seq is in `fail` are throttled.
    fn answering(fail: &'static [u32]) -> Rule {
        mock!(aws_sdk_kinesis::Client::put_records).then_compute_output(move |req| {
            let mut failed = 0;
            let mut records = Vec::new();
            for record in req.records() {
                let event = eventlab_schema::LabEvent::from_json(record.data().as_ref()).unwrap();
                assert_eq!(record.partition_key(), Some(event.id.to_string().as_str()));
                records.push(if fail.contains(&event.seq) {
                    failed += 1;
                    PutRecordsResultEntry::builder()
                        .error_code("ProvisionedThroughputExceededException")
                        .build()
                } else {
                    PutRecordsResultEntry::builder()
                        .sequence_number(format!("seq-{}", event.seq))
                        .shard_id("shardId-0")
                        .build()
                });
            }
            PutRecordsOutput::builder()
                .set_records(Some(records))
                .failed_record_count(failed)
                .build()
                .unwrap()
        })
    }

    fn publisher(rule: &Rule) -> KinesisPublisher {
        KinesisPublisher::new(mock_client!(aws_sdk_kinesis, RuleMode::MatchAny, [rule]), "lab-stream")
    }

    #[tokio::test]
    async fn sends_up_to_500_records_a_request() {
        for (count, requests) in [(0, 0), (1, 1), (500, 1), (501, 2)] {
            let rule = answering(&[]);
            let deliveries = send_all(&publisher(&rule), &encoded(count)).await;
            assert_eq!(rule.num_calls(), requests, "{count} events");
            assert!(
                deliveries
                    .iter()
                    .enumerate()
                    .all(|(i, d)| d.as_deref() == Ok(format!("seq-{i}").as_str()))
            );
        }
    }

    #[tokio::test]
    async fn throttled_records_are_retried() {
        let rule = answering(&[1]);
        let deliveries = send_all(&publisher(&rule), &encoded(3)).await;
        assert_eq!(rule.num_calls(), 3, "the first try and two retries");
        assert!(
            deliveries[1]
                .as_ref()
                .unwrap_err()
                .starts_with("ProvisionedThroughputExceededException")
        );
        assert!(deliveries[0].is_ok() && deliveries[2].is_ok());
    }

    #[test]
    fn splits_by_bytes_and_rejects_a_record_over_a_mebibyte() {
        assert_eq!(
            plan::<KinesisPublisher>(&oversized_events(1024 * 1024))
                .unwrap_err()
                .index,
            1
        );
        let sizes: Vec<usize> = oversized_events(900 * 1024)
            .iter()
            .map(KinesisPublisher::entry_size)
            .collect();
        assert!(sizes[1] < KinesisPublisher::LIMITS.max_entry_bytes);
    }
}
