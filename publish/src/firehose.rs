//! Amazon Data Firehose: `PutRecordBatch`, at most 500 records and 4 MiB per request,
//! 1,000 KiB per record. Each record is one newline-terminated JSON event, so the
//! objects Firehose writes are JSON Lines however it concatenates records.

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed, in_request_order};
use aws_sdk_firehose::primitives::Blob;
use aws_sdk_firehose::types::Record;

#[derive(Debug, Clone)]
pub struct FirehosePublisher {
    client: aws_sdk_firehose::Client,
    stream_name: String,
}

impl FirehosePublisher {
    pub fn new(client: aws_sdk_firehose::Client, stream_name: impl Into<String>) -> Self {
        Self {
            client,
            stream_name: stream_name.into(),
        }
    }
}

/// The event's JSON and a newline: one JSON Lines line.
fn record_data(event: &Encoded) -> Vec<u8> {
    let mut data = Vec::with_capacity(event.json.len() + 1);
    data.extend_from_slice(event.json.as_bytes());
    data.push(b'\n');
    data
}

/// The per-record errors AWS documents for `PutRecordBatch`, both service-side. Any other
/// code is reported at once.
const TRANSIENT: &[&str] = &["ServiceUnavailableException", "InternalFailure"];

impl BatchApi for FirehosePublisher {
    const LIMITS: BatchLimits = limits::FIREHOSE;

    fn entry_size(event: &Encoded) -> usize {
        event.json.len() + 1
    }

    /// Answers come back in request order.
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let records = events
            .iter()
            .map(|(_, event)| {
                Record::builder()
                    .data(Blob::new(record_data(event)))
                    .build()
                    .expect("data is set")
            })
            .collect();
        let request = self
            .client
            .put_record_batch()
            .delivery_stream_name(&self.stream_name)
            .set_records(Some(records));
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "PutRecordBatch", err),
        };
        let answers = output
            .request_responses()
            .iter()
            .map(|r| (r.record_id(), r.error_code(), r.error_message()));
        in_request_order(events, answers, |code| TRANSIENT.contains(&code))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_firehose::operation::put_record_batch::PutRecordBatchOutput;
    use aws_sdk_firehose::types::PutRecordBatchResponseEntry;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    fn answering(fail: &'static [u32]) -> Rule {
        mock!(aws_sdk_firehose::Client::put_record_batch).then_compute_output(move |req| {
            let mut failed = 0;
            let mut responses = Vec::new();
            for record in req.records() {
                assert_eq!(
                    record.data().as_ref().last(),
                    Some(&b'\n'),
                    "records are newline-terminated"
                );
                let event = eventlab_schema::LabEvent::from_json(record.data().as_ref()).unwrap();
                responses.push(if fail.contains(&event.seq) {
                    failed += 1;
                    PutRecordBatchResponseEntry::builder()
                        .error_code("ServiceUnavailableException")
                        .build()
                } else {
                    PutRecordBatchResponseEntry::builder()
                        .record_id(format!("fh-{}", event.seq))
                        .build()
                });
            }
            PutRecordBatchOutput::builder()
                .set_request_responses(Some(responses))
                .failed_put_count(failed)
                .build()
                .unwrap()
        })
    }

    fn publisher(rule: &Rule) -> FirehosePublisher {
        FirehosePublisher::new(mock_client!(aws_sdk_firehose, RuleMode::MatchAny, [rule]), "lab-stream")
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
                    .all(|(i, d)| d.as_deref() == Ok(format!("fh-{i}").as_str()))
            );
        }
    }

    #[tokio::test]
    async fn failed_records_are_retried() {
        let rule = answering(&[0]);
        let deliveries = send_all(&publisher(&rule), &encoded(2)).await;
        assert_eq!(rule.num_calls(), 3, "the first try and two retries");
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[test]
    fn a_record_over_1000_kib_is_rejected_and_big_ones_split_by_bytes() {
        assert_eq!(
            plan::<FirehosePublisher>(&oversized_events(1000 * 1024))
                .unwrap_err()
                .index,
            1
        );
        // Five 900 KiB records exceed the 4 MiB request: two requests.
        let big = std::iter::repeat_n(oversized_events(900 * 1024).remove(1), 5).collect::<Vec<_>>();
        let sizes: Vec<usize> = big.iter().map(FirehosePublisher::entry_size).collect();
        let ranges = crate::chunk_ranges(
            &sizes,
            500,
            FirehosePublisher::LIMITS.max_request_bytes,
            FirehosePublisher::LIMITS.max_entry_bytes,
        );
        assert_eq!(ranges.unwrap().len(), 2);
    }
}
