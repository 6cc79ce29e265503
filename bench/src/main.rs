//! `eventlab-bench`: run the bench against a deployed lab, sweep batching settings, model
//! costs without an account, measure cold starts, watch, drill, redrive, or print a token.
//! Each subcommand lives in its own file under `cmd/`; this only dispatches.

use anyhow::Result;
use clap::{Parser, Subcommand};
use eventlab_bench::cmd;

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Drive events through each service and write a report.
    Run(cmd::run::RunArgs),
    /// Rerun with different batching settings and chart latency against cost.
    Sweep(cmd::sweep::SweepArgs),
    /// Model monthly cost per service for a rate, event size and batching (no account needed).
    Model(cmd::model::ModelCommand),
    /// Regenerate the notes' results table from a report's summary.json.
    Notes(cmd::notes::NotesArgs),
    /// Start each lab Lambda binary under a local Runtime API against the stack: INIT, CPU
    /// and memory per cold start and per request, per build and generator strategy.
    Coldstart(cmd::coldstart::ColdstartArgs),
    /// Watch events flow through every lane, live: a page on 127.0.0.1, or `--tui`.
    Watch(cmd::watch::WatchCommand),
    /// Break each lane's consumer for a while, restore it, and account for every event.
    Drill {
        #[command(flatten)]
        stack: cmd::StackArgs,
        #[command(flatten)]
        args: eventlab_bench::drill::DrillArgs,
    },
    /// Follow demand with each batching lane's batch size and window, holding a p99 target;
    /// every decision a JSON line; the settings restored on exit (or by `--restore`).
    Tune(cmd::tune::TuneArgs),
    /// A changing load through the batching lanes with a small fixed batch, a large fixed
    /// batch and `tune`, side by side, here and modelled for AWS; a report.
    Experiment(cmd::experiment::ExperimentArgs),
    /// Move what waits in each lane's dead-letter or on-failure queue back into the lane.
    Redrive(cmd::redrive::RedriveArgs),
    /// Print a Cognito JWT for curl.
    Token {
        #[command(flatten)]
        stack: cmd::StackArgs,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run(args) => Box::pin(cmd::run::run(args)).await,
        Command::Sweep(args) => Box::pin(cmd::sweep::run(args)).await,
        Command::Model(args) => cmd::model::run(&args),
        Command::Notes(args) => cmd::notes::run(&args),
        Command::Coldstart(args) => cmd::coldstart::run(&args).await,
        Command::Watch(args) => cmd::watch::run(&args).await,
        Command::Drill { stack, args } => Box::pin(cmd::drill::run(&stack, &args)).await,
        Command::Tune(args) => Box::pin(cmd::tune::run(&args)).await,
        Command::Experiment(args) => Box::pin(cmd::experiment::run(&args)).await,
        Command::Redrive(args) => Box::pin(cmd::redrive::run(&args)).await,
        Command::Token { stack } => cmd::token::run(&stack).await,
    }
}
