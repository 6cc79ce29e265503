//! The adaptive-batching experiment's page: the answer first (a row per lane and variant,
//! here and modelled for AWS side by side), then the settings following the load, the p99
//! per window against the target, and folded detail — as `experiment.json`,
//! `experiment.md` and `experiment.html`.

use std::fmt::Write as _;

use askama::Template;
use eventlab_measure::experiment::{Experiment, Outcome, Variant, findings};
use eventlab_measure::summary::Environment;

use crate::charts::{self, TimeAxes, TimeSeries};
use crate::page::{AnswerBlock, File, Fold, Origin, Table};

/// What the emulator does not do as AWS does, where it changes this experiment's result.
pub const LOCAL_GAPS: &[&str] = &[
    "These figures come from MiniStack 1.5.33, a local AWS emulator, not from AWS: its latencies and its per-invocation overhead say nothing about AWS.",
    "The emulator ignores the batching window: a large fixed batch does not hold events back here, so its latency looks as good as a small one's. On AWS it waits until the batch fills or the window ends; the modelled AWS columns show what that costs in latency.",
    "The emulator's event source mapping hands over what one poll returns, so batch sizes here follow the queue's depth at each poll more than the settings.",
    "Cost here is priced from the invocations the results counted and the REPORT durations the emulator logged (its own overhead included), at us-east-1 list prices.",
];

const AWS_NOTE: &str = "Measured on AWS: latencies, batch sizes and invocations as the services delivered them; cost at us-east-1 list prices from the measured REPORT durations.";

const HEADINGS: [&str; 11] = [
    "lane",
    "variant",
    "settings",
    "invocations",
    "mean batch",
    "$/1M here",
    "p50 / p99 here",
    "windows over target",
    "$/1M AWS (modelled)",
    "batch wait AWS (modelled)",
    "landed",
];

fn settings_text(o: &Outcome) -> String {
    let batches: Vec<u32> = o.settings.iter().map(|s| s.knobs.batch).collect();
    let windows: Vec<u32> = o.settings.iter().map(|s| s.knobs.window_s).collect();
    let span = |v: &[u32]| {
        let (min, max) = (
            v.iter().min().copied().unwrap_or(0),
            v.iter().max().copied().unwrap_or(0),
        );
        if min == max {
            min.to_string()
        } else {
            format!("{min}–{max}")
        }
    };
    let changes = o.settings.len().saturating_sub(1);
    format!(
        "batch {}, window {} s{}",
        span(&batches),
        span(&windows),
        if o.variant == Variant::Tuned {
            format!(" ({changes} change{})", if changes == 1 { "" } else { "s" })
        } else {
            String::new()
        }
    )
}

fn ms(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |v| format!("{v:.0}"))
}

fn rows(experiment: &Experiment) -> Vec<[String; 11]> {
    experiment
        .outcomes
        .iter()
        .map(|o| {
            let measured = o.windows.iter().filter(|w| w.p99_ms.is_some()).count();
            [
                o.service.to_string(),
                o.variant.as_str().to_owned(),
                settings_text(o),
                o.invocations.to_string(),
                format!("{:.1}", o.mean_batch),
                format!("{:.3}", o.usd_per_million),
                format!(
                    "{} / {} ms",
                    ms(o.end_to_end.map(|l| l.p50)),
                    ms(o.end_to_end.map(|l| l.p99))
                ),
                format!("{} of {measured}", o.windows_over_target),
                o.aws.usd_per_million.map_or("cannot run".into(), |u| format!("{u:.3}")),
                match (o.aws.added_wait_ms, o.aws.max_wait_ms) {
                    (Some(mean), Some(max)) => format!("mean {:.2} s, up to {:.1} s", mean / 1000.0, max / 1000.0),
                    _ => "–".into(),
                },
                format!("{} of {}", o.landed, o.published),
            ]
        })
        .collect()
}

fn plan_line(experiment: &Experiment) -> String {
    let phases: Vec<String> = experiment
        .profile
        .iter()
        .map(|p| format!("{}/s for {} s", p.rate, p.seconds))
        .collect();
    format!(
        "Load {} (published straight to each service); p99 target {:.0} ms; windows of {} s",
        phases.join(", then "),
        experiment.target_p99_ms,
        experiment.window_s
    )
}

fn total_s(experiment: &Experiment) -> f64 {
    experiment.profile.iter().map(|p| p.seconds).sum()
}

/// The load, the batch size each variant ran with, and p99 per window against the target.
pub fn charts(experiment: &Experiment) -> [String; 4] {
    let end = total_s(experiment);
    let mut at = 0.0;
    let mut load = Vec::new();
    for phase in &experiment.profile {
        load.push((at, phase.rate));
        at += phase.seconds;
    }
    let load_chart = charts::over_time(
        "The load: events published per second",
        "events/s",
        end,
        &[("load (each lane)".to_owned(), load)],
        None,
        TimeAxes {
            steps: true,
            log_y: false,
            height: 240,
        },
    );
    let name = |o: &Outcome| {
        if experiment.outcomes.iter().any(|x| x.service != o.service) {
            format!("{} · {}", o.service, o.variant.as_str())
        } else {
            o.variant.as_str().to_owned()
        }
    };
    let batches: Vec<TimeSeries> = experiment
        .outcomes
        .iter()
        .map(|o| {
            let points = o.settings.iter().map(|s| (s.at_s, f64::from(s.knobs.batch))).collect();
            (name(o), points)
        })
        .collect();
    let batch_chart = charts::over_time(
        "The batch size each variant ran with",
        "batch size (log)",
        end,
        &batches,
        None,
        TimeAxes {
            steps: true,
            log_y: true,
            height: 320,
        },
    );
    let windows: Vec<TimeSeries> = experiment
        .outcomes
        .iter()
        .map(|o| {
            let points = o
                .settings
                .iter()
                .map(|s| (s.at_s, f64::from(s.knobs.window_s)))
                .collect();
            (name(o), points)
        })
        .collect();
    let window_chart = charts::over_time(
        "The batching window each variant ran with",
        "window, seconds",
        end,
        &windows,
        None,
        TimeAxes {
            steps: true,
            log_y: false,
            height: 240,
        },
    );
    let p99: Vec<TimeSeries> = experiment
        .outcomes
        .iter()
        .map(|o| {
            let points = o
                .windows
                .iter()
                .filter_map(|w| w.p99_ms.map(|p| (f64::midpoint(w.from_s, w.to_s), p)))
                .collect();
            (name(o), points)
        })
        .collect();
    let p99_chart = charts::over_time(
        "p99 publish → consumer, per window of publish time",
        "p99 ms (log)",
        end,
        &p99,
        Some(("target", experiment.target_p99_ms)),
        TimeAxes {
            steps: false,
            log_y: true,
            height: 360,
        },
    );
    [load_chart, batch_chart, window_chart, p99_chart]
}

#[derive(Debug, Template)]
#[template(path = "experiment.html")]
struct Page {
    answer: String,
    charts: [String; 4],
    folds: Vec<String>,
}

fn answer(experiment: &Experiment) -> AnswerBlock {
    let local = experiment.environment == Environment::LocalEmulator;
    AnswerBlock {
        run: format!(
            "{} · {}",
            plan_line(experiment),
            experiment.created_at.format("%Y-%m-%d %H:%M UTC")
        ),
        place: if local {
            "local emulator (MiniStack), not AWS".to_owned()
        } else {
            "AWS".to_owned()
        },
        local,
        table: Table::new(Some("experiment-answer"), &HEADINGS, rows(experiment)).html(),
        note: Some(
            "\"here\": measured in this run. \"AWS (modelled)\": the model's cost and batch wait for the same settings at each phase's rate (for tune, the settings it held at each phase's middle) — not measured, never merged with the measured columns.".to_owned(),
        ),
        findings: findings(experiment),
    }
}

fn folds(experiment: &Experiment) -> Vec<String> {
    let decisions: Vec<[String; 5]> = experiment
        .steps
        .iter()
        .map(|s| {
            [
                s.at.format("%H:%M:%S").to_string(),
                s.lane.to_string(),
                format!("{}/{} s", s.from.batch, s.from.window_s),
                format!("{}/{} s", s.to.batch, s.to.window_s),
                s.reason.clone(),
            ]
        })
        .collect();
    let windows: Vec<[String; 6]> = experiment
        .outcomes
        .iter()
        .flat_map(|o| {
            o.windows.iter().map(move |w| {
                [
                    o.service.to_string(),
                    o.variant.as_str().to_owned(),
                    format!("{:.0}–{:.0} s", w.from_s, w.to_s),
                    format!("{}/s", w.load_per_s),
                    w.landed.to_string(),
                    format!("{} / {}", ms(w.p50_ms), ms(w.p99_ms)),
                ]
            })
        })
        .collect();
    let gaps: Vec<String> = LOCAL_GAPS.iter().map(|g| (*g).to_owned()).collect();
    let local = experiment.environment == Environment::LocalEmulator;
    let origin = Origin {
        line: if local {
            "Measured locally, on the emulator; the AWS columns are modelled."
        } else {
            AWS_NOTE
        },
        caveats: local.then_some(gaps.as_slice()),
    }
    .html();
    vec![
        Fold {
            id: "decisions",
            title: "tune's decisions",
            line: format!(
                "{} decisions, {} of them changes, each with its reason",
                experiment.steps.len(),
                experiment.steps.iter().filter(|s| s.changed).count()
            ),
            body: Table::new(
                Some("decisions"),
                &["at", "lane", "from batch/window", "to", "reason"],
                decisions,
            )
            .html(),
        }
        .html(),
        Fold {
            id: "windows",
            title: "Every window",
            line: "load, events landed and p50 / p99 ms per window of publish time".to_owned(),
            body: Table::new(
                Some("windows"),
                &["lane", "variant", "published", "load", "landed", "p50 / p99 ms"],
                windows,
            )
            .html(),
        }
        .html(),
        Fold {
            id: "caveats",
            title: "Where these figures come from",
            line: if experiment.environment == Environment::LocalEmulator {
                "local emulator, and what it does not do as AWS does".to_owned()
            } else {
                "measured on AWS".to_owned()
            },
            body: origin,
        }
        .html(),
    ]
}

/// The experiment in Markdown: the answer, the table, the findings.
pub fn markdown(experiment: &Experiment) -> String {
    let mut md = format!(
        "# Adaptive batching: tune beside fixed settings\n\n{}. {}.\n\n",
        plan_line(experiment),
        match experiment.environment {
            Environment::LocalEmulator => "Local emulator (MiniStack), not AWS",
            Environment::Aws => "Measured on AWS",
        }
    );
    for finding in findings(experiment) {
        let _ = writeln!(md, "- {finding}");
    }
    md.push('\n');
    md.push_str(&Table::new(None, &HEADINGS, rows(experiment)).markdown());
    md
}

/// The answer for a terminal: the findings, each wrapped to 84 columns.
pub fn terminal(experiment: &Experiment) -> String {
    let options = textwrap::Options::new(84).initial_indent("- ").subsequent_indent("  ");
    findings(experiment).iter().fold(String::new(), |mut out, finding| {
        let _ = writeln!(out, "{}", textwrap::fill(finding, &options));
        out
    })
}

/// `experiment.json`, `experiment.md` and `experiment.html`.
pub fn files(experiment: &Experiment) -> serde_json::Result<Vec<File>> {
    let page = Page {
        answer: answer(experiment).html(),
        charts: charts(experiment),
        folds: folds(experiment),
    }
    .render()
    .expect("the experiment page renders");
    Ok(vec![
        File::new("experiment.json", serde_json::to_string_pretty(experiment)?),
        File::new("experiment.md", markdown(experiment)),
        File::new("experiment.html", page),
    ])
}
