//! Transform Lambdas: each takes a batch of lab events from one service, transforms
//! every event and writes the results to S3 as JSON Lines, one object per invocation.
//!
//! The per-service modules only adapt their event type to [`batch::Incoming`]; the
//! shared [`batch::process`] does the grouping, writing and failure accounting.

pub mod batch;
pub mod dynamodb;
pub mod eventbridge;
pub mod firehose;
pub mod kinesis;
pub mod sink;
pub mod sns;
pub mod sqs;
pub mod sqs_fifo;
pub mod transform;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

/// What a handler knows about the invocation it is serving.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub function_name: String,
    pub received_at: DateTime<Utc>,
    pub cold_start: bool,
}

/// Tells the first invocation of an execution environment from the rest.
#[derive(Debug)]
pub struct ColdStart(AtomicBool);

impl ColdStart {
    pub const fn new() -> Self {
        Self(AtomicBool::new(true))
    }

    /// True on the first call only.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

impl Default for ColdStart {
    fn default() -> Self {
        Self::new()
    }
}

impl Invocation {
    /// Builds the invocation metadata from the runtime's context, at receipt time.
    pub fn from_context(context: &lambda_runtime::Context, cold_start: &ColdStart) -> Self {
        Self {
            request_id: context.request_id.clone(),
            function_name: context.env_config.function_name.clone(),
            received_at: Utc::now(),
            cold_start: cold_start.take(),
        }
    }
}

/// What every lane's `main` sets up once per cold start.
#[derive(Debug)]
pub struct Lane {
    pub sink: sink::S3Sink,
    cold_start: ColdStart,
}

impl Lane {
    /// Logging, the SDK client and the results bucket (`RESULTS_BUCKET`).
    pub async fn init() -> Result<Self, lambda_runtime::Error> {
        lambda_runtime::tracing::init_default_subscriber();
        let bucket = std::env::var("RESULTS_BUCKET").map_err(|_| "RESULTS_BUCKET is not set")?;
        let config = aws_config::load_from_env().await;
        Ok(Self {
            sink: sink::S3Sink::new(aws_sdk_s3::Client::new(&config), bucket),
            cold_start: ColdStart::new(),
        })
    }

    /// The metadata of the invocation being served, taken at receipt.
    pub fn invocation(&self, context: &lambda_runtime::Context) -> Invocation {
        Invocation::from_context(context, &self.cold_start)
    }
}

#[cfg(test)]
mod tests {
    use super::ColdStart;

    #[test]
    fn cold_start_is_true_exactly_once() {
        let cold = ColdStart::new();
        assert!(cold.take());
        assert!(!cold.take());
        assert!(!cold.take());
    }
}
