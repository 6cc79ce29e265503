//! Publishing lab events to the seven services: the event builder ([`events`]), one
//! batch path with its chunking and retry policy ([`batch`]), and a publisher per service.
//!
//! Used by the generator Lambda, by `eventlab-bench run --via direct` and by the drill's
//! redrive. It owns no Lambda runtime, no HTTP and no configuration source: targets are
//! given to it ([`Targets`]).

mod batch;
pub mod dynamodb;
pub mod eventbridge;
pub mod events;
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
