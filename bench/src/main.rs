//! `eventlab-bench`: run the bench against a deployed lab, sweep batching settings, model
//! costs without an account, or print a token for curl.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use eventlab_bench::run::{Drive, Via};
use eventlab_bench::{coldstart, model, report, session, sweep};
use eventlab_schema::Service;

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which deployed stack to use.
#[derive(Args, Clone)]
struct StackArgs {
    /// `terraform output -json` of the stack.
    #[arg(long, env = "EVENTLAB_OUTPUTS", default_value = ".state/local/outputs.json")]
    outputs: PathBuf,
    /// The learner's credentials (created by `make up`).
    #[arg(long, env = "EVENTLAB_CREDENTIALS", default_value = ".state/local/learner.json")]
    credentials: PathBuf,
}

#[derive(Args, Clone)]
struct DriveArgs {
    /// Services to drive, in this order (default: all seven).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "eventbridge,sqs,kinesis,firehose,sns,sqs-fifo,dynamodb"
    )]
    services: Vec<Service>,
    /// Events per service.
    #[arg(long, default_value_t = 100)]
    events: u32,
    /// Events per second to publish at.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Publish calls in flight at most.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Events per publish call.
    #[arg(long, default_value_t = 10)]
    batch: u32,
    #[arg(long, value_enum, default_value = "api")]
    via: Via,
    /// Pad every event to about this many bytes.
    #[arg(long)]
    size_bytes: Option<usize>,
    /// Seconds to wait for results after publishing.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
}

impl DriveArgs {
    fn drive(&self) -> Drive {
        Drive {
            events: self.events,
            rate: self.rate,
            concurrency: self.concurrency,
            batch: self.batch,
            via: self.via,
            size_bytes: self.size_bytes,
            timeout_secs: self.timeout,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Drive events through each service and write a report.
    Run {
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        drive: DriveArgs,
        /// Where reports go (one folder per run).
        #[arg(long, default_value = "bench/reports")]
        out: PathBuf,
        /// Print the summary as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also start each of the stack's binaries (target/debug, what the local stack runs)
        /// this many times under the bench's Runtime API: cold starts in the report.
        #[arg(long, value_name = "PROCESSES")]
        coldstart: Option<usize>,
    },
    /// Rerun with different batching settings and chart latency against cost.
    Sweep {
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        drive: DriveArgs,
        #[arg(long, default_value = "bench/reports")]
        out: PathBuf,
    },
    /// Model monthly cost per service for a rate, event size and batching (no account needed).
    Model(model::ModelArgs),
    /// Regenerate the notes' results table from a report's summary.json.
    Notes {
        /// A report's `summary.json`.
        #[arg(long)]
        summary: PathBuf,
        #[arg(long, default_value = "notes/results.md")]
        out: PathBuf,
    },
    /// Start each lab Lambda binary under a local Runtime API against the stack: INIT, CPU
    /// and memory per cold start and per request, per build and generator strategy.
    Coldstart(ColdstartArgs),
    /// Watch events flow through every lane, live: a page on 127.0.0.1, or `--tui`.
    Watch {
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        args: eventlab_bench::watch::WatchArgs,
    },
    /// Break each lane's consumer for a while, restore it, and account for every event.
    Drill {
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        args: eventlab_bench::drill::DrillArgs,
    },
    /// Move what waits in each lane's dead-letter or on-failure queue back into the lane.
    Redrive {
        #[command(flatten)]
        stack: StackArgs,
        /// Lanes whose failure queue to redrive.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "eventbridge,sqs,kinesis,sns,sqs-fifo,dynamodb"
        )]
        lanes: Vec<Service>,
    },
    /// Print a Cognito JWT for curl.
    Token {
        #[command(flatten)]
        stack: StackArgs,
    },
}

#[derive(Args, Clone)]
struct ColdstartArgs {
    #[arg(long, env = "EVENTLAB_OUTPUTS", default_value = ".state/local/outputs.json")]
    outputs: PathBuf,
    /// A build to measure as `label=folder` (repeatable); the folder holds the binaries.
    #[arg(long = "build", value_parser = parse_build, default_value = "local=target/debug")]
    builds: Vec<(String, PathBuf)>,
    /// Functions to measure.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "generator,transform-sqs,transform-kinesis,transform-firehose,transform-eventbridge"
    )]
    functions: Vec<String>,
    /// The generator's configuration strategies to compare.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ssm-at-init,lookup-at-init,ssm-per-request"
    )]
    strategies: Vec<eventlab_generator::config::Strategy>,
    /// Processes started per binary (cold starts).
    #[arg(long, default_value_t = 5)]
    cold: usize,
    /// Warm one-event invocations per process.
    #[arg(long, default_value_t = 20)]
    warm: usize,
    /// Warm large invocations per process (100 events, or what the source allows).
    #[arg(long, default_value_t = 3)]
    large: usize,
    /// Where `coldstart.{json,md,svg}` go.
    #[arg(long, default_value = "bench/reports/coldstart")]
    out: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_build(raw: &str) -> Result<(String, PathBuf), String> {
    let (label, folder) = raw
        .split_once('=')
        .ok_or("expected label=folder, e.g. release=target/release")?;
    Ok((label.to_owned(), PathBuf::from(folder)))
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run {
            stack,
            drive,
            out,
            json,
            coldstart,
        } => {
            let session = session::Session::open(&stack.outputs, &stack.credentials).await?;
            let plan = match coldstart {
                Some(processes) => Some(coldstart::Plan {
                    subjects: coldstart::subjects(
                        &[("local".to_owned(), PathBuf::from("target/debug"))],
                        &coldstart::FUNCTIONS.map(str::to_owned),
                        &eventlab_generator::config::Strategy::ALL,
                    )?,
                    cold_starts: processes,
                    warm: 10,
                    large: 2,
                }),
                None => None,
            };
            let (summary, html) = session
                .run(&drive.services, &drive.drive(), plan.as_ref(), &out)
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                print!("{}", report::terminal(&summary));
                println!("\nReport: {}", html.display());
            }
        }
        Command::Sweep { stack, drive, out } => {
            let session = session::Session::open(&stack.outputs, &stack.credentials).await?;
            let html = sweep::sweep(&session, &drive.services, &drive.drive(), &out).await?;
            println!("\nSweep report: {}", html.display());
        }
        Command::Model(args) => print!("{}", model::run(&args)?),
        Command::Coldstart(args) => {
            let stack = labctl::stack::Stack::load(&args.outputs)?;
            let plan = coldstart::Plan {
                subjects: coldstart::subjects(&args.builds, &args.functions, &args.strategies)?,
                cold_starts: args.cold,
                warm: args.warm,
                large: args.large,
            };
            let report = coldstart::measure(&stack, &plan, |label| eprintln!("coldstart: {label}")).await?;
            coldstart::write(&report, &args.out)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}

{}",
                    coldstart::provenance(&report),
                    coldstart::table(&report)
                );
                println!("Written to {}", args.out.display());
            }
        }
        Command::Notes { summary, out } => {
            let raw = std::fs::read_to_string(&summary)?;
            let summary: eventlab_bench::summary::Summary = serde_json::from_str(&raw)?;
            std::fs::write(&out, report::notes_table(&summary))?;
            println!("wrote {}", out.display());
        }
        Command::Watch { stack, args } => {
            let lab = labctl::stack::Stack::load(&stack.outputs)?;
            eventlab_bench::watch::run(&lab, &args).await?;
        }
        Command::Drill { stack, args } => {
            Box::pin(eventlab_bench::drill::command(
                &stack.outputs,
                &stack.credentials,
                &args,
            ))
            .await?;
        }
        Command::Redrive { stack, lanes } => {
            Box::pin(eventlab_bench::drill::redrive_command(
                &stack.outputs,
                &stack.credentials,
                &lanes,
            ))
            .await?;
        }
        Command::Token { stack } => {
            let lab = labctl::stack::Stack::load(&stack.outputs)?;
            let credentials = labctl::learner::Credentials::load(&stack.credentials)?;
            println!("{}", labctl::learner::access_token(&lab, &credentials).await?);
        }
    }
    Ok(())
}
