//! End-to-end tests against a deployed stack: the real API Gateway JWT authorizer, the
//! generator and transformer binaries, EventBridge, SQS, Kinesis, Firehose and S3, as
//! `make test` brings them up on the local emulator (they run unchanged against AWS).
//!
//! They need `EVENTLAB_OUTPUTS` (terraform output -json) and `EVENTLAB_CREDENTIALS` (the
//! learner's credentials); `make test` sets both.

mod common;

use eventlab_schema::Service;
use eventlab_schema::api::{GenerateRequest, GenerateResponse};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

use common::*;

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
