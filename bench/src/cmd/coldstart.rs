//! `eventlab-bench coldstart`: start each lab Lambda binary under a local Runtime API
//! against the stack: INIT, CPU and memory per cold start and per request.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use eventlab_client::stack::Stack;
use eventlab_render::coldstart::{files, provenance, table};
use eventlab_schema::switches::Strategy;

use crate::coldstart::{Plan, measure, subjects};

#[derive(Debug, Args, Clone)]
pub struct ColdstartArgs {
    #[arg(long, env = "EVENTLAB_OUTPUTS", default_value = ".state/local/outputs.json")]
    pub outputs: PathBuf,
    /// A build to measure as `label=folder` (repeatable); the folder holds the binaries.
    #[arg(long = "build", value_parser = parse_build, default_value = "local=target/debug")]
    pub builds: Vec<(String, PathBuf)>,
    /// Functions to measure.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "generator,transform-sqs,transform-kinesis,transform-firehose,transform-eventbridge"
    )]
    pub functions: Vec<String>,
    /// The generator's configuration strategies to compare.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ssm-at-init,lookup-at-init,ssm-per-request"
    )]
    pub strategies: Vec<Strategy>,
    /// Processes started per binary (cold starts).
    #[arg(long, default_value_t = 5)]
    pub cold: usize,
    /// Warm one-event invocations per process.
    #[arg(long, default_value_t = 20)]
    pub warm: usize,
    /// Warm large invocations per process (100 events, or what the source allows).
    #[arg(long, default_value_t = 3)]
    pub large: usize,
    /// Where `coldstart.{json,md,svg,html}` go.
    #[arg(long, default_value = "bench/reports/coldstart")]
    pub out: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_build(raw: &str) -> Result<(String, PathBuf), String> {
    let (label, folder) = raw
        .split_once('=')
        .ok_or("expected label=folder, e.g. release=target/release")?;
    Ok((label.to_owned(), PathBuf::from(folder)))
}

pub async fn run(args: &ColdstartArgs) -> Result<()> {
    let stack = Stack::load(&args.outputs)?;
    let plan = Plan {
        subjects: subjects(&args.builds, &args.functions, &args.strategies)?,
        cold_starts: args.cold,
        warm: args.warm,
        large: args.large,
    };
    let report = measure(&stack, &plan, |label| eprintln!("coldstart: {label}")).await?;
    super::write_files(&args.out, &files(&report)?)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}\n\n{}", provenance(&report), table(&report));
        println!("Written to {}", args.out.display());
    }
    Ok(())
}
