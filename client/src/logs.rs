//! Reading a function's CloudWatch Logs group: every event in a time window, all pages.
//! What the events mean (REPORT lines, log bytes) is `eventlab_measure::usage`'s.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use eventlab_measure::usage::LogEvent;

/// Every event of `group` stamped within `[from, to]`, all pages. A group that does not
/// exist yet (a function never invoked) has no events.
pub async fn read(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LogEvent>> {
    let mut events = Vec::new();
    let mut pages = logs
        .filter_log_events()
        .log_group_name(group)
        .start_time(from.timestamp_millis())
        .end_time(to.timestamp_millis())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError::is_resource_not_found_exception) =>
            {
                return Ok(Vec::new());
            }
            Err(err) => return Err(err).with_context(|| format!("reading the log group {group}")),
        };
        for event in page.events() {
            events.push(LogEvent {
                event_id: event.event_id().map(str::to_owned),
                timestamp_ms: event.timestamp().unwrap_or_default(),
                message: event.message().unwrap_or_default().to_owned(),
            });
        }
    }
    Ok(events)
}
