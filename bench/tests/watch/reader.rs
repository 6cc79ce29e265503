//! The incremental bucket reader, on a bucket of its own that sends its notices to a queue.

use std::time::{Duration, Instant};

use chrono::Utc;
use eventlab_bench::watch::Watcher;
use eventlab_bench::watch::bucket::BucketReader;
use eventlab_schema::Service;

use crate::stack;

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
