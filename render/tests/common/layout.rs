//! Measuring a page the lab wrote, laid out by headless Chromium at 1400 × 900: every
//! chart's text labels (none may intersect) and the answer block (it must be on the first
//! screen). Shared by the render crate's page tests (pages from fixtures) and the stack
//! tests (pages a real run just wrote).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// Runs in the page once it has loaded: measures the answer block before anything is
/// unfolded, then opens every `<details>` and measures every chart's text labels.
const MEASURE: &str = r"<script>
(() => {
  const out = { charts: [], answer: null, notAws: null };
  const answer = document.getElementById('answer');
  if (answer) {
    const r = answer.getBoundingClientRect();
    out.answer = { top: r.top, bottom: r.bottom,
      findings: answer.querySelectorAll('#findings li').length,
      rows: answer.querySelectorAll('tbody tr').length };
  }
  const where = document.querySelector('.where');
  if (where) out.notAws = { bottom: where.getBoundingClientRect().bottom, text: where.textContent };
  for (const d of document.querySelectorAll('details')) d.open = true;
  const svgs = [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
  svgs.forEach((svg, i) => {
    const label = svg.closest('figure')?.getAttribute('aria-label') || ('svg ' + i);
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '');
    const boxes = texts.map(t => t.getBoundingClientRect());
    const overlaps = [];
    for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
      const p = boxes[a], q = boxes[b];
      const wide = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const high = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (wide > 1 && high > 1) overlaps.push([texts[a].textContent, texts[b].textContent]);
    }
    out.charts.push({ label, texts: texts.length, overlaps });
  });
  const pre = document.createElement('pre');
  pre.id = 'layout-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>";

#[derive(Debug, Deserialize)]
pub struct Layout {
    pub charts: Vec<ChartLayout>,
    pub answer: Option<Answer>,
    #[serde(rename = "notAws")]
    pub not_aws: Option<Where>,
}

#[derive(Debug, Deserialize)]
pub struct ChartLayout {
    label: String,
    texts: usize,
    overlaps: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    top: f64,
    bottom: f64,
    findings: usize,
    rows: usize,
}

#[derive(Debug, Deserialize)]
pub struct Where {
    pub bottom: f64,
    pub text: String,
}

pub const FIRST_SCREEN: f64 = 900.0;

/// A folder of its own under the system's temporary folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Unique per process and call: tests measuring pages at once get a folder each.
    pub fn new(name: &str) -> Self {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("eventlab-browser-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Measures `page` in `dir` (its files beside it): a copy with the measuring script is
/// opened, then removed.
pub fn measure_in(dir: &Path, page: &str) -> Layout {
    let html = std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
    let copy = dir.join(format!(".measured-{page}"));
    std::fs::write(&copy, html.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    let profile = Scratch::new("profile");
    let output = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .args(["--window-size=1400,900", "--virtual-time-budget=2000"])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("headless Chromium runs (make chromium installs it)");
    let _ = std::fs::remove_file(&copy);
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<pre id=\"layout-check\">").unwrap_or_else(|| {
        panic!(
            "{page}: the measuring script left nothing:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let json = &dom[start + "<pre id=\"layout-check\">".len()..];
    let json = &json[..json.find("</pre>").unwrap()];
    let json = json.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{page}: {e}: {json}"))
}

/// Every chart drew labels, and none of them collide: what does not hold, one line each.
pub fn overlaps(page: &str, layout: &Layout, charts: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if layout.charts.len() < charts {
        problems.push(format!("{page}: {} charts, expected {charts}", layout.charts.len()));
    }
    for chart in &layout.charts {
        if chart.texts == 0 {
            problems.push(format!("{page}: chart {:?} has no text to read", chart.label));
        }
        for (a, b) in &chart.overlaps {
            problems.push(format!("{page} / {}: {:?} over {:?}", chart.label, a.trim(), b.trim()));
        }
    }
    problems
}

/// The answer block is on the first screen, with its rows and 3–6 findings.
pub fn answers_first(page: &str, layout: &Layout, rows: usize) -> Vec<String> {
    let Some(answer) = &layout.answer else {
        return vec![format!("{page}: no #answer block")];
    };
    let mut problems = Vec::new();
    if answer.top >= FIRST_SCREEN || answer.bottom > FIRST_SCREEN {
        problems.push(format!(
            "{page}: the answer spans {:.0}–{:.0} px, the first screen is {FIRST_SCREEN} px",
            answer.top, answer.bottom
        ));
    }
    if answer.rows != rows {
        problems.push(format!("{page}: {} rows in the answer, expected {rows}", answer.rows));
    }
    if !(3..=6).contains(&answer.findings) {
        problems.push(format!("{page}: {} findings, expected 3 to 6", answer.findings));
    }
    problems
}

pub fn assert_none(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
