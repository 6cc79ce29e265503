//! Every page the lab writes, opened in headless Chromium at 1400 × 900 and measured from
//! its laid-out form: no two text labels of one chart may intersect, and the pages that
//! answer first (bench report, drill, cold starts, the batching experiment) must hold their
//! answer on the first screen. The pages are rendered from fixtures of real local runs
//! (`measure/tests/fixtures/`, written by `make bench`, `make drill`, `make sweep` and
//! `make tune-experiment` on MiniStack) and from the model; the stack tests measure the
//! pages a run has just written the same way.

#[path = "common/layout.rs"]
mod layout;

use std::path::Path;

use eventlab_measure::drill::Drill;
use eventlab_measure::model::{ModelArgs, rows, trade_offs};
use eventlab_measure::pricing::PriceBook;
use eventlab_measure::summary::{Environment, Summary};
use eventlab_measure::sweep::Point;
use eventlab_render::page::File;
use layout::{FIRST_SCREEN, Layout, Scratch, answers_first, assert_none, overlaps};

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../measure/tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Writes `files` into a folder of their own and measures `page` among them. With
/// `EVENTLAB_KEEP_PAGES=<folder>`, the pages are also written there, to look at.
fn measure(files: &[File], page: &str) -> Layout {
    if let Some(keep) = std::env::var_os("EVENTLAB_KEEP_PAGES") {
        std::fs::create_dir_all(&keep).unwrap();
        for file in files {
            std::fs::write(Path::new(&keep).join(&file.name), &file.contents).unwrap();
        }
    }
    let scratch = Scratch::new(&page.replace('.', "-"));
    for file in files {
        std::fs::write(scratch.0.join(&file.name), &file.contents).unwrap();
    }
    layout::measure_in(&scratch.0, page)
}

fn local_summary() -> Summary {
    let summary: Summary = fixture("summary-local.json");
    assert_eq!(summary.environment, Environment::LocalEmulator);
    summary
}

#[test]
#[ignore = "needs headless Chromium (make chromium)"]
fn the_bench_report_answers_first_and_no_chart_label_collides() {
    let summary = local_summary();
    let samples: Vec<(String, Vec<f64>)> = fixture("samples-local.json");
    let files = eventlab_render::report::pages(&summary, &samples).unwrap();
    let layout = measure(&files, "report.html");
    let mut problems = answers_first("report.html", &layout, summary.lanes.len());
    match &layout.not_aws {
        Some(place) if place.text.contains("not AWS") && place.bottom <= FIRST_SCREEN => {}
        place => problems.push(format!(
            "report.html: \"not AWS\" is not on the first screen: {place:?}"
        )),
    }
    problems.extend(overlaps("report.html", &layout, 6));
    assert_none(&problems);
}

#[test]
#[ignore = "needs headless Chromium (make chromium)"]
fn the_cold_start_page_answers_first_and_no_chart_label_collides() {
    let summary = local_summary();
    let coldstart = summary
        .coldstart
        .as_ref()
        .expect("the fixture run measured cold starts");
    let files = eventlab_render::coldstart::files(coldstart).unwrap();
    let layout = measure(&files, "coldstart.html");
    let mut problems = answers_first("coldstart.html", &layout, coldstart.rows.len());
    problems.extend(overlaps("coldstart.html", &layout, 1));
    assert_none(&problems);
}

#[test]
#[ignore = "needs headless Chromium (make chromium)"]
fn the_drill_report_answers_first_and_no_chart_label_collides() {
    let drill: Drill = fixture("drill-local.json");
    let files = eventlab_render::drill::files(&drill).unwrap();
    let layout = measure(&files, "drill.html");
    let mut problems = answers_first("drill.html", &layout, drill.lanes.len());
    problems.extend(overlaps("drill.html", &layout, 1));
    assert_none(&problems);
}

#[test]
#[ignore = "needs headless Chromium (make chromium)"]
fn the_model_and_sweep_pages_have_no_colliding_labels() {
    let book = PriceBook::us_east_1();
    // The model's defaults: 1 to 100,000 events/s, 1 KB events, batch 10, no window.
    let args = ModelArgs::default();
    let rows = rows(&args, &book);
    let points: Vec<_> = [10.0, 100.0, 1000.0]
        .into_iter()
        .map(|rate| (rate, trade_offs(rate, args.event_bytes, &book)))
        .collect();
    let files = eventlab_render::model::files(&args, &rows, &points).unwrap();
    let mut problems = overlaps("model.html", &measure(&files, "model.html"), 4);

    let sweep: Vec<Point> = fixture("sweep-local.json");
    let files = eventlab_render::sweep::files(Environment::LocalEmulator, &sweep).unwrap();
    problems.extend(overlaps("sweep.html", &measure(&files, "sweep.html"), 1));
    assert_none(&problems);
}

#[test]
#[ignore = "needs headless Chromium (make chromium)"]
fn the_experiment_page_answers_first_and_no_chart_label_collides() {
    let experiment: eventlab_measure::experiment::Experiment = fixture("experiment-local.json");
    assert_eq!(experiment.environment, Environment::LocalEmulator);
    let files = eventlab_render::experiment::files(&experiment).unwrap();
    let layout = measure(&files, "experiment.html");
    let mut problems = answers_first("experiment.html", &layout, experiment.outcomes.len());
    problems.extend(overlaps("experiment.html", &layout, 4));
    assert_none(&problems);
}
