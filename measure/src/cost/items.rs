//! The bill's items: Lambda's lines per function, each service's own charges, and the
//! whole bill for a workload.

use eventlab_schema::Service;

use super::{Arch, Bill, FunctionProfile, LambdaProfile, Meter, Origin, Workload};
use crate::pricing::Prices;

const KB: f64 = 1024.0;
const GB: f64 = 1024.0 * 1024.0 * 1024.0;

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
