//! A deployed stack, as `terraform output -json` describes it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
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
    #[serde(default = "one")]
    pub kinesis_shard_count: u32,
    pub parameter_prefix: String,
    pub functions: BTreeMap<String, String>,
}

fn one() -> u32 {
    1
}

impl Stack {
    /// Reads the JSON that `terraform output -json` wrote.
    pub fn load(path: &Path) -> Result<Self> {
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("reading stack outputs {} (has the stack been applied?)", path.display()))?;
        Self::from_terraform_json(&raw).with_context(|| format!("parsing stack outputs {}", path.display()))
    }

    /// `terraform output -json` wraps each value as `{"value": …, "type": …, "sensitive": …}`.
    pub fn from_terraform_json(raw: &str) -> Result<Self> {
        let outputs: BTreeMap<String, Value> = serde_json::from_str(raw)?;
        let values: serde_json::Map<String, Value> = outputs
            .into_iter()
            .map(|(name, output)| (name, output.get("value").cloned().unwrap_or(Value::Null)))
            .collect();
        Ok(serde_json::from_value(Value::Object(values))?)
    }

    /// SDK configuration for this stack: its region, and its endpoint when emulated.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region.clone()));
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        loader.load().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terraform_output_json() {
        let raw = r#"{
          "api_url": {"sensitive": false, "type": "string", "value": "http://127.0.0.1:4566/_aws/execute-api/abc"},
          "region": {"sensitive": false, "type": "string", "value": "us-east-1"},
          "endpoint_url": {"sensitive": false, "type": "string", "value": null},
          "name_prefix": {"sensitive": false, "type": "string", "value": "eventlab"},
          "user_pool_id": {"sensitive": false, "type": "string", "value": "us-east-1_abc"},
          "user_pool_client_id": {"sensitive": false, "type": "string", "value": "client"},
          "results_bucket": {"sensitive": false, "type": "string", "value": "bucket"},
          "eventbridge_bus_name": {"sensitive": false, "type": "string", "value": "bus"},
          "eventbridge_dlq_url": {"sensitive": false, "type": "string", "value": "http://eb-dlq"},
          "sqs_queue_url": {"sensitive": false, "type": "string", "value": "http://q"},
          "kinesis_stream_name": {"sensitive": false, "type": "string", "value": "stream"},
          "kinesis_failures_url": {"sensitive": false, "type": "string", "value": "http://k-f"},
          "firehose_stream_name": {"sensitive": false, "type": "string", "value": "delivery"},
          "sqs_dlq_url": {"sensitive": false, "type": "string", "value": "http://dlq"},
          "parameter_prefix": {"sensitive": false, "type": "string", "value": "/eventlab/"},
          "functions": {"sensitive": false, "type": ["object", {}], "value": {"generator": "eventlab-generator"}}
        }"#;
        let stack = Stack::from_terraform_json(raw).unwrap();
        assert_eq!(stack.endpoint_url, None);
        assert_eq!(stack.functions["generator"], "eventlab-generator");
    }
}
