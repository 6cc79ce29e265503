//! The generator Lambda behind the HTTP API: builds lab events and publishes them.
//!
//! `main` does the one-time work (settings, SSM targets, SDK clients) and hands a
//! [`handler::Generator`] to the runtime; everything per request lives in [`handler`].

pub mod config;
pub mod facts;
pub mod handler;
pub mod publish;

#[cfg(test)]
pub(crate) mod test_support {
    use eventlab_schema::{FactSource, LabEvent, RunId, Service};

    use crate::handler::build_events;

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

    /// Two events, the second padded past `limit` bytes when serialised.
    pub fn oversized_events(limit: usize) -> Vec<LabEvent> {
        let mut events = events(2);
        let size = events[1].to_json().len();
        events[1].padding = "x".repeat(limit + 1 - size);
        events
    }
}
