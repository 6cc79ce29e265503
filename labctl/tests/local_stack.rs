//! End-to-end tests against a deployed stack: the real API Gateway JWT authorizer, the
//! generator and transformer binaries, EventBridge, SQS, Kinesis, Firehose and S3, as
//! `make test` brings them up on the local emulator (they run unchanged against AWS).
//!
//! They need `EVENTLAB_OUTPUTS` (terraform output -json) and `EVENTLAB_CREDENTIALS` (the
//! learner's credentials); `make test` sets both.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use eventlab_client::api::Api;
use eventlab_client::learner::{self, Credentials};
use eventlab_client::results::{wait_for_error, wait_for_results};
use eventlab_client::stack::Stack;
use eventlab_schema::api::{GenerateRequest, GenerateResponse};
use eventlab_schema::{EVENTBRIDGE_DETAIL_TYPE, EVENTBRIDGE_SOURCE, LabEvent, ResultRecord, RunId, Service};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const RESULT_TIMEOUT: Duration = Duration::from_secs(90);
const ROUTES: [&str; 8] = [
    "eventbridge",
    "sqs",
    "kinesis",
    "firehose",
    "sns",
    "sqs-fifo",
    "dynamodb",
    "all",
];

struct Lab {
    stack: Stack,
    token: String,
    api: Api,
    config: aws_config::SdkConfig,
    s3: aws_sdk_s3::Client,
}

/// A path from the environment; relative ones are taken from the workspace root, where
/// `make` runs (cargo runs tests from the package folder).
fn env_path(name: &str) -> PathBuf {
    let path =
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| {
            panic!("{name} is not set: these tests need a deployed stack; run them with `make test`")
        }));
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

async fn lab() -> Lab {
    let stack = Stack::load(&env_path("EVENTLAB_OUTPUTS")).unwrap();
    let credentials = Credentials::load(&env_path("EVENTLAB_CREDENTIALS")).unwrap();
    let token = learner::access_token(&stack, &credentials).await.unwrap();
    let config = eventlab_client::stack::sdk_config(&stack).await;
    Lab {
        api: Api::new(&stack),
        s3: aws_sdk_s3::Client::new(&config),
        config,
        stack,
        token,
    }
}

fn run_id(label: &str) -> RunId {
    format!("e2e-{label}-{}", Uuid::now_v7().simple()).parse().unwrap()
}

impl Lab {
    async fn post(&self, route: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.api.call(Method::POST, route, token, Some(body)).await.unwrap()
    }

    async fn results(&self, service: Service, run_id: &RunId, expected: &HashSet<Uuid>) -> Vec<ResultRecord> {
        wait_for_results(
            &self.s3,
            &self.stack.results_bucket,
            service,
            run_id,
            expected,
            RESULT_TIMEOUT,
        )
        .await
        .unwrap()
    }

    /// Checks what a transformer wrote for `service`: every field consistent, the right function.
    fn assert_consistent(&self, record: &ResultRecord, service: Service) {
        let event = &record.event;
        assert_eq!(event.service, service);
        assert!((1..=1000).contains(&event.id));
        assert!(!event.random_fact.is_empty());
        assert_eq!(
            record.transformed,
            eventlab_transformers::transform::transform(event),
            "as the library does it"
        );
        assert_eq!(
            record.transformer,
            self.stack.functions[&format!("transform-{service}")]
        );
        assert!(record.batch_size >= 1);
        assert_eq!(record.attempt, 1);
        assert!(record.received_at >= event.time && record.e2e_ms >= 0.0, "{record:?}");
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
    signature[middle] = if signature[middle] == b'A' { b'B' } else { b'A' };
    format!("{head}.{}", String::from_utf8(signature).unwrap())
}

/// The same token with a different `sub` in its payload and the original signature.
fn tamper_payload(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload = claims(token);
    payload["sub"] = json!("someone-else");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    parts.join(".")
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn every_route_refuses_requests_without_a_valid_token_with_401() {
    let lab = lab().await;
    let cases = [
        ("no token", None),
        ("not a JWT", Some("not-a-token".to_owned())),
        ("tampered signature", Some(tamper_signature(&lab.token))),
        ("tampered payload", Some(tamper_payload(&lab.token))),
    ];
    for route in ROUTES {
        for (case, token) in &cases {
            let (status, _) = lab.post(route, token.as_deref(), &json!({ "count": 1 })).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{route}: {case}");
        }
    }
}

/// Publishes `count` events through `route` and checks every lane's results in S3.
async fn assert_route_delivers(route: &str, count: u32) {
    let lab = lab().await;
    let run_id = run_id(route);
    let request = GenerateRequest {
        count: Some(count),
        run_id: Some(run_id.clone()),
        size_bytes: None,
    };
    let response: GenerateResponse = lab.api.generate(route, &lab.token, &request).await.unwrap();

    assert_eq!(response.run_id, run_id);
    let services: Vec<Service> = response.lanes.iter().map(|lane| lane.service).collect();
    let expected_services = if route == "all" {
        Service::ALL.to_vec()
    } else {
        vec![route.parse().unwrap()]
    };
    assert_eq!(services, expected_services);
    let caller = claims(&lab.token)["sub"].as_str().unwrap().to_owned();

    for lane in &response.lanes {
        assert!(lane.failures.is_empty(), "{:?}", lane.failures);
        let published: HashSet<Uuid> = lane.events.iter().map(|e| e.event_id).collect();
        assert_eq!(published.len(), count as usize);
        let records = lab.results(lane.service, &run_id, &published).await;
        assert_eq!(
            records.len(),
            count as usize,
            "{}: each event exactly once: {records:#?}",
            lane.service
        );
        let mut seqs: Vec<u32> = records.iter().map(|r| r.event.seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (0..count).collect::<Vec<_>>());
        for record in &records {
            lab.assert_consistent(record, lane.service);
            assert_eq!(record.event.requested_by, caller, "the generator records the JWT's sub");
        }
    }
    if route == "all" {
        // The same events went to every service: one set of event ids across the lanes.
        let ids: HashSet<Vec<Uuid>> = response
            .lanes
            .iter()
            .map(|lane| lane.events.iter().map(|e| e.event_id).collect())
            .collect();
        assert_eq!(ids.len(), 1);
    }
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn eventbridge_route_delivers_every_event_to_s3() {
    assert_route_delivers("eventbridge", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sqs_route_delivers_every_event_to_s3() {
    assert_route_delivers("sqs", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn kinesis_route_delivers_every_event_to_s3() {
    assert_route_delivers("kinesis", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn firehose_route_delivers_every_event_to_s3() {
    assert_route_delivers("firehose", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sns_route_delivers_every_event_to_s3() {
    assert_route_delivers("sns", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sqs_fifo_route_delivers_every_event_to_s3() {
    assert_route_delivers("sqs-fifo", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn dynamodb_route_delivers_every_event_to_s3() {
    assert_route_delivers("dynamodb", 3).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn all_route_delivers_the_same_events_through_every_service() {
    assert_route_delivers("all", 2).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn bad_requests_get_a_4xx_with_a_json_error() {
    let lab = lab().await;
    let cases = [
        (json!({ "count": 0 }), "count must be between 1 and 500"),
        (json!({ "count": 501 }), "count must be between 1 and 500"),
        (json!({ "count": 1, "colour": "red" }), "unknown field"),
        (json!({ "run_id": "no/slashes" }), "run_id must be"),
        (json!([1, 2, 3]), "body must be a JSON object"),
    ];
    for route in ROUTES {
        for (body, message) in &cases {
            let (status, answer) = lab.post(route, Some(&lab.token), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{route} {body}");
            let error = answer["error"]
                .as_str()
                .unwrap_or_else(|| panic!("no JSON error for {body}: {answer}"));
            assert!(error.contains(message), "{error:?} should contain {message:?}");
        }
        let (status, answer) = lab
            .api
            .call(Method::GET, route, Some(&lab.token), None::<&Value>)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "GET /{route}");
        assert!(answer["error"].as_str().unwrap().contains("use POST"));
    }
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn an_event_too_large_for_a_service_gets_413_and_nothing_is_published() {
    let lab = lab().await;
    let run_id = run_id("oversized");
    // One byte over Firehose's 1,000 KiB record limit; within the other services' limits.
    let oversized = json!({ "size_bytes": 1000 * 1024 + 1, "run_id": run_id });
    for route in ["firehose", "all"] {
        let (status, answer) = lab.post(route, Some(&lab.token), &oversized).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{route}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("too large for firehose"),
            "{answer}"
        );
    }

    // A marker event of the same run through every lane: behind it, nothing else arrives.
    let marker = GenerateRequest {
        count: Some(1),
        run_id: Some(run_id.clone()),
        size_bytes: None,
    };
    let response = lab.api.generate("all", &lab.token, &marker).await.unwrap();
    for lane in &response.lanes {
        let expected: HashSet<Uuid> = lane.events.iter().map(|e| e.event_id).collect();
        let records = lab.results(lane.service, &run_id, &expected).await;
        assert_eq!(records.len(), 1, "{}: only the marker of run {run_id}", lane.service);
    }
}

/// Two good events of a fresh run for `service`, and a malformed payload with a unique marker.
fn mixed_batch(service: Service) -> (RunId, Vec<LabEvent>, String) {
    let run_id = run_id(&format!("mixed-{service}"));
    let good = (0..2)
        .map(|seq| {
            let mut event = LabEvent::from_json(include_bytes!("../../schema/tests/fixtures/event.json")).unwrap();
            event.service = service;
            event.run_id = run_id.clone();
            event.seq = seq;
            event.event_id = Uuid::now_v7();
            event.time = chrono::Utc::now();
            event
        })
        .collect();
    let malformed = json!({ "run_id": run_id, "marker": Uuid::now_v7(), "oops": true }).to_string();
    (run_id, good, malformed)
}

/// The malformed record is in `errors/<service>/rejected/`, and its good neighbours landed.
async fn assert_rejected_alone(lab: &Lab, service: Service, run_id: &RunId, good: &[LabEvent], malformed: &str) {
    let error = wait_for_error(
        &lab.s3,
        &lab.stack.results_bucket,
        service,
        |e| e.raw.trim_end() == malformed,
        RESULT_TIMEOUT,
    )
    .await
    .unwrap();
    assert!(error.reason.starts_with("not a lab event"), "{error:?}");
    assert_eq!(error.transformer, lab.stack.functions[&format!("transform-{service}")]);

    let expected: HashSet<Uuid> = good.iter().map(|e| e.event_id).collect();
    let records = lab.results(service, run_id, &expected).await;
    assert_eq!(records.len(), 2);
    for record in &records {
        lab.assert_consistent(record, service);
    }
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sqs_a_malformed_message_fails_alone() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::Sqs);
    let bodies = [good[0].to_json(), malformed.clone(), good[1].to_json()];
    let entries = bodies.iter().enumerate().map(|(i, body)| {
        aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
            .id(i.to_string())
            .message_body(body)
            .build()
            .unwrap()
    });
    // One request, so the three messages travel together.
    let sqs = aws_sdk_sqs::Client::new(&lab.config);
    let sent = sqs
        .send_message_batch()
        .queue_url(&lab.stack.sqs_queue_url)
        .set_entries(Some(entries.collect()));
    let sent = sent.send().await.unwrap();
    assert!(sent.failed().is_empty());
    assert_rejected_alone(&lab, Service::Sqs, &run_id, &good, &malformed).await;

    let message_id = sent
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
        |e| e.raw == malformed,
        RESULT_TIMEOUT,
    );
    assert_eq!(
        error.await.unwrap().record_id,
        message_id,
        "reported by its SQS message id"
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn kinesis_a_malformed_record_fails_alone() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::Kinesis);
    let records = [good[0].to_json(), malformed.clone(), good[1].to_json()].map(|data| {
        // One partition key: one shard, one ordered batch.
        aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
            .data(aws_sdk_kinesis::primitives::Blob::new(data))
            .partition_key(run_id.as_str())
            .build()
            .unwrap()
    });
    let kinesis = aws_sdk_kinesis::Client::new(&lab.config);
    let put = kinesis
        .put_records()
        .stream_name(&lab.stack.kinesis_stream_name)
        .set_records(Some(records.to_vec()));
    let put = put.send().await.unwrap();
    assert_eq!(put.failed_record_count(), Some(0));
    assert_rejected_alone(&lab, Service::Kinesis, &run_id, &good, &malformed).await;

    let sequence = put.records()[1].sequence_number().unwrap().to_owned();
    let error = wait_for_error(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::Kinesis,
        |e| e.raw == malformed,
        RESULT_TIMEOUT,
    );
    assert_eq!(
        error.await.unwrap().record_id,
        sequence,
        "reported by its sequence number"
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn eventbridge_a_malformed_event_fails_alone() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::EventBridge);
    let entries = [good[0].to_json(), malformed.clone(), good[1].to_json()].map(|detail| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name(&lab.stack.eventbridge_bus_name)
            .source(EVENTBRIDGE_SOURCE)
            .detail_type(EVENTBRIDGE_DETAIL_TYPE)
            .detail(detail)
            .build()
    });
    let eventbridge = aws_sdk_eventbridge::Client::new(&lab.config);
    let put = eventbridge
        .put_events()
        .set_entries(Some(entries.to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count(), 0);

    // EventBridge hands the transformer the detail as JSON: compare parsed, not as text.
    let wanted: Value = serde_json::from_str(&malformed).unwrap();
    let error = wait_for_error(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::EventBridge,
        |e| serde_json::from_str::<Value>(&e.raw).is_ok_and(|raw| raw == wanted),
        RESULT_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(
        error.record_id,
        put.entries()[1].event_id().unwrap(),
        "reported by its event id"
    );
    let canonical = serde_json::to_string(&wanted).unwrap();
    assert_rejected_alone(&lab, Service::EventBridge, &run_id, &good, &canonical).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn firehose_a_malformed_record_fails_alone() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::Firehose);
    let records = [good[0].to_json(), malformed.clone(), good[1].to_json()].map(|data| {
        aws_sdk_firehose::types::Record::builder()
            .data(aws_sdk_firehose::primitives::Blob::new(format!("{data}\n")))
            .build()
            .unwrap()
    });
    let firehose = aws_sdk_firehose::Client::new(&lab.config);
    let put = firehose
        .put_record_batch()
        .delivery_stream_name(&lab.stack.firehose_stream_name);
    let put = put.set_records(Some(records.to_vec())).send().await.unwrap();
    assert_eq!(put.failed_put_count(), 0);
    assert_rejected_alone(&lab, Service::Firehose, &run_id, &good, &malformed).await;
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sns_a_malformed_message_fails_alone() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::Sns);
    let entries = [good[0].to_json(), malformed.clone(), good[1].to_json()]
        .iter()
        .enumerate()
        .map(|(i, message)| {
            aws_sdk_sns::types::PublishBatchRequestEntry::builder()
                .id(i.to_string())
                .message(message)
                .build()
                .unwrap()
        })
        .collect();
    let sns = aws_sdk_sns::Client::new(&lab.config);
    let sent = sns
        .publish_batch()
        .topic_arn(&lab.stack.sns_topic_arn)
        .set_publish_batch_request_entries(Some(entries))
        .send()
        .await
        .unwrap();
    assert!(sent.failed().is_empty());
    assert_rejected_alone(&lab, Service::Sns, &run_id, &good, &malformed).await;

    let message_id = sent
        .successful()
        .iter()
        .find(|e| e.id() == Some("1"))
        .unwrap()
        .message_id();
    let error = wait_for_error(
        &lab.s3,
        &lab.stack.results_bucket,
        Service::Sns,
        |e| e.raw == malformed,
        RESULT_TIMEOUT,
    );
    assert_eq!(
        Some(error.await.unwrap().record_id.as_str()),
        message_id,
        "reported by its SNS message id"
    );
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn sqs_fifo_a_malformed_message_fails_alone_and_its_group_moves_on() {
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::SqsFifo);
    // All three in one group, in one request: the malformed one sits between the good ones,
    // and must neither block them nor come back.
    let group = eventlab_schema::fifo_group(good[0].id);
    let entries = [good[0].to_json(), malformed.clone(), good[1].to_json()]
        .iter()
        .enumerate()
        .map(|(i, body)| {
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .message_group_id(&group)
                .message_deduplication_id(format!("{run_id}-{i}"))
                .build()
                .unwrap()
        })
        .collect();
    let sqs = aws_sdk_sqs::Client::new(&lab.config);
    let sent = sqs
        .send_message_batch()
        .queue_url(&lab.stack.sqs_fifo_queue_url)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap();
    assert!(sent.failed().is_empty());
    assert_rejected_alone(&lab, Service::SqsFifo, &run_id, &good, &malformed).await;

    let expected: HashSet<Uuid> = good.iter().map(|e| e.event_id).collect();
    let records = lab.results(Service::SqsFifo, &run_id, &expected).await;
    let positions: Vec<(String, u128)> = records
        .iter()
        .map(|r| {
            let position = r.position.as_ref().expect("FIFO results carry their position");
            (position.scope.clone(), position.sequence_number().unwrap())
        })
        .collect();
    assert!(positions.iter().all(|(scope, _)| *scope == group), "{positions:?}");
    let by_seq: Vec<u128> = {
        let mut pairs: Vec<(u32, u128)> = records
            .iter()
            .map(|r| r.event.seq)
            .zip(positions.iter().map(|p| p.1))
            .collect();
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, sequence)| sequence).collect()
    };
    assert!(by_seq.windows(2).all(|w| w[0] < w[1]), "in publish order: {by_seq:?}");
}

#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn dynamodb_an_item_without_an_event_fails_alone() {
    use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
    let lab = lab().await;
    let (run_id, good, malformed) = mixed_batch(Service::DynamoDb);
    let writes = [good[0].to_json(), malformed.clone(), good[1].to_json()]
        .into_iter()
        .map(|event| {
            let item = std::collections::HashMap::from([
                ("event_id".to_owned(), AttributeValue::S(Uuid::now_v7().to_string())),
                ("event".to_owned(), AttributeValue::S(event)),
            ]);
            let put = PutRequest::builder().set_item(Some(item)).build().unwrap();
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    let dynamodb = aws_sdk_dynamodb::Client::new(&lab.config);
    let written = dynamodb
        .batch_write_item()
        .request_items(&lab.stack.dynamodb_table_name, writes)
        .send()
        .await
        .unwrap();
    assert!(
        written
            .unprocessed_items()
            .is_none_or(std::collections::HashMap::is_empty)
    );
    assert_rejected_alone(&lab, Service::DynamoDb, &run_id, &good, &malformed).await;
}

/// The stack's alarms exist as Terraform declares them, and the leftovers check sees them
/// (so after `destroy` it can tell whether they are gone).
#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn every_failure_queue_and_stream_consumer_has_an_alarm_the_leftovers_check_sees() {
    let lab = lab().await;
    let found = eventlab_client::leftovers::find(&lab.stack, &lab.config).await.unwrap();
    let prefix = &lab.stack.name_prefix;
    let mut expected: Vec<String> = lab
        .stack
        .failure_queue_urls
        .keys()
        .map(|lane| format!("alarm {prefix}-{lane}-failures-waiting"))
        .collect();
    expected.push(format!("alarm {prefix}-kinesis-consumer-lagging"));
    expected.push(format!("alarm {prefix}-dynamodb-consumer-lagging"));
    expected.push(format!("topic {}", lab.stack.alarm_topic_arn.as_deref().unwrap()));
    expected.push(format!("topic {}", lab.stack.sns_topic_arn));
    expected.push(format!("table {}", lab.stack.dynamodb_table_name));
    for url in [&lab.stack.sqs_fifo_queue_url, &lab.stack.sns_fanout_queue_url] {
        expected.push(format!("queue {}", url.rsplit('/').next().unwrap()));
    }
    let lanes: Vec<&str> = lab.stack.failure_queue_urls.keys().map(String::as_str).collect();
    assert_eq!(
        lanes,
        ["dynamodb", "eventbridge", "kinesis", "sns", "sqs", "sqs-fifo"],
        "every lane but Firehose, whose failures go to errors/firehose/"
    );
    for line in &expected {
        assert!(found.contains(line), "{line} missing from {found:#?}");
    }
}
