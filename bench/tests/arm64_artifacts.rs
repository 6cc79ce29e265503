//! The arm64 zips every learner deploys, proven on this x86-64 machine: each `bootstrap` is
//! started under `qemu-aarch64-static` (no binfmt registration) against the Lambda Runtime
//! API this test serves on 127.0.0.1, with the test stack's emulator as its AWS. The
//! generator's INIT reads its targets from SSM and one request publishes events that land
//! in S3; each transformer answers one valid and one malformed record in its lane's shape.
//!
//! `make test` builds the zips (`make zips-aws`), sets `EVENTLAB_ARM64_ZIPS` and runs these
//! ignored tests; a plain `cargo test` lists them as ignored, with the reason.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use eventlab_bench::runtime_api::{Outcome, RuntimeApi};
use eventlab_client::stack::Stack;
use eventlab_schema::switches::LANE_VARIABLE;
use eventlab_schema::{FactSource, LabEvent, RunId, Service};
use serde_json::{Value, json};

/// The most a zip may weigh: Rust Lambdas this small start fast and upload quickly.
const MAX_ZIP_BYTES: u64 = 8_000_000;
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The zips folder: this proof runs only when asked for (it is `#[ignore]`d otherwise).
fn zips() -> PathBuf {
    let dir = std::env::var("EVENTLAB_ARM64_ZIPS").expect(
        "EVENTLAB_ARM64_ZIPS is not set: run `make zips-aws`, then set EVENTLAB_ARM64_ZIPS=dist/aws (make test does)",
    );
    repo(&dir)
}

/// A function started under qemu; killed when dropped.
struct Function {
    child: Child,
    _dir: tempdir::Dir,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempdir {
    /// A folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Unzips `<name>.zip`, checks what it holds, and starts its `bootstrap` under qemu.
fn start(zips: &Path, name: &str, api: &RuntimeApi, stack: &Stack, extra_env: &[(&str, &str)]) -> Function {
    let zip = zips.join(format!("{name}.zip"));
    let size = std::fs::metadata(&zip)
        .unwrap_or_else(|e| panic!("{}: {e}; build it with `make zips-aws`", zip.display()))
        .len();
    println!("{name}.zip: {size} bytes");
    assert!(
        size <= MAX_ZIP_BYTES,
        "{name}.zip is {size} bytes, above {MAX_ZIP_BYTES}"
    );

    let dir = std::env::temp_dir().join(format!("eventlab-arm64-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(&zip)
        .arg("-d")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(unzip.success(), "unzip {}", zip.display());
    let bootstrap = dir.join("bootstrap");
    let file = Command::new("file")
        .arg(&bootstrap)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if let Ok(description) = file {
        assert!(description.contains("aarch64"), "{description}");
    }

    let endpoint = stack.endpoint_url.clone().expect("the test stack is an emulator");
    // The aarch64 glibc that provided.al2023 has, from Debian's libc6-arm64-cross.
    let sysroot = std::env::var("EVENTLAB_ARM64_SYSROOT").unwrap_or_else(|_| "/usr/aarch64-linux-gnu".to_owned());
    assert!(
        Path::new(&sysroot).join("lib/ld-linux-aarch64.so.1").exists(),
        "no aarch64 glibc under {sysroot}: apt-get install libc6-arm64-cross libgcc-s1-arm64-cross (make qemu does)"
    );
    let mut command = Command::new("qemu-aarch64-static");
    command
        .arg("-L")
        .arg(&sysroot)
        .arg(&bootstrap)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", format!("arm64-proof-{name}"))
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/arm64-proof-{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "proof")
        .env("AWS_REGION", &stack.region)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", endpoint)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let child = command
        .spawn()
        .expect("qemu-aarch64-static is missing: apt-get install qemu-user-static (make test does)");
    Function {
        child,
        _dir: tempdir::Dir(dir),
    }
}

/// Hands `event` to the function; a function that died says so instead of timing out.
async fn invoke(api: &RuntimeApi, function: &mut Function, event: Value) -> Value {
    match api.invoke(event, ANSWER_WITHIN).await {
        Ok(outcome) => response(outcome),
        Err(err) => panic!("{err}; the process: {:?}", function.child.try_wait()),
    }
}

fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response { body, .. } => body,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn lab_event(service: Service, run_id: &RunId) -> LabEvent {
    LabEvent {
        time: Utc::now(),
        id: 7,
        service,
        random_fact: "Arm64 binaries run under qemu on x86_64 hosts.".to_owned(),
        event_id: uuid::Uuid::now_v7(),
        run_id: run_id.clone(),
        seq: 0,
        fact_source: FactSource::Fallback,
        requested_by: "arm64-proof".to_owned(),
        padding: String::new(),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn test_stack() -> Stack {
    let outputs =
        std::env::var("EVENTLAB_OUTPUTS").expect("EVENTLAB_OUTPUTS: the arm64 proof runs against the test stack");
    Stack::load(&repo(&outputs)).unwrap()
}

async fn objects_under(stack: &Stack, prefix: &str) -> usize {
    let s3 = aws_sdk_s3::Client::new(&eventlab_client::stack::sdk_config(stack).await);
    let listed = s3
        .list_objects_v2()
        .bucket(&stack.results_bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed.contents().len()
}

#[tokio::test]
#[ignore = "needs the arm64 zips and the test stack: `make test` builds and deploys both"]
async fn the_generator_zip_reads_ssm_at_init_and_publishes_events_that_land() {
    let zips = zips();
    let stack = test_stack();
    let api = RuntimeApi::start().await.unwrap();
    let mut generator = start(
        &zips,
        "generator",
        &api,
        &stack,
        &[
            ("EVENTLAB_PARAMETER_PREFIX", &stack.parameter_prefix),
            ("FACTS_BASE_URL", "http://127.0.0.1:9"),
        ],
    );
    let run_id = RunId::generate();
    let request = json!({
        "version": "2.0",
        "routeKey": "ANY /sqs",
        "rawPath": "/sqs",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "000000000000", "apiId": "arm64proof", "domainName": "arm64proof.local",
            "domainPrefix": "arm64proof", "requestId": "proof-1", "routeKey": "ANY /sqs",
            "stage": "$default", "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "arm64-proof"}, "scopes": null}},
            "http": {"method": "POST", "path": "/sqs", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "arm64-proof"}
        },
        "body": json!({"count": 2, "run_id": run_id.as_str()}).to_string(),
        "isBase64Encoded": false
    });
    let answer = invoke(&api, &mut generator, request).await;
    assert!(api.first_next().is_some(), "INIT never reached the runtime loop");
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    let published = body["lanes"][0]["events"].as_array().unwrap();
    assert_eq!(published.len(), 2, "{body}");
    assert_eq!(body["lanes"][0]["service"], "sqs");

    // The test stack's SQS lane carries them to S3: the arm64 generator really published.
    let expected = published
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().parse().unwrap())
        .collect();
    let s3 = aws_sdk_s3::Client::new(&eventlab_client::stack::sdk_config(&stack).await);
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
    assert_eq!(landed.len(), 2);
}

#[tokio::test]
#[ignore = "needs the arm64 zips and the test stack: `make test` builds and deploys both"]
async fn each_transformer_zip_answers_a_valid_and_a_malformed_record_in_its_lanes_shape() {
    let zips = zips();
    let stack = test_stack();
    // Every transformer function runs transform.zip; EVENTLAB_LANE names its lane.
    let env = |service: Service| {
        [
            ("RESULTS_BUCKET", stack.results_bucket.as_str()),
            (LANE_VARIABLE, service.as_str()),
        ]
    };

    // SQS and Kinesis: the malformed record is kept aside, not retried; the valid one lands.
    for (name, service) in [("transform-sqs", Service::Sqs), ("transform-kinesis", Service::Kinesis)] {
        let api = RuntimeApi::start().await.unwrap();
        let mut function = start(&zips, "transform", &api, &stack, &env(service));
        let run_id = RunId::generate();
        let valid = lab_event(service, &run_id).to_json();
        let event = if service == Service::Sqs {
            let record = |id: &str, body: &str| {
                json!({
                    "messageId": id, "receiptHandle": "r", "body": body, "md5OfBody": "",
                    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795000000000",
                                   "SenderId": "proof", "ApproximateFirstReceiveTimestamp": "1795000000000"},
                    "messageAttributes": {}, "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:proof", "awsRegion": "us-east-1"
                })
            };
            json!({"Records": [record("m-valid", &valid), record("m-malformed", "not an event")]})
        } else {
            let record = |seq: &str, data: &[u8]| {
                json!({
                    "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "7", "sequenceNumber": seq,
                                "data": b64(data), "approximateArrivalTimestamp": 1_795_000_000.0},
                    "eventSource": "aws:kinesis", "eventVersion": "1.0",
                    "eventID": format!("shardId-000000000000:{seq}"), "eventName": "aws:kinesis:record",
                    "invokeIdentityArn": "arn:aws:iam::000000000000:role/proof", "awsRegion": "us-east-1",
                    "eventSourceARN": "arn:aws:kinesis:us-east-1:000000000000:stream/proof"
                })
            };
            json!({"Records": [record("1", valid.as_bytes()), record("2", b"not an event")]})
        };
        let answer = invoke(&api, &mut function, event).await;
        assert_eq!(answer, json!({"batchItemFailures": []}), "{name}");
        let prefix = format!("results/{}/{}/", service.as_str(), run_id.as_str());
        assert_eq!(
            objects_under(&stack, &prefix).await,
            1,
            "{name} wrote no result under {prefix}"
        );
    }

    // Firehose: the processor marks each record Ok or ProcessingFailed, keeping its id.
    let api = RuntimeApi::start().await.unwrap();
    let mut function = start(&zips, "transform", &api, &stack, &env(Service::Firehose));
    let valid = lab_event(Service::Firehose, &RunId::generate()).to_json();
    let event = json!({
        "invocationId": "proof", "region": "us-east-1",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/proof",
        "records": [
            {"recordId": "r-valid", "approximateArrivalTimestamp": 1_795_000_000_000_i64, "data": b64(valid.as_bytes())},
            {"recordId": "r-malformed", "approximateArrivalTimestamp": 1_795_000_000_000_i64, "data": b64(b"not an event")}
        ]
    });
    let answer = invoke(&api, &mut function, event).await;
    let records = answer["records"].as_array().unwrap();
    let results: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["recordId"].as_str().unwrap(), r["result"].as_str().unwrap()))
        .collect();
    assert_eq!(results, [("r-valid", "Ok"), ("r-malformed", "ProcessingFailed")]);
    let transformed = base64::engine::general_purpose::STANDARD
        .decode(records[0]["data"].as_str().unwrap())
        .unwrap();
    assert!(
        String::from_utf8_lossy(&transformed).contains("\"fact_word_count\""),
        "the Ok record carries the result"
    );

    // EventBridge: once per event; a malformed detail is kept aside and the invocation succeeds.
    let api = RuntimeApi::start().await.unwrap();
    let mut function = start(&zips, "transform", &api, &stack, &env(Service::EventBridge));
    let run_id = RunId::generate();
    let envelope = |detail: Value| {
        json!({
            "version": "0", "id": uuid::Uuid::now_v7().to_string(), "detail-type": "lab-event", "source": "eventlab",
            "account": "000000000000", "time": "2026-11-23T10:00:00Z", "region": "us-east-1",
            "resources": [], "detail": detail
        })
    };
    let valid: Value = serde_json::from_str(&lab_event(Service::EventBridge, &run_id).to_json()).unwrap();
    let answer = invoke(&api, &mut function, envelope(valid)).await;
    assert_eq!(
        (answer["written"].as_u64(), answer["rejected"].as_u64()),
        (Some(1), Some(0)),
        "{answer}"
    );
    let answer = invoke(&api, &mut function, envelope(json!({"not": "an event"}))).await;
    assert_eq!(
        (answer["written"].as_u64(), answer["rejected"].as_u64()),
        (Some(0), Some(1)),
        "{answer}"
    );
    let prefix = format!("results/eventbridge/{}/", run_id.as_str());
    assert_eq!(
        objects_under(&stack, &prefix).await,
        1,
        "no EventBridge result under {prefix}"
    );
}
