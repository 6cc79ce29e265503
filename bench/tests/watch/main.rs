//! `eventlab-bench watch` against a deployed stack (`make test` brings one up on the local
//! emulator): the incremental bucket reader on a bucket of its own, and the page in a real
//! headless Chromium while a small bench runs.

mod browser;
#[path = "../common/mod.rs"]
mod common;
mod make_target;
mod reader;

use browser::{Browser, READ_COUNTERS, counter};
use common::env_path;
use make_target::{MakeTarget, start_watch};

use std::time::{Duration, Instant};

use chrono::Utc;
use eventlab_bench::session::Session;
use eventlab_bench::watch::Watcher;
use eventlab_bench::watch::board::InFlightBasis;
use eventlab_client::stack::Stack;
use eventlab_measure::record::{Drive, Via};
use eventlab_schema::Service;
use serde_json::{Value, json};

/// The stack tests here watch the one stack, whose bucket notices one watch reads at a
/// time, and count what is published while they watch: one at a time.
static ONE_WATCH_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn stack() -> Stack {
    Stack::load(&env_path("EVENTLAB_OUTPUTS")).unwrap()
}

#[test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
fn make_watch_tui_draws_every_lane_in_the_terminal() {
    let _one = ONE_WATCH_AT_A_TIME.blocking_lock();
    let mut tui = MakeTarget::start(&["watch-tui", "WATCH_ARGS=--poll-ms 500"]);
    let mut screen = String::new();
    while !screen.contains("watch: bucket pass") {
        screen.push_str(&tui.line());
    }
    assert!(screen.contains("local emulator"), "{screen}");
    for service in Service::ALL {
        let name = format!("{:<12}", service.as_str());
        assert_eq!(
            screen.lines().filter(|l| l.starts_with(&name)).count(),
            2,
            "{service}: a counters line and a timeline line\n{screen}"
        );
    }
    for polled in ["sqs", "kinesis", "sqs-fifo", "dynamodb"] {
        let line = format!("  {polled:<12}batch ");
        assert!(
            screen.contains(&line),
            "{polled}'s batching, read from its mapping\n{screen}"
        );
    }
    assert!(!screen.contains("problem:"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn the_page_shows_every_lane_landing_live_and_a_poison_record_as_rejected() {
    const EVENTS: u32 = 10;
    let _one = ONE_WATCH_AT_A_TIME.lock().await;
    let (_watch, url) = start_watch();
    let mut browser = Browser::launch();
    browser.open(&url);

    let session = Session::open(&env_path("EVENTLAB_OUTPUTS"), &env_path("EVENTLAB_CREDENTIALS"))
        .await
        .unwrap();
    let poison = session
        .lab
        .publishers
        .clients
        .sqs
        .send_message()
        .queue_url(&session.lab.stack.sqs_queue_url)
        .message_body("{\"this is\": \"not an event\"}")
        .send()
        .await
        .unwrap();
    let drive = Drive {
        events: EVENTS,
        rate: 50.0,
        concurrency: 2,
        batch: 5,
        via: Via::Api,
        size_bytes: None,
        timeout_secs: 90,
        profile: Vec::new(),
    };
    let out = std::env::temp_dir().join(format!("eventlab-watch-{}", uuid::Uuid::now_v7()));
    let report = out.clone();
    let bench = tokio::spawn(async move { session.run(&Service::ALL, &drive, None, &report).await });

    // The page only changes through its live feed: every reading below is what it drew.
    let started = Instant::now();
    let mut page;
    loop {
        page = serde_json::from_str::<Value>(browser.eval(READ_COUNTERS).as_str().unwrap()).unwrap();
        let landed_everywhere = Service::ALL.iter().all(|&lane| {
            counter(&page, lane, "landed") >= u64::from(EVENTS)
                && counter(&page, lane, "published") >= u64::from(EVENTS)
        });
        if landed_everywhere && counter(&page, Service::Sqs, "rejected") >= 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the page did not show every lane landing (poison message {:?}): {page:#}",
            poison.message_id()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (summary, _) = bench.await.unwrap().unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    for lane in &summary.lanes {
        assert_eq!(lane.delivery.delivered, u64::from(EVENTS), "{}", lane.service);
        assert!(
            counter(&page, lane.service, "invocations") >= 1,
            "{}: {page:#}",
            lane.service
        );
    }
    assert_eq!(
        browser.eval("document.getElementById('problems').children.length"),
        json!(0)
    );
    assert_eq!(
        browser.eval("document.getElementById('platform').textContent"),
        json!("local emulator")
    );
    let drawn = browser.eval("document.querySelectorAll('#timeline polyline').length");
    assert_eq!(drawn, json!(Service::ALL.len()));

    let shot = env_path("EVENTLAB_OUTPUTS").with_file_name("watch-page.png");
    browser.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "{}", shot.display());
    eprintln!("screenshot: {}", shot.display());
}

/// A watch started right after requests were published — their events still on their way —
/// counts none of them: nothing published, nothing landed, and nothing left "in flight" once
/// the lanes are quiet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn a_watch_started_right_after_a_run_shows_nothing_in_flight_once_quiet() {
    let _one = ONE_WATCH_AT_A_TIME.lock().await;
    let session = Session::open(&env_path("EVENTLAB_OUTPUTS"), &env_path("EVENTLAB_CREDENTIALS"))
        .await
        .unwrap();
    let lab = &session.lab;
    let request = eventlab_schema::api::GenerateRequest {
        count: Some(5),
        run_id: Some(eventlab_schema::RunId::generate()),
        size_bytes: None,
    };
    let response = lab.api.generate("all", &lab.token, &request).await.unwrap();
    assert_eq!(response.lanes.len(), Service::ALL.len());

    let mut watcher = Watcher::connect(&lab.stack, Utc::now(), Duration::from_millis(500))
        .await
        .unwrap();
    // Every lane's events land within seconds on the emulator; watch until then and a little after.
    let mut landed_everywhere = false;
    let started = Instant::now();
    let mut snapshot = watcher.poll().await;
    while started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        snapshot = watcher.poll().await;
        if !landed_everywhere {
            landed_everywhere = all_landed(lab, &response).await;
        }
        if landed_everywhere && started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    assert!(landed_everywhere, "the run's events did not all land within 20 s");
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    for lane in &snapshot.lanes {
        assert_eq!(
            (lane.published, lane.landed),
            (0, 0),
            "{}: published before the watch began, so neither published nor landed",
            lane.service
        );
        // A queue's lane shows what the queue holds, whoever sent it (other tests may leave
        // messages waiting for a redelivery); the others derive it and have nothing in flight.
        let holds = match lane.service {
            Service::Sqs => Some(&lab.targets.sqs_queue_url),
            Service::SqsFifo => Some(&lab.targets.sqs_fifo_queue_url),
            _ => None,
        };
        let expected = match holds {
            Some(url) => {
                let (waiting, invisible) = eventlab_client::queues::depth(&lab.publishers.clients.sqs, url)
                    .await
                    .unwrap();
                waiting + invisible
            }
            None => 0,
        };
        assert_eq!(
            (lane.in_flight_basis == InFlightBasis::Queue, lane.in_flight),
            (holds.is_some(), expected),
            "{}: in flight",
            lane.service
        );
    }
}

/// Waits until every lane's events of `response` are in the bucket.
async fn all_landed(lab: &eventlab_client::lab::Lab, response: &eventlab_schema::api::GenerateResponse) -> bool {
    for lane in &response.lanes {
        let expected: std::collections::HashSet<uuid::Uuid> = lane.events.iter().map(|e| e.event_id).collect();
        let landed = eventlab_client::results::wait_for_results(
            &lab.s3,
            &lab.stack.results_bucket,
            lane.service,
            &response.run_id,
            &expected,
            Duration::from_secs(1),
        )
        .await;
        if landed.is_err() {
            return false;
        }
    }
    true
}
