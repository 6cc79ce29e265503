//! Every limit the lab works within, in one place: what the HTTP API accepts, what each
//! service's batch publish call takes, and how long the lab keeps what it writes.
//!
//! The publishers plan their requests by these numbers and the cost model prices calls by
//! them, so a changed quota is changed here once.

use std::time::Duration;

use crate::Service;

/// Events one request may ask for at most, whatever the stack's cap (`PutRecords`' and
/// `PutRecordBatch`'s entries per call).
pub const MAX_COUNT: u32 = 500;
/// Largest event size a request may ask for: above every service's limit, so that
/// limit's 413 can be seen, and small enough to stay well inside Lambda's memory.
pub const MAX_EVENT_BYTES: usize = 2 * 1024 * 1024;
/// Largest `count * size_bytes` a request may ask for.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// How long the lab keeps a DynamoDB lane's item (its TTL attribute): a day covers any run
/// and its report. DynamoDB's TTL deletes later items within days, for free, so the table
/// does not grow with every run; the stream record is what the lane is about.
pub const DYNAMODB_KEEP_ITEMS_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// One service's batch publish call: how many entries and bytes it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// The call's name in the service's API.
    pub call: &'static str,
    /// Entries per request.
    pub max_entries: usize,
    /// Bytes per request, as the service counts them.
    pub max_request_bytes: usize,
    /// Bytes per entry, as the service counts them.
    pub max_entry_bytes: usize,
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// `PutEvents`: 10 entries, 1 MB per request and per entry (since 2026-01).
pub const EVENTBRIDGE: BatchLimits = BatchLimits {
    call: "PutEvents",
    max_entries: 10,
    max_request_bytes: MIB,
    max_entry_bytes: MIB,
};
/// `SendMessageBatch`: 10 entries, 1 MiB for all bodies together (standard and FIFO).
pub const SQS: BatchLimits = BatchLimits {
    call: "SendMessageBatch",
    max_entries: 10,
    max_request_bytes: MIB,
    max_entry_bytes: MIB,
};
/// `PutRecords`: 500 records, 5 MiB per request, 1 MiB per record (data and key).
pub const KINESIS: BatchLimits = BatchLimits {
    call: "PutRecords",
    max_entries: 500,
    max_request_bytes: 5 * MIB,
    max_entry_bytes: MIB,
};
/// `PutRecordBatch`: 500 records, 4 MiB per request, 1,000 KiB per record.
pub const FIREHOSE: BatchLimits = BatchLimits {
    call: "PutRecordBatch",
    max_entries: 500,
    max_request_bytes: 4 * MIB,
    max_entry_bytes: 1000 * KIB,
};
/// `PublishBatch`: 10 entries, 256 KiB for the whole request (the topic's default
/// `MaximumMessageSize`).
pub const SNS: BatchLimits = BatchLimits {
    call: "PublishBatch",
    max_entries: 10,
    max_request_bytes: 256 * KIB,
    max_entry_bytes: 256 * KIB,
};
/// `BatchWriteItem`: 25 items, 16 MB per request, 400 KB per item.
pub const DYNAMODB: BatchLimits = BatchLimits {
    call: "BatchWriteItem",
    max_entries: 25,
    max_request_bytes: 16 * MIB,
    max_entry_bytes: 400 * KIB,
};

/// The batch publish call of `service`.
pub const fn batch_limits(service: Service) -> BatchLimits {
    match service {
        Service::EventBridge => EVENTBRIDGE,
        Service::Sqs | Service::SqsFifo => SQS,
        Service::Kinesis => KINESIS,
        Service::Firehose => FIREHOSE,
        Service::Sns => SNS,
        Service::DynamoDb => DYNAMODB,
    }
}

/// Publish calls `service` needs for `batch` events (its count limit only).
pub fn publish_calls(service: Service, batch: u32) -> u32 {
    batch.div_ceil(u32::try_from(batch_limits(service).max_entries).unwrap_or(u32::MAX))
}

/// An event's Kinesis partition key: its random `id` (1–1000), which spreads a run over
/// every shard while keeping several events per key, so per-key ordering can be checked.
pub fn kinesis_partition_key(id: u16) -> String {
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_a_batch_call_that_fits_the_api_maximum_in_few_calls() {
        for service in Service::ALL {
            let limits = batch_limits(service);
            assert!(limits.max_entry_bytes <= limits.max_request_bytes, "{service}");
            assert!(publish_calls(service, MAX_COUNT) <= 50, "{service}");
        }
        assert_eq!(publish_calls(Service::Sqs, 25), 3);
        assert_eq!(publish_calls(Service::Kinesis, 25), 1);
        assert_eq!(publish_calls(Service::DynamoDb, 26), 2);
        assert_eq!(publish_calls(Service::SqsFifo, 10), 1);
    }
}
