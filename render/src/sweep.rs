//! A sweep's page: latency against cost per million events, one point per setting.

use askama::Template;
use eventlab_measure::summary::Environment;
use eventlab_measure::sweep::Point;
use eventlab_schema::Service;

use crate::charts;
use crate::page::{File, Table};

#[derive(Debug, Template)]
#[template(path = "sweep.html")]
struct Page {
    local: bool,
    chart: String,
    table: String,
}

/// Latency against cost, one line per service through its settings.
pub fn chart(points: &[Point]) -> String {
    let mut series: Vec<charts::Series> = Vec::new();
    for service in Service::ALL {
        let mine: Vec<_> = points
            .iter()
            .filter(|p| p.service == service && p.p50_ms.is_finite())
            .map(|p| (p.cost_per_million_usd, p.p50_ms, p.label.clone()))
            .collect();
        if !mine.is_empty() {
            series.push((service.to_string(), mine));
        }
    }
    charts::scatter(
        "Latency against cost, by batching setting",
        "USD per million events",
        "p50 end-to-end ms",
        &series,
        true,
    )
}

/// `sweep.json`, `sweep.svg` and `sweep.html`.
pub fn files(environment: Environment, points: &[Point]) -> serde_json::Result<Vec<File>> {
    let svg = chart(points);
    let rows = points
        .iter()
        .map(|p| {
            [
                p.service.to_string(),
                p.label.clone(),
                format!("{:.1}", p.p50_ms),
                format!("{:.1}", p.p99_ms),
                format!("{:.2}", p.mean_batch),
                format!("{:.4}", p.cost_per_million_usd),
            ]
        })
        .collect();
    let table = Table::new(
        Some("sweep-table"),
        &[
            "service",
            "setting",
            "p50 ms",
            "p99 ms",
            "mean batch",
            "USD / 1M events",
        ],
        rows,
    );
    let page = Page {
        local: environment == Environment::LocalEmulator,
        chart: svg.clone(),
        table: table.html(),
    }
    .render()
    .expect("the sweep page renders");
    Ok(vec![
        File::new("sweep.json", serde_json::to_string_pretty(points)?),
        File::new("sweep.svg", svg),
        File::new("sweep.html", page),
    ])
}

#[cfg(test)]
mod tests {
    use eventlab_measure::sweep::Setting;

    use super::*;

    #[test]
    fn writes_a_chart_and_a_table() {
        let point = |label: &str, cost: f64, p50: f64| Point {
            service: Service::Sqs,
            setting: Setting::Mapping {
                batch_size: 10,
                window_secs: 0,
            },
            label: label.into(),
            p50_ms: p50,
            p99_ms: p50 * 2.0,
            cost_per_million_usd: cost,
            mean_batch: 5.0,
        };
        let files = files(
            Environment::LocalEmulator,
            &[point("batch 1", 2.0, 10.0), point("batch 10", 0.5, 40.0)],
        )
        .unwrap();
        let file = |name: &str| &files.iter().find(|f| f.name == name).unwrap().contents;
        assert!(file("sweep.html").contains("batch 10") && file("sweep.html").contains("Local emulator figures"));
        assert!(file("sweep.svg").contains("batch 1"));
    }
}
