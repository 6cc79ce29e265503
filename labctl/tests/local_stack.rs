//! End-to-end tests against a deployed stack: the real API Gateway JWT authorizer, the
//! generator and transformer binaries, SQS and S3, as `make test` brings them up on the
//! local emulator (they run unchanged against an AWS deployment).
//!
//! They need `EVENTLAB_OUTPUTS` (terraform output -json) and `EVENTLAB_CREDENTIALS` (the
//! learner's credentials); `make test` sets both.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use eventlab_schema::{LabEvent, ResultRecord, RunId, Service};
use labctl::learner::{self, Credentials};
use labctl::results::{wait_for_error, wait_for_results};
use labctl::stack::Stack;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const RESULT_TIMEOUT: Duration = Duration::from_secs(60);

struct Lab {
    stack: Stack,
    token: String,
    http: reqwest::Client,
    s3: aws_sdk_s3::Client,
}

/// A path from the environment; relative ones are taken from the workspace root, where
/// `make` runs (cargo runs tests from the package folder).
fn env_path(name: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var_os(name).unwrap_or_else(|| {
        panic!("{name} is not set: these tests need a deployed stack; run them with `make test`")
    }));
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

async fn lab() -> Lab {
    let stack = Stack::load(&env_path("EVENTLAB_OUTPUTS")).unwrap();
    let credentials = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap();
    let token = learner::access_token(&stack, &credentials).await.unwrap();
    let s3 = aws_sdk_s3::Client::new(&stack.sdk_config().await);
    Lab {
        stack,
        token,
        http: reqwest::Client::new(),
        s3,
    }
}

impl Lab {
    async fn post(&self, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.stack.route_url(Service::Sqs))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// The token's claims, read without verification (the gateway did that).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// The same token with one character of its signature changed.
fn tamper_signature(token: &str) -> String {
    let (head, signature) = token.rsplit_once('.').unwrap();
    let mut signature = signature.to_owned().into_bytes();
    let middle = signature.len() / 2;
    signature[middle] = if signature[middle] == b'A' {
        b'B'
    } else {
        b'A'
    };
    format!("{head}.{}", String::from_utf8(signature).unwrap())
}

/// The same token with a different `sub` in its payload and the original signature.
fn tamper_payload(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload = claims(token);
    payload["sub"] = json!("someone-else");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&payload).unwrap());
    parts.join(".")
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_with_401() {
    let lab = lab().await;
    let body = json!({ "count": 1 });
    let cases = [
        ("no token", None),
        ("not a JWT", Some("not-a-token".to_owned())),
        ("tampered signature", Some(tamper_signature(&lab.token))),
        ("tampered payload", Some(tamper_payload(&lab.token))),
    ];
    for (case, token) in cases {
        let (status, _) = lab.post(token.as_deref(), &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
    }
}

#[tokio::test]
async fn a_valid_token_publishes_and_every_result_lands_in_s3() {
    let lab = lab().await;
    let run_id: RunId = format!("e2e-ok-{}", Uuid::now_v7().simple())
        .parse()
        .unwrap();
    let (status, body) = lab
        .post(Some(&lab.token), &json!({ "count": 3, "run_id": run_id }))
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["run_id"], run_id.as_str());
    assert_eq!(body["failures"], json!([]));
    let published: HashSet<Uuid> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(published.len(), 3);

    let records = wait_for_results(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::Sqs,
        &run_id,
        &published,
        RESULT_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(records.len(), 3, "each event exactly once: {records:#?}");
    let caller = claims(&lab.token)["sub"].as_str().unwrap().to_owned();
    let mut seqs: Vec<u32> = records.iter().map(|r| r.event.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, [0, 1, 2]);
    for record in &records {
        assert_result_is_consistent(record, &lab.stack);
        assert_eq!(
            record.event.requested_by, caller,
            "the generator records the JWT's sub"
        );
        assert_eq!(record.event.run_id, run_id);
    }
}

fn assert_result_is_consistent(record: &ResultRecord, stack: &Stack) {
    let event = &record.event;
    assert_eq!(event.service, Service::Sqs);
    assert!((1..=1000).contains(&event.id));
    assert!(!event.random_fact.is_empty());
    assert_eq!(
        record.transformed,
        eventlab_transformers::transform::transform(event),
        "as the library transforms it"
    );
    assert_eq!(record.transformer, stack.functions["transform-sqs"]);
    assert!(record.batch_size >= 1);
    assert_eq!(record.attempt, 1);
    assert!(
        record.received_at >= event.time && record.e2e_ms >= 0.0,
        "{record:?}"
    );
}

#[tokio::test]
async fn bad_requests_get_a_4xx_with_a_json_error() {
    let lab = lab().await;
    let cases = [
        (json!({ "count": 0 }), "count must be between 1 and 500"),
        (json!({ "count": 501 }), "count must be between 1 and 500"),
        (json!({ "count": 1, "colour": "red" }), "unknown field"),
        (json!({ "run_id": "no/slashes" }), "run_id must be"),
        (json!([1, 2, 3]), "body must be a JSON object"),
    ];
    for (body, message) in cases {
        let (status, answer) = lab.post(Some(&lab.token), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no JSON error for {body}: {answer}"));
        assert!(
            error.contains(message),
            "{error:?} should contain {message:?}"
        );
    }

    let response = lab
        .http
        .get(lab.stack.route_url(Service::Sqs))
        .bearer_auth(&lab.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let answer: Value = response.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("use POST"));
}

#[tokio::test]
async fn a_malformed_message_lands_in_errors_and_its_batch_neighbours_land() {
    let lab = lab().await;
    let sqs = aws_sdk_sqs::Client::new(&lab.stack.sdk_config().await);
    let run_id: RunId = format!("e2e-mixed-{}", Uuid::now_v7().simple())
        .parse()
        .unwrap();
    let good: Vec<LabEvent> = (0..2)
        .map(|seq| {
            let mut event =
                LabEvent::from_json(include_bytes!("../../schema/tests/fixtures/event.json"))
                    .unwrap();
            event.run_id = run_id.clone();
            event.seq = seq;
            event.event_id = Uuid::now_v7();
            event.time = chrono::Utc::now();
            event
        })
        .collect();
    let bodies = [
        good[0].to_json(),
        format!("{{\"run_id\": \"{run_id}\", \"oops\": true}}"),
        good[1].to_json(),
    ];
    let entries = bodies.iter().enumerate().map(|(i, body)| {
        aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
            .id(i.to_string())
            .message_body(body)
            .build()
            .unwrap()
    });
    // One request, so the three messages travel together.
    let sent = sqs
        .send_message_batch()
        .queue_url(&lab.stack.sqs_queue_url)
        .set_entries(Some(entries.collect()))
        .send()
        .await
        .unwrap();
    assert!(sent.failed().is_empty());
    let malformed_id = sent
        .successful()
        .iter()
        .find(|entry| entry.id() == "1")
        .unwrap()
        .message_id()
        .to_owned();

    let error = wait_for_error(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::Sqs,
        &malformed_id,
        RESULT_TIMEOUT,
    )
    .await
    .unwrap();
    assert!(error.reason.starts_with("not a lab event"), "{error:?}");
    assert_eq!(error.raw, bodies[1]);
    assert_eq!(error.transformer, lab.stack.functions["transform-sqs"]);

    let expected: HashSet<Uuid> = good.iter().map(|e| e.event_id).collect();
    let records = wait_for_results(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::Sqs,
        &run_id,
        &expected,
        RESULT_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_result_is_consistent(record, &lab.stack);
    }
}
