//! DynamoDB: events written as items with `BatchWriteItem` (at most 25 items, 16 MB per
//! request, 400 KB per item) to a table whose stream feeds the transformer. Items the table
//! could not take now come back as `UnprocessedItems`: they are retried with backoff.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};

use eventlab_schema::limits::{self, BatchLimits};

use crate::{BatchApi, Encoded, Failure, all_failed};

/// The table's partition key: one item per event.
pub const KEY: &str = "event_id";
/// The event, as the other lanes carry it.
pub const EVENT: &str = "event";
/// When DynamoDB may delete the item (seconds since the epoch): the table's TTL attribute.
pub const EXPIRES_AT: &str = "expires_at";

#[derive(Debug, Clone)]
pub struct DynamoDbPublisher {
    client: aws_sdk_dynamodb::Client,
    table_name: String,
    /// How long an item stays in the table; its stream record is what the lane is about.
    keep_for: Duration,
}

impl DynamoDbPublisher {
    pub fn new(client: aws_sdk_dynamodb::Client, table_name: impl Into<String>, keep_for: Duration) -> Self {
        Self {
            client,
            table_name: table_name.into(),
            keep_for,
        }
    }
}

fn item(event: &Encoded, expires_at: u64) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (KEY.to_owned(), AttributeValue::S(key(event))),
        (EVENT.to_owned(), AttributeValue::S(event.json.clone())),
        (EXPIRES_AT.to_owned(), AttributeValue::N(expires_at.to_string())),
    ])
}

fn key(event: &Encoded) -> String {
    event.event_id.to_string()
}

impl BatchApi for DynamoDbPublisher {
    const LIMITS: BatchLimits = limits::DYNAMODB;

    /// DynamoDB counts each attribute's name and value (a number as at most 21 bytes).
    fn entry_size(event: &Encoded) -> usize {
        KEY.len() + key(event).len() + EVENT.len() + event.json.len() + EXPIRES_AT.len() + 21
    }

    /// Answers by key: every item not returned as unprocessed was written.
    async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let expires_at = (now + self.keep_for).as_secs();
        let writes = events
            .iter()
            .map(|(_, event)| {
                let put = PutRequest::builder().set_item(Some(item(event, expires_at)));
                WriteRequest::builder()
                    .put_request(put.build().expect("the item is set"))
                    .build()
            })
            .collect();
        let request = self.client.batch_write_item().request_items(&self.table_name, writes);
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return all_failed(events, "BatchWriteItem", err),
        };
        let unprocessed: Vec<&str> = output
            .unprocessed_items()
            .and_then(|tables| tables.get(&self.table_name))
            .into_iter()
            .flatten()
            .filter_map(|write| write.put_request()?.item().get(KEY)?.as_s().ok())
            .map(String::as_str)
            .collect();
        events
            .iter()
            .map(|&(index, event)| {
                let key = key(event);
                if unprocessed.contains(&key.as_str()) {
                    let failure = Failure {
                        message: "UnprocessedItems: the table could not take the item now".to_owned(),
                        retryable: true,
                    };
                    (index, Err(failure))
                } else {
                    (index, Ok(key))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;
    use crate::plan;
    use crate::test_support::{encoded, oversized_events, send_all};

    /// Writes every item except, on the first try, those whose seq is in `throttle_once`.
    fn answering(throttle_once: &'static [u32]) -> (Rule, std::sync::Arc<Mutex<Vec<usize>>>) {
        let sizes = std::sync::Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let tried = Mutex::new(std::collections::HashSet::new());
        let rule = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_compute_output(move |req| {
            let writes = &req.request_items().unwrap()["lab-events"];
            seen.lock().unwrap().push(writes.len());
            let mut unprocessed = Vec::new();
            for write in writes {
                let item = write.put_request().unwrap().item();
                let event = eventlab_schema::LabEvent::from_json(item[EVENT].as_s().unwrap().as_bytes()).unwrap();
                assert_eq!(item[KEY].as_s().unwrap(), &event.event_id.to_string());
                let expires: u64 = item[EXPIRES_AT].as_n().unwrap().parse().unwrap();
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
                assert!((now + 3500..=now + 3600).contains(&expires), "an hour from now");
                if throttle_once.contains(&event.seq) && tried.lock().unwrap().insert(event.seq) {
                    unprocessed.push(write.clone());
                }
            }
            BatchWriteItemOutput::builder()
                .unprocessed_items("lab-events", unprocessed)
                .build()
        });
        (rule, sizes)
    }

    fn publisher(rule: &Rule) -> DynamoDbPublisher {
        DynamoDbPublisher::new(
            mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [rule]),
            "lab-events",
            Duration::from_secs(3600),
        )
    }

    #[tokio::test]
    async fn writes_25_items_a_request_each_keyed_by_its_event() {
        let (rule, sizes) = answering(&[]);
        let events = encoded(60);
        let deliveries = send_all(&publisher(&rule), &events).await;
        assert_eq!(*sizes.lock().unwrap(), [25, 25, 10]);
        for (delivery, event) in deliveries.iter().zip(&events) {
            assert_eq!(delivery.as_deref(), Ok(event.event_id.to_string().as_str()));
        }
    }

    #[tokio::test]
    async fn unprocessed_items_are_retried_alone_and_then_land() {
        let (rule, sizes) = answering(&[3, 7]);
        let deliveries = send_all(&publisher(&rule), &encoded(10)).await;
        assert_eq!(
            *sizes.lock().unwrap(),
            [10, 2],
            "the retry carries only the unprocessed two"
        );
        assert!(deliveries.iter().all(Result::is_ok));
    }

    #[test]
    fn an_item_over_400_kb_is_rejected_before_sending() {
        assert_eq!(
            plan::<DynamoDbPublisher>(&oversized_events(400 * 1024))
                .unwrap_err()
                .index,
            1
        );
    }
}
