//! The cost model: monthly cost, capacity and quotas per service for a given rate, event size and
//! batching — arithmetic over the same price file and cost functions as the bench, no
//! account needed. Each row is sized for its rate (shards, a parallelization factor) or
//! marked "cannot run as configured" with the reason: no price for what cannot run.
//! Batching's other side, the wait it adds, is modelled from first principles beside it.
//! EventBridge's Custom Event Bus, GCP Pub/Sub and MSK Serverless are paper rows: modelled
//! from what is published, never run here.

mod paper;
mod profile;
mod sizing;
mod trade_off;

use eventlab_schema::Service;
use serde::Serialize;

use crate::cost::{self, Bill, Workload};
use crate::pricing::PriceBook;

pub use paper::{CUSTOM_BUS_LAMBDA_MAX_BATCH, custom_event_bus};
pub use profile::Lambdas;
pub use sizing::{Batching, kinesis_shards, size};
pub use trade_off::{TradeOff, trade_offs};

pub(crate) const SECONDS_PER_MONTH: f64 = 30.0 * 24.0 * 3600.0;
pub(crate) const HOURS_PER_MONTH: f64 = 30.0 * 24.0;
pub(crate) const MB: f64 = 1024.0 * 1024.0;

/// Default quotas (us-east-1) the model checks; each is raisable on request, so a row over
/// one "cannot run as configured" until it is raised.
pub mod quota {
    /// Concurrent executions per account and Region.
    pub const LAMBDA_CONCURRENCY: f64 = 1000.0;
    /// `PutEvents` requests per second (us-east-1).
    pub const EVENTBRIDGE_PUT_EVENTS_PER_SECOND: f64 = 10_000.0;
    /// Shards per account (us-east-1, us-west-2, eu-west-1).
    pub const KINESIS_SHARDS: u32 = 500;
    /// Direct PUT into one Firehose stream (us-east-1, us-west-2, eu-west-1).
    pub const FIREHOSE_RECORDS_PER_SECOND: f64 = 500_000.0;
    pub const FIREHOSE_REQUESTS_PER_SECOND: f64 = 2_000.0;
    pub const FIREHOSE_BYTES_PER_SECOND: f64 = 5.0 * super::MB;
    /// Concurrent batches per shard for a Kinesis event source mapping (hard limit).
    pub const KINESIS_MAX_PARALLELIZATION: u32 = 10;
    /// Messages published per second to a standard SNS topic (us-east-1).
    pub const SNS_PUBLISH_MESSAGES_PER_SECOND: f64 = 30_000.0;
    /// `SendMessageBatch` calls per second to a FIFO queue in high-throughput mode
    /// (us-east-1, us-west-2, eu-west-1); 300 without it.
    pub const SQS_FIFO_HIGH_THROUGHPUT_REQUESTS_PER_SECOND: f64 = 70_000.0;
    /// A FIFO event source mapping's largest batch (hard limit).
    pub const SQS_FIFO_MAX_BATCH: u32 = 10;
    /// Write request units per second an on-demand table takes (table quota, raisable).
    pub const DYNAMODB_TABLE_WRITE_UNITS_PER_SECOND: f64 = 40_000.0;
    /// Write units per second one partition (and so one stream shard) takes.
    pub const DYNAMODB_PARTITION_WRITE_UNITS_PER_SECOND: f64 = 1_000.0;
}

/// Message groups the lab's FIFO lane spreads events over (`eventlab_schema::fifo_group`):
/// Lambda processes one batch per group at a time, so they cap its concurrency.
pub const SQS_FIFO_GROUPS: f64 = 10.0;
/// How often Lambda polls each DynamoDB stream shard (four times a second).
pub const DYNAMODB_STREAM_POLLS_PER_SECOND: f64 = 4.0;

#[derive(Debug, Clone, PartialEq)]
/// What the model is asked: rates, event size, batching and what to leave out.
pub struct ModelArgs {
    /// Events per second to model (default: 1 to 100,000 in decades).
    pub rates: Vec<f64>,
    /// Bytes per event.
    pub event_bytes: f64,
    /// Events per publish call (capped at each service's limit).
    pub publish_batch: u32,
    /// Largest SQS / Kinesis batch per transformer invocation.
    pub batch: u32,
    /// SQS / Kinesis batching window in seconds (0 = invoke as soon as records arrive).
    pub window: f64,
    /// Firehose buffering interval in seconds (0 = zero buffering: modelled as one object per 5 s).
    pub firehose_interval: f64,
    /// Firehose buffering size in MB.
    pub firehose_size_mb: f64,
    /// Fix the Kinesis shard count instead of sizing it (a row that needs more cannot run).
    pub shards: Option<u32>,
    /// Days results stay in S3 (the stack's `results_retention_days`).
    pub retention_days: f64,
    /// Subtract AWS's always-free monthly allowances, as if this were the account's only workload.
    pub free_tier: bool,
    /// Leave out the producer side (API Gateway, its access logs and the generator), as if
    /// publishing straight to the service; by default each publish call is one API request.
    pub direct: bool,
    /// The Lambda durations, memory and log bytes each row is priced with.
    pub lambdas: Lambdas,
}

impl Default for ModelArgs {
    fn default() -> Self {
        Self {
            rates: Vec::new(),
            event_bytes: 1024.0,
            publish_batch: 10,
            batch: 10,
            window: 0.0,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
            shards: None,
            retention_days: 30.0,
            free_tier: false,
            direct: false,
            lambdas: Lambdas::Assumed,
        }
    }
}

impl ModelArgs {
    /// The rates asked for, or 1 to 100,000 events/s in decades.
    pub fn rates(&self) -> Vec<f64> {
        if self.rates.is_empty() {
            vec![1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0]
        } else {
            self.rates.clone()
        }
    }
}

/// What a service needs to carry a rate with the chosen settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizing {
    pub invocations_per_second: f64,
    /// Mean events per transformer invocation.
    pub mean_batch: f64,
    pub concurrency: f64,
    pub shards: u32,
    pub parallelization_factor: u32,
    /// Mean time an event waits for its batch to close (fill, window, poll, buffer), in ms.
    pub added_wait_ms: f64,
    /// The longest such wait, in ms.
    pub max_wait_ms: f64,
}

/// One service at one rate.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub service: String,
    pub rate: f64,
    /// `None` when the configuration cannot run: no price for it.
    pub monthly_usd: Option<f64>,
    /// Why it cannot run as configured.
    pub cannot_run: Option<String>,
    /// What it needs, in words: shards, parallelization, concurrency, mean batch.
    pub capacity: String,
    pub sizing: Option<Sizing>,
    pub bill: Option<Bill>,
    /// `false` for the paper rows of other vendors' services.
    pub aws_lab_service: bool,
}

/// A month of `service` at `rate` with these settings, as the cost functions count it.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn workload(service: Service, args: &ModelArgs, settings: Batching, rate: f64, sizing: &Sizing) -> Workload {
    let events = rate * SECONDS_PER_MONTH;
    let max_entries = match service {
        Service::EventBridge | Service::Sqs | Service::SqsFifo | Service::Sns => 10,
        Service::DynamoDb => 25,
        Service::Kinesis | Service::Firehose => 500,
    };
    let invocations = sizing.invocations_per_second * SECONDS_PER_MONTH;
    let s3_puts_per_second = match service {
        Service::Firehose => (rate * args.event_bytes / (settings.firehose_size_mb * MB))
            .max(1.0 / settings.firehose_interval_or_zero_buffering()),
        _ => sizing.invocations_per_second,
    };
    // A result line is the event plus the transformer's fields: about 1.6× the event.
    let result_bytes = events * (args.event_bytes * 1.6);
    Workload {
        service,
        events: events as u64,
        event_bytes: args.event_bytes,
        publish_requests: (events / f64::from(args.publish_batch.clamp(1, max_entries))) as u64,
        transformer_invocations: invocations as u64,
        sqs_receives: if matches!(service, Service::Sqs | Service::SqsFifo) {
            (invocations * cost::sqs_receives_for_batch(sizing.mean_batch.ceil() as u64) as f64) as u64
        } else {
            0
        },
        cold_starts: 0,
        generator_cold_starts: 0,
        s3_puts: (s3_puts_per_second * SECONDS_PER_MONTH) as u64,
        multipart_objects: service == Service::Firehose && settings.firehose_interval < 60.0,
        result_bytes,
        retention_days: args.retention_days,
        // Through the API, each request of `publish_batch` events is one generator invocation.
        api_requests: if args.direct {
            0
        } else {
            (events / f64::from(args.publish_batch.max(1))) as u64
        },
        hours: HOURS_PER_MONTH,
        shards: sizing.shards,
    }
}

fn capacity(service: Service, sizing: &Sizing) -> String {
    match service {
        Service::Kinesis => format!(
            "{} shard(s) × factor {}, ~{:.1} concurrent, mean batch {:.0}",
            sizing.shards, sizing.parallelization_factor, sizing.concurrency, sizing.mean_batch
        ),
        Service::Sqs => format!(
            "~{:.1} concurrent, mean batch {:.1}",
            sizing.concurrency, sizing.mean_batch
        ),
        Service::Firehose => format!(
            "~{:.2} processor calls/s, {:.0} events each",
            sizing.invocations_per_second, sizing.mean_batch
        ),
        Service::EventBridge | Service::Sns => {
            format!("~{:.1} concurrent, one event per invocation", sizing.concurrency)
        }
        Service::SqsFifo => format!(
            "~{:.1} concurrent (10 message groups at most), mean batch {:.1}",
            sizing.concurrency, sizing.mean_batch
        ),
        Service::DynamoDb => format!(
            "~{} stream shard(s), ~{:.1} concurrent, mean batch {:.0}",
            sizing.shards, sizing.concurrency, sizing.mean_batch
        ),
    }
}

/// One lab service at one rate: sized and priced, or "cannot run" with the reason.
pub fn row(service: Service, args: &ModelArgs, settings: Batching, rate: f64, book: &PriceBook) -> Row {
    let lambdas = args.lambdas.for_service(service);
    let sized = size(
        service,
        rate,
        args.event_bytes,
        args.publish_batch,
        settings,
        args.shards,
        &lambdas,
    );
    match sized {
        Ok(sizing) => {
            let mut bill = cost::bill(
                &workload(service, args, settings, rate, &sizing),
                &lambdas,
                &book.prices,
            );
            if args.free_tier {
                bill = bill.less_free_tier(&book.free_tier);
            }
            Row {
                service: service.to_string(),
                rate,
                monthly_usd: Some(bill.total()),
                cannot_run: None,
                capacity: capacity(service, &sizing),
                sizing: Some(sizing),
                bill: Some(bill),
                aws_lab_service: true,
            }
        }
        Err(reason) => Row {
            service: service.to_string(),
            rate,
            monthly_usd: None,
            cannot_run: Some(reason),
            capacity: "cannot run as configured".to_owned(),
            sizing: None,
            bill: None,
            aws_lab_service: true,
        },
    }
}

/// Every lab service at every rate, then the paper rows.
pub fn rows(args: &ModelArgs, book: &PriceBook) -> Vec<Row> {
    let settings = Batching::of(args);
    let mut rows = Vec::new();
    for rate in args.rates() {
        for service in Service::ALL {
            rows.push(row(service, args, settings, rate, book));
        }
        rows.push(paper::custom_event_bus(args, book, rate));
        rows.push(paper::pubsub(args, book, rate));
        rows.push(paper::msk_serverless(args, book, rate));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::LambdaProfile;

    fn args() -> ModelArgs {
        ModelArgs {
            rates: vec![100.0],
            ..ModelArgs::default()
        }
    }

    /// EventBridge at 100 events/s invokes its transformer 259.2M times a month; 25 ms more
    /// each at 128 MB on arm64 is 810,000 GB-s, $10.80 at $0.0000133334 per GB-s.
    #[test]
    fn a_measured_profile_prices_its_own_durations() {
        let mut slower = LambdaProfile::assumed();
        slower.transformer.billed_ms = 50.0;
        slower.transformer.origin = crate::cost::Origin::MeasuredAws;
        let measured = ModelArgs {
            lambdas: Lambdas::Measured {
                from: "bench-test".into(),
                lanes: std::collections::BTreeMap::from([(Service::EventBridge, slower)]),
            },
            ..args()
        };
        let usd = |args: &ModelArgs| find(&rows_of(args), "eventbridge").monthly_usd.unwrap();
        let delta = usd(&measured) - usd(&args());
        assert!((delta - 10.80).abs() < 0.01, "{delta}");
        assert!(
            (find(&rows_of(&measured), "sqs").monthly_usd.unwrap()
                - find(&rows_of(&args()), "sqs").monthly_usd.unwrap())
            .abs()
                < 1e-9,
            "a lane the run did not measure stays assumed"
        );
    }

    fn find<'a>(rows: &'a [Row], service: &str) -> &'a Row {
        rows.iter().find(|r| r.service == service).unwrap()
    }

    #[test]
    fn shards_follow_bytes_and_records() {
        assert_eq!(kinesis_shards(1.0, 1024.0), 1);
        assert_eq!(kinesis_shards(1500.0, 100.0), 2, "1,000 records/s per shard");
        assert_eq!(kinesis_shards(1000.0, 4096.0), 4, "4 MB/s at 1 MB/s per shard");
    }

    /// EventBridge at 100 events/s for 30 days: 259.2M events × $1/M = $259.20 for the bus,
    /// one Lambda invocation per event (25 ms, 128 MB, 700 B of logs), one S3 PUT each,
    /// results (1.6 × 1,024 B each) kept 30 days, and the API and generator in front.
    #[test]
    fn eventbridge_at_100_per_second() {
        let rows = rows(&args(), &PriceBook::us_east_1());
        let row = find(&rows, "eventbridge");
        let n = 259.2e6;
        let lambda = n * 0.2 / 1e6 + n * 0.025 * 0.125 * 0.000_013_333_4;
        let logs = n * 700.0 / 1_073_741_824.0 * 0.5;
        let s3 = n / 1000.0 * 0.005 + n * 1024.0 * 1.6 / 1_073_741_824.0 * 0.023;
        // The producer side: 25.92M API requests of 10 events, each a 40 ms generator
        // invocation with 700 B of logs and 400 B of access log.
        let r = n / 10.0;
        let producer = r * 1.0 / 1e6
            + r * 0.2 / 1e6
            + r * 0.04 * 0.125 * 0.000_013_333_4
            + r * (700.0 + 400.0) / 1_073_741_824.0 * 0.5;
        let expected = 259.2 + lambda + logs + s3 + producer;
        assert!(
            (row.monthly_usd.unwrap() - expected).abs() < 0.01,
            "{row:?} vs {expected}"
        );
    }

    /// Kinesis, batch 10, 1,000 events/s of 1 KiB: one shard carries the writes (1,000
    /// records/s is its limit), but a shard's batches run one at a time: 100 invocations/s
    /// × 25 ms = 2.5 concurrent, so the mapping needs a parallelization factor of 3.
    #[test]
    fn direct_leaves_out_the_producer_side() {
        let api = find(&rows_of(&args()), "sqs").clone();
        let direct = find(&rows_of(&ModelArgs { direct: true, ..args() }), "sqs").clone();
        let has = |row: &Row, name: &str| {
            row.bill
                .as_ref()
                .unwrap()
                .items
                .iter()
                .any(|i| i.item.starts_with(name))
        };
        assert!(has(&api, "API Gateway") && has(&api, "Generator compute"));
        assert!(!has(&direct, "API Gateway") && !has(&direct, "Generator"));
        assert!(direct.monthly_usd.unwrap() < api.monthly_usd.unwrap());
    }

    #[test]
    fn kinesis_at_a_shards_limit_needs_a_parallelization_factor() {
        let sized = size(
            Service::Kinesis,
            1000.0,
            1024.0,
            10,
            Batching::of(&args()),
            None,
            &LambdaProfile::assumed(),
        )
        .unwrap();
        assert_eq!(sized.shards, 1);
        assert_eq!(sized.parallelization_factor, 3);
        assert!((sized.concurrency - 2.5).abs() < 1e-9);
        assert!((sized.mean_batch - 10.0).abs() < 1e-9);
    }

    /// 1,500 events/s needs a second shard for writes; at batch 1 and 10,000 events/s the
    /// 25 ms invocations need 250 concurrent batches: 25 shards at a factor of 10.
    #[test]
    fn kinesis_adds_shards_for_writes_and_for_consumers() {
        let lambdas = LambdaProfile::assumed();
        let two = size(
            Service::Kinesis,
            1500.0,
            100.0,
            10,
            Batching::of(&args()),
            None,
            &lambdas,
        )
        .unwrap();
        assert_eq!(two.shards, 2);
        let single = Batching {
            batch: 1,
            ..Batching::of(&args())
        };
        let wide = size(Service::Kinesis, 10_000.0, 100.0, 500, single, None, &lambdas).unwrap();
        assert_eq!(wide.shards, 25);
        assert_eq!(wide.parallelization_factor, 10);
    }

    /// A fixed single shard at 1,500 events/s cannot take the writes: no price is shown.
    #[test]
    fn a_row_that_cannot_run_has_a_reason_and_no_price() {
        let fixed = ModelArgs {
            rates: vec![1500.0],
            shards: Some(1),
            ..ModelArgs::default()
        };
        let rows = rows(&fixed, &PriceBook::us_east_1());
        let kinesis = find(&rows, "kinesis");
        assert_eq!(kinesis.monthly_usd, None);
        assert!(
            kinesis.cannot_run.as_deref().unwrap().contains("needs 2"),
            "{kinesis:?}"
        );

        // An SQS batch over 10 without a window is rejected by AWS.
        let big_batch = ModelArgs { batch: 100, ..args() };
        let sqs = find(&rows_of(&big_batch), "sqs").clone();
        assert!(sqs.cannot_run.unwrap().contains("window of at least 1 s"));
    }

    fn rows_of(args: &ModelArgs) -> Vec<Row> {
        rows(args, &PriceBook::us_east_1())
    }

    /// FIFO: 25 ms per batch of at most 10 is 400 events/s per group; ten groups carry
    /// 1,000 events/s (1 s of work a second each… 2.5 concurrent) but not 10,000 (25).
    #[test]
    fn fifo_concurrency_is_capped_by_the_message_groups() {
        let at = |rate: f64| {
            let args = ModelArgs {
                rates: vec![rate],
                ..ModelArgs::default()
            };
            rows_of(&args).into_iter().find(|r| r.service == "sqs-fifo").unwrap()
        };
        let fine = at(1_000.0);
        assert!(fine.monthly_usd.is_some(), "{:?}", fine.cannot_run);
        assert!((fine.sizing.unwrap().concurrency - 2.5).abs() < 1e-9);
        let over = at(10_000.0);
        assert!(over.cannot_run.unwrap().contains("one per message group"));
    }

    /// DynamoDB: a 1 KB event makes a 2 KB item (2 WRU); 1,000 events/s = 2,000 WRU/s =
    /// 2 partitions, so ~2 stream shards polled 4 times a second: 125 ms mean wait.
    #[test]
    fn dynamodb_stream_shards_follow_write_units() {
        let args = ModelArgs {
            rates: vec![1_000.0],
            batch: 1000,
            ..ModelArgs::default()
        };
        let row = rows_of(&args).into_iter().find(|r| r.service == "dynamodb").unwrap();
        let sizing = row.sizing.unwrap();
        assert_eq!(sizing.shards, 2);
        assert!((sizing.added_wait_ms - 125.0).abs() < 1e-9);
        assert!(
            (sizing.mean_batch - 125.0).abs() < 1e-9,
            "500 events/s per shard × 0.25 s"
        );
        let big = ModelArgs {
            rates: vec![30_000.0],
            ..args
        };
        let over = rows_of(&big).into_iter().find(|r| r.service == "dynamodb").unwrap();
        assert!(over.cannot_run.unwrap().contains("40,000"));
    }

    /// "SQS (batch 10)" at 10 events/s without a window: a poll finds ~0.5 events, so the
    /// mean batch is 1 — and the row says so.
    #[test]
    fn the_sqs_mean_batch_is_stated() {
        let slow = ModelArgs {
            rates: vec![10.0],
            ..ModelArgs::default()
        };
        let sqs = find(&rows_of(&slow), "sqs").clone();
        assert!(sqs.capacity.contains("mean batch 1.0"), "{}", sqs.capacity);
        // With a 5 s window and batch 100: 50 events a batch, closing after 5 s.
        let windowed = ModelArgs {
            batch: 100,
            window: 5.0,
            ..slow
        };
        let sized = find(&rows_of(&windowed), "sqs").sizing.clone().unwrap();
        assert!((sized.mean_batch - 50.0).abs() < 1e-9);
        assert!((sized.added_wait_ms - 2500.0).abs() < 1e-9);
        assert!((sized.max_wait_ms - 5000.0).abs() < 1e-9);
    }

    #[test]
    fn quotas_make_rows_unrunnable() {
        let big = ModelArgs {
            rates: vec![100_000.0],
            ..args()
        };
        let rows = rows_of(&big);
        assert!(
            rows.iter()
                .filter(|r| !r.aws_lab_service)
                .all(|r| r.service.contains("(modelled)"))
        );
        let eventbridge = find(&rows, "eventbridge");
        assert!(
            eventbridge.cannot_run.as_deref().unwrap().contains("1,000"),
            "{eventbridge:?}"
        );
        let firehose = find(&rows, "firehose");
        assert!(
            firehose.cannot_run.as_deref().unwrap().contains("2,000 requests/s"),
            "{firehose:?}"
        );
        let bytes = rows_of(&ModelArgs {
            rates: vec![10_000.0],
            ..args()
        });
        let firehose = find(&bytes, "firehose");
        assert!(
            firehose
                .cannot_run
                .as_deref()
                .unwrap()
                .contains("9.8 MiB/s is over 5 MiB/s"),
            "{firehose:?}"
        );
    }

    /// Batching trades wait for cost: at 100 events/s, SQS batch 100 with a 1 s window
    /// waits longer and costs less per million than batch 1.
    #[test]
    fn batching_costs_less_and_waits_longer() {
        let points = trade_offs(100.0, 1024.0, &PriceBook::us_east_1());
        let sqs = |setting: &str| {
            points
                .iter()
                .find(|p| p.service == Service::Sqs && p.setting == setting)
                .unwrap()
                .clone()
        };
        let (single, batched) = (sqs("batch 1, 0 s"), sqs("batch 100, 1 s"));
        assert!(batched.usd_per_million.unwrap() < single.usd_per_million.unwrap());
        assert!(batched.added_wait_ms.unwrap() > single.added_wait_ms.unwrap());
        assert!(
            (batched.added_wait_ms.unwrap() - 500.0).abs() < 1e-9,
            "100 events fill in 1 s"
        );
        let kinesis = points
            .iter()
            .find(|p| p.service == Service::Kinesis && p.setting == "batch 10, 0 s")
            .unwrap();
        assert!(
            (kinesis.added_wait_ms.unwrap() - 500.0).abs() < 1e-9,
            "a shard is read once a second"
        );
    }

    /// Firehose under a 60 s interval delivers with multipart uploads: 3 requests an object.
    #[test]
    fn firehose_short_intervals_pay_multipart_puts() {
        let zero = ModelArgs {
            firehose_interval: 0.0,
            ..args()
        };
        let row = find(&rows_of(&zero), "firehose").clone();
        assert!(row.bill.unwrap().items.iter().any(|i| i.item.contains("multipart")));
        let row = find(&rows_of(&args()), "firehose").clone();
        assert!(!row.bill.unwrap().items.iter().any(|i| i.item.contains("multipart")));
    }

    #[test]
    fn the_free_tier_lowers_a_small_bill_and_is_stated() {
        let small = ModelArgs {
            rates: vec![1.0],
            ..ModelArgs::default()
        };
        let with = ModelArgs {
            free_tier: true,
            ..small.clone()
        };
        let (plain, free) = (rows_of(&small), rows_of(&with));
        assert!(find(&free, "sqs").monthly_usd.unwrap() < find(&plain, "sqs").monthly_usd.unwrap());
    }
}
