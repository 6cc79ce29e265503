//! A failure drill's records: the books of every lane over time, each lane's outcome, and
//! what a redrive did. Where each event is found is [`books`]'s.

pub mod books;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use eventlab_schema::{RunId, Service};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use self::books::Books;
use crate::summary::Environment;

/// What a redrive of one lane did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redriven {
    pub lane: String,
    /// `StartMessageMoveTask`, or `receive and re-publish`.
    pub how: String,
    /// Events (or messages, for a move task) sent back into the lane.
    pub moved: u64,
    /// What stayed in the queue, and why.
    pub left: Vec<String>,
}

/// One lane at one moment of the drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the drill started.
    pub at_s: f64,
    pub lanes: BTreeMap<Service, Books>,
}

/// One lane's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaneOutcome {
    pub service: Service,
    pub run_id: RunId,
    pub transformer: String,
    pub failed_to_publish: u64,
    pub books: Books,
    /// Seconds since the start when the lane's books first balanced after the restore.
    pub balanced_at_s: Option<f64>,
    /// Events still waiting at the end (the first 20), with the place they were last known.
    pub missing: Vec<Uuid>,
    pub redriven: Option<Redriven>,
}

/// Everything a drill measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Drill {
    pub id: String,
    pub environment: Environment,
    pub endpoint: Option<String>,
    pub started_at: DateTime<Utc>,
    pub events_per_lane: u32,
    pub rate: f64,
    pub broken_at_s: f64,
    pub restored_at_s: f64,
    pub redriven_at_s: Option<f64>,
    pub ended_at_s: f64,
    pub timed_out: bool,
    pub lanes: Vec<LaneOutcome>,
    pub timeline: Vec<Sample>,
}

impl Drill {
    pub fn unaccounted(&self) -> u64 {
        self.lanes.iter().map(|l| l.books.waiting).sum()
    }
}
