//! Failure drills: publish to each lane at a steady rate, break its consumer for a while,
//! restore it, and account for every event: landed, waiting in a dead-letter or on-failure
//! queue (then redriven), written elsewhere, or still in the service. The drill ends when the
//! books balance, or at its timeout, naming what is missing.
//!
//! Drills are bounded (events, outage and timeout have ceilings), touch only the lab's own
//! transformers, and undo every break even when interrupted ([`run_guarded`]).

pub mod breaks;
pub mod observe;
pub mod redrive;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use eventlab_schema::{RunId, Service};
use futures_util::future::{join_all, try_join_all};
use uuid::Uuid;

use self::breaks::Ledger;
use self::observe::{LaneTarget, Observer};
use eventlab_client::lab::Lab;
use eventlab_measure::drill::books::{Books, tally};
use eventlab_measure::drill::{Drill, LaneOutcome, Redriven, Sample};
use eventlab_measure::summary::Environment;

/// `eventlab-bench drill`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct DrillArgs {
    /// Lanes to drill, all at once.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "eventbridge,sqs,kinesis,firehose,sns,sqs-fifo,dynamodb"
    )]
    pub lanes: Vec<Service>,
    /// Events per lane (at most 10,000).
    #[arg(long, default_value_t = 60)]
    pub events: u32,
    /// Events per second per lane.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Seconds of publishing before the consumers break.
    #[arg(long, default_value_t = 5)]
    pub break_after: u64,
    /// Seconds the consumers stay broken (at most 900).
    #[arg(long, default_value_t = 20)]
    pub outage: u64,
    /// Seconds to wait, once restored, for the books to balance (at most 3,600).
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Where the drill's report goes (`<out>/<drill id>/drill.html`).
    #[arg(long, default_value = "bench/reports")]
    pub out: PathBuf,
    /// Only undo the breaks of an earlier drill that was killed, then stop.
    #[arg(long)]
    pub restore: bool,
}

impl DrillArgs {
    fn check(&self) -> Result<()> {
        if self.lanes.is_empty() || self.events == 0 || self.events > 10_000 {
            bail!("--lanes must name at least one lane and --events be 1 to 10,000");
        }
        if !(self.rate > 0.0 && self.rate <= 100.0) {
            bail!("--rate must be above 0 and at most 100 events/s per lane");
        }
        if self.outage == 0 || self.outage > 900 || self.timeout > 3600 || self.break_after > 600 {
            bail!("--outage must be 1 to 900 s, --break-after at most 600 s and --timeout at most 3,600 s");
        }
        Ok(())
    }
}

/// The moments the sampler needs from the publishing and breaking going on beside it.
#[derive(Debug, Default)]
struct Progress {
    published: BTreeMap<Service, Vec<(Uuid, DateTime<Utc>)>>,
    failed_to_publish: BTreeMap<Service, u64>,
    publishing_done: bool,
    broken_at_s: Option<f64>,
    restored_at_s: Option<f64>,
    restored_at_utc: DateTime<Utc>,
}

pub fn new_drill_id() -> String {
    let suffix = &Uuid::now_v7().simple().to_string()[28..];
    format!("drill-{}-{suffix}", Utc::now().format("%Y%m%dT%H%M%SZ"))
}

const SAMPLE_EVERY: Duration = Duration::from_secs(2);
const QUIET_AFTER_RESTORE_S: f64 = 15.0;

/// Runs a drill, then undoes every break it made, whatever happened: the drill finishing, a
/// step failing, or SIGINT/SIGTERM. Breaks left by a killed drill are undone first.
pub async fn run_guarded(
    lab: &Lab,
    lambda: &aws_sdk_lambda::Client,
    ledger: &Ledger,
    args: &DrillArgs,
) -> Result<Drill> {
    let leftovers = breaks::restore_all(lambda, ledger).await?;
    if !leftovers.is_empty() {
        eprintln!(
            "restored consumers an earlier drill left broken: {}",
            leftovers.join(", ")
        );
    }
    let outcome = tokio::select! {
        drill = drill(lab, lambda, ledger, args) => drill,
        signal = interrupted() => Err(anyhow::anyhow!("the drill was interrupted ({signal})")),
    };
    let restored = breaks::restore_all(lambda, ledger).await;
    match restored {
        Ok(functions) if !functions.is_empty() => eprintln!("restored: {}", functions.join(", ")),
        Ok(_) => {}
        Err(err) => return Err(err.context("restoring the consumers after the drill")),
    }
    outcome
}

/// The first SIGINT or SIGTERM.
pub(crate) async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

async fn drill(lab: &Lab, lambda: &aws_sdk_lambda::Client, ledger: &Ledger, args: &DrillArgs) -> Result<Drill> {
    args.check()?;
    let id = new_drill_id();
    let started_at = Utc::now();
    let clock = tokio::time::Instant::now();
    let seconds = move || clock.elapsed().as_secs_f64();
    let mut observers = Vec::new();
    for &service in &args.lanes {
        let run_id: RunId = format!("{id}-{service}").parse()?;
        observers.push(Observer::new(LaneTarget::of(lab, service, run_id)?, started_at));
    }
    let targets: Vec<LaneTarget> = observers.iter().map(|o| o.target.clone()).collect();
    let functions: Vec<String> = targets.iter().map(|t| t.transformer.clone()).collect();
    let progress = Mutex::new(Progress::default());
    eprintln!(
        "drill {id}: {} events per lane at {}/s; consumers break at {} s for {} s",
        args.events, args.rate, args.break_after, args.outage
    );

    let settled = {
        let publishing = async {
            join_all(targets.iter().map(|t| publish_lane(lab, t, args, &progress))).await;
            progress.lock().expect("not poisoned").publishing_done = true;
        };
        let breaking = async {
            tokio::time::sleep(Duration::from_secs(args.break_after)).await;
            try_join_all(functions.iter().map(|f| breaks::break_consumer(lambda, ledger, f, &id))).await?;
            progress.lock().expect("not poisoned").broken_at_s = Some(seconds());
            eprintln!("drill {id}: consumers broken at {:.0} s", seconds());
            tokio::time::sleep(Duration::from_secs(args.outage)).await;
            try_join_all(functions.iter().map(|f| breaks::restore_consumer(lambda, ledger, f))).await?;
            {
                let mut progress = progress.lock().expect("not poisoned");
                progress.restored_at_s = Some(seconds());
                progress.restored_at_utc = Utc::now();
            }
            eprintln!("drill {id}: consumers restored at {:.0} s", seconds());
            Ok::<_, anyhow::Error>(())
        };
        let driving = async {
            let ((), broke) = tokio::join!(publishing, breaking);
            broke
        };
        let sampling = sample_until_settled(lab, &id, &mut observers, &progress, args, seconds);
        tokio::pin!(driving, sampling);
        let mut driven = false;
        loop {
            tokio::select! {
                broke = &mut driving, if !driven => { broke?; driven = true; }
                settled = &mut sampling => break settled?,
            }
        }
    };
    let progress = progress.into_inner().expect("not poisoned");
    let lanes = observers
        .iter()
        .zip(settled.lanes)
        .map(|(o, (books, missing, balanced_at_s, redriven))| LaneOutcome {
            service: o.target.service,
            run_id: o.target.run_id.clone(),
            transformer: o.target.transformer.clone(),
            failed_to_publish: progress.failed_to_publish.get(&o.target.service).copied().unwrap_or(0),
            books,
            balanced_at_s,
            missing: missing.into_iter().take(20).collect(),
            redriven,
        })
        .collect();
    Ok(Drill {
        id,
        environment: if lab.stack.backend().is_emulator() {
            Environment::LocalEmulator
        } else {
            Environment::Aws
        },
        endpoint: lab.stack.endpoint(),
        started_at,
        events_per_lane: args.events,
        rate: args.rate,
        broken_at_s: progress.broken_at_s.unwrap_or_default(),
        restored_at_s: progress.restored_at_s.unwrap_or_default(),
        redriven_at_s: settled.redriven_at_s,
        ended_at_s: seconds(),
        timed_out: settled.timed_out,
        lanes,
        timeline: settled.timeline,
    })
}

/// Publishes one lane's events, one per tick, each recorded with the moment it was accepted.
async fn publish_lane(lab: &Lab, target: &LaneTarget, args: &DrillArgs, progress: &Mutex<Progress>) {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    for _ in 0..args.events {
        ticks.tick().await;
        let sent = crate::run::publish_direct(lab, target.service, &target.run_id, 1, None).await;
        let now = Utc::now();
        let mut progress = progress.lock().expect("not poisoned");
        match sent {
            Ok(sent) if !sent.is_empty() => progress
                .published
                .entry(target.service)
                .or_default()
                .extend(sent.into_iter().map(|(id, _)| (id, now))),
            Ok(_) | Err(_) => *progress.failed_to_publish.entry(target.service).or_default() += 1,
        }
    }
}

type LaneEnd = (Books, Vec<Uuid>, Option<f64>, Option<Redriven>);

struct Settled {
    lanes: Vec<LaneEnd>,
    timeline: Vec<Sample>,
    redriven_at_s: Option<f64>,
    timed_out: bool,
}

/// Samples every lane until, after the restore, every book balances and whatever waited in a
/// failure queue has been redriven and landed, or the timeout passes.
async fn sample_until_settled(
    lab: &Lab,
    drill: &str,
    observers: &mut [Observer],
    progress: &Mutex<Progress>,
    args: &DrillArgs,
    seconds: impl Fn() -> f64,
) -> Result<Settled> {
    let emulator = lab.stack.backend().is_emulator();
    let mut timeline = Vec::new();
    let mut balanced_at: Vec<Option<f64>> = vec![None; observers.len()];
    let mut redriven: Vec<Option<Redriven>> = vec![None; observers.len()];
    let mut redriven_at_s = None;
    loop {
        let mut lanes = BTreeMap::new();
        let mut ends = Vec::new();
        for observer in observers.iter_mut() {
            observer
                .read(lab, drill)
                .await
                .with_context(|| format!("reading the {} lane", observer.target.service))?;
        }
        let (done_publishing, restored_at_s, restored_at_utc) = {
            let p = progress.lock().expect("not poisoned");
            (p.publishing_done, p.restored_at_s, p.restored_at_utc)
        };
        let at_s = seconds();
        for (i, observer) in observers.iter().enumerate() {
            let service = observer.target.service;
            let published = progress
                .lock()
                .expect("not poisoned")
                .published
                .get(&service)
                .cloned()
                .unwrap_or_default();
            let drops_until = restored_at_s
                .filter(|_| emulator && matches!(service, Service::EventBridge | Service::Sns))
                .map(|_| restored_at_utc);
            let (books, missing) = tally(&published, &observer.seen, Utc::now(), drops_until);
            if restored_at_s.is_some() && done_publishing && books.balanced() && balanced_at[i].is_none() {
                balanced_at[i] = Some(at_s);
            }
            lanes.insert(service, books.clone());
            ends.push((books, missing));
        }
        timeline.push(Sample { at_s, lanes });
        let Some(restored_at) = restored_at_s.filter(|_| done_publishing) else {
            tokio::time::sleep(SAMPLE_EVERY).await;
            continue;
        };
        let all_balanced = ends.iter().all(|(b, _)| b.balanced());
        let held: Vec<usize> = ends
            .iter()
            .enumerate()
            .filter(|(_, (b, _))| b.held > 0)
            .map(|(i, _)| i)
            .collect();
        if all_balanced && !held.is_empty() && redriven_at_s.is_none() {
            redriven_at_s = Some(seconds());
            for i in held {
                let target = &observers[i].target;
                let outcome = redrive::redrive(lab, target.service, Some(&target.run_id)).await?;
                eprintln!(
                    "drill {drill}: redrove {} events of the {} lane",
                    outcome.moved, target.service
                );
                redriven[i] = Some(outcome);
            }
            continue;
        }
        let timed_out = seconds() - restored_at > f64::from(u32::try_from(args.timeout).unwrap_or(u32::MAX));
        // A quiet spell after the restore, so that no delivery still on its way is booked as lost.
        let settled = seconds() - restored_at >= QUIET_AFTER_RESTORE_S;
        if (settled && all_balanced && (held_none(&ends) || redriven_at_s.is_some())) || timed_out {
            let lanes = ends
                .into_iter()
                .zip(balanced_at)
                .zip(redriven)
                .map(|(((books, missing), at), redriven)| (books, missing, at, redriven))
                .collect();
            return Ok(Settled {
                lanes,
                timeline,
                redriven_at_s,
                timed_out: timed_out && !all_balanced,
            });
        }
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
}

fn held_none(ends: &[(Books, Vec<Uuid>)]) -> bool {
    ends.iter().all(|(b, _)| b.held == 0)
}
