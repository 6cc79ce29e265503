//! Every README command and how it is proven: run here (with what its output must show),
//! run by the `make test` pipeline, run by the AWS-path rehearsal, or not run, and why.

/// How a README command is proven to work as written.
#[derive(Debug, Clone, Copy)]
pub enum Coverage {
    /// Run by this test; it must exit 0 within the time, and `check` holds for its output.
    Here {
        within_s: u64,
        check: fn(&str) -> Result<(), String>,
    },
    /// Runs until stopped (a server, a live view): it must print `ready` within the time.
    Serves { within_s: u64, ready: &'static str },
    /// Run by `scripts/test.sh`, as this text (the pipeline running this test).
    Pipeline(&'static str),
    /// Run by the AWS-path rehearsal, `scripts/rehearse-aws.sh`, as this text.
    Rehearsal(&'static str),
    /// Not run by any test, and why.
    NotRun(&'static str),
}

pub use Coverage::{Here, NotRun, Pipeline, Rehearsal, Serves};

#[allow(clippy::unnecessary_wraps)] // every check has the same signature
fn exit_ok(_: &str) -> Result<(), String> {
    Ok(())
}

fn says(needle: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |out: &str| {
        if out.contains(needle) {
            Ok(())
        } else {
            Err(format!("its output lacks {needle:?}"))
        }
    }
}

fn a_jwt(out: &str) -> Result<(), String> {
    let token = out.trim();
    (token.split('.').count() == 3 && token.len() > 100 && !token.contains(' '))
        .then_some(())
        .ok_or_else(|| format!("not a JWT: {token:?}"))
}

fn a_curl(out: &str) -> Result<(), String> {
    (out.contains("curl ") && out.contains("Authorization: Bearer ey"))
        .then_some(())
        .ok_or_else(|| "not a curl with a token".to_owned())
}

fn three_sqs_events(out: &str) -> Result<(), String> {
    let body: serde_json::Value = serde_json::from_str(out).map_err(|e| format!("not JSON ({e}): {out}"))?;
    let lane = &body["lanes"][0];
    (body["run_id"] == "my-first-run"
        && body["requested"] == 3
        && lane["service"] == "sqs"
        && lane["events"].as_array().map(Vec::len) == Some(3)
        && lane["failures"].as_array().is_some_and(Vec::is_empty))
    .then_some(())
    .ok_or_else(|| format!("not 3 SQS events published: {out}"))
}

fn a_bench_report(out: &str) -> Result<(), String> {
    says("report.html")(out)
}

fn a_url(out: &str) -> Result<(), String> {
    out.trim()
        .starts_with("http")
        .then_some(())
        .ok_or_else(|| format!("not a URL: {out:?}"))
}

/// The README's claim: the generator Lambda links no chart, template, server, progress-bar,
/// histogram or argument-parsing crate.
fn a_lean_generator(out: &str) -> Result<(), String> {
    let linked: Vec<&str> = ["plotters", "askama", "axum", "indicatif", "hdrhistogram", "clap"]
        .into_iter()
        .filter(|name| out.lines().any(|line| line.contains(&format!(" {name} v"))))
        .collect();
    if !out.contains("eventlab-generator v") {
        return Err("no dependency tree".to_owned());
    }
    linked
        .is_empty()
        .then_some(())
        .ok_or_else(|| format!("the generator links {linked:?}"))
}

fn every_target(out: &str) -> Result<(), String> {
    [
        "make demo ",
        "make test ",
        "make deploy ",
        "make destroy ",
        "make api-url ",
    ]
    .iter()
    .try_for_each(|target| says(target)(out))
}

/// After the drills above, each restored on its own, nothing is left to restore.
fn nothing_to_restore(out: &str) -> Result<(), String> {
    says("nothing to restore")(out)
}

/// Every README command and how it is proven. Keys are the commands as the README writes
/// them (white space collapsed).
pub const COVERAGE: &[(&str, Coverage)] = &[
    // Set-up and the test suite: `make test` is this run; its steps run the rest.
    ("make test", Pipeline("scripts/test.sh")),
    (
        "make demo",
        Here {
            within_s: 900,
            check: a_bench_report,
        },
    ),
    ("make up", Pipeline("make --no-print-directory up")),
    ("make build", Pipeline("make --no-print-directory build")),
    // `make lint` is `make format` then `make clippy` (its recipe has no commands of its
    // own); the pipeline runs the quick one first and clippy in the background.
    ("make lint", Pipeline("make --no-print-directory clippy")),
    ("make format", Pipeline("make --no-print-directory format")),
    ("make scan", Pipeline("make --no-print-directory scan")),
    ("make unit", Pipeline("make --no-print-directory unit")),
    ("make down", Pipeline("make --no-print-directory down")),
    ("scripts/rehearse-aws.sh", Pipeline("scripts/rehearse-aws.sh")),
    ("scripts/", NotRun("a folder, named in the folder table")),
    (
        "cargo tree -p eventlab-generator -e normal",
        Here {
            within_s: 60,
            check: a_lean_generator,
        },
    ),
    // The local lab, as a learner drives it.
    (
        "make help",
        Here {
            within_s: 30,
            check: every_target,
        },
    ),
    (
        "make token",
        Here {
            within_s: 60,
            check: a_jwt,
        },
    ),
    (
        "make curl",
        Here {
            within_s: 60,
            check: a_curl,
        },
    ),
    (
        "make api-url",
        Here {
            within_s: 30,
            check: a_url,
        },
    ),
    (
        "curl -s -X POST \"$(make -s api-url)/sqs\" -H \"Authorization: Bearer $(make -s token)\" -H 'content-type: application/json' -d '{\"count\": 3, \"run_id\": \"my-first-run\"}'",
        Here {
            within_s: 60,
            check: three_sqs_events,
        },
    ),
    (
        "target/debug/labctl smoke --route kinesis --count 10",
        Here {
            within_s: 180,
            check: exit_ok,
        },
    ),
    (
        "make watch",
        Serves {
            within_s: 60,
            ready: "http://127.0.0.1:8077/",
        },
    ),
    (
        "make watch-tui",
        Serves {
            within_s: 60,
            ready: "eventbridge",
        },
    ),
    (
        "make watch-screenshot",
        NotRun(
            "it rewrites the tracked docs/watch.png; the watch's browser test takes the same page's screenshot into .state/test/",
        ),
    ),
    (
        "make tune",
        Serves {
            within_s: 90,
            ready: "\"reason\"",
        },
    ),
    (
        "make tune-experiment",
        NotRun(
            "its default load takes about 8 minutes; the experiment's stack test (bench/tests/tune.rs) runs the same subcommand with a 14 s profile and checks its report in headless Chromium",
        ),
    ),
    (
        "target/debug/eventlab-bench tune --restore",
        Here {
            within_s: 60,
            check: nothing_to_restore,
        },
    ),
    (
        "make report-screenshot",
        NotRun(
            "it rewrites the tracked docs/report.png; the report test on the stack measures the same page in headless Chromium",
        ),
    ),
    (
        "make bench",
        Here {
            within_s: 600,
            check: a_bench_report,
        },
    ),
    (
        "make bench BENCH_ARGS=\"--events 500 --rate 100\"",
        Here {
            within_s: 900,
            check: a_bench_report,
        },
    ),
    (
        "target/debug/eventlab-bench run --services sqs,kinesis --via direct --batch 50 --size-bytes 4096",
        Here {
            within_s: 600,
            check: a_bench_report,
        },
    ),
    (
        "make sweep",
        Here {
            within_s: 900,
            check: exit_ok,
        },
    ),
    (
        "make model",
        Here {
            within_s: 120,
            check: exit_ok,
        },
    ),
    (
        "make drill",
        Here {
            within_s: 900,
            check: exit_ok,
        },
    ),
    (
        "make drill DRILL_ARGS=\"--lanes sqs,kinesis --outage 20\"",
        Here {
            within_s: 900,
            check: exit_ok,
        },
    ),
    (
        "make redrive",
        Here {
            within_s: 300,
            check: exit_ok,
        },
    ),
    (
        "target/debug/eventlab-bench drill --restore",
        Here {
            within_s: 120,
            check: nothing_to_restore,
        },
    ),
    (
        "make criterion",
        NotRun(
            "a release build of the bench (~15 min on 2 cores); `cargo test --all-targets` runs each of its benches once",
        ),
    ),
    (
        "make coldstart",
        NotRun(
            "a host release build (~8 min on 2 cores); `make demo` above measures cold starts of the stack's build (--coldstart 3)",
        ),
    ),
    // The AWS path: rehearsed against a stand-in emulator, never against an account here.
    (
        "export TF_VAR_region=us-east-1",
        Rehearsal("export TF_VAR_region=us-east-1"),
    ),
    (
        "export TF_VAR_aws_profile=lab",
        Rehearsal("export TF_VAR_aws_profile=lab"),
    ),
    (
        "export TF_VAR_assume_role_arn=arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
        Rehearsal("export TF_VAR_assume_role_arn=arn:aws:iam::$role_account:role/OrganizationAccountAccessRole"),
    ),
    (
        "export TF_VAR_budget_email=you@example.com",
        Rehearsal("export TF_VAR_budget_email="),
    ),
    (
        "export TF_VAR_alarm_email=you@example.com",
        Rehearsal("export TF_VAR_alarm_email="),
    ),
    ("make deploy", Rehearsal("make --no-print-directory deploy")),
    ("make api-key-aws", Rehearsal("make --no-print-directory api-key-aws")),
    ("make curl-aws", Rehearsal("make --no-print-directory -s curl-aws")),
    ("make token-aws", Rehearsal("make --no-print-directory -s token-aws")),
    ("make bench-aws", Rehearsal("make --no-print-directory bench-aws")),
    ("make destroy", Rehearsal("make --no-print-directory destroy")),
];

pub fn coverage(command: &str) -> Option<Coverage> {
    COVERAGE
        .iter()
        .find(|(known, _)| *known == command)
        .map(|(_, how)| *how)
}
