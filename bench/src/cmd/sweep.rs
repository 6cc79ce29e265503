//! `eventlab-bench sweep`: rerun with different batching settings and chart latency
//! against cost.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{DriveArgs, StackArgs};
use crate::session::Session;

#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    #[arg(long, default_value = "bench/reports")]
    pub out: PathBuf,
}

pub async fn run(args: SweepArgs) -> Result<()> {
    let session = Session::open(&args.stack.outputs, &args.stack.credentials).await?;
    let html = crate::sweep::sweep(&session, &args.drive.services, &args.drive.drive(), &args.out).await?;
    println!("\nSweep report: {}", html.display());
    Ok(())
}
