//! From what a run measured to the figures a report shows.

use std::collections::{HashMap, HashSet};

use eventlab_schema::{RunId, Service, millis_between};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cost::{self, Bill, FunctionProfile, LambdaProfile, Origin, Workload};
use crate::pricing::Prices;
use crate::record::{Drive, LaneRun, Via};
use crate::stats::{Arrival, Batching, Delivery, Latency, Order};
use crate::usage::FunctionUsage;

/// Where the figures come from: the reader must never mistake one for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    LocalEmulator,
    Aws,
}

/// Said at the top of every local report.
pub const LOCAL_CAVEATS: &[&str] = &[
    "These figures come from MiniStack, a local AWS emulator, not from AWS: absolute latencies are the emulator's and the host's.",
    "The emulator runs Lambdas as host processes (x86_64 dev-profile builds: only the request path optimised), not arm64 release builds in Firecracker.",
    "The emulator's Firehose does not buffer: one processor call and one S3 object per record, inside PutRecordBatch, so Firehose's batching and S3 PUT counts are not AWS's.",
    "The emulator ignores the SQS event source mapping's batching window.",
    "The emulator delivers SNS to Lambda once, without Lambda's asynchronous retries or the on-failure destination, and its DynamoDB stream mapping retries a failing batch whole (no bisecting, no partial batch response); read in MiniStack 1.5.33's source, not measured here. Failure handling on those lanes is AWS's, not shown by this run.",
    "Costs are AWS list prices applied to the counts measured here. Lambda durations and log bytes are read from the functions' REPORT lines and log groups on the emulator: host x86_64 dev-profile builds, not arm64 release builds, so they overstate AWS's.",
    "Latency on AWS differs in kind: the published AWS reference figures beside each local figure are another account's measurements, shown for comparison, never merged with these.",
];

/// Said at the top of every AWS report.
pub const AWS_CAVEATS: &[&str] = &[
    "Costs are us-east-1 list prices applied to the counts measured here, with Lambda durations and log bytes read from the functions' REPORT lines and log groups; no free tier is subtracted (free tiers are monthly, per account: see `model --free-tier`).",
];

/// Per-service figures of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaneSummary {
    pub service: Service,
    pub run_id: RunId,
    pub via: Via,
    pub events: u32,
    pub failed_to_publish: u64,
    /// Client-side time of each publish call.
    pub publish_call: Option<Latency>,
    /// `time` → transformer `received_at`, warm invocations only.
    pub end_to_end: Option<Latency>,
    /// The same for events that met a cold start.
    pub end_to_end_cold: Option<Latency>,
    /// `time` → the bench first saw the result object (includes polling).
    pub s3_visible: Option<Latency>,
    pub delivery: Delivery,
    pub order: Order,
    pub batching: Batching,
    /// What the lane's functions used, from their logs (absent if the logs could not be read).
    pub functions: LaneUsage,
    /// The Lambda figures the cost used, and where each came from.
    pub lambdas: LambdaProfile,
    /// The same lane on AWS at this rate, modelled (not measured).
    pub aws_model: AwsModel,
    pub s3_objects: u64,
    pub workload: Workload,
    pub cost_per_million: Bill,
}

impl LaneSummary {
    pub fn cost_per_million_usd(&self) -> f64 {
        self.cost_per_million.total()
    }
}

/// What the lane's two functions used during its run, from their log groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LaneUsage {
    pub transformer: Option<FunctionUsage>,
    /// Only when publishing through the API (the generator runs then).
    pub generator: Option<FunctionUsage>,
    /// Bytes of API access log per request, where the API wrote any.
    pub access_log_bytes_per_request: Option<f64>,
}

/// The cost profile a lane's usage supports: measured where its logs have REPORT lines,
/// the stated assumption where not.
pub fn lambda_profile(usage: &LaneUsage, environment: Environment) -> LambdaProfile {
    let measured = match environment {
        Environment::LocalEmulator => Origin::MeasuredLocal,
        Environment::Aws => Origin::MeasuredAws,
    };
    let assumed = LambdaProfile::assumed();
    let profile = |usage: Option<&FunctionUsage>, fallback: FunctionProfile| {
        usage
            .and_then(|u| {
                Some(FunctionProfile {
                    billed_ms: u.billed_ms_per_invocation()?,
                    // Custom runtimes bill INIT inside the REPORT's billed duration.
                    init_ms: 0.0,
                    memory_mb: u.memory_mb.unwrap_or(fallback.memory_mb),
                    log_bytes: u.log_bytes_per_invocation()?,
                    origin: measured,
                })
            })
            .unwrap_or(fallback)
    };
    LambdaProfile {
        transformer: profile(usage.transformer.as_ref(), assumed.transformer),
        generator: profile(usage.generator.as_ref(), assumed.generator),
        access_log_bytes: usage.access_log_bytes_per_request.unwrap_or(assumed.access_log_bytes),
        access_log_origin: if usage.access_log_bytes_per_request.is_some() {
            measured
        } else {
            Origin::Assumed
        },
        arch: assumed.arch,
    }
}

/// What each lane's service promises about order.
pub fn order_promise(service: Service) -> &'static str {
    match service {
        Service::Kinesis => "per shard, by sequence number",
        Service::Sqs => "none (a standard queue; FIFO queues order per message group)",
        Service::SqsFifo => "per message group (10 groups by id band), by sequence number",
        Service::DynamoDb => "per item key (each event is its own item: nothing to reorder)",
        Service::EventBridge | Service::Firehose | Service::Sns => "none",
    }
}

/// The stack facts a lane's cost depends on.
#[derive(Debug, Clone, Copy)]
pub struct StackFacts {
    pub shards: u32,
    pub retention_days: f64,
    pub batching: Option<eventlab_schema::outputs::Batching>,
}

/// What the same lane would do on AWS at the run's rate, by the model: a comparison for
/// local figures that are emulator artefacts (Firehose's per-record objects, say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwsModel {
    pub usd_per_million: Option<f64>,
    /// Mean wait batching adds on AWS, modelled.
    pub added_wait_ms: Option<f64>,
    pub capacity: String,
    pub cannot_run: Option<String>,
}

/// Models `service` on AWS at the drive's rate with the stack's batching settings.
fn aws_model(service: Service, drive: &Drive, event_bytes: f64, stack: StackFacts) -> AwsModel {
    use crate::model::{Batching as Settings, ModelArgs, row};
    let applied = stack.batching;
    let settings = match (service, applied) {
        (Service::Sqs, Some(b)) => Settings {
            batch: b.sqs_batch_size,
            window: b.sqs_batching_window_seconds,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        },
        (Service::Kinesis, Some(b)) => Settings {
            batch: b.kinesis_batch_size,
            window: b.kinesis_batching_window_seconds,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        },
        (Service::SqsFifo, Some(b)) => Settings {
            batch: b.sqs_fifo_batch_size,
            window: 0.0,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        },
        (Service::DynamoDb, Some(b)) => Settings {
            batch: b.dynamodb_batch_size,
            window: 0.0,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        },
        (Service::Firehose, Some(b)) => Settings {
            batch: 1,
            window: 0.0,
            firehose_interval: b.firehose_buffering_interval_seconds,
            firehose_size_mb: b.firehose_buffering_size_mb,
        },
        _ => Settings {
            batch: 10,
            window: 0.0,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        },
    };
    let args = ModelArgs {
        rates: vec![drive.rate],
        event_bytes,
        publish_batch: drive.batch,
        retention_days: stack.retention_days,
        direct: drive.via == Via::Direct,
        ..ModelArgs::default()
    };
    let modelled = row(
        service,
        &args,
        settings,
        drive.rate,
        &crate::pricing::PriceBook::us_east_1(),
    );
    AwsModel {
        usd_per_million: modelled
            .monthly_usd
            .map(|usd| usd / (drive.rate * 30.0 * 24.0 * 3600.0) * 1e6),
        added_wait_ms: modelled.sizing.as_ref().map(|s| s.added_wait_ms),
        capacity: modelled.capacity,
        cannot_run: modelled.cannot_run,
    }
}

#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
pub fn summarise(
    lane: &LaneRun,
    stack: StackFacts,
    usage: LaneUsage,
    environment: Environment,
    prices: &Prices,
) -> LaneSummary {
    let published: HashSet<Uuid> = lane.sent.iter().map(|s| s.event_id).collect();
    let seq_of: HashMap<Uuid, u64> = lane.sent.iter().map(|s| (s.event_id, s.seq)).collect();

    // Each call once, whatever number of events it carried.
    let calls: HashMap<u32, f64> = lane.sent.iter().map(|s| (s.call, s.call_ms)).collect();
    let call_times: Vec<f64> = calls.into_values().collect();

    let mut arrivals = Vec::new();
    let mut first_copy = HashSet::new();
    let (mut warm, mut cold, mut visible) = (Vec::new(), Vec::new(), Vec::new());
    for found in &lane.found {
        let record = &found.record;
        let Some(&seq) = seq_of.get(&record.event.event_id) else {
            continue;
        };
        let key = match lane.service {
            Service::Kinesis => eventlab_schema::limits::kinesis_partition_key(record.event.id),
            Service::SqsFifo => eventlab_schema::fifo_group(record.event.id),
            _ => lane.run_id.to_string(),
        };
        arrivals.push(Arrival {
            event_id: record.event.event_id,
            key,
            seq: u32::try_from(seq).unwrap_or(u32::MAX),
            order: (record.received_at.timestamp_micros(), found.line),
            position: record
                .position
                .as_ref()
                .and_then(|p| Some((p.scope.clone(), p.sequence_number()?))),
        });
        if first_copy.insert(record.event.event_id) {
            if record.cold_start { &mut cold } else { &mut warm }.push(record.e2e_ms);
            visible.push(millis_between(record.event.time, found.seen_at));
        }
    }
    let delivery = Delivery::of(&published, &arrivals);
    let order = Order::of(order_promise(lane.service), &published, &arrivals);
    let batching = Batching::of(
        lane.found
            .iter()
            .map(|f| (f.record.request_id.as_str(), f.record.batch_size, f.record.cold_start)),
        delivery.delivered,
    );
    let event_bytes = if lane.found.is_empty() {
        lane.drive.size_bytes.unwrap_or(400) as f64
    } else {
        lane.found
            .iter()
            .map(|f| f.record.event.to_json().len() as f64)
            .sum::<f64>()
            / lane.found.len() as f64
    };
    let hours = (lane.finished_at - lane.started_at).num_milliseconds().max(0) as f64 / 3_600_000.0;
    let sqs_receives = if matches!(lane.service, Service::Sqs | Service::SqsFifo) {
        batching
            .batch_sizes
            .iter()
            .map(|(size, count)| cost::sqs_receives_for_batch(*size as u64) * count)
            .sum()
    } else {
        0
    };
    let lambdas = lambda_profile(&usage, environment);
    let workload = Workload {
        service: lane.service,
        events: published.len() as u64,
        event_bytes,
        publish_requests: lane.calls
            * u64::from(eventlab_schema::limits::publish_calls(lane.service, lane.drive.batch)),
        transformer_invocations: batching.invocations,
        sqs_receives,
        // Measured durations include INIT; assumed ones add it per cold start.
        cold_starts: batching.cold_starts,
        generator_cold_starts: usage.generator.as_ref().map_or(0, |g| g.cold_starts),
        s3_puts: lane.objects,
        multipart_objects: lane.service == Service::Firehose
            && stack
                .batching
                .is_some_and(|b| b.firehose_buffering_interval_seconds < 60.0),
        result_bytes: lane
            .found
            .iter()
            .map(|f| serde_json::to_string(&f.record).map_or(0.0, |line| line.len() as f64 + 1.0))
            .sum(),
        retention_days: stack.retention_days,
        api_requests: if lane.drive.via == Via::Api { lane.calls } else { 0 },
        hours,
        shards: if lane.service == Service::Kinesis {
            stack.shards
        } else {
            0
        },
    };
    let bill = cost::bill(&workload, &lambdas, prices).per_million(workload.events);
    LaneSummary {
        service: lane.service,
        run_id: lane.run_id.clone(),
        via: lane.drive.via,
        events: lane.drive.events,
        failed_to_publish: lane.failed_to_publish,
        publish_call: Latency::of(&call_times),
        end_to_end: Latency::of(&warm),
        end_to_end_cold: Latency::of(&cold),
        s3_visible: Latency::of(&visible),
        delivery,
        order,
        batching,
        aws_model: aws_model(lane.service, &lane.drive, event_bytes, stack),
        functions: usage,
        lambdas,
        s3_objects: lane.objects,
        workload,
        cost_per_million: bill,
    }
}

/// Everything a report shows; written as `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub bench_id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub environment: Environment,
    pub endpoint: Option<String>,
    pub caveats: Vec<String>,
    pub drive: Drive,
    pub kinesis_shards: u32,
    pub prices_region: String,
    pub lanes: Vec<LaneSummary>,
    /// The lab's binaries started cold and invoked warm, when the run asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coldstart: Option<crate::coldstart::Report>,
    /// Each lane's dead-letter or on-failure queue, read after the run (empty when the
    /// stack's outputs name none, or they could not be read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_queues: Vec<crate::failures::QueueDepth>,
}
