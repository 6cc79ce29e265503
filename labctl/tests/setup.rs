//! The set-up's own refusals: what a learner sees before a long step that cannot succeed.

use std::path::Path;
use std::process::{Command, Output};

fn check_disk(args: &[&str]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/check-disk.sh");
    Command::new(script).args(args).output().unwrap()
}

#[test]
fn a_step_that_needs_more_disk_than_is_free_is_refused_in_one_line_before_it_starts() {
    // More than any disk holds: refused, with what, how much, and where.
    let refused = check_disk(&["the first build", "1000000000", "target/debug"]);
    let said = String::from_utf8(refused.stderr).unwrap();
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("error: the first build needs about 9765")
            && said.contains("GiB more disk, and ")
            && said.contains(" GiB is free on /"),
        "{said}"
    );

    // Nothing more needed: it goes ahead, silently.
    let allowed = check_disk(&["the first build", "0", "target/debug"]);
    assert!(allowed.status.success(), "{}", String::from_utf8_lossy(&allowed.stderr));
    assert!(allowed.stdout.is_empty() && allowed.stderr.is_empty());
}

#[test]
fn what_the_named_folders_already_hold_counts_as_done() {
    // A folder holding 256 MiB, and a step that takes 128 MiB more than the disk has free
    // in all: with the folder counted as done, it needs 128 MiB less than is free. (The
    // margins stand for what the tests beside this one write or delete meanwhile; the
    // folder is on the checkout's own disk, under cargo's scratch folder for tests.)
    let held = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("eventlab-held-{}", std::process::id()));
    std::fs::create_dir_all(&held).unwrap();
    std::fs::write(held.join("built"), vec![1u8; 256 << 20]).unwrap();
    let df = Command::new("df")
        .args(["-Pm", "."])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let free: u64 = String::from_utf8(df.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    let full = (free + 128).to_string();

    let met = check_disk(&["a second build", &full, held.to_str().unwrap()]);
    let refused = check_disk(&["a first build", &full]);
    std::fs::remove_dir_all(&held).unwrap();
    assert!(met.status.success(), "{}", String::from_utf8_lossy(&met.stderr));
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
