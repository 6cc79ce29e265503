//! What the stack created, read from Terraform's own record of it (`terraform show -json`,
//! saved as `inventory.json` before a destroy), and how to ask the backend whether each
//! resource still exists. A resource type the lab gains cannot be forgotten: one without a
//! probe here is reported as not checked, by type, and the deployed-stack test fails until
//! it has one.

use anyhow::{Context, Result};
use serde_json::Value;

/// One managed resource of the state.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Terraform's address, e.g. `aws_sqs_queue.events` or `aws_lambda_function.this["generator"]`.
    pub address: String,
    /// Its type, e.g. `aws_sqs_queue`.
    pub kind: String,
    pub values: Value,
}

/// Every managed resource in a `terraform show -json` document, root and child modules.
pub fn resources(show_json: &str) -> Result<Vec<Resource>> {
    let document: Value = serde_json::from_str(show_json).context("not the JSON of `terraform show -json`")?;
    let mut found = Vec::new();
    if let Some(root) = document.pointer("/values/root_module") {
        collect(root, &mut found);
    }
    Ok(found)
}

fn collect(module: &Value, found: &mut Vec<Resource>) {
    for resource in module["resources"].as_array().into_iter().flatten() {
        if resource["mode"] == "managed" {
            found.push(Resource {
                address: resource["address"].as_str().unwrap_or_default().to_owned(),
                kind: resource["type"].as_str().unwrap_or_default().to_owned(),
                values: resource["values"].clone(),
            });
        }
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect(child, found);
    }
}

/// One question the backend can answer: does this exist?
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Api { id: String },
    ApiRoute { api: String, id: String },
    ApiIntegration { api: String, id: String },
    ApiAuthorizer { api: String, id: String },
    ApiStage { api: String, name: String },
    EventBus { name: String },
    EventRule { bus: String, name: String },
    EventTarget { bus: String, rule: String, id: String },
    LogGroup { name: String },
    LogStream { group: String, name: String },
    Alarm { name: String },
    UserPool { id: String },
    UserPoolClient { pool: String, id: String },
    Table { name: String },
    Role { name: String },
    RolePolicy { role: String, name: String },
    DeliveryStream { name: String },
    Stream { name: String },
    EventSourceMapping { uuid: String },
    Function { name: String },
    InvokeConfig { function: String },
    Permission { function: String, statement: String },
    Bucket { name: String },
    Topic { arn: String },
    Subscription { arn: String },
    Queue { name: String },
    Parameter { name: String },
    Budget { account: String, name: String },
}

impl std::fmt::Display for Probe {
    /// What the probe asks about, as a learner would name it: `queue eventlab-events`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api { id } => write!(f, "HTTP API {id}"),
            Self::ApiRoute { api, id } => write!(f, "route {id} of API {api}"),
            Self::ApiIntegration { api, id } => write!(f, "integration {id} of API {api}"),
            Self::ApiAuthorizer { api, id } => write!(f, "authorizer {id} of API {api}"),
            Self::ApiStage { api, name } => write!(f, "stage {name} of API {api}"),
            Self::EventBus { name } => write!(f, "event bus {name}"),
            Self::EventRule { bus, name } => write!(f, "rule {name} on bus {bus}"),
            Self::EventTarget { bus, rule, id } => write!(f, "target {id} of rule {rule} on bus {bus}"),
            Self::LogGroup { name } => write!(f, "log group {name}"),
            Self::LogStream { group, name } => write!(f, "log stream {name} in {group}"),
            Self::Alarm { name } => write!(f, "alarm {name}"),
            Self::UserPool { id } => write!(f, "user pool {id}"),
            Self::UserPoolClient { pool, id } => write!(f, "app client {id} of user pool {pool}"),
            Self::Table { name } => write!(f, "table {name}"),
            Self::Role { name } => write!(f, "IAM role {name}"),
            Self::RolePolicy { role, name } => write!(f, "IAM policy {name} of role {role}"),
            Self::DeliveryStream { name } => write!(f, "delivery stream {name}"),
            Self::Stream { name } => write!(f, "stream {name}"),
            Self::EventSourceMapping { uuid } => write!(f, "event source mapping {uuid}"),
            Self::Function { name } => write!(f, "function {name}"),
            Self::InvokeConfig { function } => write!(f, "async invoke config of {function}"),
            Self::Permission { function, statement } => write!(f, "permission {statement} on {function}"),
            Self::Bucket { name } => write!(f, "bucket {name}"),
            Self::Topic { arn } => write!(f, "topic {arn}"),
            Self::Subscription { arn } => write!(f, "subscription {arn}"),
            Self::Queue { name } => write!(f, "queue {name}"),
            Self::Parameter { name } => write!(f, "parameter {name}"),
            Self::Budget { account, name } => write!(f, "budget {name} of account {account}"),
        }
    }
}

/// How a resource is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Asked directly.
    Probe(Probe),
    /// A part of another resource that cannot outlive it (a bucket's policy, a queue's
    /// redrive permission): left exactly when its owner is.
    PartOf(Probe),
    /// Not checked, and why.
    Unchecked(String),
}

/// The check for `resource`, from its type and the attributes Terraform recorded.
pub fn check_for(resource: &Resource) -> Check {
    let v = &resource.values;
    let s = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
    let probe = match resource.kind.as_str() {
        "aws_apigatewayv2_api" => Probe::Api { id: s("id") },
        "aws_apigatewayv2_route" => Probe::ApiRoute {
            api: s("api_id"),
            id: s("id"),
        },
        "aws_apigatewayv2_integration" => Probe::ApiIntegration {
            api: s("api_id"),
            id: s("id"),
        },
        "aws_apigatewayv2_authorizer" => Probe::ApiAuthorizer {
            api: s("api_id"),
            id: s("id"),
        },
        "aws_apigatewayv2_stage" => Probe::ApiStage {
            api: s("api_id"),
            name: s("name"),
        },
        "aws_cloudwatch_event_bus" => Probe::EventBus { name: s("name") },
        "aws_cloudwatch_event_rule" => Probe::EventRule {
            bus: s("event_bus_name"),
            name: s("name"),
        },
        "aws_cloudwatch_event_target" => Probe::EventTarget {
            bus: s("event_bus_name"),
            rule: s("rule"),
            id: s("target_id"),
        },
        "aws_cloudwatch_log_group" => Probe::LogGroup { name: s("name") },
        "aws_cloudwatch_log_stream" => Probe::LogStream {
            group: s("log_group_name"),
            name: s("name"),
        },
        "aws_cloudwatch_metric_alarm" => Probe::Alarm { name: s("alarm_name") },
        "aws_cognito_user_pool" => Probe::UserPool { id: s("id") },
        "aws_cognito_user_pool_client" => Probe::UserPoolClient {
            pool: s("user_pool_id"),
            id: s("id"),
        },
        "aws_dynamodb_table" => Probe::Table { name: s("name") },
        "aws_iam_role" => Probe::Role { name: s("name") },
        "aws_iam_role_policy" => Probe::RolePolicy {
            role: s("role"),
            name: s("name"),
        },
        "aws_kinesis_firehose_delivery_stream" => Probe::DeliveryStream { name: s("name") },
        "aws_kinesis_stream" => Probe::Stream { name: s("name") },
        "aws_lambda_event_source_mapping" => Probe::EventSourceMapping { uuid: s("uuid") },
        "aws_lambda_function" => Probe::Function {
            name: s("function_name"),
        },
        "aws_lambda_function_event_invoke_config" => Probe::InvokeConfig {
            function: s("function_name"),
        },
        "aws_lambda_permission" => Probe::Permission {
            function: s("function_name"),
            statement: s("statement_id"),
        },
        "aws_s3_bucket" => Probe::Bucket { name: s("bucket") },
        "aws_sns_topic" => Probe::Topic { arn: s("arn") },
        "aws_sns_topic_subscription" => Probe::Subscription { arn: s("arn") },
        "aws_sqs_queue" => Probe::Queue { name: s("name") },
        "aws_ssm_parameter" => Probe::Parameter { name: s("name") },
        "aws_budgets_budget" => Probe::Budget {
            account: s("account_id"),
            name: s("name"),
        },
        "aws_s3_bucket_lifecycle_configuration"
        | "aws_s3_bucket_notification"
        | "aws_s3_bucket_ownership_controls"
        | "aws_s3_bucket_policy"
        | "aws_s3_bucket_public_access_block"
        | "aws_s3_bucket_server_side_encryption_configuration" => {
            return Check::PartOf(Probe::Bucket { name: s("bucket") });
        }
        "aws_sqs_queue_policy" | "aws_sqs_queue_redrive_allow_policy" => {
            let url = s("queue_url");
            let name = url.rsplit('/').next().unwrap_or_default().to_owned();
            return Check::PartOf(Probe::Queue { name });
        }
        other => {
            return Check::Unchecked(format!(
                "no probe for {other} yet: add one in client/src/leftovers/inventory.rs"
            ));
        }
    };
    // An attribute the probe needs that the state lacks would make a question about
    // nothing: say so rather than answer "gone".
    if format!("{probe:?}").contains("\"\"") {
        return Check::Unchecked(format!("{} lacks an attribute its probe needs", resource.address));
    }
    Check::Probe(probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = include_str!("../../tests/fixtures/terraform-show.json");

    #[test]
    fn every_managed_resource_is_read_and_data_sources_are_not() {
        let all = resources(STATE).unwrap();
        assert_eq!(all.len(), 5);
        assert!(all.iter().all(|r| !r.kind.starts_with("data")));
        assert_eq!(all[0].address, "aws_sqs_queue.events");
        assert_eq!(all[4].address, "module.extra.aws_iam_role.child");
    }

    #[test]
    fn each_type_gets_its_probe_and_parts_go_with_their_owner() {
        let all = resources(STATE).unwrap();
        let checks: Vec<Check> = all.iter().map(check_for).collect();
        assert_eq!(
            checks[0],
            Check::Probe(Probe::Queue {
                name: "eventlab-events".into()
            })
        );
        assert_eq!(
            checks[1],
            Check::PartOf(Probe::Queue {
                name: "eventlab-events-dlq".into()
            })
        );
        assert_eq!(
            checks[2],
            Check::Probe(Probe::RolePolicy {
                role: "eventlab-transform-sqs".into(),
                name: "consume-queue".into()
            })
        );
        assert!(matches!(&checks[3], Check::Unchecked(why) if why.contains("aws_wafv2_web_acl")));
        assert_eq!(
            checks[4],
            Check::Probe(Probe::Role {
                name: "eventlab-child".into()
            })
        );
    }

    #[test]
    fn a_probe_missing_its_attribute_is_not_checked_rather_than_gone() {
        let resource = Resource {
            address: "aws_lambda_function.x".into(),
            kind: "aws_lambda_function".into(),
            values: serde_json::json!({}),
        };
        assert!(matches!(check_for(&resource), Check::Unchecked(why) if why.contains("lacks")));
    }

    #[test]
    fn not_terraform_json_is_a_clear_error() {
        let err = resources("plan: 3 to add").unwrap_err();
        assert!(err.to_string().contains("terraform show -json"), "{err}");
    }
}
