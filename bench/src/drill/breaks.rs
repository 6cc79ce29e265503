//! Breaking a lane's consumer for a drill, and putting it back.
//!
//! The break is one environment variable on the lane's transformer
//! (`eventlab_schema::DRILL_BREAK_VARIABLE`): with it set, the function fails every
//! invocation. Changing a function's environment starts new execution environments on AWS
//! and on the emulator alike, so the break and its end reach every later invocation.
//!
//! Every break is written to a ledger file before it is made, and removed from it only once
//! undone, so an interrupted drill (Ctrl-C, a failed step, or a killed process followed by
//! `eventlab-bench drill --restore`) leaves nothing broken.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use aws_sdk_lambda::types::{Environment, LastUpdateStatus};
use chrono::{DateTime, Utc};
use eventlab_schema::DRILL_BREAK_VARIABLE;
use serde::{Deserialize, Serialize};

/// One consumer broken by a drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broken {
    pub function: String,
    pub drill: String,
    pub broken_at: DateTime<Utc>,
}

/// The breaks not yet undone, kept in a file beside the stack's outputs.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    /// `drill-breaks.json` in the folder of the stack's outputs (`.state/<stack>/`).
    pub fn beside(outputs: &Path) -> Self {
        Self {
            path: outputs
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("drill-breaks.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> Result<Vec<Broken>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("reading {}", self.path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(err) => Err(err).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    fn save(&self, entries: &[Broken]) -> Result<()> {
        if entries.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
                _ => Ok(()),
            };
        }
        // Written whole, then renamed: a reader never sees half a ledger.
        let partial = self.path.with_extension("json.partial");
        std::fs::write(&partial, serde_json::to_vec_pretty(entries)?)?;
        std::fs::rename(&partial, &self.path).with_context(|| format!("writing {}", self.path.display()))
    }

    fn add(&self, broken: Broken) -> Result<()> {
        let mut entries = self.entries()?;
        entries.retain(|e| e.function != broken.function);
        entries.push(broken);
        self.save(&entries)
    }

    fn remove(&self, function: &str) -> Result<()> {
        let mut entries = self.entries()?;
        entries.retain(|e| e.function != function);
        self.save(&entries)
    }
}

/// The function's environment variables now.
async fn variables(lambda: &aws_sdk_lambda::Client, function: &str) -> Result<HashMap<String, String>> {
    let config = lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .map_err(eventlab_client::sdk_error)
        .with_context(|| format!("reading the configuration of {function}"))?;
    Ok(config
        .environment()
        .and_then(|e| e.variables())
        .cloned()
        .unwrap_or_default())
}

/// The drill that has broken `function`, if one has.
pub async fn broken_by(lambda: &aws_sdk_lambda::Client, function: &str) -> Result<Option<String>> {
    Ok(variables(lambda, function).await?.remove(DRILL_BREAK_VARIABLE))
}

/// Sets the function's variables, retrying while an earlier update is still being applied,
/// then waits until this one is (AWS applies configuration changes asynchronously).
async fn set_variables(lambda: &aws_sdk_lambda::Client, function: &str, vars: HashMap<String, String>) -> Result<()> {
    let environment = Environment::builder().set_variables(Some(vars)).build();
    let mut attempt = 0;
    loop {
        let sent = lambda
            .update_function_configuration()
            .function_name(function)
            .environment(environment.clone())
            .send()
            .await;
        match sent {
            Ok(_) => break,
            Err(err)
                if attempt < 20
                    && err
                        .as_service_error()
                        .is_some_and(aws_sdk_lambda::operation::update_function_configuration::UpdateFunctionConfigurationError::is_resource_conflict_exception) =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => return Err(eventlab_client::sdk_error(err)).with_context(|| format!("updating {function}")),
        }
    }
    for _ in 0..120 {
        let config = lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .map_err(eventlab_client::sdk_error)?;
        match config.last_update_status() {
            Some(LastUpdateStatus::InProgress) => tokio::time::sleep(Duration::from_millis(500)).await,
            Some(LastUpdateStatus::Failed) => bail!(
                "{function}: the configuration update failed: {}",
                config.last_update_status_reason().unwrap_or("no reason given")
            ),
            _ => return Ok(()),
        }
    }
    bail!("{function}: the configuration update was still in progress after 60 s")
}

/// Breaks `function` for `drill`: written to the ledger first, so that it is undone even if
/// this process dies while the update is on its way.
pub async fn break_consumer(
    lambda: &aws_sdk_lambda::Client,
    ledger: &Ledger,
    function: &str,
    drill: &str,
) -> Result<()> {
    let mut vars = variables(lambda, function).await?;
    if let Some(other) = vars.get(DRILL_BREAK_VARIABLE) {
        bail!("{function} is already broken by drill {other}: run `eventlab-bench drill --restore` first");
    }
    ledger.add(Broken {
        function: function.to_owned(),
        drill: drill.to_owned(),
        broken_at: Utc::now(),
    })?;
    vars.insert(DRILL_BREAK_VARIABLE.to_owned(), drill.to_owned());
    set_variables(lambda, function, vars).await
}

/// Takes the break off `function`, keeping every other variable as it is now.
pub async fn restore_consumer(lambda: &aws_sdk_lambda::Client, ledger: &Ledger, function: &str) -> Result<()> {
    let mut vars = variables(lambda, function).await?;
    if vars.remove(DRILL_BREAK_VARIABLE).is_some() {
        set_variables(lambda, function, vars).await?;
    }
    ledger.remove(function)
}

/// Undoes every break in the ledger; the functions restored. Tries them all before failing.
pub async fn restore_all(lambda: &aws_sdk_lambda::Client, ledger: &Ledger) -> Result<Vec<String>> {
    let mut restored = Vec::new();
    let mut failures = Vec::new();
    for broken in ledger.entries()? {
        match restore_consumer(lambda, ledger, &broken.function).await {
            Ok(()) => restored.push(broken.function),
            Err(err) => failures.push(format!("{}: {err:#}", broken.function)),
        }
    }
    if failures.is_empty() {
        Ok(restored)
    } else {
        bail!(
            "could not restore {} (the ledger {} keeps them): {}",
            failures.len(),
            ledger.path().display(),
            failures.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_keeps_one_entry_per_function_and_disappears_when_empty() {
        let dir = std::env::temp_dir().join(format!("eventlab-ledger-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let ledger = Ledger::beside(&dir.join("outputs.json"));
        assert!(ledger.entries().unwrap().is_empty());
        let broken = |function: &str| Broken {
            function: function.into(),
            drill: "d".into(),
            broken_at: Utc::now(),
        };
        ledger.add(broken("a")).unwrap();
        ledger.add(broken("b")).unwrap();
        ledger.add(broken("a")).unwrap();
        let names: Vec<String> = ledger.entries().unwrap().into_iter().map(|e| e.function).collect();
        assert_eq!(names, ["b", "a"]);
        ledger.remove("a").unwrap();
        ledger.remove("b").unwrap();
        assert!(!ledger.path().exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
