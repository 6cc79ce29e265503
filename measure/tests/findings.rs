//! The drill's and the cold-start page's findings, computed from real local runs
//! (`fixtures/drill-local.json`: a 60 s outage on the sqs and kinesis lanes; the cold starts
//! inside `fixtures/summary-local.json`), and from changed copies of them.

use eventlab_measure::coldstart::Report;
use eventlab_measure::drill::Drill;
use eventlab_measure::findings;
use eventlab_measure::summary::Summary;

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_drill_says_where_the_events_went_how_soon_lanes_recovered_and_how_hard_they_retried() {
    let drill: Drill = fixture("drill-local.json");
    let f = findings::drill(&drill);
    assert_eq!(f.len(), 4, "{f:#?}");
    assert!(
        f[0].contains("of 120 published on 2 lanes around a 61 s outage, 120 landed")
            && f[0].contains("0 are unaccounted"),
        "{}",
        f[0]
    );
    assert!(
        f[1].contains("kinesis balanced its books first (0.3 s later) and sqs last (26.6 s later)"),
        "{}",
        f[1]
    );
    assert!(
        f[2].contains("kinesis was offered its records most often, 2109 refusals for 60 events (35.1 per event)"),
        "{}",
        f[2]
    );
    assert!(f[3].contains("kinesis 1") && f[3].contains("sqs up to 3"), "{}", f[3]);
    assert!(f.iter().all(|s| s.contains("(measured on the local emulator)")));
}

#[test]
fn a_lane_still_behind_is_named() {
    let mut drill: Drill = fixture("drill-local.json");
    drill.lanes[0].balanced_at_s = None;
    drill.lanes[0].books.waiting = 4;
    let f = findings::drill(&drill);
    assert!(f[0].contains("4 are unaccounted"), "{}", f[0]);
    assert!(f[1].contains("sqs had not balanced by the end"), "{}", f[1]);
}

#[test]
fn cold_starts_compare_builds_only_where_both_were_measured() {
    let summary: Summary = fixture("summary-local.json");
    let mut report: Report = summary.coldstart.unwrap();
    let f = findings::coldstart(&report);
    assert!(
        f[0].contains(
            "from 4.7 ms (generator · local · ssm-per-request) to 10.5 ms (generator · local · lookup-at-init)"
        ),
        "{}",
        f[0]
    );
    assert!(
        f.iter().all(|s| !s.starts_with("Builds")),
        "no release build was measured: {f:#?}"
    );
    assert!(
        f.iter()
            .any(|s| s.starts_with("Generator strategies") && s.contains("ssm-per-request 4.7 ms INIT, 0.59 ms CPU"))
    );
    // Add a release build at half the CPU of each local one: the ratio is 2.
    let release: Vec<_> = report
        .rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row.subject.build = "release".into();
            row.warm_cpu = row.warm_cpu.map(|mut l| {
                l.p50 /= 2.0;
                l
            });
            row
        })
        .collect();
    report.rows.extend(release);
    let f = findings::coldstart(&report);
    let builds = f.iter().find(|s| s.starts_with("Builds")).expect("builds compared");
    assert!(
        builds.contains("2.00× the release builds' warm CPU per request (median of 7 functions"),
        "{builds}"
    );
}
