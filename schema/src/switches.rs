//! The environment switches the lab's functions read, named once for the functions that
//! read them and the tools that set them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The variable `eventlab-bench drill` sets on a transformer for the length of an outage
/// (its value names the drill): the transformer then fails every invocation.
pub const DRILL_BREAK_VARIABLE: &str = "EVENTLAB_DRILL_BREAK";

/// The variable that tells the one transformer binary which lane it serves (a service's
/// name, as [`crate::Service`] spells it); Terraform sets it on each transformer function.
pub const LANE_VARIABLE: &str = "EVENTLAB_LANE";

/// The variable that selects the generator's [`Strategy`].
pub const TARGETS_FROM: &str = "EVENTLAB_TARGETS_FROM";

/// Names the lookup strategy resolves, from the environment.
pub const LOOKUP_NAMES: [&str; 7] = [
    "EVENTLAB_EVENTBRIDGE_BUS_NAME",
    "EVENTLAB_SQS_QUEUE_NAME",
    "EVENTLAB_KINESIS_STREAM_NAME",
    "EVENTLAB_FIREHOSE_STREAM_NAME",
    // SNS has no look-up by name: the ARN is checked instead.
    "EVENTLAB_SNS_TOPIC_ARN",
    "EVENTLAB_SQS_FIFO_QUEUE_NAME",
    "EVENTLAB_DYNAMODB_TABLE_NAME",
];

/// Where the generator gets its targets, and when (`EVENTLAB_TARGETS_FROM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// One SSM `GetParameters` at INIT: the lab's design.
    #[default]
    SsmAtInit,
    /// Names from the environment, each checked or resolved by its own service at INIT
    /// (`GetQueueUrl`, `DescribeEventBus`, `DescribeStreamSummary`,
    /// `DescribeDeliveryStream`, `GetTopicAttributes`, `DescribeTable`), the key from one
    /// SSM `GetParameter`; all at once.
    LookupAtInit,
    /// One SSM `GetParameters` on every request: the original write-up's design.
    SsmPerRequest,
}

impl Strategy {
    pub const ALL: [Self; 3] = [Self::SsmAtInit, Self::LookupAtInit, Self::SsmPerRequest];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SsmAtInit => "ssm-at-init",
            Self::LookupAtInit => "lookup-at-init",
            Self::SsmPerRequest => "ssm-per-request",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
            format!("{raw:?} is not one of {}", known.join(", "))
        })
    }
}
