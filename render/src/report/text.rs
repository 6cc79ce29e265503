//! The report as text: Markdown (`report.md`, the notes' results table) and the terminal.

use std::fmt::Write as _;

use eventlab_measure::summary::{Environment, Summary};

use super::rows::{FUNCTION_HEADINGS, environment_line, function_rows, reference_rows, table};
use crate::page::{Chart, Table};

/// Lanes side by side in one block of the terminal table.
const TERMINAL_LANES_PER_BLOCK: usize = 4;

/// The compact table printed at the end of a run, in blocks of lanes.
pub fn terminal(summary: &Summary) -> String {
    let mut out = String::new();
    let rows = table(summary);
    // Four lanes a block keep each line within 84 columns, however many lanes ran.
    let lanes: Vec<usize> = (0..summary.lanes.len()).collect();
    for (block, columns) in lanes.chunks(TERMINAL_LANES_PER_BLOCK).enumerate() {
        if block > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{:<32}", "");
        for &column in columns {
            let _ = write!(out, "{:>13}", summary.lanes[column].service.as_str());
        }
        out.push('\n');
        for (heading, cells) in &rows {
            let _ = write!(out, "{heading:<32}");
            for &column in columns {
                let _ = write!(out, "{:>13}", cells[column]);
            }
            out.push('\n');
        }
    }
    let waiting: Vec<String> = summary
        .failure_queues
        .iter()
        .map(|q| format!("{} {}", q.lane, q.waiting))
        .collect();
    if !waiting.is_empty() {
        let _ = writeln!(out, "\nWaiting in the failure queues: {}.", waiting.join(", "));
    }
    if summary.environment == Environment::LocalEmulator {
        out.push_str("\nLocal emulator figures, not AWS figures: see the report's caveats.\n");
    }
    out
}

/// The comparison table in Markdown, one column per service.
fn markdown_table(summary: &Summary) -> String {
    let mut md = String::from("| |");
    for lane in &summary.lanes {
        let _ = write!(md, " {} |", lane.service);
    }
    md.push_str("\n|---|");
    for _ in &summary.lanes {
        md.push_str("---:|");
    }
    md.push('\n');
    for (heading, cells) in table(summary) {
        let _ = writeln!(md, "| {heading} | {} |", cells.join(" | "));
    }
    md
}

pub(super) fn markdown(summary: &Summary, charts: &[Chart]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# eventlab bench {}\n", summary.bench_id);
    let _ = writeln!(md, "{}\n", environment_line(summary));
    for caveat in &summary.caveats {
        let _ = writeln!(md, "> {caveat}");
    }
    let d = &summary.drive;
    let _ = writeln!(
        md,
        "\n{} events per service via {} at {} events/s, {} per call, concurrency {}{}.\n",
        d.events,
        d.via,
        d.rate,
        d.batch,
        d.concurrency,
        d.size_bytes.map_or(String::new(), |s| format!(", padded to {s} bytes"))
    );
    md.push_str(&markdown_table(summary));
    md.push('\n');
    for chart in charts {
        let _ = writeln!(md, "![{}]({})\n", chart.title, chart.file);
    }
    md.push_str(&reference_md(summary));
    md.push_str(&functions_md(summary));
    md.push_str(&cost_details_md(summary));
    if !summary.failure_queues.is_empty() {
        md.push_str(&crate::failures::markdown(&summary.failure_queues));
    }
    if let Some(coldstart) = &summary.coldstart {
        let _ = write!(
            md,
            "\n## Cold starts, measured by the lab\n\n{}\n\n{}\n![Cold starts](coldstart.svg)\n",
            crate::coldstart::provenance(coldstart),
            crate::coldstart::table(coldstart)
        );
    }
    md
}

fn reference_md(summary: &Summary) -> String {
    let mut md = String::from(
        "## This run beside published AWS figures

",
    );
    md.push_str("Different in kind: the reference rows were measured by others, in another account, Region and year. Compare shapes, never merge numbers.

");
    md.push_str("| lane | figures | p50 ms | p90 ms | p99 ms | what | source |\n|---|---|---:|---:|---:|---|---|\n");
    for row in reference_rows(summary) {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md.push('\n');
    md
}

fn functions_md(summary: &Summary) -> String {
    let mut md = String::from("## What the functions used (their REPORT lines and log groups)\n\n");
    md.push_str(&Table::new(None, &FUNCTION_HEADINGS, function_rows(summary)).markdown());
    md.push('\n');
    md
}

fn cost_details_md(summary: &Summary) -> String {
    let mut md = String::from("## Cost per million events, item by item\n\n");
    let _ = writeln!(
        md,
        "Each item names where its quantity comes from (counted by the bench, measured from logs, modelled, or assumed). Kinesis shards: {}; prices: {} list prices with their sources (measure/pricing/); no free tier subtracted.\n",
        summary.kinesis_shards, summary.prices_region
    );
    for lane in &summary.lanes {
        let _ = writeln!(
            md,
            "**{}** — total ${:.4}\n\n| item | quantity | USD | origin |\n|---|---:|---:|---|",
            lane.service,
            lane.cost_per_million_usd()
        );
        for item in &lane.cost_per_million.items {
            let _ = writeln!(
                md,
                "| {} | {:.1} {} | {:.4} | {} |",
                item.item, item.quantity, item.unit, item.usd, item.origin
            );
        }
        md.push('\n');
    }
    md
}

/// The results table of `notes/results.md`, regenerated from a report's `summary.json`:
/// labelled with where and when the figures were measured.
pub fn notes_table(summary: &Summary) -> String {
    let mut md = String::from("# Bench results\n\n");
    md.push_str("<!-- Generated by `eventlab-bench notes`; do not edit by hand. -->\n\n");
    let source = match summary.environment {
        Environment::LocalEmulator => "local emulator (MiniStack), not AWS",
        Environment::Aws => "AWS",
    };
    let _ = writeln!(
        md,
        "Measured on: **{source}**, {} (bench `{}`), {} events per service via {}, {} per call, {} events/s.\n",
        summary.created_at.format("%Y-%m-%d"),
        summary.bench_id,
        summary.drive.events,
        summary.drive.via,
        summary.drive.batch,
        summary.drive.rate
    );
    if summary.environment == Environment::LocalEmulator {
        md.push_str("Local figures show the shape of each service's behaviour (batching, ordering, delivery); their absolute latencies are the emulator's. See the caveats:\n\n");
        for caveat in &summary.caveats {
            let _ = writeln!(md, "- {caveat}");
        }
        md.push('\n');
    }
    md.push_str(&markdown_table(summary));
    md.push('\n');
    md.push_str(&reference_md(summary));
    md
}
