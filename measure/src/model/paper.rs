//! Paper rows: services the lab cannot run here, priced from what is published — GCP
//! Pub/Sub and MSK Serverless, and EventBridge's Custom Event Bus (the `EventBridgeV2` API),
//! which neither MiniStack 1.5.33 nor the pinned Terraform provider serves.
//!
//! The Custom Event Bus batches deliveries to a Lambda subscriber (`MaxBatchSize` up to 100,
//! default 10; `MaxBatchWindowInSeconds` 0–300), where the classic bus invokes once per
//! event. Its own charges (ingestion and delivery per KB, retention, enriched operations)
//! have no rate on the pricing page as read on 2026-11-28, so the row prices only what is
//! known — the Lambda, log, S3 and API side at its batch — and says so.

use eventlab_schema::Service;

use super::{HOURS_PER_MONTH, MB, ModelArgs, Row, SECONDS_PER_MONTH, Sizing, workload};
use crate::cost::{self, Meter};
use crate::pricing::PriceBook;

/// The largest batch the Custom Event Bus delivers to a Lambda target.
pub const CUSTOM_BUS_LAMBDA_MAX_BATCH: u32 = 100;
/// Its longest batching window, seconds.
pub const CUSTOM_BUS_MAX_WINDOW_S: f64 = 300.0;
/// Without a window, a call is assumed to carry what arrived within 50 ms (as the model
/// assumes for an SQS poll): an assumption, not a published figure.
const NO_WINDOW_SPAN_S: f64 = 0.05;

/// The Custom Event Bus feeding the lab's transformer, at the model's batch and window.
pub fn custom_event_bus(args: &ModelArgs, book: &PriceBook, rate: f64) -> Row {
    let settings = super::Batching::of(args);
    let batch = f64::from(args.batch.clamp(1, CUSTOM_BUS_LAMBDA_MAX_BATCH));
    let window = args.window.clamp(0.0, CUSTOM_BUS_MAX_WINDOW_S);
    let mean_batch = (rate * window.max(NO_WINDOW_SPAN_S)).clamp(1.0, batch);
    let closes_after = if window > 0.0 { (batch / rate).min(window) } else { 0.0 };
    let lambdas = args.lambdas.for_service(Service::EventBridge);
    let sizing = Sizing {
        invocations_per_second: rate / mean_batch,
        mean_batch,
        concurrency: rate / mean_batch * lambdas.transformer.billed_ms / 1000.0,
        shards: 0,
        parallelization_factor: 0,
        added_wait_ms: closes_after / 2.0 * 1000.0,
        max_wait_ms: closes_after * 1000.0,
    };
    let mut bill = cost::bill(
        &workload(Service::EventBridge, args, settings, rate, &sizing),
        &lambdas,
        &book.prices,
    );
    // The classic bus's $1.00 per million events is not this bus's price.
    bill.items.retain(|item| item.meter != Meter::EventBridgeEvents);
    if args.free_tier {
        bill = bill.less_free_tier(&book.free_tier);
    }
    Row {
        service: "EventBridge Custom Event Bus (modelled)".to_owned(),
        rate,
        monthly_usd: Some(bill.total()),
        cannot_run: None,
        capacity: format!("mean batch {mean_batch:.1} (≤ {batch:.0}), ordered per event group; bus charge unpriced"),
        sizing: Some(sizing),
        bill: Some(bill),
        aws_lab_service: false,
    }
}

/// GCP Pub/Sub: publish and delivery throughput, at least 1 KB per request.
pub fn pubsub(args: &ModelArgs, book: &PriceBook, rate: f64) -> Row {
    let billed_tib = 2.0 * rate * SECONDS_PER_MONTH * args.event_bytes.max(1024.0) / (MB * MB);
    Row {
        service: "GCP Pub/Sub (modelled)".to_owned(),
        rate,
        monthly_usd: Some(billed_tib * book.prices.pubsub_per_tib.value),
        cannot_run: None,
        capacity: "serverless".to_owned(),
        sizing: None,
        bill: None,
        aws_lab_service: false,
    }
}

/// MSK Serverless: one cluster and one partition, bytes in and out.
pub fn msk_serverless(args: &ModelArgs, book: &PriceBook, rate: f64) -> Row {
    let prices = &book.prices;
    let gb = rate * SECONDS_PER_MONTH * args.event_bytes / (MB * 1024.0);
    Row {
        service: "MSK Serverless (modelled)".to_owned(),
        rate,
        monthly_usd: Some(
            HOURS_PER_MONTH * (prices.msk_serverless_cluster_hour.value + prices.msk_serverless_partition_hour.value)
                + gb * (prices.msk_serverless_per_gb_in.value + prices.msk_serverless_per_gb_out.value),
        ),
        cannot_run: None,
        capacity: "1 cluster, 1 partition".to_owned(),
        sizing: None,
        bill: None,
        aws_lab_service: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantity(row: &Row, starts: &str) -> f64 {
        row.bill
            .as_ref()
            .unwrap()
            .items
            .iter()
            .filter(|i| i.item.starts_with(starts))
            .map(|i| i.quantity)
            .sum()
    }

    /// 100 events/s with a batch of 10 and a 1 s window: batches fill in 0.1 s, so 10
    /// invocations a second, 25.92M a month, against the classic bus's 259.2M.
    #[test]
    fn the_custom_bus_batches_to_lambda_and_prices_only_what_is_published() {
        let book = PriceBook::us_east_1();
        let args = ModelArgs {
            rates: vec![100.0],
            batch: 10,
            window: 1.0,
            ..ModelArgs::default()
        };
        let row = custom_event_bus(&args, &book, 100.0);
        assert!((quantity(&row, "Transformer invocations") - 25_920_000.0).abs() < 1.0);
        let sizing = row.sizing.as_ref().unwrap();
        assert!((sizing.mean_batch - 10.0).abs() < 1e-9);
        assert!(
            (sizing.added_wait_ms - 50.0).abs() < 1e-9,
            "half of the 0.1 s a batch takes to fill"
        );
        assert!(
            row.bill
                .as_ref()
                .unwrap()
                .items
                .iter()
                .all(|i| i.meter != Meter::EventBridgeEvents)
        );
        assert!(row.capacity.contains("bus charge unpriced"));
        let classic = super::super::row(
            Service::EventBridge,
            &args,
            super::super::Batching::of(&args),
            100.0,
            &book,
        );
        assert!(
            (quantity(&classic, "Transformer invocations") - 259_200_000.0).abs() < 1.0,
            "the classic bus: one invocation per event"
        );
    }

    #[test]
    fn the_custom_bus_stays_within_its_published_limits() {
        let book = PriceBook::us_east_1();
        let args = ModelArgs {
            batch: 10_000,
            window: 900.0,
            ..ModelArgs::default()
        };
        let row = custom_event_bus(&args, &book, 10_000.0);
        let sizing = row.sizing.unwrap();
        assert!(
            (sizing.mean_batch - 100.0).abs() < 1e-9,
            "100 events per Lambda call at most"
        );
        // Without a window, a quiet bus invokes once per event.
        let quiet = custom_event_bus(&ModelArgs::default(), &book, 1.0);
        assert!((quiet.sizing.unwrap().mean_batch - 1.0).abs() < 1e-9);
    }
}
