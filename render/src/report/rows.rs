//! The report's rows, formatted once for every rendering: the comparison table, the
//! published references beside the run's figures, and what the functions used.

use eventlab_measure::answer::short_promise;
use eventlab_measure::reference::References;
use eventlab_measure::stats::Latency;
use eventlab_measure::summary::{Environment, LaneSummary, Summary};
use eventlab_measure::usage::FunctionUsage;

use crate::charts;

fn fmt_ms(latency: Option<&Latency>, pick: fn(&Latency) -> f64) -> String {
    latency.map_or_else(|| "–".to_owned(), |l| charts::short(pick(l)))
}

pub(super) fn environment_line(summary: &Summary) -> String {
    match summary.environment {
        Environment::LocalEmulator => format!(
            "**Local emulator** (MiniStack at {}), {} — not AWS figures.",
            summary.endpoint.as_deref().unwrap_or("?"),
            summary.created_at.format("%Y-%m-%d %H:%M UTC")
        ),
        Environment::Aws => format!("**AWS**, {}.", summary.created_at.format("%Y-%m-%d %H:%M UTC")),
    }
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
pub(super) fn table(summary: &Summary) -> Vec<(&'static str, Vec<String>)> {
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
pub(super) fn measured_here(summary: &Summary) -> &'static str {
    match summary.environment {
        Environment::LocalEmulator => "this run, local emulator",
        Environment::Aws => "this run, AWS",
    }
}

/// Each lane's end-to-end figures beside the published AWS ones: rows of (lane, whose,
/// p50, p90, p99, what, source).
pub(super) fn reference_rows(summary: &Summary) -> Vec<[String; 7]> {
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
pub(super) fn function_rows(summary: &Summary) -> Vec<[String; 9]> {
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

pub(super) const FUNCTION_HEADINGS: [&str; 9] = [
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
