//! A deployed stack, as `terraform output -json` describes it: the contract between the
//! Terraform root module's outputs and every tool that drives the stack.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
pub struct Stack {
    pub api_url: String,
    pub region: String,
    /// The emulator's endpoint; `None` on AWS.
    pub endpoint_url: Option<String>,
    pub name_prefix: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    pub results_bucket: String,
    pub eventbridge_bus_name: String,
    pub eventbridge_dlq_url: String,
    pub sqs_queue_url: String,
    pub sqs_dlq_url: String,
    pub kinesis_stream_name: String,
    pub kinesis_failures_url: String,
    pub firehose_stream_name: String,
    pub sns_topic_arn: String,
    /// The topic's second, raw-delivery subscriber, which nothing consumes (fan-out).
    pub sns_fanout_queue_url: String,
    pub sqs_fifo_queue_url: String,
    pub dynamodb_table_name: String,
    /// One notice per object the results bucket gains, for the live view (absent in
    /// outputs older than the field).
    #[serde(default)]
    pub results_created_queue_url: Option<String>,
    /// Each lane's dead-letter or on-failure queue (empty in outputs older than the field).
    #[serde(default)]
    pub failure_queue_urls: BTreeMap<String, String>,
    /// The topic the stack's alarms notify (absent in outputs older than the field).
    #[serde(default)]
    pub alarm_topic_arn: Option<String>,
    #[serde(default = "one")]
    pub kinesis_shard_count: u32,
    pub parameter_prefix: String,
    pub functions: BTreeMap<String, String>,
    /// The account Terraform applied the stack to (absent in outputs older than the field).
    #[serde(default)]
    pub account_id: Option<String>,
    /// The named profile Terraform used (`TF_VAR_aws_profile`): the tools use it too.
    #[serde(default)]
    pub aws_profile: Option<String>,
    /// The role Terraform assumed (`TF_VAR_assume_role_arn`): the tools assume it too.
    #[serde(default)]
    pub assume_role_arn: Option<String>,
    /// The generator's cap on events per request.
    pub max_events_per_request: u32,
    /// The SSM SecureString the generator reads the facts API key from.
    pub facts_api_key_parameter: String,
    /// Days results stay in the bucket (the variable's default in older outputs).
    #[serde(default = "thirty")]
    pub results_retention_days: f64,
    /// The consumers' batching settings; `None` in outputs older than the field.
    #[serde(default)]
    pub batching: Option<Batching>,
}

/// The consumers' batching settings as Terraform applied them.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Batching {
    pub sqs_batch_size: u32,
    pub sqs_batching_window_seconds: f64,
    pub kinesis_batch_size: u32,
    pub kinesis_batching_window_seconds: f64,
    pub firehose_buffering_size_mb: f64,
    pub firehose_buffering_interval_seconds: f64,
    #[serde(default = "ten")]
    pub sqs_fifo_batch_size: u32,
    #[serde(default = "hundred")]
    pub dynamodb_batch_size: u32,
}

fn ten() -> u32 {
    10
}

fn hundred() -> u32 {
    100
}

/// Stack outputs that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputsError {
    pub path: String,
    pub problem: String,
}

impl std::fmt::Display for OutputsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reading stack outputs {}: {}", self.path, self.problem)
    }
}

impl std::error::Error for OutputsError {}

/// Where a stack's AWS APIs are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Aws,
    /// An emulator (or anything else that is not AWS) at this endpoint.
    Emulator(String),
}

impl Backend {
    /// AWS unless the endpoint is set and is not one of AWS's own domains: an emulator
    /// standing in for AWS is never labelled AWS, and an explicit AWS endpoint (FIPS, a
    /// VPC endpoint's public name) is never labelled an emulator.
    pub fn classify(endpoint: Option<&str>) -> Self {
        let Some(endpoint) = endpoint.map(str::trim).filter(|e| !e.is_empty()) else {
            return Self::Aws;
        };
        let host = endpoint
            .split_once("://")
            .map_or(endpoint, |(_, rest)| rest)
            .split(['/', ':', '?'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let aws_domains = [".amazonaws.com", ".amazonaws.com.cn", ".api.aws"];
        if aws_domains.iter().any(|domain| host.ends_with(domain)) {
            Self::Aws
        } else {
            Self::Emulator(endpoint.to_owned())
        }
    }

    pub fn is_emulator(&self) -> bool {
        matches!(self, Self::Emulator(_))
    }
}

/// The SDKs' own endpoint override; the tools honour it as the SDKs would.
const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL";

fn one() -> u32 {
    1
}

fn thirty() -> f64 {
    30.0
}

impl Stack {
    /// Reads the JSON that `terraform output -json` wrote.
    pub fn load(path: &Path) -> Result<Self, OutputsError> {
        let raw = std::fs::read_to_string(path).map_err(|err| OutputsError {
            path: path.display().to_string(),
            problem: format!("{err} (has the stack been applied? `make up` applies the local one)"),
        })?;
        Self::from_terraform_json(&raw).map_err(|err| OutputsError {
            path: path.display().to_string(),
            problem: err.to_string(),
        })
    }

    /// `terraform output -json` wraps each value as `{"value": …, "type": …, "sensitive": …}`.
    pub fn from_terraform_json(raw: &str) -> serde_json::Result<Self> {
        let outputs: BTreeMap<String, Value> = serde_json::from_str(raw)?;
        let values: serde_json::Map<String, Value> = outputs
            .into_iter()
            .map(|(name, output)| (name, output.get("value").cloned().unwrap_or(Value::Null)))
            .collect();
        serde_json::from_value(Value::Object(values))
    }

    /// The endpoint the tools' SDK calls go to: the stack's own (set when Terraform was
    /// pointed at an emulator), else `AWS_ENDPOINT_URL`, which the SDKs would honour anyway.
    pub fn endpoint(&self) -> Option<String> {
        self.endpoint_url
            .clone()
            .or_else(|| std::env::var(ENDPOINT_ENV).ok().filter(|e| !e.is_empty()))
    }

    /// Whether this stack is on AWS or on a stand-in, from where its APIs are answered.
    pub fn backend(&self) -> Backend {
        Backend::classify(self.endpoint().as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terraform_output_json() {
        let raw = include_str!("../tests/fixtures/outputs.json");
        let stack = Stack::from_terraform_json(raw).unwrap();
        assert_eq!(stack.endpoint_url, None);
        assert_eq!(stack.functions["generator"], "eventlab-generator");
        assert_eq!((stack.aws_profile, stack.assume_role_arn), (None, None));
        assert_eq!(stack.max_events_per_request, 10);
        assert_eq!(stack.facts_api_key_parameter, "/eventlab/facts/api-key");
        assert_eq!(stack.sqs_fifo_queue_url, "http://q.fifo");
    }

    #[test]
    fn only_aws_domains_are_labelled_aws() {
        assert_eq!(Backend::classify(None), Backend::Aws);
        assert_eq!(Backend::classify(Some("")), Backend::Aws);
        for aws in [
            "https://sqs.us-east-1.amazonaws.com",
            "https://sqs-fips.us-east-1.amazonaws.com/",
            "https://dynamodb.eu-west-1.api.aws",
            "https://kinesis.cn-north-1.amazonaws.com.cn:443",
        ] {
            assert_eq!(Backend::classify(Some(aws)), Backend::Aws, "{aws}");
        }
        for stand_in in [
            "http://127.0.0.1:4566",
            "http://localhost:4598/",
            "http://amazonaws.com.example.org",
            "http://evil.amazonaws.com.attacker.test:4566",
        ] {
            assert!(Backend::classify(Some(stand_in)).is_emulator(), "{stand_in}");
        }
    }
}
