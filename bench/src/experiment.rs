//! `experiment`: the adaptive-batching experiment. The same changing load (a rate profile)
//! is driven through the same lanes three times — a small fixed batch, a large fixed batch,
//! and `tune` following the load from the small one — and the report sets them side by
//! side with the same three modelled for AWS ([`eventlab_measure::experiment`]). Each lane's
//! settings are kept in the tune ledger before anything changes them and restored at the
//! end, on Ctrl-C or SIGTERM, on a failure, and after a killed run by `tune --restore`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use eventlab_measure::experiment::{Experiment, Outcome, Variant, outcome};
use eventlab_measure::record::{Drive, LaneRun, Phase};
use eventlab_measure::tune::Step;
use eventlab_schema::{RunId, Service};

use crate::mappings::Mappings;
use crate::session::Session;
use crate::tune::{Original, Originals};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub lanes: Vec<Service>,
    pub profile: Vec<Phase>,
    /// Events per publish call, and the rest of the drive.
    pub drive: Drive,
    pub target_p99: Duration,
    /// How often `tune` decides.
    pub interval: Duration,
    /// The report's latency windows, seconds.
    pub window_s: f64,
}

/// Runs every variant, restores the lanes, writes `experiment.json` and `experiment.html`
/// into a new folder under `out`, and returns the experiment and the page's path.
pub async fn run(session: &Session, originals: &Originals, plan: &Plan, out: &Path) -> Result<(Experiment, PathBuf)> {
    let config = eventlab_client::stack::sdk_config(&session.lab.stack).await;
    let mappings = Mappings::new(aws_sdk_lambda::Client::new(&config));
    let leftovers = originals.restore(&mappings).await?;
    if !leftovers.is_empty() {
        eprintln!("restored the batching an earlier run left changed");
    }
    let lanes = crate::tune::lanes(&session.lab.stack, &mappings, &plan.lanes).await?;
    let kept: Vec<Original> = lanes.iter().map(Original::of).collect();
    originals.keep(&kept)?;
    let outcome = tokio::select! {
        ran = variants(session, &mappings, &kept, plan) => ran,
        signal = crate::drill::interrupted() => Err(anyhow::anyhow!("interrupted ({signal})")),
    };
    let restored = originals
        .restore(&mappings)
        .await
        .context("restoring the lanes' batching");
    let (outcomes, steps) = outcome?;
    restored?;
    let experiment = Experiment {
        created_at: Utc::now(),
        environment: session.environment(),
        target_p99_ms: plan.target_p99.as_secs_f64() * 1000.0,
        window_s: plan.window_s,
        profile: plan.profile.clone(),
        outcomes,
        steps,
    };
    let folder = out.join(format!("experiment-{}", experiment.created_at.format("%Y%m%dT%H%M%SZ")));
    crate::cmd::write_files(&folder, &eventlab_render::experiment::files(&experiment)?)?;
    Ok((experiment, folder.join("experiment.html")))
}

/// Every variant in turn on every lane at once: the outcomes and `tune`'s decisions.
async fn variants(
    session: &Session,
    mappings: &Mappings,
    lanes: &[Original],
    plan: &Plan,
) -> Result<(Vec<Outcome>, Vec<Step>)> {
    let stamp = Utc::now().format("%H%M%S");
    let drive = plan.drive.clone().with_profile(plan.profile.clone());
    let mut outcomes = Vec::new();
    let mut all_steps = Vec::new();
    for variant in Variant::ALL {
        eprintln!("==> {}: {}", variant.as_str(), describe(variant, lanes));
        for lane in lanes {
            mappings.set(&lane.uuid, variant.start(lane.service)).await?;
        }
        let bench_id = format!("exp{stamp}-{}", short(variant));
        let driving = drive_lanes(session, &bench_id, lanes, &drive);
        let (runs, steps) = if variant == Variant::Tuned {
            let tune = crate::tune::Plan {
                lanes: lanes.iter().map(|l| l.service).collect(),
                target_p99: plan.target_p99,
                interval: plan.interval,
                run_for: None,
                watch_port: None,
            };
            let tuned = crate::tune::lanes(&session.lab.stack, mappings, &tune.lanes).await?;
            let (page, _) = tokio::sync::watch::channel(crate::watch::board::Snapshot::default());
            let mut steps = Vec::new();
            let mut log = std::io::sink();
            let following =
                crate::tune::follow(&session.lab.stack, mappings, tuned, &tune, &mut log, &page, &mut steps);
            let runs = tokio::select! {
                runs = driving => runs?,
                failed = following => {
                    failed?;
                    anyhow::bail!("tune stopped before the load did");
                }
            };
            (runs, steps)
        } else {
            (driving.await?, Vec::new())
        };
        let summary = session.summarise(&bench_id, &drive, &runs).await;
        for (run, lane) in runs.iter().zip(&summary.lanes) {
            outcomes.push(outcome(
                variant,
                run,
                lane,
                &steps,
                plan.window_s,
                plan.target_p99.as_secs_f64() * 1000.0,
            ));
        }
        all_steps.extend(steps);
    }
    Ok((outcomes, all_steps))
}

/// The profile through every lane at once (each lane its own run id).
async fn drive_lanes(session: &Session, bench_id: &str, lanes: &[Original], drive: &Drive) -> Result<Vec<LaneRun>> {
    let runs = lanes.iter().map(|lane| async move {
        let run_id: RunId = format!("{bench_id}-{}", lane.service).parse()?;
        crate::run::run_lane(&session.lab, lane.service, run_id, drive).await
    });
    futures_util::future::join_all(runs).await.into_iter().collect()
}

fn short(variant: Variant) -> &'static str {
    match variant {
        Variant::SmallFixed => "small",
        Variant::LargeFixed => "large",
        Variant::Tuned => "tune",
    }
}

fn describe(variant: Variant, lanes: &[Original]) -> String {
    lanes
        .iter()
        .map(|lane| {
            let knobs = variant.start(lane.service);
            format!(
                "{} batch {} window {} s{}",
                lane.service,
                knobs.batch,
                knobs.window_s,
                if variant == Variant::Tuned { " (then tune)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
