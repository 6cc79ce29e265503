//! The Lambda events each binary is invoked with: an API Gateway request for the
//! generator, each source's own record shape for the transformers, in the stack's names.

use base64::Engine;
use chrono::Utc;
use eventlab_client::stack::Stack;
use eventlab_schema::{FactSource, LabEvent, RunId, Service};
use serde_json::{Value, json};

fn lab_event(service: Service, run_id: &RunId, seq: u32) -> LabEvent {
    LabEvent {
        time: Utc::now(),
        id: u16::try_from(seq % 1000 + 1).unwrap_or(1),
        service,
        random_fact: "Cold starts are measured from exec to the first request for work.".to_owned(),
        event_id: uuid::Uuid::now_v7(),
        run_id: run_id.clone(),
        seq,
        fact_source: FactSource::Fallback,
        requested_by: "coldstart".to_owned(),
        padding: String::new(),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The event `function` gets from its service, carrying `count` lab events.
pub fn event_for(stack: &Stack, function: &str, count: u32, run_id: &RunId) -> Value {
    let events = |service| (0..count).map(move |seq| lab_event(service, run_id, seq).to_json());
    let arn = |kind: &str, name: &str| format!("arn:aws:{kind}:{}:000000000000:{name}", stack.region);
    match function {
        "generator" => api_request("/sqs", &json!({"count": count, "run_id": run_id.as_str()}).to_string()),
        "transform-sqs" => {
            let records: Vec<Value> = events(Service::Sqs)
                .enumerate()
                .map(|(i, body)| {
                    json!({
                        "messageId": format!("m-{i}"), "receiptHandle": "r", "body": body, "md5OfBody": "",
                        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": Utc::now().timestamp_millis().to_string(),
                                       "SenderId": "coldstart", "ApproximateFirstReceiveTimestamp": Utc::now().timestamp_millis().to_string()},
                        "messageAttributes": {}, "eventSource": "aws:sqs",
                        "eventSourceARN": arn("sqs", "coldstart"), "awsRegion": stack.region
                    })
                })
                .collect();
            json!({ "Records": records })
        }
        "transform-kinesis" => {
            let records: Vec<Value> = events(Service::Kinesis)
                .enumerate()
                .map(|(i, data)| {
                    json!({
                        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "7", "sequenceNumber": (i + 1).to_string(),
                                    "data": b64(data.as_bytes()), "approximateArrivalTimestamp": Utc::now().timestamp()},
                        "eventSource": "aws:kinesis", "eventVersion": "1.0",
                        "eventID": format!("shardId-000000000000:{}", i + 1), "eventName": "aws:kinesis:record",
                        "invokeIdentityArn": arn("iam", "role/coldstart"), "awsRegion": stack.region,
                        "eventSourceARN": arn("kinesis", "stream/coldstart")
                    })
                })
                .collect();
            json!({ "Records": records })
        }
        "transform-firehose" => {
            let records: Vec<Value> = events(Service::Firehose)
                .enumerate()
                .map(|(i, data)| {
                    json!({"recordId": format!("r-{i}"), "approximateArrivalTimestamp": Utc::now().timestamp_millis(),
                           "data": b64(format!("{data}\n").as_bytes())})
                })
                .collect();
            json!({
                "invocationId": "coldstart", "region": stack.region,
                "deliveryStreamArn": arn("firehose", "deliverystream/coldstart"), "records": records
            })
        }
        _ => {
            let detail: Value =
                serde_json::from_str(&lab_event(Service::EventBridge, run_id, 0).to_json()).expect("an event is JSON");
            json!({
                "version": "0", "id": uuid::Uuid::now_v7().to_string(), "detail-type": eventlab_schema::EVENTBRIDGE_DETAIL_TYPE,
                "source": eventlab_schema::EVENTBRIDGE_SOURCE, "account": "000000000000", "time": Utc::now().to_rfc3339(),
                "region": stack.region, "resources": [], "detail": detail
            })
        }
    }
}

/// An HTTP API (payload 2.0) request as API Gateway hands it to the generator after the JWT
/// authorizer passed it.
pub fn api_request(path: &str, body: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": format!("ANY {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "000000000000", "apiId": "harness", "domainName": "harness.local",
            "domainPrefix": "harness", "requestId": uuid::Uuid::now_v7().to_string(), "routeKey": format!("ANY {path}"),
            "stage": "$default", "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "harness"}, "scopes": null}},
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "eventlab-bench"}
        },
        "body": body,
        "isBase64Encoded": false
    })
}
