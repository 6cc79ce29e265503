//! One file per subcommand: its arguments and its `run`, calling the libraries. What the
//! subcommands share is here: which stack, how to drive it, and writing a report's files.

pub mod coldstart;
pub mod drill;
pub mod experiment;
pub mod model;
pub mod notes;
pub mod redrive;
pub mod run;
pub mod sweep;
pub mod token;
pub mod tune;
pub mod watch;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use eventlab_measure::record::{Drive, Via};
use eventlab_render::page::File;
use eventlab_schema::Service;

/// Which deployed stack to use.
#[derive(Debug, Args, Clone)]
pub struct StackArgs {
    /// `terraform output -json` of the stack.
    #[arg(long, env = "EVENTLAB_OUTPUTS", default_value = ".state/local/outputs.json")]
    pub outputs: PathBuf,
    /// The learner's credentials (created by `make up`).
    #[arg(long, env = "EVENTLAB_CREDENTIALS", default_value = ".state/local/learner.json")]
    pub credentials: PathBuf,
}

/// How to drive each service.
#[derive(Debug, Args, Clone)]
pub struct DriveArgs {
    /// Services to drive, in this order (default: all seven).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "eventbridge,sqs,kinesis,firehose,sns,sqs-fifo,dynamodb"
    )]
    pub services: Vec<Service>,
    /// Events per service.
    #[arg(long, default_value_t = 100)]
    pub events: u32,
    /// Events per second to publish at.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Publish calls in flight at most.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Events per publish call.
    #[arg(long, default_value_t = 10)]
    pub batch: u32,
    /// `api` (through API Gateway and the generator, as a learner's curl) or `direct`
    /// (straight to the service with the SDK).
    #[arg(long, default_value = "api", value_parser = ["api", "direct"])]
    pub via: String,
    /// Pad every event to about this many bytes.
    #[arg(long)]
    pub size_bytes: Option<usize>,
    /// Seconds to wait for results after publishing.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

impl DriveArgs {
    pub fn drive(&self) -> Drive {
        Drive {
            events: self.events,
            rate: self.rate,
            concurrency: self.concurrency,
            batch: self.batch,
            via: self.via.parse().unwrap_or(Via::Api),
            size_bytes: self.size_bytes,
            timeout_secs: self.timeout,
            profile: Vec::new(),
        }
    }
}

/// Writes a report's files into `dir` (created if missing).
pub fn write_files(dir: &Path, files: &[File]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
