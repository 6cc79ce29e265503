//! Every command the README shows, run as written, in a shell stripped of AWS variables,
//! on the stack `make test` gives it (`STACK=readme`, port 4597: the Makefile and the tools
//! read the stack from the environment, as a learner's shell reads `.state/local`), from the
//! first `make demo`, which brings that stack up, on.
//!
//! The test knows the README's commands by reading it: every line of a `sh` block (a
//! trailing `\` joins lines; `#` starts a comment) and every inline command (`make …`,
//! `target/debug/…`, `scripts/…`, `cargo …`, `curl …`). Each must be in [`COVERAGE`], which
//! says how it is proven: run here, run by the `make test` pipeline itself, run by the
//! AWS-path rehearsal, or not run, with the reason. A command the README gains and this list
//! lacks fails the test by name.

mod commands;
mod coverage;
mod shell;

use std::time::Duration;

use commands::readme_commands;
use coverage::{
    COVERAGE,
    Coverage::{Here, NotRun, Pipeline, Rehearsal, Serves},
    coverage,
};
use shell::{read, run, serve};

#[test]
fn every_readme_command_is_known_and_proven_somewhere() {
    let commands = readme_commands(&read("README.md"));
    assert!(commands.len() >= 30, "too few commands read: {commands:#?}");
    let unknown: Vec<&String> = commands.iter().filter(|c| coverage(c).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "the README shows commands no test runs; add each to COVERAGE in labctl/tests/readme/coverage.rs: {unknown:#?}"
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
