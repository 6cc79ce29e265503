//! What a run measured, as the bench recorded it: how it drove each lane ([`Drive`]), every
//! event it sent and every result it found. The figures are [`crate::summary`]'s.

use chrono::{DateTime, Utc};
use eventlab_schema::{ResultRecord, RunId, Service};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How events reach the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// Through API Gateway and the generator, with a JWT, as a learner's curl does.
    Api,
    /// Straight to the service with the SDK, to isolate it.
    Direct,
}

impl Via {
    pub const ALL: [Self; 2] = [Self::Api, Self::Direct];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Direct => "direct",
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Via {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|via| via.as_str() == raw)
            .ok_or_else(|| format!("{raw:?} is neither api nor direct"))
    }
}

/// What to drive through one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drive {
    pub events: u32,
    /// Events per second to publish at.
    pub rate: f64,
    /// Publish calls in flight at most.
    pub concurrency: usize,
    /// Events per publish call (per API request, or per direct publish).
    pub batch: u32,
    pub via: Via,
    pub size_bytes: Option<usize>,
    /// How long to wait for every result once publishing is done.
    pub timeout_secs: u64,
}

/// One published event, as the bench saw it go out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    pub event_id: Uuid,
    /// Position in the whole run (request index × batch + position in the request).
    pub seq: u64,
    /// The publish call that carried it, and that call's client-side time in milliseconds.
    pub call: u32,
    pub call_ms: f64,
}

/// One result line as found in S3.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Found {
    pub record: ResultRecord,
    /// The object that held it, and its line in that object.
    pub key: String,
    pub line: usize,
    /// When the bench first saw the object (polling, so later than it was written).
    pub seen_at: DateTime<Utc>,
}

/// Everything measured for one service in one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaneRun {
    pub service: Service,
    pub run_id: RunId,
    pub drive: Drive,
    pub sent: Vec<Sent>,
    pub failed_to_publish: u64,
    /// Publish calls the bench made (API requests, or direct publish calls).
    pub calls: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub found: Vec<Found>,
    /// Result objects read (one per S3 PUT).
    pub objects: u64,
}
