use chrono::TimeZone;
use eventlab_schema::{FactSource, LabEvent, ResultRecord, RunId, Transformation};
use uuid::Uuid;

use super::*;
use crate::record::{Found, Via};
use crate::tune::Signals;

fn start() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).unwrap()
}

fn drive(profile: &str) -> Drive {
    Drive {
        events: 0,
        rate: 1.0,
        concurrency: 4,
        batch: 10,
        via: Via::Direct,
        size_bytes: None,
        timeout_secs: 60,
        profile: Vec::new(),
    }
    .with_profile(Phase::parse_list(profile).unwrap())
}

fn found(published_s: f64, e2e_ms: f64, event_id: Uuid) -> Found {
    #[allow(clippy::cast_possible_truncation)]
    let time = start() + chrono::Duration::milliseconds((published_s * 1000.0) as i64);
    Found {
        record: ResultRecord {
            event: LabEvent {
                time,
                id: 7,
                service: Service::Sqs,
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
            received_at: time,
            transformer: "t".into(),
            request_id: "r".into(),
            batch_size: 1,
            cold_start: false,
            attempt: 1,
            e2e_ms,
            position: None,
        },
        key: "k".into(),
        line: 0,
        seen_at: time,
    }
}

fn lane(profile: &str, found: Vec<Found>) -> LaneRun {
    LaneRun {
        service: Service::Sqs,
        run_id: "exp-sqs".parse().unwrap(),
        drive: drive(profile),
        sent: Vec::new(),
        failed_to_publish: 0,
        calls: 0,
        started_at: start(),
        finished_at: start(),
        found,
        objects: 0,
    }
}

fn step(at_s: i64, to: Knobs, changed: bool) -> Step {
    Step {
        at: start() + chrono::Duration::seconds(at_s),
        lane: Service::Sqs,
        target_p99_ms: 2000.0,
        signals: Signals {
            p99_ms: Some(100.0),
            events_per_s: 10.0,
            mean_batch: Some(10.0),
            backlog: Some(0),
        },
        from: Knobs { batch: 10, window_s: 0 },
        to,
        changed,
        reason: "test".into(),
    }
}

#[test]
fn windows_group_events_by_when_they_were_published_with_the_load_of_the_moment() {
    let copy = Uuid::from_u128(rand_id());
    let runs = lane(
        "2x10,20x10",
        vec![
            found(1.0, 100.0, Uuid::from_u128(rand_id())),
            found(2.0, 300.0, copy),
            found(2.0, 9_999.0, copy), // a second copy: not counted again
            found(15.0, 50.0, Uuid::from_u128(rand_id())),
        ],
    );
    let windows = windows(&runs, 10.0);
    assert_eq!(windows.len(), 2);
    assert_eq!((windows[0].from_s, windows[0].to_s), (0.0, 10.0));
    assert!((windows[0].load_per_s - 2.0).abs() < 1e-9 && (windows[1].load_per_s - 20.0).abs() < 1e-9);
    assert_eq!(windows[0].landed, 2, "first copies only");
    assert!(windows[0].p99_ms.unwrap() < 301.0, "{:?}", windows[0]);
    assert_eq!(windows[1].landed, 1);
}

#[test]
fn settings_follow_only_the_changes_tune_applied_to_the_lane() {
    let small = Variant::Tuned.start(Service::Sqs);
    let grown = Knobs { batch: 20, window_s: 1 };
    let mut other = step(5, Knobs { batch: 99, window_s: 0 }, true);
    other.lane = Service::Kinesis;
    let settings = settings(
        small,
        &[step(3, small, false), other, step(8, grown, true)],
        Service::Sqs,
        start(),
    );
    assert_eq!(settings.len(), 2, "{settings:?}");
    assert_eq!(setting_at(&settings, 7.9), small);
    assert_eq!(setting_at(&settings, 8.0), grown);
}

#[test]
fn the_variants_start_where_the_service_allows() {
    for service in [Service::Sqs, Service::SqsFifo, Service::Kinesis, Service::DynamoDb] {
        let bounds = crate::tune::bounds(service).unwrap();
        for variant in Variant::ALL {
            let knobs = variant.start(service);
            assert_eq!(knobs.within(bounds), knobs, "{service} {}", variant.as_str());
        }
    }
    assert!(Variant::LargeFixed.start(Service::Sqs).batch > Variant::SmallFixed.start(Service::Sqs).batch);
}

#[test]
fn on_aws_a_large_batch_costs_less_and_waits_longer_under_a_quiet_load() {
    let drive = drive("2x60,50x60,2x60");
    let fixed = |knobs: Knobs| vec![Setting { at_s: 0.0, knobs }];
    let small = aws_side(
        Service::Sqs,
        &drive,
        &fixed(Variant::SmallFixed.start(Service::Sqs)),
        300.0,
    );
    let large = aws_side(
        Service::Sqs,
        &drive,
        &fixed(Variant::LargeFixed.start(Service::Sqs)),
        300.0,
    );
    assert!(
        large.usd_per_million.unwrap() < small.usd_per_million.unwrap(),
        "{small:?} {large:?}"
    );
    assert!(
        large.max_wait_ms.unwrap() > small.max_wait_ms.unwrap(),
        "{small:?} {large:?}"
    );
    assert!(
        large.max_wait_ms.unwrap() >= 4_000.0,
        "at 2 events/s a batch of 100 waits out its 5 s window: {large:?}"
    );
}

/// A distinct id per call.
fn rand_id() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    u128::from(NEXT.fetch_add(1, Ordering::Relaxed))
}
