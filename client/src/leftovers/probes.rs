//! Asks the backend each [`Probe`]'s question, each service in its own region (IAM and
//! Budgets are global: the SDK sends them to their global endpoints).

use anyhow::{Result, anyhow};
// The SDK crates share these types; any crate's re-export names them for all.
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::inventory::Probe;

/// One client per service the probes ask, built once.
#[derive(Debug)]
pub struct Backend {
    /// The account the credentials are in: the one asked about.
    account: String,
    apigateway: aws_sdk_apigatewayv2::Client,
    budgets: aws_sdk_budgets::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    cognito: aws_sdk_cognitoidentityprovider::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    eventbridge: aws_sdk_eventbridge::Client,
    firehose: aws_sdk_firehose::Client,
    iam: aws_sdk_iam::Client,
    kinesis: aws_sdk_kinesis::Client,
    lambda: aws_sdk_lambda::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    s3: aws_sdk_s3::Client,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
    ssm: aws_sdk_ssm::Client,
}

impl Backend {
    pub fn new(config: &aws_config::SdkConfig, account: &str) -> Self {
        Self {
            account: account.to_owned(),
            apigateway: aws_sdk_apigatewayv2::Client::new(config),
            budgets: aws_sdk_budgets::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            eventbridge: aws_sdk_eventbridge::Client::new(config),
            firehose: aws_sdk_firehose::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            kinesis: aws_sdk_kinesis::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            s3: aws_sdk_s3::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
        }
    }

    /// `Ok(true)` if the resource exists, `Ok(false)` if its service says it does not, an
    /// error if the question could not be answered.
    #[allow(clippy::too_many_lines)] // one arm per question; splitting them hides the list
    pub async fn exists(&self, probe: &Probe) -> Result<bool> {
        match probe {
            Probe::Api { id } => exists(self.apigateway.get_api().api_id(id).send().await),
            Probe::ApiRoute { api, id } => exists(self.apigateway.get_route().api_id(api).route_id(id).send().await),
            Probe::ApiIntegration { api, id } => exists(
                self.apigateway
                    .get_integration()
                    .api_id(api)
                    .integration_id(id)
                    .send()
                    .await,
            ),
            Probe::ApiAuthorizer { api, id } => exists(
                self.apigateway
                    .get_authorizer()
                    .api_id(api)
                    .authorizer_id(id)
                    .send()
                    .await,
            ),
            Probe::ApiStage { api, name } => {
                exists(self.apigateway.get_stage().api_id(api).stage_name(name).send().await)
            }
            Probe::EventBus { name } => exists(self.eventbridge.describe_event_bus().name(name).send().await),
            Probe::EventRule { bus, name } => exists(
                self.eventbridge
                    .describe_rule()
                    .event_bus_name(bus)
                    .name(name)
                    .send()
                    .await,
            ),
            Probe::EventTarget { bus, rule, id } => {
                let targets = self
                    .eventbridge
                    .list_targets_by_rule()
                    .event_bus_name(bus)
                    .rule(rule)
                    .send()
                    .await;
                found(targets, |out| out.targets().iter().any(|t| t.id() == id))
            }
            Probe::LogGroup { name } => {
                let groups = self.logs.describe_log_groups().log_group_name_prefix(name).send().await;
                found(groups, |out| {
                    out.log_groups().iter().any(|g| g.log_group_name() == Some(name))
                })
            }
            Probe::LogStream { group, name } => {
                let streams = self
                    .logs
                    .describe_log_streams()
                    .log_group_name(group)
                    .log_stream_name_prefix(name)
                    .send()
                    .await;
                found(streams, |out| {
                    out.log_streams().iter().any(|s| s.log_stream_name() == Some(name))
                })
            }
            Probe::Alarm { name } => {
                let alarms = self.cloudwatch.describe_alarms().alarm_names(name).send().await;
                found(alarms, |out| !out.metric_alarms().is_empty())
            }
            Probe::UserPool { id } => exists(self.cognito.describe_user_pool().user_pool_id(id).send().await),
            Probe::UserPoolClient { pool, id } => exists(
                self.cognito
                    .describe_user_pool_client()
                    .user_pool_id(pool)
                    .client_id(id)
                    .send()
                    .await,
            ),
            Probe::Table { name } => exists(self.dynamodb.describe_table().table_name(name).send().await),
            Probe::Role { name } => exists(self.iam.get_role().role_name(name).send().await),
            Probe::RolePolicy { role, name } => exists(
                self.iam
                    .get_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send()
                    .await,
            ),
            Probe::DeliveryStream { name } => exists(
                self.firehose
                    .describe_delivery_stream()
                    .delivery_stream_name(name)
                    .send()
                    .await,
            ),
            Probe::Stream { name } => exists(self.kinesis.describe_stream_summary().stream_name(name).send().await),
            Probe::EventSourceMapping { uuid } => {
                exists(self.lambda.get_event_source_mapping().uuid(uuid).send().await)
            }
            Probe::Function { name } => exists(self.lambda.get_function().function_name(name).send().await),
            Probe::InvokeConfig { function } => exists(
                self.lambda
                    .get_function_event_invoke_config()
                    .function_name(function)
                    .send()
                    .await,
            ),
            Probe::Permission { function, statement } => {
                let policy = self.lambda.get_policy().function_name(function).send().await;
                let sid = format!("\"Sid\":\"{statement}\"");
                found(policy, |out| {
                    out.policy().is_some_and(|p| p.replace(' ', "").contains(&sid))
                })
            }
            Probe::Bucket { name } => {
                let head = self.s3.head_bucket().bucket(name).send().await;
                // Bucket names are global: 403 means the name is another account's.
                let elsewhere = head
                    .as_ref()
                    .err()
                    .and_then(|e| e.raw_response())
                    .is_some_and(|raw| raw.status().as_u16() == 403);
                if elsewhere { Ok(false) } else { exists(head) }
            }
            Probe::Topic { arn } => {
                // Listed, not looked up by ARN: the question is what the caller's account
                // holds, and a look-up by ARN may answer for another account's topic.
                let mut pages = self.sns.list_topics().into_paginator().send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(crate::sdk_error)?;
                    if page.topics().iter().any(|t| t.topic_arn() == Some(arn)) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Probe::Subscription { arn } => exists(
                self.sns
                    .get_subscription_attributes()
                    .subscription_arn(arn)
                    .send()
                    .await,
            ),
            Probe::Queue { name } => exists(self.sqs.get_queue_url().queue_name(name).send().await),
            Probe::Parameter { name } => exists(self.ssm.get_parameter().name(name).send().await),
            // A budget is named within an account: another account's is not in this one.
            Probe::Budget { account, .. } if *account != self.account => Ok(false),
            Probe::Budget { account, name } => exists(
                self.budgets
                    .describe_budget()
                    .account_id(account)
                    .budget_name(name)
                    .send()
                    .await,
            ),
        }
    }
}

/// Whether an answer shows the resource; a "does not exist" error counts as no.
fn found<T, E, R>(result: Result<T, SdkError<E, R>>, shows: impl FnOnce(&T) -> bool) -> Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(shows(&out)),
        Err(err) => exists::<T, E, R>(Err(err)),
    }
}

/// `Ok(true)` if the call found the resource, `Ok(false)` if the service says it does not
/// exist, an error if the question could not be answered.
pub fn exists<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<bool>
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
            if not_found(code) {
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

/// The error codes by which services say "no such thing".
fn not_found(code: &str) -> bool {
    [
        "NotFound",
        "NoSuchBucket",
        "NoSuchEntity",
        "NonExistent",
        "QueueDoesNotExist",
        "ResourceNotFound",
    ]
    .iter()
    .any(|marker| code.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::not_found;

    #[test]
    fn each_services_word_for_missing_counts_and_nothing_else_does() {
        for code in [
            "NotFoundException",
            "ResourceNotFoundException",
            "NoSuchEntity",
            "NoSuchBucket",
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
            "ParameterNotFound",
            "NotFound",
        ] {
            assert!(not_found(code), "{code}");
        }
        for code in ["AccessDenied", "ThrottlingException", "", "InvalidParameterValue"] {
            assert!(!not_found(code), "{code}");
        }
    }
}
