//! Redrive: moving what a lane's dead-letter or on-failure queue holds back into the lane.
//!
//! The SQS lane's dead-letter queue is redriven by SQS itself (`StartMessageMoveTask`, back
//! to the queue it came from) where the service supports it. Everywhere else (the emulator,
//! the FIFO queue, the Lambda on-failure records of EventBridge and SNS) each message is
//! received, its original event re-published unchanged to the lane's service with the
//! generator's own publisher, and deleted only once that succeeded. Stream on-failure records
//! (Kinesis, DynamoDB Streams) point at a batch without carrying it: they are left in place
//! and named, for reading the stream by sequence number while it still keeps the records.

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_sqs::types::QueueAttributeName;
use eventlab_publish::{Encoded, Lane, Publish};
use eventlab_schema::{RunId, Service};

use eventlab_client::lab::Lab;
pub use eventlab_measure::drill::Redriven;
use eventlab_measure::drill::books::{Held, held_in};

/// Redrives `service`'s failure queue: everything in it, or only the events of `only`.
pub async fn redrive(lab: &Lab, service: Service, only: Option<&RunId>) -> Result<Redriven> {
    let url = lab.stack.failure_queue_urls.get(service.as_str()).with_context(|| {
        format!("the {service} lane has no failure queue (Firehose's failures are objects under errors/firehose/)")
    })?;
    if service == Service::Sqs && only.is_none() {
        match move_task(lab, url).await {
            Ok(moved) => {
                return Ok(Redriven {
                    lane: service.to_string(),
                    how: "StartMessageMoveTask".into(),
                    moved,
                    left: Vec::new(),
                });
            }
            Err(err) => eprintln!(
                "{service}: StartMessageMoveTask is not available here ({err:#}); receiving and re-publishing instead"
            ),
        }
    }
    resend(lab, service, url, only).await
}

/// Has SQS move the dead-letter queue's messages back to their source queue; the number moved.
async fn move_task(lab: &Lab, url: &str) -> Result<u64> {
    let sqs = &lab.publishers.clients.sqs;
    let arn = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(eventlab_client::sdk_error)?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("the queue reported no ARN")?;
    sqs.start_message_move_task()
        .source_arn(&arn)
        .send()
        .await
        .map_err(eventlab_client::sdk_error)?;
    for _ in 0..600 {
        let tasks = sqs
            .list_message_move_tasks()
            .source_arn(&arn)
            .max_results(1)
            .send()
            .await
            .map_err(eventlab_client::sdk_error)?;
        if let Some(task) = tasks.results().first() {
            match task.status() {
                Some("COMPLETED") => return Ok(task.approximate_number_of_messages_moved().unsigned_abs()),
                Some("FAILED" | "CANCELLED") => anyhow::bail!(
                    "the move task ended {}: {}",
                    task.status().unwrap_or_default(),
                    task.failure_reason().unwrap_or("no reason given")
                ),
                _ => {}
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    anyhow::bail!("the move task had not completed after 10 minutes")
}

/// Receives every message, re-publishes the events it holds, deletes what was re-published.
async fn resend(lab: &Lab, service: Service, url: &str, only: Option<&RunId>) -> Result<Redriven> {
    let sqs = &lab.publishers.clients.sqs;
    let mut redriven = Redriven {
        lane: service.to_string(),
        how: "receive and re-publish".into(),
        ..Redriven::default()
    };
    let mut keep = Vec::new();
    for _ in 0..1000 {
        let received = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(eventlab_client::sdk_error)
            .with_context(|| format!("receiving from {url}"))?;
        if received.messages().is_empty() {
            break;
        }
        for message in received.messages() {
            let handle = message.receipt_handle().unwrap_or_default().to_owned();
            match held_in(message.body().unwrap_or_default()) {
                Held::Event(event) if only.is_none_or(|run| &event.run_id == run) => {
                    let lane = Lane::plan(service, vec![Encoded::of(&event)])?;
                    let publish_by = tokio::time::Instant::now() + Duration::from_secs(30);
                    let delivered = lab.publishers.publish(&lane, &lab.targets, publish_by).await;
                    if delivered.iter().all(Result::is_ok) {
                        sqs.delete_message()
                            .queue_url(url)
                            .receipt_handle(&handle)
                            .send()
                            .await
                            .map_err(eventlab_client::sdk_error)
                            .with_context(|| format!("deleting a redriven message from {url}"))?;
                        redriven.moved += 1;
                    } else {
                        redriven
                            .left
                            .push(format!("event {}: re-publishing failed", event.event_id));
                        keep.push(handle);
                    }
                }
                Held::Event(_) => keep.push(handle),
                Held::Pointer {
                    records,
                    shard,
                    first,
                    last,
                } => {
                    redriven.left.push(format!(
                        "{records} records of {shard}, sequence numbers {first} to {last}: still in the stream until its retention ends"
                    ));
                    keep.push(handle);
                }
                Held::Unknown => {
                    redriven.left.push(format!(
                        "message {}: not a lab event",
                        message.message_id().unwrap_or("?")
                    ));
                    keep.push(handle);
                }
            }
        }
    }
    super::observe::release(sqs, url, &keep).await?;
    Ok(redriven)
}
