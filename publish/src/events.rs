//! Building lab events: the seed's fields, padding to a size, and one lane per service
//! with each event serialised once and planned by that service's limits.

use chrono::Utc;
use eventlab_schema::{FactSource, ID_RANGE, LabEvent, RunId, Service};
use rand::RngExt;
use uuid::Uuid;

use crate::{Encoded, Lane, Oversized};

/// Grows the event's padding until it serialises to about `size` bytes.
pub fn pad(event: &mut LabEvent, size: usize) {
    const FIELD_OVERHEAD: usize = r#","padding":"""#.len();
    let current = event.to_json().len();
    if size > current + FIELD_OVERHEAD {
        event.padding = "x".repeat(size - current - FIELD_OVERHEAD);
    }
}

/// The same events for every service, each serialised once per lane with its own service and
/// planned into requests by that service's limits. Nothing is published unless every lane
/// can take every event: the first that cannot is the error.
pub fn lanes(services: &[Service], events: &mut [LabEvent]) -> Result<Vec<Lane>, (Service, Oversized)> {
    services
        .iter()
        .map(|&service| {
            let encoded = events
                .iter_mut()
                .map(|event| {
                    retag(event, service);
                    Encoded::of(event)
                })
                .collect();
            Lane::plan(service, encoded).map_err(|e| (service, e))
        })
        .collect()
}

/// Tags a padded event with another service, keeping its serialised size: the service's
/// name is written as is (no escaping), so the padding absorbs the difference in length.
fn retag(event: &mut LabEvent, service: Service) {
    let (old, new) = (event.service.as_str().len(), service.as_str().len());
    if !event.padding.is_empty() {
        let len = (event.padding.len() + old).saturating_sub(new).max(1);
        if len <= event.padding.len() {
            event.padding.truncate(len);
        } else {
            event
                .padding
                .extend(std::iter::repeat_n('x', len - event.padding.len()));
        }
    }
    event.service = service;
}

/// Builds `count` events sharing one fact, each with its own time, id and event id.
pub fn build_events(
    service: Service,
    count: u32,
    run_id: &RunId,
    fact: &str,
    fact_source: FactSource,
    caller: &str,
) -> Vec<LabEvent> {
    let mut rng = rand::rng();
    (0..count)
        .map(|seq| LabEvent {
            time: Utc::now(),
            id: rng.random_range(ID_RANGE),
            service,
            random_fact: fact.to_owned(),
            event_id: Uuid::now_v7(),
            run_id: run_id.clone(),
            seq,
            fact_source,
            requested_by: caller.to_owned(),
            padding: String::new(),
        })
        .collect()
}
