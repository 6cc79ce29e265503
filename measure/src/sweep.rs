//! A sweep's settings and points: each service rerun under different batching settings,
//! latency against cost per million events.

use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

/// One batching setting of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Setting {
    /// Event source mapping batch size and window (SQS, Kinesis).
    Mapping { batch_size: i32, window_secs: i32 },
    /// Firehose buffering hints.
    Buffering { size_mb: i32, interval_secs: i32 },
    /// Events per publish call (the consumer side cannot batch: EventBridge).
    PublishBatch { events: u32 },
}

impl Setting {
    pub fn label(self) -> String {
        match self {
            Self::Mapping {
                batch_size,
                window_secs,
            } => format!("batch {batch_size}, {window_secs} s"),
            Self::Buffering { size_mb, interval_secs } => format!("{size_mb} MB / {interval_secs} s"),
            Self::PublishBatch { events } => format!("{events} per publish call"),
        }
    }
}

/// The settings swept per service.
pub fn plan(service: Service) -> Vec<Setting> {
    use Setting::{Buffering, Mapping, PublishBatch};
    match service {
        // Push services have no consumer batching: what varies is the publish call.
        Service::EventBridge | Service::Sns => vec![PublishBatch { events: 1 }, PublishBatch { events: 10 }],
        // A FIFO mapping takes 10 at most and has no batching window.
        Service::SqsFifo => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 10,
                window_secs: 0,
            },
        ],
        Service::DynamoDb => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 0,
            },
        ],
        Service::Sqs => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 10,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 1,
            },
        ],
        Service::Kinesis => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 0,
            },
            Mapping {
                batch_size: 1000,
                window_secs: 1,
            },
        ],
        Service::Firehose => vec![
            Buffering {
                size_mb: 1,
                interval_secs: 0,
            },
            Buffering {
                size_mb: 1,
                interval_secs: 60,
            },
        ],
    }
}

/// One measured point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Point {
    pub service: Service,
    pub setting: Setting,
    pub label: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cost_per_million_usd: f64,
    pub mean_batch: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_settings_within_aws_limits() {
        for service in Service::ALL {
            let settings = plan(service);
            assert!(settings.len() >= 2, "{service}");
            for setting in settings {
                if let Setting::Mapping {
                    batch_size,
                    window_secs,
                } = setting
                {
                    // SQS batches over 10 need a window of at least 1 s.
                    assert!(service != Service::Sqs || batch_size <= 10 || window_secs >= 1);
                    assert!((0..=300).contains(&window_secs));
                }
            }
        }
    }
}
