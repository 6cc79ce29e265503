//! `eventlab-bench run`: drive events through each service and write a report.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use eventlab_schema::switches::Strategy;

use super::{DriveArgs, StackArgs};
use crate::coldstart::{FUNCTIONS, Plan, subjects};
use crate::session::Session;

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Where reports go (one folder per run).
    #[arg(long, default_value = "bench/reports")]
    pub out: PathBuf,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also start each of the stack's binaries (target/debug, what the local stack runs)
    /// this many times under the bench's Runtime API: cold starts in the report.
    #[arg(long, value_name = "PROCESSES")]
    pub coldstart: Option<usize>,
}

pub async fn run(args: RunArgs) -> Result<()> {
    let session = Session::open(&args.stack.outputs, &args.stack.credentials).await?;
    let plan = match args.coldstart {
        Some(processes) => Some(Plan {
            subjects: subjects(
                &[("local".to_owned(), PathBuf::from("target/debug"))],
                &FUNCTIONS.map(str::to_owned),
                &Strategy::ALL,
            )?,
            cold_starts: processes,
            warm: 10,
            large: 2,
        }),
        None => None,
    };
    let (summary, html) = session
        .run(&args.drive.services, &args.drive.drive(), plan.as_ref(), &args.out)
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", eventlab_render::report::terminal(&summary));
        println!("\nReport: {}", html.display());
    }
    Ok(())
}
