//! A cold-start measurement as a table, a chart, the bench report's section and a page
//! of its own.

use askama::Template;
use eventlab_measure::coldstart::{Report, Row};
use eventlab_measure::stats::Latency;

use crate::page::{AnswerBlock, File, Fold, Table};

/// The table's columns.
const HEADINGS: [&str; 9] = [
    "function · build · strategy",
    "INIT wall ms",
    "INIT CPU ms",
    "first invoke wall ms",
    "warm 1-event wall ms",
    "warm 1-event CPU ms",
    "CPU ms per large invoke (events)",
    "CPU ms per event",
    "peak RSS MiB",
];

/// Each row's cells, formatted once for every rendering.
fn cells(report: &Report) -> Vec<[String; 9]> {
    let none = || "–".to_owned();
    let p50 = |l: Option<Latency>, digits: usize| l.map_or_else(none, |l| format!("{:.digits$}", l.p50));
    report
        .rows
        .iter()
        .map(|row| {
            let large = row
                .large_cpu
                .map_or_else(none, |l| format!("{:.2} ({})", l.p50, row.large_events));
            [
                row.subject.label(),
                p50(row.init_wall, 1),
                p50(row.init_cpu, 1),
                p50(row.first_wall, 1),
                p50(row.warm_wall, 1),
                p50(row.warm_cpu, 2),
                large,
                row.large_cpu_per_event_ms.map_or_else(none, |v| format!("{v:.3}")),
                format!("{:.1}", row.peak_rss_mib),
            ]
        })
        .collect()
}

/// The figures as a Markdown table (also the terminal's).
pub fn table(report: &Report) -> String {
    Table::new(Some("coldstart-table"), &HEADINGS, cells(report)).markdown()
}

/// What the figures are, for every place they are shown.
pub fn provenance(report: &Report) -> String {
    let against = report
        .endpoint
        .as_ref()
        .map_or_else(|| "AWS".to_owned(), |e| format!("the emulator at {e}"));
    format!(
        "Measured on this machine ({}), {}; each binary as a process under the bench's Lambda Runtime API, against {against}: {} cold starts per row, {} warm invocations each. Medians (p50). CPU is user+system time from the scheduler; RSS is VmHWM. Host figures, not Lambda's: Lambda adds its sandbox start to INIT and scales CPU with memory.",
        report.host,
        report.created_at.format("%Y-%m-%d %H:%M UTC"),
        report.cold_starts,
        report.warm
    )
}

#[derive(Debug, Template)]
#[template(path = "coldstart_section.html")]
struct Section {
    provenance: String,
    table: String,
    chart: String,
}

#[derive(Debug, Template)]
#[template(path = "coldstart.html")]
struct Page {
    answer: String,
    chart: String,
    folds: Vec<String>,
}

/// The page's opening: what was measured, a row per binary, the findings.
fn answer(report: &Report) -> AnswerBlock {
    let p50 = |l: Option<Latency>, digits: usize| l.map_or_else(|| "–".to_owned(), |l| format!("{:.digits$}", l.p50));
    let rows = report
        .rows
        .iter()
        .map(|r| {
            [
                r.subject.label(),
                p50(r.init_wall, 1),
                p50(r.init_cpu, 1),
                p50(r.warm_wall, 2),
                p50(r.warm_cpu, 2),
                format!("{:.1}", r.peak_rss_mib),
            ]
        })
        .collect();
    AnswerBlock {
        run: format!(
            "{} binaries · {} cold starts and {} warm invocations each · {}",
            report.rows.len(),
            report.cold_starts,
            report.warm,
            report.created_at.format("%Y-%m-%d %H:%M UTC")
        ),
        place: format!("this host ({}), not Lambda", report.host),
        local: true,
        table: Table::new(
            Some("coldstart-answer"),
            &[
                "function · build · strategy",
                "INIT wall ms",
                "INIT CPU ms",
                "warm wall ms",
                "warm CPU ms",
                "peak RSS MiB",
            ],
            rows,
        )
        .html(),
        note: Some("Medians (p50). Lambda adds its sandbox start to INIT and scales CPU with memory.".to_owned()),
        findings: eventlab_measure::findings::coldstart(report),
    }
}

/// The section the bench report and the coldstart page share: provenance, table and chart.
pub fn section(report: &Report) -> String {
    Section {
        provenance: provenance(report),
        table: Table::new(Some("coldstart-table"), &HEADINGS, cells(report)).html(),
        chart: chart(report),
    }
    .render()
    .expect("the cold-start section renders")
}

/// The chart: INIT and per-request figures per subject, medians, on a log scale.
pub fn chart(report: &Report) -> String {
    let categories: Vec<String> = report.rows.iter().map(|r| r.subject.label()).collect();
    let p50 = |pick: fn(&Row) -> Option<Latency>| report.rows.iter().map(|r| pick(r).map_or(0.0, |l| l.p50)).collect();
    crate::charts::horizontal_bars(
        "Cold start and request cost per binary (medians, measured on this host)",
        "milliseconds (log)",
        &categories,
        &[
            ("INIT wall", p50(|r| r.init_wall)),
            ("INIT CPU", p50(|r| r.init_cpu)),
            ("warm 1-event wall", p50(|r| r.warm_wall)),
            ("warm 1-event CPU", p50(|r| r.warm_cpu)),
        ],
    )
}

/// `coldstart.json`, `coldstart.md`, `coldstart.svg` and `coldstart.html`.
pub fn files(report: &Report) -> serde_json::Result<Vec<File>> {
    let page = Page {
        answer: answer(report).html(),
        chart: chart(report),
        folds: vec![
            Fold {
                id: "coldstart-detail",
                title: "Every figure",
                line: "first invocations, large batches, CPU per event, and how it was measured".to_owned(),
                body: format!(
                    "<p class=\"local\">{}</p>\n{}",
                    askama::filters::escape(provenance(report), askama::filters::Html).expect("escaping cannot fail"),
                    Table::new(Some("coldstart-table"), &HEADINGS, cells(report)).html()
                ),
            }
            .html(),
        ],
    }
    .render()
    .expect("the cold-start page renders");
    Ok(vec![
        File::new("coldstart.json", serde_json::to_string_pretty(report)?),
        File::new("coldstart.md", format!("{}\n\n{}", provenance(report), table(report))),
        File::new("coldstart.svg", chart(report)),
        File::new("coldstart.html", page),
    ])
}
