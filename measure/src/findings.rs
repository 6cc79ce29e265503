//! What a drill and a cold-start measurement found, in a few sentences computed from their
//! figures: the opening of their pages, as the bench report's is [`crate::answer`].

use std::fmt::Write as _;

use eventlab_schema::Service;

use crate::coldstart::Report;
use crate::drill::Drill;
use crate::summary::Environment;

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn where_measured(environment: Environment) -> &'static str {
    match environment {
        Environment::LocalEmulator => "measured on the local emulator",
        Environment::Aws => "measured on AWS",
    }
}

/// A drill's findings: where the events ended, how soon each lane recovered, how hard the
/// services retried and what at-least-once delivery showed.
pub fn drill(drill: &Drill) -> Vec<String> {
    let here = where_measured(drill.environment);
    let sum = |f: fn(&crate::drill::books::Books) -> u64| drill.lanes.iter().map(|l| f(&l.books)).sum::<u64>();
    let mut findings = vec![format!(
        "Where the events went ({here}): of {} published on {} lanes around a {:.0} s outage, {} landed, {} sit in failure queues, {} passed through untransformed, {} were dropped by the emulator and {} are unaccounted.",
        sum(|b| b.published),
        drill.lanes.len(),
        drill.restored_at_s - drill.broken_at_s,
        sum(|b| b.landed),
        sum(|b| b.held + b.held_by_pointer),
        sum(|b| b.passed_through + b.firehose_errors),
        sum(|b| b.dropped_by_emulator),
        sum(|b| b.waiting),
    )];
    let mut recovered: Vec<(Service, f64)> = drill
        .lanes
        .iter()
        .filter_map(|l| Some((l.service, l.balanced_at_s? - drill.restored_at_s)))
        .collect();
    recovered.sort_by(|a, b| a.1.total_cmp(&b.1));
    let behind: Vec<String> = drill
        .lanes
        .iter()
        .filter(|l| l.balanced_at_s.is_none())
        .map(|l| l.service.to_string())
        .collect();
    if let (Some(first), Some(last)) = (recovered.first(), recovered.last()) {
        let mut sentence = format!(
            "Recovery ({here}): after the restore at {:.0} s, {} balanced its books first ({:.1} s later) and {} last ({:.1} s later)",
            drill.restored_at_s,
            first.0,
            first.1.max(0.0),
            last.0,
            last.1.max(0.0)
        );
        if !behind.is_empty() {
            let _ = write!(sentence, "; {} had not balanced by the end", list(&behind));
        }
        sentence.push('.');
        findings.push(sentence);
    }
    if let Some(most) = drill.lanes.iter().max_by_key(|l| l.books.refused_records)
        && most.books.refused_records > 0
    {
        #[allow(clippy::cast_precision_loss)]
        let per_event = most.books.refused_records as f64 / most.books.published.max(1) as f64;
        findings.push(format!(
            "Retries ({here}): the broken transformers refused {} records in {} calls; {} was offered its records most often, {} refusals for {} events ({per_event:.1} per event).",
            sum(|b| b.refused_records),
            sum(|b| b.refused_invocations),
            most.service,
            most.books.refused_records,
            most.books.published,
        ));
    }
    let duplicated: Vec<String> = drill
        .lanes
        .iter()
        .filter(|l| l.books.duplicates > 0)
        .map(|l| format!("{} {}", l.service, l.books.duplicates))
        .collect();
    let attempts: Vec<String> = drill
        .lanes
        .iter()
        .filter(|l| l.books.max_attempt > 1)
        .map(|l| format!("{} up to {}", l.service, l.books.max_attempt))
        .collect();
    findings.push(format!(
        "At least once ({here}): {}; {}.",
        if duplicated.is_empty() {
            "no lane delivered a duplicate".to_owned()
        } else {
            format!("duplicate results — {}", list(&duplicated))
        },
        if attempts.is_empty() {
            "no result reports a second receive".to_owned()
        } else {
            format!("receives per message — {}", list(&attempts))
        }
    ));
    let redriven: Vec<String> = drill
        .lanes
        .iter()
        .filter_map(|l| Some(format!("{} {}", l.service, l.redriven.as_ref()?.moved)))
        .collect();
    if !redriven.is_empty() {
        findings.push(format!(
            "Redrive ({here}): messages moved back from the failure queues — {}.",
            list(&redriven)
        ));
    }
    findings
}

/// A cold-start measurement's findings: start-up and per-request cost, builds and
/// strategies compared where both were measured, memory.
pub fn coldstart(report: &Report) -> Vec<String> {
    let here = "on this host";
    let range = |pick: &dyn Fn(&crate::coldstart::Row) -> Option<f64>, digits: usize| {
        let points: Vec<(String, f64)> = report
            .rows
            .iter()
            .filter_map(|r| Some((r.subject.label(), pick(r)?)))
            .collect();
        let low = points.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        let high = points.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(format!(
            "{:.digits$} ms ({}) to {:.digits$} ms ({})",
            low.1, low.0, high.1, high.0
        ))
    };
    let mut findings = Vec::new();
    if let Some(init) = range(&|r| r.init_wall.map(|l| l.p50), 1) {
        findings.push(format!("Start-up ({here}): median INIT wall time ran from {init}."));
    }
    if let Some(warm) = range(&|r| r.warm_cpu.map(|l| l.p50), 2) {
        findings.push(format!(
            "Per request ({here}): a warm one-event invocation used {warm} of CPU."
        ));
    }
    let mut ratios: Vec<f64> = report
        .rows
        .iter()
        .filter(|r| r.subject.build == "local")
        .filter_map(|local| {
            let release = report.rows.iter().find(|r| {
                r.subject.build == "release"
                    && r.subject.function == local.subject.function
                    && r.subject.strategy == local.subject.strategy
            })?;
            Some(local.warm_cpu?.p50 / release.warm_cpu?.p50)
        })
        .filter(|r| r.is_finite())
        .collect();
    if !ratios.is_empty() {
        ratios.sort_by(f64::total_cmp);
        findings.push(format!(
            "Builds ({here}): the local dev-profile builds used {:.2}× the release builds' warm CPU per request (median of {} functions; {:.2}× to {:.2}×).",
            ratios[ratios.len() / 2],
            ratios.len(),
            ratios[0],
            ratios[ratios.len() - 1]
        ));
    }
    let strategies: Vec<String> = report
        .rows
        .iter()
        .filter(|r| r.subject.strategy.is_some() && r.subject.build == "local")
        .filter_map(|r| {
            Some(format!(
                "{} {:.1} ms INIT, {:.2} ms CPU a request",
                r.subject.strategy?, r.init_wall?.p50, r.warm_cpu?.p50
            ))
        })
        .collect();
    if strategies.len() > 1 {
        findings.push(format!(
            "Generator strategies (local build, {here}): {}.",
            strategies.join("; ")
        ));
    }
    let memory: Vec<(String, f64)> = report
        .rows
        .iter()
        .map(|r| (r.subject.label(), r.peak_rss_mib))
        .collect();
    if let (Some(low), Some(high)) = (
        memory.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        memory.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
    ) {
        findings.push(format!(
            "Memory ({here}): peak resident memory from {:.1} MiB ({}) to {:.1} MiB ({}).",
            low.1, low.0, high.1, high.0
        ));
    }
    findings.truncate(6);
    findings
}
