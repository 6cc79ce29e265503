//! Writing a run's report: `raw.jsonl`, `summary.json`, `report.md`, `report.html` (with
//! SVG charts, also saved beside it), and the compact table for the terminal.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::charts;
use crate::lambda_logs::FunctionUsage;
use crate::reference::References;
use crate::run::LaneRun;
use crate::stats::Latency;
use crate::summary::{Environment, LaneSummary, Summary};

/// One row of `raw.jsonl`: one event's journey.
#[derive(Debug, Serialize)]
struct RawRow<'a> {
    service: &'a str,
    run_id: &'a str,
    event_id: uuid::Uuid,
    seq: u64,
    call_ms: f64,
    /// Copies that arrived (0 = lost).
    copies: usize,
    received_at: Option<chrono::DateTime<chrono::Utc>>,
    e2e_ms: Option<f64>,
    s3_visible_ms: Option<f64>,
    request_id: Option<&'a str>,
    batch_size: Option<usize>,
    cold_start: Option<bool>,
    object: Option<&'a str>,
}

fn raw_rows(lanes: &[LaneRun]) -> Vec<RawRow<'_>> {
    let mut rows = Vec::new();
    for lane in lanes {
        for sent in &lane.sent {
            let copies: Vec<_> = lane
                .found
                .iter()
                .filter(|f| f.record.event.event_id == sent.event_id)
                .collect();
            let first = copies.iter().min_by_key(|f| f.record.received_at);
            rows.push(RawRow {
                service: lane.service.as_str(),
                run_id: lane.run_id.as_str(),
                event_id: sent.event_id,
                seq: sent.seq,
                call_ms: sent.call_ms,
                copies: copies.len(),
                received_at: first.map(|f| f.record.received_at),
                e2e_ms: first.map(|f| f.record.e2e_ms),
                s3_visible_ms: first.map(|f| eventlab_schema::millis_between(f.record.event.time, f.seen_at)),
                request_id: first.map(|f| f.record.request_id.as_str()),
                batch_size: first.map(|f| f.record.batch_size),
                cold_start: first.map(|f| f.record.cold_start),
                object: first.map(|f| f.key.as_str()),
            });
        }
    }
    rows
}

/// The charts of a report, as (file name, title, SVG).
pub fn charts(summary: &Summary, lanes: &[LaneRun]) -> Vec<(&'static str, &'static str, String)> {
    let names: Vec<String> = summary.lanes.iter().map(|l| l.service.to_string()).collect();
    let pick = |f: fn(&Latency) -> f64| -> Vec<f64> {
        summary
            .lanes
            .iter()
            .map(|l| l.end_to_end.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    let latency = charts::grouped_bars(
        "End-to-end latency, warm invocations (time → transformer received_at)",
        "milliseconds (log scale)",
        &names,
        &[
            ("p50", pick(|l| l.p50)),
            ("p90", pick(|l| l.p90)),
            ("p99", pick(|l| l.p99)),
        ],
        true,
    );
    let samples: Vec<(String, Vec<f64>)> = lanes
        .iter()
        .map(|lane| {
            (
                lane.service.to_string(),
                lane.found.iter().map(|f| f.record.e2e_ms).collect(),
            )
        })
        .collect();
    let cdf = charts::cdf(
        "End-to-end latency distribution (all deliveries)",
        "milliseconds (log scale)",
        &samples,
    );
    let cost_series: Vec<(&str, Vec<f64>)> = crate::cost::CATEGORIES
        .iter()
        .map(|category| {
            (
                *category,
                summary
                    .lanes
                    .iter()
                    .map(|l| l.cost_per_million.category(category))
                    .collect(),
            )
        })
        .collect();
    let cost = charts::grouped_bars(
        "Cost per million events, by what is billed (USD)",
        "USD per 1M events",
        &names,
        &cost_series,
        false,
    );
    let batching = charts::grouped_bars(
        "Batching: mean events per transformer invocation",
        "events per invocation",
        &names,
        &[(
            "mean batch",
            summary.lanes.iter().map(|l| l.batching.mean_batch).collect(),
        )],
        false,
    );
    let book = crate::pricing::PriceBook::us_east_1();
    let event_bytes = summary.lanes.first().map_or(1024.0, |l| l.workload.event_bytes);
    let trade_off = crate::model::trade_off_chart(
        summary.drive.rate,
        &crate::model::trade_offs(summary.drive.rate, event_bytes, &book),
    );
    vec![
        ("latency.svg", "Latency percentiles", latency),
        ("latency-cdf.svg", "Latency distribution", cdf),
        ("cost.svg", "Cost per million events", cost),
        ("batching.svg", "Batching", batching),
        (
            "batching-trade-off.svg",
            "Batching: cost against added wait (modelled)",
            trade_off,
        ),
    ]
}

/// Writes every report file into `dir`; returns the path of `report.html`.
pub fn write(dir: &Path, summary: &Summary, lanes: &[LaneRun]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut raw = String::new();
    for row in raw_rows(lanes) {
        raw.push_str(&serde_json::to_string(&row)?);
        raw.push('\n');
    }
    std::fs::write(dir.join("raw.jsonl"), raw)?;
    std::fs::write(dir.join("summary.json"), serde_json::to_string_pretty(summary)?)?;
    let charts = charts(summary, lanes);
    for (file, _, svg) in &charts {
        std::fs::write(dir.join(file), svg)?;
    }
    if let Some(coldstart) = &summary.coldstart {
        crate::coldstart::write(coldstart, dir)?;
    }
    std::fs::write(dir.join("report.md"), markdown(summary, &charts))?;
    let html_path = dir.join("report.html");
    std::fs::write(&html_path, html(summary, &charts))?;
    Ok(html_path)
}

fn fmt_ms(latency: Option<&Latency>, pick: fn(&Latency) -> f64) -> String {
    latency.map_or_else(|| "–".to_owned(), |l| charts::short(pick(l)))
}

fn environment_line(summary: &Summary) -> String {
    match summary.environment {
        Environment::LocalEmulator => format!(
            "**Local emulator** (MiniStack at {}), {} — not AWS figures.",
            summary.endpoint.as_deref().unwrap_or("?"),
            summary.created_at.format("%Y-%m-%d %H:%M UTC")
        ),
        Environment::Aws => format!("**AWS**, {}.", summary.created_at.format("%Y-%m-%d %H:%M UTC")),
    }
}

/// A lane's order promise in a table cell.
/// The promise's scope in a table cell's width (13 characters).
fn short_promise(promise: &str) -> &str {
    [
        ("per shard", "per shard"),
        ("per message group", "per group"),
        ("per item key", "per item key"),
    ]
    .into_iter()
    .find_map(|(long, short)| promise.starts_with(long).then_some(short))
    .unwrap_or("none")
}

/// Billed duration p50 / p99 from REPORT lines, or a dash.
fn billed(usage: Option<&FunctionUsage>) -> String {
    usage.and_then(|u| u.billed_ms.as_ref()).map_or_else(
        || "–".to_owned(),
        |b| format!("{} / {}", charts::short(b.p50), charts::short(b.p99)),
    )
}

/// The comparison table rows: (heading, one cell per lane).
#[allow(clippy::too_many_lines)] // one row per figure, a declarative list
fn table(summary: &Summary) -> Vec<(&'static str, Vec<String>)> {
    let lanes = &summary.lanes;
    let cells = |f: &dyn Fn(&LaneSummary) -> String| lanes.iter().map(f).collect::<Vec<_>>();
    vec![
        (
            "events published",
            cells(&|l| (u64::from(l.events) - l.failed_to_publish).to_string()),
        ),
        (
            "publish call p50 / p99 ms",
            cells(&|l| {
                format!(
                    "{} / {}",
                    fmt_ms(l.publish_call.as_ref(), |x| x.p50),
                    fmt_ms(l.publish_call.as_ref(), |x| x.p99)
                )
            }),
        ),
        (
            "end-to-end p50 ms (warm)",
            cells(&|l| fmt_ms(l.end_to_end.as_ref(), |x| x.p50)),
        ),
        (
            "end-to-end p90 ms",
            cells(&|l| fmt_ms(l.end_to_end.as_ref(), |x| x.p90)),
        ),
        (
            "end-to-end p99 ms",
            cells(&|l| fmt_ms(l.end_to_end.as_ref(), |x| x.p99)),
        ),
        (
            "end-to-end max ms",
            cells(&|l| fmt_ms(l.end_to_end.as_ref(), |x| x.max)),
        ),
        (
            "end-to-end trimmed mean ms",
            cells(&|l| fmt_ms(l.end_to_end.as_ref(), |x| x.trimmed_mean)),
        ),
        (
            "cold-start deliveries (p50 ms)",
            cells(&|l| {
                l.end_to_end_cold
                    .as_ref()
                    .map_or("0".to_owned(), |c| format!("{} ({})", c.count, charts::short(c.p50)))
            }),
        ),
        (
            "S3-visible p50 ms (polled)",
            cells(&|l| fmt_ms(l.s3_visible.as_ref(), |x| x.p50)),
        ),
        ("delivered", cells(&|l| l.delivery.delivered.to_string())),
        ("lost", cells(&|l| l.delivery.lost.to_string())),
        ("duplicated", cells(&|l| l.delivery.duplicated.to_string())),
        ("order promised", cells(&|l| short_promise(&l.order.promise).to_owned())),
        (
            "out of order vs the promise",
            cells(&|l| {
                l.order
                    .against_service
                    .map_or_else(|| "n/a".to_owned(), |n| n.to_string())
            }),
        ),
        (
            "publisher reordering (same key)",
            cells(&|l| {
                l.order
                    .publisher_reordered
                    .map_or_else(|| "n/a".to_owned(), |n| n.to_string())
            }),
        ),
        (
            "arrival vs publish order",
            cells(&|l| l.delivery.out_of_order.to_string()),
        ),
        (
            "transformer invocations",
            cells(&|l| l.batching.invocations.to_string()),
        ),
        ("mean batch", cells(&|l| format!("{:.2}", l.batching.mean_batch))),
        (
            "invocations per event",
            cells(&|l| format!("{:.3}", l.batching.invocations_per_event)),
        ),
        ("S3 objects", cells(&|l| l.s3_objects.to_string())),
        (
            "transformer billed ms p50 / p99",
            cells(&|l| billed(l.functions.transformer.as_ref())),
        ),
        (
            "generator billed ms p50 / p99",
            cells(&|l| billed(l.functions.generator.as_ref())),
        ),
        (
            "log bytes per transformer call",
            cells(&|l| {
                l.functions
                    .transformer
                    .as_ref()
                    .and_then(FunctionUsage::log_bytes_per_invocation)
                    .map_or_else(|| "–".to_owned(), |b| format!("{b:.0}"))
            }),
        ),
        (
            "cost per 1M events (USD)",
            cells(&|l| format!("{:.2}", l.cost_per_million_usd())),
        ),
        (
            "AWS modelled: USD per 1M",
            cells(&|l| {
                l.aws_model
                    .usd_per_million
                    .map_or_else(|| "cannot run".to_owned(), |usd| format!("{usd:.2}"))
            }),
        ),
        (
            "AWS modelled: batch wait ms",
            cells(&|l| {
                l.aws_model.added_wait_ms.map_or_else(
                    || "–".to_owned(),
                    |ms| if ms < 0.5 { "0".to_owned() } else { charts::short(ms) },
                )
            }),
        ),
    ]
}

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

fn markdown(summary: &Summary, charts: &[(&str, &str, String)]) -> String {
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
    for (file, title, _) in charts {
        let _ = writeln!(md, "![{title}]({file})\n");
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

/// Whose figures a report's own are.
fn measured_here(summary: &Summary) -> &'static str {
    match summary.environment {
        Environment::LocalEmulator => "this run, local emulator",
        Environment::Aws => "this run, AWS",
    }
}

/// Each lane's end-to-end figures beside the published AWS ones: rows of (lane, whose,
/// p50, p90, p99, what, source).
fn reference_rows(summary: &Summary) -> Vec<[String; 7]> {
    let refs = References::bundled();
    let mut rows = Vec::new();
    for lane in &summary.lanes {
        let name = lane.service.as_str();
        let ms = |v: f64| charts::short(v);
        if let Some(l) = &lane.end_to_end {
            rows.push([
                name.to_owned(),
                measured_here(summary).to_owned(),
                ms(l.p50),
                ms(l.p90),
                ms(l.p99),
                "warm deliveries: event time to transformer receipt".to_owned(),
                "measured".to_owned(),
            ]);
        }
        for figure in refs.latency_for(name) {
            rows.push([
                name.to_owned(),
                format!("published AWS reference ({})", figure.measured),
                ms(figure.p50_ms),
                ms(figure.p90_ms),
                ms(figure.p99_ms),
                figure.what.clone(),
                format!("{} — {}", figure.author, figure.source),
            ]);
        }
        for behaviour in refs.behaviours_for(name) {
            rows.push([
                name.to_owned(),
                format!("documented by AWS (read {})", behaviour.read_on),
                "–".to_owned(),
                "–".to_owned(),
                "–".to_owned(),
                behaviour.what.clone(),
                behaviour.source.clone(),
            ]);
        }
    }
    rows
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

/// Per lane and function: what the REPORT lines and log groups said.
fn function_rows(summary: &Summary) -> Vec<[String; 9]> {
    let mut rows = Vec::new();
    for lane in &summary.lanes {
        for usage in [&lane.functions.transformer, &lane.functions.generator]
            .into_iter()
            .flatten()
        {
            let lat = |l: Option<&Latency>| {
                l.map_or_else(
                    || "–".to_owned(),
                    |l| format!("{} / {}", charts::short(l.p50), charts::short(l.p99)),
                )
            };
            rows.push([
                lane.service.to_string(),
                usage.function.clone(),
                usage.invocations.to_string(),
                lat(usage.billed_ms.as_ref()),
                lat(usage.duration_ms.as_ref()),
                format!("{} ({})", usage.cold_starts, lat(usage.init_ms.as_ref())),
                usage
                    .max_memory_used_mb
                    .map_or_else(|| "not reported".to_owned(), |mb| format!("{mb:.0} MB")),
                usage
                    .log_bytes_per_invocation()
                    .map_or_else(|| "–".to_owned(), |b| format!("{b:.0}")),
                usage.memory_mb.map_or_else(|| "–".to_owned(), |mb| format!("{mb:.0}")),
            ]);
        }
    }
    rows
}

const FUNCTION_HEADINGS: [&str; 9] = [
    "lane",
    "function",
    "invocations (REPORT lines)",
    "billed ms p50 / p99",
    "duration ms p50 / p99",
    "cold starts (INIT ms p50 / p99)",
    "max memory used",
    "log bytes per invocation",
    "memory MB",
];

fn functions_md(summary: &Summary) -> String {
    let mut md = String::from("## What the functions used (their REPORT lines and log groups)\n\n");
    let _ = writeln!(md, "| {} |", FUNCTION_HEADINGS.join(" | "));
    let _ = writeln!(md, "|{}", "---|".repeat(FUNCTION_HEADINGS.len()));
    for row in function_rows(summary) {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md.push('\n');
    md
}

fn cost_details_md(summary: &Summary) -> String {
    let mut md = String::from("## Cost per million events, item by item\n\n");
    let _ = writeln!(
        md,
        "Each item names where its quantity comes from (counted by the bench, measured from logs, modelled, or assumed). Kinesis shards: {}; prices: {} list prices with their sources (bench/pricing/); no free tier subtracted.\n",
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

/// A plain table of text cells, escaped; `id` names it for links and tests.
pub fn html_table<const N: usize>(id: Option<&str>, headings: &[&str; N], rows: &[[String; N]]) -> String {
    let mut h = id.map_or_else(|| "<table>".to_owned(), |id| format!("<table id=\"{}\">", escape(id)));
    h.push_str("<thead><tr>");
    for heading in headings {
        let _ = write!(h, "<th>{}</th>", escape(heading));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            let _ = write!(h, "<td>{}</td>", escape(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[allow(clippy::too_many_lines)] // one page, top to bottom
fn html(summary: &Summary, charts: &[(&str, &str, String)]) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    let _ = writeln!(h, "<title>eventlab bench {}</title>", escape(&summary.bench_id));
    h.push_str(
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
         table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
         th:first-child,td:first-child{text-align:left}thead th{background:#f3f3f3}\
         .caveat{background:#fff4d6;border-left:4px solid #e69f00;padding:.6em 1em;margin:1em 0}\
         .aws{background:#e6f4ea;border-left:4px solid #009e73;padding:.6em 1em}figure{margin:1.5em 0}svg{max-width:100%;height:auto}\
         #reference-table td{text-align:left;vertical-align:top}#reference-table td:nth-child(3),#reference-table td:nth-child(4),#reference-table td:nth-child(5){text-align:right;white-space:nowrap}\
         #reference-table tr.local{background:#fff4d6}#reference-table tr.reference{background:#eef4fb}</style>\n</head><body>\n",
    );
    let _ = writeln!(h, "<h1>eventlab bench <code>{}</code></h1>", escape(&summary.bench_id));
    let env = environment_line(summary).replace("**", "");
    match summary.environment {
        Environment::LocalEmulator => {
            let _ = writeln!(h, "<div class=\"caveat\"><strong>{}</strong><ul>", escape(&env));
            for caveat in &summary.caveats {
                let _ = writeln!(h, "<li>{}</li>", escape(caveat));
            }
            h.push_str("</ul></div>\n");
        }
        Environment::Aws => {
            let _ = writeln!(h, "<p class=\"aws\">{}</p>", escape(&env));
        }
    }
    let d = &summary.drive;
    let _ = writeln!(
        h,
        "<p>{} events per service via <code>{}</code> at {} events/s, {} per call, concurrency {}.</p>",
        d.events, d.via, d.rate, d.batch, d.concurrency
    );
    h.push_str("<table><thead><tr><th></th>");
    for lane in &summary.lanes {
        let _ = write!(h, "<th>{}</th>", lane.service);
    }
    h.push_str("</tr></thead><tbody>\n");
    for (heading, cells) in table(summary) {
        let _ = write!(h, "<tr><td>{}</td>", escape(heading));
        for cell in cells {
            let _ = write!(h, "<td>{}</td>", escape(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    for (_, title, svg) in charts {
        let _ = writeln!(h, "<figure aria-label=\"{}\">{svg}</figure>", escape(title));
    }
    h.push_str("<h2 id=\"reference\">This run beside published AWS figures</h2>\n<p>Different in kind: the reference rows were measured by others, in another account, Region and year. Compare shapes, never merge numbers.</p>\n");
    h.push_str("<table id=\"reference-table\"><thead><tr><th>lane</th><th>figures</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>what</th><th>source</th></tr></thead><tbody>\n");
    for row in reference_rows(summary) {
        let class = if row[1].starts_with("this run") {
            "local"
        } else {
            "reference"
        };
        let _ = write!(h, "<tr class=\"{class}\">");
        for (i, cell) in row.iter().enumerate() {
            if i == 6 && cell.contains("https://") {
                let url = cell.rsplit(' ').next().unwrap_or_default();
                let who = cell.split(" — ").next().filter(|w| !w.starts_with("https://"));
                let text = who.unwrap_or("AWS documentation");
                let _ = write!(h, "<td><a href=\"{}\">{}</a></td>", escape(url), escape(text));
            } else {
                let _ = write!(h, "<td>{}</td>", escape(cell));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h.push_str("<h2>What the functions used (their REPORT lines and log groups)</h2>\n");
    h.push_str(&html_table(None, &FUNCTION_HEADINGS, &function_rows(summary)));
    h.push_str("<h2>Cost per million events, item by item</h2>\n");
    for lane in &summary.lanes {
        let _ = writeln!(
            h,
            "<h3>{} — ${:.4}</h3><table><thead><tr><th>item</th><th>quantity</th><th>USD</th><th>origin</th></tr></thead><tbody>",
            lane.service,
            lane.cost_per_million_usd()
        );
        for item in &lane.cost_per_million.items {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{:.1} {}</td><td>{:.4}</td><td>{}</td></tr>",
                escape(&item.item),
                item.quantity,
                escape(&item.unit),
                item.usd,
                item.origin
            );
        }
        h.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        h,
        "<p>Each item names where its quantity comes from: counted by the bench, measured from the functions' logs, modelled, or assumed. Prices: {} list prices from <code>bench/pricing/</code>, each with its source and date; no free tier subtracted (free tiers are monthly, per account: <code>model --free-tier</code>).</p>",
        summary.prices_region
    );
    if !summary.failure_queues.is_empty() {
        h.push_str(&crate::failures::html(&summary.failure_queues));
    }
    if let Some(coldstart) = &summary.coldstart {
        h.push_str(&crate::coldstart::html(coldstart));
    }
    h.push_str("</body></html>\n");
    h
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{Bill, CostItem, LambdaProfile, Meter, Origin, Workload};
    use crate::run::{Drive, Via};
    use crate::stats::{Batching, Delivery, Order};
    use crate::summary::{AwsModel, LaneSummary, LaneUsage};
    use eventlab_schema::Service;

    fn summary(environment: Environment) -> Summary {
        let lane = LaneSummary {
            service: Service::Sqs,
            run_id: "r".parse().unwrap(),
            via: Via::Api,
            events: 10,
            failed_to_publish: 0,
            publish_call: Latency::of(&[5.0, 6.0]),
            end_to_end: Latency::of(&[10.0, 20.0, 30.0]),
            end_to_end_cold: None,
            s3_visible: Latency::of(&[100.0]),
            delivery: Delivery {
                published: 10,
                delivered: 10,
                ..Delivery::default()
            },
            order: Order {
                promise: "none".into(),
                against_service: None,
                publisher_reordered: None,
            },
            batching: Batching {
                invocations: 2,
                mean_batch: 5.0,
                ..Batching::default()
            },
            functions: LaneUsage::default(),
            lambdas: LambdaProfile::assumed(),
            aws_model: AwsModel {
                usd_per_million: Some(2.5),
                added_wait_ms: Some(0.0),
                capacity: String::new(),
                cannot_run: None,
            },
            s3_objects: 2,
            workload: Workload {
                service: Service::Sqs,
                events: 10,
                event_bytes: 300.0,
                publish_requests: 1,
                transformer_invocations: 2,
                sqs_receives: 2,
                cold_starts: 0,
                generator_cold_starts: 0,
                s3_puts: 2,
                multipart_objects: false,
                result_bytes: 600.0,
                retention_days: 30.0,
                api_requests: 1,
                hours: 0.0,
                shards: 0,
            },
            cost_per_million: Bill {
                items: vec![CostItem {
                    item: "S3 PUTs".into(),
                    meter: Meter::S3Requests,
                    quantity: 2e5,
                    unit: "requests".into(),
                    usd: 1.0,
                    origin: Origin::Counted,
                }],
            },
        };
        Summary {
            bench_id: "bench-test".into(),
            created_at: chrono::DateTime::parse_from_rfc3339("2026-11-23T05:00:00Z")
                .unwrap()
                .to_utc(),
            environment,
            endpoint: None,
            caveats: vec!["emulated".into()],
            drive: Drive {
                events: 10,
                rate: 5.0,
                concurrency: 1,
                batch: 10,
                via: Via::Api,
                size_bytes: None,
                timeout_secs: 1,
            },
            kinesis_shards: 1,
            prices_region: "us-east-1".into(),
            coldstart: None,
            failure_queues: Vec::new(),
            lanes: vec![lane],
        }
    }

    #[test]
    fn the_notes_table_says_where_and_when_it_was_measured() {
        let local = notes_table(&summary(Environment::LocalEmulator));
        assert!(local.contains("**local emulator (MiniStack), not AWS**, 2026-11-23"));
        assert!(local.contains("| cost per 1M events (USD) | 1.00 |"));
        assert!(local.contains("- emulated"));
        let aws = notes_table(&summary(Environment::Aws));
        assert!(aws.contains("**AWS**") && !aws.contains("emulated"));
    }

    /// The SQS lane's local figures sit beside the published SQS study, labelled apart.
    #[test]
    fn the_report_sets_local_figures_beside_the_aws_reference() {
        let html = html(&summary(Environment::LocalEmulator), &[]);
        let table = &html[html.find("id=\"reference-table\"").unwrap()..];
        assert!(table.contains("<tr class=\"local\"><td>sqs</td><td>this run, local emulator</td>"));
        assert!(
            table.contains("published AWS reference")
                && table.contains("<td>16.2</td>")
                && table.contains("<td>105</td>")
        );
        assert!(table.contains("https://bitesizedserverless.com/bite/serverless-messaging-latency-compared/"));
        let md = markdown(&summary(Environment::Aws), &[]);
        assert!(md.contains("| sqs | this run, AWS |"));
    }

    #[test]
    fn the_terminal_table_of_seven_lanes_comes_in_blocks_that_fit_84_columns() {
        let mut seven = summary(Environment::LocalEmulator);
        let lane = seven.lanes[0].clone();
        seven.lanes = Service::ALL
            .iter()
            .map(|&service| LaneSummary {
                service,
                ..lane.clone()
            })
            .collect();
        let text = terminal(&seven);
        assert!(text.lines().all(|line| line.chars().count() <= 84), "{text}");
        // The header lines are the ones with no row heading.
        let headers: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with(' '))
            .flat_map(str::split_whitespace)
            .collect();
        assert_eq!(headers, Service::ALL.map(Service::as_str), "{text}");
        assert_eq!(text.matches("events published").count(), 2, "two blocks: 4 and 3 lanes");
    }

    #[test]
    fn the_terminal_table_flags_local_figures() {
        assert!(terminal(&summary(Environment::LocalEmulator)).contains("not AWS figures"));
        assert!(!terminal(&summary(Environment::Aws)).contains("not AWS figures"));
    }
}
