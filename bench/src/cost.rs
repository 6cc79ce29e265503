//! What a workload costs, item by item, from counts the bench measured (or a model
//! assumed). Pure functions over [`Prices`], so every figure can be checked by hand.

use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

use crate::pricing::Prices;

const KB: f64 = 1024.0;
const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Lambda instruction set, which sets the GB-second price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    Arm64,
    X86_64,
}

/// Lambda durations the bench cannot see from outside: stated, not measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DurationAssumptions {
    /// Billed milliseconds of one transformer invocation (transform plus one S3 PUT).
    pub transformer_ms: f64,
    /// Billed milliseconds of one generator invocation (publish calls included).
    pub generator_ms: f64,
    /// Billed INIT milliseconds of a cold start (Rust on provided.al2023: ~14 ms).
    pub init_ms: f64,
    pub memory_mb: f64,
    pub arch: Arch,
}

impl Default for DurationAssumptions {
    fn default() -> Self {
        Self {
            transformer_ms: 25.0,
            generator_ms: 40.0,
            init_ms: 15.0,
            memory_mb: 128.0,
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
    pub cold_starts: u64,
    /// Objects written to S3 (by the transformer, or by Firehose).
    pub s3_puts: u64,
    /// Requests through API Gateway (each one generator invocation); 0 when publishing directly.
    pub api_requests: u64,
    /// Wall time the workload spans, for time-billed capacity (shards, idle polling).
    pub hours: f64,
    /// Kinesis shards provisioned while it ran.
    pub shards: u32,
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostItem {
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    fn add(&mut self, item: &str, quantity: f64, unit: &str, usd: f64) {
        if quantity > 0.0 {
            self.items.push(CostItem {
                item: item.to_owned(),
                quantity,
                unit: unit.to_owned(),
                usd,
            });
        }
    }
}

/// Chunks a payload is billed as (64 KB for EventBridge and SQS, 25 KB Kinesis units, …).
fn chunks(bytes: f64, chunk_kb: f64) -> f64 {
    (bytes / (chunk_kb * KB)).ceil().max(1.0)
}

/// SQS requests a Lambda event source mapping makes while idle: five pollers long-polling
/// for 20 s each, all the time the mapping exists.
pub const SQS_IDLE_RECEIVES_PER_HOUR: f64 = 5.0 * 3600.0 / 20.0;

#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
pub fn bill(workload: &Workload, durations: &DurationAssumptions, prices: &Prices) -> Bill {
    let w = workload;
    let events = w.events as f64;
    let mut bill = Bill { items: Vec::new() };

    match w.service {
        Service::EventBridge => {
            let billed = events * chunks(w.event_bytes, 64.0);
            let usd = billed / 1e6 * prices.eventbridge_events_per_million.value;
            bill.add("EventBridge events (64 KB chunks)", billed, "events", usd);
        }
        Service::Sqs => {
            // Sends are billed per 64 KB of each batch; every invocation took one receive and
            // one delete batch; idle pollers add receives by the hour.
            let per_request = events / (w.publish_requests.max(1) as f64) * w.event_bytes;
            let sends = w.publish_requests as f64 * chunks(per_request, 64.0);
            let consumer = 2.0 * w.transformer_invocations as f64;
            let idle = SQS_IDLE_RECEIVES_PER_HOUR * w.hours;
            let price = prices.sqs_requests_per_million.value / 1e6;
            bill.add("SQS send requests (64 KB chunks)", sends, "requests", sends * price);
            bill.add(
                "SQS receive + delete by the event source mapping",
                consumer,
                "requests",
                consumer * price,
            );
            bill.add("SQS idle long polls (5 pollers)", idle, "requests", idle * price);
        }
        Service::Kinesis => {
            let units = events * chunks(w.event_bytes, 25.0);
            bill.add(
                "Kinesis PUT payload units (25 KB)",
                units,
                "units",
                units / 1e6 * prices.kinesis_put_units_per_million.value,
            );
            let shard_hours = f64::from(w.shards) * w.hours;
            bill.add(
                "Kinesis shard-hours",
                shard_hours,
                "shard-hours",
                shard_hours * prices.kinesis_shard_hour.value,
            );
        }
        Service::Firehose => {
            let billed_bytes = events * chunks(w.event_bytes, 5.0) * 5.0 * KB;
            let gb = billed_bytes / GB;
            bill.add(
                "Firehose ingestion (records rounded up to 5 KB)",
                gb,
                "GB",
                gb * prices.firehose_ingestion_per_gb.value,
            );
        }
    }

    let gb_second = match durations.arch {
        Arch::Arm64 => prices.lambda_gb_second_arm64.value,
        Arch::X86_64 => prices.lambda_gb_second_x86_64.value,
    };
    let memory_gb = durations.memory_mb / 1024.0;
    let request_price = prices.lambda_requests_per_million.value / 1e6;

    let invocations = w.transformer_invocations as f64;
    bill.add(
        "Transformer invocations",
        invocations,
        "requests",
        invocations * request_price,
    );
    let transformer_gbs = invocations * durations.transformer_ms / 1000.0 * memory_gb;
    bill.add(
        "Transformer compute (assumed duration)",
        transformer_gbs,
        "GB-s",
        transformer_gbs * gb_second,
    );
    let init_gbs = w.cold_starts as f64 * durations.init_ms / 1000.0 * memory_gb;
    bill.add("Transformer INIT (cold starts)", init_gbs, "GB-s", init_gbs * gb_second);

    let api = w.api_requests as f64;
    bill.add(
        "API Gateway HTTP API requests",
        api,
        "requests",
        api / 1e6 * prices.http_api_requests_per_million.value,
    );
    bill.add("Generator invocations", api, "requests", api * request_price);
    let generator_gbs = api * durations.generator_ms / 1000.0 * memory_gb;
    bill.add(
        "Generator compute (assumed duration)",
        generator_gbs,
        "GB-s",
        generator_gbs * gb_second,
    );

    let puts = w.s3_puts as f64;
    bill.add(
        "S3 PUTs of results",
        puts,
        "requests",
        puts / 1000.0 * prices.s3_put_per_thousand.value,
    );
    bill
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::PriceBook;

    fn workload(service: Service) -> Workload {
        Workload {
            service,
            events: 1_000_000,
            event_bytes: 1000.0,
            publish_requests: 100_000,
            transformer_invocations: 100_000,
            cold_starts: 0,
            s3_puts: 100_000,
            api_requests: 0,
            hours: 0.0,
            shards: 1,
        }
    }

    fn item(bill: &Bill, name: &str) -> f64 {
        bill.items
            .iter()
            .find(|i| i.item.starts_with(name))
            .map_or(0.0, |i| i.usd)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// 1M events of 1 KB, batches of 10, 128 MB arm64, 25 ms per invocation:
    /// Lambda: 100,000 × $0.20/M = $0.02 requests; 100,000 × 0.025 s × 0.125 GB = 312.5 GB-s
    /// × $0.0000133334 = $0.0041667; S3: 100,000 PUTs × $0.005/1,000 = $0.50.
    #[test]
    fn lambda_and_s3_worked_example() {
        let prices = PriceBook::us_east_1().prices;
        let bill = bill(&workload(Service::Sqs), &DurationAssumptions::default(), &prices);
        assert!(close(item(&bill, "Transformer invocations"), 0.02));
        assert!(close(item(&bill, "Transformer compute"), 312.5 * 0.000_013_333_4));
        assert!(close(item(&bill, "S3 PUTs"), 0.5));
        assert!(close(item(&bill, "Transformer INIT"), 0.0));
    }

    /// SQS: 100,000 sends of 10 KB (one 64 KB chunk each) + 2 × 100,000 consumer calls =
    /// 300,000 requests × $0.40/M = $0.12.
    #[test]
    fn sqs_worked_example() {
        let prices = PriceBook::us_east_1().prices;
        let bill = bill(&workload(Service::Sqs), &DurationAssumptions::default(), &prices);
        assert!(close(item(&bill, "SQS send"), 0.04));
        assert!(close(item(&bill, "SQS receive"), 0.08));
        assert!(close(item(&bill, "SQS idle"), 0.0));
        // An hour of idle polling: 900 receives.
        let idle = super::bill(
            &Workload {
                hours: 1.0,
                ..workload(Service::Sqs)
            },
            &DurationAssumptions::default(),
            &prices,
        );
        assert!(close(item(&idle, "SQS idle"), 900.0 * 0.4 / 1e6));
    }

    /// EventBridge bills every event per 64 KB: 1M × 1 KB = $1.00; 1M × 100 KB = 2 chunks = $2.00.
    #[test]
    fn eventbridge_worked_example() {
        let prices = PriceBook::us_east_1().prices;
        let durations = DurationAssumptions::default();
        assert!(close(
            item(
                &bill(&workload(Service::EventBridge), &durations, &prices),
                "EventBridge"
            ),
            1.0
        ));
        let big = Workload {
            event_bytes: 100.0 * 1024.0,
            ..workload(Service::EventBridge)
        };
        assert!(close(item(&bill(&big, &durations, &prices), "EventBridge"), 2.0));
    }

    /// Kinesis: 1M × 1 KB = 1M PUT units = $0.014; one shard for 2 h = $0.03.
    #[test]
    fn kinesis_worked_example() {
        let prices = PriceBook::us_east_1().prices;
        let w = Workload {
            hours: 2.0,
            ..workload(Service::Kinesis)
        };
        let bill = bill(&w, &DurationAssumptions::default(), &prices);
        assert!(close(item(&bill, "Kinesis PUT"), 0.014));
        assert!(close(item(&bill, "Kinesis shard-hours"), 0.03));
    }

    /// Firehose rounds each record up to 5 KB: 1M × 1 KB bills as 1M × 5 KB = 4.768 GB × $0.029.
    #[test]
    fn firehose_worked_example() {
        let prices = PriceBook::us_east_1().prices;
        let bill = bill(&workload(Service::Firehose), &DurationAssumptions::default(), &prices);
        let gb = 1e6 * 5.0 * 1024.0 / (1024.0 * 1024.0 * 1024.0);
        assert!(close(item(&bill, "Firehose"), gb * 0.029));
    }

    #[test]
    fn api_mode_adds_the_gateway_and_the_generator() {
        let prices = PriceBook::us_east_1().prices;
        let w = Workload {
            api_requests: 100_000,
            ..workload(Service::Sqs)
        };
        let bill = bill(&w, &DurationAssumptions::default(), &prices);
        assert!(close(item(&bill, "API Gateway"), 0.1));
        assert!(close(item(&bill, "Generator invocations"), 0.02));
    }

    #[test]
    fn per_million_scales_every_item() {
        let prices = PriceBook::us_east_1().prices;
        let w = Workload {
            events: 1000,
            publish_requests: 100,
            transformer_invocations: 100,
            s3_puts: 100,
            ..workload(Service::Sqs)
        };
        let small = bill(&w, &DurationAssumptions::default(), &prices);
        let full = bill(&workload(Service::Sqs), &DurationAssumptions::default(), &prices);
        assert!((small.per_million(1000).total() - full.total()).abs() < 1e-9);
    }
}
