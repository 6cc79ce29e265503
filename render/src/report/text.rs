//! The report as text: Markdown (`report.md`, the notes' results table) and the terminal.

use std::fmt::Write as _;

use eventlab_measure::answer::Answer;
use eventlab_measure::summary::{Environment, Summary};

use super::html::{ANSWER_NOTE, answer_table, place, run_line};
use super::rows::{FUNCTION_HEADINGS, environment_line, function_rows, reference_rows, table};
use crate::page::{Chart, Table};

/// Lanes side by side in one block of the terminal table.
const TERMINAL_LANES_PER_BLOCK: usize = 4;

/// `text` wrapped to `width` columns, each line after the first indented by `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    textwrap::fill(
        text,
        textwrap::Options::new(width)
            .subsequent_indent(indent)
            .break_words(false),
    )
}

/// The answer in the terminal: the run, a line per lane, the findings.
fn terminal_answer(summary: &Summary, answer: &Answer) -> String {
    let mut out = format!("{}\n{}\n\n", wrap(&run_line(summary), 84, "  "), place(summary));
    let table = answer_table(summary, answer);
    let short = [
        "lane",
        "p50/p99",
        "AWS p50/99",
        "lost/dup",
        "order/kept",
        "inv/ev",
        "$ here",
        "$ AWS",
    ];
    let widths = [11, 10, 10, 8, 15, 6, 7, 10];
    for (name, width) in short.iter().zip(widths) {
        let _ = write!(out, "{name:<width$} ");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    for row in &table.rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            let cell = cell.replace(" / ", "/");
            let _ = write!(line, "{cell:<width$} ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let legend = format!(
        "p50/p99: end-to-end ms, {}; AWS: published by others. inv/ev: transformer invocations per event. $: per 1M events, here at AWS list prices, AWS as modelled at {} events/s. {ANSWER_NOTE}",
        super::rows::measured_here(summary),
        summary.drive.rate
    );
    let _ = writeln!(out, "{}\n", wrap(&legend, 84, ""));
    for finding in &answer.findings {
        let _ = writeln!(out, "- {}", wrap(finding, 82, "  "));
    }
    out
}

/// What a run prints at its end: the answer first, then every figure in blocks of lanes.
pub fn terminal(summary: &Summary) -> String {
    let answer = eventlab_measure::answer::answer(summary, &eventlab_measure::reference::References::bundled());
    let mut out = terminal_answer(summary, &answer);
    out.push_str("\nEvery figure, lane by lane:\n\n");
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

pub(super) fn markdown(summary: &Summary, answer: &Answer, charts: &[Chart]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# eventlab bench {}\n", summary.bench_id);
    let _ = writeln!(md, "{} · **{}**\n", run_line(summary), place(summary));
    md.push_str(&answer_table(summary, answer).markdown());
    let _ = writeln!(md, "\n{ANSWER_NOTE}\n");
    for finding in &answer.findings {
        let _ = writeln!(md, "- {finding}");
    }
    let _ = writeln!(
        md,
        "\n![Latency against cost](frontier.svg)\n\n## Every figure, lane by lane\n"
    );
    let _ = writeln!(md, "{}\n", environment_line(summary));
    md.push_str(&markdown_table(summary));
    md.push('\n');
    for chart in charts.iter().filter(|c| c.file != "frontier.svg") {
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
    if !summary.caveats.is_empty() {
        md.push_str("\n## Caveats\n\n");
        for caveat in &summary.caveats {
            let _ = writeln!(md, "- {caveat}");
        }
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
