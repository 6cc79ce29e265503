//! Reading what the transformers wrote to the results bucket: listing and fetching here,
//! the format in `eventlab_schema::results`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use eventlab_schema::results::{Contents, results_location};
use eventlab_schema::{ErrorRecord, ResultRecord, RunId, Service};
use uuid::Uuid;

/// Everything in every object under `prefix` (and after `start_after`), read by the
/// bucket's one reader ([`Contents::read`]).
pub async fn read_prefix(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    start_after: Option<String>,
) -> Result<Contents> {
    let mut contents = Contents::default();
    let list = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_start_after(start_after);
    let mut pages = list.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(crate::sdk_error).context("listing results")?;
        for object in page.contents() {
            contents.absorb(read_object(s3, bucket, object.key().unwrap_or_default()).await?);
        }
    }
    Ok(contents)
}

/// One object's bytes.
pub async fn read_bytes(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Vec<u8>> {
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
        .with_context(|| format!("reading s3://{bucket}/{key}"))?;
    Ok(body.into_bytes().to_vec())
}

/// What one object holds, by shape: lines of another shape, or not JSON at all, are
/// counted and skipped (a Firehose object may also hold records its processor never
/// transformed, as in a failure drill on the emulator).
pub async fn read_object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Contents> {
    Ok(Contents::read(&read_bytes(s3, bucket, key).await?))
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
    let contents = read_prefix(s3, bucket, &prefix, start_after).await?;
    Ok(contents
        .results
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
        let errors = read_prefix(s3, bucket, &prefix, None).await?.rejected;
        if let Some(found) = errors.into_iter().find(&wanted) {
            return Ok(found);
        }
        if started.elapsed() > timeout {
            bail!("after {timeout:?}, no matching error record under s3://{bucket}/{prefix}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
