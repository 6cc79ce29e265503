//! The one publishing path every lane shares. Each lane's events are serialised once
//! ([`Encoded`]) and planned into requests by the service's count and byte limits
//! ([`Lane::plan`], from [`eventlab_schema::limits`]); [`publish`] sends the requests in
//! order, retries the entries that failed transiently with jittered backoff while the
//! deadline allows, and reports every event's fate. Each service only says how it sizes and
//! sends an entry.

use std::future::Future;
use std::ops::Range;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use eventlab_schema::limits::BatchLimits;
use eventlab_schema::{LabEvent, Service};
use tokio::time::Instant;
use uuid::Uuid;

use crate::{dynamodb, eventbridge, firehose, kinesis, sns, sqs};

/// Where one event went: the service's id for it, or why it could not be published.
pub type Delivery = Result<String, String>;

/// One event as a lane carries it: serialised once, its size taken from these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub event_id: Uuid,
    pub seq: u32,
    /// The seed's random id (Kinesis's partition key).
    pub id: u16,
    pub json: String,
}

impl Encoded {
    pub fn of(event: &LabEvent) -> Self {
        Self {
            event_id: event.event_id,
            seq: event.seq,
            id: event.id,
            json: event.to_json(),
        }
    }
}

/// A failed entry, and whether sending it again may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub retryable: bool,
}

/// One service's batch API: its limits, its size of an entry, and one request.
pub trait BatchApi: Send + Sync {
    /// Entries and bytes per request, and bytes per entry ([`eventlab_schema::limits`]).
    const LIMITS: BatchLimits;

    /// What the service counts against its limits for this event.
    fn entry_size(event: &Encoded) -> usize;

    /// Sends one request of at most `LIMITS.max_entries` events; answers for each index given.
    fn send(&self, events: &[(usize, &Encoded)]) -> impl Future<Output = Vec<(usize, Result<String, Failure>)>> + Send;
}

/// An item larger than the service accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} is {size} bytes as the service counts them; it accepts at most {max_bytes}")]
pub struct Oversized {
    pub index: usize,
    pub size: usize,
    pub max_bytes: usize,
}

/// Consecutive index ranges of at most `max_count` items and `max_request_bytes` bytes
/// each; an item over `max_entry_bytes` (or the request limit) can never be sent.
pub fn chunk_ranges(
    sizes: &[usize],
    max_count: usize,
    max_request_bytes: usize,
    max_entry_bytes: usize,
) -> Result<Vec<Range<usize>>, Oversized> {
    assert!(max_count > 0, "a request must carry at least one item");
    let max_bytes = max_entry_bytes.min(max_request_bytes);
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, &size) in sizes.iter().enumerate() {
        if size > max_bytes {
            return Err(Oversized { index, size, max_bytes });
        }
        if index - start == max_count || bytes + size > max_request_bytes {
            ranges.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    Ok(ranges)
}

/// The requests `events` go out in, by `B`'s limits; an event that can never fit fails the plan.
pub fn plan<B: BatchApi>(events: &[Encoded]) -> Result<Vec<Range<usize>>, Oversized> {
    let sizes: Vec<usize> = events.iter().map(B::entry_size).collect();
    let limits = B::LIMITS;
    chunk_ranges(
        &sizes,
        limits.max_entries,
        limits.max_request_bytes,
        limits.max_entry_bytes,
    )
}

/// One service's share of a request: its events, encoded, and the requests they go out in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub service: Service,
    pub events: Vec<Encoded>,
    pub requests: Vec<Range<usize>>,
}

impl Lane {
    /// Plans `events` by `service`'s limits; an event it can never take rejects the lane.
    pub fn plan(service: Service, events: Vec<Encoded>) -> Result<Self, Oversized> {
        let requests = match service {
            Service::EventBridge => plan::<eventbridge::EventBridgePublisher>(&events),
            Service::Sqs | Service::SqsFifo => plan::<sqs::SqsPublisher>(&events),
            Service::Kinesis => plan::<kinesis::KinesisPublisher>(&events),
            Service::Firehose => plan::<firehose::FirehosePublisher>(&events),
            Service::Sns => plan::<sns::SnsPublisher>(&events),
            Service::DynamoDb => plan::<dynamodb::DynamoDbPublisher>(&events),
        }?;
        Ok(Self {
            service,
            events,
            requests,
        })
    }
}

/// The SDK's retries for whole requests: its standard mode, which retries throttling,
/// transient and timeout errors with exponential backoff and full jitter, and nothing else
/// (access denied, no such queue and validation errors fail at once), with waits sized for
/// a caller waiting on the answer.
pub fn sdk_retry_config() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(50))
        .with_max_backoff(Duration::from_secs(1))
}

/// How entries that failed transiently are tried again. Whole requests are retried by the
/// SDK itself (its standard mode: throttling and transient errors, jittered backoff); this
/// covers what the SDK cannot see, entries a successful batch call reports as failed.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries per entry, the first included.
    pub attempts: usize,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The waits before each retry: exponential, with full jitter.
    fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.attempts.saturating_sub(1))
            .with_jitter()
            .build()
    }
}

/// Publishes `events` through `api` in the planned `requests`, one after another (keeping
/// publish order). Entries that failed transiently are retried by `policy`, but only while
/// the retry can finish before `publish_by`; a request still unanswered then fails its
/// entries. One [`Delivery`] per event, in order.
pub async fn publish<B: BatchApi>(
    api: &B,
    events: &[Encoded],
    requests: &[Range<usize>],
    policy: &RetryPolicy,
    publish_by: Instant,
) -> Vec<Delivery> {
    let mut deliveries: Vec<Delivery> = vec![Err("not sent".to_owned()); events.len()];
    for range in requests {
        let mut pending: Vec<usize> = range.clone().collect();
        let mut delays = policy.delays();
        loop {
            let batch: Vec<(usize, &Encoded)> = pending.iter().map(|&i| (i, &events[i])).collect();
            let answers = if let Ok(answers) = tokio::time::timeout_at(publish_by, api.send(&batch)).await {
                complete(&pending, answers)
            } else {
                let message =
                    "no answer before the invocation's deadline: the entry may or may not have been published";
                pending.iter().map(|&i| (i, Err(Failure::permanent(message)))).collect()
            };
            let mut retry = Vec::new();
            for (index, answer) in answers {
                match answer {
                    Err(failure) if failure.retryable => retry.push((index, failure.message)),
                    answer => deliveries[index] = answer.map_err(|failure| failure.message),
                }
            }
            if retry.is_empty() {
                break;
            }
            match delays.next() {
                Some(delay) if Instant::now() + delay < publish_by => {
                    tracing::warn!(
                        entries = retry.len(),
                        ?delay,
                        "retrying entries that failed transiently"
                    );
                    tokio::time::sleep(delay).await;
                    pending = retry.into_iter().map(|(index, _)| index).collect();
                }
                out_of_tries_or_time => {
                    let why = if out_of_tries_or_time.is_some() {
                        "no time left to retry before the invocation's deadline"
                    } else {
                        "retries exhausted"
                    };
                    for (index, message) in retry {
                        deliveries[index] = Err(format!("{message} ({why})"));
                    }
                    break;
                }
            }
        }
    }
    deliveries
}

impl Failure {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }
}

/// Makes sure every index sent has an answer: one the service left out is a failure.
fn complete(
    sent: &[usize],
    mut answers: Vec<(usize, Result<String, Failure>)>,
) -> Vec<(usize, Result<String, Failure>)> {
    for &index in sent {
        if !answers.iter().any(|(i, _)| *i == index) {
            answers.push((
                index,
                Err(Failure {
                    message: "the service returned no result for this entry".into(),
                    retryable: true,
                }),
            ));
        }
    }
    answers
}

/// Every index of `events` failed the same way: the whole `operation` request failed after
/// the SDK's own retries (which cover throttling and transient faults), or with an error
/// that no retry can fix (access denied, no such target, validation). Either way it is final.
pub(crate) fn all_failed(
    events: &[(usize, &Encoded)],
    operation: &str,
    err: impl std::error::Error,
) -> Vec<(usize, Result<String, Failure>)> {
    // Every SDK crate re-exports the same smithy type; it prints the whole cause chain.
    let message = format!("{operation} failed: {}", aws_sdk_sqs::error::DisplayErrorContext(err));
    events
        .iter()
        .map(|&(index, _)| (index, Err(Failure::permanent(message.clone()))))
        .collect()
}

/// Pairs answers that come back in request order (`PutEvents`, `PutRecords`,
/// `PutRecordBatch`) with the indexes sent. Each answer is the service's id for the entry,
/// or its error code and message; `transient` says which codes are worth a retry.
pub(crate) fn in_request_order<'a>(
    events: &[(usize, &Encoded)],
    answers: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
    transient: impl Fn(&str) -> bool,
) -> Vec<(usize, Result<String, Failure>)> {
    events
        .iter()
        .zip(answers)
        .map(|(&(index, _), answer)| match answer {
            (Some(id), None, _) => (index, Ok(id.to_owned())),
            (_, code, message) => {
                let code = code.unwrap_or("NoId");
                let message = format!("{code}: {}", message.unwrap_or("no message"));
                (
                    index,
                    Err(Failure {
                        message,
                        retryable: transient(code),
                    }),
                )
            }
        })
        .collect()
}

/// Pairs answers that name their entry by id (`SendMessageBatch`, `PublishBatch`: entry
/// ids are the indexes sent) with those indexes. A sender fault (a bad entry) fails the same
/// way every time; any other failure may not.
pub(crate) fn by_entry_id<'a>(
    successes: impl Iterator<Item = (&'a str, &'a str)>,
    failures: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>, bool)>,
) -> Vec<(usize, Result<String, Failure>)> {
    let successes = successes.filter_map(|(id, message_id)| Some((id.parse().ok()?, Ok(message_id.to_owned()))));
    let failures = failures.filter_map(|(id, code, message, sender_fault)| {
        Some((
            id.parse().ok()?,
            Err(Failure {
                message: format!("{code}: {}", message.unwrap_or("no message")),
                retryable: !sender_fault,
            }),
        ))
    });
    successes.chain(failures).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::test_support::{encoded, send_all};

    /// A batch API with tiny limits that fails the indexes it is told to, once or always.
    #[derive(Default)]
    struct Scripted {
        requests: Mutex<Vec<Vec<usize>>>,
        fail_once: Vec<usize>,
        fail_always: Vec<usize>,
        permanent: Vec<usize>,
        forget: Vec<usize>,
        /// Takes this long to answer.
        slow: Option<Duration>,
    }

    impl BatchApi for Scripted {
        const LIMITS: BatchLimits = BatchLimits {
            call: "Scripted",
            max_entries: 3,
            max_request_bytes: usize::MAX,
            max_entry_bytes: usize::MAX,
        };

        fn entry_size(_: &Encoded) -> usize {
            1
        }

        async fn send(&self, events: &[(usize, &Encoded)]) -> Vec<(usize, Result<String, Failure>)> {
            let first = {
                let mut requests = self.requests.lock().unwrap();
                let first = !requests.iter().flatten().any(|i| events.iter().any(|(e, _)| e == i));
                requests.push(events.iter().map(|(i, _)| *i).collect());
                first
            };
            if let Some(slow) = self.slow {
                tokio::time::sleep(slow).await;
            }
            events
                .iter()
                .filter(|(i, _)| !self.forget.contains(i))
                .map(|&(i, _)| {
                    let failure = |retryable| {
                        Err(Failure {
                            message: format!("failed {i}"),
                            retryable,
                        })
                    };
                    let answer = if self.permanent.contains(&i) {
                        failure(false)
                    } else if self.fail_always.contains(&i) || (first && self.fail_once.contains(&i)) {
                        failure(true)
                    } else {
                        Ok(format!("id-{i}"))
                    };
                    (i, answer)
                })
                .collect()
        }
    }

    #[tokio::test]
    async fn chunks_in_order_and_reports_every_event() {
        let api = Scripted::default();
        let deliveries = send_all(&api, &encoded(7)).await;
        assert_eq!(*api.requests.lock().unwrap(), [vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert_eq!(
            deliveries.iter().map(|d| d.clone().unwrap()).collect::<Vec<_>>(),
            (0..7).map(|i| format!("id-{i}")).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn transient_failures_are_retried_up_to_the_policys_attempts() {
        let api = Scripted {
            fail_once: vec![1],
            fail_always: vec![2],
            ..Scripted::default()
        };
        let deliveries = send_all(&api, &encoded(3)).await;
        assert_eq!(
            *api.requests.lock().unwrap(),
            [vec![0, 1, 2], vec![1, 2], vec![2]],
            "3 attempts: the first, then only what still failed"
        );
        assert_eq!(deliveries[1].as_deref(), Ok("id-1"), "succeeded on the retry");
        assert_eq!(deliveries[2], Err("failed 2 (retries exhausted)".to_owned()));
    }

    #[tokio::test]
    async fn permanent_failures_are_reported_at_once() {
        let api = Scripted {
            permanent: vec![0],
            ..Scripted::default()
        };
        let deliveries = send_all(&api, &encoded(2)).await;
        assert_eq!(api.requests.lock().unwrap().len(), 1);
        assert_eq!(deliveries[0], Err("failed 0".to_owned()));
        assert!(deliveries[1].is_ok());
    }

    #[tokio::test]
    async fn an_entry_the_service_forgets_is_a_failure_not_a_silent_loss() {
        let api = Scripted {
            forget: vec![1],
            ..Scripted::default()
        };
        let deliveries = send_all(&api, &encoded(2)).await;
        assert!(deliveries[1].as_ref().unwrap_err().contains("no result"));
    }

    #[tokio::test]
    async fn no_retry_starts_that_could_not_end_before_the_deadline() {
        let api = Scripted {
            fail_always: vec![0],
            ..Scripted::default()
        };
        let events = encoded(1);
        let policy = RetryPolicy {
            attempts: 5,
            first_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(10),
        };
        // Full jitter may draw a short wait; the deadline is shorter than any draw but zero.
        let publish_by = Instant::now() + Duration::from_millis(1);
        let requests = plan::<Scripted>(&events).unwrap();
        let deliveries = publish(&api, &events, &requests, &policy, publish_by).await;
        assert!(api.requests.lock().unwrap().len() <= 2);
        let error = deliveries[0].as_ref().unwrap_err();
        assert!(error.contains("failed 0 ("), "{error}");
    }

    #[tokio::test]
    async fn a_request_unanswered_at_the_deadline_fails_its_entries_saying_so() {
        let api = Scripted {
            slow: Some(Duration::from_secs(30)),
            ..Scripted::default()
        };
        let events = encoded(4);
        let publish_by = Instant::now() + Duration::from_millis(200);
        let deliveries = publish(&api, &events, &[0..3, 3..4], &RetryPolicy::default(), publish_by).await;
        assert!(
            deliveries
                .iter()
                .all(|d| d.as_ref().unwrap_err().contains("before the invocation's deadline"))
        );
        // A bound on correctness (it gave up at the deadline, not after the 30 s answer).
        assert!(Instant::now() < publish_by + Duration::from_secs(10));
    }

    #[test]
    fn each_lane_is_planned_by_its_services_limits() {
        let lane = |service| Lane::plan(service, encoded(25)).unwrap().requests;
        assert_eq!(lane(Service::Sqs), [0..10, 10..20, 20..25]);
        assert_eq!(lane(Service::EventBridge), [0..10, 10..20, 20..25]);
        assert_eq!(lane(Service::Kinesis), vec![0..25]);
        assert_eq!(lane(Service::Firehose), vec![0..25]);
        assert_eq!(lane(Service::Sns), [0..10, 10..20, 20..25]);
        assert_eq!(lane(Service::SqsFifo), [0..10, 10..20, 20..25]);
        assert_eq!(lane(Service::DynamoDb), vec![0..25]);
    }
}

/// Splitting into requests by count and bytes.
#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one-range answers are the point of these cases
mod chunk_tests {
    use super::*;

    #[test]
    fn splits_by_count() {
        let chunk = |n: usize| chunk_ranges(&vec![1; n], 10, 100, 100).unwrap();
        assert_eq!(chunk(0), Vec::<Range<usize>>::new());
        assert_eq!(chunk(1), [0..1]);
        assert_eq!(chunk(10), [0..10]);
        assert_eq!(chunk(11), [0..10, 10..11]);
        assert_eq!(chunk(25), [0..10, 10..20, 20..25]);
    }

    #[test]
    fn splits_by_request_bytes() {
        assert_eq!(chunk_ranges(&[40, 40, 40], 10, 100, 100).unwrap(), [0..2, 2..3]);
        assert_eq!(chunk_ranges(&[100, 1], 10, 100, 100).unwrap(), [0..1, 1..2]);
        assert_eq!(
            chunk_ranges(&[50, 50], 10, 100, 100).unwrap(),
            [0..2],
            "exactly the limit fits"
        );
    }

    #[test]
    fn rejects_an_item_over_either_limit() {
        assert_eq!(
            chunk_ranges(&[1, 101], 10, 100, 1000),
            Err(Oversized {
                index: 1,
                size: 101,
                max_bytes: 100
            })
        );
        assert_eq!(
            chunk_ranges(&[30, 31], 10, 100, 30),
            Err(Oversized {
                index: 1,
                size: 31,
                max_bytes: 30
            })
        );
    }
}
