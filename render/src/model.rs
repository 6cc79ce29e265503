//! The cost model as a text table, charts, and a page.

use std::fmt::Write as _;

use askama::Template;
use eventlab_measure::model::{ModelArgs, Row, TradeOff};

use crate::charts;
use crate::page::File;

/// The trade-off as a chart: cost per million against the mean added wait (log scales;
/// a wait under 1 ms is drawn at 1 ms).
pub fn trade_off_chart(rate: f64, points: &[TradeOff]) -> String {
    let mut series: Vec<charts::Series> = Vec::new();
    for point in points {
        let (Some(wait), Some(usd)) = (point.added_wait_ms, point.usd_per_million) else {
            continue;
        };
        let entry = (wait.max(1.0), usd, point.setting.clone());
        let name = point.service.to_string();
        if let Some((_, list)) = series.iter_mut().find(|(n, _)| *n == name) {
            list.push(entry);
        } else {
            series.push((name, vec![entry]));
        }
    }
    charts::scatter(
        &format!("Batching at {rate} events/s: cost against added wait (modelled)"),
        "mean wait batching adds, ms (log; < 1 ms drawn at 1)",
        "USD per 1M events (log)",
        &series,
        true,
    )
}

/// The model as a text table, with what it assumed.
pub fn table(args: &ModelArgs, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Monthly cost (30 days, us-east-1 list prices), {} B events, publish batch {}, consumer batch {}, window {} s, \
         Firehose {} MB / {} s, {}{}\n",
        args.event_bytes,
        args.publish_batch,
        args.batch,
        args.window,
        args.firehose_size_mb,
        args.firehose_interval,
        args.shards.map_or_else(
            || "shards sized per rate".to_owned(),
            |n| format!("{n} Kinesis shard(s)")
        ),
        if args.free_tier {
            ", always-free tier subtracted (as the account's only workload)"
        } else {
            ", no free tier"
        }
    );
    let _ = writeln!(
        out,
        "{}\n",
        if args.direct {
            "Published straight to each service (--direct): no API Gateway or generator."
        } else {
            "Published through the API: one API request and one generator invocation per publish call (--direct leaves them out)."
        }
    );
    let _ = writeln!(
        out,
        "{:>9}  {:<39} {:>12}  {:>9}  {:<58} notes",
        "events/s", "service", "USD/month", "wait ms", "capacity"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:>9}  {:<39} {:>12}  {:>9}  {:<58} {}",
            row.rate,
            row.service,
            row.monthly_usd
                .map_or_else(|| "-".to_owned(), |usd| format!("{usd:.2}")),
            row.sizing.as_ref().map_or_else(
                || "-".to_owned(),
                |s| if s.added_wait_ms < 0.5 {
                    "0".to_owned()
                } else {
                    charts::short(s.added_wait_ms)
                }
            ),
            row.capacity,
            row.cannot_run.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(
        out,
        "\nEvery figure here is modelled, not measured, from these inputs.\n{}\n\
         Cold starts not modelled (AWS reports them in under 1% of invocations).",
        args.lambdas.describe()
    );
    out.push_str(
        "\
         'wait ms' is the mean time an event waits for its batch to close (fill, window, Kinesis's 1 s poll, \
         Firehose's buffer), not end-to-end latency. Rows that cannot run show no price.\n\
         SQS idle polling is an upper bound (5 pollers). Pub/Sub and MSK Serverless rows are list-price arithmetic.\n\
         The EventBridge Custom Event Bus row prices the Lambda, log, S3 and API side at its batch (up to 100 events per \
         Lambda call); the bus's own ingestion, delivery and retention charges have no published rate (pricing page read \
         2026-11-28), so its total leaves them out. Without a window a call is assumed to carry what arrives within 50 ms.\n",
    );
    out
}

#[derive(Debug, Template)]
#[template(path = "model.html")]
struct Page<'a> {
    chart: &'a str,
    trade_offs: &'a [String],
    table: &'a str,
}

/// The monthly cost per service against the rate, one line per service.
pub fn cost_chart(rows: &[Row]) -> String {
    let mut series: Vec<charts::Series> = Vec::new();
    for row in rows {
        let Some(usd) = row.monthly_usd else { continue };
        let point = (row.rate, usd, String::new());
        if let Some((_, points)) = series.iter_mut().find(|(name, _)| *name == row.service) {
            points.push(point);
        } else {
            series.push((row.service.clone(), vec![point]));
        }
    }
    charts::scatter(
        "Monthly cost by event rate (modelled)",
        "events per second",
        "USD per month",
        &series,
        true,
    )
}

/// `model.json`, `model.svg`, one `batching-<rate>.svg` per rate of `trade_offs`, and
/// `model.html`.
pub fn files(args: &ModelArgs, rows: &[Row], trade_offs: &[(f64, Vec<TradeOff>)]) -> serde_json::Result<Vec<File>> {
    let chart = cost_chart(rows);
    let text = table(args, rows);
    let mut files = vec![File::new("model.svg", chart.clone())];
    let mut svgs = Vec::new();
    for (rate, points) in trade_offs {
        let svg = trade_off_chart(*rate, points);
        files.push(File::new(format!("batching-{rate}.svg"), svg.clone()));
        svgs.push(svg);
    }
    let all_points: Vec<&TradeOff> = trade_offs.iter().flat_map(|(_, points)| points).collect();
    files.push(File::new(
        "model.json",
        serde_json::to_string_pretty(&serde_json::json!({ "rows": rows, "batching": all_points }))?,
    ));
    let page = Page {
        chart: &chart,
        trade_offs: &svgs,
        table: &text,
    }
    .render()
    .expect("the model page renders");
    files.push(File::new("model.html", page));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use eventlab_measure::model::{rows, trade_offs};
    use eventlab_measure::pricing::PriceBook;
    use eventlab_schema::Service;

    use super::*;

    fn files_of(args: &ModelArgs) -> Vec<File> {
        let book = PriceBook::us_east_1();
        let points = vec![(100.0, trade_offs(100.0, args.event_bytes, &book))];
        files(args, &rows(args, &book), &points).unwrap()
    }

    #[test]
    fn a_row_that_cannot_run_shows_no_price() {
        let fixed = ModelArgs {
            rates: vec![1500.0],
            shards: Some(1),
            ..ModelArgs::default()
        };
        let text = table(&fixed, &rows(&fixed, &PriceBook::us_east_1()));
        let line = text.lines().find(|l| l.contains(" kinesis ")).unwrap();
        assert!(
            line.contains("cannot run as configured") && !line.contains('$'),
            "{line}"
        );
    }

    #[test]
    fn the_table_says_whether_the_free_tier_is_subtracted() {
        let small = ModelArgs {
            rates: vec![1.0],
            ..ModelArgs::default()
        };
        let with = ModelArgs {
            free_tier: true,
            ..small.clone()
        };
        let book = PriceBook::us_east_1();
        assert!(table(&with, &rows(&with, &book)).contains("free tier subtracted"));
        assert!(table(&small, &rows(&small, &book)).contains("no free tier"));
    }

    #[test]
    fn the_trade_off_chart_names_each_setting() {
        let points = trade_offs(100.0, 1024.0, &PriceBook::us_east_1());
        assert!(trade_off_chart(100.0, &points).contains("batch 100, 1 s"));
    }

    #[test]
    fn writes_charts_data_and_a_page() {
        let args = ModelArgs {
            rates: vec![100.0],
            ..ModelArgs::default()
        };
        let files = files_of(&args);
        let file = |name: &str| &files.iter().find(|f| f.name == name).unwrap().contents;
        assert!(table(&args, &rows(&args, &PriceBook::us_east_1())).contains("GCP Pub/Sub (modelled)"));
        let data: serde_json::Value = serde_json::from_str(file("model.json")).unwrap();
        assert_eq!(data["rows"].as_array().unwrap().len(), Service::ALL.len() + 3);
        assert!(!data["batching"].as_array().unwrap().is_empty());
        for name in ["model.svg", "batching-100.svg"] {
            assert!(file(name).starts_with("<svg"), "{name}");
        }
        assert!(file("model.html").contains("<h1>Cost model</h1>"));
    }
}
