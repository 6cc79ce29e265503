//! The report's page (`templates/report.html` on the base page).

use askama::Template;
use eventlab_measure::summary::{Environment, Summary};

use super::rows::{FUNCTION_HEADINGS, environment_line, function_rows, reference_rows, table};
use crate::page::{Chart, Origin, Table};

/// One row of the reference table: the local run's own figures, or another's.
#[derive(Debug)]
struct ReferenceRow {
    class: &'static str,
    cells: Vec<String>,
    source: String,
    link: Option<String>,
}

/// One lane's cost, item by item.
#[derive(Debug)]
struct CostLane {
    service: String,
    total: String,
    items: String,
}

#[derive(Debug, Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    bench_id: &'a str,
    origin: String,
    events: u32,
    via: String,
    rate: f64,
    batch: u32,
    concurrency: usize,
    comparison: String,
    charts: &'a [Chart],
    references: Vec<ReferenceRow>,
    functions: String,
    costs: Vec<CostLane>,
    prices_region: &'a str,
    sections: Vec<String>,
}

/// A published figure's source cell: a link named by its author where it has an address.
fn reference_row(row: [String; 7]) -> ReferenceRow {
    let class = if row[1].starts_with("this run") {
        "local"
    } else {
        "reference"
    };
    let [lane, whose, p50, p90, p99, what, source] = row;
    let (source, link) = if source.contains("https://") {
        let url = source.rsplit(' ').next().unwrap_or_default().to_owned();
        let who = source.split(" — ").next().filter(|w| !w.starts_with("https://"));
        (who.unwrap_or("AWS documentation").to_owned(), Some(url))
    } else {
        (source, None)
    };
    ReferenceRow {
        class,
        cells: vec![lane, whose, p50, p90, p99, what],
        source,
        link,
    }
}

fn comparison(summary: &Summary) -> Table {
    let mut headings = vec![String::new()];
    headings.extend(summary.lanes.iter().map(|l| l.service.to_string()));
    let rows = table(summary)
        .into_iter()
        .map(|(heading, cells)| std::iter::once(heading.to_owned()).chain(cells).collect())
        .collect();
    Table {
        id: Some("comparison"),
        headings,
        rows,
    }
}

fn costs(summary: &Summary) -> Vec<CostLane> {
    summary
        .lanes
        .iter()
        .map(|lane| {
            let rows = lane
                .cost_per_million
                .items
                .iter()
                .map(|item| {
                    [
                        item.item.clone(),
                        format!("{:.1} {}", item.quantity, item.unit),
                        format!("{:.4}", item.usd),
                        item.origin.to_string(),
                    ]
                })
                .collect();
            CostLane {
                service: lane.service.to_string(),
                total: format!("{:.4}", lane.cost_per_million_usd()),
                items: Table::new(None, &["item", "quantity", "USD", "origin"], rows).html(),
            }
        })
        .collect()
}

/// The report's page.
pub(super) fn page(summary: &Summary, charts: &[Chart]) -> String {
    let line = environment_line(summary).replace("**", "");
    let origin = Origin {
        line: &line,
        caveats: (summary.environment == Environment::LocalEmulator).then_some(summary.caveats.as_slice()),
    };
    let mut sections = Vec::new();
    if !summary.failure_queues.is_empty() {
        sections.push(crate::failures::html(&summary.failure_queues));
    }
    if let Some(coldstart) = &summary.coldstart {
        sections.push(crate::coldstart::section(coldstart));
    }
    let d = &summary.drive;
    ReportPage {
        bench_id: &summary.bench_id,
        origin: origin.html(),
        events: d.events,
        via: d.via.to_string(),
        rate: d.rate,
        batch: d.batch,
        concurrency: d.concurrency,
        comparison: comparison(summary).html(),
        charts,
        references: reference_rows(summary).into_iter().map(reference_row).collect(),
        functions: Table::new(None, &FUNCTION_HEADINGS, function_rows(summary)).html(),
        costs: costs(summary),
        prices_region: &summary.prices_region,
        sections,
    }
    .render()
    .expect("the report page renders")
}
