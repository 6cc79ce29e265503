//! A run's report: `raw.jsonl`, `summary.json`, `report.md`, `report.html` (with SVG
//! charts, also saved beside it), and the compact table for the terminal. The figures are
//! the summary's; this only lays them out.

mod html;
mod text;

use serde::Serialize;

pub use text::{notes_table, terminal};

use crate::charts;
use crate::page::{Chart, File};
use eventlab_measure::record::LaneRun;
use eventlab_measure::reference::References;
use eventlab_measure::stats::Latency;
use eventlab_measure::summary::{Environment, LaneSummary, Summary};
use eventlab_measure::usage::FunctionUsage;

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

/// The charts of a report.
pub fn charts(summary: &Summary, lanes: &[LaneRun]) -> Vec<Chart> {
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
    let cost_series: Vec<(&str, Vec<f64>)> = eventlab_measure::cost::CATEGORIES
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
    let book = eventlab_measure::pricing::PriceBook::us_east_1();
    let event_bytes = summary.lanes.first().map_or(1024.0, |l| l.workload.event_bytes);
    let trade_off = crate::model::trade_off_chart(
        summary.drive.rate,
        &eventlab_measure::model::trade_offs(summary.drive.rate, event_bytes, &book),
    );
    let chart = |file, title, svg| Chart { file, title, svg };
    vec![
        chart("latency.svg", "Latency percentiles", latency),
        chart("latency-cdf.svg", "Latency distribution", cdf),
        chart("cost.svg", "Cost per million events", cost),
        chart("batching.svg", "Batching", batching),
        chart(
            "batching-trade-off.svg",
            "Batching: cost against added wait (modelled)",
            trade_off,
        ),
    ]
}

/// Every file of the report: data, charts, Markdown and the page.
pub fn files(summary: &Summary, lanes: &[LaneRun]) -> serde_json::Result<Vec<File>> {
    let mut raw = String::new();
    for row in raw_rows(lanes) {
        raw.push_str(&serde_json::to_string(&row)?);
        raw.push('\n');
    }
    let mut files = vec![
        File::new("raw.jsonl", raw),
        File::new("summary.json", serde_json::to_string_pretty(summary)?),
    ];
    let charts = charts(summary, lanes);
    files.extend(charts.iter().map(|c| File::new(c.file, c.svg.clone())));
    if let Some(coldstart) = &summary.coldstart {
        files.extend(crate::coldstart::files(coldstart)?);
    }
    files.push(File::new("report.md", text::markdown(summary, &charts)));
    files.push(File::new("report.html", html::page(summary, &charts)));
    Ok(files)
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

#[cfg(test)]
mod tests {
    use super::*;
    use eventlab_measure::cost::{Bill, CostItem, LambdaProfile, Meter, Origin, Workload};
    use eventlab_measure::record::{Drive, Via};
    use eventlab_measure::stats::{Batching, Delivery, Order};
    use eventlab_measure::summary::{AwsModel, LaneSummary, LaneUsage};
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
        let html = html::page(&summary(Environment::LocalEmulator), &[]);
        let table = &html[html.find("id=\"reference-table\"").unwrap()..];
        assert!(table.contains("<tr class=\"local\"><td>sqs</td><td>this run, local emulator</td>"));
        assert!(
            table.contains("published AWS reference")
                && table.contains("<td>16.2</td>")
                && table.contains("<td>105</td>")
        );
        assert!(table.contains("https://bitesizedserverless.com/bite/serverless-messaging-latency-compared/"));
        let md = text::markdown(&summary(Environment::Aws), &[]);
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
