//! Sizing a service for a rate: shards, parallelization, concurrency, mean batch and the
//! wait batching adds, from each consumer's documented polling behaviour.

use eventlab_schema::Service;

use super::{DYNAMODB_STREAM_POLLS_PER_SECOND, MB, ModelArgs, SQS_FIFO_GROUPS, Sizing, quota};
use crate::cost::{self, LambdaProfile};

/// Kinesis shards for a write rate: 1 MiB/s or 1,000 records/s each.
pub fn kinesis_shards(rate: f64, event_bytes: f64) -> u32 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let shards = (rate * event_bytes / MB).max(rate / 1000.0).ceil().max(1.0) as u32;
    shards
}

/// The settings one model row uses for its service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batching {
    pub batch: u32,
    pub window: f64,
    pub firehose_interval: f64,
    pub firehose_size_mb: f64,
}

impl Batching {
    pub fn of(args: &ModelArgs) -> Self {
        Self {
            batch: args.batch,
            window: args.window,
            firehose_interval: args.firehose_interval,
            firehose_size_mb: args.firehose_size_mb,
        }
    }

    /// Firehose's zero buffering delivers "within a few seconds": modelled as 5 s.
    pub(crate) fn firehose_interval_or_zero_buffering(self) -> f64 {
        if self.firehose_interval <= 0.0 {
            5.0
        } else {
            self.firehose_interval
        }
    }
}

/// Sizes `service` for `rate`, or says why it cannot run as configured.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::too_many_lines)]
pub fn size(
    service: Service,
    rate: f64,
    event_bytes: f64,
    publish_batch: u32,
    settings: Batching,
    fixed_shards: Option<u32>,
    lambdas: &LambdaProfile,
) -> Result<Sizing, String> {
    let invoke_seconds = lambdas.transformer.billed_ms / 1000.0;
    let publish_requests = rate / f64::from(publish_batch.max(1));
    let (batch, window) = (f64::from(settings.batch.max(1)), settings.window.max(0.0));
    let mut sizing = match service {
        Service::EventBridge => {
            if publish_requests > quota::EVENTBRIDGE_PUT_EVENTS_PER_SECOND {
                return Err(format!(
                    "{publish_requests:.0} PutEvents/s is over the default quota of 10,000/s (us-east-1; raisable)"
                ));
            }
            Sizing {
                invocations_per_second: rate,
                mean_batch: 1.0,
                concurrency: 0.0,
                shards: 0,
                parallelization_factor: 0,
                added_wait_ms: 0.0,
                max_wait_ms: 0.0,
            }
        }
        Service::Sqs => {
            if settings.batch > 10_000 || (settings.batch > 10 && window < 1.0) {
                return Err(format!(
                    "an SQS batch of {} needs a batching window of at least 1 s (AWS rejects it; 10,000 at most)",
                    settings.batch
                ));
            }
            // A batch closes when full or when the window ends; without a window a poll
            // returns what arrived during one receive round trip (~50 ms).
            let span = (batch / rate).min(window.max(0.05));
            let mean_batch = (rate * span).clamp(1.0, batch);
            let closes_after = if window > 0.0 { (batch / rate).min(window) } else { 0.0 };
            Sizing {
                invocations_per_second: rate / mean_batch,
                mean_batch,
                concurrency: 0.0,
                shards: 0,
                parallelization_factor: 0,
                added_wait_ms: closes_after / 2.0 * 1000.0,
                max_wait_ms: closes_after * 1000.0,
            }
        }
        Service::Kinesis => {
            if settings.batch > 10_000 {
                return Err("a Kinesis batch is 10,000 records at most".to_owned());
            }
            let write_shards = kinesis_shards(rate, event_bytes);
            // Lambda reads each shard at a base rate of once a second (or once a window, if
            // longer), then invokes batches of what it read. One batch per shard is in
            // flight at a time, times the parallelization factor (at most 10).
            let per_shard = |shards: u32| rate / f64::from(shards);
            let span = window.max(1.0);
            let mean_batch = |shards: u32| (per_shard(shards) * span).clamp(1.0, batch);
            let concurrency_per_shard = |shards: u32| per_shard(shards) / mean_batch(shards) * invoke_seconds;
            let mut shards = fixed_shards.unwrap_or(write_shards);
            if shards < write_shards {
                return Err(format!(
                    "{shards} shard(s) take {:.0} records/s at most; {rate} events/s of {event_bytes} B needs {write_shards}",
                    f64::from(shards) * 1000.0_f64.min(MB / event_bytes)
                ));
            }
            let max_factor = f64::from(quota::KINESIS_MAX_PARALLELIZATION);
            while concurrency_per_shard(shards) > max_factor {
                if fixed_shards.is_some() {
                    return Err(format!(
                        "each of the {shards} shard(s) needs {:.1} concurrent batches; the parallelization factor stops at 10",
                        concurrency_per_shard(shards)
                    ));
                }
                shards += 1;
            }
            if shards > quota::KINESIS_SHARDS {
                return Err(format!(
                    "needs {shards} shards, over the default quota of 500 (raisable)"
                ));
            }
            let factor = (concurrency_per_shard(shards).ceil() as u32).clamp(1, quota::KINESIS_MAX_PARALLELIZATION);
            Sizing {
                invocations_per_second: rate / mean_batch(shards),
                mean_batch: mean_batch(shards),
                concurrency: 0.0,
                shards,
                parallelization_factor: factor,
                added_wait_ms: span / 2.0 * 1000.0,
                max_wait_ms: span * 1000.0,
            }
        }
        Service::Sns => {
            if rate > quota::SNS_PUBLISH_MESSAGES_PER_SECOND {
                return Err(format!(
                    "{rate:.0} messages/s is over the topic's default quota of 30,000/s (us-east-1; raisable)"
                ));
            }
            // Push: one asynchronous invocation per message, as soon as it is published.
            Sizing {
                invocations_per_second: rate,
                mean_batch: 1.0,
                concurrency: 0.0,
                shards: 0,
                parallelization_factor: 0,
                added_wait_ms: 0.0,
                max_wait_ms: 0.0,
            }
        }
        Service::SqsFifo => {
            if publish_requests > quota::SQS_FIFO_HIGH_THROUGHPUT_REQUESTS_PER_SECOND {
                return Err(format!(
                    "{publish_requests:.0} SendMessageBatch/s is over 70,000/s, the FIFO high-throughput quota (us-east-1)"
                ));
            }
            // At most 10 a batch and no batching window on a FIFO mapping: a poll returns
            // what arrived during one receive round trip (~50 ms).
            let batch = batch.min(f64::from(quota::SQS_FIFO_MAX_BATCH));
            let mean_batch = (rate * 0.05).clamp(1.0, batch);
            let sizing = Sizing {
                invocations_per_second: rate / mean_batch,
                mean_batch,
                concurrency: 0.0,
                shards: 0,
                parallelization_factor: 0,
                added_wait_ms: 0.0,
                max_wait_ms: 0.0,
            };
            let concurrency = sizing.invocations_per_second * invoke_seconds;
            if concurrency > SQS_FIFO_GROUPS {
                return Err(format!(
                    "needs {concurrency:.1} concurrent batches; a FIFO mapping runs one per message group at a time, and the lab's events fall in 10 groups"
                ));
            }
            sizing
        }
        Service::DynamoDb => {
            let units = rate * ((event_bytes + cost::DYNAMODB_ITEM_EXTRA_BYTES) / 1024.0).ceil();
            if units > quota::DYNAMODB_TABLE_WRITE_UNITS_PER_SECOND {
                return Err(format!(
                    "{units:.0} write units/s is over the table's default quota of 40,000/s (raisable)"
                ));
            }
            // A stream shard per partition, each polled four times a second; one batch per
            // shard at a time.
            let shards = (units / quota::DYNAMODB_PARTITION_WRITE_UNITS_PER_SECOND)
                .ceil()
                .max(1.0);
            let per_shard = rate / shards;
            let span = (1.0 / DYNAMODB_STREAM_POLLS_PER_SECOND).max(window);
            let mean_batch = (per_shard * span).clamp(1.0, batch);
            let per_shard_concurrency = per_shard / mean_batch * invoke_seconds;
            if per_shard_concurrency > 1.0 {
                return Err(format!(
                    "each of ~{shards:.0} stream shard(s) needs {per_shard_concurrency:.1} concurrent batches at batch {batch:.0}: raise the batch size or the parallelization factor"
                ));
            }
            Sizing {
                invocations_per_second: rate / mean_batch,
                mean_batch,
                concurrency: 0.0,
                shards: shards as u32,
                parallelization_factor: 1,
                added_wait_ms: span / 2.0 * 1000.0,
                max_wait_ms: span * 1000.0,
            }
        }
        Service::Firehose => {
            let bytes_per_second = rate * event_bytes;
            if rate > quota::FIREHOSE_RECORDS_PER_SECOND {
                return Err("over 500,000 records/s per stream (default quota, raisable)".to_owned());
            }
            if publish_requests > quota::FIREHOSE_REQUESTS_PER_SECOND {
                return Err(format!(
                    "{publish_requests:.0} PutRecordBatch/s is over 2,000 requests/s per stream (default quota, raisable)"
                ));
            }
            if bytes_per_second > quota::FIREHOSE_BYTES_PER_SECOND {
                return Err(format!(
                    "{:.1} MiB/s is over 5 MiB/s per stream (default quota, raisable)",
                    bytes_per_second / MB
                ));
            }
            // The buffer closes at its size or its interval, whichever comes first; the
            // processor is called per buffer of records (1 MB at most by default).
            let interval = settings.firehose_interval_or_zero_buffering();
            let closes_after = (settings.firehose_size_mb * MB / bytes_per_second).min(interval);
            Sizing {
                invocations_per_second: (bytes_per_second / MB).max(1.0 / closes_after),
                mean_batch: 0.0,
                concurrency: 0.0,
                shards: 0,
                parallelization_factor: 0,
                added_wait_ms: closes_after / 2.0 * 1000.0,
                max_wait_ms: closes_after * 1000.0,
            }
        }
    };
    if sizing.mean_batch == 0.0 {
        sizing.mean_batch = rate / sizing.invocations_per_second;
    }
    sizing.concurrency = sizing.invocations_per_second * invoke_seconds;
    if sizing.concurrency > quota::LAMBDA_CONCURRENCY {
        return Err(format!(
            "needs {:.0} concurrent transformers, over the default account quota of 1,000 (raisable)",
            sizing.concurrency
        ));
    }
    Ok(sizing)
}
