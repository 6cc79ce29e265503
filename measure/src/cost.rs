//! What a workload costs, item by item, from counts the bench measured (or a model
//! assumed). Pure functions over [`Prices`], so every figure can be checked by hand, and
//! every item says where its quantity came from ([`Origin`]).

use std::fmt;

use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

use crate::pricing::{FreeTier, Prices};

const KB: f64 = 1024.0;
const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Lambda instruction set, which sets the GB-second price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    Arm64,
    X86_64,
}

/// Where a quantity comes from. A reader must be able to tell each kind apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Counted by the bench in this run (events, calls, invocations, objects).
    Counted,
    /// Read from the lab's own logs on the local emulator.
    MeasuredLocal,
    /// Read from the lab's own logs on AWS.
    MeasuredAws,
    /// A stated assumption, not a measurement.
    Assumed,
    /// Derived from rates and documented service behaviour (the `model` command).
    Modelled,
    /// A monthly free tier subtracted (`--free-tier`).
    FreeTier,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Counted => "counted",
            Self::MeasuredLocal => "measured on the local emulator",
            Self::MeasuredAws => "measured on AWS",
            Self::Assumed => "assumed",
            Self::Modelled => "modelled",
            Self::FreeTier => "free tier",
        })
    }
}

/// What one Lambda function costs per invocation, and where the figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunctionProfile {
    /// Billed milliseconds per invocation (measured: INIT included, as custom runtimes bill it).
    pub billed_ms: f64,
    /// Billed INIT milliseconds added per cold start (0 when already inside `billed_ms`).
    pub init_ms: f64,
    pub memory_mb: f64,
    /// Bytes CloudWatch Logs ingests per invocation (START/END/REPORT and the lab's lines).
    pub log_bytes: f64,
    pub origin: Origin,
}

/// The Lambda side of a bill: both functions and the API's access logs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LambdaProfile {
    pub transformer: FunctionProfile,
    pub generator: FunctionProfile,
    /// Bytes of API Gateway access log per request.
    pub access_log_bytes: f64,
    pub access_log_origin: Origin,
    pub arch: Arch,
}

impl LambdaProfile {
    /// Stated assumptions, used where nothing was measured (the `model` command, a run
    /// whose logs could not be read). Log sizes are the lab's own lines plus Lambda's
    /// START/END/REPORT at 26 bytes of overhead each, rounded up.
    pub fn assumed() -> Self {
        Self {
            transformer: FunctionProfile {
                billed_ms: 25.0,
                init_ms: 15.0,
                memory_mb: 128.0,
                log_bytes: 700.0,
                origin: Origin::Assumed,
            },
            generator: FunctionProfile {
                billed_ms: 40.0,
                init_ms: 15.0,
                memory_mb: 128.0,
                log_bytes: 700.0,
                origin: Origin::Assumed,
            },
            access_log_bytes: 400.0,
            access_log_origin: Origin::Assumed,
            arch: Arch::Arm64,
        }
    }
}

/// The counts that drive cost, for `events` events of one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub service: Service,
    pub events: u64,
    /// Mean size of an event as published, in bytes.
    pub event_bytes: f64,
    /// Publish API calls to the service (`PutEvents`, `SendMessageBatch`, …).
    pub publish_requests: u64,
    pub transformer_invocations: u64,
    /// SQS `ReceiveMessage` calls the event source mapping made (standard or FIFO queue):
    /// ⌈B/10⌉ per invocation of B messages (a receive returns at most 10), each matched by a
    /// `DeleteMessageBatch`.
    pub sqs_receives: u64,
    pub cold_starts: u64,
    /// Generator cold starts: each reads the SecureString, one KMS decrypt.
    pub generator_cold_starts: u64,
    /// Objects written to S3 (by the transformer, or by Firehose).
    pub s3_puts: u64,
    /// Firehose delivers with multipart uploads (buffer interval under 60 s): three
    /// PUT-class requests per object instead of one.
    pub multipart_objects: bool,
    /// Bytes of results written to S3, kept for `retention_days`.
    pub result_bytes: f64,
    pub retention_days: f64,
    /// Requests through API Gateway (each one generator invocation); 0 when publishing directly.
    pub api_requests: u64,
    /// Wall time the workload spans, for time-billed capacity (shards, idle polling).
    pub hours: f64,
    /// Kinesis shards provisioned while it ran.
    pub shards: u32,
}

/// The part of AWS that bills an item: a free tier applies per meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meter {
    EventBridgeEvents,
    SqsRequests,
    SnsRequests,
    SnsLambdaDeliveries,
    DynamoDbWriteUnits,
    DynamoDbStreamReads,
    DynamoDbStorageGbMonths,
    KinesisPutUnits,
    KinesisShardHours,
    FirehoseGb,
    LambdaRequests,
    LambdaGbSeconds,
    LogsIngestedGb,
    ApiRequests,
    S3Requests,
    S3StorageGbMonths,
    KmsRequests,
}

impl Meter {
    /// The report's cost categories.
    pub fn category(self) -> &'static str {
        match self {
            Self::LambdaRequests | Self::LambdaGbSeconds => "Lambda",
            Self::LogsIngestedGb => "CloudWatch Logs",
            Self::S3Requests | Self::S3StorageGbMonths => "S3",
            Self::ApiRequests => "API Gateway",
            Self::KmsRequests => "KMS",
            _ => "service charges",
        }
    }
}

/// Every cost category, in the order charts show them.
pub const CATEGORIES: [&str; 6] = [
    "service charges",
    "Lambda",
    "CloudWatch Logs",
    "S3",
    "API Gateway",
    "KMS",
];

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostItem {
    pub item: String,
    pub meter: Meter,
    pub quantity: f64,
    pub unit: String,
    pub usd: f64,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Bill {
    pub items: Vec<CostItem>,
}

impl Bill {
    pub fn total(&self) -> f64 {
        self.items.iter().map(|item| item.usd).sum()
    }

    /// The same bill scaled to one million events.
    #[must_use]
    pub fn per_million(&self, events: u64) -> Self {
        #[allow(clippy::cast_precision_loss)] // event counts stay far below 2^52
        let scale = if events == 0 { 0.0 } else { 1e6 / events as f64 };
        let items = self
            .items
            .iter()
            .map(|item| CostItem {
                quantity: item.quantity * scale,
                usd: item.usd * scale,
                ..item.clone()
            })
            .collect();
        Self { items }
    }

    /// The sum of one category's items.
    pub fn category(&self, category: &str) -> f64 {
        self.items
            .iter()
            .filter(|item| item.meter.category() == category)
            .map(|item| item.usd)
            .sum()
    }

    /// Adds a credit line per metered free tier, as if this were the account's only
    /// workload that month. Only meaningful on a monthly bill.
    #[must_use]
    pub fn less_free_tier(&self, free: &FreeTier) -> Self {
        let mut bill = self.clone();
        for (meter, allowance, unit) in [
            (Meter::LambdaRequests, free.lambda_requests, "requests"),
            (Meter::LambdaGbSeconds, free.lambda_gb_seconds, "GB-s"),
            (Meter::SqsRequests, free.sqs_requests, "requests"),
            (Meter::SnsRequests, free.sns_requests, "requests"),
            (
                Meter::DynamoDbStorageGbMonths,
                free.dynamodb_storage_gb_months,
                "GB-months",
            ),
            (Meter::LogsIngestedGb, free.cloudwatch_logs_gb, "GB"),
            (Meter::KmsRequests, free.kms_requests, "requests"),
        ] {
            let used: Vec<&CostItem> = self.items.iter().filter(|i| i.meter == meter).collect();
            let quantity: f64 = used.iter().map(|i| i.quantity).sum();
            let charged: f64 = used.iter().map(|i| i.usd).sum();
            if quantity <= 0.0 {
                continue;
            }
            let covered = quantity.min(allowance);
            bill.items.push(CostItem {
                item: format!("Free tier: {meter:?} (first {allowance} {unit} a month)"),
                meter,
                quantity: -covered,
                unit: unit.to_owned(),
                usd: -charged * covered / quantity,
                origin: Origin::FreeTier,
            });
        }
        bill
    }

    pub(crate) fn add(&mut self, item: &str, meter: Meter, quantity: f64, unit: &str, usd: f64, origin: Origin) {
        if quantity > 0.0 {
            self.items.push(CostItem {
                item: item.to_owned(),
                meter,
                quantity,
                unit: unit.to_owned(),
                usd,
                origin,
            });
        }
    }
}

/// Chunks a payload is billed as (64 KB for EventBridge and SQS, 25 KB Kinesis units, …).
fn chunks(bytes: f64, chunk_kb: f64) -> f64 {
    (bytes / (chunk_kb * KB)).ceil().max(1.0)
}

/// `ReceiveMessage` (and `DeleteMessageBatch`) calls for a batch of `messages`: 10 at most each.
pub fn sqs_receives_for_batch(messages: u64) -> u64 {
    messages.div_ceil(10).max(1)
}

/// Lambda's unit prices for one architecture.
struct LambdaRates {
    gb_second: f64,
    request: f64,
    logs_gb: f64,
}

/// A function's lines: requests, compute, INIT where billed apart, logs ingested.
fn lambda_items(
    bill: &mut Bill,
    name: &str,
    invocations: f64,
    cold_starts: f64,
    profile: &FunctionProfile,
    rates: &LambdaRates,
) {
    let memory_gb = profile.memory_mb / 1024.0;
    let origin = profile.origin;
    let label = format!("{name} invocations");
    bill.add(
        &label,
        Meter::LambdaRequests,
        invocations,
        "requests",
        invocations * rates.request,
        Origin::Counted,
    );
    let gbs = invocations * profile.billed_ms / 1000.0 * memory_gb;
    let label = format!(
        "{name} compute ({origin}: {:.1} ms billed, {:.0} MB)",
        profile.billed_ms, profile.memory_mb
    );
    bill.add(
        &label,
        Meter::LambdaGbSeconds,
        gbs,
        "GB-s",
        gbs * rates.gb_second,
        origin,
    );
    let init = cold_starts * profile.init_ms / 1000.0 * memory_gb;
    let label = format!("{name} INIT ({origin}: {:.0} ms per cold start)", profile.init_ms);
    bill.add(
        &label,
        Meter::LambdaGbSeconds,
        init,
        "GB-s",
        init * rates.gb_second,
        origin,
    );
    let gb = invocations * profile.log_bytes / GB;
    let label = format!(
        "{name} logs ingested ({origin}: {:.0} B per invocation)",
        profile.log_bytes
    );
    bill.add(&label, Meter::LogsIngestedGb, gb, "GB", gb * rates.logs_gb, origin);
}

/// SQS requests an idle event source mapping makes at most: five pollers long-polling for
/// 20 s each. An upper bound: Lambda can scale idle pollers down (to two).
pub const SQS_IDLE_RECEIVES_PER_HOUR: f64 = 5.0 * 3600.0 / 20.0;

/// KMS calls Kinesis makes for a stream encrypted with a KMS key: about one every five
/// minutes per credential reading or writing (here the generator's and the transformer's).
pub const KINESIS_KMS_CALLS_PER_HOUR: f64 = 2.0 * 12.0;

/// The service's own charges: what it bills per event, request, shard or GB.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn service_items(bill: &mut Bill, w: &Workload, prices: &Prices) {
    let events = w.events as f64;
    let kms_price = prices.kms_requests_per_ten_thousand.value / 10_000.0;
    match w.service {
        Service::EventBridge => {
            let billed = events * chunks(w.event_bytes, 64.0);
            let usd = billed / 1e6 * prices.eventbridge_events_per_million.value;
            bill.add(
                "EventBridge events (64 KB chunks)",
                Meter::EventBridgeEvents,
                billed,
                "events",
                usd,
                Origin::Counted,
            );
        }
        Service::Sqs | Service::SqsFifo => sqs_items(bill, w, prices),
        Service::Kinesis => {
            let units = events * chunks(w.event_bytes, 25.0);
            let usd = units / 1e6 * prices.kinesis_put_units_per_million.value;
            bill.add(
                "Kinesis PUT payload units (25 KB)",
                Meter::KinesisPutUnits,
                units,
                "units",
                usd,
                Origin::Counted,
            );
            let shard_hours = f64::from(w.shards) * w.hours;
            let usd = shard_hours * prices.kinesis_shard_hour.value;
            bill.add(
                "Kinesis shard-hours",
                Meter::KinesisShardHours,
                shard_hours,
                "shard-hours",
                usd,
                Origin::Counted,
            );
            let kms = KINESIS_KMS_CALLS_PER_HOUR * w.hours;
            bill.add(
                "KMS calls for the stream's encryption (~every 5 min per credential)",
                Meter::KmsRequests,
                kms,
                "requests",
                kms * kms_price,
                Origin::Modelled,
            );
        }
        Service::Sns => {
            // A PublishBatch is billed per 64 KB of its whole payload, like an SQS batch send.
            let per_request = events / (w.publish_requests.max(1) as f64) * w.event_bytes;
            let publishes = w.publish_requests as f64 * chunks(per_request, 64.0);
            bill.add(
                "SNS publish requests (64 KB chunks)",
                Meter::SnsRequests,
                publishes,
                "requests",
                publishes / 1e6 * prices.sns_requests_per_million.value,
                Origin::Counted,
            );
            bill.add(
                "SNS deliveries to Lambda (no charge)",
                Meter::SnsLambdaDeliveries,
                events,
                "deliveries",
                events / 1e6 * prices.sns_lambda_deliveries_per_million.value,
                Origin::Counted,
            );
        }
        Service::DynamoDb => dynamodb_items(bill, w, prices),
        Service::Firehose => {
            let gb = events * chunks(w.event_bytes, 5.0) * 5.0 * KB / GB;
            let usd = gb * prices.firehose_ingestion_per_gb.value;
            bill.add(
                "Firehose ingestion (records rounded up to 5 KB)",
                Meter::FirehoseGb,
                gb,
                "GB",
                usd,
                Origin::Counted,
            );
        }
    }
}

/// A queue's requests: batch sends per 64 KB, the mapping's receives and deletes, and its
/// idle long polls, at the standard or the FIFO price.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn sqs_items(bill: &mut Bill, w: &Workload, prices: &Prices) {
    let events = w.events as f64;
    // Sends are billed per 64 KB of each batch; the event source mapping receives at
    // most 10 messages a call and deletes them in batches of 10. FIFO requests cost more.
    let per_request = events / (w.publish_requests.max(1) as f64) * w.event_bytes;
    let sends = w.publish_requests as f64 * chunks(per_request, 64.0);
    let receives = w.sqs_receives as f64;
    let idle = SQS_IDLE_RECEIVES_PER_HOUR * w.hours;
    let (queue, price) = if w.service == Service::SqsFifo {
        ("SQS FIFO", prices.sqs_fifo_requests_per_million.value / 1e6)
    } else {
        ("SQS", prices.sqs_requests_per_million.value / 1e6)
    };
    let m = Meter::SqsRequests;
    bill.add(
        &format!("{queue} send requests (64 KB chunks)"),
        m,
        sends,
        "requests",
        sends * price,
        Origin::Counted,
    );
    bill.add(
        &format!("{queue} ReceiveMessage (⌈batch/10⌉ per invocation)"),
        m,
        receives,
        "requests",
        receives * price,
        Origin::Counted,
    );
    bill.add(
        &format!("{queue} DeleteMessageBatch (⌈batch/10⌉ per invocation)"),
        m,
        receives,
        "requests",
        receives * price,
        Origin::Counted,
    );
    bill.add(
        &format!("{queue} idle long polls (up to 5 pollers)"),
        m,
        idle,
        "requests",
        idle * price,
        Origin::Modelled,
    );
}

/// Bytes DynamoDB counts for one event's item beyond the event itself: the attribute names,
/// the key (a UUID) and the TTL number (`eventlab_schema::limits::DYNAMODB_KEEP_ITEMS_FOR`).
pub const DYNAMODB_ITEM_EXTRA_BYTES: f64 = 80.0;
/// Bytes of storage DynamoDB adds per item (its indexing overhead).
pub const DYNAMODB_STORAGE_OVERHEAD_BYTES: f64 = 100.0;

/// Days an item stays in the table: the generator's TTL. DynamoDB deletes expired items
/// "within a few days", so this is a floor, labelled modelled.
#[allow(clippy::cast_precision_loss)]
pub fn dynamodb_keep_days() -> f64 {
    eventlab_schema::limits::DYNAMODB_KEEP_ITEMS_FOR.as_secs() as f64 / 86_400.0
}

/// Write request units (one per KB of item, rounded up), the table's storage for the
/// items' lifetime, and the stream reads Lambda makes, which cost nothing.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn dynamodb_items(bill: &mut Bill, w: &Workload, prices: &Prices) {
    let events = w.events as f64;
    let item_bytes = w.event_bytes + DYNAMODB_ITEM_EXTRA_BYTES;
    let units = events * chunks(item_bytes, 1.0);
    bill.add(
        "DynamoDB write request units (1 KB each, on demand)",
        Meter::DynamoDbWriteUnits,
        units,
        "WRU",
        units / 1e6 * prices.dynamodb_write_request_units_per_million.value,
        Origin::Counted,
    );
    let days = dynamodb_keep_days();
    let gb_months = events * (item_bytes + DYNAMODB_STORAGE_OVERHEAD_BYTES) / GB * days / 30.0;
    bill.add(
        &format!("DynamoDB storage of items until their TTL ({days:.0} day; deletion can lag)"),
        Meter::DynamoDbStorageGbMonths,
        gb_months,
        "GB-months",
        gb_months * prices.dynamodb_storage_per_gb_month.value,
        Origin::Modelled,
    );
    let reads = w.transformer_invocations as f64;
    bill.add(
        "DynamoDB Streams reads by Lambda (no charge; one or more per invocation)",
        Meter::DynamoDbStreamReads,
        reads,
        "requests",
        reads / 1e6 * prices.dynamodb_stream_reads_by_lambda_per_million.value,
        Origin::Counted,
    );
}

#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
pub fn bill(workload: &Workload, lambdas: &LambdaProfile, prices: &Prices) -> Bill {
    let w = workload;
    let mut bill = Bill::default();
    let kms_price = prices.kms_requests_per_ten_thousand.value / 10_000.0;

    service_items(&mut bill, w, prices);

    let rates = LambdaRates {
        gb_second: match lambdas.arch {
            Arch::Arm64 => prices.lambda_gb_second_arm64.value,
            Arch::X86_64 => prices.lambda_gb_second_x86_64.value,
        },
        request: prices.lambda_requests_per_million.value / 1e6,
        logs_gb: prices.cloudwatch_logs_ingestion_per_gb.value,
    };
    let invocations = w.transformer_invocations as f64;
    lambda_items(
        &mut bill,
        "Transformer",
        invocations,
        w.cold_starts as f64,
        &lambdas.transformer,
        &rates,
    );

    let api = w.api_requests as f64;
    if api > 0.0 {
        let usd = api / 1e6 * prices.http_api_requests_per_million.value;
        bill.add(
            "API Gateway HTTP API requests",
            Meter::ApiRequests,
            api,
            "requests",
            usd,
            Origin::Counted,
        );
        let gb = api * lambdas.access_log_bytes / GB;
        let origin = lambdas.access_log_origin;
        let label = format!(
            "API access logs ingested ({origin}: {:.0} B per request)",
            lambdas.access_log_bytes
        );
        bill.add(&label, Meter::LogsIngestedGb, gb, "GB", gb * rates.logs_gb, origin);
        let cold = w.generator_cold_starts as f64;
        lambda_items(&mut bill, "Generator", api, cold, &lambdas.generator, &rates);
        let label = "KMS decrypt of the SecureString (one per generator cold start)";
        bill.add(
            label,
            Meter::KmsRequests,
            cold,
            "requests",
            cold * kms_price,
            Origin::Counted,
        );
    }

    // Objects are counted; three requests an object under multipart is a modelled rule.
    let (label, requests_per_object, origin) = if w.multipart_objects {
        (
            "S3 PUT-class requests of results (multipart: 3 per object)",
            3.0,
            Origin::Modelled,
        )
    } else {
        ("S3 PUTs of results", 1.0, Origin::Counted)
    };
    let puts = w.s3_puts as f64 * requests_per_object;
    bill.add(
        label,
        Meter::S3Requests,
        puts,
        "requests",
        puts / 1000.0 * prices.s3_put_per_thousand.value,
        origin,
    );
    let gb_months = w.result_bytes / GB * w.retention_days / 30.0;
    let label = format!("S3 storage of results ({:.0} days' retention)", w.retention_days);
    bill.add(
        &label,
        Meter::S3StorageGbMonths,
        gb_months,
        "GB-months",
        gb_months * prices.s3_storage_per_gb_month.value,
        Origin::Counted,
    );
    bill
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::PriceBook;

    /// 1M events of 1,000 B, published 10 a call, consumed 10 an invocation.
    fn workload(service: Service) -> Workload {
        Workload {
            service,
            events: 1_000_000,
            event_bytes: 1000.0,
            publish_requests: 100_000,
            transformer_invocations: 100_000,
            sqs_receives: if matches!(service, Service::Sqs | Service::SqsFifo) {
                100_000
            } else {
                0
            },
            cold_starts: 0,
            generator_cold_starts: 0,
            s3_puts: 100_000,
            multipart_objects: false,
            result_bytes: 0.0,
            retention_days: 30.0,
            api_requests: 0,
            hours: 0.0,
            shards: 1,
        }
    }

    fn usd(bill: &Bill, name: &str) -> f64 {
        bill.items
            .iter()
            .filter(|i| i.item.starts_with(name))
            .map(|i| i.usd)
            .sum()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn prices() -> Prices {
        PriceBook::us_east_1().prices
    }

    /// A receive returns at most 10 messages; a delete batch takes at most 10.
    #[test]
    fn sqs_consumer_calls_follow_the_ten_message_limit() {
        assert_eq!(sqs_receives_for_batch(1), 1);
        assert_eq!(sqs_receives_for_batch(10), 1);
        assert_eq!(sqs_receives_for_batch(11), 2);
        assert_eq!(sqs_receives_for_batch(100), 10);
        assert_eq!(sqs_receives_for_batch(10_000), 1000);
    }

    /// 1M events in 10,000 invocations of 100: 10 receives + 10 deletes each = 200,000
    /// requests × $0.40/M = $0.08 (the old rule, 2 per invocation, said $0.008).
    #[test]
    fn sqs_batch_of_100_pays_for_ten_receives_and_ten_deletes() {
        let w = Workload {
            transformer_invocations: 10_000,
            sqs_receives: 10_000 * sqs_receives_for_batch(100),
            ..workload(Service::Sqs)
        };
        let bill = bill(&w, &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "SQS ReceiveMessage"), 0.04));
        assert!(close(usd(&bill, "SQS DeleteMessageBatch"), 0.04));
        // Sends: 100,000 requests of 10 KB, one 64 KB chunk each = $0.04.
        assert!(close(usd(&bill, "SQS send"), 0.04));
        assert!(close(usd(&bill, "SQS idle"), 0.0));
        let idle = super::bill(&Workload { hours: 1.0, ..w }, &LambdaProfile::assumed(), &prices());
        assert!(
            close(usd(&idle, "SQS idle"), 900.0 * 0.4 / 1e6),
            "5 pollers × 180 polls an hour"
        );
    }

    /// 100,000 invocations, 25 ms, 128 MB arm64, 700 B of logs each:
    /// requests 100,000 × $0.20/M = $0.02; compute 100,000 × 0.025 s × 0.125 GB = 312.5 GB-s
    /// × $0.0000133334; logs 70,000,000 B = 0.0651926 GiB × $0.50 = $0.0325963;
    /// S3 100,000 PUTs × $0.005/1,000 = $0.50.
    #[test]
    fn lambda_logs_and_s3_worked_example() {
        let bill = bill(&workload(Service::Sqs), &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "Transformer invocations"), 0.02));
        assert!(close(usd(&bill, "Transformer compute"), 312.5 * 0.000_013_333_4));
        assert!(close(
            usd(&bill, "Transformer logs"),
            70_000_000.0 / 1_073_741_824.0 * 0.5
        ));
        assert!(close(usd(&bill, "Transformer INIT"), 0.0));
        assert!(close(usd(&bill, "S3 PUTs"), 0.5));
        assert!(bill.items.iter().any(|i| i.item.contains("assumed: 25.0 ms")));
    }

    /// Measured profiles name their origin on every line they drive.
    #[test]
    fn measured_durations_are_labelled_as_measured() {
        let mut lambdas = LambdaProfile::assumed();
        lambdas.transformer = FunctionProfile {
            billed_ms: 51.0,
            init_ms: 0.0,
            memory_mb: 128.0,
            log_bytes: 612.0,
            origin: Origin::MeasuredLocal,
        };
        let bill = bill(&workload(Service::EventBridge), &lambdas, &prices());
        let compute = bill
            .items
            .iter()
            .find(|i| i.item.starts_with("Transformer compute"))
            .unwrap();
        assert_eq!(compute.origin, Origin::MeasuredLocal);
        assert!(compute.item.contains("measured on the local emulator: 51.0 ms"));
        assert!(close(compute.usd, 100_000.0 * 0.051 * 0.125 * 0.000_013_333_4));
        assert!(
            bill.items
                .iter()
                .all(|i| i.origin != Origin::Assumed || !i.item.starts_with("Transformer"))
        );
    }

    /// 1 GiB of results kept 30 days = 1 GB-month × $0.023; Firehose's multipart delivery
    /// makes 100,000 objects cost 300,000 PUT-class requests = $1.50.
    #[test]
    fn s3_storage_and_multipart_puts() {
        let w = Workload {
            result_bytes: GB,
            multipart_objects: true,
            ..workload(Service::Firehose)
        };
        let bill = bill(&w, &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "S3 storage"), 0.023));
        assert!(close(usd(&bill, "S3 PUT-class requests"), 1.5));
        let multipart = bill.items.iter().find(|i| i.item.starts_with("S3 PUT-class")).unwrap();
        assert_eq!(multipart.origin, Origin::Modelled, "the ×3 is a rule, not a count");
    }

    /// EventBridge bills every event per 64 KB: 1M × 1 KB = $1.00; 1M × 100 KB = 2 chunks = $2.00.
    #[test]
    fn eventbridge_worked_example() {
        let lambdas = LambdaProfile::assumed();
        assert!(close(
            usd(
                &bill(&workload(Service::EventBridge), &lambdas, &prices()),
                "EventBridge"
            ),
            1.0
        ));
        let big = Workload {
            event_bytes: 100.0 * 1024.0,
            ..workload(Service::EventBridge)
        };
        assert!(close(usd(&bill(&big, &lambdas, &prices()), "EventBridge"), 2.0));
    }

    /// Kinesis: 1M × 1 KB = 1M PUT units = $0.014; one shard for 2 h = $0.03; KMS: 2
    /// credentials × 12 calls an hour × 2 h = 48 calls × $0.03/10,000.
    #[test]
    fn kinesis_worked_example() {
        let w = Workload {
            hours: 2.0,
            ..workload(Service::Kinesis)
        };
        let bill = bill(&w, &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "Kinesis PUT"), 0.014));
        assert!(close(usd(&bill, "Kinesis shard-hours"), 0.03));
        assert!(close(usd(&bill, "KMS calls"), 48.0 * 0.03 / 10_000.0));
    }

    /// Firehose rounds each record up to 5 KB: 1M × 1 KB bills as 1M × 5 KB = 4.768 GB × $0.029.
    #[test]
    fn firehose_worked_example() {
        let bill = bill(&workload(Service::Firehose), &LambdaProfile::assumed(), &prices());
        let gb = 1e6 * 5.0 * 1024.0 / (1024.0 * 1024.0 * 1024.0);
        assert!(close(usd(&bill, "Firehose"), gb * 0.029));
    }

    /// SNS: 100,000 `PublishBatch` calls of 10 KB = one 64 KB chunk each = $0.05; deliveries
    /// to Lambda are listed and free.
    #[test]
    fn sns_worked_example() {
        let bill = bill(&workload(Service::Sns), &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "SNS publish"), 0.05));
        let deliveries = bill
            .items
            .iter()
            .find(|i| i.item.starts_with("SNS deliveries"))
            .unwrap();
        assert!(close(deliveries.quantity, 1e6) && close(deliveries.usd, 0.0));
    }

    /// SQS FIFO: the same 300,000 requests as the standard queue at $0.50/M instead of $0.40/M.
    #[test]
    fn fifo_requests_cost_more_than_standard_ones() {
        let lambdas = LambdaProfile::assumed();
        let fifo = bill(&workload(Service::SqsFifo), &lambdas, &prices());
        let standard = bill(&workload(Service::Sqs), &lambdas, &prices());
        assert!(close(fifo.category("service charges"), 300_000.0 * 0.5 / 1e6));
        assert!(close(standard.category("service charges"), 300_000.0 * 0.4 / 1e6));
        assert!(fifo.items.iter().any(|i| i.item.starts_with("SQS FIFO send")));
    }

    /// DynamoDB: a 1,000 B event is a 1,080 B item = 2 WRU: 2M × $0.625/M = $1.25; a day of
    /// storage for 1M items of 1,180 B = 1.099 GB × 1/30 month × $0.25.
    #[test]
    fn dynamodb_worked_example() {
        let bill = bill(&workload(Service::DynamoDb), &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "DynamoDB write"), 1.25));
        let gb = 1e6 * 1180.0 / GB;
        assert!(close(usd(&bill, "DynamoDB storage"), gb / 30.0 * 0.25));
        let storage = bill
            .items
            .iter()
            .find(|i| i.item.starts_with("DynamoDB storage"))
            .unwrap();
        assert_eq!(storage.origin, Origin::Modelled, "the TTL's lag is not counted");
        assert!(close(usd(&bill, "DynamoDB Streams reads"), 0.0));
    }

    /// The producer side: 100,000 API requests = $0.10, as many generator invocations
    /// ($0.02), 400 B of access log each, and one KMS decrypt per generator cold start.
    #[test]
    fn api_mode_adds_the_gateway_its_logs_and_the_generator() {
        let w = Workload {
            api_requests: 100_000,
            generator_cold_starts: 3,
            ..workload(Service::Sqs)
        };
        let bill = bill(&w, &LambdaProfile::assumed(), &prices());
        assert!(close(usd(&bill, "API Gateway"), 0.1));
        assert!(close(
            usd(&bill, "API access logs"),
            40_000_000.0 / 1_073_741_824.0 * 0.5
        ));
        assert!(close(usd(&bill, "Generator invocations"), 0.02));
        assert!(close(
            usd(&bill, "Generator compute"),
            100_000.0 * 0.04 * 0.125 * 0.000_013_333_4
        ));
        assert!(close(usd(&bill, "KMS decrypt"), 3.0 * 0.03 / 10_000.0));
    }

    /// 2.5M Lambda requests in a month: the first 1M are free, a credit of $0.20.
    #[test]
    fn the_free_tier_is_a_stated_credit() {
        let w = Workload {
            transformer_invocations: 2_500_000,
            ..workload(Service::EventBridge)
        };
        let book = PriceBook::us_east_1();
        let full = bill(&w, &LambdaProfile::assumed(), &book.prices);
        let free = full.less_free_tier(&book.free_tier);
        let credit = free
            .items
            .iter()
            .find(|i| i.origin == Origin::FreeTier && i.meter == Meter::LambdaRequests)
            .unwrap();
        assert!(close(credit.usd, -0.2));
        assert!(close(credit.quantity, -1e6));
        // 2.5M × 25 ms × 0.125 GB = 7,812.5 GB-s, all inside 400,000 free GB-s.
        let compute = free
            .items
            .iter()
            .find(|i| i.origin == Origin::FreeTier && i.meter == Meter::LambdaGbSeconds)
            .unwrap();
        assert!(close(compute.usd, -usd(&full, "Transformer compute")));
        // Nothing free for EventBridge's own charge.
        assert!(close(
            free.category("service charges"),
            full.category("service charges")
        ));
    }

    #[test]
    fn per_million_scales_every_item() {
        let w = Workload {
            events: 1000,
            publish_requests: 100,
            transformer_invocations: 100,
            sqs_receives: 100,
            s3_puts: 100,
            ..workload(Service::Sqs)
        };
        let lambdas = LambdaProfile::assumed();
        let small = bill(&w, &lambdas, &prices());
        let full = bill(&workload(Service::Sqs), &lambdas, &prices());
        assert!((small.per_million(1000).total() - full.total()).abs() < 1e-9);
    }
}
