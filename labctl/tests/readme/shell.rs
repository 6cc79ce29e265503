//! Running a command as a learner would: a fresh shell, to its end or until it is ready.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
        // (CARGO_HOME and CARGO_INCREMENTAL are the shell's own: cargo sets neither for a
        // test, and a build under another CARGO_INCREMENTAL rebuilds the workspace's crates.)
        let shells_own = key == "CARGO_HOME" || key == "CARGO_INCREMENTAL";
        let cargo_set = key.starts_with("CARGO_") && !shells_own || key == "CARGO" || key == "RUST_TEST_THREADS";
        let make_set = key.starts_with("MAKE") || key == "MFLAGS";
        if !key.starts_with("AWS_") && !cargo_set && !make_set {
            shell.env(key, value);
        }
    }
    shell
}

/// Runs `command` to its end; its output (stdout and stderr, interleaved by lines read).
pub fn run(command: &str, within: Duration) -> Result<String, String> {
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
pub fn serve(command: &str, ready: &str, within: Duration) -> Result<(), String> {
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

pub fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
