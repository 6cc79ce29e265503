//! Shared fixtures of the publishers' tests.

use std::time::Duration;

use eventlab_schema::{FactSource, LabEvent, RunId, Service};
use tokio::time::Instant;

use crate::events::build_events;
use crate::{BatchApi, Delivery, Encoded, RetryPolicy, plan, publish};

/// `count` valid SQS events of one run.
pub fn events(count: u32) -> Vec<LabEvent> {
    let run_id: RunId = "test-run".parse().unwrap();
    build_events(
        Service::Sqs,
        count,
        &run_id,
        "A short fact.",
        FactSource::Fallback,
        "tester",
    )
}

/// `count` events, encoded.
pub fn encoded(count: u32) -> Vec<Encoded> {
    events(count).iter().map(Encoded::of).collect()
}

/// Two events, the second padded past `limit` bytes when serialised.
pub fn oversized_events(limit: usize) -> Vec<Encoded> {
    let mut events = events(2);
    let size = events[1].to_json().len();
    events[1].padding = "x".repeat(limit + 1 - size);
    events.iter().map(Encoded::of).collect()
}

/// Plans and publishes `events` through `api` with quick retries and time to spare.
pub async fn send_all<B: BatchApi>(api: &B, events: &[Encoded]) -> Vec<Delivery> {
    let requests = plan::<B>(events).expect("the events fit");
    let policy = RetryPolicy {
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    publish(
        api,
        events,
        &requests,
        &policy,
        Instant::now() + Duration::from_secs(60),
    )
    .await
}
