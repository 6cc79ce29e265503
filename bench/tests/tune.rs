//! `tune` on the test stack: under load it decides every interval from live signals,
//! logs each decision as a JSON line with its inputs and reason, changes the mappings only
//! within what the service accepts, and puts the settings back — when its time is up, and
//! after a kill, by `tune --restore`, and on SIGINT; its watch page shows each lane's
//! settings and the last decision; and the experiment sets it beside fixed settings under
//! a rate step, its page checked in headless Chromium.

mod common;

use common::{Stopped, env_path};

#[path = "../../render/tests/common/layout.rs"]
mod layout;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use eventlab_bench::mappings::Mappings;
use eventlab_bench::session::Session;
use eventlab_measure::tune::{Knobs, bounds};
use eventlab_schema::Service;
use serde_json::Value;

/// The tests read the bucket's notices through the watch: one at a time.
static ONE_TUNE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn tune(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eventlab-bench"));
    command
        .arg("tune")
        .args(args)
        .env("EVENTLAB_OUTPUTS", env_path("EVENTLAB_OUTPUTS"))
        .env("EVENTLAB_CREDENTIALS", env_path("EVENTLAB_CREDENTIALS"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn mapping(session: &Session, mappings: &Mappings, service: Service) -> Knobs {
    let function = &session.lab.stack.functions[&format!("transform-{service}")];
    mappings.get(function).await.unwrap().1
}

/// Publishes 20 events a second to `service` through the API until `stop` says so.
async fn load(session: &Session, service: Service, seconds: u64) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds) {
        let request = eventlab_schema::api::GenerateRequest {
            count: Some(20),
            run_id: Some(eventlab_schema::RunId::generate()),
            size_bytes: None,
        };
        session
            .lab
            .api
            .generate(service.as_str(), &session.lab.token, &request)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn open() -> (Session, Mappings) {
    let session = Session::open(&env_path("EVENTLAB_OUTPUTS"), &env_path("EVENTLAB_CREDENTIALS"))
        .await
        .unwrap();
    let config = eventlab_client::stack::sdk_config(&session.lab.stack).await;
    (session, Mappings::new(aws_sdk_lambda::Client::new(&config)))
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn tune_decides_from_live_signals_within_the_limits_and_restores_on_exit() {
    let _one = ONE_TUNE_AT_A_TIME.lock().await;
    let (session, mappings) = Box::pin(open()).await;
    let before = mapping(&session, &mappings, Service::Sqs).await;
    let kinesis_before = mapping(&session, &mappings, Service::Kinesis).await;
    // The emulator delivers in tens of milliseconds: a 10 ms target is always missed, so
    // the controller must shrink, and every decision is logged.
    let child = tune(&[
        "--target-p99",
        "10ms",
        "--lanes",
        "sqs,kinesis",
        "--interval",
        "2s",
        "--for",
        "12s",
    ])
    .spawn()
    .unwrap();
    let mut child = Stopped(child);
    load(&session, Service::Sqs, 12).await;
    let stdout = child.0.stdout.take().unwrap();
    let status = child.0.wait().unwrap();
    let lines: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    let sqs: Vec<&Value> = lines.iter().filter(|l| l["lane"] == "sqs").collect();
    assert!(sqs.len() >= 4, "a decision every 2 s for 12 s: {lines:#?}");
    assert!(
        lines.iter().any(|l| l["lane"] == "kinesis"),
        "every tuned lane is decided on"
    );
    for line in &lines {
        assert!(
            line["signals"].get("events_per_s").is_some() && line["reason"].as_str().is_some_and(|r| !r.is_empty())
        );
        let lane: Service = serde_json::from_value(line["lane"].clone()).unwrap();
        let to: Knobs = serde_json::from_value(line["to"].clone()).unwrap();
        assert_eq!(
            to,
            to.within(bounds(lane).unwrap()),
            "a setting the service accepts: {line}"
        );
    }
    let shrank = sqs
        .iter()
        .find(|l| l["changed"] == true)
        .unwrap_or_else(|| panic!("{sqs:#?}"));
    assert!(shrank["signals"]["p99_ms"].as_f64().unwrap() > 10.0);
    assert!(
        shrank["reason"].as_str().unwrap().contains("over the 10 ms target"),
        "{shrank}"
    );
    assert_eq!(
        mapping(&session, &mappings, Service::Sqs).await,
        before,
        "restored when its time was up"
    );
    assert_eq!(mapping(&session, &mappings, Service::Kinesis).await, kinesis_before);
    assert!(
        !env_path("EVENTLAB_OUTPUTS")
            .with_file_name("tune-originals.json")
            .exists()
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn a_killed_tune_is_undone_by_tune_restore() {
    let _one = ONE_TUNE_AT_A_TIME.lock().await;
    let (session, mappings) = Box::pin(open()).await;
    let before = mapping(&session, &mappings, Service::Sqs).await;
    let mut child = Stopped(
        tune(&["--target-p99", "10ms", "--lanes", "sqs", "--interval", "2s"])
            .spawn()
            .unwrap(),
    );
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let publisher = async {
        load(&session, Service::Sqs, 20).await;
    };
    // The reader is handed back with the change, so tune's stdout stays open until the
    // kill: a closed pipe would fail its next line, and a failure restores the settings.
    let watcher = tokio::task::spawn_blocking(move || {
        let mut lines = stdout.lines();
        while let Some(line) = lines.next() {
            let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
            if line["changed"] == true {
                return Some((line, lines));
            }
        }
        None
    });
    let ((), changed) = tokio::join!(publisher, tokio::time::timeout(Duration::from_secs(60), watcher));
    let (changed, _open) = changed
        .expect("no change within 60 s")
        .unwrap()
        .expect("tune changed the mapping under load");
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let after_kill = mapping(&session, &mappings, Service::Sqs).await;
    assert_ne!(after_kill, before, "killed after {changed}: the change stays");
    let ledger = env_path("EVENTLAB_OUTPUTS").with_file_name("tune-originals.json");
    assert!(
        ledger.exists(),
        "the settings to restore are kept in {}",
        ledger.display()
    );

    let restore = tune(&["--restore"]).output().unwrap();
    let said = String::from_utf8_lossy(&restore.stdout);
    assert!(restore.status.success() && said.contains("restored: sqs"), "{said}");
    assert_eq!(mapping(&session, &mappings, Service::Sqs).await, before);
    assert!(!ledger.exists());
    let again = tune(&["--restore"]).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to restore"));
}

/// GETs `path` from the page `tune --watch-port` serves; the body.
fn get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// The page's address, from the line tune prints it on (stderr).
fn page_address(stderr: &mut impl BufRead) -> String {
    let mut read = String::new();
    for _ in 0..3 {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        if let Some(address) = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|w| w.strip_suffix('/'))
        {
            return address.to_owned();
        }
        read.push_str(&line);
    }
    panic!("no address in {read:?}")
}

/// One lane of the snapshot the page serves.
fn lane_on_page(address: &str, service: &str) -> Value {
    let snapshot: Value = serde_json::from_str(&get(address, "/snapshot.json")).unwrap();
    snapshot["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["service"] == service)
        .cloned()
        .unwrap()
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn tune_shows_its_decisions_on_the_watch_page_and_restores_on_sigint() {
    let _one = ONE_TUNE_AT_A_TIME.lock().await;
    let (session, mappings) = Box::pin(open()).await;
    let before = mapping(&session, &mappings, Service::Sqs).await;
    let mut child = Stopped(
        tune(&[
            "--target-p99",
            "10ms",
            "--lanes",
            "sqs",
            "--interval",
            "2s",
            "--watch-port",
            "0",
        ])
        .spawn()
        .unwrap(),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let address = page_address(&mut stderr);
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let changed = tokio::task::spawn_blocking(move || {
        let mut lines = stdout.lines();
        while let Some(line) = lines.next() {
            let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
            if line["changed"] == true {
                return Some((line, lines));
            }
        }
        None
    });
    // A rate step: quiet, then 20 events a second.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ((), changed) = tokio::join!(
        load(&session, Service::Sqs, 20),
        tokio::time::timeout(Duration::from_secs(60), changed)
    );
    let (changed, _open) = changed
        .expect("no change within 60 s")
        .unwrap()
        .expect("tune changed the mapping under load");
    // Under a 10 ms target it only shrinks, and may have shrunk again since.
    let to: Knobs = serde_json::from_value(changed["to"].clone()).unwrap();
    let now = mapping(&session, &mappings, Service::Sqs).await;
    assert!(
        now.batch <= to.batch && now.batch < before.batch,
        "applied: {changed}, now {now:?}"
    );

    // The page shows the lane's settings and the decision within a poll or two.
    let mut shown = Value::Null;
    for _ in 0..10 {
        shown = lane_on_page(&address, "sqs");
        if shown["batching"]["decision"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        shown["batching"]["decision"]
            .as_str()
            .is_some_and(|d| d.contains("target")),
        "{shown}"
    );
    let shown_batch = shown["batching"]["batch"].as_u64().unwrap_or_else(|| panic!("{shown}"));
    assert!(
        shown_batch <= u64::from(to.batch),
        "the page shows the settings now: {shown}"
    );
    let eventbridge = lane_on_page(&address, "eventbridge");
    assert!(eventbridge["batching"].is_null(), "no knobs, none shown: {eventbridge}");

    let interrupt = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let status = child.0.wait().unwrap();
    let mut said = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    assert!(status.success(), "{status}: {said}");
    assert!(said.contains("interrupted") && said.contains("restored: sqs"), "{said}");
    assert_eq!(
        mapping(&session, &mappings, Service::Sqs).await,
        before,
        "restored on SIGINT"
    );
    assert!(
        !env_path("EVENTLAB_OUTPUTS")
            .with_file_name("tune-originals.json")
            .exists()
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn the_experiment_sets_tune_beside_fixed_settings_under_a_rate_step_and_restores_them() {
    let _one = ONE_TUNE_AT_A_TIME.lock().await;
    let (session, mappings) = Box::pin(open()).await;
    let before = mapping(&session, &mappings, Service::Sqs).await;
    let out = env_path("EVENTLAB_OUTPUTS").with_file_name("experiment-test");
    let _ = std::fs::remove_dir_all(&out);
    // A 10 ms target the emulator always misses: tune must act within the busy phase.
    let output = Command::new(env!("CARGO_BIN_EXE_eventlab-bench"))
        .args(["experiment", "--lanes", "sqs", "--profile", "2x4,20x6,2x4"])
        .args(["--target-p99", "10ms", "--interval", "2s", "--window", "2s", "--out"])
        .arg(&out)
        .env("EVENTLAB_OUTPUTS", env_path("EVENTLAB_OUTPUTS"))
        .env("EVENTLAB_CREDENTIALS", env_path("EVENTLAB_CREDENTIALS"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let folder = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    let experiment: eventlab_measure::experiment::Experiment =
        serde_json::from_str(&std::fs::read_to_string(folder.join("experiment.json")).unwrap()).unwrap();
    assert_eq!(experiment.outcomes.len(), 3, "small fixed, large fixed, tune");
    for outcome in &experiment.outcomes {
        assert_eq!(outcome.published, 136, "8 + 120 + 8 events: {outcome:?}");
        assert_eq!(outcome.landed, outcome.published, "{outcome:?}");
        assert!(outcome.invocations > 0 && outcome.usd_per_million > 0.0);
        assert!(outcome.aws.usd_per_million.is_some(), "modelled for AWS too");
        assert_eq!(outcome.windows.len(), 7, "14 s in windows of 2 s");
    }
    let tuned = experiment
        .outcomes
        .iter()
        .find(|o| o.variant == eventlab_measure::experiment::Variant::Tuned)
        .unwrap();
    assert!(
        tuned.settings.len() > 1,
        "tune changed the settings during the load: {:?}",
        experiment.steps
    );
    assert!(
        experiment
            .steps
            .iter()
            .all(|s| s.to == s.to.within(bounds(s.lane).unwrap()))
    );
    assert!(said.contains("tune $") && said.contains("Report: "), "{said}");
    assert_eq!(mapping(&session, &mappings, Service::Sqs).await, before, "restored");
    assert!(
        !env_path("EVENTLAB_OUTPUTS")
            .with_file_name("tune-originals.json")
            .exists()
    );
    let measured = layout::measure_in(&folder, "experiment.html");
    let mut problems = layout::answers_first("experiment.html", &measured, 3);
    problems.extend(layout::overlaps("experiment.html", &measured, 4));
    layout::assert_none(&problems);
    std::fs::remove_dir_all(&out).unwrap();
}
