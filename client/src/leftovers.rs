//! After `terraform destroy`: asks the backend itself whether anything of the stack is left.

use anyhow::{Context, Result, anyhow};
use aws_sdk_resourcegroupstagging::types::TagFilter;
// The SDK crates share these types; any crate's re-export names them for all.
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::stack::Stack;

/// Describes each resource of the stack that still exists; empty when all is gone.
pub async fn find(stack: &Stack, config: &aws_config::SdkConfig) -> Result<Vec<String>> {
    let mut left = Vec::new();

    // Everything the backend indexes by tag (on AWS nearly every service; locally a subset).
    let tagging = aws_sdk_resourcegroupstagging::Client::new(config);
    let tagged = tagging
        .get_resources()
        .tag_filters(TagFilter::builder().key("project").values("eventlab").build())
        .tag_filters(TagFilter::builder().key("stack").values(&stack.name_prefix).build())
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("listing tagged resources")?;
    left.extend(
        tagged
            .resource_tag_mapping_list()
            .iter()
            .filter_map(|m| m.resource_arn())
            .map(|arn| format!("tagged resource {arn}")),
    );

    // And the stateful resources directly, whatever the tag index covers.
    let s3 = aws_sdk_s3::Client::new(config);
    // Bucket names are global: 403 means the name exists in another account, not this one.
    let head = s3.head_bucket().bucket(&stack.results_bucket).send().await;
    let elsewhere = head
        .as_ref()
        .err()
        .and_then(|e| e.raw_response())
        .is_some_and(|raw| raw.status().as_u16() == 403);
    if !elsewhere && exists(head)? {
        left.push(format!("bucket {}", stack.results_bucket));
    }
    left.extend(queues(stack, config).await?);
    let kinesis = aws_sdk_kinesis::Client::new(config);
    if exists(
        kinesis
            .describe_stream_summary()
            .stream_name(&stack.kinesis_stream_name)
            .send()
            .await,
    )? {
        left.push(format!("stream {}", stack.kinesis_stream_name));
    }
    let firehose = aws_sdk_firehose::Client::new(config);
    let delivery = firehose
        .describe_delivery_stream()
        .delivery_stream_name(&stack.firehose_stream_name);
    if exists(delivery.send().await)? {
        left.push(format!("delivery stream {}", stack.firehose_stream_name));
    }
    let eventbridge = aws_sdk_eventbridge::Client::new(config);
    if exists(
        eventbridge
            .describe_event_bus()
            .name(&stack.eventbridge_bus_name)
            .send()
            .await,
    )? {
        left.push(format!("event bus {}", stack.eventbridge_bus_name));
    }
    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    let table = dynamodb.describe_table().table_name(&stack.dynamodb_table_name);
    if exists(table.send().await)? {
        left.push(format!("table {}", stack.dynamodb_table_name));
    }
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(config);
    if exists(
        cognito
            .describe_user_pool()
            .user_pool_id(&stack.user_pool_id)
            .send()
            .await,
    )? {
        left.push(format!("user pool {}", stack.user_pool_id));
    }
    let ssm = aws_sdk_ssm::Client::new(config);
    let parameters = ssm
        .get_parameters_by_path()
        .path(&stack.parameter_prefix)
        .recursive(true)
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("listing parameters")?;
    left.extend(
        parameters
            .parameters()
            .iter()
            .filter_map(|p| p.name())
            .map(|name| format!("parameter {name}")),
    );

    left.extend(functions_and_logs(stack, config).await?);
    left.extend(alarms(stack, config).await?);
    Ok(left)
}

/// Every queue of the stack: the lanes', the fan-out subscriber's and each failure queue.
async fn queues(stack: &Stack, config: &aws_config::SdkConfig) -> Result<Vec<String>> {
    let mut left = Vec::new();
    let sqs = aws_sdk_sqs::Client::new(config);
    let queues = [
        &stack.sqs_queue_url,
        &stack.sqs_fifo_queue_url,
        &stack.sns_fanout_queue_url,
        &stack.sqs_dlq_url,
        &stack.eventbridge_dlq_url,
        &stack.kinesis_failures_url,
    ];
    let mut queues: Vec<&String> = queues.into_iter().chain(stack.failure_queue_urls.values()).collect();
    queues.sort();
    queues.dedup();
    for url in queues {
        let name = url.rsplit('/').next().unwrap_or(url);
        if exists(sqs.get_queue_url().queue_name(name).send().await)? {
            left.push(format!("queue {name}"));
        }
    }
    Ok(left)
}

/// The stack's CloudWatch alarms and the topics: the lane's and the one the alarms notify
/// (the emulator's tag index covers neither alarms nor, on every backend, topics).
async fn alarms(stack: &Stack, config: &aws_config::SdkConfig) -> Result<Vec<String>> {
    let mut left = Vec::new();
    let cloudwatch = aws_sdk_cloudwatch::Client::new(config);
    let prefix = format!("{}-", stack.name_prefix);
    let alarms = cloudwatch
        .describe_alarms()
        .alarm_name_prefix(&prefix)
        .send()
        .await
        .map_err(crate::sdk_error)
        .with_context(|| format!("listing alarms named {prefix}*"))?;
    left.extend(
        alarms
            .metric_alarms()
            .iter()
            .filter_map(|a| a.alarm_name())
            .map(|name| format!("alarm {name}")),
    );
    // Listed, not looked up by ARN: the question is what the caller's account holds, and a
    // look-up by ARN may answer for another account's topic.
    let name = |arn: &str| arn.rsplit(':').next().map(str::to_owned);
    let names: Vec<String> = [Some(stack.sns_topic_arn.as_str()), stack.alarm_topic_arn.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(name)
        .collect();
    let sns = aws_sdk_sns::Client::new(config);
    let mut pages = sns.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(crate::sdk_error).context("listing topics")?;
        left.extend(
            page.topics()
                .iter()
                .filter_map(|t| t.topic_arn())
                .filter(|arn| name(arn).is_some_and(|n| names.contains(&n)))
                .map(|arn| format!("topic {arn}")),
        );
    }
    Ok(left)
}

/// The functions and their log groups, and any CloudWatch Logs resource policy naming the
/// stack: an API Gateway log group outside /aws/vendedlogs/ leaves a line in that policy.
async fn functions_and_logs(stack: &Stack, config: &aws_config::SdkConfig) -> Result<Vec<String>> {
    let mut left = Vec::new();
    let lambda = aws_sdk_lambda::Client::new(config);
    for function in stack.functions.values() {
        if exists(lambda.get_function().function_name(function).send().await)? {
            left.push(format!("function {function}"));
        }
    }

    // Log groups outlive their functions unless destroyed with them, and a log group that
    // API Gateway delivers to outside /aws/vendedlogs/ leaves a line in the account's
    // CloudWatch Logs resource policy: look for both.
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    for prefix in [
        format!("/aws/lambda/{}-", stack.name_prefix),
        format!("/aws/vendedlogs/apigateway/{}-", stack.name_prefix),
        format!("/aws/apigateway/{}-", stack.name_prefix),
        format!("/aws/kinesisfirehose/{}-", stack.name_prefix),
    ] {
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(&prefix)
            .send()
            .await
            .map_err(crate::sdk_error)
            .with_context(|| format!("listing log groups under {prefix}"))?;
        left.extend(
            groups
                .log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .map(|name| format!("log group {name}")),
        );
    }
    let policies = logs
        .describe_resource_policies()
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("listing CloudWatch Logs resource policies")?;
    left.extend(
        policies
            .resource_policies()
            .iter()
            .filter(|p| {
                p.policy_document()
                    .is_some_and(|doc| doc.contains(&format!("{}-", stack.name_prefix)))
            })
            .map(|p| format!("CloudWatch Logs resource policy {}", p.policy_name().unwrap_or("?"))),
    );
    Ok(left)
}

/// `Ok(true)` if the call found the resource, `Ok(false)` if the service says it does not
/// exist, an error if the question could not be answered.
fn exists<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) => {
            let code = err
                .as_service_error()
                .and_then(ProvideErrorMetadata::code)
                .unwrap_or_default();
            let not_found = [
                "NotFound",
                "NoSuchBucket",
                "NonExistent",
                "QueueDoesNotExist",
                "ResourceNotFound",
            ];
            if not_found.iter().any(|marker| code.contains(marker)) {
                Ok(false)
            } else {
                Err(anyhow!(
                    "could not tell whether a resource exists: {}",
                    DisplayErrorContext(err)
                ))
            }
        }
    }
}
