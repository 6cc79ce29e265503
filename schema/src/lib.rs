//! The lab's wire formats, shared by the generator, the transformers and the tools.
//!
//! A [`LabEvent`] is what the generator publishes; a [`ResultRecord`] is what a
//! transformer writes to S3 (one JSON line per event). Field names of the seed lab's
//! event (`time`, `id`, `service`, `random fact`) are kept exactly.
//!
//! It owns the contracts every other crate agrees on and nothing that talks to AWS:
//! the event and result records, the HTTP API's types ([`api`]), every service limit
//! ([`limits`]), the environment switches ([`switches`]) and the results bucket's key
//! layout with its one tolerant reader ([`results`]).

pub mod limits;
pub mod outputs;
pub mod results;
pub mod switches;

pub use switches::DRILL_BREAK_VARIABLE;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The messaging services the lab compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    EventBridge,
    Sqs,
    Kinesis,
    Firehose,
    Sns,
    #[serde(rename = "sqs-fifo")]
    SqsFifo,
    DynamoDb,
}

impl Service {
    pub const ALL: [Service; 7] = [
        Self::EventBridge,
        Self::Sqs,
        Self::Kinesis,
        Self::Firehose,
        Self::Sns,
        Self::SqsFifo,
        Self::DynamoDb,
    ];

    /// The lowercase name used in routes, S3 prefixes and the event's `service` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EventBridge => "eventbridge",
            Self::Sqs => "sqs",
            Self::Kinesis => "kinesis",
            Self::Firehose => "firehose",
            Self::Sns => "sns",
            Self::SqsFifo => "sqs-fifo",
            Self::DynamoDb => "dynamodb",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|service| service.as_str() == s)
            .ok_or_else(|| format!("unknown service {s:?}"))
    }
}

/// Where an event's fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactSource {
    ApiNinjas,
    Fallback,
}

/// `Source` of the generator's EventBridge entries; the bus rule matches on it.
pub const EVENTBRIDGE_SOURCE: &str = "eventlab.generator";
/// `DetailType` of the generator's EventBridge entries; the bus rule matches on it.
pub const EVENTBRIDGE_DETAIL_TYPE: &str = "LabEvent";

/// The range of the seed lab's random `id`.
pub const ID_RANGE: std::ops::RangeInclusive<u16> = 1..=1000;

/// The SQS FIFO lane's message group for a seed id: ten groups of 100 ids each
/// (`ids-001-100` … `ids-901-1000`). FIFO keeps order within a group and lets different
/// groups be consumed in parallel: one group per run would serialise the whole run through
/// one consumer; one per id would give no order worth checking. Ten shows both.
pub fn fifo_group(id: u16) -> String {
    let first = (id.clamp(1, 1000) - 1) / 100 * 100 + 1;
    format!("ids-{first:03}-{}", first + 99)
}

/// One event as published to a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabEvent {
    /// When the generator built the event (RFC 3339, UTC, microseconds).
    #[serde(serialize_with = "rfc3339_micros")]
    pub time: DateTime<Utc>,
    /// The seed lab's random id, 1..=1000.
    pub id: u16,
    pub service: Service,
    #[serde(rename = "random fact")]
    pub random_fact: String,
    /// Unique per event (UUID v7): the key for loss and duplicate detection.
    pub event_id: Uuid,
    /// Groups the events of one request or bench run.
    pub run_id: RunId,
    /// Position of the event within its request, from 0: the key for order checks.
    pub seq: u32,
    pub fact_source: FactSource,
    /// The JWT `sub` of the caller.
    pub requested_by: String,
    /// Filler that brings the event to a size the caller asked for (absent when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub padding: String,
}

/// Why a payload is not a valid [`LabEvent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEvent(pub String);

impl fmt::Display for InvalidEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidEvent {}

impl LabEvent {
    /// Parses and validates an event from its JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, InvalidEvent> {
        let event: Self = serde_json::from_slice(bytes).map_err(|e| InvalidEvent(e.to_string()))?;
        if !ID_RANGE.contains(&event.id) {
            return Err(InvalidEvent(format!("id {} is outside 1..=1000", event.id)));
        }
        Ok(event)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a LabEvent always serialises")
    }
}

/// A run identifier: 1 to 64 characters of `[A-Za-z0-9._-]`, safe inside an S3 key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RunId(String);

impl RunId {
    pub const MAX_LEN: usize = 64;

    /// A fresh, time-ordered run id.
    pub fn generate() -> Self {
        Self(format!("run-{}", Uuid::now_v7().simple()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = InvalidEvent;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if s.is_empty() || s.len() > Self::MAX_LEN || !s.chars().all(valid_char) || s.starts_with('.') {
            return Err(InvalidEvent(format!(
                "run_id must be 1 to {} characters of A-Z, a-z, 0-9, '.', '_' or '-' and not start with '.'",
                Self::MAX_LEN
            )));
        }
        Ok(Self(s.to_owned()))
    }
}

impl<'de> Deserialize<'de> for RunId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a transformer adds to an event: a deterministic, visible change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transformation {
    /// Words in the fact, split on white space.
    pub fact_word_count: usize,
    /// The fact lowercased, with runs of white space folded to one space.
    pub fact_normalised: String,
    /// `low` (1–333), `mid` (334–666) or `high` (667–1000): a derived field to filter on.
    pub id_band: String,
}

/// One line of a transformer's JSON Lines output in S3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    pub event: LabEvent,
    pub transformed: Transformation,
    /// When the transformer received the event.
    #[serde(serialize_with = "rfc3339_micros")]
    pub received_at: DateTime<Utc>,
    /// The transformer's function name.
    pub transformer: String,
    /// The Lambda request id of the invocation that handled the event.
    pub request_id: String,
    /// How many records that invocation received.
    pub batch_size: usize,
    /// Whether the invocation was the first of its execution environment.
    pub cold_start: bool,
    /// Delivery attempt as the service reports it (SQS receive count; 1 where unknown).
    pub attempt: u32,
    /// `received_at - event.time`, in milliseconds.
    pub e2e_ms: f64,
    /// Where the service placed the record in an order it promises (a Kinesis shard and
    /// sequence number); absent where the service promises no order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// A record's place in a service's ordered log: sequence numbers compare within one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The ordering scope (a Kinesis shard id).
    pub scope: String,
    /// The service's sequence number, as the decimal string it sends.
    pub sequence: String,
}

impl Position {
    /// The sequence number as a number, for comparison (Kinesis's fit in 128 bits).
    pub fn sequence_number(&self) -> Option<u128> {
        self.sequence.parse().ok()
    }
}

/// One line of a transformer's error output: a record that can never succeed, kept with
/// its reason instead of being retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRecord {
    /// Why the record was rejected.
    pub reason: String,
    /// The service's id for the record (SQS message id, Kinesis sequence number, …).
    pub record_id: String,
    /// The record's payload as received (lossy UTF-8).
    pub raw: String,
    #[serde(serialize_with = "rfc3339_micros")]
    pub received_at: DateTime<Utc>,
    pub transformer: String,
    pub request_id: String,
}

/// Milliseconds from `from` to `to`, with microsecond precision.
#[allow(clippy::cast_precision_loss)] // microsecond spans stay far below 2^52
pub fn millis_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with signature
fn rfc3339_micros<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Micros, true))
}

pub mod api {
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
}

#[cfg(test)]
mod tests {

    #[test]
    fn fifo_groups_are_ten_bands_of_a_hundred_ids() {
        assert_eq!(fifo_group(1), "ids-001-100");
        assert_eq!(fifo_group(100), "ids-001-100");
        assert_eq!(fifo_group(101), "ids-101-200");
        assert_eq!(fifo_group(1000), "ids-901-1000");
        let groups: std::collections::HashSet<String> = ID_RANGE.map(fifo_group).collect();
        assert_eq!(groups.len(), 10);
    }
    use super::*;

    const EVENT_FIXTURE: &str = include_str!("../tests/fixtures/event.json");
    const RESULT_FIXTURE: &str = include_str!("../tests/fixtures/result.json");

    #[test]
    fn event_fixture_round_trips_with_the_seed_field_names() {
        let event = LabEvent::from_json(EVENT_FIXTURE.as_bytes()).unwrap();
        assert_eq!(event.id, 417);
        assert_eq!(event.service, Service::Sqs);
        assert_eq!(event.fact_source, FactSource::Fallback);
        assert_eq!(event.run_id.as_str(), "fixture-run");

        let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
        let original: serde_json::Value = serde_json::from_str(EVENT_FIXTURE).unwrap();
        assert_eq!(json, original, "serialising must give back the fixture exactly");
        assert!(json.get("random fact").is_some());
    }

    #[test]
    fn time_is_rfc3339_utc_with_microseconds() {
        let event = LabEvent::from_json(EVENT_FIXTURE.as_bytes()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(json["time"], "2026-11-23T10:15:30.123456Z");
    }

    #[test]
    fn result_fixture_round_trips() {
        let record: ResultRecord = serde_json::from_str(RESULT_FIXTURE).unwrap();
        assert_eq!(record.transformed.fact_word_count, 10);
        assert!(record.cold_start);
        let back: serde_json::Value = serde_json::to_value(&record).unwrap();
        let original: serde_json::Value = serde_json::from_str(RESULT_FIXTURE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn invalid_events_are_rejected_with_a_reason() {
        let out_of_range = EVENT_FIXTURE.replace("\"id\": 417", "\"id\": 1001");
        let err = LabEvent::from_json(out_of_range.as_bytes()).unwrap_err();
        assert!(err.0.contains("outside 1..=1000"), "{err}");

        let missing_fact = EVENT_FIXTURE.replace("\"random fact\"", "\"fact\"");
        let err = LabEvent::from_json(missing_fact.as_bytes()).unwrap_err();
        assert!(err.0.contains("random fact"), "{err}");

        let bad_service = EVENT_FIXTURE.replace("\"sqs\"", "\"kafka\"");
        assert!(LabEvent::from_json(bad_service.as_bytes()).is_err());

        assert!(LabEvent::from_json(b"not json").is_err());
    }

    #[test]
    fn run_ids_are_checked_because_they_become_s3_key_segments() {
        assert!("bench-2026_11.a".parse::<RunId>().is_ok());
        for bad in ["", "a/b", "../x", ".hidden", "spaced out", &"x".repeat(65)] {
            assert!(bad.parse::<RunId>().is_err(), "{bad:?} should be rejected");
        }
        let generated = RunId::generate();
        assert_eq!(generated.as_str().parse::<RunId>().unwrap(), generated);
    }

    #[test]
    fn services_parse_from_their_names() {
        for service in Service::ALL {
            assert_eq!(service.as_str().parse::<Service>().unwrap(), service);
            // The route, the S3 prefix and the event's JSON all use the same name.
            assert_eq!(serde_json::to_value(service).unwrap(), service.as_str());
        }
        assert!("kafka".parse::<Service>().is_err());
    }

    #[test]
    fn millis_between_keeps_microseconds() {
        let a = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.000000Z")
            .unwrap()
            .to_utc();
        let b = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.012345Z")
            .unwrap()
            .to_utc();
        assert!((millis_between(a, b) - 12.345).abs() < 1e-9);
    }
}
