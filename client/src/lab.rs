//! One connection to a deployed stack, shared by every tool that drives it.

use anyhow::Result;
use eventlab_publish::{Clients, Publishers, Targets};

use crate::api::Api;
use crate::stack::Stack;

/// A deployed stack, connected: its outputs, the API with a learner's token, and the SDK
/// clients the tools read and publish with, built once.
pub struct Lab {
    pub stack: Stack,
    pub api: Api,
    pub token: String,
    pub s3: aws_sdk_s3::Client,
    /// Reads the functions' REPORT lines and log bytes after a run.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub publishers: Publishers,
    /// The stack's targets, for publishing directly.
    pub targets: Targets,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("api_url", &self.stack.api_url)
            .finish_non_exhaustive()
    }
}

impl Lab {
    pub async fn connect(stack: Stack, credentials: &std::path::Path) -> Result<Self> {
        let token = crate::learner::access_token(&stack, &crate::learner::Credentials::load(credentials)?).await?;
        let config = crate::stack::sdk_config(&stack).await;
        crate::stack::require_credentials(&stack, &config).await?;
        let publishers = Publishers::new(Clients::new(&config));
        let targets = Targets {
            eventbridge_bus_name: stack.eventbridge_bus_name.clone(),
            sqs_queue_url: stack.sqs_queue_url.clone(),
            kinesis_stream_name: stack.kinesis_stream_name.clone(),
            firehose_stream_name: stack.firehose_stream_name.clone(),
            sns_topic_arn: stack.sns_topic_arn.clone(),
            sqs_fifo_queue_url: stack.sqs_fifo_queue_url.clone(),
            dynamodb_table_name: stack.dynamodb_table_name.clone(),
            facts_api_key: None,
        };
        Ok(Self {
            api: Api::new(&stack),
            s3: aws_sdk_s3::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            stack,
            token,
            publishers,
            targets,
        })
    }
}
