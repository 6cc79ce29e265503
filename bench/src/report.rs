//! Writing a run's report: `raw.jsonl`, `summary.json`, `report.md`, `report.html` (with
//! SVG charts, also saved beside it), and the compact table for the terminal.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::charts;
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
    let categories = ["service charges", "Lambda", "S3", "API Gateway"];
    let cost_series: Vec<(&str, Vec<f64>)> = categories
        .iter()
        .map(|category| {
            (
                *category,
                summary.lanes.iter().map(|l| cost_category(l, category)).collect(),
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
    vec![
        ("latency.svg", "Latency percentiles", latency),
        ("latency-cdf.svg", "Latency distribution", cdf),
        ("cost.svg", "Cost per million events", cost),
        ("batching.svg", "Batching", batching),
    ]
}

/// Sums a lane's per-million bill into the chart's four categories.
pub fn cost_category(lane: &LaneSummary, category: &str) -> f64 {
    lane.cost_per_million
        .items
        .iter()
        .filter(|item| {
            let name = item.item.as_str();
            match category {
                "Lambda" => name.starts_with("Transformer") || name.starts_with("Generator"),
                "S3" => name.starts_with("S3"),
                "API Gateway" => name.starts_with("API Gateway"),
                _ => {
                    !(name.starts_with("Transformer")
                        || name.starts_with("Generator")
                        || name.starts_with("S3")
                        || name.starts_with("API Gateway"))
                }
            }
        })
        .map(|item| item.usd)
        .sum()
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

/// The comparison table rows: (heading, one cell per lane).
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
        ("out of order", cells(&|l| l.delivery.out_of_order.to_string())),
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
            "cost per 1M events (USD)",
            cells(&|l| format!("{:.2}", l.cost_per_million_usd())),
        ),
    ]
}

/// The compact table printed at the end of a run.
pub fn terminal(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<32}", "");
    for lane in &summary.lanes {
        let _ = write!(out, "{:>13}", lane.service.as_str());
    }
    out.push('\n');
    for (heading, cells) in table(summary) {
        let _ = write!(out, "{heading:<32}");
        for cell in cells {
            let _ = write!(out, "{cell:>13}");
        }
        out.push('\n');
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
    md.push_str(&cost_details_md(summary));
    md
}

fn cost_details_md(summary: &Summary) -> String {
    let mut md = String::from("## Cost per million events, item by item\n\n");
    let a = &summary.durations;
    let _ = writeln!(
        md,
        "Assumed Lambda durations (not measured): transformer {} ms, generator {} ms, INIT {} ms per cold start, {} MB, {:?}; Kinesis shards: {}; prices: {} list prices (bench/pricing/).\n",
        a.transformer_ms, a.generator_ms, a.init_ms, a.memory_mb, a.arch, summary.kinesis_shards, summary.prices_region
    );
    for lane in &summary.lanes {
        let _ = writeln!(
            md,
            "**{}** — total ${:.4}\n\n| item | quantity | USD |\n|---|---:|---:|",
            lane.service,
            lane.cost_per_million_usd()
        );
        for item in &lane.cost_per_million.items {
            let _ = writeln!(
                md,
                "| {} | {:.1} {} | {:.4} |",
                item.item, item.quantity, item.unit, item.usd
            );
        }
        md.push('\n');
    }
    md
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

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
         .aws{background:#e6f4ea;border-left:4px solid #009e73;padding:.6em 1em}figure{margin:1.5em 0}svg{max-width:100%;height:auto}</style>\n</head><body>\n",
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
    h.push_str("<h2>Cost per million events, item by item</h2>\n");
    for lane in &summary.lanes {
        let _ = writeln!(
            h,
            "<h3>{} — ${:.4}</h3><table><thead><tr><th>item</th><th>quantity</th><th>USD</th></tr></thead><tbody>",
            lane.service,
            lane.cost_per_million_usd()
        );
        for item in &lane.cost_per_million.items {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{:.1} {}</td><td>{:.4}</td></tr>",
                escape(&item.item),
                item.quantity,
                escape(&item.unit),
                item.usd
            );
        }
        h.push_str("</tbody></table>\n");
    }
    let a = &summary.durations;
    let _ = writeln!(
        h,
        "<p>Assumed Lambda durations (not measured): transformer {} ms, generator {} ms, INIT {} ms per cold start, {} MB. Prices: {} list prices from <code>bench/pricing/</code>, each with its source and date.</p>",
        a.transformer_ms, a.generator_ms, a.init_ms, a.memory_mb, summary.prices_region
    );
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
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{Bill, CostItem, DurationAssumptions, Workload};
    use crate::run::{Drive, Via};
    use crate::stats::{Batching, Delivery};
    use crate::summary::LaneSummary;
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
            batching: Batching {
                invocations: 2,
                mean_batch: 5.0,
                ..Batching::default()
            },
            s3_objects: 2,
            workload: Workload {
                service: Service::Sqs,
                events: 10,
                event_bytes: 300.0,
                publish_requests: 1,
                transformer_invocations: 2,
                cold_starts: 0,
                s3_puts: 2,
                api_requests: 1,
                hours: 0.0,
                shards: 0,
            },
            cost_per_million: Bill {
                items: vec![CostItem {
                    item: "S3 PUTs".into(),
                    quantity: 2e5,
                    unit: "requests".into(),
                    usd: 1.0,
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
            durations: DurationAssumptions::default(),
            prices_region: "us-east-1".into(),
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

    #[test]
    fn the_terminal_table_flags_local_figures() {
        assert!(terminal(&summary(Environment::LocalEmulator)).contains("not AWS figures"));
        assert!(!terminal(&summary(Environment::Aws)).contains("not AWS figures"));
    }
}
