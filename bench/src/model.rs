//! `model`: monthly cost, capacity and quotas per service for a given rate, event size and
//! batching — arithmetic over the same price file and cost functions as the bench, no
//! account needed. GCP Pub/Sub and MSK Serverless are paper rows: modelled, not measured.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use eventlab_schema::Service;
use serde::Serialize;

use crate::charts;
use crate::cost::{self, DurationAssumptions, Workload};
use crate::pricing::{PriceBook, Prices};

const SECONDS_PER_MONTH: f64 = 30.0 * 24.0 * 3600.0;
const HOURS_PER_MONTH: f64 = 30.0 * 24.0;
const MB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Events per second to model (default: 1 to 100,000 in decades).
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<f64>,
    /// Bytes per event.
    #[arg(long, default_value_t = 1024.0)]
    pub event_bytes: f64,
    /// Events per publish call (capped at each service's limit).
    #[arg(long, default_value_t = 10)]
    pub publish_batch: u32,
    /// Largest SQS / Kinesis batch per transformer invocation.
    #[arg(long, default_value_t = 10)]
    pub batch: u32,
    /// SQS / Kinesis batching window in seconds (0 = invoke as soon as records arrive).
    #[arg(long, default_value_t = 0.0)]
    pub window: f64,
    /// Firehose buffering interval in seconds (0 is modelled as one object per 5 s).
    #[arg(long, default_value_t = 60.0)]
    pub firehose_interval: f64,
    /// Firehose buffering size in MB.
    #[arg(long, default_value_t = 1.0)]
    pub firehose_size_mb: f64,
    /// Write model.json, model.svg and model.html into this folder too.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl ModelArgs {
    fn rates(&self) -> Vec<f64> {
        if self.rates.is_empty() {
            vec![1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0]
        } else {
            self.rates.clone()
        }
    }
}

/// One service at one rate.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub service: String,
    pub rate: f64,
    pub monthly_usd: f64,
    /// What it needs: shards, Lambda concurrency, …
    pub capacity: String,
    /// Default quotas it would hit, if any.
    pub quotas: Vec<String>,
    /// `false` for the paper rows of other vendors' services.
    pub aws_lab_service: bool,
}

/// Kinesis shards for a write rate: 1 MB/s or 1,000 records/s each.
pub fn kinesis_shards(rate: f64, event_bytes: f64) -> u32 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let shards = (rate * event_bytes / MB).max(rate / 1000.0).ceil().max(1.0) as u32;
    shards
}

/// Events per consumer invocation: a window (or the time a poll takes, ~50 ms) fills a
/// batch up to its limit.
fn consumer_batch(rate: f64, batch: u32, window: f64) -> f64 {
    (rate * window.max(0.05)).clamp(1.0, f64::from(batch))
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn workload(service: Service, args: &ModelArgs, rate: f64) -> (Workload, f64) {
    let events = rate * SECONDS_PER_MONTH;
    let max_entries = match service {
        Service::EventBridge | Service::Sqs => 10,
        Service::Kinesis | Service::Firehose => 500,
    };
    let publish_requests = events / f64::from(args.publish_batch.clamp(1, max_entries));
    let shards = kinesis_shards(rate, args.event_bytes);
    let invocations_per_second = match service {
        Service::EventBridge => rate,
        Service::Sqs => rate / consumer_batch(rate, args.batch, args.window),
        // Each shard is polled once a second, and more often when a batch is full.
        Service::Kinesis => (rate / f64::from(args.batch)).max(f64::from(shards)),
        // The processor buffers 1 MB or 60 s by default.
        Service::Firehose => (rate * args.event_bytes / MB).max(1.0 / 60.0),
    };
    let s3_puts_per_second = match service {
        Service::Firehose => {
            let interval = if args.firehose_interval <= 0.0 {
                5.0
            } else {
                args.firehose_interval
            };
            (rate * args.event_bytes / (args.firehose_size_mb * MB)).max(1.0 / interval)
        }
        _ => invocations_per_second,
    };
    let workload = Workload {
        service,
        events: events as u64,
        event_bytes: args.event_bytes,
        publish_requests: publish_requests as u64,
        transformer_invocations: (invocations_per_second * SECONDS_PER_MONTH) as u64,
        cold_starts: 0,
        s3_puts: (s3_puts_per_second * SECONDS_PER_MONTH) as u64,
        api_requests: 0,
        hours: HOURS_PER_MONTH,
        shards: if service == Service::Kinesis { shards } else { 0 },
    };
    (workload, invocations_per_second)
}

/// Default quotas (us-east-1) a rate would run into.
fn quotas(service: Service, args: &ModelArgs, rate: f64, concurrency: f64) -> Vec<String> {
    let mut hit = Vec::new();
    if concurrency > 1000.0 {
        hit.push(format!("Lambda concurrency {concurrency:.0} > 1,000 default"));
    }
    let requests = rate / f64::from(args.publish_batch.max(1));
    match service {
        Service::EventBridge if requests > 10_000.0 => hit.push("PutEvents > 10,000 requests/s".to_owned()),
        Service::Firehose => {
            if rate > 500_000.0 {
                hit.push("Firehose > 500,000 records/s".to_owned());
            }
            if requests > 2_000.0 {
                hit.push("Firehose > 2,000 requests/s".to_owned());
            }
            if rate * args.event_bytes > 5.0 * MB {
                hit.push("Firehose > 5 MiB/s".to_owned());
            }
        }
        Service::Kinesis if kinesis_shards(rate, args.event_bytes) > 500 => hit.push("Kinesis > 500 shards".to_owned()),
        _ => {}
    }
    hit
}

pub fn rows(args: &ModelArgs, prices: &Prices) -> Vec<Row> {
    let durations = DurationAssumptions::default();
    let mut rows = Vec::new();
    for rate in args.rates() {
        for service in Service::ALL {
            let (workload, invocations_per_second) = workload(service, args, rate);
            let concurrency = invocations_per_second * durations.transformer_ms / 1000.0;
            let capacity = match service {
                Service::Kinesis => format!("{} shards, ~{concurrency:.1} concurrent", workload.shards),
                _ => format!("~{concurrency:.1} concurrent Lambdas"),
            };
            rows.push(Row {
                service: service.to_string(),
                rate,
                monthly_usd: cost::bill(&workload, &durations, prices).total(),
                capacity,
                quotas: quotas(service, args, rate, concurrency),
                aws_lab_service: true,
            });
        }
        let gb = rate * SECONDS_PER_MONTH * args.event_bytes / (MB * 1024.0);
        // Pub/Sub bills publish and delivery throughput, at least 1 KB per request.
        let billed_tib = 2.0 * rate * SECONDS_PER_MONTH * args.event_bytes.max(1024.0) / (MB * MB);
        rows.push(Row {
            service: "GCP Pub/Sub (modelled)".to_owned(),
            rate,
            monthly_usd: billed_tib * prices.pubsub_per_tib.value,
            capacity: "serverless".to_owned(),
            quotas: Vec::new(),
            aws_lab_service: false,
        });
        rows.push(Row {
            service: "MSK Serverless (modelled)".to_owned(),
            rate,
            monthly_usd: HOURS_PER_MONTH
                * (prices.msk_serverless_cluster_hour.value + prices.msk_serverless_partition_hour.value)
                + gb * (prices.msk_serverless_per_gb_in.value + prices.msk_serverless_per_gb_out.value),
            capacity: "1 cluster, 1 partition".to_owned(),
            quotas: Vec::new(),
            aws_lab_service: false,
        });
    }
    rows
}

fn table(args: &ModelArgs, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Monthly cost (30 days, us-east-1 list prices), {} B events, publish batch {}, consumer batch {}, window {} s\n",
        args.event_bytes, args.publish_batch, args.batch, args.window
    );
    let _ = writeln!(
        out,
        "{:>9}  {:<26} {:>14}  {:<32} quotas hit",
        "events/s", "service", "USD/month", "capacity"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:>9}  {:<26} {:>14.2}  {:<32} {}",
            row.rate,
            row.service,
            row.monthly_usd,
            row.capacity,
            if row.quotas.is_empty() {
                "-".to_owned()
            } else {
                row.quotas.join("; ")
            }
        );
    }
    out.push_str("\nPub/Sub and MSK Serverless rows are modelled from list prices, not measured. Lambda durations are assumed (25 ms, 128 MB, arm64).\n");
    out
}

/// Prints the table, and writes the chart and data when `--out` is given.
pub fn run(args: &ModelArgs) -> Result<String> {
    let book = PriceBook::us_east_1();
    let rows = rows(args, &book.prices);
    let text = table(args, &rows);
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)?;
        let mut series: Vec<charts::Series> = Vec::new();
        for row in &rows {
            let point = (row.rate, row.monthly_usd, String::new());
            if let Some((_, points)) = series.iter_mut().find(|(name, _)| *name == row.service) {
                points.push(point);
            } else {
                series.push((row.service.clone(), vec![point]));
            }
        }
        let svg = charts::scatter(
            "Monthly cost by event rate (modelled)",
            "events per second",
            "USD per month",
            &series,
            true,
        );
        std::fs::write(dir.join("model.svg"), &svg)?;
        std::fs::write(dir.join("model.json"), serde_json::to_string_pretty(&rows)?)?;
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>eventlab cost model</title></head>\
             <body style=\"font-family:system-ui,sans-serif;max-width:960px;margin:2em auto\"><h1>Cost model</h1>\
             <p>Modelled from list prices, not measured.</p>{svg}<pre>{}</pre></body></html>\n",
            text.replace('&', "&amp;").replace('<', "&lt;")
        );
        std::fs::write(dir.join("model.html"), html)?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ModelArgs {
        ModelArgs {
            rates: vec![100.0],
            event_bytes: 1024.0,
            publish_batch: 10,
            batch: 10,
            window: 0.0,
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
            out: None,
        }
    }

    #[test]
    fn shards_follow_bytes_and_records() {
        assert_eq!(kinesis_shards(1.0, 1024.0), 1);
        assert_eq!(kinesis_shards(1500.0, 100.0), 2, "1,000 records/s per shard");
        assert_eq!(kinesis_shards(1000.0, 4096.0), 4, "4 MB/s at 1 MB/s per shard");
    }

    /// EventBridge at 100 events/s for 30 days: 259.2M events × $1/M = $259.20 for the bus,
    /// and one Lambda invocation per event.
    #[test]
    fn eventbridge_at_100_per_second() {
        let rows = rows(&args(), &PriceBook::us_east_1().prices);
        let row = rows.iter().find(|r| r.service == "eventbridge").unwrap();
        let lambda = 259.2e6 * 0.2 / 1e6 + 259.2e6 * 0.025 * 0.125 * 0.000_013_333_4;
        let s3 = 259.2e6 / 1000.0 * 0.005;
        assert!((row.monthly_usd - (259.2 + lambda + s3)).abs() < 0.01, "{row:?}");
    }

    #[test]
    fn paper_rows_are_labelled_and_quotas_are_reported() {
        let big = ModelArgs {
            rates: vec![100_000.0],
            ..args()
        };
        let rows = rows(&big, &PriceBook::us_east_1().prices);
        assert!(
            rows.iter()
                .filter(|r| !r.aws_lab_service)
                .all(|r| r.service.contains("(modelled)"))
        );
        let eventbridge = rows.iter().find(|r| r.service == "eventbridge").unwrap();
        assert!(
            eventbridge.quotas.iter().any(|q| q.contains("Lambda concurrency")),
            "{eventbridge:?}"
        );
        let firehose = rows.iter().find(|r| r.service == "firehose").unwrap();
        assert!(firehose.quotas.iter().any(|q| q.contains("5 MiB/s")), "{firehose:?}");
    }

    #[test]
    fn writes_chart_and_data() {
        let dir = std::env::temp_dir().join(format!("eventlab-model-{}", uuid::Uuid::now_v7()));
        let text = run(&ModelArgs {
            out: Some(dir.clone()),
            ..args()
        })
        .unwrap();
        assert!(text.contains("GCP Pub/Sub (modelled)"));
        let data: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("model.json")).unwrap()).unwrap();
        assert_eq!(data.len(), 6);
        assert!(
            std::fs::read_to_string(dir.join("model.svg"))
                .unwrap()
                .starts_with("<svg")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
