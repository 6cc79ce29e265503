//! Reading what the transformers wrote to the results bucket.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use eventlab_schema::{ErrorRecord, ResultRecord, RunId, Service};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Every JSON line of every object under `prefix` (and after `start_after`), parsed as `T`.
pub async fn read_jsonl<T: DeserializeOwned>(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    start_after: Option<String>,
) -> Result<Vec<T>> {
    let mut records = Vec::new();
    let list = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_start_after(start_after);
    let mut pages = list.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(crate::sdk_error).context("listing results")?;
        for object in page.contents() {
            records.extend(read_object(s3, bucket, object.key().unwrap_or_default()).await?);
        }
    }
    Ok(records)
}

/// Every JSON value of one object that is a `T`. Values of another shape are skipped: a
/// Firehose object may also hold records its processor never transformed (the emulator's
/// Firehose writes them among the results when the processor fails, as in a failure drill).
/// Text that is not JSON is an error.
pub async fn read_object<T: DeserializeOwned>(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Vec<T>> {
    let body = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(crate::sdk_error)
        .with_context(|| format!("reading s3://{bucket}/{key}"))?
        .body
        .collect()
        .await
        .with_context(|| format!("reading s3://{bucket}/{key}"))?
        .into_bytes();
    of_shape(&body).with_context(|| format!("parsing s3://{bucket}/{key}"))
}

/// The JSON values in `bytes` that are a `T`, in order.
pub fn of_shape<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<Vec<T>> {
    let mut found = Vec::new();
    for value in serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>() {
        if let Ok(item) = serde_json::from_value(value?) {
            found.push(item);
        }
    }
    Ok(found)
}

/// Where a run's results are: the lanes that write their own results keep each run under
/// `results/<service>/<run_id>/`; Firehose writes `results/firehose/<yyyy/MM/dd/HH>/…`, so
/// its run is found among the objects written since `since`.
pub fn results_location(service: Service, run_id: &RunId, since: DateTime<Utc>) -> (String, Option<String>) {
    match service {
        Service::Firehose => {
            let prefix = "results/firehose/".to_owned();
            let start_after = format!("{prefix}{}", since.format("%Y/%m/%d/%H/"));
            (prefix, Some(start_after))
        }
        _ => (format!("results/{service}/{run_id}/"), None),
    }
}

/// The results of one run.
pub async fn read_results(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    service: Service,
    run_id: &RunId,
    since: DateTime<Utc>,
) -> Result<Vec<ResultRecord>> {
    let (prefix, start_after) = results_location(service, run_id, since);
    let records: Vec<ResultRecord> = read_jsonl(s3, bucket, &prefix, start_after).await?;
    Ok(records
        .into_iter()
        .filter(|r| &r.event.run_id == run_id && r.event.service == service)
        .collect())
}

/// Polls until every expected event of the run has a result, or the timeout passes.
pub async fn wait_for_results(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    service: Service,
    run_id: &RunId,
    expected: &HashSet<Uuid>,
    timeout: Duration,
) -> Result<Vec<ResultRecord>> {
    let started = Instant::now();
    // An hour's margin for clocks and runs that started before this call.
    let since = Utc::now() - chrono::Duration::hours(1);
    loop {
        let records = read_results(s3, bucket, service, run_id, since).await?;
        let seen: HashSet<Uuid> = records.iter().map(|r| r.event.event_id).collect();
        if expected.is_subset(&seen) {
            return Ok(records);
        }
        if started.elapsed() > timeout {
            bail!(
                "after {timeout:?}, {} of {} {service} events of run {run_id} have results in s3://{bucket}/{}",
                expected.intersection(&seen).count(),
                expected.len(),
                results_location(service, run_id, since).0
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls `errors/<service>/rejected/` until a record matching `wanted` appears.
pub async fn wait_for_error(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    service: Service,
    wanted: impl Fn(&ErrorRecord) -> bool,
    timeout: Duration,
) -> Result<ErrorRecord> {
    let started = Instant::now();
    let prefix = format!("errors/{service}/rejected/");
    loop {
        let errors: Vec<ErrorRecord> = read_jsonl(s3, bucket, &prefix, None).await?;
        if let Some(found) = errors.into_iter().find(&wanted) {
            return Ok(found);
        }
        if started.elapsed() > timeout {
            bail!("after {timeout:?}, no matching error record under s3://{bucket}/{prefix}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_values_of_the_asked_shape_and_skips_the_others() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Point {
            x: i32,
        }
        let found: Vec<Point> = super::of_shape(b"{\"x\":1}\n{\"y\":2}{\"x\":3}\n").unwrap();
        assert_eq!(found, [Point { x: 1 }, Point { x: 3 }]);
        assert!(super::of_shape::<Point>(b"{\"x\":1}\nnot json").is_err());
    }
}
