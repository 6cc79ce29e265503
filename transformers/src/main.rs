//! The transform Lambda: one `bootstrap` serves all seven lanes. Terraform deploys it as
//! seven functions, each with its own role and trigger, and names the lane of each in
//! `EVENTLAB_LANE`; the lane picks the event type the runtime decodes and the handler
//! that serves it. One binary links once, where seven took seven links (and seven LTO
//! passes for the arm64 release zips).

use aws_lambda_events::event::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::firehose::KinesisFirehoseEvent;
use aws_lambda_events::event::kinesis::KinesisEvent;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use eventlab_schema::Service;
use eventlab_schema::switches::{DRILL_BREAK_VARIABLE, LANE_VARIABLE};
use eventlab_transformers::batch::S3Sink;
use eventlab_transformers::{ColdStart, Invocation};
use eventlab_transformers::{dynamodb, eventbridge, firehose, kinesis, sns, sqs, sqs_fifo};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let service = lane_named(std::env::var(LANE_VARIABLE).ok())?;
    let lane = &Lane::init().await?;
    match service {
        Service::EventBridge => {
            run(service_fn(|event: LambdaEvent<EventBridgeEvent>| async move {
                lane.refuse_if_drilled(1)?;
                eventbridge::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
            }))
            .await
        }
        Service::Sqs => {
            run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                Ok::<_, Error>(sqs::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
            }))
            .await
        }
        Service::Kinesis => {
            run(service_fn(|event: LambdaEvent<KinesisEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                Ok::<_, Error>(kinesis::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
            }))
            .await
        }
        Service::Firehose => {
            run(service_fn(|event: LambdaEvent<KinesisFirehoseEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                firehose::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
            }))
            .await
        }
        Service::Sns => {
            run(service_fn(|event: LambdaEvent<SnsEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                sns::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
            }))
            .await
        }
        Service::SqsFifo => {
            run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                Ok::<_, Error>(sqs_fifo::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
            }))
            .await
        }
        Service::DynamoDb => {
            run(service_fn(|event: LambdaEvent<DynamoDbEvent>| async move {
                lane.refuse_if_drilled(event.payload.records.len())?;
                Ok::<_, Error>(dynamodb::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
            }))
            .await
        }
    }
}

/// The lane named by `EVENTLAB_LANE`, or an INIT error that says what to set.
fn lane_named(value: Option<String>) -> Result<Service, String> {
    let names = Service::ALL.map(Service::as_str).join(", ");
    let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        format!("{LANE_VARIABLE} is not set: it names the lane this transformer serves (one of {names})")
    })?;
    value
        .trim()
        .parse()
        .map_err(|_| format!("{LANE_VARIABLE}={value:?} names no lane: one of {names}"))
}

/// What the function sets up once per cold start.
#[derive(Debug)]
struct Lane {
    sink: S3Sink,
    cold_start: ColdStart,
    drill_break: Option<DrillBreak>,
}

impl Lane {
    /// The SDK client and the results bucket (`RESULTS_BUCKET`).
    async fn init() -> Result<Self, Error> {
        let bucket = std::env::var("RESULTS_BUCKET").map_err(|_| "RESULTS_BUCKET is not set")?;
        let config = aws_config::load_from_env().await;
        Ok(Self {
            sink: S3Sink::new(aws_sdk_s3::Client::new(&config), bucket),
            cold_start: ColdStart::new(),
            // Read once: changing a function's environment starts new execution environments.
            drill_break: DrillBreak::from_variable(std::env::var(DRILL_BREAK_VARIABLE).ok()),
        })
    }

    /// Fails the invocation (a function error, which every service retries in its own way)
    /// while a drill has broken this consumer.
    fn refuse_if_drilled(&self, records: usize) -> Result<(), Error> {
        self.drill_break
            .as_ref()
            .map_or(Ok(()), |drill| Err(drill.refuse(records)))
    }

    /// The metadata of the invocation being served, taken at receipt.
    fn invocation(&self, context: &lambda_runtime::Context) -> Invocation {
        Invocation::from_context(context, &self.cold_start)
    }
}

/// A consumer broken on purpose by `eventlab-bench drill`, for the length of an outage
/// (`EVENTLAB_DRILL_BREAK`): the function then fails every invocation before reading a
/// record, the way a broken deploy would, so each service shows what it does with a
/// failing consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DrillBreak(String);

impl DrillBreak {
    /// The break named by the variable's value, if it is set and not empty.
    fn from_variable(value: Option<String>) -> Option<Self> {
        value.filter(|v| !v.trim().is_empty()).map(Self)
    }

    /// The function error a broken consumer answers with; logged first, with the number of
    /// records refused, so the drill can count what each service handed to it.
    fn refuse(&self, records: usize) -> Error {
        tracing::error!(drill = %self.0, records, "drill: consumer broken on purpose; failing the invocation");
        format!("eventlab drill {}: consumer broken on purpose", self.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lane_is_named_by_its_service() {
        for service in Service::ALL {
            assert_eq!(lane_named(Some(service.as_str().to_owned())), Ok(service));
        }
        assert_eq!(lane_named(Some(" sqs-fifo\n".into())), Ok(Service::SqsFifo));
    }

    #[test]
    fn a_missing_or_unknown_lane_says_what_to_set() {
        let missing = lane_named(None).unwrap_err();
        assert!(missing.starts_with("EVENTLAB_LANE is not set"), "{missing}");
        assert!(missing.contains("sqs-fifo"), "{missing}");
        assert_eq!(lane_named(Some("  ".into())).unwrap_err(), missing);
        let unknown = lane_named(Some("kafka".into())).unwrap_err();
        assert!(
            unknown.starts_with("EVENTLAB_LANE=\"kafka\" names no lane"),
            "{unknown}"
        );
    }

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
