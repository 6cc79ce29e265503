//! A run's answer, before its detail: per lane the few figures a choice turns on, which
//! lanes are Pareto-best on AWS (latency against cost), and a handful of findings written
//! from this run's own figures. Every sentence names where its numbers come from —
//! measured here, measured on AWS, modelled for AWS or published — and no AWS claim is
//! drawn from an emulator's timings.

use std::fmt::Write as _;

use eventlab_schema::Service;
use serde::Serialize;

use crate::reference::References;
use crate::summary::{Environment, LaneSummary, Summary};

/// One lane's row of the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaneAnswer {
    pub service: Service,
    /// End-to-end p50 and p99 of warm deliveries in this run, ms.
    pub here_ms: Option<(f64, f64)>,
    /// The first published AWS figure for this lane's path: p50, p99 ms, and its author.
    pub aws_ms: Option<(f64, f64, String)>,
    pub published: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// What the service promises about order, in a few words.
    pub order_promised: &'static str,
    /// Events delivered against that promise; `None` where nothing is promised.
    pub order_broken: Option<u64>,
    pub invocations_per_event: f64,
    /// Cost per million events at AWS prices for what this run counted and measured.
    pub usd_here: f64,
    /// Cost per million events modelled on AWS at the run's rate.
    pub usd_aws: Option<f64>,
    /// No other lane is both cheaper (modelled) and faster (published p50) on AWS.
    pub pareto_best: bool,
}

/// The answer block of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub lanes: Vec<LaneAnswer>,
    pub findings: Vec<String>,
}

/// The promise's scope in a few words.
pub fn short_promise(promise: &str) -> &'static str {
    [
        ("per shard", "per shard"),
        ("per message group", "per group"),
        ("per item key", "per item key"),
    ]
    .into_iter()
    .find_map(|(long, short)| promise.starts_with(long).then_some(short))
    .unwrap_or("none")
}

fn lane_answer(lane: &LaneSummary, references: &References) -> LaneAnswer {
    LaneAnswer {
        service: lane.service,
        here_ms: lane.end_to_end.as_ref().map(|l| (l.p50, l.p99)),
        aws_ms: references
            .latency_for(lane.service.as_str())
            .next()
            .map(|f| (f.p50_ms, f.p99_ms, f.author.clone())),
        published: lane.delivery.published,
        lost: lane.delivery.lost,
        duplicated: lane.delivery.duplicated,
        order_promised: short_promise(&lane.order.promise),
        order_broken: lane.order.against_service,
        invocations_per_event: lane.batching.invocations_per_event,
        usd_here: lane.cost_per_million_usd(),
        usd_aws: lane.aws_model.usd_per_million,
        pareto_best: false,
    }
}

/// Marks the lanes no other lane beats on both AWS cost and AWS latency; lanes without
/// both figures are not judged.
fn mark_pareto(lanes: &mut [LaneAnswer]) {
    let point = |l: &LaneAnswer| Some((l.usd_aws?, l.aws_ms.as_ref()?.0));
    let points: Vec<Option<(f64, f64)>> = lanes.iter().map(point).collect();
    for (i, lane) in lanes.iter_mut().enumerate() {
        let Some((cost, ms)) = points[i] else { continue };
        lane.pareto_best = !points
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && other.is_some_and(|(c, m)| c <= cost && m <= ms && (c < cost || m < ms)));
    }
}

/// "a", "a and b", "a, b and c".
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn usd(value: f64) -> String {
    if value >= 10.0 {
        format!("${value:.1}")
    } else {
        format!("${value:.2}")
    }
}

fn ms(value: f64) -> String {
    match value {
        v if v >= 1000.0 => format!("{:.1} s", v / 1000.0),
        v if v >= 100.0 => format!("{v:.0} ms"),
        v => format!("{v:.1} ms"),
    }
}

fn delivery_finding(lanes: &[LaneAnswer], here: &str) -> String {
    let troubled: Vec<String> = lanes
        .iter()
        .filter(|l| l.lost > 0 || l.duplicated > 0)
        .map(|l| {
            format!(
                "{} lost {} and duplicated {} of {}",
                l.service, l.lost, l.duplicated, l.published
            )
        })
        .collect();
    if troubled.is_empty() {
        let per_lane = lanes.first().map_or(0, |l| l.published);
        format!("Delivery: every lane delivered each of its {per_lane} events exactly once ({here}).")
    } else {
        format!(
            "Delivery ({here}): {}; the other lanes delivered every event once.",
            list(&troubled)
        )
    }
}

fn order_finding(summary: &Summary, lanes: &[LaneAnswer], here: &str) -> String {
    let promised: Vec<&LaneAnswer> = lanes.iter().filter(|l| l.order_broken.is_some()).collect();
    let kept: Vec<String> = promised
        .iter()
        .filter(|l| l.order_broken == Some(0))
        .map(|l| format!("{} ({})", l.service, l.order_promised))
        .collect();
    let broken: Vec<String> = promised
        .iter()
        .filter_map(|l| Some((l, l.order_broken.filter(|n| *n > 0)?)))
        .map(|(l, n)| format!("{} broke it {n} times", l.service))
        .collect();
    let shuffled: Vec<String> = summary
        .lanes
        .iter()
        .filter(|l| l.order.against_service.is_none() && l.delivery.out_of_order > 0)
        .map(|l| format!("{} {} of {}", l.service, l.delivery.out_of_order, l.delivery.published))
        .collect();
    let mut sentence = format!("Order ({here}): ");
    if kept.is_empty() && broken.is_empty() {
        sentence.push_str("no lane here promises an order");
    } else {
        if !kept.is_empty() {
            let _ = write!(sentence, "{} promised order and kept it", list(&kept));
        }
        if !broken.is_empty() {
            if !kept.is_empty() {
                sentence.push_str("; ");
            }
            sentence.push_str(&list(&broken));
        }
    }
    if shuffled.is_empty() && kept.is_empty() && broken.is_empty() {
        sentence.push_str(", and every lane happened to deliver in publish order.");
    } else if shuffled.is_empty() {
        sentence.push_str("; every other lane happened to deliver in publish order.");
    } else {
        let _ = write!(
            sentence,
            "; lanes that promise none delivered events after later-published ones: {}.",
            list(&shuffled)
        );
    }
    sentence
}

fn batching_finding(summary: &Summary, lanes: &[LaneAnswer], here: &str) -> Option<String> {
    let most = summary
        .lanes
        .iter()
        .filter(|l| l.batching.invocations > 0)
        .max_by(|a, b| a.batching.mean_batch.total_cmp(&b.batching.mean_batch))?;
    let singles: Vec<String> = lanes
        .iter()
        .filter(|l| l.invocations_per_event >= 0.999)
        .map(|l| {
            if l.service == Service::Firehose && summary.environment == Environment::LocalEmulator {
                "firehose (the emulator does not buffer)".to_owned()
            } else {
                l.service.to_string()
            }
        })
        .collect();
    let mut sentence = format!(
        "Batching ({here}): {} batched most, {:.1} events per transformer invocation ({:.2} invocations per event)",
        most.service, most.batching.mean_batch, most.batching.invocations_per_event
    );
    if !singles.is_empty() {
        let _ = write!(sentence, "; {} paid one invocation per event", list(&singles));
    }
    sentence.push('.');
    Some(sentence)
}

fn cost_finding(summary: &Summary, lanes: &[LaneAnswer]) -> Option<String> {
    let priced: Vec<(&LaneAnswer, f64)> = lanes.iter().filter_map(|l| Some((l, l.usd_aws?))).collect();
    let cheapest = priced.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let dearest = priced.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let best: Vec<String> = lanes
        .iter()
        .filter(|l| l.pareto_best)
        .map(|l| l.service.to_string())
        .collect();
    if dearest.1 <= cheapest.1 * 1.005 {
        return Some(format!(
            "Cost (modelled for AWS at {} events/s): every lane costs about {} per 1M events.",
            summary.drive.rate,
            usd(cheapest.1)
        ));
    }
    let mut sentence = format!(
        "Cost (modelled for AWS at {} events/s): {} is cheapest at {} per 1M events, {} dearest at {} ({:.0}× apart)",
        summary.drive.rate,
        cheapest.0.service,
        usd(cheapest.1),
        dearest.0.service,
        usd(dearest.1),
        dearest.1 / cheapest.1.max(f64::MIN_POSITIVE)
    );
    if !best.is_empty() {
        let _ = write!(
            sentence,
            "; against published AWS latency, {} {} Pareto-best (no lane both cheaper and faster)",
            list(&best),
            if best.len() == 1 { "is" } else { "are" }
        );
    }
    sentence.push('.');
    Some(sentence)
}

fn wait_finding(summary: &Summary) -> Option<String> {
    let mut waiting: Vec<(Service, f64)> = summary
        .lanes
        .iter()
        .filter_map(|l| Some((l.service, l.aws_model.added_wait_ms.filter(|w| *w >= 1.0)?)))
        .collect();
    if waiting.is_empty() {
        return None;
    }
    waiting.sort_by(|a, b| b.1.total_cmp(&a.1));
    let named: Vec<String> = waiting.iter().map(|(s, w)| format!("{s} {}", ms(*w))).collect();
    Some(format!(
        "Batch wait (modelled for AWS at {} events/s): the batching that makes lanes cheap adds a mean wait of {}; the others invoke as soon as events arrive.",
        summary.drive.rate,
        list(&named)
    ))
}

fn latency_finding(summary: &Summary, lanes: &[LaneAnswer], here: &str) -> Option<String> {
    let range = |points: Vec<(Service, f64)>| {
        let low = points.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        let high = points.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(format!("{} ({}) to {} ({})", ms(low.1), low.0, ms(high.1), high.0))
    };
    let aws = range(
        lanes
            .iter()
            .filter_map(|l| Some((l.service, l.aws_ms.as_ref()?.0)))
            .collect(),
    );
    let measured = range(lanes.iter().filter_map(|l| Some((l.service, l.here_ms?.0))).collect())?;
    Some(match (summary.environment, aws) {
        (Environment::LocalEmulator, Some(aws)) => format!(
            "Latency: published AWS p50s (others' accounts) run from {aws}; this run's p50s ({here}) ran from {measured} — the emulator's timings, which say nothing about AWS's."
        ),
        (Environment::LocalEmulator, None) => {
            format!("Latency ({here}): p50s ran from {measured} — the emulator's timings, not AWS's.")
        }
        (Environment::Aws, Some(aws)) => format!(
            "Latency ({here}): p50s ran from {measured}; the published AWS p50s (others' accounts) run from {aws}."
        ),
        (Environment::Aws, None) => format!("Latency ({here}): p50s ran from {measured}."),
    })
}

/// The answer for `summary`, with `references` for the published latencies.
pub fn answer(summary: &Summary, references: &References) -> Answer {
    let mut lanes: Vec<LaneAnswer> = summary.lanes.iter().map(|l| lane_answer(l, references)).collect();
    mark_pareto(&mut lanes);
    let here = match summary.environment {
        Environment::LocalEmulator => "measured here, on the local emulator",
        Environment::Aws => "measured on AWS",
    };
    let findings = [
        Some(delivery_finding(&lanes, here)),
        batching_finding(summary, &lanes, here),
        cost_finding(summary, &lanes),
        wait_finding(summary),
        Some(order_finding(summary, &lanes, here)),
        latency_finding(summary, &lanes, here),
    ]
    .into_iter()
    .flatten()
    .collect();
    Answer { lanes, findings }
}
