//! Every command the README shows, run as written, in a shell stripped of AWS variables,
//! against the test stack `make test` brings up (`STACK=test`: the Makefile and the tools
//! read the stack from the environment, as a learner's shell reads `.state/local`).
//!
//! The test knows the README's commands by reading it: every line of a `sh` block (a
//! trailing `\` joins lines; `#` starts a comment) and every inline command (`make …`,
//! `target/debug/…`, `scripts/…`, `cargo …`, `curl …`). Each must be in [`COVERAGE`], which
//! says how it is proven: run here, run by the `make test` pipeline itself, run by the
//! AWS-path rehearsal, or not run, with the reason. A command the README gains and this list
//! lacks fails the test by name.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a README command is proven to work as written.
#[derive(Debug, Clone, Copy)]
enum Coverage {
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

use Coverage::{Here, NotRun, Pipeline, Rehearsal, Serves};

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
const COVERAGE: &[(&str, Coverage)] = &[
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

/// The commands of a README: `sh` blocks line by line, then inline commands, each once, in
/// order of appearance.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut push = |command: String| {
        if !command.is_empty() && !commands.contains(&command) {
            commands.push(command);
        }
    };
    let mut fence: Option<String> = None;
    let mut pending = String::new();
    // Prose is read a paragraph at a time: a code span may wrap.
    let mut prose = String::new();
    for line in readme.lines() {
        if fence.is_none() && (line.trim().is_empty() || line.trim_start().starts_with("```")) {
            inline_commands(&prose).into_iter().for_each(&mut push);
            prose.clear();
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                None => Some(info.trim().to_owned()),
                Some(_) => None,
            };
            continue;
        }
        match fence.as_deref() {
            Some("sh") => {
                let code = strip_comment(line);
                // A comment may name a command too (`then `make bench` in another shell`).
                let comment = &line[code.len()..];
                let (code, continues) = match code.trim_end().strip_suffix('\\') {
                    Some(head) => (head.to_owned(), true),
                    None => (code.to_owned(), false),
                };
                pending.push_str(&code);
                pending.push(' ');
                if !continues {
                    push(collapse(&pending));
                    pending.clear();
                }
                inline_commands(comment).into_iter().for_each(&mut push);
            }
            Some(_) => {}
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    inline_commands(&prose).into_iter().for_each(&mut push);
    commands
}

/// The line without its `#` comment (a `#` after white space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double, mut previous) = (false, false, ' ');
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Code spans of a paragraph that are commands.
fn inline_commands(paragraph: &str) -> Vec<String> {
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(collapse)
        .filter(|span| {
            ["make ", "target/debug/", "cargo ", "curl "]
                .iter()
                .any(|start| span.starts_with(start))
                || span.starts_with("scripts/")
        })
        .collect()
}

fn coverage(command: &str) -> Option<Coverage> {
    COVERAGE
        .iter()
        .find(|(known, _)| *known == command)
        .map(|(_, how)| *how)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A shell as a learner opens one in the repository: no AWS variable, nothing cargo set for
/// this test, no make of ours around it (a sub-make would print "Entering directory" lines into
/// `$(make token)`); the stack it works on chosen the way the Makefile and the tools choose it.
fn fresh_shell(command: &str) -> Command {
    let mut shell = Command::new("bash");
    shell.arg("-c").arg(command).current_dir(repo());
    shell.env_clear();
    for (key, value) in std::env::vars() {
        let cargo_set =
            key.starts_with("CARGO_") && key != "CARGO_HOME" || key == "CARGO" || key == "RUST_TEST_THREADS";
        let make_set = key.starts_with("MAKE") || key == "MFLAGS";
        if !key.starts_with("AWS_") && !cargo_set && !make_set {
            shell.env(key, value);
        }
    }
    shell
}

/// Runs `command` to its end; its output (stdout and stderr, interleaved by lines read).
fn run(command: &str, within: Duration) -> Result<String, String> {
    let started = Instant::now();
    let output = fresh_shell(command)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("bash: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let took = started.elapsed();
    println!("  {:.0} s", took.as_secs_f64());
    if !output.status.success() {
        return Err(format!("{}:\n{}", output.status, tail(&text)));
    }
    if took > within {
        return Err(format!("took {took:?}, more than {within:?}"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Starts `command` in its own process group and waits for `ready` in its output; stops it.
fn serve(command: &str, ready: &str, within: Duration) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let mut child = fresh_shell(command)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("bash: {e}"))?;
    let group = Group(child.id());
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let deadline = Instant::now() + within;
    let mut seen = String::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(ready) => {
                drop(group);
                let _ = child.wait();
                return Ok(());
            }
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => break,
        }
    }
    drop(group);
    let status = child.wait();
    Err(format!("no {ready:?} within {within:?} ({status:?}):\n{}", tail(&seen)))
}

/// A process group, ended (TERM, then KILL) when dropped.
struct Group(u32);

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0);
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_readme_command_is_known_and_proven_somewhere() {
    let commands = readme_commands(&read("README.md"));
    assert!(commands.len() >= 30, "too few commands read: {commands:#?}");
    let unknown: Vec<&String> = commands.iter().filter(|c| coverage(c).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "the README shows commands no test runs; add each to COVERAGE in labctl/tests/readme.rs: {unknown:#?}"
    );
    let stale: Vec<&str> = COVERAGE
        .iter()
        .map(|(command, _)| *command)
        .filter(|command| !commands.iter().any(|c| c == command))
        .collect();
    assert!(
        stale.is_empty(),
        "COVERAGE lists commands the README no longer shows: {stale:#?}"
    );

    let (pipeline, rehearsal) = (read("scripts/test.sh"), read("scripts/rehearse-aws.sh"));
    for (command, how) in COVERAGE {
        match how {
            Pipeline(text) if *text != "scripts/test.sh" => {
                assert!(
                    pipeline.contains(text),
                    "{command:?}: scripts/test.sh does not run {text:?}"
                );
            }
            Rehearsal(text) => {
                assert!(
                    rehearsal.contains(text),
                    "{command:?}: the rehearsal does not run {text:?}"
                );
            }
            NotRun(why) => {
                assert!(why.len() > 20, "{command:?}: say why it is not run");
                println!("not run: {command} — {why}");
            }
            _ => {}
        }
    }
}

#[test]
fn commands_are_read_from_blocks_and_prose() {
    let readme = "Run `make demo` first, then `target/debug/labctl smoke\n--route sqs`.\n\
                  Not `labctl` alone.\n\
                  ```sh\n\
                  make watch    # a live page; then `make bench`\n\
                  curl -s \"$(make -s api-url)/sqs\" \\\n  -d '{\"a\": \"#1\"}'\n\
                  \n\
                  ```\n\
                  ```json\n\
                  {\"make\": 1}\n\
                  ```\n\
                  Again: `make demo`.\n";
    assert_eq!(
        readme_commands(readme),
        [
            "make demo",
            "target/debug/labctl smoke --route sqs",
            "make watch",
            "make bench",
            "curl -s \"$(make -s api-url)/sqs\" -d '{\"a\": \"#1\"}'",
        ]
    );
}

#[test]
#[ignore = "needs the test stack: `make test` brings one up, then runs the README's commands against it"]
fn every_readme_command_runs_as_written_in_a_fresh_shell() {
    let commands = readme_commands(&read("README.md"));
    let mut failures = Vec::new();
    for command in &commands {
        let outcome = match coverage(command) {
            Some(Here { within_s, check }) => {
                println!("$ {command}");
                run(command, Duration::from_secs(within_s)).and_then(|out| check(&out))
            }
            Some(Serves { within_s, ready }) => {
                println!("$ {command}   (until it prints {ready:?})");
                serve(command, ready, Duration::from_secs(within_s))
            }
            _ => continue,
        };
        if let Err(why) = outcome {
            println!("  FAILED: {why}");
            failures.push(format!("{command}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "README commands that failed as written:\n{}",
        failures.join("\n\n")
    );
}
