//! What a workload costs, item by item, from counts the bench measured (or a model
//! assumed). Pure functions over [`Prices`](crate::pricing::Prices), so every figure can be checked by hand, and
//! every item says where its quantity came from ([`Origin`]).

use std::fmt;

use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

mod items;

use crate::pricing::FreeTier;

pub use items::{
    DYNAMODB_ITEM_EXTRA_BYTES, DYNAMODB_STORAGE_OVERHEAD_BYTES, KINESIS_KMS_CALLS_PER_HOUR, SQS_IDLE_RECEIVES_PER_HOUR,
    bill, dynamodb_keep_days, sqs_receives_for_batch,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{PriceBook, Prices};

    const GB: f64 = 1024.0 * 1024.0 * 1024.0;

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
