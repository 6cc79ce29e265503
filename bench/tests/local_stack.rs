//! The bench against a deployed stack (`make test` brings one up on the local emulator):
//! every published event is accounted for, and the report files exist, parse and agree
//! with `summary.json`.

mod common;

use common::env_path;

#[path = "../../render/tests/common/layout.rs"]
mod layout;

use eventlab_bench::session::Session;
use eventlab_measure::cost::Origin;
use eventlab_measure::record::{Drive, Via};
use eventlab_measure::summary::{Environment, Summary};
use eventlab_schema::Service;
use eventlab_schema::switches::Strategy;

fn drive(via: Via, events: u32) -> Drive {
    Drive {
        events,
        rate: 100.0,
        concurrency: 4,
        batch: 5,
        via,
        size_bytes: None,
        timeout_secs: 90,
        profile: Vec::new(),
    }
}

/// Every binary the local stack runs, the generator per strategy, started twice each.
fn coldstart_plan() -> eventlab_bench::coldstart::Plan {
    let builds = [(
        "local".to_owned(),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug"),
    )];
    let functions = eventlab_bench::coldstart::FUNCTIONS.map(str::to_owned);
    eventlab_bench::coldstart::Plan {
        subjects: eventlab_bench::coldstart::subjects(&builds, &functions, &Strategy::ALL).unwrap(),
        cold_starts: 2,
        warm: 3,
        large: 1,
    }
}

async fn session() -> Session {
    Session::open(&env_path("EVENTLAB_OUTPUTS"), &env_path("EVENTLAB_CREDENTIALS"))
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
#[allow(clippy::too_many_lines)] // one run of the stack, every figure of it checked
async fn a_small_run_over_every_service_accounts_for_every_event_and_writes_the_report() {
    let session = session().await;
    let out = std::env::temp_dir().join(format!("eventlab-bench-{}", uuid::Uuid::now_v7()));
    let plan = coldstart_plan();
    let (summary, html_path) = session
        .run(&Service::ALL, &drive(Via::Api, 12), Some(&plan), &out)
        .await
        .unwrap();

    assert_eq!(summary.environment, Environment::LocalEmulator);
    assert!(summary.caveats.iter().any(|c| c.contains("not from AWS")));
    assert_eq!(
        summary.lanes.iter().map(|l| l.service).collect::<Vec<_>>(),
        Service::ALL
    );
    for lane in &summary.lanes {
        let d = lane.delivery;
        assert_eq!(d.published, 12, "{}", lane.service);
        assert_eq!(
            d.delivered + d.lost,
            d.published,
            "{}: every event accounted for",
            lane.service
        );
        assert_eq!(d.lost, 0, "{}: the emulator loses nothing", lane.service);
        assert!(
            lane.batching.invocations >= 1 && lane.s3_objects >= 1,
            "{}",
            lane.service
        );
        assert!(lane.cost_per_million_usd() > 0.0);
        let e2e = lane.end_to_end.or(lane.end_to_end_cold).expect("latencies measured");
        assert!(e2e.p50 <= e2e.p90 && e2e.p90 <= e2e.p99 && e2e.p99 <= e2e.max);
        measured_from_the_logs(lane);
    }
    let lane = |service: Service| summary.lanes.iter().find(|l| l.service == service).unwrap();
    let kinesis = lane(Service::Kinesis);
    assert_eq!(
        kinesis.order.against_service,
        Some(0),
        "Kinesis keeps its per-shard promise"
    );
    assert!(kinesis.order.publisher_reordered.is_some());
    let fifo = lane(Service::SqsFifo);
    assert_eq!(
        fifo.order.against_service,
        Some(0),
        "FIFO keeps order within each message group"
    );
    assert_eq!(fifo.delivery.duplicated, 0, "deduplicated by event id");
    assert_eq!(fifo.delivery.out_of_order, 0, "per message group, in publish order");
    assert!(
        fifo.batching.batch_sizes.keys().all(|&size| size <= 10),
        "a FIFO mapping takes 10 at most"
    );
    assert_eq!(
        lane(Service::Sqs).order.against_service,
        None,
        "a standard queue promises no order"
    );
    for push in [Service::EventBridge, Service::Sns] {
        assert_eq!(
            lane(push).batching.batch_sizes.keys().copied().collect::<Vec<_>>(),
            [1],
            "{push} invokes once per event"
        );
    }

    // The files: JSON that parses back to the same figures, HTML and Markdown that show them.
    let dir = html_path.parent().unwrap();
    let written: Summary = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(written.bench_id, summary.bench_id);
    for (read, measured) in written.lanes.iter().zip(&summary.lanes) {
        // serde_json may differ in a float's last bit; the figures must agree.
        assert_eq!(
            (read.delivery, read.batching.invocations, read.s3_objects),
            (measured.delivery, measured.batching.invocations, measured.s3_objects)
        );
        assert!((read.cost_per_million_usd() - measured.cost_per_million_usd()).abs() < 1e-9);
        let p50 = |l: &eventlab_measure::summary::LaneSummary| l.end_to_end.or(l.end_to_end_cold).map(|e| e.p50);
        assert_eq!(p50(read), p50(measured));
    }
    let raw = std::fs::read_to_string(dir.join("raw.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = raw.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(rows.len(), 12 * Service::ALL.len());
    assert!(rows.iter().all(|row| row["copies"].as_u64() >= Some(1)));

    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.matches("<svg").count() >= 4, "the charts are inline");
    assert!(html.contains("Local emulator"));
    let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for lane in &summary.lanes {
        let cost = format!("{:.2}", lane.cost_per_million_usd());
        assert!(
            html.contains(&cost) && markdown.contains(&cost),
            "{} cost {cost} shown",
            lane.service
        );
        assert!(html.contains(&format!("<th>{}</th>", lane.service)));
    }
    check_coldstart(&summary, &html, &markdown, dir);

    // Every lane's failure queue, read after the run, beside the alarm that watches it.
    assert_eq!(
        summary
            .failure_queues
            .iter()
            .map(|q| q.lane.as_str())
            .collect::<Vec<_>>(),
        ["dynamodb", "eventbridge", "kinesis", "sns", "sqs", "sqs-fifo"]
    );
    assert!(html.contains("id=\"failure-queues-table\"") && markdown.contains("## Failure queues after the run"));
    for queue in &summary.failure_queues {
        assert!(markdown.contains(&format!("| {} | {} |", queue.lane, queue.queue)));
    }

    // Local figures beside the published AWS ones, labelled apart.
    let reference = &html[html.find("id=\"reference-table\"").expect("the reference table")..];
    assert!(reference.contains("this run, local emulator") && reference.contains("published AWS reference"));
    assert!(markdown.contains("## This run beside published AWS figures"));
    // The report and its cold-start page as a browser lays them out: the answer on the first
    // screen, no chart label over another.
    let mut problems = Vec::new();
    let coldstart_rows = summary
        .coldstart
        .as_ref()
        .expect("the run measured cold starts")
        .rows
        .len();
    for (page, rows, charts) in [
        ("report.html", summary.lanes.len(), 7),
        ("coldstart.html", coldstart_rows, 1),
    ] {
        let measured = layout::measure_in(dir, page);
        problems.extend(layout::answers_first(page, &measured, rows));
        problems.extend(layout::overlaps(page, &measured, charts));
    }
    layout::assert_none(&problems);

    // The answer first: a row per lane and findings computed from this run, on the page and in Markdown.
    let answer = &html[html.find("id=\"answer\"").expect("the answer block")..html.find("</section>").unwrap()];
    assert!(answer.contains("local emulator (MiniStack), not AWS") && answer.contains("<li>Delivery"));
    assert!(markdown.find("- Delivery").unwrap() < markdown.find("## Every figure").unwrap());
    for chart in [
        "frontier.svg",
        "latency.svg",
        "latency-cdf.svg",
        "cost.svg",
        "batching.svg",
        "batching-trade-off.svg",
    ] {
        assert!(
            std::fs::read_to_string(dir.join(chart)).unwrap().starts_with("<svg"),
            "{chart}"
        );
        assert!(markdown.contains(chart));
    }

    // The model priced with this run's measured Lambda figures, labelled as local.
    let model = std::process::Command::new(env!("CARGO_BIN_EXE_eventlab-bench"))
        .args(["model", "--rates", "100", "--profile-from"])
        .arg(dir.join("summary.json"))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&model.stdout);
    assert!(model.status.success(), "{}", String::from_utf8_lossy(&model.stderr));
    let sqs = summary.lanes.iter().find(|l| l.service == Service::Sqs).unwrap();
    assert_eq!(sqs.lambdas.transformer.origin, Origin::MeasuredLocal);
    assert!(
        table.contains(&format!(
            "sqs: transformer {:.1} ms billed, {:.0} MB, {:.0} B of logs (measured on the local emulator)",
            sqs.lambdas.transformer.billed_ms, sqs.lambdas.transformer.memory_mb, sqs.lambdas.transformer.log_bytes
        )),
        "{table}"
    );
    std::fs::remove_dir_all(out).unwrap();
}

/// The depth the report shows is the queue's: a message dead-lettered by hand is counted.
#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn failure_queue_depths_are_read_from_the_queues_themselves() {
    let session = session().await;
    let (sqs, queues) = (
        &session.lab.publishers.clients.sqs,
        &session.lab.stack.failure_queue_urls,
    );
    let waiting = |depths: &[eventlab_measure::failures::QueueDepth]| {
        depths
            .iter()
            .find(|q| q.lane == "sqs")
            .map(|q| q.waiting)
            .expect("the SQS lane has a DLQ")
    };
    let before = waiting(&eventlab_client::queues::read(sqs, queues).await.unwrap());
    let dlq = &queues["sqs"];
    sqs.send_message()
        .queue_url(dlq)
        .message_body("{\"not\": \"an event\"}")
        .send()
        .await
        .unwrap();
    let after = waiting(&eventlab_client::queues::read(sqs, queues).await.unwrap());
    assert!(after > before, "{before} then {after}");

    // Leave the queue as it was.
    let received = sqs
        .receive_message()
        .queue_url(dlq)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    for message in received
        .messages()
        .iter()
        .filter(|m| m.body() == Some("{\"not\": \"an event\"}"))
    {
        let handle = message.receipt_handle().unwrap();
        sqs.delete_message()
            .queue_url(dlq)
            .receipt_handle(handle)
            .send()
            .await
            .unwrap();
    }
}

/// Durations and log bytes come from the functions' REPORT lines and log groups: every
/// invocation the results name has its line, and no Lambda figure is left assumed.
#[allow(clippy::cast_precision_loss)] // counts of a dozen
fn measured_from_the_logs(lane: &eventlab_measure::summary::LaneSummary) {
    let service = lane.service;
    let transformer = lane
        .functions
        .transformer
        .as_ref()
        .expect("the transformer's logs were read");
    assert_eq!(
        transformer.invocations, lane.batching.invocations,
        "{service}: a REPORT line per invocation"
    );
    let billed = transformer.billed_ms.expect("billed durations");
    assert!(billed.p50 > 0.0 && billed.p50 <= billed.p99, "{service}: {billed:?}");
    let generator = lane
        .functions
        .generator
        .as_ref()
        .expect("the generator's logs were read");
    assert_eq!(generator.invocations, 3, "{service}: 12 events in requests of 5");
    assert!(transformer.log_bytes > 0 && generator.log_bytes > 0);

    for profile in [lane.lambdas.transformer, lane.lambdas.generator] {
        assert_eq!(profile.origin, Origin::MeasuredLocal, "{service}");
        assert!(
            (profile.init_ms - 0.0).abs() < f64::EPSILON,
            "INIT is inside measured billed time"
        );
    }
    assert!(
        (lane.lambdas.transformer.billed_ms - transformer.billed_ms_total / transformer.invocations as f64).abs()
            < 1e-9
    );
    // Only the API's access log stays assumed: the emulator writes none.
    for item in &lane.cost_per_million.items {
        if item.origin == Origin::Assumed {
            assert!(
                item.item.starts_with("API access logs"),
                "{service}: {} is assumed",
                item.item
            );
        }
    }
    // The logs line is priced from the measured bytes: invocations per million × bytes × $0.50/GB.
    let logs = lane
        .cost_per_million
        .items
        .iter()
        .find(|i| {
            i.item
                .starts_with("Transformer logs ingested (measured on the local emulator")
        })
        .unwrap_or_else(|| panic!("{service}: no measured logs line"));
    let per_invocation = transformer.log_bytes as f64 / transformer.invocations as f64;
    let invocations_per_million = lane.batching.invocations as f64 * 1e6 / f64::from(lane.events);
    let expected = invocations_per_million * per_invocation / 1_073_741_824.0 * 0.5;
    assert!(
        (logs.usd - expected).abs() < 1e-9,
        "{service}: {} vs {expected}",
        logs.usd
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn direct_publishing_isolates_the_service_and_accounts_for_every_event() {
    let session = session().await;
    let (summary, _) = session
        .measure("e2e-direct", &[Service::Sqs, Service::Kinesis], &drive(Via::Direct, 10))
        .await
        .unwrap();
    for lane in &summary.lanes {
        assert_eq!(lane.delivery.delivered, 10, "{}", lane.service);
        assert_eq!(lane.workload.api_requests, 0, "no API Gateway in direct mode");
        assert!(lane.functions.generator.is_none(), "no generator in direct mode");
        assert_eq!(lane.lambdas.transformer.origin, Origin::MeasuredLocal);
        assert!(
            !lane
                .cost_per_million
                .items
                .iter()
                .any(|i| i.item.starts_with("API Gateway"))
        );
    }
}

/// Cold starts: every binary of the stack, the generator per strategy, each measured and shown.
fn check_coldstart(summary: &Summary, html: &str, markdown: &str, dir: &std::path::Path) {
    let coldstart = summary.coldstart.as_ref().expect("the run asked for cold starts");
    assert_eq!(
        coldstart.rows.len(),
        3 + 4,
        "the generator's three strategies and four transformers"
    );
    for row in &coldstart.rows {
        let label = row.subject.label();
        assert_eq!(row.processes, 2, "{label}");
        let (init_wall, init_cpu) = (row.init_wall.unwrap(), row.init_cpu.unwrap());
        assert!(init_wall.p50 > 0.0 && init_cpu.p50 > 0.0, "{label}: INIT measured");
        assert!(
            init_cpu.max <= init_wall.max * 4.0,
            "{label}: CPU within wall time × threads"
        );
        assert_eq!(
            row.warm_wall.unwrap().count,
            6,
            "{label}: 3 warm invocations × 2 processes"
        );
        assert!(row.peak_rss_mib > 1.0, "{label}: peak RSS read");
        if row.subject.function != "transform-eventbridge" {
            assert!(
                row.large_events > 1 && row.large_cpu_per_event_ms.unwrap() > 0.0,
                "{label}"
            );
        }
    }
    assert!(html.contains("id=\"coldstart-table\"") && markdown.contains("## Cold starts, measured by the lab"));
    let written_coldstart: eventlab_measure::coldstart::Report =
        serde_json::from_str(&std::fs::read_to_string(dir.join("coldstart.json")).unwrap()).unwrap();
    let labels =
        |r: &eventlab_measure::coldstart::Report| r.rows.iter().map(|row| row.subject.label()).collect::<Vec<_>>();
    assert_eq!(labels(&written_coldstart), labels(coldstart));
}
