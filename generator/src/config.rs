//! Configuration: settings from the environment, and the targets with the facts API key.
//!
//! The lab reads its targets once per cold start from SSM Parameter Store, in a single
//! `GetParameters` call. Two other strategies exist so that `eventlab-bench coldstart` can
//! measure what the choice costs (`EVENTLAB_TARGETS_FROM`): looking each target up by name
//! through its own service at INIT (`GetQueueUrl` and friends), and the original write-up's
//! SSM read on every request.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use eventlab_publish::Targets;
use eventlab_schema::limits::MAX_COUNT;
use eventlab_schema::switches::{LOOKUP_NAMES, Strategy, TARGETS_FROM};

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
    /// Where the targets come from, and when.
    pub targets_from: Strategy,
}

pub const DEFAULT_FACTS_BASE_URL: &str = "https://api.api-ninjas.com";
const DEFAULT_FACTS_TIMEOUT_MS: u64 = 800;

impl Settings {
    /// Reads `EVENTLAB_PARAMETER_PREFIX` (required), `FACTS_BASE_URL`, `FACTS_TIMEOUT_MS`,
    /// `EVENTLAB_MAX_EVENTS_PER_REQUEST` (1–500, default 500) and `EVENTLAB_TARGETS_FROM`.
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
        let targets_from = match get(TARGETS_FROM) {
            None => Strategy::default(),
            Some(raw) => raw.parse().map_err(|_| ConfigError::BadEnv(TARGETS_FROM, raw))?,
        };
        Ok(Self {
            max_events_per_request,
            targets_from,
            parameter_prefix,
            facts_base_url: get("FACTS_BASE_URL").unwrap_or_else(|| DEFAULT_FACTS_BASE_URL.to_owned()),
            facts_timeout: Duration::from_millis(facts_timeout_ms),
        })
    }
}

/// Parameter names under the prefix.
pub const EVENTBRIDGE_BUS_NAME: &str = "eventbridge/bus-name";
pub const SQS_QUEUE_URL: &str = "sqs/queue-url";
pub const KINESIS_STREAM_NAME: &str = "kinesis/stream-name";
pub const FIREHOSE_STREAM_NAME: &str = "firehose/stream-name";
pub const SNS_TOPIC_ARN: &str = "sns/topic-arn";
pub const SQS_FIFO_QUEUE_URL: &str = "sqs-fifo/queue-url";
pub const DYNAMODB_TABLE_NAME: &str = "dynamodb/table-name";
pub const FACTS_API_KEY: &str = "facts/api-key";
/// Every name, read in one `GetParameters` call (which takes at most 10).
const ALL_PARAMETERS: [&str; 8] = [
    EVENTBRIDGE_BUS_NAME,
    SQS_QUEUE_URL,
    KINESIS_STREAM_NAME,
    FIREHOSE_STREAM_NAME,
    SNS_TOPIC_ARN,
    SQS_FIFO_QUEUE_URL,
    DYNAMODB_TABLE_NAME,
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
    #[error("looking up {0} failed: {1}")]
    Lookup(&'static str, String),
}

/// Where each request finds its targets.
pub trait TargetSource: Send + Sync {
    fn targets(&self) -> impl Future<Output = Result<Cow<'_, Targets>, ConfigError>> + Send;
}

/// Targets read at INIT serve every request.
impl TargetSource for Targets {
    async fn targets(&self) -> Result<Cow<'_, Targets>, ConfigError> {
        Ok(Cow::Borrowed(self))
    }
}

/// The original design: SSM read again on every request.
#[derive(Debug, Clone)]
pub struct SsmEveryRequest {
    pub ssm: aws_sdk_ssm::Client,
    pub prefix: String,
}

impl TargetSource for SsmEveryRequest {
    async fn targets(&self) -> Result<Cow<'_, Targets>, ConfigError> {
        Targets::load(&self.ssm, &self.prefix).await.map(Cow::Owned)
    }
}

/// The clients [`Targets::look_up`] asks.
#[derive(Debug)]
pub struct LookupClients<'a> {
    pub ssm: &'a aws_sdk_ssm::Client,
    pub eventbridge: &'a aws_sdk_eventbridge::Client,
    pub sqs: &'a aws_sdk_sqs::Client,
    pub kinesis: &'a aws_sdk_kinesis::Client,
    pub firehose: &'a aws_sdk_firehose::Client,
    pub sns: &'a aws_sdk_sns::Client,
    pub dynamodb: &'a aws_sdk_dynamodb::Client,
}

fn lookup_failed(what: &'static str) -> impl Fn(String) -> ConfigError {
    move |message| ConfigError::Lookup(what, message)
}

fn sdk_message(err: impl std::error::Error) -> String {
    // Every SDK crate re-exports the same smithy type; it prints the whole cause chain.
    aws_sdk_ssm::error::DisplayErrorContext(err).to_string()
}

/// Reading the targets: once at INIT from SSM (the lab's design), by looking each up
/// through its own service, or from SSM again on every request.
pub trait TargetsFrom: Sized {
    /// Resolves the targets named in the environment ([`LOOKUP_NAMES`]) through their own
    /// services, and the key through SSM, all concurrently: the lookup strategy.
    fn look_up(
        clients: LookupClients<'_>,
        get: impl Fn(&str) -> Option<String> + Send,
        prefix: &str,
    ) -> impl Future<Output = Result<Self, ConfigError>> + Send;

    /// Reads every target in one `GetParameters` call (at most 10 names; decrypting the
    /// `SecureString` key).
    fn load(ssm: &aws_sdk_ssm::Client, prefix: &str) -> impl Future<Output = Result<Self, ConfigError>> + Send;
}

impl TargetsFrom for Targets {
    /// Resolves the targets named in the environment ([`LOOKUP_NAMES`]) through their own
    /// services, and the key through SSM, all concurrently: the lookup strategy.
    async fn look_up(
        clients: LookupClients<'_>,
        get: impl Fn(&str) -> Option<String> + Send,
        prefix: &str,
    ) -> Result<Self, ConfigError> {
        let [bus, queue, stream, delivery, topic, fifo_queue, table] =
            LOOKUP_NAMES.map(|key| get(key).ok_or(ConfigError::MissingEnv(key)));
        let (bus, queue, stream, delivery) = (bus?, queue?, stream?, delivery?);
        let (topic, fifo_queue, table) = (topic?, fifo_queue?, table?);
        let key_name = format!("{prefix}{FACTS_API_KEY}");
        let queue_url = |name: String| async move {
            let found = clients.sqs.get_queue_url().queue_name(name).send().await;
            found
                .map_err(sdk_message)?
                .queue_url
                .ok_or_else(|| "no QueueUrl in the answer".to_owned())
        };
        // Eight SDK calls in flight make a large future: on the heap, not the stack.
        let (bus, queue_url, stream, delivery, topic, fifo_queue_url, table, key) = Box::pin(async {
            tokio::join!(
                async {
                    let found = clients.eventbridge.describe_event_bus().name(&bus).send().await;
                    found.map(|_| bus).map_err(sdk_message)
                },
                queue_url(queue),
                async {
                    let found = clients
                        .kinesis
                        .describe_stream_summary()
                        .stream_name(&stream)
                        .send()
                        .await;
                    found.map(|_| stream).map_err(sdk_message)
                },
                async {
                    let found = clients
                        .firehose
                        .describe_delivery_stream()
                        .delivery_stream_name(&delivery)
                        .send()
                        .await;
                    found.map(|_| delivery).map_err(sdk_message)
                },
                async {
                    let found = clients.sns.get_topic_attributes().topic_arn(&topic).send().await;
                    found.map(|_| topic).map_err(sdk_message)
                },
                queue_url(fifo_queue),
                async {
                    let found = clients.dynamodb.describe_table().table_name(&table).send().await;
                    found.map(|_| table).map_err(sdk_message)
                },
                async {
                    let found = clients
                        .ssm
                        .get_parameter()
                        .name(&key_name)
                        .with_decryption(true)
                        .send()
                        .await;
                    found
                        .map(|out| out.parameter.and_then(|p| p.value))
                        .map_err(sdk_message)
                },
            )
        })
        .await;
        Ok(Self {
            eventbridge_bus_name: bus.map_err(lookup_failed("the EventBridge bus"))?,
            sqs_queue_url: queue_url.map_err(lookup_failed("the SQS queue URL"))?,
            kinesis_stream_name: stream.map_err(lookup_failed("the Kinesis stream"))?,
            firehose_stream_name: delivery.map_err(lookup_failed("the Firehose stream"))?,
            sns_topic_arn: topic.map_err(lookup_failed("the SNS topic"))?,
            sqs_fifo_queue_url: fifo_queue_url.map_err(lookup_failed("the SQS FIFO queue URL"))?,
            dynamodb_table_name: table.map_err(lookup_failed("the DynamoDB table"))?,
            facts_api_key: usable_key(key.map_err(lookup_failed("the facts API key"))?),
        })
    }

    /// Reads every target in one `GetParameters` call (at most 10 names; decrypting the
    /// `SecureString` key).
    async fn load(ssm: &aws_sdk_ssm::Client, prefix: &str) -> Result<Self, ConfigError> {
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
        let facts_api_key = usable_key(values.remove(FACTS_API_KEY));
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
            sns_topic_arn: required(SNS_TOPIC_ARN),
            sqs_fifo_queue_url: required(SQS_FIFO_QUEUE_URL),
            dynamodb_table_name: required(DYNAMODB_TABLE_NAME),
            facts_api_key,
        };
        if missing.is_empty() {
            Ok(targets)
        } else {
            Err(ConfigError::MissingParameters(missing))
        }
    }
}

/// The key is optional by design: no key (or the placeholder) means fallback facts, not a
/// failed start.
fn usable_key(key: Option<String>) -> Option<String> {
    key.filter(|key| !key.trim().is_empty() && key != API_KEY_PLACEHOLDER)
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
            .parameters(parameter("/lab/sns/topic-arn", "arn:topic"))
            .parameters(parameter("/lab/sqs-fifo/queue-url", "http://queue.fifo"))
            .parameters(parameter("/lab/dynamodb/table-name", "table"))
            .parameters(parameter("/lab/facts/api-key", key))
            .build()
    }

    #[tokio::test]
    async fn loads_every_target_in_one_decrypting_call() {
        let get = mock!(aws_sdk_ssm::Client::get_parameters)
            .match_requests(|req| req.with_decryption() == Some(true) && req.names().len() == 8)
            .then_output(|| all_targets("secret"));
        let ssm = mock_client!(aws_sdk_ssm, RuleMode::Sequential, &[&get]);

        let targets = Targets::load(&ssm, "/lab/").await.unwrap();
        let expected = Targets {
            eventbridge_bus_name: "bus".into(),
            sqs_queue_url: "http://queue".into(),
            kinesis_stream_name: "stream".into(),
            firehose_stream_name: "delivery".into(),
            sns_topic_arn: "arn:topic".into(),
            sqs_fifo_queue_url: "http://queue.fifo".into(),
            dynamodb_table_name: "table".into(),
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
            "SSM parameters missing: /lab/sqs/queue-url, /lab/firehose/stream-name, /lab/sns/topic-arn, \
             /lab/sqs-fifo/queue-url, /lab/dynamodb/table-name"
        );
    }

    #[test]
    fn the_strategy_defaults_to_ssm_at_init_and_rejects_unknown_names() {
        let prefix = ("EVENTLAB_PARAMETER_PREFIX", "/lab/");
        assert_eq!(
            Settings::from_env(env(&[prefix])).unwrap().targets_from,
            Strategy::SsmAtInit
        );
        for strategy in Strategy::ALL {
            let settings = Settings::from_env(env(&[prefix, (TARGETS_FROM, strategy.as_str())])).unwrap();
            assert_eq!(settings.targets_from, strategy);
        }
        let err = Settings::from_env(env(&[prefix, (TARGETS_FROM, "dns")])).unwrap_err();
        assert!(err.to_string().contains(TARGETS_FROM), "{err}");
    }

    #[tokio::test]
    async fn the_per_request_strategy_reads_ssm_on_every_call() {
        let get = mock!(aws_sdk_ssm::Client::get_parameters).then_output(|| all_targets("unset"));
        let ssm = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, &[&get]);
        let source = SsmEveryRequest {
            ssm,
            prefix: "/lab/".into(),
        };
        for _ in 0..3 {
            assert_eq!(source.targets().await.unwrap().sqs_queue_url, "http://queue");
        }
        assert_eq!(get.num_calls(), 3);
    }

    #[tokio::test]
    async fn the_lookup_strategy_resolves_each_name_through_its_service() {
        use aws_sdk_eventbridge::operation::describe_event_bus::DescribeEventBusOutput;
        use aws_sdk_firehose::operation::describe_delivery_stream::DescribeDeliveryStreamOutput;
        use aws_sdk_kinesis::operation::describe_stream_summary::DescribeStreamSummaryOutput;
        use aws_sdk_sqs::operation::get_queue_url::{GetQueueUrlError, GetQueueUrlOutput};
        use aws_sdk_ssm::operation::get_parameter::GetParameterOutput;

        let bus = mock!(aws_sdk_eventbridge::Client::describe_event_bus)
            .match_requests(|req| req.name() == Some("lab-bus"))
            .then_output(|| DescribeEventBusOutput::builder().name("lab-bus").build());
        let queue = mock!(aws_sdk_sqs::Client::get_queue_url)
            .match_requests(|req| req.queue_name() == Some("lab-queue"))
            .then_output(|| GetQueueUrlOutput::builder().queue_url("http://queue/lab-queue").build());
        let fifo_queue = mock!(aws_sdk_sqs::Client::get_queue_url)
            .match_requests(|req| req.queue_name() == Some("lab-queue.fifo"))
            .then_output(|| {
                GetQueueUrlOutput::builder()
                    .queue_url("http://queue/lab-queue.fifo")
                    .build()
            });
        let topic = mock!(aws_sdk_sns::Client::get_topic_attributes)
            .match_requests(|req| req.topic_arn() == Some("arn:lab-topic"))
            .then_output(|| aws_sdk_sns::operation::get_topic_attributes::GetTopicAttributesOutput::builder().build());
        let table = mock!(aws_sdk_dynamodb::Client::describe_table)
            .match_requests(|req| req.table_name() == Some("lab-table"))
            .then_output(|| aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput::builder().build());
        let stream = mock!(aws_sdk_kinesis::Client::describe_stream_summary)
            .then_output(|| DescribeStreamSummaryOutput::builder().build());
        let delivery = mock!(aws_sdk_firehose::Client::describe_delivery_stream)
            .then_output(|| DescribeDeliveryStreamOutput::builder().build());
        let key = mock!(aws_sdk_ssm::Client::get_parameter)
            .match_requests(|req| req.name() == Some("/lab/facts/api-key") && req.with_decryption() == Some(true))
            .then_output(|| {
                GetParameterOutput::builder()
                    .parameter(parameter("/lab/facts/api-key", "k"))
                    .build()
            });
        let (ssm, eventbridge, sqs, kinesis, firehose, sns, dynamodb) = (
            mock_client!(aws_sdk_ssm, RuleMode::MatchAny, &[&key]),
            mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, &[&bus]),
            mock_client!(aws_sdk_sqs, RuleMode::MatchAny, &[&queue, &fifo_queue]),
            mock_client!(aws_sdk_kinesis, RuleMode::MatchAny, &[&stream]),
            mock_client!(aws_sdk_firehose, RuleMode::MatchAny, &[&delivery]),
            mock_client!(aws_sdk_sns, RuleMode::MatchAny, &[&topic]),
            mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, &[&table]),
        );
        let clients = || LookupClients {
            ssm: &ssm,
            eventbridge: &eventbridge,
            sqs: &sqs,
            kinesis: &kinesis,
            firehose: &firehose,
            sns: &sns,
            dynamodb: &dynamodb,
        };
        let names = env(&[
            ("EVENTLAB_EVENTBRIDGE_BUS_NAME", "lab-bus"),
            ("EVENTLAB_SQS_QUEUE_NAME", "lab-queue"),
            ("EVENTLAB_KINESIS_STREAM_NAME", "lab-stream"),
            ("EVENTLAB_FIREHOSE_STREAM_NAME", "lab-delivery"),
            ("EVENTLAB_SNS_TOPIC_ARN", "arn:lab-topic"),
            ("EVENTLAB_SQS_FIFO_QUEUE_NAME", "lab-queue.fifo"),
            ("EVENTLAB_DYNAMODB_TABLE_NAME", "lab-table"),
        ]);
        let targets = Targets::look_up(clients(), &names, "/lab/").await.unwrap();
        assert_eq!(
            targets,
            Targets {
                eventbridge_bus_name: "lab-bus".into(),
                sqs_queue_url: "http://queue/lab-queue".into(),
                kinesis_stream_name: "lab-stream".into(),
                firehose_stream_name: "lab-delivery".into(),
                sns_topic_arn: "arn:lab-topic".into(),
                sqs_fifo_queue_url: "http://queue/lab-queue.fifo".into(),
                dynamodb_table_name: "lab-table".into(),
                facts_api_key: Some("k".into()),
            }
        );

        let err = Targets::look_up(clients(), env(&[]), "/lab/").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable EVENTLAB_EVENTBRIDGE_BUS_NAME is not set"
        );

        let missing = mock!(aws_sdk_sqs::Client::get_queue_url).then_error(|| {
            GetQueueUrlError::QueueDoesNotExist(aws_sdk_sqs::types::error::QueueDoesNotExist::builder().build())
        });
        let sqs = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, &[&missing]);
        let clients = LookupClients { sqs: &sqs, ..clients() };
        let err = Targets::look_up(clients, &names, "/lab/").await.unwrap_err();
        assert!(
            err.to_string().starts_with("looking up the SQS queue URL failed"),
            "{err}"
        );
    }
}
