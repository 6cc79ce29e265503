//! `eventlab-bench model`: monthly cost per service for a rate, event size and batching,
//! with no account and no stack.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use eventlab_measure::model::{Lambdas, ModelArgs, rows, trade_offs};
use eventlab_measure::pricing::PriceBook;
use eventlab_measure::summary::Summary;

#[derive(Debug, Clone, Args)]
pub struct ModelCommand {
    /// Events per second to model (default: 1 to 100,000 in decades).
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<f64>,
    /// Bytes per event.
    #[arg(long, default_value_t = 1024.0)]
    pub event_bytes: f64,
    /// Events per publish call (capped at each service's limit).
    #[arg(long, default_value_t = 10)]
    pub publish_batch: u32,
    /// Largest SQS / Kinesis batch per transformer invocation.
    #[arg(long, default_value_t = 10)]
    pub batch: u32,
    /// SQS / Kinesis batching window in seconds (0 = invoke as soon as records arrive).
    #[arg(long, default_value_t = 0.0)]
    pub window: f64,
    /// Firehose buffering interval in seconds (0 = zero buffering: modelled as one object per 5 s).
    #[arg(long, default_value_t = 60.0)]
    pub firehose_interval: f64,
    /// Firehose buffering size in MB.
    #[arg(long, default_value_t = 1.0)]
    pub firehose_size_mb: f64,
    /// Fix the Kinesis shard count instead of sizing it (a row that needs more cannot run).
    #[arg(long)]
    pub shards: Option<u32>,
    /// Days results stay in S3 (the stack's `results_retention_days`).
    #[arg(long, default_value_t = 30.0)]
    pub retention_days: f64,
    /// Subtract AWS's always-free monthly allowances, as if this were the account's only workload.
    #[arg(long)]
    pub free_tier: bool,
    /// Leave out the producer side (API Gateway, its access logs and the generator), as if
    /// publishing straight to the service; by default each publish call is one API request.
    #[arg(long)]
    pub direct: bool,
    /// Price Lambda with the durations, memory and log bytes a run measured per lane (its
    /// `summary.json`), instead of the stated assumption.
    #[arg(long, value_name = "SUMMARY_JSON")]
    pub profile_from: Option<PathBuf>,
    /// Write model.json, model.svg, batching-*.svg and model.html into this folder too.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl ModelCommand {
    fn model_args(&self) -> Result<ModelArgs> {
        let lambdas = match &self.profile_from {
            None => Lambdas::Assumed,
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let summary: Summary = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a bench run's summary.json", path.display()))?;
                Lambdas::Measured {
                    from: format!("{} ({})", summary.bench_id, path.display()),
                    lanes: summary.lanes.iter().map(|l| (l.service, l.lambdas)).collect(),
                }
            }
        };
        Ok(ModelArgs {
            rates: self.rates.clone(),
            event_bytes: self.event_bytes,
            publish_batch: self.publish_batch,
            batch: self.batch,
            window: self.window,
            firehose_interval: self.firehose_interval,
            firehose_size_mb: self.firehose_size_mb,
            shards: self.shards,
            retention_days: self.retention_days,
            free_tier: self.free_tier,
            direct: self.direct,
            lambdas,
        })
    }
}

/// Prints the table, and writes the charts, data and page when `--out` is given.
pub fn run(command: &ModelCommand) -> Result<()> {
    let args = command.model_args()?;
    let book = PriceBook::us_east_1();
    let rows = rows(&args, &book);
    print!("{}", eventlab_render::model::table(&args, &rows));
    if let Some(dir) = &command.out {
        let points: Vec<_> = [10.0, 100.0, 1000.0]
            .into_iter()
            .map(|rate| (rate, trade_offs(rate, args.event_bytes, &book)))
            .collect();
        super::write_files(dir, &eventlab_render::model::files(&args, &rows, &points)?)?;
    }
    Ok(())
}
