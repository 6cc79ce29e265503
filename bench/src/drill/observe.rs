//! Reading, during a drill, what each lane left behind: result objects (and, for Firehose,
//! raw and error objects) in the bucket, the failure queue's messages, the source queue's
//! depth, and the broken transformer's refusals in its log.

use std::collections::HashSet;

use anyhow::{Context, Result};
use aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry;
use chrono::{DateTime, Utc};
use eventlab_schema::{RunId, Service};
use serde_json::Value;

use eventlab_client::lab::Lab;
use eventlab_measure::drill::books::{Held, Seen, held_in, in_object};

/// What one lane is read from.
#[derive(Debug, Clone)]
pub struct LaneTarget {
    pub service: Service,
    pub run_id: RunId,
    pub transformer: String,
    pub source_queue: Option<String>,
    pub failure_queue: Option<String>,
}

impl LaneTarget {
    pub fn of(lab: &Lab, service: Service, run_id: RunId) -> Result<Self> {
        let stack = &lab.stack;
        let transformer = stack
            .functions
            .get(&format!("transform-{service}"))
            .cloned()
            .with_context(|| format!("the stack outputs name no transformer for {service}"))?;
        let source_queue = match service {
            Service::Sqs => Some(stack.sqs_queue_url.clone()),
            Service::SqsFifo => Some(stack.sqs_fifo_queue_url.clone()),
            _ => None,
        };
        Ok(Self {
            service,
            run_id,
            transformer,
            source_queue,
            failure_queue: stack.failure_queue_urls.get(service.as_str()).cloned(),
        })
    }
}

/// Follows one lane through a drill; each [`Observer::read`] adds what is new.
#[derive(Debug)]
pub struct Observer {
    pub target: LaneTarget,
    since: DateTime<Utc>,
    read_keys: HashSet<String>,
    pub seen: Seen,
}

impl Observer {
    pub fn new(target: LaneTarget, since: DateTime<Utc>) -> Self {
        Self {
            target,
            since,
            read_keys: HashSet::new(),
            seen: Seen::default(),
        }
    }

    /// Everything new since the last read.
    pub async fn read(&mut self, lab: &Lab, drill: &str) -> Result<()> {
        let mut prefixes = vec![eventlab_schema::results::results_location(
            self.target.service,
            &self.target.run_id,
            self.since,
        )];
        if self.target.service == Service::Firehose {
            // Where AWS's Firehose puts the records its processor failed on.
            prefixes.push(("errors/firehose/".to_owned(), None));
        }
        for (prefix, start_after) in prefixes {
            self.read_new_objects(lab, &prefix, start_after).await?;
        }
        if let Some(url) = &self.target.source_queue {
            let (visible, in_flight) = eventlab_client::queues::depth(&lab.publishers.clients.sqs, url).await?;
            self.seen.source_queue = Some(visible + in_flight);
        }
        if let Some(url) = &self.target.failure_queue {
            let (visible, _) = eventlab_client::queues::depth(&lab.publishers.clients.sqs, url).await?;
            self.seen.held.clear();
            self.seen.held_by_pointer = 0;
            if visible > 0 {
                for held in peek(&lab.publishers.clients.sqs, url).await? {
                    match held {
                        Held::Event(event) if event.run_id == self.target.run_id => {
                            self.seen.held.insert(event.event_id);
                        }
                        Held::Pointer { records, .. } => self.seen.held_by_pointer += records,
                        Held::Event(_) | Held::Unknown => {}
                    }
                }
            }
        }
        let (records, invocations) = refusals(lab, &self.target.transformer, drill, self.since).await?;
        self.seen.refused_records = records;
        self.seen.refused_invocations = invocations;
        Ok(())
    }

    async fn read_new_objects(&mut self, lab: &Lab, prefix: &str, start_after: Option<String>) -> Result<()> {
        let mut pages = lab
            .s3
            .list_objects_v2()
            .bucket(&lab.stack.results_bucket)
            .prefix(prefix)
            .set_start_after(start_after)
            .into_paginator()
            .send();
        let mut new_keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(eventlab_client::sdk_error)
                .context("listing the results bucket")?;
            for object in page.contents() {
                let key = object.key().unwrap_or_default();
                if !self.read_keys.contains(key) {
                    new_keys.push(key.to_owned());
                }
            }
        }
        for key in new_keys {
            let body = eventlab_client::results::read_bytes(&lab.s3, &lab.stack.results_bucket, &key).await?;
            for found in in_object(&body) {
                if found.event().run_id == self.target.run_id {
                    self.seen.note(&found);
                }
            }
            self.read_keys.insert(key);
        }
        Ok(())
    }
}

/// Every message of a failure queue, read without removing any: received with a short
/// visibility timeout, then made visible again at once.
pub async fn peek(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<Vec<Held>> {
    let mut held = Vec::new();
    let mut handles = Vec::new();
    for _ in 0..100 {
        let received = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(30)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(eventlab_client::sdk_error)
            .with_context(|| format!("reading {url}"))?;
        if received.messages().is_empty() {
            break;
        }
        for message in received.messages() {
            held.push(held_in(message.body().unwrap_or_default()));
            handles.extend(message.receipt_handle().map(str::to_owned));
        }
    }
    release(sqs, url, &handles).await?;
    Ok(held)
}

/// Makes received messages visible again.
pub(super) async fn release(sqs: &aws_sdk_sqs::Client, url: &str, handles: &[String]) -> Result<()> {
    for chunk in handles.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, handle)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .build()
                    .expect("id, handle and timeout are set")
            })
            .collect();
        sqs.change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(eventlab_client::sdk_error)
            .with_context(|| format!("releasing messages of {url}"))?;
    }
    Ok(())
}

/// The records and invocations `function` refused while broken by `drill`, from its log.
async fn refusals(lab: &Lab, function: &str, drill: &str, since: DateTime<Utc>) -> Result<(u64, u64)> {
    let events = eventlab_client::logs::read(
        &lab.logs,
        &eventlab_measure::usage::log_group(function),
        since,
        Utc::now(),
    )
    .await?;
    let mut records = 0;
    let mut invocations = 0;
    for event in events {
        if let Some(refused) = refused_records(&event.message, drill) {
            records += refused;
            invocations += 1;
        }
    }
    Ok((records, invocations))
}

/// The records a transformer's JSON log line says it refused for `drill`.
pub fn refused_records(line: &str, drill: &str) -> Option<u64> {
    let value: Value = serde_json::from_str(line).ok()?;
    let fields = value.get("fields")?;
    let message = fields.get("message")?.as_str()?;
    (message.starts_with("drill: consumer broken") && fields.get("drill")?.as_str()? == drill)
        .then(|| fields.get("records").and_then(Value::as_u64))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::refused_records;

    #[test]
    fn counts_only_this_drills_refusals() {
        let line = r#"{"level":"ERROR","fields":{"message":"drill: consumer broken on purpose; failing the invocation","drill":"d-1","records":3}}"#;
        assert_eq!(refused_records(line, "d-1"), Some(3));
        assert_eq!(refused_records(line, "d-2"), None);
        assert_eq!(
            refused_records(r#"{"fields":{"message":"batch processed"}}"#, "d-1"),
            None
        );
        assert_eq!(refused_records("REPORT RequestId: r", "d-1"), None);
    }
}
