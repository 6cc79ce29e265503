//! Failure drills against a deployed stack (`make test` brings one up on the local emulator):
//! `make drill` on every lane with a short outage ends with its books balanced and every
//! consumer restored; an interrupted or killed drill leaves nothing broken; `make redrive`
//! sends dead letters back into their lane, where they land.

mod common;

use common::Stopped;

#[path = "../../render/tests/common/layout.rs"]
mod layout;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eventlab_bench::drill::breaks::{Ledger, broken_by};
use eventlab_bench::watch::Watcher;
use eventlab_client::stack::Stack;
use eventlab_measure::drill::Drill;
use eventlab_measure::drill::books::Held;
use eventlab_schema::{FactSource, RunId, Service};

/// The drills break the stack's shared transformers: one test at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn outputs() -> PathBuf {
    let path = std::env::var_os("EVENTLAB_OUTPUTS")
        .expect("EVENTLAB_OUTPUTS is not set: these tests need a deployed stack; run them with `make test`");
    repo().join(path)
}

async fn lambda(stack: &Stack) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&eventlab_client::stack::sdk_config(stack).await)
}

fn transformer(stack: &Stack, service: Service) -> String {
    stack.functions[&format!("transform-{service}")].clone()
}

async fn assert_restored(stack: &Stack, services: &[Service]) {
    let lambda = lambda(stack).await;
    for &service in services {
        let function = transformer(stack, service);
        assert_eq!(
            broken_by(&lambda, &function).await.unwrap(),
            None,
            "{function} is still broken"
        );
    }
    let ledger = Ledger::beside(&outputs());
    assert!(!ledger.path().exists(), "{} is still there", ledger.path().display());
}

fn bench() -> Command {
    let mut command = Command::new(repo().join("target/debug/eventlab-bench"));
    command.current_dir(repo());
    command
}

fn start_long_drill(lanes: &str) -> Stopped {
    Stopped(
        bench()
            .args([
                "drill",
                "--lanes",
                lanes,
                "--events",
                "600",
                "--rate",
                "2",
                "--break-after",
                "1",
            ])
            .args(["--outage", "600", "--timeout", "30", "--out", ".state/test/drills"])
            .stdout(Stdio::null())
            .spawn()
            .expect("starting eventlab-bench drill"),
    )
}

/// Waits until every one of `services` is broken.
async fn wait_broken(stack: &Stack, services: &[Service]) {
    let lambda = lambda(stack).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    for &service in services {
        while broken_by(&lambda, &transformer(stack, service))
            .await
            .unwrap()
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "the drill never broke the {service} consumer"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the drill did not stop");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn make_drill_on_every_lane_balances_the_books_and_restores_every_consumer() {
    let _one = ONE_AT_A_TIME.lock().await;
    let stack = Stack::load(&outputs()).unwrap();
    let out = ".state/test/drills/every-lane";
    let _ = std::fs::remove_dir_all(repo().join(out));
    let status = Command::new("make")
        .current_dir(repo())
        .args([
            "--no-print-directory",
            "drill",
            &format!("DRILL_ARGS=--events 12 --rate 2 --break-after 2 --outage 5 --timeout 300 --out {out}"),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "make drill failed: {status}");
    let report = std::fs::read_dir(repo().join(out))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let drill: Drill = serde_json::from_slice(&std::fs::read(report.join("drill.json")).unwrap()).unwrap();
    // The page as a browser lays it out: the answer on the first screen, no label over another.
    let measured = layout::measure_in(&report, "drill.html");
    let mut problems = layout::answers_first("drill.html", &measured, drill.lanes.len());
    problems.extend(layout::overlaps("drill.html", &measured, 1));
    layout::assert_none(&problems);

    assert_eq!(drill.unaccounted(), 0);
    assert!(!drill.timed_out);
    assert_eq!(
        drill.lanes.iter().map(|l| l.service).collect::<Vec<_>>(),
        Service::ALL.to_vec()
    );
    for lane in &drill.lanes {
        let b = &lane.books;
        let service = lane.service;
        assert_eq!((b.published, lane.failed_to_publish), (12, 0), "{service}");
        // The break reached every lane: its transformer refused records while broken.
        assert!(
            b.refused_records > 0,
            "{service}: the broken transformer refused nothing"
        );
        assert_eq!(b.waiting, 0, "{service}");
        let placed = b.landed + b.held + b.passed_through + b.firehose_errors + b.dropped_by_emulator;
        assert_eq!(placed, b.published, "{service}: {b:?}");
        match service {
            // The lanes whose service keeps a failed event and delivers it again.
            Service::Sqs | Service::SqsFifo | Service::Kinesis | Service::DynamoDb => {
                assert_eq!(b.landed, b.published, "{service}: {b:?}");
            }
            // The emulator's Firehose writes the event untransformed when its processor fails.
            Service::Firehose => assert!(b.passed_through > 0, "{b:?}"),
            Service::EventBridge | Service::Sns => assert!(b.dropped_by_emulator > 0, "{service}: {b:?}"),
        }
        if matches!(service, Service::Sqs | Service::SqsFifo) {
            // Received while broken, then again after the visibility timeout.
            assert!(b.max_attempt >= 2, "{service}: {b:?}");
        }
    }
    // The untransformed records the emulator's Firehose wrote among the results do not stop
    // the bench's own readers: they read the drill's results, and only those.
    let firehose = drill.lanes.iter().find(|l| l.service == Service::Firehose).unwrap();
    let s3 = aws_sdk_s3::Client::new(&eventlab_client::stack::sdk_config(&stack).await);
    let results = eventlab_client::results::read_results(
        &s3,
        &stack.results_bucket,
        Service::Firehose,
        &firehose.run_id,
        drill.started_at,
    )
    .await
    .unwrap();
    let distinct: HashSet<uuid::Uuid> = results.iter().map(|r| r.event.event_id).collect();
    assert_eq!(distinct.len() as u64, firehose.books.landed);
    assert!(drill.timeline.len() > 3);
    let page = std::fs::read_to_string(report.join("drill.html")).unwrap();
    assert!(
        page.contains("and 0 are unaccounted."),
        "the answer says nothing is unaccounted"
    );
    assert!(page.contains("<svg"));
    assert!(
        page.contains("MiniStack 1.5.33"),
        "a local drill says it was measured on the emulator"
    );
    assert_restored(&stack, &Service::ALL).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn an_interrupted_or_killed_drill_leaves_no_consumer_broken() {
    let _one = ONE_AT_A_TIME.lock().await;
    let stack = Stack::load(&outputs()).unwrap();
    let lanes = [Service::Sqs, Service::Kinesis];

    for interruption in ["INT", "TERM"] {
        let mut drill = start_long_drill("sqs,kinesis");
        wait_broken(&stack, &lanes).await;
        // The live view shows the break while it lasts.
        let mut watcher = Watcher::connect(&stack, chrono::Utc::now(), Duration::from_millis(500))
            .await
            .unwrap();
        let broken = |snapshot: &eventlab_bench::watch::board::Snapshot| -> Vec<Service> {
            snapshot
                .lanes
                .iter()
                .filter(|l| l.broken_by.as_deref().is_some_and(|d| d.starts_with("drill-")))
                .map(|l| l.service)
                .collect()
        };
        assert_eq!(broken(&watcher.poll().await), lanes);
        signal(&drill.0, interruption);
        let status = wait_exit(&mut drill.0);
        assert!(!status.success(), "an interrupted drill reports failure");
        assert_restored(&stack, &lanes).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(broken(&watcher.poll().await), []);
    }

    // Killed outright, it cannot clean up: the ledger remembers, and --restore undoes it.
    let mut drill = start_long_drill("sqs,kinesis");
    wait_broken(&stack, &lanes).await;
    signal(&drill.0, "KILL");
    wait_exit(&mut drill.0);
    assert!(Ledger::beside(&outputs()).path().exists());
    let restore = bench().args(["drill", "--restore"]).output().unwrap();
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    assert!(String::from_utf8_lossy(&restore.stdout).contains("restored: "));
    assert_restored(&stack, &lanes).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn make_redrive_sends_dead_letters_back_and_they_land() {
    let _one = ONE_AT_A_TIME.lock().await;
    let stack = Stack::load(&outputs()).unwrap();
    let sqs = aws_sdk_sqs::Client::new(&eventlab_client::stack::sdk_config(&stack).await);
    let run_id: RunId = format!("redrive-{}", uuid::Uuid::now_v7().simple()).parse().unwrap();
    let events = eventlab_publish::events::build_events(Service::Sqs, 3, &run_id, "fact", FactSource::Fallback, "test");
    // What SQS moves to the dead-letter queue after maxReceiveCount failed receives: the
    // message as it was sent.
    for event in &events {
        sqs.send_message()
            .queue_url(&stack.sqs_dlq_url)
            .message_body(serde_json::to_string(event).unwrap())
            .send()
            .await
            .unwrap();
    }
    let out = Command::new("make")
        .current_dir(repo())
        .args(["--no-print-directory", "redrive", "REDRIVE_ARGS=--lanes sqs"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(" sent back (receive and re-publish)"), "{stdout}");

    let s3 = aws_sdk_s3::Client::new(&eventlab_client::stack::sdk_config(&stack).await);
    let expected: HashSet<uuid::Uuid> = events.iter().map(|e| e.event_id).collect();
    let landed = eventlab_client::results::wait_for_results(
        &s3,
        &stack.results_bucket,
        Service::Sqs,
        &run_id,
        &expected,
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    for event in &events {
        let result = landed.iter().find(|r| r.event.event_id == event.event_id).unwrap();
        assert_eq!(
            (
                result.event.time.timestamp_micros(),
                result.event.id,
                &result.event.random_fact
            ),
            (event.time.timestamp_micros(), event.id, &event.random_fact),
            "redriven unchanged"
        );
    }
    let left = eventlab_bench::drill::observe::peek(&sqs, &stack.sqs_dlq_url)
        .await
        .unwrap();
    assert!(
        !left
            .iter()
            .any(|held| matches!(held, Held::Event(e) if e.run_id == run_id)),
        "the redriven events left the dead-letter queue"
    );
}
