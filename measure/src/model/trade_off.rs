//! The batching trade-off: per service, the wait each setting adds against what it saves.

use eventlab_schema::Service;
use serde::Serialize;

use super::{Batching, ModelArgs, SECONDS_PER_MONTH, row};
use crate::pricing::PriceBook;

/// One point of the batching trade-off: a setting's modelled wait and cost per million.
#[derive(Debug, Clone, Serialize)]
pub struct TradeOff {
    pub service: Service,
    pub rate: f64,
    pub setting: String,
    pub added_wait_ms: Option<f64>,
    pub max_wait_ms: Option<f64>,
    pub usd_per_million: Option<f64>,
    pub cannot_run: Option<String>,
}

/// The batching settings the trade-off charts compare per service.
fn trade_off_settings(service: Service) -> Vec<(String, Batching)> {
    let mapping = |batch: u32, window: f64| Batching {
        batch,
        window,
        firehose_interval: 60.0,
        firehose_size_mb: 1.0,
    };
    let buffering = |size_mb: f64, interval: f64| Batching {
        batch: 1,
        window: 0.0,
        firehose_interval: interval,
        firehose_size_mb: size_mb,
    };
    match service {
        Service::EventBridge | Service::Sns => vec![("per event".to_owned(), mapping(1, 0.0))],
        Service::SqsFifo => [1, 10]
            .iter()
            .map(|&b| (format!("batch {b}"), mapping(b, 0.0)))
            .collect(),
        Service::DynamoDb => [(1, 0.0), (100, 0.0), (1000, 0.0), (10_000, 5.0)]
            .iter()
            .map(|&(b, w)| (format!("batch {b}, {w} s"), mapping(b, w)))
            .collect(),
        Service::Sqs => [(1, 0.0), (10, 0.0), (100, 1.0), (1000, 5.0), (10_000, 20.0)]
            .iter()
            .map(|&(b, w)| (format!("batch {b}, {w} s"), mapping(b, w)))
            .collect(),
        Service::Kinesis => [(1, 0.0), (10, 0.0), (100, 0.0), (1000, 0.0), (10_000, 5.0)]
            .iter()
            .map(|&(b, w)| (format!("batch {b}, {w} s"), mapping(b, w)))
            .collect(),
        Service::Firehose => [(1.0, 0.0), (1.0, 60.0), (5.0, 300.0), (128.0, 900.0)]
            .iter()
            .map(|&(mb, s)| (format!("{mb} MB / {s} s"), buffering(mb, s)))
            .collect(),
    }
}

/// The wait batching adds against what it saves, per service, at `rate` (modelled).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn trade_offs(rate: f64, event_bytes: f64, book: &PriceBook) -> Vec<TradeOff> {
    let args = ModelArgs {
        rates: vec![rate],
        event_bytes,
        ..ModelArgs::default()
    };
    let mut points = Vec::new();
    for service in Service::ALL {
        for (setting, batching) in trade_off_settings(service) {
            let row = row(service, &args, batching, rate, book);
            let per_million = row.monthly_usd.map(|usd| usd / (rate * SECONDS_PER_MONTH) * 1e6);
            points.push(TradeOff {
                service,
                rate,
                setting,
                added_wait_ms: row.sizing.as_ref().map(|s| s.added_wait_ms),
                max_wait_ms: row.sizing.as_ref().map(|s| s.max_wait_ms),
                usd_per_million: per_million,
                cannot_run: row.cannot_run,
            });
        }
    }
    points
}
