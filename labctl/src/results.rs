//! Reading what the transformers wrote to the results bucket.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use eventlab_schema::{ErrorRecord, ResultRecord, RunId, Service};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Every JSON line of every object under `prefix`, parsed as `T`.
pub async fn read_jsonl<T: DeserializeOwned>(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<T>> {
    let mut records = Vec::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(crate::sdk_error).context("listing results")?;
        for object in page.contents() {
            let key = object.key().unwrap_or_default();
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
            for line in serde_json::Deserializer::from_slice(&body).into_iter::<T>() {
                records
                    .push(line.with_context(|| format!("parsing a line of s3://{bucket}/{key}"))?);
            }
        }
    }
    Ok(records)
}

/// `results/<service>/<run_id>/`
pub fn results_prefix(service: Service, run_id: &RunId) -> String {
    format!("results/{service}/{run_id}/")
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
    loop {
        let records: Vec<ResultRecord> =
            read_jsonl(s3, bucket, &results_prefix(service, run_id)).await?;
        let seen: HashSet<Uuid> = records.iter().map(|r| r.event.event_id).collect();
        if expected.is_subset(&seen) {
            return Ok(records);
        }
        if started.elapsed() > timeout {
            bail!(
                "after {:?}, {} of {} events of run {run_id} have results in s3://{bucket}/{}",
                timeout,
                expected.intersection(&seen).count(),
                expected.len(),
                results_prefix(service, run_id)
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls `errors/<service>/` until a record with `record_id` appears.
pub async fn wait_for_error(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    service: Service,
    record_id: &str,
    timeout: Duration,
) -> Result<ErrorRecord> {
    let started = Instant::now();
    loop {
        let errors: Vec<ErrorRecord> =
            read_jsonl(s3, bucket, &format!("errors/{service}/")).await?;
        if let Some(found) = errors.into_iter().find(|e| e.record_id == record_id) {
            return Ok(found);
        }
        if started.elapsed() > timeout {
            bail!(
                "after {timeout:?}, no error record for {record_id} under s3://{bucket}/errors/{service}/"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
