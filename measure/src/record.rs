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
    /// A load that changes: these phases in turn, each at its own rate (`rate` is then
    /// their mean). Empty: `rate` throughout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<Phase>,
}

/// One stretch of a changing load: `rate` events per second for `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub rate: f64,
    pub seconds: f64,
}

impl Phase {
    /// Events this phase publishes (rounded to whole events).
    pub fn events(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let events = (self.rate * self.seconds).round() as u32;
        events
    }

    /// `5x60,40x60,5x60`: events per second × seconds, phase after phase.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        text.split(',')
            .map(|part| {
                let (rate, seconds) = part
                    .trim()
                    .split_once('x')
                    .ok_or_else(|| format!("{part:?} is not RATExSECONDS (e.g. 40x60: 40 events/s for 60 s)"))?;
                let number = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0);
                match (number(rate), number(seconds)) {
                    (Some(rate), Some(seconds)) if (Self { rate, seconds }).events() > 0 => Ok(Self { rate, seconds }),
                    _ => Err(format!("{part:?}: a rate and a duration that give at least one event")),
                }
            })
            .collect()
    }
}

impl Drive {
    /// A drive through `profile`: as many events as its phases publish, at their mean rate.
    #[must_use]
    pub fn with_profile(mut self, profile: Vec<Phase>) -> Self {
        self.events = profile.iter().map(|p| p.events()).sum();
        let seconds: f64 = profile.iter().map(|p| p.seconds).sum();
        self.rate = f64::from(self.events) / seconds;
        self.profile = profile;
        self
    }

    /// When each publish call starts, in seconds from the run's start: evenly at `rate`,
    /// or each phase's events at that phase's rate.
    pub fn call_offsets(&self) -> Vec<f64> {
        let calls = self.events.div_ceil(self.batch.max(1));
        (0..calls)
            .map(|call| {
                let first = f64::from(call * self.batch);
                if self.profile.is_empty() {
                    return first / self.rate;
                }
                let (mut start, mut before) = (0.0, 0.0);
                for phase in &self.profile {
                    let events = f64::from(phase.events());
                    if first < before + events {
                        return start + (first - before) / phase.rate;
                    }
                    start += phase.seconds;
                    before += events;
                }
                start
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn drive(events: u32, batch: u32, rate: f64) -> Drive {
        Drive {
            events,
            rate,
            concurrency: 4,
            batch,
            via: Via::Direct,
            size_bytes: None,
            timeout_secs: 60,
            profile: Vec::new(),
        }
    }

    #[test]
    fn a_steady_drive_spaces_its_calls_at_its_rate() {
        assert_eq!(drive(10, 2, 4.0).call_offsets(), vec![0.0, 0.5, 1.0, 1.5, 2.0]);
    }

    #[test]
    fn a_profile_spaces_each_phase_s_calls_at_that_phase_s_rate() {
        let profile = Phase::parse_list("2x2, 10x1,2x1").unwrap();
        let d = drive(0, 1, 1.0).with_profile(profile);
        assert_eq!(d.events, 16, "4 + 10 + 2");
        assert!((d.rate - 4.0).abs() < 1e-9, "16 events over 4 s");
        let offsets = d.call_offsets();
        assert_eq!(offsets.len(), 16);
        assert_eq!(
            &offsets[..5],
            &[0.0, 0.5, 1.0, 1.5, 2.0],
            "quiet, then the busy phase starts at 2 s"
        );
        assert!((offsets[5] - 2.1).abs() < 1e-9 && (offsets[13] - 2.9).abs() < 1e-9);
        assert_eq!(&offsets[14..], &[3.0, 3.5], "quiet again");
    }

    #[test]
    fn profiles_are_read_as_a_learner_writes_them() {
        assert_eq!(
            Phase::parse_list("5x60,40x30").unwrap(),
            vec![
                Phase {
                    rate: 5.0,
                    seconds: 60.0
                },
                Phase {
                    rate: 40.0,
                    seconds: 30.0
                }
            ]
        );
        assert!(Phase::parse_list("5-60").unwrap_err().contains("RATExSECONDS"));
        assert!(Phase::parse_list("0x60").is_err());
        assert!(Phase::parse_list("0.01x10").is_err(), "no event at all");
    }
}
