//! `eventlab-bench watch` against a deployed stack (`make test` brings one up on the local
//! emulator): the incremental bucket reader on a bucket of its own, and the page in a real
//! headless Chromium while a small bench runs.

mod common;

use common::{Stopped, env_path};

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use eventlab_bench::session::Session;
use eventlab_bench::watch::Watcher;
use eventlab_bench::watch::board::InFlightBasis;
use eventlab_bench::watch::bucket::BucketReader;
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

/// Headless Chromium driven over the `DevTools` protocol on a pipe (`--remote-debugging-pipe`:
/// JSON messages separated by NUL on file descriptors 3 and 4), so no port is opened.
struct Browser {
    _process: Stopped,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    next_id: u64,
    session: Option<String>,
}

impl Browser {
    fn launch() -> Self {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
        // The DevTools pipe is fds 3 (in) and 4 (out): the shell maps our stdin and stdout
        // there. --no-sandbox: the tests may run as root, where Chromium's sandbox refuses
        // to start; the page is the test's own, on 127.0.0.1.
        let script = format!(
            "exec {chromium} --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
             --window-size=1400,1150 --remote-debugging-pipe about:blank 3<&0 4>&1 1>/dev/null 2>/dev/null"
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting chromium (make test installs it)");
        let to = child.stdin.take().unwrap();
        let from = BufReader::new(child.stdout.take().unwrap());
        Self {
            _process: Stopped(child),
            to,
            from,
            next_id: 0,
            session: None,
        }
    }

    /// Sends one command and waits for its answer, skipping the events in between.
    fn call(&mut self, method: &str, params: &Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        self.to.flush().unwrap();
        loop {
            let mut raw = Vec::new();
            let read = self.from.read_until(0, &mut raw).unwrap();
            assert!(read > 0, "chromium closed the DevTools pipe during {method}");
            raw.pop();
            let answer: Value = serde_json::from_slice(&raw).unwrap();
            if answer["id"] == json!(id) {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", &json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            &json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
    }

    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            &json!({"expression": expression, "returnByValue": true}),
        );
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    fn screenshot(&mut self, path: &Path) {
        use base64::Engine as _;
        let shot = self.call("Page.captureScreenshot", &json!({"format": "png"}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}

/// Every lane card's counters, as the page shows them (`data-value` of each field).
const READ_COUNTERS: &str = r#"JSON.stringify(Object.fromEntries(
  [...document.querySelectorAll("[data-lane]")].map(lane => [lane.dataset.lane,
    Object.fromEntries([...lane.querySelectorAll("[data-field]")].map(f => [f.dataset.field, f.dataset.value]))])))"#;

fn counter(page: &Value, lane: Service, field: &str) -> u64 {
    page[lane.as_str()][field]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A `make` target run from the repository root, as the README gives it, in a process
/// group of its own so that stopping it stops the watch `make` started, too.
struct MakeTarget {
    make: Child,
    stdout: BufReader<ChildStdout>,
}

impl MakeTarget {
    fn start(args: &[&str]) -> Self {
        use std::os::unix::process::CommandExt as _;
        let mut make = Command::new("make")
            .args(["-s", "--no-print-directory"])
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .env("EVENTLAB_OUTPUTS", env_path("EVENTLAB_OUTPUTS"))
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let stdout = BufReader::new(make.stdout.take().unwrap());
        Self { make, stdout }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line).unwrap();
        assert!(read > 0, "the make target ended");
        line
    }
}

impl Drop for MakeTarget {
    fn drop(&mut self) {
        let group = format!("-{}", self.make.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.make.wait();
    }
}

/// Starts `make watch` on a free port; its URL.
fn start_watch() -> (MakeTarget, String) {
    let mut watch = MakeTarget::start(&["watch", "WATCH_PORT=0", "WATCH_ARGS=--poll-ms 500"]);
    let line = watch.line();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (watch, url)
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

async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(b"{}\n".to_vec().into())
        .send()
        .await
        .unwrap();
}

fn keys(objects: &[eventlab_bench::watch::bucket::NewObject]) -> Vec<&str> {
    let mut keys: Vec<&str> = objects.iter().map(|o| o.key.as_str()).collect();
    keys.sort_unstable();
    keys
}

/// Polls until `reader` returns `want` objects (S3 sends its notices asynchronously).
async fn poll_for(reader: &mut BucketReader, want: usize) -> Vec<eventlab_bench::watch::bucket::NewObject> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while got.len() < want && Instant::now() < deadline {
        got.extend(reader.poll(Utc::now()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    got
}

/// A bucket that notifies a queue of every object created, as the stack's results bucket
/// does, both the test's own.
async fn notifying_bucket(config: &aws_config::SdkConfig) -> (String, String) {
    use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};

    let (s3, sqs) = (aws_sdk_s3::Client::new(config), aws_sdk_sqs::Client::new(config));
    let name = format!("watch-reader-{}", &uuid::Uuid::now_v7().simple().to_string()[16..]);
    s3.create_bucket().bucket(&name).send().await.unwrap();
    let queue = sqs.create_queue().queue_name(&name).send().await.unwrap();
    let url = queue.queue_url().unwrap().to_owned();
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    let notify = QueueConfiguration::builder()
        .queue_arn(arn)
        .events(Event::S3ObjectCreated)
        .build()
        .unwrap();
    s3.put_bucket_notification_configuration()
        .bucket(&name)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(notify)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (name, url)
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn the_reader_returns_each_new_object_once_from_the_buckets_notices() {
    let stack = stack();
    let config = eventlab_client::stack::sdk_config(&stack).await;
    let (s3, sqs) = (aws_sdk_s3::Client::new(&config), aws_sdk_sqs::Client::new(&config));
    // A bucket and queue of their own, removed at the end: the reader must not depend on the lab's.
    let (bucket, queue) = notifying_bucket(&config).await;
    put(&s3, &bucket, "results/sqs/before-1.jsonl").await;
    put(&s3, &bucket, "results/sqs/before-2.jsonl").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut reader = BucketReader::new(s3.clone(), sqs.clone(), &bucket, &queue, Utc::now()).retry_after(2);
    for key in [
        "results/kinesis/a.jsonl",
        "results/sqs/b.jsonl",
        "errors/sqs/rejected/c.jsonl",
    ] {
        put(&s3, &bucket, key).await;
    }
    let fresh = poll_for(&mut reader, 3).await;
    assert_eq!(
        keys(&fresh),
        [
            "errors/sqs/rejected/c.jsonl",
            "results/kinesis/a.jsonl",
            "results/sqs/b.jsonl"
        ],
        "the objects created before the reader began are not returned"
    );
    // One is not handled (a failed read): its notice comes back, the others do not.
    for object in fresh.iter().filter(|o| !o.key.contains("kinesis")) {
        reader.mark_read(object);
    }
    put(&s3, &bucket, "results/sqs/d.jsonl").await;
    let again = poll_for(&mut reader, 2).await;
    assert_eq!(keys(&again), ["results/kinesis/a.jsonl", "results/sqs/d.jsonl"]);
    for object in &again {
        reader.mark_read(object);
    }
    // A notice sent twice (S3 may) is returned once.
    let body = serde_json::json!({"Records": [{"eventName": "ObjectCreated:Put", "eventTime": Utc::now(),
        "s3": {"object": {"key": "results/sqs/d.jsonl"}}}]});
    sqs.send_message()
        .queue_url(&queue)
        .message_body(body.to_string())
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        reader.poll(Utc::now()).await.unwrap().is_empty(),
        "nothing new, nothing returned"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        reader.poll(Utc::now()).await.unwrap().is_empty(),
        "every notice handled was deleted: none comes back"
    );
    assert_eq!(reader.get("results/sqs/d.jsonl").await.unwrap(), b"{}\n");

    // The queue goes away under the watch: an error that says so, for the page.
    sqs.delete_queue().queue_url(&queue).send().await.unwrap();
    let error = format!("{:#}", reader.poll(Utc::now()).await.unwrap_err());
    assert!(error.contains(&queue), "{error}");

    let mut gone = stack.clone();
    gone.results_created_queue_url = Some(queue.clone());
    let mut watcher = Watcher::connect(&gone, Utc::now(), Duration::from_millis(500))
        .await
        .unwrap();
    let snapshot = watcher.poll().await;
    assert!(
        snapshot
            .problems
            .iter()
            .any(|p| p.starts_with("results bucket:") && p.contains(&queue)),
        "{:?}",
        snapshot.problems
    );
    assert_eq!(
        snapshot.lanes.len(),
        Service::ALL.len(),
        "the other sources still count"
    );
    let mut listed = s3.list_objects_v2().bucket(&bucket).into_paginator().send();
    while let Some(page) = listed.next().await {
        for object in page.unwrap().contents() {
            s3.delete_object()
                .bucket(&bucket)
                .key(object.key().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    s3.delete_bucket().bucket(&bucket).send().await.unwrap();

    // A stack applied before the notices existed: one line that says what to do.
    let mut old = stack.clone();
    old.results_created_queue_url = None;
    let error = Watcher::connect(&old, Utc::now(), Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("apply it again"), "{error}");
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
