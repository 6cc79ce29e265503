//! Publishing lab events to the seven services: the event builder ([`events`]), one
//! batch path with its chunking and retry policy ([`plan`], [`publish`], [`RetryPolicy`]), and a publisher per service.
//!
//! Used by the generator Lambda, by `eventlab-bench run --via direct` and by the drill's
//! redrive. It owns no Lambda runtime, no HTTP and no configuration source: targets are
//! given to it ([`Targets`]).

mod batch;
pub mod dynamodb;
pub mod eventbridge;
pub mod firehose;
pub mod kinesis;
pub mod sns;
pub mod sqs;
#[cfg(test)]
pub(crate) mod test_support;

use std::future::Future;

use eventlab_schema::Service;
use tokio::time::Instant;

pub use batch::{BatchApi, Delivery, Encoded, Failure, Lane, RetryPolicy, plan, publish, sdk_retry_config};
pub use batch::{Oversized, chunk_ranges};
pub(crate) use batch::{all_failed, by_entry_id, in_request_order};

/// Where each service's events go, and the facts API key if one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub eventbridge_bus_name: String,
    pub sqs_queue_url: String,
    pub kinesis_stream_name: String,
    pub firehose_stream_name: String,
    pub sns_topic_arn: String,
    pub sqs_fifo_queue_url: String,
    pub dynamodb_table_name: String,
    /// `None` until the learner stores a real key: the generator then uses fallback facts.
    pub facts_api_key: Option<String>,
}

/// The SDK clients the publishers send with, built once (at INIT, or once per tool run).
#[derive(Debug, Clone)]
pub struct Clients {
    pub eventbridge: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub kinesis: aws_sdk_kinesis::Client,
    pub firehose: aws_sdk_firehose::Client,
    pub sns: aws_sdk_sns::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
}

impl Clients {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            eventbridge: aws_sdk_eventbridge::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            kinesis: aws_sdk_kinesis::Client::new(config),
            firehose: aws_sdk_firehose::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
        }
    }
}

/// Publishes a planned lane to its service's target; what the handler depends on.
pub trait Publish: Send + Sync {
    fn publish(
        &self,
        lane: &Lane,
        targets: &Targets,
        publish_by: Instant,
    ) -> impl Future<Output = Vec<Delivery>> + Send;
}

/// The product's publishers: one client per service, the targets given per call.
#[derive(Debug, Clone)]
pub struct Publishers {
    pub clients: Clients,
    pub retry: RetryPolicy,
}

impl Publishers {
    /// The lab's publishers with the default retry policy.
    pub fn new(clients: Clients) -> Self {
        Self {
            clients,
            retry: RetryPolicy::default(),
        }
    }
}

impl Publish for Publishers {
    async fn publish(&self, lane: &Lane, targets: &Targets, publish_by: Instant) -> Vec<Delivery> {
        let (events, requests, retry) = (&lane.events, &lane.requests, &self.retry);
        match lane.service {
            Service::EventBridge => {
                let api = eventbridge::EventBridgePublisher::new(
                    self.clients.eventbridge.clone(),
                    &targets.eventbridge_bus_name,
                );
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::Sqs => {
                let api = sqs::SqsPublisher::new(self.clients.sqs.clone(), &targets.sqs_queue_url);
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::Kinesis => {
                let api = kinesis::KinesisPublisher::new(self.clients.kinesis.clone(), &targets.kinesis_stream_name);
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::Firehose => {
                let api =
                    firehose::FirehosePublisher::new(self.clients.firehose.clone(), &targets.firehose_stream_name);
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::Sns => {
                let api = sns::SnsPublisher::new(self.clients.sns.clone(), &targets.sns_topic_arn);
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::SqsFifo => {
                let api = sqs::SqsPublisher::fifo(self.clients.sqs.clone(), &targets.sqs_fifo_queue_url);
                publish(&api, events, requests, retry, publish_by).await
            }
            Service::DynamoDb => {
                let api = dynamodb::DynamoDbPublisher::new(
                    self.clients.dynamodb.clone(),
                    &targets.dynamodb_table_name,
                    eventlab_schema::limits::DYNAMODB_KEEP_ITEMS_FOR,
                );
                publish(&api, events, requests, retry, publish_by).await
            }
        }
    }
}

pub mod events {
    //! Building lab events: the seed's fields, padding to a size, and one lane per service
    //! with each event serialised once and planned by that service's limits.

    use chrono::Utc;
    use eventlab_schema::{FactSource, ID_RANGE, LabEvent, RunId, Service};
    use rand::RngExt;
    use uuid::Uuid;

    use crate::{Encoded, Lane, Oversized};

    /// Grows the event's padding until it serialises to about `size` bytes.
    pub fn pad(event: &mut LabEvent, size: usize) {
        const FIELD_OVERHEAD: usize = r#","padding":"""#.len();
        let current = event.to_json().len();
        if size > current + FIELD_OVERHEAD {
            event.padding = "x".repeat(size - current - FIELD_OVERHEAD);
        }
    }

    /// The same events for every service, each serialised once per lane with its own service and
    /// planned into requests by that service's limits. Nothing is published unless every lane
    /// can take every event: the first that cannot is the error.
    pub fn lanes(services: &[Service], events: &mut [LabEvent]) -> Result<Vec<Lane>, (Service, Oversized)> {
        services
            .iter()
            .map(|&service| {
                let encoded = events
                    .iter_mut()
                    .map(|event| {
                        retag(event, service);
                        Encoded::of(event)
                    })
                    .collect();
                Lane::plan(service, encoded).map_err(|e| (service, e))
            })
            .collect()
    }

    /// Tags a padded event with another service, keeping its serialised size: the service's
    /// name is written as is (no escaping), so the padding absorbs the difference in length.
    fn retag(event: &mut LabEvent, service: Service) {
        let (old, new) = (event.service.as_str().len(), service.as_str().len());
        if !event.padding.is_empty() {
            let len = (event.padding.len() + old).saturating_sub(new).max(1);
            if len <= event.padding.len() {
                event.padding.truncate(len);
            } else {
                event
                    .padding
                    .extend(std::iter::repeat_n('x', len - event.padding.len()));
            }
        }
        event.service = service;
    }

    /// Builds `count` events sharing one fact, each with its own time, id and event id.
    pub fn build_events(
        service: Service,
        count: u32,
        run_id: &RunId,
        fact: &str,
        fact_source: FactSource,
        caller: &str,
    ) -> Vec<LabEvent> {
        let mut rng = rand::rng();
        (0..count)
            .map(|seq| LabEvent {
                time: Utc::now(),
                id: rng.random_range(ID_RANGE),
                service,
                random_fact: fact.to_owned(),
                event_id: Uuid::now_v7(),
                run_id: run_id.clone(),
                seq,
                fact_source,
                requested_by: caller.to_owned(),
                padding: String::new(),
            })
            .collect()
    }
}
