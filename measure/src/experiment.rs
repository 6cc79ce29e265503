//! The adaptive-batching experiment, pure: a load that changes (a [`Phase`] profile), run
//! once with a small fixed batch, once with a large fixed batch and once with `tune`
//! following the load; what each cost per million events and how its latency held against
//! the target, window by window, with the settings over time — and the same three
//! modelled for AWS, side by side, never merged. `eventlab-bench experiment` runs it and
//! hands the runs here; nothing here talks to AWS.

use chrono::{DateTime, Utc};
use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

use crate::model::{Batching as ModelBatching, ModelArgs, SECONDS_PER_MONTH, row};
use crate::pricing::PriceBook;
use crate::record::{Drive, LaneRun, Phase};
use crate::stats::Latency;
use crate::summary::{Environment, LaneSummary};
use crate::tune::{Knobs, Step};

/// How one variant sets a lane's batching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// A small batch throughout: an invocation for every few events.
    SmallFixed,
    /// A large batch with a window throughout: few invocations, events wait.
    LargeFixed,
    /// `tune` from the small setting, following the load towards the target.
    Tuned,
}

impl Variant {
    pub const ALL: [Self; 3] = [Self::SmallFixed, Self::LargeFixed, Self::Tuned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmallFixed => "small fixed",
            Self::LargeFixed => "large fixed",
            Self::Tuned => "tune",
        }
    }

    /// The settings this variant starts `service` at (and keeps, when fixed). FIFO queues
    /// take at most 10 and no window, so theirs are 1 and 10.
    pub fn start(self, service: Service) -> Knobs {
        let fifo = service == Service::SqsFifo;
        match self {
            Self::SmallFixed | Self::Tuned if fifo => Knobs { batch: 1, window_s: 0 },
            Self::LargeFixed if fifo => Knobs { batch: 10, window_s: 0 },
            Self::SmallFixed | Self::Tuned => Knobs { batch: 10, window_s: 0 },
            Self::LargeFixed => Knobs {
                batch: 100,
                window_s: 5,
            },
        }
    }
}

/// One stretch of a run, by the time its events were published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub from_s: f64,
    pub to_s: f64,
    /// The profile's rate at the window's middle, events per second.
    pub load_per_s: f64,
    /// Distinct events published in the window that landed.
    pub landed: u64,
    /// Publish → transformer, ms, over those events.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Settings from `at_s` seconds into the run on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub at_s: f64,
    pub knobs: Knobs,
}

/// The same variant on AWS, by the model, at each phase's rate with the settings in force
/// at the phase's middle: what it would cost and the wait its batching would add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwsSide {
    /// Event-weighted over the phases; `None` when a phase's setting cannot run.
    pub usd_per_million: Option<f64>,
    /// Event-weighted mean wait batching adds, ms.
    pub added_wait_ms: Option<f64>,
    /// The longest wait batching adds in any phase, ms: what the p99 meets.
    pub max_wait_ms: Option<f64>,
}

/// One variant on one lane: what it cost and how its latency held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub variant: Variant,
    pub service: Service,
    pub published: u64,
    pub landed: u64,
    pub invocations: u64,
    pub mean_batch: f64,
    /// From the counted invocations and measured REPORT durations, here.
    pub usd_per_million: f64,
    pub end_to_end: Option<Latency>,
    pub windows: Vec<Window>,
    /// Windows whose p99 was over the target.
    pub windows_over_target: usize,
    pub settings: Vec<Setting>,
    pub aws: AwsSide,
}

/// The whole experiment, as `experiment.json` holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Experiment {
    pub created_at: DateTime<Utc>,
    pub environment: Environment,
    pub target_p99_ms: f64,
    pub window_s: f64,
    pub profile: Vec<Phase>,
    pub outcomes: Vec<Outcome>,
    /// Every decision `tune` took, as it logged them.
    pub steps: Vec<Step>,
}

/// The profile's rate `at_s` seconds in.
pub fn load_at(profile: &[Phase], at_s: f64) -> f64 {
    let mut start = 0.0;
    for phase in profile {
        if at_s < start + phase.seconds {
            return phase.rate;
        }
        start += phase.seconds;
    }
    0.0
}

/// The run cut into `width_s` windows by publish time: each window's load and the latency
/// of the events published in it (first copies only).
pub fn windows(lane: &LaneRun, width_s: f64) -> Vec<Window> {
    let total: f64 = lane.drive.profile.iter().map(|p| p.seconds).sum();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let count = (total / width_s).ceil().max(1.0) as usize;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); count];
    let mut seen = std::collections::HashSet::new();
    for found in &lane.found {
        let record = &found.record;
        if !seen.insert(record.event.event_id) {
            continue;
        }
        let at = (record.event.time - lane.started_at).num_milliseconds();
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let index = ((at.max(0) as f64 / 1000.0) / width_s) as usize;
        samples[index.min(count - 1)].push(record.e2e_ms);
    }
    samples
        .into_iter()
        .enumerate()
        .map(|(i, samples)| {
            #[allow(clippy::cast_precision_loss)]
            let from_s = i as f64 * width_s;
            let to_s = (from_s + width_s).min(total);
            let latency = Latency::of(&samples);
            Window {
                from_s,
                to_s,
                load_per_s: load_at(&lane.drive.profile, f64::midpoint(from_s, to_s)),
                landed: samples.len() as u64,
                p50_ms: latency.map(|l| l.p50),
                p99_ms: latency.map(|l| l.p99),
            }
        })
        .collect()
}

/// The settings over the run: `start` from 0 s, then each change `tune` applied to
/// `service`, at its time from `started_at`.
pub fn settings(start: Knobs, steps: &[Step], service: Service, started_at: DateTime<Utc>) -> Vec<Setting> {
    let mut settings = vec![Setting {
        at_s: 0.0,
        knobs: start,
    }];
    for step in steps.iter().filter(|s| s.lane == service && s.changed) {
        #[allow(clippy::cast_precision_loss)]
        let at_s = ((step.at - started_at).num_milliseconds().max(0) as f64) / 1000.0;
        settings.push(Setting { at_s, knobs: step.to });
    }
    settings
}

/// The settings in force `at_s` seconds in.
pub fn setting_at(settings: &[Setting], at_s: f64) -> Knobs {
    settings
        .iter()
        .take_while(|s| s.at_s <= at_s)
        .last()
        .or(settings.first())
        .map_or(Knobs { batch: 10, window_s: 0 }, |s| s.knobs)
}

/// The variant on AWS, by the model: each phase at its rate with the settings in force at
/// its middle, weighted by the events each phase publishes.
pub fn aws_side(service: Service, drive: &Drive, settings: &[Setting], event_bytes: f64) -> AwsSide {
    let book = PriceBook::us_east_1();
    let (mut usd, mut wait, mut max_wait, mut events) = (0.0, 0.0, 0.0_f64, 0.0);
    let mut start = 0.0;
    for phase in &drive.profile {
        let knobs = setting_at(settings, start + phase.seconds / 2.0);
        start += phase.seconds;
        let args = ModelArgs {
            rates: vec![phase.rate],
            event_bytes,
            publish_batch: drive.batch,
            direct: true,
            ..ModelArgs::default()
        };
        let batching = ModelBatching {
            batch: knobs.batch,
            window: f64::from(knobs.window_s),
            firehose_interval: 60.0,
            firehose_size_mb: 1.0,
        };
        let modelled = row(service, &args, batching, phase.rate, &book);
        let (Some(monthly), Some(sizing)) = (modelled.monthly_usd, modelled.sizing) else {
            return AwsSide {
                usd_per_million: None,
                added_wait_ms: None,
                max_wait_ms: None,
            };
        };
        let weight = f64::from(phase.events());
        usd += monthly / (phase.rate * SECONDS_PER_MONTH) * 1e6 * weight;
        wait += sizing.added_wait_ms * weight;
        max_wait = max_wait.max(sizing.max_wait_ms);
        events += weight;
    }
    AwsSide {
        usd_per_million: (events > 0.0).then(|| usd / events),
        added_wait_ms: (events > 0.0).then(|| wait / events),
        max_wait_ms: (events > 0.0).then_some(max_wait),
    }
}

/// One variant's outcome on one lane, from its run, that run's summary and `tune`'s steps.
pub fn outcome(
    variant: Variant,
    lane: &LaneRun,
    summary: &LaneSummary,
    steps: &[Step],
    window_s: f64,
    target_p99_ms: f64,
) -> Outcome {
    let cut = windows(lane, window_s);
    let settings = settings(variant.start(lane.service), steps, lane.service, lane.started_at);
    Outcome {
        variant,
        service: lane.service,
        published: lane.sent.len() as u64,
        landed: summary.delivery.delivered,
        invocations: summary.batching.invocations,
        mean_batch: summary.batching.mean_batch,
        usd_per_million: summary.cost_per_million_usd(),
        end_to_end: summary.end_to_end,
        windows_over_target: cut
            .iter()
            .filter(|w| w.p99_ms.is_some_and(|p| p > target_p99_ms))
            .count(),
        aws: aws_side(lane.service, &lane.drive, &settings, summary.workload.event_bytes),
        windows: cut,
        settings,
    }
}

/// The answer in a sentence per lane: what `tune` cost against each fixed setting, and
/// whether each held the target, here and (modelled) on AWS.
pub fn findings(experiment: &Experiment) -> Vec<String> {
    let mut findings = Vec::new();
    let here = match experiment.environment {
        Environment::LocalEmulator => "here (local emulator)",
        Environment::Aws => "here (AWS)",
    };
    let lanes: std::collections::BTreeSet<Service> = experiment.outcomes.iter().map(|o| o.service).collect();
    for service in lanes {
        let of = |variant: Variant| {
            experiment
                .outcomes
                .iter()
                .find(|o| o.service == service && o.variant == variant)
        };
        let (Some(small), Some(large), Some(tuned)) =
            (of(Variant::SmallFixed), of(Variant::LargeFixed), of(Variant::Tuned))
        else {
            continue;
        };
        let held = |o: &Outcome| {
            let total = o.windows.iter().filter(|w| w.p99_ms.is_some()).count();
            format!("{} of {total} windows over the target", o.windows_over_target)
        };
        findings.push(format!(
            "{service}, {here}: tune ${:.3}/M events ({}), small fixed ${:.3}/M ({}), large fixed ${:.3}/M ({}).",
            tuned.usd_per_million,
            held(tuned),
            small.usd_per_million,
            held(small),
            large.usd_per_million,
            held(large),
        ));
        let aws = |o: &Outcome| match (o.aws.usd_per_million, o.aws.max_wait_ms) {
            (Some(usd), Some(wait)) => format!(
                "${usd:.3}/M, batching adds up to {:.1} s{}",
                wait / 1000.0,
                if wait > experiment.target_p99_ms {
                    " (over the target)"
                } else {
                    ""
                }
            ),
            _ => "cannot run as set".to_owned(),
        };
        findings.push(format!(
            "{service} on AWS, modelled (not measured) with the same settings per phase: tune {}; small fixed {}; large fixed {}.",
            aws(tuned),
            aws(small),
            aws(large)
        ));
        let knobs = |k: Knobs| format!("batch {} / window {} s", k.batch, k.window_s);
        let changes = tuned.settings.len().saturating_sub(1);
        let mut path: Vec<String> = tuned.settings.iter().map(|s| knobs(s.knobs)).collect();
        path.dedup();
        findings.push(format!(
            "tune changed {service}'s settings {changes} time{}: {}.",
            if changes == 1 { "" } else { "s" },
            path.join(" → ")
        ));
    }
    if experiment.environment == Environment::LocalEmulator {
        findings.push(
            "The emulator ignores the batching window, so here a large batch waits for nothing: its latency cost shows only in the AWS model."
                .to_owned(),
        );
    }
    findings
}

#[cfg(test)]
mod tests;
