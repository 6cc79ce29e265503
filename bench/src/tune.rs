//! `tune`: batching that follows demand. Every interval it reads each batching lane's live
//! signals from the watch (delivery p99 over the last minute, events landed, batch sizes,
//! the source queue's depth), asks the controller in `eventlab-measure` for the next batch
//! size and window, applies them to the lane's event source mapping, and writes one JSON
//! line per decision with its inputs and reason; with a port, it serves the watch page too,
//! each lane showing its settings and the last decision. The settings it found are kept in
//! `.state/<stack>/tune-originals.json` until they are restored — on exit, on Ctrl-C or
//! SIGTERM, on a failure, and after a killed run by `tune --restore`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use eventlab_client::stack::Stack;
use eventlab_measure::tune::{Bounds, Decision, Knobs, Signals, Step, bounds, decide};
use eventlab_schema::Service;
use serde::{Deserialize, Serialize};

use crate::mappings::Mappings;
use crate::watch::Watcher;
use crate::watch::board::{LaneSnapshot, Snapshot};

/// What to tune, towards what, how often and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    pub lanes: Vec<Service>,
    pub target_p99: Duration,
    pub interval: Duration,
    /// Stop after this long; `None`: until interrupted.
    pub run_for: Option<Duration>,
    /// Serve the watch page on this port of 127.0.0.1 while tuning (0: any free port).
    pub watch_port: Option<u16>,
}

/// A lane's mapping as `tune` found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    pub service: Service,
    pub uuid: String,
    pub knobs: Knobs,
}

impl Original {
    pub(crate) fn of(lane: &Tuned) -> Self {
        Self {
            service: lane.service,
            uuid: lane.uuid.clone(),
            knobs: lane.knobs,
        }
    }
}

/// The settings to put back, in a file beside the stack's outputs until they are.
#[derive(Debug, Clone)]
pub struct Originals {
    path: PathBuf,
}

impl Originals {
    pub fn beside(outputs: &Path) -> Self {
        Self {
            path: outputs
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("tune-originals.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<Vec<Original>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("reading {}", self.path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(err) => Err(err).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    pub(crate) fn keep(&self, originals: &[Original]) -> Result<()> {
        std::fs::write(&self.path, serde_json::to_vec_pretty(originals)?)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    /// Puts every kept setting back and forgets them; the lanes restored.
    pub async fn restore(&self, mappings: &Mappings) -> Result<Vec<Service>> {
        let originals = self.read()?;
        for original in &originals {
            mappings
                .set(&original.uuid, original.knobs)
                .await
                .with_context(|| format!("restoring {}'s batching", original.service))?;
        }
        match std::fs::remove_file(&self.path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.into()),
            _ => {}
        }
        Ok(originals.iter().map(|o| o.service).collect())
    }
}

/// What the controller sees of `lane`, `seconds` after the `landed` count of the last look.
pub fn signals(lane: &LaneSnapshot, landed_before: u64, seconds: f64) -> Signals {
    #[allow(clippy::cast_precision_loss)]
    let recent = (!lane.recent_batches.is_empty())
        .then(|| lane.recent_batches.iter().map(|b| f64::from(*b)).sum::<f64>() / lane.recent_batches.len() as f64);
    #[allow(clippy::cast_precision_loss)]
    let events_per_s = lane.landed.saturating_sub(landed_before) as f64 / seconds.max(1e-3);
    Signals {
        p99_ms: lane.e2e_p99_ms,
        events_per_s,
        mean_batch: recent.or(lane.mean_batch),
        backlog: lane.source_queue.map(|q| q.waiting),
    }
}

/// Tunes until the plan's time is up or a signal arrives, then restores every lane. With a
/// `watch_port`, it also serves the watch page, each lane with its settings and the last
/// decision (the watch and `tune` share the bucket's notices, so one process reads them).
/// Returns every decision, as logged.
pub async fn run(
    stack: &Stack,
    originals: &Originals,
    plan: &Plan,
    log: &mut (impl Write + Send),
) -> Result<Vec<Step>> {
    let config = eventlab_client::stack::sdk_config(stack).await;
    let mappings = Mappings::new(aws_sdk_lambda::Client::new(&config));
    let leftovers = originals.restore(&mappings).await?;
    if !leftovers.is_empty() {
        eprintln!(
            "restored the batching an earlier tune left changed: {}",
            names(&leftovers)
        );
    }
    let (page, snapshots) = tokio::sync::watch::channel(Snapshot::default());
    let server = match plan.watch_port {
        Some(port) => {
            let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
                .await
                .with_context(|| format!("binding 127.0.0.1:{port} for the watch page"))?;
            eprintln!(
                "watching at http://{}/ (each lane's batching and the last decision)",
                listener.local_addr()?
            );
            Some(tokio::spawn(crate::watch::server::serve(listener, snapshots)))
        }
        None => None,
    };
    let mut steps = Vec::new();
    let outcome = tokio::select! {
        tuned = tune(stack, &mappings, originals, plan, log, &page, &mut steps) => tuned,
        signal = crate::drill::interrupted() => {
            eprintln!("tune interrupted ({signal}): restoring the lanes' settings");
            Ok(())
        }
    };
    if let Some(server) = server {
        server.abort();
    }
    let restored = originals
        .restore(&mappings)
        .await
        .context("restoring the lanes' batching settings");
    outcome.and(restored.map(|lanes| eprintln!("restored: {}", names(&lanes))))?;
    Ok(steps)
}

fn names(lanes: &[Service]) -> String {
    lanes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// A lane being tuned: its limits, its mapping and its settings now.
pub(crate) struct Tuned {
    service: Service,
    bounds: Bounds,
    uuid: String,
    knobs: Knobs,
    /// Its landed count at the last decision.
    landed: u64,
}

async fn tune(
    stack: &Stack,
    mappings: &Mappings,
    originals: &Originals,
    plan: &Plan,
    log: &mut (impl Write + Send),
    page: &tokio::sync::watch::Sender<Snapshot>,
    steps: &mut Vec<Step>,
) -> Result<()> {
    let lanes = lanes(stack, mappings, &plan.lanes).await?;
    let found: Vec<Original> = lanes.iter().map(Original::of).collect();
    originals.keep(&found)?;
    follow(stack, mappings, lanes, plan, log, page, steps).await
}

/// Each lane's limits, mapping and settings now; an error for a lane without knobs.
pub(crate) async fn lanes(stack: &Stack, mappings: &Mappings, services: &[Service]) -> Result<Vec<Tuned>> {
    let mut lanes = Vec::new();
    for &service in services {
        let bounds = bounds(service).with_context(|| format!("{service} has no batching knobs to tune"))?;
        let function = stack
            .functions
            .get(&format!("transform-{service}"))
            .with_context(|| format!("the stack has no transform-{service} function"))?;
        let (uuid, knobs) = mappings.get(function).await?;
        lanes.push(Tuned {
            service,
            bounds,
            uuid,
            knobs,
            landed: 0,
        });
    }
    Ok(lanes)
}

/// The control loop: reads the watch every second, decides every interval, applies and
/// logs each decision, until the plan's time is up (or forever).
pub(crate) async fn follow(
    stack: &Stack,
    mappings: &Mappings,
    mut lanes: Vec<Tuned>,
    plan: &Plan,
    log: &mut (impl Write + Send),
    page: &tokio::sync::watch::Sender<Snapshot>,
    steps: &mut Vec<Step>,
) -> Result<()> {
    let mut watcher = Watcher::connect(stack, Utc::now(), Duration::from_secs(1)).await?;
    let started = tokio::time::Instant::now();
    let target_ms = plan.target_p99.as_secs_f64() * 1000.0;
    // The watch is read every second (the page stays live); decisions come every interval.
    let mut ticker = tokio::time::interval(watcher.poll_interval());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = tokio::time::Instant::now();
    loop {
        ticker.tick().await;
        let snapshot = watcher.poll().await;
        let due = last.elapsed() >= plan.interval;
        // A decision shows on the page from the next poll on, a second later.
        page.send_replace(snapshot.clone());
        if !due {
            continue;
        }
        let seconds = last.elapsed().as_secs_f64();
        last = tokio::time::Instant::now();
        for lane in &mut lanes {
            let Some(seen) = snapshot.lanes.iter().find(|l| l.service == lane.service) else {
                continue;
            };
            let signals = signals(seen, lane.landed, seconds);
            lane.landed = seen.landed;
            let Decision { knobs, changed, reason } = decide(lane.knobs, &signals, target_ms, lane.bounds);
            // Applied first, then logged: a logged change is one the mapping has.
            if changed {
                mappings.set(&lane.uuid, knobs).await?;
            }
            let step = Step {
                at: Utc::now(),
                lane: lane.service,
                target_p99_ms: target_ms,
                signals,
                from: lane.knobs,
                to: knobs,
                changed,
                reason,
            };
            writeln!(log, "{}", serde_json::to_string(&step)?)?;
            log.flush()?;
            watcher.decided(lane.service, knobs, step.reason.clone());
            lane.knobs = knobs;
            steps.push(step);
        }
        if plan.run_for.is_some_and(|limit| started.elapsed() >= limit) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::board::{InFlightBasis, QueueCounts};

    fn lane(landed: u64, recent_batches: Vec<u32>) -> LaneSnapshot {
        LaneSnapshot {
            service: Service::Sqs,
            published: 0,
            publish_failed: 0,
            in_flight: 0,
            in_flight_basis: InFlightBasis::Queue,
            landed,
            duplicates: 0,
            redelivered: 0,
            rejected: 0,
            unreadable: 0,
            failure_queue: None,
            dead_lettered: None,
            source_queue: Some(QueueCounts {
                waiting: 7,
                in_flight: 3,
            }),
            invocations: 0,
            cold_starts: 0,
            mean_batch: Some(9.0),
            recent_batches,
            e2e_p50_ms: Some(40.0),
            e2e_p99_ms: Some(80.0),
            landed_per_second: Vec::new(),
            broken_by: None,
            batching: None,
        }
    }

    #[test]
    fn signals_come_from_the_watch_s_lane() {
        let s = signals(&lane(150, vec![2, 4]), 50, 10.0);
        assert_eq!(s.p99_ms, Some(80.0));
        assert!((s.events_per_s - 10.0).abs() < 1e-9, "100 landed in 10 s");
        assert_eq!(s.mean_batch, Some(3.0), "the recent batches, not the whole run's");
        assert_eq!(s.backlog, Some(7), "waiting, not the messages a consumer holds");
        assert_eq!(signals(&lane(150, Vec::new()), 150, 10.0).mean_batch, Some(9.0));
    }

    #[test]
    fn originals_are_kept_until_restored() {
        let dir = std::env::temp_dir().join(format!("eventlab-tune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let originals = Originals::beside(&dir.join("outputs.json"));
        assert_eq!(originals.read().unwrap(), Vec::new());
        let kept = vec![Original {
            service: Service::Kinesis,
            uuid: "u".into(),
            knobs: Knobs { batch: 10, window_s: 0 },
        }];
        originals.keep(&kept).unwrap();
        assert_eq!(originals.read().unwrap(), kept);
        assert!(originals.path().ends_with("tune-originals.json"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
