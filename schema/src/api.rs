//! The HTTP API's wire format: what `POST /<service>` and `POST /all` take and answer.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{FactSource, RunId, Service};

/// Optional JSON body of `POST /<service>` and `POST /all`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// Events to publish, 1–500 (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Groups the events; generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<RunId>,
    /// Pad each event to about this many bytes (serialised), to see what size costs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Published {
    pub event_id: Uuid,
    pub seq: u32,
    /// The service's id for the event (message id, sequence number, event id, record id).
    pub message_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Failed {
    pub event_id: Uuid,
    pub seq: u32,
    pub error: String,
}

/// What publishing to one service gave.
#[derive(Debug, Serialize, Deserialize)]
pub struct LaneOutcome {
    pub service: Service,
    /// Wall time of the publish calls, retries included.
    pub publish_ms: f64,
    pub events: Vec<Published>,
    pub failures: Vec<Failed>,
}

/// The response body of a publishing request.
#[derive(Debug, Serialize, Deserialize)]
pub struct GenerateResponse {
    pub run_id: RunId,
    pub requested: usize,
    pub fact_source: FactSource,
    /// One entry per service published to (one, or four for `/all`).
    pub lanes: Vec<LaneOutcome>,
}

impl GenerateResponse {
    /// Every event published, over all lanes.
    pub fn published(&self) -> impl Iterator<Item = (Service, &Published)> {
        self.lanes
            .iter()
            .flat_map(|lane| lane.events.iter().map(move |event| (lane.service, event)))
    }

    /// The lane for `service`, if the request published to it.
    pub fn lane(&self, service: Service) -> Option<&LaneOutcome> {
        self.lanes.iter().find(|lane| lane.service == service)
    }
}
