//! The drill's report: the books per lane, the timeline chart, and what the emulator does
//! not do as AWS does, as `drill.json`, `drill.md`, `drill.html` and `timeline.svg`.

use std::fmt::Write as _;

use askama::Template;
use eventlab_measure::drill::{Drill, LaneOutcome};
use eventlab_measure::summary::Environment;
use plotters::prelude::*;

use crate::charts::PALETTE;
use crate::page::{AnswerBlock, File, Fold, Origin, Table};

/// What MiniStack 1.5.33 does differently when a consumer fails (read in its source,
/// `ministack/services/lambda_svc.py`, `eventbridge.py`, `sns.py`, `firehose.py`, and seen in
/// the drills): said on every local drill report.
pub const LOCAL_GAPS: &[&str] = &[
    "These figures come from MiniStack 1.5.33, a local AWS emulator, not from AWS.",
    "The break is a function error (the transformer fails every invocation while an environment variable is set). The emulator honours it on every lane: each lane's 'refused' column counts the records the broken transformer turned away.",
    "SQS and SQS FIFO behave as on AWS: a failed batch stays invisible for the queue's visibility timeout, then is received again; after maxReceiveCount receives it moves to the dead-letter queue.",
    "Kinesis and DynamoDB Streams: the emulator retries a failed batch about once a second and holds the shard, as AWS does, but ignores MaximumRetryAttempts and BisectBatchOnFunctionError (DynamoDB honours MaximumRecordAgeInSeconds): a batch is never split nor sent to the on-failure queue before its records age out.",
    "EventBridge and SNS invoke the function once and drop the event when it fails: no retries and no on-failure destination, where AWS invokes asynchronously and retries twice (about 1 and 2 minutes apart) before the on-failure queue. Missing events of those lanes, published before the restore, are counted as 'dropped by the emulator' once the transformer has refused something.",
    "Setting or lifting the break (a configuration change) stops the emulator's running workers: an invocation in flight then fails without a word from the function, so the stream and queue lanes deliver it again (a duplicate, if it had written its result) and EventBridge and SNS drop it. On AWS, running invocations finish.",
    "Firehose writes the records untransformed among the results when its processor fails ('passed through'), where AWS retries the processor and then writes them under errors/firehose/processing-failed/.",
    "Throttling the function to zero (reserved concurrency 0) is not used as a break: the emulator's event source mappings take a throttled batch as done and delete it.",
];

pub const AWS_NOTE: &str = "Measured on AWS. Lambda retries an asynchronous invocation (EventBridge, SNS) twice, about 1 and 2 minutes apart, so a short outage may end before the events reach the on-failure queue; stream on-failure records name a batch (shard and sequence numbers), not its events.";

const HEADINGS: [&str; 12] = [
    "lane",
    "published",
    "landed",
    "duplicates",
    "max attempt",
    "in failure queue",
    "redriven",
    "passed through",
    "dropped by emulator",
    "unaccounted",
    "refused",
    "balanced at",
];

fn rows(drill: &Drill) -> Vec<[String; 12]> {
    drill
        .lanes
        .iter()
        .map(|lane: &LaneOutcome| {
            let b = &lane.books;
            let held = if b.held_by_pointer > 0 {
                format!("{} (+{} by pointer)", b.held, b.held_by_pointer)
            } else {
                b.held.to_string()
            };
            [
                lane.service.to_string(),
                b.published.to_string(),
                b.landed.to_string(),
                b.duplicates.to_string(),
                b.max_attempt.to_string(),
                held,
                lane.redriven
                    .as_ref()
                    .map_or("-".into(), |r| format!("{} ({})", r.moved, r.how)),
                (b.passed_through + b.firehose_errors).to_string(),
                b.dropped_by_emulator.to_string(),
                b.waiting.to_string(),
                format!("{} in {} calls", b.refused_records, b.refused_invocations),
                lane.balanced_at_s.map_or("not yet".into(), |s| format!("{s:.0} s")),
            ]
        })
        .collect()
}

fn origin(drill: &Drill) -> String {
    match drill.environment {
        Environment::LocalEmulator => format!(
            "Measured locally, on the emulator at {}.",
            drill.endpoint.as_deref().unwrap_or("?")
        ),
        Environment::Aws => AWS_NOTE.to_owned(),
    }
}

fn plan_line(drill: &Drill) -> String {
    format!(
        "{} events per lane at {}/s, published straight to each service; consumers broken from {:.0} s to {:.0} s{}; ended at {:.0} s{}.",
        drill.events_per_lane,
        drill.rate,
        drill.broken_at_s,
        drill.restored_at_s,
        drill
            .redriven_at_s
            .map_or(String::new(), |s| format!("; failure queues redriven at {s:.0} s")),
        drill.ended_at_s,
        if drill.timed_out { " (timed out)" } else { "" }
    )
}

fn missing_lines(drill: &Drill) -> Vec<String> {
    drill
        .lanes
        .iter()
        .filter(|l| l.books.waiting > 0)
        .map(|l| {
            let queue = l
                .books
                .source_queue
                .map_or(String::new(), |n| format!("; {n} messages still in its queue"));
            let ids: Vec<String> = l.missing.iter().map(ToString::to_string).collect();
            format!(
                "{}: {} events unaccounted (oldest published {:.0} s before the end){queue}: {}",
                l.service,
                l.books.waiting,
                l.books.oldest_waiting_s.unwrap_or_default(),
                ids.join(", ")
            )
        })
        .collect()
}

/// The drill's section, in Markdown.
pub fn markdown(drill: &Drill) -> String {
    let mut md = format!(
        "# Failure drill `{}`\n\n{}\n\n{}\n\n",
        drill.id,
        origin(drill),
        plan_line(drill)
    );
    if drill.environment == Environment::LocalEmulator {
        for gap in LOCAL_GAPS {
            let _ = writeln!(md, "- {gap}");
        }
        md.push('\n');
    }
    md.push_str(&Table::new(None, &HEADINGS, rows(drill)).markdown());
    let _ = writeln!(
        md,
        "\n**Unaccounted: {}.** Every published event is in exactly one column from 'landed' to 'unaccounted'; 'duplicates' are extra deliveries of landed events, 'max attempt' the highest receive count a result reports.\n",
        drill.unaccounted()
    );
    for line in missing_lines(drill) {
        let _ = writeln!(md, "- {line}");
    }
    md.push_str("\n![timeline](timeline.svg)\n\nWhen each service gives up, and the settings that change it: `notes/when-the-consumer-fails.md`.\n");
    md
}

#[derive(Debug, Template)]
#[template(path = "drill.html")]
struct Page<'a> {
    id: &'a str,
    answer: String,
    timeline: &'a str,
    folds: Vec<String>,
}

/// The page's opening: the drill in one line, a row per lane, the findings.
fn answer(drill: &Drill) -> AnswerBlock {
    let rows = drill
        .lanes
        .iter()
        .map(|lane| {
            let b = &lane.books;
            [
                lane.service.to_string(),
                b.published.to_string(),
                b.landed.to_string(),
                (b.held + b.held_by_pointer).to_string(),
                (b.passed_through + b.firehose_errors).to_string(),
                b.dropped_by_emulator.to_string(),
                b.waiting.to_string(),
                lane.balanced_at_s.map_or("not yet".into(), |s| {
                    format!("{:.1} s", (s - drill.restored_at_s).max(0.0))
                }),
            ]
        })
        .collect();
    AnswerBlock {
        run: format!(
            "{} · {}",
            plan_line(drill),
            drill.started_at.format("%Y-%m-%d %H:%M UTC")
        ),
        place: match drill.environment {
            Environment::LocalEmulator => "local emulator (MiniStack), not AWS".to_owned(),
            Environment::Aws => "AWS".to_owned(),
        },
        local: drill.environment == Environment::LocalEmulator,
        table: Table::new(
            Some("drill-answer"),
            &[
                "lane",
                "published",
                "landed",
                "in failure queue",
                "passed through",
                "dropped by emulator",
                "unaccounted",
                "balanced after restore",
            ],
            rows,
        )
        .html(),
        note: None,
        findings: eventlab_measure::findings::drill(drill),
    }
}

/// The drill's page: the answer, the timeline, then the books, what is missing and what
/// the emulator does not do as AWS does, folded.
pub fn html(drill: &Drill, svg: &str) -> String {
    let missing = missing_lines(drill);
    let mut folds = vec![Fold {
        id: "books",
        title: "The books",
        line: format!(
            "every published event in exactly one column; {} unaccounted",
            drill.unaccounted()
        ),
        body: format!(
            "{}<p>'duplicates' are extra deliveries of landed events, 'max attempt' the highest receive count a result reports. When each service gives up, and the settings that change it: <code>notes/when-the-consumer-fails.md</code>.</p>",
            Table::new(Some("drill-books"), &HEADINGS, rows(drill)).html()
        ),
    }];
    if !missing.is_empty() {
        folds.push(Fold {
            id: "missing",
            title: "Unaccounted events",
            line: format!("{} lanes with events still on their way", missing.len()),
            body: Table::new(None, &["where and which"], missing.into_iter().map(|m| [m]).collect()).html(),
        });
    }
    let line = origin(drill);
    let gaps: Vec<String> = LOCAL_GAPS.iter().map(|g| (*g).to_owned()).collect();
    let caveats = (drill.environment == Environment::LocalEmulator).then_some(gaps.as_slice());
    folds.push(Fold {
        id: "caveats",
        title: "Caveats",
        line: caveats.map_or_else(
            || "how AWS retries".to_owned(),
            |c| format!("{} ways the emulator is not AWS here", c.len()),
        ),
        body: Origin { line: &line, caveats }.html(),
    });
    Page {
        id: &drill.id,
        answer: answer(drill).html(),
        timeline: svg,
        folds: folds.iter().map(Fold::html).collect(),
    }
    .render()
    .expect("the drill page renders")
}

const PANEL_WIDTH: u32 = 540;
const PANEL_HEIGHT: u32 = 240;

/// One panel per lane: events published, landed, waiting in the service and in the failure
/// queue over time, with the outage shaded and the redrive marked; the key in the last cell.
pub fn timeline(drill: &Drill) -> String {
    let rows = (drill.lanes.len() + 1).div_ceil(2);
    let height = PANEL_HEIGHT * u32::try_from(rows).unwrap_or(4);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (PANEL_WIDTH * 2, height)).into_drawing_area();
        root.fill(&WHITE).expect("filling an SVG string cannot fail");
        let panels = root.split_evenly((rows, 2));
        for (lane, panel) in drill.lanes.iter().zip(panels.iter()) {
            panel_for(drill, lane, panel).expect("drawing into an SVG string cannot fail");
        }
        if let Some(cell) = panels.get(drill.lanes.len()) {
            key(cell).expect("drawing into an SVG string cannot fail");
        }
        root.present().expect("presenting an SVG string cannot fail");
    }
    svg
}

/// A line of a panel: its name, and what it plots from a lane's books.
type Line = (&'static str, fn(&eventlab_measure::drill::books::Books) -> f64);

#[allow(clippy::cast_precision_loss)]
const LINES: [Line; 5] = [
    ("published", |b| b.published as f64),
    ("landed in S3", |b| b.landed as f64),
    ("waiting in the service", |b| b.waiting as f64),
    ("in the failure queue", |b| (b.held + b.held_by_pointer) as f64),
    ("passed through or dropped (emulator)", |b| {
        (b.passed_through + b.firehose_errors + b.dropped_by_emulator) as f64
    }),
];

const OUTAGE: RGBColor = RGBColor(213, 94, 0);
const REDRIVE: RGBColor = RGBColor(204, 121, 167);

type Panel<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn key(cell: &Panel<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let font = ("sans-serif", 14).into_font();
    let mut y = 40;
    for (i, (name, _)) in LINES.iter().enumerate() {
        cell.draw(&PathElement::new(
            vec![(40, y), (80, y)],
            PALETTE[i % PALETTE.len()].stroke_width(3),
        ))?;
        cell.draw(&Text::new(*name, (92, y - 8), font.clone()))?;
        y += 26;
    }
    cell.draw(&Rectangle::new([(40, y - 8), (80, y + 8)], OUTAGE.mix(0.15).filled()))?;
    cell.draw(&Text::new("consumer broken", (92, y - 8), font.clone()))?;
    y += 26;
    cell.draw(&PathElement::new(
        vec![(60, y - 10), (60, y + 10)],
        REDRIVE.stroke_width(2),
    ))?;
    cell.draw(&Text::new("failure queue redriven", (92, y - 8), font))?;
    Ok(())
}

fn panel_for(drill: &Drill, lane: &LaneOutcome, panel: &Panel<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let end = drill.ended_at_s.max(1.0);
    #[allow(clippy::cast_precision_loss)]
    let top = (lane.books.published.max(1) as f64) * 1.1;
    let mut chart = ChartBuilder::on(panel)
        .caption(lane.service.as_str(), ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(40)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..end, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("seconds since the drill started")
        .y_desc("events")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .draw()?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(drill.broken_at_s, 0.0), (drill.restored_at_s, top)],
        OUTAGE.mix(0.15).filled(),
    )))?;
    if let Some(at) = drill.redriven_at_s {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(at, 0.0), (at, top)],
            REDRIVE.stroke_width(2),
        )))?;
    }
    for (i, (_, pick)) in LINES.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let points = drill
            .timeline
            .iter()
            .filter_map(|s| s.lanes.get(&lane.service).map(|b| (s.at_s, pick(b))));
        chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
    }
    Ok(())
}

/// What the terminal shows at the end.
pub fn terminal(drill: &Drill) -> String {
    let mut out = format!("{}\n{}\n", origin(drill), plan_line(drill));
    for row in rows(drill) {
        let _ = writeln!(
            out,
            "  {:<12} published {:>5}  landed {:>5}  dup {:>3}  failure queue {:>5}  redriven {:<28} passed/dropped {:>3}/{:<3} unaccounted {:>3}  balanced {}",
            row[0], row[1], row[2], row[3], row[5], row[6], row[7], row[8], row[9], row[11]
        );
    }
    for line in missing_lines(drill) {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The drill's files: `drill.json`, `drill.md`, `drill.html` and `timeline.svg`.
pub fn files(drill: &Drill) -> serde_json::Result<Vec<File>> {
    let svg = timeline(drill);
    Ok(vec![
        File::new("drill.json", serde_json::to_string_pretty(drill)?),
        File::new("drill.md", markdown(drill)),
        File::new("drill.html", html(drill, &svg)),
        File::new("timeline.svg", svg),
    ])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use eventlab_schema::Service;

    use super::*;
    use eventlab_measure::drill::Sample;
    use eventlab_measure::drill::books::Books;

    fn drill(environment: Environment, waiting: u64) -> Drill {
        let books = Books {
            published: 10,
            landed: 10 - waiting,
            waiting,
            max_attempt: 2,
            ..Books::default()
        };
        let lane = LaneOutcome {
            service: Service::Sqs,
            run_id: "d-sqs".parse().unwrap(),
            transformer: "eventlab-transform-sqs".into(),
            failed_to_publish: 0,
            books: books.clone(),
            balanced_at_s: (waiting == 0).then_some(190.0),
            missing: Vec::new(),
            redriven: None,
        };
        Drill {
            id: "d".into(),
            environment,
            endpoint: Some("http://127.0.0.1:4566".into()),
            started_at: chrono::Utc::now(),
            events_per_lane: 10,
            rate: 2.0,
            broken_at_s: 3.0,
            restored_at_s: 9.0,
            redriven_at_s: None,
            ended_at_s: 190.0,
            timed_out: waiting > 0,
            lanes: vec![lane],
            timeline: vec![Sample {
                at_s: 1.0,
                lanes: BTreeMap::from([(Service::Sqs, books)]),
            }],
        }
    }

    #[test]
    fn a_local_drill_says_where_its_figures_come_from_and_what_the_emulator_does_differently() {
        let page = html(
            &drill(Environment::LocalEmulator, 0),
            &timeline(&drill(Environment::LocalEmulator, 0)),
        );
        assert!(page.contains("Measured locally, on the emulator at http://127.0.0.1:4566."));
        assert!(page.contains("MiniStack 1.5.33"));
        assert!(
            page.contains("and 0 are unaccounted."),
            "the answer says nothing is unaccounted"
        );
        assert!(page.contains("consumer broken") && page.contains("<svg"));
        let aws = markdown(&drill(Environment::Aws, 0));
        assert!(aws.contains("Measured on AWS") && !aws.contains("MiniStack"));
    }

    #[test]
    fn what_is_missing_is_named() {
        let md = markdown(&drill(Environment::LocalEmulator, 3));
        assert!(md.contains("**Unaccounted: 3.**"));
        assert!(md.contains("sqs: 3 events unaccounted"));
        assert!(md.contains("| sqs | 10 | 7 | 0 | 2 |"));
        assert!(terminal(&drill(Environment::LocalEmulator, 3)).contains("(timed out)"));
    }
}
