//! `eventlab-bench notes`: regenerate the notes' results table from a report's summary.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use eventlab_measure::summary::Summary;

#[derive(Debug, Args, Clone)]
pub struct NotesArgs {
    /// A report's `summary.json`.
    #[arg(long)]
    pub summary: PathBuf,
    #[arg(long, default_value = "notes/results.md")]
    pub out: PathBuf,
}

pub fn run(args: &NotesArgs) -> Result<()> {
    let raw = std::fs::read_to_string(&args.summary).with_context(|| format!("reading {}", args.summary.display()))?;
    let summary: Summary = serde_json::from_str(&raw).with_context(|| format!("parsing {}", args.summary.display()))?;
    std::fs::write(&args.out, eventlab_render::report::notes_table(&summary))?;
    println!("wrote {}", args.out.display());
    Ok(())
}
