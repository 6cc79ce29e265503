//! The watch's tally: per lane, what was published, is in flight, landed in S3, was
//! rejected or waits in a failure queue since the watch began, with a rolling timeline.
//!
//! Pure and bounded: it is fed what the sources read and keeps only recent detail (the
//! sizes are the constants below), so a long watch at a high rate holds a few megabytes.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::Hash;

use chrono::{DateTime, Utc};
use eventlab_schema::{ResultRecord, Service};
use hdrhistogram::Histogram;
use serde::Serialize;
use uuid::Uuid;

/// Seconds of landed-per-second history per lane.
pub const TIMELINE_SECONDS: i64 = 120;
/// The rolling latency window: six slices of ten seconds.
const LATENCY_SLICE_SECONDS: i64 = 10;
const LATENCY_SLICES: i64 = 6;
/// Event ids remembered for duplicate detection (about 10 MB at the cap).
pub const REMEMBERED_EVENTS: usize = 200_000;
/// Invocation (request) ids remembered, so an invocation split over objects counts once.
pub const REMEMBERED_INVOCATIONS: usize = 20_000;
/// Batch sizes shown per lane, most recent last.
const RECENT_BATCHES: usize = 40;
/// Latencies recorded in tenths of a millisecond, up to an hour; 2 significant digits.
const LATENCY_UNITS_PER_MS: f64 = 10.0;
const LATENCY_MAX_UNITS: u64 = 36_000_000;

/// A set that forgets its oldest members past `cap`.
#[derive(Debug)]
struct RecentSet<T> {
    members: HashSet<T>,
    order: VecDeque<T>,
    cap: usize,
}

impl<T: Hash + Eq + Clone> RecentSet<T> {
    fn new(cap: usize) -> Self {
        Self {
            members: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// True when `value` was not remembered.
    fn insert(&mut self, value: T) -> bool {
        if !self.members.insert(value.clone()) {
            return false;
        }
        self.order.push_back(value);
        if self.order.len() > self.cap
            && let Some(oldest) = self.order.pop_front()
        {
            self.members.remove(&oldest);
        }
        true
    }

    fn len(&self) -> usize {
        self.members.len()
    }
}

/// A queue's approximate counts (`GetQueueAttributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Messages ready to be received.
    pub waiting: u64,
    /// Messages received and not yet deleted (a consumer holds them).
    pub in_flight: u64,
}

impl QueueCounts {
    pub fn total(self) -> u64 {
        self.waiting + self.in_flight
    }
}

/// Which queue of a lane a reading is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueRole {
    /// The queue the lane's consumer reads (SQS, SQS FIFO).
    Source,
    /// The dead-letter or on-failure queue.
    Failures,
}

#[derive(Debug)]
struct LatencySlice {
    start: i64,
    histogram: Histogram<u32>,
}

#[derive(Debug, Default)]
struct Lane {
    published: u64,
    publish_failed: u64,
    landed: u64,
    duplicates: u64,
    redelivered: u64,
    rejected: u64,
    unreadable: u64,
    invocations: u64,
    cold_starts: u64,
    batch_total: u64,
    recent_batches: VecDeque<u32>,
    /// (epoch second, events landed in it), oldest first.
    timeline: VecDeque<(i64, u64)>,
    latency: VecDeque<LatencySlice>,
    source_queue: Option<QueueCounts>,
    failure_queue: Option<QueueCounts>,
    failure_queue_at_start: Option<u64>,
}

impl Lane {
    fn count_landed_at(&mut self, second: i64) {
        if let Some((_, n)) = self.timeline.iter_mut().rev().find(|(s, _)| *s == second) {
            *n += 1;
        } else {
            // Objects may be read a little out of order: keep the timeline sorted.
            let at = self.timeline.partition_point(|(s, _)| *s < second);
            self.timeline.insert(at, (second, 1));
        }
    }

    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn record_latency(&mut self, second: i64, e2e_ms: f64) {
        let start = second - second.rem_euclid(LATENCY_SLICE_SECONDS);
        let at = self.latency.partition_point(|s| s.start < start);
        if self.latency.get(at).is_none_or(|s| s.start != start) {
            let histogram = Histogram::new_with_bounds(1, LATENCY_MAX_UNITS, 2).expect("valid histogram bounds");
            self.latency.insert(at, LatencySlice { start, histogram });
        }
        let units = (e2e_ms.max(0.0) * LATENCY_UNITS_PER_MS).round() as u64;
        self.latency[at].histogram.saturating_record(units.max(1));
    }

    /// Drops what fell out of the windows ending at `now`.
    fn forget_before(&mut self, now: i64) {
        let window = TIMELINE_SECONDS;
        while self.timeline.front().is_some_and(|(s, _)| *s <= now - window) {
            self.timeline.pop_front();
        }
        let oldest_slice = now - now.rem_euclid(LATENCY_SLICE_SECONDS) - LATENCY_SLICE_SECONDS * (LATENCY_SLICES - 1);
        while self.latency.front().is_some_and(|s| s.start < oldest_slice) {
            self.latency.pop_front();
        }
    }
}

/// Everything the watch knows, fed by its sources.
#[derive(Debug)]
pub struct Board {
    started_at: DateTime<Utc>,
    lanes: BTreeMap<Service, Lane>,
    events: RecentSet<Uuid>,
    invocations: RecentSet<(Service, String)>,
}

impl Board {
    pub fn new(started_at: DateTime<Utc>) -> Self {
        Self {
            started_at,
            lanes: Service::ALL.iter().map(|s| (*s, Lane::default())).collect(),
            events: RecentSet::new(REMEMBERED_EVENTS),
            invocations: RecentSet::new(REMEMBERED_INVOCATIONS),
        }
    }

    fn lane(&mut self, service: Service) -> &mut Lane {
        self.lanes.entry(service).or_default()
    }

    /// The generator's count for one lane of one request.
    pub fn published(&mut self, service: Service, published: u64, failed: u64) {
        let lane = self.lane(service);
        lane.published += published;
        lane.publish_failed += failed;
    }

    /// The result lines of one object that landed at `landed_at`.
    pub fn landed(&mut self, service: Service, landed_at: DateTime<Utc>, records: &[ResultRecord]) {
        let second = landed_at.timestamp();
        // What was published before the watch began is not counted as published, so its
        // landing is not counted either.
        let started_at = self.started_at;
        for record in records.iter().filter(|r| r.event.time >= started_at) {
            let first_copy = self.events.insert(record.event.event_id);
            let new_invocation = self.invocations.insert((service, record.request_id.clone()));
            let lane = self.lane(service);
            if !first_copy {
                lane.duplicates += 1;
                continue;
            }
            lane.landed += 1;
            if record.attempt > 1 {
                lane.redelivered += 1;
            }
            lane.count_landed_at(second);
            lane.record_latency(second, record.e2e_ms);
            if new_invocation {
                lane.invocations += 1;
                lane.cold_starts += u64::from(record.cold_start);
                let batch = u32::try_from(record.batch_size).unwrap_or(u32::MAX);
                lane.batch_total += u64::from(batch);
                lane.recent_batches.push_back(batch);
                if lane.recent_batches.len() > RECENT_BATCHES {
                    lane.recent_batches.pop_front();
                }
            }
        }
    }

    /// Records the consumer rejected (lines under `errors/`).
    pub fn rejected(&mut self, service: Service, lines: u64) {
        self.lane(service).rejected += lines;
    }

    /// Lines of a results object that were not results (a stranger's file, a torn write).
    pub fn unreadable(&mut self, service: Service, lines: u64) {
        self.lane(service).unreadable += lines;
    }

    pub fn queue(&mut self, service: Service, role: QueueRole, counts: QueueCounts) {
        let lane = self.lane(service);
        match role {
            QueueRole::Source => lane.source_queue = Some(counts),
            QueueRole::Failures => {
                lane.failure_queue_at_start.get_or_insert(counts.total());
                lane.failure_queue = Some(counts);
            }
        }
    }

    /// What the page and the terminal show, as of `now`.
    #[allow(clippy::cast_precision_loss)]
    pub fn snapshot(&mut self, now: DateTime<Utc>) -> Snapshot {
        let second = now.timestamp();
        let lanes = self
            .lanes
            .iter_mut()
            .map(|(service, lane)| {
                lane.forget_before(second);
                let dead_lettered = lane
                    .failure_queue
                    .map(|q| q.total().saturating_sub(lane.failure_queue_at_start.unwrap_or(0)));
                let (in_flight, in_flight_basis) = match lane.source_queue {
                    Some(queue) => (queue.total(), InFlightBasis::Queue),
                    None => (
                        lane.published
                            .saturating_sub(lane.landed + lane.rejected + dead_lettered.unwrap_or(0)),
                        InFlightBasis::Derived,
                    ),
                };
                let mut merged: Option<Histogram<u32>> = None;
                for slice in &lane.latency {
                    match merged.as_mut() {
                        Some(m) => m.add(&slice.histogram).expect("same bounds"),
                        None => merged = Some(slice.histogram.clone()),
                    }
                }
                let percentile = |q: f64| {
                    merged
                        .as_ref()
                        .filter(|h| !h.is_empty())
                        .map(|h| h.value_at_quantile(q) as f64 / LATENCY_UNITS_PER_MS)
                };
                let timeline = (second - TIMELINE_SECONDS + 1..=second)
                    .map(|s| lane.timeline.iter().find(|(at, _)| *at == s).map_or(0, |(_, n)| *n))
                    .collect();
                LaneSnapshot {
                    service: *service,
                    published: lane.published,
                    publish_failed: lane.publish_failed,
                    in_flight,
                    in_flight_basis,
                    landed: lane.landed,
                    duplicates: lane.duplicates,
                    redelivered: lane.redelivered,
                    rejected: lane.rejected,
                    unreadable: lane.unreadable,
                    failure_queue: lane.failure_queue,
                    dead_lettered,
                    source_queue: lane.source_queue,
                    invocations: lane.invocations,
                    cold_starts: lane.cold_starts,
                    mean_batch: (lane.invocations > 0).then(|| lane.batch_total as f64 / lane.invocations as f64),
                    recent_batches: lane.recent_batches.iter().copied().collect(),
                    e2e_p50_ms: percentile(0.50),
                    e2e_p99_ms: percentile(0.99),
                    landed_per_second: timeline,
                    broken_by: None,
                    batching: None,
                }
            })
            .collect();
        Snapshot {
            started_at: self.started_at,
            at: now,
            lanes,
            remembered_events: self.events.len(),
            remembered_invocations: self.invocations.len(),
            ..Snapshot::default()
        }
    }
}

/// Where a lane's in-flight figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InFlightBasis {
    /// The source queue's approximate counts.
    Queue,
    /// Published, less landed, rejected and newly dead-lettered.
    Derived,
}

/// One lane as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaneSnapshot {
    pub service: Service,
    pub published: u64,
    pub publish_failed: u64,
    pub in_flight: u64,
    pub in_flight_basis: InFlightBasis,
    /// Distinct events with a result in S3.
    pub landed: u64,
    /// Further copies of events already landed (at-least-once delivery shows here).
    pub duplicates: u64,
    /// Events that landed on a delivery attempt after the first.
    pub redelivered: u64,
    pub rejected: u64,
    pub unreadable: u64,
    pub failure_queue: Option<QueueCounts>,
    /// Growth of the failure queue since the watch began.
    pub dead_lettered: Option<u64>,
    pub source_queue: Option<QueueCounts>,
    pub invocations: u64,
    pub cold_starts: u64,
    pub mean_batch: Option<f64>,
    pub recent_batches: Vec<u32>,
    /// Rolling, over the last minute of landings: publish → transformer, in ms.
    pub e2e_p50_ms: Option<f64>,
    pub e2e_p99_ms: Option<f64>,
    /// Events landed in each of the last [`TIMELINE_SECONDS`] seconds, oldest first.
    pub landed_per_second: Vec<u64>,
    /// The failure drill that has broken this lane's consumer right now, read from the
    /// function's configuration (`eventlab-bench drill`).
    pub broken_by: Option<String>,
    /// The consumer's batching as its event source mapping has it now, and what `tune`
    /// last decided for it (lanes without a mapping: none).
    pub batching: Option<BatchingNow>,
}

/// A lane's batch size and window as last read, and the controller's last word on them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchingNow {
    pub batch: u32,
    pub window_s: u32,
    /// `tune`'s last decision for this lane, in words, when `tune` is running.
    pub decision: Option<String>,
}

/// How the watch itself is doing, so a learner can see what it costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WatchHealth {
    /// The last poll, all sources, in milliseconds.
    pub poll_ms: f64,
    /// Result and error objects read since the watch began (each once).
    pub objects_read: u64,
    /// Object keys remembered so that none is read twice.
    pub remembered_keys: usize,
    /// The last pass over the bucket (its notices, and the new objects read), in milliseconds.
    pub bucket_pass_ms: f64,
    /// The bucket's notices the last pass received.
    pub notices_received: u64,
    /// Publish log lines read since the watch began.
    pub log_lines_read: u64,
}

/// Everything shown at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    pub started_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    /// `local emulator` or `AWS`.
    pub platform: String,
    pub bucket: String,
    pub poll_interval_ms: u64,
    pub lanes: Vec<LaneSnapshot>,
    /// What a source could not read at the last poll, in words (empty when all is well).
    pub problems: Vec<String>,
    pub health: WatchHealth,
    pub remembered_events: usize,
    pub remembered_invocations: usize,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use eventlab_schema::{FactSource, LabEvent, RunId, Transformation};

    use super::*;

    fn record(service: Service, event_id: Uuid, request_id: &str, batch_size: usize, e2e_ms: f64) -> ResultRecord {
        ResultRecord {
            event: LabEvent {
                // Published as the watch began (at(0)).
                time: at(0),
                id: 7,
                service,
                random_fact: "fact".into(),
                event_id,
                run_id: RunId::generate(),
                seq: 0,
                fact_source: FactSource::Fallback,
                requested_by: "test".into(),
                padding: String::new(),
            },
            transformed: Transformation {
                fact_word_count: 1,
                fact_normalised: "fact".into(),
                id_band: "low".into(),
            },
            received_at: Utc::now(),
            transformer: "t".into(),
            request_id: request_id.into(),
            batch_size,
            cold_start: false,
            attempt: 1,
            e2e_ms,
            position: None,
        }
    }

    fn at(second: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + second, 0).unwrap()
    }

    fn lane(snapshot: &Snapshot, service: Service) -> &LaneSnapshot {
        snapshot.lanes.iter().find(|l| l.service == service).unwrap()
    }

    #[test]
    fn an_event_published_before_the_watch_is_not_counted_when_it_lands() {
        let mut board = Board::new(at(10));
        let mut early = record(Service::Sqs, Uuid::now_v7(), "r1", 2, 5.0);
        early.event.time = at(9);
        let mut late = record(Service::Sqs, Uuid::now_v7(), "r1", 2, 5.0);
        late.event.time = at(10);
        board.published(Service::Sqs, 1, 0);
        board.landed(Service::Sqs, at(11), &[early, late]);
        let sqs = lane(&board.snapshot(at(12)), Service::Sqs).clone();
        assert_eq!((sqs.published, sqs.landed, sqs.in_flight), (1, 1, 0));
    }

    #[test]
    fn counts_each_event_once_and_each_copy_as_a_duplicate() {
        let mut board = Board::new(at(0));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        board.published(Service::Sqs, 3, 1);
        board.landed(
            Service::Sqs,
            at(1),
            &[
                record(Service::Sqs, a, "r1", 2, 40.0),
                record(Service::Sqs, b, "r1", 2, 60.0),
            ],
        );
        board.landed(Service::Sqs, at(2), &[record(Service::Sqs, a, "r2", 1, 50.0)]);
        let snapshot = board.snapshot(at(2));
        let sqs = lane(&snapshot, Service::Sqs);
        assert_eq!(
            (sqs.published, sqs.publish_failed, sqs.landed, sqs.duplicates),
            (3, 1, 2, 1)
        );
        assert_eq!(sqs.invocations, 1, "r2 only delivered a duplicate");
        assert_eq!(sqs.recent_batches, [2]);
        assert_eq!(sqs.in_flight, 1);
        assert_eq!(sqs.in_flight_basis, InFlightBasis::Derived);
        assert_eq!(&sqs.landed_per_second[sqs.landed_per_second.len() - 2..], [2, 0]);
        assert_eq!(lane(&snapshot, Service::Kinesis).landed, 0);
    }

    #[test]
    fn an_invocation_split_over_objects_counts_once() {
        let mut board = Board::new(at(0));
        let fifo = Service::SqsFifo;
        board.landed(fifo, at(1), &[record(fifo, Uuid::now_v7(), "r1", 3, 1.0)]);
        board.landed(fifo, at(1), &[record(fifo, Uuid::now_v7(), "r1", 3, 1.0)]);
        let snapshot = board.snapshot(at(1));
        assert_eq!(lane(&snapshot, fifo).invocations, 1);
        assert_eq!(lane(&snapshot, fifo).mean_batch, Some(3.0));
    }

    #[test]
    fn latency_percentiles_roll_over_the_last_minute() {
        let mut board = Board::new(at(0));
        for ms in 1..=100 {
            board.landed(
                Service::Kinesis,
                at(5),
                &[record(Service::Kinesis, Uuid::now_v7(), "r", 1, f64::from(ms))],
            );
        }
        let kinesis = lane(&board.snapshot(at(10)), Service::Kinesis).clone();
        assert!((49.0..=51.0).contains(&kinesis.e2e_p50_ms.unwrap()), "{kinesis:?}");
        assert!((98.0..=101.0).contains(&kinesis.e2e_p99_ms.unwrap()), "{kinesis:?}");
        let later = board.snapshot(at(5 + 70));
        assert_eq!(
            lane(&later, Service::Kinesis).e2e_p50_ms,
            None,
            "a minute later the window is empty"
        );
        assert_eq!(lane(&later, Service::Kinesis).landed, 100, "counters do not roll");
        assert!(lane(&later, Service::Kinesis).landed_per_second.contains(&100));
        let much_later = board.snapshot(at(5 + 200));
        assert!(
            lane(&much_later, Service::Kinesis)
                .landed_per_second
                .iter()
                .all(|n| *n == 0)
        );
    }

    #[test]
    fn queues_give_in_flight_and_dead_letters_since_the_watch_began() {
        let mut board = Board::new(at(0));
        board.queue(
            Service::Sqs,
            QueueRole::Source,
            QueueCounts {
                waiting: 4,
                in_flight: 6,
            },
        );
        board.queue(
            Service::Sqs,
            QueueRole::Failures,
            QueueCounts {
                waiting: 2,
                in_flight: 0,
            },
        );
        board.queue(
            Service::Sqs,
            QueueRole::Failures,
            QueueCounts {
                waiting: 5,
                in_flight: 0,
            },
        );
        board.queue(
            Service::Kinesis,
            QueueRole::Failures,
            QueueCounts {
                waiting: 1,
                in_flight: 0,
            },
        );
        board.published(Service::Kinesis, 10, 0);
        board.rejected(Service::Kinesis, 2);
        let snapshot = board.snapshot(at(1));
        let sqs = lane(&snapshot, Service::Sqs);
        assert_eq!((sqs.in_flight, sqs.in_flight_basis), (10, InFlightBasis::Queue));
        assert_eq!(sqs.dead_lettered, Some(3));
        let kinesis = lane(&snapshot, Service::Kinesis);
        assert_eq!((kinesis.in_flight, kinesis.dead_lettered), (8, Some(0)));
    }

    #[test]
    fn memory_stays_bounded_by_the_caps() {
        let mut set = RecentSet::new(3);
        for n in 0..10 {
            assert!(set.insert(n));
        }
        assert_eq!(set.len(), 3);
        assert!(set.insert(0), "forgotten, so new again");
        assert!(!set.insert(9));
    }
}
