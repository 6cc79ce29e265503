//! A transformer's event source mapping: its batch size and batching window, read and set
//! through the Lambda API (waiting until the mapping is enabled again). Used by `sweep`,
//! which tries settings in turn, and `tune`, which follows demand.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use eventlab_measure::tune::Knobs;

/// The Lambda client the mappings are read and changed with.
#[derive(Debug, Clone)]
pub struct Mappings {
    lambda: aws_sdk_lambda::Client,
}

impl Mappings {
    pub fn new(lambda: aws_sdk_lambda::Client) -> Self {
        Self { lambda }
    }

    /// The mapping that feeds `function`: its UUID and settings.
    pub async fn get(&self, function: &str) -> Result<(String, Knobs)> {
        let listed = self
            .lambda
            .list_event_source_mappings()
            .function_name(function)
            .send()
            .await
            .with_context(|| format!("listing the event source mappings of {function}"))?;
        let mapping = listed
            .event_source_mappings()
            .first()
            .with_context(|| format!("{function} has no event source mapping"))?;
        let knobs = Knobs {
            batch: mapping.batch_size().and_then(|b| u32::try_from(b).ok()).unwrap_or(10),
            window_s: mapping
                .maximum_batching_window_in_seconds()
                .and_then(|w| u32::try_from(w).ok())
                .unwrap_or(0),
        };
        Ok((mapping.uuid().context("a mapping without a UUID")?.to_owned(), knobs))
    }

    /// Sets the mapping `uuid` to `knobs` and waits until it is enabled again.
    pub async fn set(&self, uuid: &str, knobs: Knobs) -> Result<()> {
        let batch = i32::try_from(knobs.batch).context("batch size")?;
        let window = i32::try_from(knobs.window_s).context("batching window")?;
        self.lambda
            .update_event_source_mapping()
            .uuid(uuid)
            .batch_size(batch)
            .maximum_batching_window_in_seconds(window)
            .send()
            .await
            .with_context(|| format!("setting mapping {uuid} to batch {batch}, window {window} s"))?;
        for _ in 0..120 {
            let state = self.lambda.get_event_source_mapping().uuid(uuid).send().await?;
            if state.state() == Some("Enabled") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        bail!("event source mapping {uuid} did not return to Enabled")
    }
}
