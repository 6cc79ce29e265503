//! Configuration read once per cold start: settings from the environment, targets and
//! the facts API key from SSM Parameter Store in a single `GetParameters` call.

use std::collections::HashMap;
use std::time::Duration;

use crate::handler::MAX_COUNT;

/// Settings from the function's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Prefix of every lab parameter, ending in `/` (e.g. `/eventlab/`).
    pub parameter_prefix: String,
    /// Base URL of the facts API; tests point it at a local server.
    pub facts_base_url: String,
    pub facts_timeout: Duration,
    /// Most events one request may ask for (`EVENTLAB_MAX_EVENTS_PER_REQUEST`): the stack's
    /// guard for the bill, together with the API stage's throttling.
    pub max_events_per_request: u32,
}

pub const DEFAULT_FACTS_BASE_URL: &str = "https://api.api-ninjas.com";
const DEFAULT_FACTS_TIMEOUT_MS: u64 = 800;

impl Settings {
    /// Reads `EVENTLAB_PARAMETER_PREFIX` (required), `FACTS_BASE_URL`, `FACTS_TIMEOUT_MS` and
    /// `EVENTLAB_MAX_EVENTS_PER_REQUEST` (1–500, default 500).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut parameter_prefix =
            get("EVENTLAB_PARAMETER_PREFIX").ok_or(ConfigError::MissingEnv("EVENTLAB_PARAMETER_PREFIX"))?;
        if !parameter_prefix.ends_with('/') {
            parameter_prefix.push('/');
        }
        let facts_timeout_ms = match get("FACTS_TIMEOUT_MS") {
            None => DEFAULT_FACTS_TIMEOUT_MS,
            Some(raw) => raw.parse().map_err(|_| ConfigError::BadEnv("FACTS_TIMEOUT_MS", raw))?,
        };
        let max_events_per_request = match get("EVENTLAB_MAX_EVENTS_PER_REQUEST") {
            None => MAX_COUNT,
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|max| (1..=MAX_COUNT).contains(max))
                .ok_or(ConfigError::BadEnv("EVENTLAB_MAX_EVENTS_PER_REQUEST", raw))?,
        };
        Ok(Self {
            max_events_per_request,
            parameter_prefix,
            facts_base_url: get("FACTS_BASE_URL").unwrap_or_else(|| DEFAULT_FACTS_BASE_URL.to_owned()),
            facts_timeout: Duration::from_millis(facts_timeout_ms),
        })
    }
}

/// Where each service's events go, and the facts API key if one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub eventbridge_bus_name: String,
    pub sqs_queue_url: String,
    pub kinesis_stream_name: String,
    pub firehose_stream_name: String,
    /// `None` until the learner stores a real key: the generator then uses fallback facts.
    pub facts_api_key: Option<String>,
}

/// Parameter names under the prefix.
pub const EVENTBRIDGE_BUS_NAME: &str = "eventbridge/bus-name";
pub const SQS_QUEUE_URL: &str = "sqs/queue-url";
pub const KINESIS_STREAM_NAME: &str = "kinesis/stream-name";
pub const FIREHOSE_STREAM_NAME: &str = "firehose/stream-name";
pub const FACTS_API_KEY: &str = "facts/api-key";
const ALL_PARAMETERS: [&str; 5] = [
    EVENTBRIDGE_BUS_NAME,
    SQS_QUEUE_URL,
    KINESIS_STREAM_NAME,
    FIREHOSE_STREAM_NAME,
    FACTS_API_KEY,
];
/// The value Terraform seeds the key parameter with; the learner overwrites it.
pub const API_KEY_PLACEHOLDER: &str = "unset";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    #[error("environment variable {0} has an invalid value {1:?}")]
    BadEnv(&'static str, String),
    #[error("SSM parameters missing: {}", .0.join(", "))]
    MissingParameters(Vec<String>),
    #[error("reading SSM parameters failed: {0}")]
    Ssm(String),
}

impl Targets {
    /// Reads every target in one `GetParameters` call (at most 10 names; decrypting the
    /// `SecureString` key).
    pub async fn load(ssm: &aws_sdk_ssm::Client, prefix: &str) -> Result<Self, ConfigError> {
        let names = ALL_PARAMETERS.map(|name| format!("{prefix}{name}"));
        let output = ssm
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|err| ConfigError::Ssm(aws_sdk_ssm::error::DisplayErrorContext(err).to_string()))?;
        let mut values: HashMap<String, String> = output
            .parameters()
            .iter()
            .filter_map(|p| Some((p.name()?.strip_prefix(prefix)?.to_owned(), p.value()?.to_owned())))
            .collect();
        // The key is optional by design: no key means fallback facts, not a failed start.
        let facts_api_key = values
            .remove(FACTS_API_KEY)
            .filter(|key| !key.trim().is_empty() && key != API_KEY_PLACEHOLDER);
        let mut missing = Vec::new();
        let mut required = |name: &str| {
            values.remove(name).unwrap_or_else(|| {
                missing.push(format!("{prefix}{name}"));
                String::new()
            })
        };
        let targets = Self {
            eventbridge_bus_name: required(EVENTBRIDGE_BUS_NAME),
            sqs_queue_url: required(SQS_QUEUE_URL),
            kinesis_stream_name: required(KINESIS_STREAM_NAME),
            firehose_stream_name: required(FIREHOSE_STREAM_NAME),
            facts_api_key,
        };
        if missing.is_empty() {
            Ok(targets)
        } else {
            Err(ConfigError::MissingParameters(missing))
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ssm::operation::get_parameters::GetParametersOutput;
    use aws_sdk_ssm::types::Parameter;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |key| map.get(key).cloned()
    }

    fn parameter(name: &str, value: &str) -> Parameter {
        Parameter::builder().name(name).value(value).build()
    }

    #[test]
    fn settings_default_what_they_can_and_require_the_prefix() {
        let settings = Settings::from_env(env(&[("EVENTLAB_PARAMETER_PREFIX", "/lab")])).unwrap();
        assert_eq!(settings.parameter_prefix, "/lab/");
        assert_eq!(settings.facts_base_url, DEFAULT_FACTS_BASE_URL);
        assert_eq!(settings.facts_timeout, Duration::from_millis(800));

        let err = Settings::from_env(env(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable EVENTLAB_PARAMETER_PREFIX is not set"
        );
        let err = Settings::from_env(env(&[
            ("EVENTLAB_PARAMETER_PREFIX", "/l/"),
            ("FACTS_TIMEOUT_MS", "soon"),
        ]));
        assert!(err.unwrap_err().to_string().contains("FACTS_TIMEOUT_MS"));
    }

    #[test]
    fn the_per_request_cap_defaults_to_the_hard_limit_and_rejects_what_it_cannot_honour() {
        let prefix = ("EVENTLAB_PARAMETER_PREFIX", "/lab/");
        assert_eq!(Settings::from_env(env(&[prefix])).unwrap().max_events_per_request, 500);
        let capped = Settings::from_env(env(&[prefix, ("EVENTLAB_MAX_EVENTS_PER_REQUEST", "10")])).unwrap();
        assert_eq!(capped.max_events_per_request, 10);
        for bad in ["0", "501", "ten", "-1"] {
            let err = Settings::from_env(env(&[prefix, ("EVENTLAB_MAX_EVENTS_PER_REQUEST", bad)])).unwrap_err();
            assert!(
                err.to_string().contains("EVENTLAB_MAX_EVENTS_PER_REQUEST"),
                "{bad}: {err}"
            );
        }
    }

    fn all_targets(key: &str) -> GetParametersOutput {
        GetParametersOutput::builder()
            .parameters(parameter("/lab/eventbridge/bus-name", "bus"))
            .parameters(parameter("/lab/sqs/queue-url", "http://queue"))
            .parameters(parameter("/lab/kinesis/stream-name", "stream"))
            .parameters(parameter("/lab/firehose/stream-name", "delivery"))
            .parameters(parameter("/lab/facts/api-key", key))
            .build()
    }

    #[tokio::test]
    async fn loads_every_target_in_one_decrypting_call() {
        let get = mock!(aws_sdk_ssm::Client::get_parameters)
            .match_requests(|req| req.with_decryption() == Some(true) && req.names().len() == 5)
            .then_output(|| all_targets("secret"));
        let ssm = mock_client!(aws_sdk_ssm, RuleMode::Sequential, &[&get]);

        let targets = Targets::load(&ssm, "/lab/").await.unwrap();
        let expected = Targets {
            eventbridge_bus_name: "bus".into(),
            sqs_queue_url: "http://queue".into(),
            kinesis_stream_name: "stream".into(),
            firehose_stream_name: "delivery".into(),
            facts_api_key: Some("secret".into()),
        };
        assert_eq!(targets, expected);
        assert_eq!(get.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_placeholder_key_means_no_key() {
        let get = mock!(aws_sdk_ssm::Client::get_parameters).then_output(|| all_targets(API_KEY_PLACEHOLDER));
        let ssm = mock_client!(aws_sdk_ssm, RuleMode::Sequential, &[&get]);
        assert_eq!(Targets::load(&ssm, "/lab/").await.unwrap().facts_api_key, None);
    }

    #[tokio::test]
    async fn a_missing_target_fails_init_naming_the_parameters() {
        let get = mock!(aws_sdk_ssm::Client::get_parameters).then_output(|| {
            GetParametersOutput::builder()
                .parameters(parameter("/lab/eventbridge/bus-name", "bus"))
                .parameters(parameter("/lab/kinesis/stream-name", "stream"))
                .invalid_parameters("/lab/sqs/queue-url")
                .build()
        });
        let ssm = mock_client!(aws_sdk_ssm, RuleMode::Sequential, &[&get]);
        let err = Targets::load(&ssm, "/lab/").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "SSM parameters missing: /lab/sqs/queue-url, /lab/firehose/stream-name"
        );
    }
}
