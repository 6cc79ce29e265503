//! End-to-end: a malformed record fails alone, on every lane, and lands in its errors
//! prefix or failure queue; the rest of its batch is written. Needs the deployed stack
//! `make test` brings up (`EVENTLAB_OUTPUTS`, `EVENTLAB_CREDENTIALS`).

mod common;

use eventlab_client::leftovers::Leftovers;
use eventlab_client::results::wait_for_error;
use eventlab_schema::{EVENTBRIDGE_DETAIL_TYPE, EVENTBRIDGE_SOURCE, LabEvent, RunId, Service};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

use common::*;

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

/// The inventory the stack saved at apply, asked about while deployed.
async fn deployed_leftovers(lab: &Lab) -> (Vec<eventlab_client::leftovers::inventory::Resource>, Leftovers) {
    let path = env_path("EVENTLAB_OUTPUTS").with_file_name("inventory.json");
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/stack.sh apply saves it)", path.display()));
    let inventory = eventlab_client::leftovers::inventory::resources(&json).unwrap();
    let account = eventlab_client::stack::caller_account(&lab.config).await.unwrap();
    let found = eventlab_client::leftovers::find(&lab.stack, &lab.config, &account, &inventory)
        .await
        .unwrap();
    (inventory, found)
}

/// The stack's alarms exist as Terraform declares them, and the leftovers check sees them
/// (so after `destroy` it can tell whether they are gone).
#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn every_failure_queue_and_stream_consumer_has_an_alarm_the_leftovers_check_sees() {
    let lab = lab().await;
    let (_, found) = deployed_leftovers(&lab).await;
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
        assert!(
            found.left.iter().any(|l| l.starts_with(&format!("{line} ("))),
            "{line} missing from {:#?}",
            found.left
        );
    }
}

/// While deployed, the teardown check names at least one resource of every type Terraform
/// created (IAM roles and policies, the HTTP API and its parts, event source mappings …),
/// and checks every resource: none is left out as uncheckable.
#[tokio::test]
#[ignore = "needs the test stack: `make test` deploys one and runs this"]
async fn the_teardown_check_names_every_resource_type_of_the_deployed_stack() {
    let lab = lab().await;
    let (inventory, found) = deployed_leftovers(&lab).await;
    assert!(found.unchecked.is_empty(), "not checked: {:#?}", found.unchecked);
    assert_eq!(found.checked, inventory.len());
    let kinds: std::collections::BTreeSet<&str> = inventory.iter().map(|r| r.kind.as_str()).collect();
    assert!(kinds.len() >= 30, "the stack has more types than {kinds:?}");
    for kind in &kinds {
        assert!(
            found.left.iter().any(|line| line.contains(&format!("({kind}."))),
            "no {kind} named while deployed: {found}"
        );
    }
    // Every resource, not one per type: all of the inventory exists while deployed.
    for resource in &inventory {
        assert!(
            found
                .left
                .iter()
                .any(|line| line.ends_with(&format!("({})", resource.address))),
            "{} not named while deployed",
            resource.address
        );
    }
}
