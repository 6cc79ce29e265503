//! A run's report: `raw.jsonl`, `summary.json`, `report.md`, `report.html` (with SVG
//! charts, also saved beside it), and the compact table for the terminal. The figures are
//! the summary's; this only lays them out.

mod html;
mod rows;
mod text;

use serde::Serialize;

pub use text::{notes_table, terminal};

use crate::charts;
use crate::page::{Chart, File};
use eventlab_measure::record::LaneRun;
use eventlab_measure::stats::Latency;
use eventlab_measure::summary::Summary;

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

/// Each lane's end-to-end latencies (every delivery, in milliseconds), for the distribution.
pub type Samples = [(String, Vec<f64>)];

/// Each lane's end-to-end latencies, from what a run found.
pub fn samples(lanes: &[LaneRun]) -> Vec<(String, Vec<f64>)> {
    lanes
        .iter()
        .map(|lane| {
            (
                lane.service.to_string(),
                lane.found.iter().map(|f| f.record.e2e_ms).collect(),
            )
        })
        .collect()
}

/// The charts of a report.
pub fn charts(summary: &Summary, samples: &Samples) -> Vec<Chart> {
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
    let cdf = charts::cdf(
        "End-to-end latency distribution (all deliveries)",
        "milliseconds (log scale)",
        samples,
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
    let cost = charts::stacked_bars(
        "Cost per million events, by what is billed (USD)",
        "USD per 1M events",
        &names,
        &cost_series,
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
    files.extend(pages(summary, &samples(lanes))?);
    Ok(files)
}

/// The report's charts, pages and Markdown: everything but the raw data.
pub fn pages(summary: &Summary, samples: &Samples) -> serde_json::Result<Vec<File>> {
    let answer = eventlab_measure::answer::answer(summary, &eventlab_measure::reference::References::bundled());
    let mut charts = charts(summary, samples);
    charts.insert(
        0,
        Chart {
            file: "frontier.svg",
            title: "Latency against cost",
            svg: html::frontier(summary, &answer),
        },
    );
    let mut files: Vec<File> = charts.iter().map(|c| File::new(c.file, c.svg.clone())).collect();
    if let Some(coldstart) = &summary.coldstart {
        files.extend(crate::coldstart::files(coldstart)?);
    }
    files.push(File::new("report.md", text::markdown(summary, &answer, &charts)));
    files.push(File::new("report.html", html::page(summary, &answer, &charts)));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use eventlab_measure::summary::Environment;

    use super::*;
    use eventlab_measure::cost::{Bill, CostItem, LambdaProfile, Meter, Origin, Workload};
    use eventlab_measure::record::{Drive, Via};
    use eventlab_measure::stats::{Batching, Delivery, Order};
    use eventlab_measure::summary::{AwsModel, LaneSummary, LaneUsage};
    use eventlab_schema::Service;

    fn answer(summary: &Summary) -> eventlab_measure::answer::Answer {
        eventlab_measure::answer::answer(summary, &eventlab_measure::reference::References::bundled())
    }

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
                profile: Vec::new(),
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
        let local = summary(Environment::LocalEmulator);
        let html = html::page(&local, &answer(&local), &[]);
        let table = &html[html.find("id=\"reference-table\"").unwrap()..];
        assert!(table.contains("<tr class=\"local\"><td>sqs</td><td>this run, local emulator</td>"));
        assert!(
            table.contains("published AWS reference")
                && table.contains("<td>16.2</td>")
                && table.contains("<td>105</td>")
        );
        assert!(table.contains("https://bitesizedserverless.com/bite/serverless-messaging-latency-compared/"));
        let aws = summary(Environment::Aws);
        let md = text::markdown(&aws, &answer(&aws), &[]);
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
        let (answer, detail) = text.split_once("Every figure, lane by lane:").unwrap();
        for service in Service::ALL {
            assert!(
                answer
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(service.as_str())),
                "{service} has its row in the answer, first:\n{text}"
            );
        }
        // The detail's header lines are the ones with no row heading.
        let headers: Vec<&str> = detail
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
