//! `sweep`: reruns each service under different batching settings and charts latency
//! against cost per million events — the trade-off batching makes, measured. Settings are
//! changed on the live stack (event source mappings, Firehose buffering) and restored.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use eventlab_schema::Service;

use eventlab_measure::sweep::{Point, Setting, plan};

use crate::session::{Session, new_bench_id};
use eventlab_measure::record::Drive;

struct Knobs {
    mappings: crate::mappings::Mappings,
    firehose: aws_sdk_firehose::Client,
}

impl Knobs {
    async fn mapping(&self, function: &str) -> Result<(String, i32, i32)> {
        let (uuid, knobs) = self.mappings.get(function).await?;
        Ok((uuid, i32::try_from(knobs.batch)?, i32::try_from(knobs.window_s)?))
    }

    async fn set_mapping(&self, uuid: &str, batch_size: i32, window_secs: i32) -> Result<()> {
        let knobs = eventlab_measure::tune::Knobs {
            batch: u32::try_from(batch_size)?,
            window_s: u32::try_from(window_secs)?,
        };
        self.mappings.set(uuid, knobs).await
    }

    async fn buffering(&self, stream: &str) -> Result<(i32, i32)> {
        let described = self
            .firehose
            .describe_delivery_stream()
            .delivery_stream_name(stream)
            .send()
            .await?;
        let hints = described
            .delivery_stream_description()
            .and_then(|d| d.destinations().first())
            .and_then(|d| d.extended_s3_destination_description())
            .and_then(|d| d.buffering_hints());
        Ok((
            hints
                .and_then(aws_sdk_firehose::types::BufferingHints::size_in_mbs)
                .unwrap_or(1),
            hints
                .and_then(aws_sdk_firehose::types::BufferingHints::interval_in_seconds)
                .unwrap_or(0),
        ))
    }

    async fn set_buffering(&self, stream: &str, size_mb: i32, interval_secs: i32) -> Result<()> {
        use aws_sdk_firehose::types::{BufferingHints, ExtendedS3DestinationUpdate};
        let described = self
            .firehose
            .describe_delivery_stream()
            .delivery_stream_name(stream)
            .send()
            .await?;
        let description = described.delivery_stream_description().context("no description")?;
        let destination = description.destinations().first().context("no destination")?;
        let hints = BufferingHints::builder()
            .size_in_mbs(size_mb)
            .interval_in_seconds(interval_secs)
            .build();
        let update = self
            .firehose
            .update_destination()
            .delivery_stream_name(stream)
            .current_delivery_stream_version_id(description.version_id())
            .destination_id(destination.destination_id())
            .extended_s3_destination_update(ExtendedS3DestinationUpdate::builder().buffering_hints(hints).build());
        Box::pin(update.send()).await?;
        Ok(())
    }
}

/// Sweeps every service, restores its settings, writes `out/<id>-sweep/`; returns the HTML path.
pub async fn sweep(session: &Session, services: &[Service], drive: &Drive, out: &Path) -> Result<PathBuf> {
    let config = eventlab_client::stack::sdk_config(&session.lab.stack).await;
    let knobs = Knobs {
        mappings: crate::mappings::Mappings::new(aws_sdk_lambda::Client::new(&config)),
        firehose: aws_sdk_firehose::Client::new(&config),
    };
    let bench_id = format!("{}-sweep", new_bench_id());
    let mut points = Vec::new();
    for &service in services {
        let function = session
            .lab
            .stack
            .functions
            .get(&format!("transform-{service}"))
            .cloned()
            .unwrap_or_default();
        let stream = session.lab.stack.firehose_stream_name.clone();
        // What to restore afterwards.
        let original = match service {
            Service::Sqs | Service::Kinesis | Service::SqsFifo | Service::DynamoDb => {
                Some(knobs.mapping(&function).await?)
            }
            Service::Firehose => {
                let (size, interval) = knobs.buffering(&stream).await?;
                Some((String::new(), size, interval))
            }
            Service::EventBridge | Service::Sns => None,
        };
        let mut outcome = Ok(());
        for (n, setting) in plan(service).into_iter().enumerate() {
            let mut drive = drive.clone();
            match setting {
                Setting::Mapping {
                    batch_size,
                    window_secs,
                } => {
                    let uuid = &original.as_ref().expect("mappings have an original").0;
                    knobs.set_mapping(uuid, batch_size, window_secs).await?;
                }
                Setting::Buffering { size_mb, interval_secs } => {
                    Box::pin(knobs.set_buffering(&stream, size_mb, interval_secs)).await?;
                }
                Setting::PublishBatch { events } => drive.batch = events,
            }
            eprintln!("{service}: {}", setting.label());
            let id = format!("{bench_id}-{n}");
            match session.measure(&id, &[service], &drive).await {
                Ok((summary, _)) => {
                    let lane = &summary.lanes[0];
                    let latency = lane.end_to_end.or(lane.end_to_end_cold);
                    points.push(Point {
                        service,
                        setting,
                        label: setting.label(),
                        p50_ms: latency.map_or(f64::NAN, |l| l.p50),
                        p99_ms: latency.map_or(f64::NAN, |l| l.p99),
                        cost_per_million_usd: lane.cost_per_million_usd(),
                        mean_batch: lane.batching.mean_batch,
                    });
                }
                Err(err) => {
                    outcome = Err(err);
                    break;
                }
            }
        }
        match (service, &original) {
            (Service::Sqs | Service::Kinesis | Service::SqsFifo | Service::DynamoDb, Some((uuid, batch, window))) => {
                knobs.set_mapping(uuid, *batch, *window).await?;
            }
            (Service::Firehose, Some((_, size, interval))) => {
                Box::pin(knobs.set_buffering(&stream, *size, *interval)).await?;
            }
            _ => {}
        }
        outcome?;
    }
    let dir = out.join(&bench_id);
    crate::cmd::write_files(&dir, &eventlab_render::sweep::files(session.environment(), &points)?)?;
    Ok(dir.join("sweep.html"))
}
