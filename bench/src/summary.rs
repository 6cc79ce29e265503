//! From what a run measured to the figures a report shows.

use std::collections::{HashMap, HashSet};

use eventlab_schema::{RunId, Service, millis_between};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cost::{self, Bill, DurationAssumptions, Workload};
use crate::pricing::Prices;
use crate::run::{Drive, LaneRun, Via};
use crate::stats::{Arrival, Batching, Delivery, Latency};

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
    "The emulator runs Lambdas as host processes (x86_64 debug builds), not arm64 release builds in Firecracker.",
    "The emulator's Firehose does not buffer: one processor call and one S3 object per record, inside PutRecordBatch, so Firehose's batching and S3 PUT counts are not AWS's.",
    "The emulator ignores the SQS event source mapping's batching window.",
    "Costs are AWS list prices applied to the counts measured here; Lambda durations are assumptions (see below).",
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
    pub batching: Batching,
    pub s3_objects: u64,
    pub workload: Workload,
    pub cost_per_million: Bill,
}

impl LaneSummary {
    pub fn cost_per_million_usd(&self) -> f64 {
        self.cost_per_million.total()
    }
}

/// Publish calls a service needs for `batch` events (its count limit only).
fn service_calls(service: Service, batch: u32) -> u32 {
    use eventlab_generator::publish::{BatchApi, eventbridge, firehose, kinesis, sqs};
    let max = match service {
        Service::EventBridge => eventbridge::EventBridgePublisher::MAX_ENTRIES,
        Service::Sqs => sqs::SqsPublisher::MAX_ENTRIES,
        Service::Kinesis => kinesis::KinesisPublisher::MAX_ENTRIES,
        Service::Firehose => firehose::FirehosePublisher::MAX_ENTRIES,
    };
    batch.div_ceil(u32::try_from(max).unwrap_or(u32::MAX))
}

#[allow(clippy::cast_precision_loss)]
pub fn summarise(lane: &LaneRun, shards: u32, durations: &DurationAssumptions, prices: &Prices) -> LaneSummary {
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
            Service::Kinesis => eventlab_generator::publish::kinesis::partition_key(&record.event),
            _ => lane.run_id.to_string(),
        };
        arrivals.push(Arrival {
            event_id: record.event.event_id,
            key,
            seq: u32::try_from(seq).unwrap_or(u32::MAX),
            order: (record.received_at.timestamp_micros(), found.line),
        });
        if first_copy.insert(record.event.event_id) {
            if record.cold_start { &mut cold } else { &mut warm }.push(record.e2e_ms);
            visible.push(millis_between(record.event.time, found.seen_at));
        }
    }
    let delivery = Delivery::of(&published, &arrivals);
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
    let workload = Workload {
        service: lane.service,
        events: published.len() as u64,
        event_bytes,
        publish_requests: lane.calls * u64::from(service_calls(lane.service, lane.drive.batch)),
        transformer_invocations: batching.invocations,
        cold_starts: batching.cold_starts,
        s3_puts: lane.objects,
        api_requests: if lane.drive.via == Via::Api { lane.calls } else { 0 },
        hours,
        shards: if lane.service == Service::Kinesis { shards } else { 0 },
    };
    let bill = cost::bill(&workload, durations, prices).per_million(workload.events);
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
        batching,
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
    pub durations: DurationAssumptions,
    pub prices_region: String,
    pub lanes: Vec<LaneSummary>,
}
