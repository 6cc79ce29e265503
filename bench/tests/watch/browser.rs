//! Headless Chromium for the watch page's tests, and reading the page's counters.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

use eventlab_schema::Service;
use serde_json::{Value, json};

use crate::common::Stopped;

/// Headless Chromium driven over the `DevTools` protocol on a pipe (`--remote-debugging-pipe`:
/// JSON messages separated by NUL on file descriptors 3 and 4), so no port is opened.
pub struct Browser {
    _process: Stopped,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    next_id: u64,
    session: Option<String>,
}

impl Browser {
    pub fn launch() -> Self {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
        // The DevTools pipe is fds 3 (in) and 4 (out): the shell maps our stdin and stdout
        // there. --no-sandbox: the tests may run as root, where Chromium's sandbox refuses
        // to start; the page is the test's own, on 127.0.0.1.
        let script = format!(
            "exec {chromium} --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
             --window-size=1400,1150 --remote-debugging-pipe about:blank 3<&0 4>&1 1>/dev/null 2>/dev/null"
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting chromium (make test installs it)");
        let to = child.stdin.take().unwrap();
        let from = BufReader::new(child.stdout.take().unwrap());
        Self {
            _process: Stopped(child),
            to,
            from,
            next_id: 0,
            session: None,
        }
    }

    /// Sends one command and waits for its answer, skipping the events in between.
    fn call(&mut self, method: &str, params: &Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        self.to.flush().unwrap();
        loop {
            let mut raw = Vec::new();
            let read = self.from.read_until(0, &mut raw).unwrap();
            assert!(read > 0, "chromium closed the DevTools pipe during {method}");
            raw.pop();
            let answer: Value = serde_json::from_slice(&raw).unwrap();
            if answer["id"] == json!(id) {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    pub fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", &json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            &json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
    }

    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            &json!({"expression": expression, "returnByValue": true}),
        );
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    pub fn screenshot(&mut self, path: &Path) {
        use base64::Engine as _;
        let shot = self.call("Page.captureScreenshot", &json!({"format": "png"}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}

/// Every lane card's counters, as the page shows them (`data-value` of each field).
pub const READ_COUNTERS: &str = r#"JSON.stringify(Object.fromEntries(
  [...document.querySelectorAll("[data-lane]")].map(lane => [lane.dataset.lane,
    Object.fromEntries([...lane.querySelectorAll("[data-field]")].map(f => [f.dataset.field, f.dataset.value]))])))"#;

pub fn counter(page: &Value, lane: Service, field: &str) -> u64 {
    page[lane.as_str()][field]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
