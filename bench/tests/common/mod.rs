//! What the bench's stack tests share: where the test stack's files are, and a child
//! process that is stopped when the test ends. Each test binary uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Child;

/// A path `make test` exports (the stack's outputs, the learner's credentials), from the
/// workspace root.
pub fn env_path(name: &str) -> PathBuf {
    let path =
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| {
            panic!("{name} is not set: these tests need a deployed stack; run them with `make test`")
        }));
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A child process killed when the test ends, however it ends.
pub struct Stopped(pub Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
