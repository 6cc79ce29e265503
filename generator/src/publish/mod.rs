//! Publishing lab events. One generic path chunks a batch by the service's count and
//! byte limits, sends each chunk, retries the entries that failed transiently once, and
//! reports every event's fate. Each service only says how it encodes, sizes and sends.

mod chunk;
pub mod eventbridge;
pub mod firehose;
pub mod kinesis;
pub mod sqs;

use std::future::Future;

use eventlab_schema::{LabEvent, Service};

pub use chunk::{Oversized, chunk_ranges};

/// Where one event went: the service's id for it, or why it could not be published.
pub type Delivery = Result<String, String>;

/// A failed entry, and whether sending it again may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub retryable: bool,
}

/// One service's batch API: its limits, its encoding of an event, and one request.
pub trait BatchApi: Send + Sync {
    /// Entries per request.
    const MAX_ENTRIES: usize;
    /// Bytes per request, as the service counts them.
    const MAX_REQUEST_BYTES: usize;
    /// Bytes per entry, as the service counts them.
    const MAX_ENTRY_BYTES: usize;

    /// What the service counts against its limits for this event.
    fn entry_size(event: &LabEvent) -> usize;

    /// Sends one request of at most `MAX_ENTRIES` events; answers for each index given.
    fn send(&self, events: &[(usize, &LabEvent)])
    -> impl Future<Output = Vec<(usize, Result<String, Failure>)>> + Send;
}

/// Rejects a batch that holds an event the service can never accept.
pub fn check<B: BatchApi>(events: &[LabEvent]) -> Result<(), Oversized> {
    plan::<B>(events).map(|_| ())
}

fn plan<B: BatchApi>(events: &[LabEvent]) -> Result<Vec<std::ops::Range<usize>>, Oversized> {
    let sizes: Vec<usize> = events.iter().map(B::entry_size).collect();
    chunk_ranges(&sizes, B::MAX_ENTRIES, B::MAX_REQUEST_BYTES, B::MAX_ENTRY_BYTES)
}

/// Publishes every event through `api`, one chunk after another (keeping publish order),
/// retrying transient entry failures once. One [`Delivery`] per event, in order.
pub async fn publish<B: BatchApi>(api: &B, events: &[LabEvent]) -> Vec<Delivery> {
    let ranges = match plan::<B>(events) {
        Ok(ranges) => ranges,
        Err(oversized) => return vec![Err(oversized.to_string()); events.len()],
    };
    let mut deliveries: Vec<Delivery> = vec![Err("not sent".to_owned()); events.len()];
    for range in ranges {
        let mut pending: Vec<usize> = range.collect();
        for attempt in 1..=2 {
            let batch: Vec<(usize, &LabEvent)> = pending.iter().map(|&i| (i, &events[i])).collect();
            let answers = complete(&pending, api.send(&batch).await);
            pending.clear();
            for (index, answer) in answers {
                match answer {
                    Err(failure) if failure.retryable && attempt == 1 => pending.push(index),
                    answer => deliveries[index] = answer.map_err(|failure| failure.message),
                }
            }
            if pending.is_empty() {
                break;
            }
            tracing::warn!(entries = pending.len(), "retrying failed entries once");
        }
    }
    deliveries
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

/// Every index of `events` failed the same way: the whole `operation` request failed, after
/// the SDK's own retries. Worth one more try.
fn all_failed(
    events: &[(usize, &LabEvent)],
    operation: &str,
    err: impl std::error::Error,
) -> Vec<(usize, Result<String, Failure>)> {
    // Every SDK crate re-exports the same smithy type; it prints the whole cause chain.
    let message = format!("{operation} failed: {}", aws_sdk_sqs::error::DisplayErrorContext(err));
    events
        .iter()
        .map(|&(index, _)| {
            (
                index,
                Err(Failure {
                    message: message.clone(),
                    retryable: true,
                }),
            )
        })
        .collect()
}

/// Pairs answers that come back in request order (`PutEvents`, `PutRecords`,
/// `PutRecordBatch`) with the indexes sent. Each answer is the service's id for the entry,
/// or its error code and message; `transient` says which codes are worth one retry.
fn in_request_order<'a>(
    events: &[(usize, &LabEvent)],
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

/// Publishes events to a service by name; what the handler depends on.
pub trait Publish: Send + Sync {
    /// Rejects the whole request up front when an event can never fit the service.
    fn check(&self, service: Service, events: &[LabEvent]) -> Result<(), Oversized>;

    fn publish(&self, service: Service, events: &[LabEvent]) -> impl Future<Output = Vec<Delivery>> + Send;
}

/// The product's publishers, one per service.
#[derive(Debug, Clone)]
pub struct Publishers {
    pub eventbridge: eventbridge::EventBridgePublisher,
    pub sqs: sqs::SqsPublisher,
    pub kinesis: kinesis::KinesisPublisher,
    pub firehose: firehose::FirehosePublisher,
}

/// [`check`] against the named service's limits.
pub fn check_for(service: Service, events: &[LabEvent]) -> Result<(), Oversized> {
    match service {
        Service::EventBridge => check::<eventbridge::EventBridgePublisher>(events),
        Service::Sqs => check::<sqs::SqsPublisher>(events),
        Service::Kinesis => check::<kinesis::KinesisPublisher>(events),
        Service::Firehose => check::<firehose::FirehosePublisher>(events),
    }
}

impl Publish for Publishers {
    fn check(&self, service: Service, events: &[LabEvent]) -> Result<(), Oversized> {
        check_for(service, events)
    }

    async fn publish(&self, service: Service, events: &[LabEvent]) -> Vec<Delivery> {
        match service {
            Service::EventBridge => publish(&self.eventbridge, events).await,
            Service::Sqs => publish(&self.sqs, events).await,
            Service::Kinesis => publish(&self.kinesis, events).await,
            Service::Firehose => publish(&self.firehose, events).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::test_support::events;

    /// A batch API with tiny limits that fails the indexes it is told to, once or always.
    #[derive(Default)]
    struct Scripted {
        requests: Mutex<Vec<Vec<usize>>>,
        fail_once: Vec<usize>,
        fail_always: Vec<usize>,
        permanent: Vec<usize>,
        forget: Vec<usize>,
    }

    impl BatchApi for Scripted {
        const MAX_ENTRIES: usize = 3;
        const MAX_REQUEST_BYTES: usize = usize::MAX;
        const MAX_ENTRY_BYTES: usize = usize::MAX;

        fn entry_size(_: &LabEvent) -> usize {
            1
        }

        async fn send(&self, events: &[(usize, &LabEvent)]) -> Vec<(usize, Result<String, Failure>)> {
            let mut requests = self.requests.lock().unwrap();
            let first = !requests.iter().flatten().any(|i| events.iter().any(|(e, _)| e == i));
            requests.push(events.iter().map(|(i, _)| *i).collect());
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
        let deliveries = publish(&api, &events(7)).await;
        assert_eq!(*api.requests.lock().unwrap(), [vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert_eq!(
            deliveries.iter().map(|d| d.clone().unwrap()).collect::<Vec<_>>(),
            (0..7).map(|i| format!("id-{i}")).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn transient_failures_are_retried_once() {
        let api = Scripted {
            fail_once: vec![1],
            fail_always: vec![2],
            ..Scripted::default()
        };
        let deliveries = publish(&api, &events(3)).await;
        assert_eq!(*api.requests.lock().unwrap(), [vec![0, 1, 2], vec![1, 2]]);
        assert_eq!(deliveries[1].as_deref(), Ok("id-1"), "succeeded on the retry");
        assert_eq!(
            deliveries[2],
            Err("failed 2".to_owned()),
            "still failing after one retry"
        );
    }

    #[tokio::test]
    async fn permanent_failures_are_not_retried() {
        let api = Scripted {
            permanent: vec![0],
            ..Scripted::default()
        };
        let deliveries = publish(&api, &events(2)).await;
        assert_eq!(api.requests.lock().unwrap().len(), 1);
        assert!(deliveries[0].is_err() && deliveries[1].is_ok());
    }

    #[tokio::test]
    async fn an_entry_the_service_forgets_is_a_failure_not_a_silent_loss() {
        let api = Scripted {
            forget: vec![1],
            ..Scripted::default()
        };
        let deliveries = publish(&api, &events(2)).await;
        assert!(deliveries[1].as_ref().unwrap_err().contains("no result"));
    }
}
