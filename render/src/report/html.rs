//! The report's page (`templates/report.html` on the base page): the answer first — the
//! run in one line, a row per lane, the findings and the latency-against-cost chart — then
//! the detail, folded, in the order a learner asks: latency, delivery and order, batching
//! and cost, cold starts, failure queues, the published references, the caveats.

use std::fmt::Write as _;

use askama::Template;
use eventlab_measure::answer::Answer;
use eventlab_measure::summary::{Environment, Summary};

use super::rows::{FUNCTION_HEADINGS, environment_line, function_rows, reference_rows, table};
use crate::charts::{self, LanePoint, short};
use crate::page::{AnswerBlock, Chart, Fold, Origin, Table};

/// One row of the reference table: the local run's own figures, or another's.
#[derive(Debug)]
struct ReferenceRow {
    class: &'static str,
    cells: Vec<String>,
    source: String,
    link: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "references.html")]
struct References {
    rows: Vec<ReferenceRow>,
}

/// One lane's cost, item by item.
#[derive(Debug)]
struct CostLane {
    service: String,
    total: String,
    items: String,
}

#[derive(Debug, Template)]
#[template(path = "costs.html")]
struct Costs<'a> {
    charts: Vec<&'a Chart>,
    functions: String,
    lanes: Vec<CostLane>,
    prices_region: &'a str,
}

#[derive(Debug, Template)]
#[template(path = "figures.html")]
struct Figures<'a> {
    charts: Vec<&'a Chart>,
    table: String,
}

#[derive(Debug, Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    bench_id: &'a str,
    answer: String,
    frontier: String,
    frontier_caption: String,
    folds: Vec<String>,
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

/// The comparison table's rows from `first` up to (not including) `until`.
fn comparison(summary: &Summary, first: &str, until: Option<&str>) -> Table {
    let mut headings = vec![String::new()];
    headings.extend(summary.lanes.iter().map(|l| l.service.to_string()));
    let rows = table(summary)
        .into_iter()
        .skip_while(|(heading, _)| *heading != first)
        .take_while(|(heading, _)| Some(*heading) != until)
        .map(|(heading, cells)| std::iter::once(heading.to_owned()).chain(cells).collect())
        .collect();
    Table {
        id: None,
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

/// "here" in a heading: where this run's figures were measured.
fn here(summary: &Summary) -> &'static str {
    match summary.environment {
        Environment::LocalEmulator => "here (local)",
        Environment::Aws => "here (AWS)",
    }
}

/// The answer's table: one row per lane, the figures a choice turns on.
pub(super) fn answer_table(summary: &Summary, answer: &Answer) -> Table {
    let d = &summary.drive;
    let pair =
        |p: Option<(f64, f64)>| p.map_or_else(|| "–".to_owned(), |(a, b)| format!("{} / {}", short(a), short(b)));
    let rows: Vec<[String; 8]> = answer
        .lanes
        .iter()
        .map(|l| {
            [
                format!("{}{}", l.service, if l.pareto_best { " ★" } else { "" }),
                pair(l.here_ms),
                pair(l.aws_ms.as_ref().map(|a| (a.0, a.1))),
                format!("{} / {}", l.lost, l.duplicated),
                format!(
                    "{} / {}",
                    l.order_promised,
                    l.order_broken.map_or("–".to_owned(), |n| if n == 0 {
                        "kept".to_owned()
                    } else {
                        format!("{n} broken")
                    })
                ),
                format!("{:.2}", l.invocations_per_event),
                format!("{:.2}", l.usd_here),
                l.usd_aws.map_or_else(|| "cannot run".to_owned(), |u| format!("{u:.2}")),
            ]
        })
        .collect();
    let here = here(summary);
    let headings = [
        "lane".to_owned(),
        format!("p50 / p99 ms {here}"),
        "p50 / p99 ms AWS, published".to_owned(),
        "lost / dup".to_owned(),
        "order promised / kept".to_owned(),
        "invocations per event".to_owned(),
        format!("$ per 1M {here}"),
        format!("$ per 1M AWS, modelled at {} ev/s", d.rate),
    ];
    Table {
        id: Some("answer-table"),
        headings: headings.to_vec(),
        rows: rows.into_iter().map(Vec::from).collect(),
    }
}

/// The run in one line.
pub(super) fn run_line(summary: &Summary) -> String {
    let d = &summary.drive;
    format!(
        "{} lanes · {} events each via {} at {} events/s ({} per call, concurrency {}) · {}",
        summary.lanes.len(),
        d.events,
        d.via,
        d.rate,
        d.batch,
        d.concurrency,
        summary.created_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// Where the run ran, said with the answer.
pub(super) fn place(summary: &Summary) -> String {
    match summary.environment {
        Environment::LocalEmulator => "local emulator (MiniStack), not AWS".to_owned(),
        Environment::Aws => format!("AWS, {}", summary.prices_region),
    }
}

/// Under the answer's table: what its marks and dollars mean.
pub(super) const ANSWER_NOTE: &str = "★ Pareto-best on AWS: no other lane both cheaper (modelled) and faster (published p50). \
     $ here: AWS list prices for what this run counted and measured.";

/// The answer block: one line for the run, one row per lane, the findings.
pub(super) fn answer_block(summary: &Summary, answer: &Answer) -> AnswerBlock {
    AnswerBlock {
        run: run_line(summary),
        place: place(summary),
        local: summary.environment == Environment::LocalEmulator,
        table: answer_table(summary, answer).html(),
        note: Some(ANSWER_NOTE.to_owned()),
        findings: answer.findings.clone(),
    }
}

/// Latency against cost per million events, one point per lane for AWS and one for here.
pub(super) fn frontier(summary: &Summary, answer: &Answer) -> String {
    let lanes: Vec<LanePoint> = answer
        .lanes
        .iter()
        .map(|l| LanePoint {
            name: l.service.to_string(),
            aws: l.usd_aws.zip(l.aws_ms.as_ref().map(|a| a.0)),
            here: l.here_ms.map(|(p50, _)| (l.usd_here, p50)),
            best: l.pareto_best,
        })
        .collect();
    charts::frontier(
        "Latency against cost per million events, per lane",
        "USD per 1M events (log)",
        "p50 end-to-end ms (log)",
        here(summary),
        &lanes,
    )
}

fn frontier_caption(summary: &Summary, answer: &Answer) -> String {
    let unplotted: Vec<String> = answer
        .lanes
        .iter()
        .filter(|l| l.aws_ms.is_none() || l.usd_aws.is_none())
        .map(|l| l.service.to_string())
        .collect();
    let mut caption = format!(
        "Filled dots: AWS — latency as published by others, cost as modelled at {} events/s. Rings: this run — latency measured {}, cost at AWS prices for what it counted.",
        summary.drive.rate,
        if summary.environment == Environment::LocalEmulator {
            "on the local emulator (not AWS)"
        } else {
            "on AWS"
        }
    );
    if !unplotted.is_empty() {
        let _ = write!(
            caption,
            " No AWS dot for {} (no published latency figure).",
            unplotted.join(", ")
        );
    }
    caption
}

/// The detail, folded, in the order a learner asks.
fn folds(summary: &Summary, charts: &[Chart]) -> Vec<Fold> {
    let chart = |file: &'static str| charts.iter().filter(move |c| c.file == file);
    let lanes = summary.lanes.len();
    let delivered: u64 = summary.lanes.iter().map(|l| l.delivery.delivered).sum();
    let published: u64 = summary.lanes.iter().map(|l| l.delivery.published).sum();
    let duplicated: u64 = summary.lanes.iter().map(|l| l.delivery.duplicated).sum();
    let invocations: u64 = summary.lanes.iter().map(|l| l.batching.invocations).sum();
    let mut folds = vec![
        Fold {
            id: "latency",
            title: "Latency",
            line: format!(
                "percentiles and distribution of {lanes} lanes, {}",
                super::rows::measured_here(summary)
            ),
            body: Figures {
                charts: chart("latency.svg").chain(chart("latency-cdf.svg")).collect(),
                table: comparison(summary, "events published", Some("delivered")).html(),
            }
            .render()
            .expect("the latency section renders"),
        },
        Fold {
            id: "delivery",
            title: "Delivery and order",
            line: format!("{delivered} of {published} events delivered, {duplicated} duplicate copies"),
            body: comparison(summary, "delivered", Some("transformer invocations")).html(),
        },
        Fold {
            id: "cost",
            title: "Batching and cost",
            line: format!(
                "{invocations} transformer invocations for {published} events; cost item by item, each with its origin"
            ),
            body: Costs {
                charts: chart("cost.svg")
                    .chain(chart("batching.svg"))
                    .chain(chart("batching-trade-off.svg"))
                    .collect(),
                functions: format!(
                    "{}{}",
                    comparison(summary, "transformer invocations", None).html(),
                    Table::new(None, &FUNCTION_HEADINGS, function_rows(summary)).html()
                ),
                lanes: costs(summary),
                prices_region: &summary.prices_region,
            }
            .render()
            .expect("the cost section renders"),
        },
    ];
    if let Some(coldstart) = &summary.coldstart {
        folds.push(Fold {
            id: "coldstart",
            title: "Cold starts",
            line: format!("{} binaries measured on this host", coldstart.rows.len()),
            body: crate::coldstart::section(coldstart),
        });
    }
    if !summary.failure_queues.is_empty() {
        let waiting: u64 = summary.failure_queues.iter().map(|q| q.waiting + q.in_flight).sum();
        folds.push(Fold {
            id: "failures",
            title: "Failure queues",
            line: format!("{} queues, {waiting} messages in them", summary.failure_queues.len()),
            body: crate::failures::html(&summary.failure_queues),
        });
    }
    let references = reference_rows(summary);
    let published_rows = references.iter().filter(|r| !r[1].starts_with("this run")).count();
    folds.push(Fold {
        id: "reference",
        title: "Published references",
        line: format!(
            "{published_rows} published figures and documented behaviours beside this run's, each with its source"
        ),
        body: References {
            rows: references.into_iter().map(reference_row).collect(),
        }
        .render()
        .expect("the reference table renders"),
    });
    let line = environment_line(summary).replace("**", "");
    folds.push(Fold {
        id: "caveats",
        title: "Caveats",
        line: format!("{} things these figures cannot show", summary.caveats.len()),
        body: Origin {
            line: &line,
            caveats: Some(summary.caveats.as_slice()),
        }
        .html(),
    });
    folds
}

/// The report's page.
pub(super) fn page(summary: &Summary, answer: &Answer, charts: &[Chart]) -> String {
    ReportPage {
        bench_id: &summary.bench_id,
        answer: answer_block(summary, answer).html(),
        frontier: frontier(summary, answer),
        frontier_caption: frontier_caption(summary, answer),
        folds: folds(summary, charts).iter().map(Fold::html).collect(),
    }
    .render()
    .expect("the report page renders")
}
