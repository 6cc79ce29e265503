//! Driving a run: publish events to one service at a set rate and concurrency (through
//! the API like a learner's curl, or straight to the service with the generator's own
//! publishers), then collect every result from S3.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use eventlab_client::lab::Lab;
use eventlab_client::results::read_object;
use eventlab_measure::record::{Drive, Found, LaneRun, Sent, Via};
use eventlab_publish::events::build_events;
use eventlab_publish::{Encoded, Lane, Publish};
use eventlab_schema::api::GenerateRequest;
use eventlab_schema::results::results_location;
use eventlab_schema::{FactSource, ResultRecord, RunId, Service};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

/// How long one direct publish call may take, retries included (the generator's own bound
/// is its invocation's deadline).
const DIRECT_PUBLISH_TIMEOUT: Duration = Duration::from_secs(30);

fn bar(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} {msg:<10} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Publishes `drive.events` events to `service`, then waits for their results.
pub async fn run_lane(lab: &Lab, service: Service, run_id: RunId, drive: &Drive) -> Result<LaneRun> {
    if drive.events == 0 || drive.batch == 0 || drive.rate <= 0.0 || drive.concurrency == 0 {
        bail!("events, batch, rate and concurrency must all be positive");
    }
    let started_at = Utc::now();
    let calls = drive.events.div_ceil(drive.batch);
    // Each call at its time from the start: a steady rate, or the profile's phases in turn.
    let offsets = drive.call_offsets();
    let start = tokio::time::Instant::now();
    let progress = bar(u64::from(drive.events), "publish");
    progress.set_prefix(service.as_str());

    // Results are collected while publishing goes on, so an event's S3-visible time does not
    // include waiting for the rest of the run to be published.
    let (expected_tx, expected_rx) = tokio::sync::watch::channel(None);
    let publishing = async {
        let outcomes: Vec<Result<Vec<Sent>>> = futures_util::stream::iter(0..calls)
            .map(|call| {
                let at = start + Duration::from_secs_f64(offsets[call as usize]);
                let count = drive.batch.min(drive.events - call * drive.batch);
                let run_id = run_id.clone();
                let progress = progress.clone();
                async move {
                    tokio::time::sleep_until(at).await;
                    let sent = publish_call(lab, service, &run_id, drive, call, count).await;
                    progress.inc(u64::from(count));
                    sent
                }
            })
            .buffer_unordered(drive.concurrency)
            .collect()
            .await;
        progress.finish_and_clear();
        let mut sent = Vec::new();
        for outcome in outcomes {
            match outcome {
                Ok(events) => sent.extend(events),
                Err(err) => eprintln!("warning: {service}: a publish call failed: {err:#}"),
            }
        }
        expected_tx.send_replace(Some(sent.iter().map(|s: &Sent| s.event_id).collect::<HashSet<Uuid>>()));
        sent
    };
    let collecting = collect(
        lab,
        service,
        &run_id,
        expected_rx,
        started_at,
        Duration::from_secs(drive.timeout_secs),
    );
    let (sent, collected) = tokio::join!(publishing, collecting);
    let (found, objects) = collected?;
    let failed_to_publish = u64::from(drive.events) - sent.len() as u64;
    Ok(LaneRun {
        service,
        run_id,
        drive: drive.clone(),
        sent,
        failed_to_publish,
        calls: u64::from(calls),
        started_at,
        finished_at: Utc::now(),
        found,
        objects,
    })
}

/// One publish call of `count` events; every event it published, with the call's time.
async fn publish_call(
    lab: &Lab,
    service: Service,
    run_id: &RunId,
    drive: &Drive,
    call: u32,
    count: u32,
) -> Result<Vec<Sent>> {
    let base = u64::from(call) * u64::from(drive.batch);
    let started = Instant::now();
    let published: Vec<(Uuid, u32)> = match drive.via {
        Via::Api => {
            let request = GenerateRequest {
                count: Some(count),
                run_id: Some(run_id.clone()),
                size_bytes: drive.size_bytes,
            };
            let response = lab.api.generate(service.as_str(), &lab.token, &request).await?;
            response
                .published()
                .map(|(_, event)| (event.event_id, event.seq))
                .collect()
        }
        Via::Direct => publish_direct(lab, service, run_id, count, drive.size_bytes).await?,
    };
    let call_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(published
        .into_iter()
        .map(|(event_id, seq)| Sent {
            event_id,
            seq: base + u64::from(seq),
            call,
            call_ms,
        })
        .collect())
}

/// Publishes `count` fresh events of `run_id` straight to `service` with the generator's own
/// publishers; the (event id, seq) of each one the service accepted.
pub async fn publish_direct(
    lab: &Lab,
    service: Service,
    run_id: &RunId,
    count: u32,
    size_bytes: Option<usize>,
) -> Result<Vec<(Uuid, u32)>> {
    let mut events = build_events(
        service,
        count,
        run_id,
        "A fact from the bench.",
        FactSource::Fallback,
        "bench",
    );
    if let Some(size) = size_bytes {
        for event in &mut events {
            eventlab_publish::events::pad(event, size);
        }
    }
    let lane = Lane::plan(service, events.iter().map(Encoded::of).collect())?;
    let publish_by = tokio::time::Instant::now() + DIRECT_PUBLISH_TIMEOUT;
    let deliveries = lab.publishers.publish(&lane, &lab.targets, publish_by).await;
    Ok(events
        .iter()
        .zip(deliveries)
        .filter(|(_, d)| d.is_ok())
        .map(|(e, _)| (e.event_id, e.seq))
        .collect())
}

/// Polls the run's results from the start of publishing until every published event has
/// arrived, or `timeout` has passed since publishing ended.
async fn collect(
    lab: &Lab,
    service: Service,
    run_id: &RunId,
    expected: tokio::sync::watch::Receiver<Option<HashSet<Uuid>>>,
    started_at: DateTime<Utc>,
    timeout: Duration,
) -> Result<(Vec<Found>, u64)> {
    let progress = bar(0, "arrive");
    progress.set_prefix(service.as_str());
    let (prefix, start_after) = results_location(service, run_id, started_at - chrono::Duration::minutes(5));
    let mut objects: HashMap<String, Vec<ResultRecord>> = HashMap::new();
    let mut found = Vec::new();
    let mut deadline = None;
    loop {
        let listing = lab
            .s3
            .list_objects_v2()
            .bucket(&lab.stack.results_bucket)
            .prefix(&prefix)
            .set_start_after(start_after.clone())
            .into_paginator()
            .send()
            .collect::<Vec<_>>()
            .await;
        let now = Utc::now();
        for page in listing {
            let page = page.context("listing results")?;
            for object in page.contents() {
                let key = object.key().unwrap_or_default();
                if objects.contains_key(key) {
                    continue;
                }
                let records: Vec<ResultRecord> = read_object(&lab.s3, &lab.stack.results_bucket, key).await?.results;
                let ours: Vec<ResultRecord> = records.into_iter().filter(|r| &r.event.run_id == run_id).collect();
                for (line, record) in ours.iter().enumerate() {
                    found.push(Found {
                        record: record.clone(),
                        key: key.to_owned(),
                        line,
                        seen_at: now,
                    });
                }
                objects.insert(key.to_owned(), ours);
            }
        }
        if let Some(expected) = expected.borrow().as_ref() {
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + timeout);
            let arrived: HashSet<Uuid> = found
                .iter()
                .map(|f| f.record.event.event_id)
                .filter(|id| expected.contains(id))
                .collect();
            progress.set_length(expected.len() as u64);
            progress.set_position(arrived.len() as u64);
            if arrived.len() == expected.len() || Instant::now() > deadline {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    progress.finish_and_clear();
    let ours = objects.values().filter(|records| !records.is_empty()).count() as u64;
    Ok((found, ours))
}
