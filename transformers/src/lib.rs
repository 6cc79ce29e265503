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

/// Set on a transformer only by `eventlab-bench drill`, for the length of an outage. The
/// function then fails every invocation before reading a record, the way a broken deploy
/// would, so each service shows what it does with a failing consumer.
pub use eventlab_schema::DRILL_BREAK_VARIABLE;

/// A consumer broken on purpose by a failure drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillBreak(String);

impl DrillBreak {
    /// The break named by the variable's value, if it is set and not empty.
    pub fn from_variable(value: Option<String>) -> Option<Self> {
        value.filter(|v| !v.trim().is_empty()).map(Self)
    }

    /// The function error a broken consumer answers with; logged first, with the number of
    /// records refused, so the drill can count what each service handed to it.
    pub fn refuse(&self, records: usize) -> lambda_runtime::Error {
        tracing::error!(drill = %self.0, records, "drill: consumer broken on purpose; failing the invocation");
        format!("eventlab drill {}: consumer broken on purpose", self.0).into()
    }
}

/// What every lane's `main` sets up once per cold start.
#[derive(Debug)]
pub struct Lane {
    pub sink: sink::S3Sink,
    cold_start: ColdStart,
    drill_break: Option<DrillBreak>,
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
            // Read once: changing a function's environment starts new execution environments.
            drill_break: DrillBreak::from_variable(std::env::var(DRILL_BREAK_VARIABLE).ok()),
        })
    }

    /// Fails the invocation (a function error, which every service retries in its own way)
    /// while a drill has broken this consumer.
    pub fn refuse_if_drilled(&self, records: usize) -> Result<(), lambda_runtime::Error> {
        self.drill_break
            .as_ref()
            .map_or(Ok(()), |drill| Err(drill.refuse(records)))
    }

    /// The metadata of the invocation being served, taken at receipt.
    pub fn invocation(&self, context: &lambda_runtime::Context) -> Invocation {
        Invocation::from_context(context, &self.cold_start)
    }
}

#[cfg(test)]
mod tests {
    use super::{ColdStart, DrillBreak};

    #[test]
    fn a_drill_break_needs_a_non_empty_name_and_fails_with_it() {
        assert_eq!(DrillBreak::from_variable(None), None);
        assert_eq!(DrillBreak::from_variable(Some("  ".into())), None);
        let drill = DrillBreak::from_variable(Some("d-42".into())).expect("a break");
        assert_eq!(
            drill.refuse(3).to_string(),
            "eventlab drill d-42: consumer broken on purpose"
        );
    }

    #[test]
    fn cold_start_is_true_exactly_once() {
        let cold = ColdStart::new();
        assert!(cold.take());
        assert!(!cold.take());
        assert!(!cold.take());
    }
}
