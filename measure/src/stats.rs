//! Statistics over what a run delivered: latency distributions, delivery accounting
//! (lost, duplicated, out of order) and batching.

use std::collections::{BTreeMap, HashMap, HashSet};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    /// Mean of the samples between the 5th and 95th percentiles.
    pub trimmed_mean: f64,
}

/// Highest latency the histograms record: an hour, in microseconds.
const MAX_MICROS: u64 = 3_600_000_000;

impl Latency {
    /// `None` for no samples. Percentiles come from an HDR histogram (3 significant
    /// digits, microsecond resolution); the trimmed mean from the exact samples.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    pub fn of(samples_ms: &[f64]) -> Option<Self> {
        if samples_ms.is_empty() {
            return None;
        }
        let mut histogram = Histogram::<u64>::new_with_max(MAX_MICROS, 3).expect("valid histogram bounds");
        for &ms in samples_ms {
            histogram.saturating_record((ms.max(0.0) * 1000.0).round() as u64);
        }
        let at = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
        let mut sorted = samples_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        let cut = sorted.len() / 20;
        let kept = &sorted[cut..sorted.len() - cut];
        Some(Self {
            count: histogram.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: histogram.max() as f64 / 1000.0,
            trimmed_mean: kept.iter().sum::<f64>() / kept.len() as f64,
        })
    }
}

/// One delivered copy of an event, in the order the consumer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub event_id: Uuid,
    /// Ordering scope: the partition key for Kinesis, the run for the others.
    pub key: String,
    pub seq: u32,
    /// Position in arrival order (receipt time, then position in its batch).
    pub order: (i64, usize),
    /// Where the service sequenced it (a Kinesis shard and sequence number), if it does.
    pub position: Option<(String, u128)>,
}

/// What happened to the events a run published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Delivery {
    pub published: u64,
    /// Distinct published events that arrived.
    pub delivered: u64,
    pub lost: u64,
    /// Extra copies beyond the first.
    pub duplicated: u64,
    /// Events that arrived after a later-published event (higher `seq`) of the same key:
    /// what a consumer assuming publish order would see, whatever the service promises.
    pub out_of_order: u64,
}

impl Delivery {
    pub fn of(published: &HashSet<Uuid>, arrivals: &[Arrival]) -> Self {
        let mut copies: HashMap<Uuid, u64> = HashMap::new();
        for arrival in arrivals.iter().filter(|a| published.contains(&a.event_id)) {
            *copies.entry(arrival.event_id).or_default() += 1;
        }
        let delivered = copies.len() as u64;
        let duplicated = copies.values().map(|n| n - 1).sum();

        // First copies only, in arrival order, per key: count those overtaken by a later seq.
        let out_of_order = overtaken(
            first_copies(published, arrivals)
                .iter()
                .map(|a| (a.key.as_str(), a.seq)),
        );
        Self {
            published: published.len() as u64,
            delivered,
            lost: published.len() as u64 - delivered,
            duplicated,
            out_of_order,
        }
    }
}

/// Delivery order judged against what each service promises, kept apart from the
/// publisher's own reordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// What the service promises, in words.
    pub promise: String,
    /// Events delivered after one the service sequenced later in the same scope (shard):
    /// a broken promise. `None` where the service promises no order.
    pub against_service: Option<u64>,
    /// Events of one key that the service sequenced in another order than they were
    /// published: concurrent publish calls (and `PutRecords`) define no order, so this is
    /// the publisher's doing, not the service's. `None` without sequence numbers.
    pub publisher_reordered: Option<u64>,
}

/// First copies only, in arrival order.
fn first_copies<'a>(published: &HashSet<Uuid>, arrivals: &'a [Arrival]) -> Vec<&'a Arrival> {
    let mut sorted: Vec<&Arrival> = arrivals.iter().filter(|a| published.contains(&a.event_id)).collect();
    sorted.sort_by_key(|a| a.order);
    let mut seen = HashSet::new();
    sorted.retain(|a| seen.insert(a.event_id));
    sorted
}

/// Items that come after a higher one of the same group, in the given sequence.
fn overtaken<K: std::hash::Hash + Eq, V: Ord + Copy>(items: impl IntoIterator<Item = (K, V)>) -> u64 {
    let mut highest: HashMap<K, V> = HashMap::new();
    let mut count = 0;
    for (group, value) in items {
        let top = highest.entry(group).or_insert(value);
        if value < *top {
            count += 1;
        }
        *top = (*top).max(value);
    }
    count
}

impl Order {
    /// `promise` describes the service's ordering; arrivals carry positions where it has one.
    pub fn of(promise: &str, published: &HashSet<Uuid>, arrivals: &[Arrival]) -> Self {
        let first = first_copies(published, arrivals);
        let sequenced: Vec<(&Arrival, &(String, u128))> = first
            .iter()
            .filter_map(|a| a.position.as_ref().map(|p| (*a, p)))
            .collect();
        if sequenced.is_empty() {
            return Self {
                promise: promise.to_owned(),
                against_service: None,
                publisher_reordered: None,
            };
        }
        let against_service = overtaken(sequenced.iter().map(|(_, (scope, number))| (scope.as_str(), *number)));
        let mut by_service_order = sequenced.clone();
        by_service_order.sort_by(|a, b| (a.1.0.as_str(), a.1.1).cmp(&(b.1.0.as_str(), b.1.1)));
        let publisher_reordered = overtaken(by_service_order.iter().map(|(a, _)| (a.key.as_str(), a.seq)));
        Self {
            promise: promise.to_owned(),
            against_service: Some(against_service),
            publisher_reordered: Some(publisher_reordered),
        }
    }
}

/// How the consumer batched the events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Batching {
    pub invocations: u64,
    pub cold_starts: u64,
    pub mean_batch: f64,
    /// Batch size → invocations of that size.
    pub batch_sizes: BTreeMap<usize, u64>,
    pub invocations_per_event: f64,
}

impl Batching {
    /// From each invocation's `(request_id, batch_size, cold_start)`, one entry per record.
    #[allow(clippy::cast_precision_loss)]
    pub fn of<'a>(records: impl IntoIterator<Item = (&'a str, usize, bool)>, events: u64) -> Self {
        let mut invocations: HashMap<&str, (usize, bool)> = HashMap::new();
        for (request_id, batch_size, cold) in records {
            invocations.insert(request_id, (batch_size, cold));
        }
        let mut batch_sizes = BTreeMap::new();
        for (size, _) in invocations.values() {
            *batch_sizes.entry(*size).or_default() += 1;
        }
        let count = invocations.len() as u64;
        let total: usize = invocations.values().map(|(size, _)| size).sum();
        Self {
            invocations: count,
            cold_starts: invocations.values().filter(|(_, cold)| *cold).count() as u64,
            mean_batch: if count == 0 { 0.0 } else { total as f64 / count as f64 },
            batch_sizes,
            invocations_per_event: if events == 0 { 0.0 } else { count as f64 / events as f64 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_a_hundred() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let latency = Latency::of(&samples).unwrap();
        assert_eq!(latency.count, 100);
        assert!((latency.p50 - 50.0).abs() < 0.1, "{latency:?}");
        assert!((latency.p90 - 90.0).abs() < 0.1);
        assert!((latency.p99 - 99.0).abs() < 0.1);
        assert!((latency.max - 100.0).abs() < 0.1);
        // 5..=96 is dropped at each end: mean of 6..=95 = 50.5.
        assert!((latency.trimmed_mean - 50.5).abs() < 1e-9);
        assert_eq!(Latency::of(&[]), None);
    }

    #[test]
    fn the_trimmed_mean_ignores_an_outlier() {
        let mut samples = vec![10.0; 99];
        samples.push(10_000.0);
        let latency = Latency::of(&samples).unwrap();
        assert!((latency.trimmed_mean - 10.0).abs() < 1e-9);
        assert!((latency.max - 10_000.0).abs() < 10.0);
    }

    #[test]
    fn submillisecond_latencies_keep_their_precision() {
        let latency = Latency::of(&[0.25, 0.5, 0.75]).unwrap();
        assert!((latency.p50 - 0.5).abs() < 0.001, "{latency:?}");
    }

    fn arrival(id: Uuid, key: &str, seq: u32, at: i64) -> Arrival {
        Arrival {
            event_id: id,
            key: key.into(),
            seq,
            order: (at, 0),
            position: None,
        }
    }

    fn sequenced(id: Uuid, key: &str, seq: u32, at: i64, shard: &str, number: u128) -> Arrival {
        Arrival {
            position: Some((shard.into(), number)),
            ..arrival(id, key, seq, at)
        }
    }

    /// Two events of key k published 0 then 1, but sequenced 1 then 0 by the service (two
    /// concurrent calls): delivered in sequence order, the promise holds; the reordering is
    /// the publisher's. A third, delivered before an earlier sequence number of its shard,
    /// breaks the promise.
    #[test]
    fn order_separates_the_service_promise_from_publisher_reordering() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let published: HashSet<Uuid> = ids.iter().copied().collect();
        let kept = vec![
            sequenced(ids[1], "k", 1, 1, "shard-0", 10),
            sequenced(ids[0], "k", 0, 2, "shard-0", 11),
            sequenced(ids[2], "j", 0, 3, "shard-1", 5),
        ];
        let order = Order::of("per shard", &published, &kept);
        assert_eq!(order.against_service, Some(0));
        assert_eq!(order.publisher_reordered, Some(1));
        assert_eq!(Delivery::of(&published, &kept).out_of_order, 1, "against publish order");

        let mut broken = kept.clone();
        broken.push(sequenced(ids[3], "k", 2, 0, "shard-0", 12)); // arrives first, sequenced last
        let order = Order::of("per shard", &published, &broken);
        assert_eq!(order.against_service, Some(2), "10 and 11 arrive after 12");

        let unsequenced = vec![arrival(ids[0], "r", 0, 1)];
        let none = Order::of("none", &published, &unsequenced);
        assert_eq!((none.against_service, none.publisher_reordered), (None, None));
    }

    #[test]
    fn counts_lost_duplicated_and_out_of_order() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let published: HashSet<Uuid> = ids.iter().copied().collect();
        let arrivals = vec![
            arrival(ids[0], "k", 0, 1),
            arrival(ids[2], "k", 2, 2),
            arrival(ids[1], "k", 1, 3), // overtaken by seq 2
            arrival(ids[1], "k", 1, 4), // a duplicate, not counted again as out of order
            arrival(ids[3], "k", 3, 5),
            arrival(Uuid::now_v7(), "k", 9, 6), // not ours
        ];
        let delivery = Delivery::of(&published, &arrivals);
        assert_eq!(
            delivery,
            Delivery {
                published: 5,
                delivered: 4,
                lost: 1,
                duplicated: 1,
                out_of_order: 1
            }
        );
    }

    #[test]
    fn order_is_only_checked_within_a_key() {
        let ids: Vec<Uuid> = (0..2).map(|_| Uuid::now_v7()).collect();
        let published: HashSet<Uuid> = ids.iter().copied().collect();
        // seq 1 of key a before seq 0 of key b: fine, different keys.
        let arrivals = vec![arrival(ids[0], "a", 1, 1), arrival(ids[1], "b", 0, 2)];
        assert_eq!(Delivery::of(&published, &arrivals).out_of_order, 0);
    }

    #[test]
    fn batching_counts_invocations_once() {
        let records = [("r1", 3, true), ("r1", 3, true), ("r1", 3, true), ("r2", 1, false)];
        let batching = Batching::of(records, 4);
        assert_eq!(batching.invocations, 2);
        assert_eq!(batching.cold_starts, 1);
        assert!((batching.mean_batch - 2.0).abs() < 1e-9);
        assert_eq!(batching.batch_sizes, BTreeMap::from([(1, 1), (3, 1)]));
        assert!((batching.invocations_per_event - 0.5).abs() < 1e-9);
    }
}
