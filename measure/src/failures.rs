//! After a run: what waits in each lane's dead-letter or on-failure queue.
//!
//! On AWS the stack's CloudWatch alarms watch these queues (`terraform/alarms.tf`). The
//! emulator keeps no SQS metrics, so its alarms never fire; the bench reads the queues
//! themselves, the same way on both, so a learner sees the signal locally too.

use serde::{Deserialize, Serialize};

/// One failure queue, read after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDepth {
    pub lane: String,
    pub queue: String,
    /// Messages ready to be read: what the stack's alarm fires on.
    pub waiting: u64,
    /// Messages being read by someone right now.
    pub in_flight: u64,
}

/// What the figures are, for every place they are shown.
pub const PROVENANCE: &str = "Read from each queue (GetQueueAttributes) as the run ends: messages from this run and any earlier one still there; a failure of this run reaches its queue only after the service's retries (minutes on AWS), so read it again later (`make bench` reports it afresh). On AWS a CloudWatch alarm fires on each queue when a message waits (terraform/alarms.tf); the emulator keeps no SQS metrics, so its alarms stay INSUFFICIENT_DATA. Firehose has no such queue: its failures are objects under errors/firehose/.";
