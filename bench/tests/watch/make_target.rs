//! The README's `make watch` targets, run as a learner runs them.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::common::env_path;

/// A `make` target run from the repository root, as the README gives it, in a process
/// group of its own so that stopping it stops the watch `make` started, too.
pub struct MakeTarget {
    make: Child,
    stdout: BufReader<ChildStdout>,
}

impl MakeTarget {
    pub fn start(args: &[&str]) -> Self {
        use std::os::unix::process::CommandExt as _;
        let mut make = Command::new("make")
            .args(["-s", "--no-print-directory"])
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .env("EVENTLAB_OUTPUTS", env_path("EVENTLAB_OUTPUTS"))
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let stdout = BufReader::new(make.stdout.take().unwrap());
        Self { make, stdout }
    }

    pub fn line(&mut self) -> String {
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line).unwrap();
        assert!(read > 0, "the make target ended");
        line
    }
}

impl Drop for MakeTarget {
    fn drop(&mut self) {
        let group = format!("-{}", self.make.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.make.wait();
    }
}

/// Starts `make watch` on a free port; its URL.
pub fn start_watch() -> (MakeTarget, String) {
    let mut watch = MakeTarget::start(&["watch", "WATCH_PORT=0", "WATCH_ARGS=--poll-ms 500"]);
    let line = watch.line();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (watch, url)
}
