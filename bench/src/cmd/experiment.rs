//! `eventlab-bench experiment`: a changing load through the batching lanes with a small
//! fixed batch, a large fixed batch and `tune`, side by side, here and modelled for AWS.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use eventlab_measure::record::{Drive, Phase, Via};
use eventlab_schema::Service;

use super::StackArgs;
use super::tune::parse_duration;
use crate::experiment::Plan;
use crate::session::Session;
use crate::tune::Originals;

#[derive(Debug, Args, Clone)]
pub struct ExperimentArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Lanes to drive, all at once, in every variant (those with batching knobs).
    #[arg(long, value_delimiter = ',', default_value = "sqs")]
    pub lanes: Vec<Service>,
    /// The load: events per second × seconds, phase after phase (quiet, busy, quiet).
    #[arg(long, value_parser = |t: &str| Phase::parse_list(t), default_value = "2x40,40x40,2x40")]
    pub profile: std::vec::Vec<Phase>,
    /// Delivery latency p99 for `tune` to hold, and the report to judge windows by.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub target_p99: Duration,
    /// How often `tune` decides.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub interval: Duration,
    /// The report's latency windows.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub window: Duration,
    /// Events per publish call (1: a trickle, so a consumer's batches come from its
    /// settings and the load, not from the publisher's batches).
    #[arg(long, default_value_t = 1)]
    pub batch: u32,
    /// Where the report goes (a folder per experiment).
    #[arg(long, default_value = "bench/reports")]
    pub out: PathBuf,
}

pub async fn run(args: &ExperimentArgs) -> Result<()> {
    if let Some(lane) = args
        .lanes
        .iter()
        .find(|l| eventlab_measure::tune::bounds(**l).is_none())
    {
        bail!("{lane} has no batch size or window to set: choose among sqs, sqs-fifo, kinesis, dynamodb");
    }
    if args.interval < Duration::from_secs(1) {
        bail!("--interval must be at least 1s: tune reads the watch once a second");
    }
    let session = Session::open(&args.stack.outputs, &args.stack.credentials).await?;
    let plan = Plan {
        lanes: args.lanes.clone(),
        profile: args.profile.clone(),
        drive: Drive {
            events: 0,
            rate: 1.0,
            concurrency: 8,
            batch: args.batch,
            via: Via::Direct,
            size_bytes: None,
            timeout_secs: 120,
            profile: Vec::new(),
        },
        target_p99: args.target_p99,
        interval: args.interval,
        window_s: args.window.as_secs_f64(),
    };
    let originals = Originals::beside(&args.stack.outputs);
    let (experiment, html) = crate::experiment::run(&session, &originals, &plan, &args.out).await?;
    print!("{}", eventlab_render::experiment::terminal(&experiment));
    println!("\nReport: {}", html.display());
    Ok(())
}
