//! `sweep`: reruns each service under different batching settings and charts latency
//! against cost per million events — the trade-off batching makes, measured. Settings are
//! changed on the live stack (event source mappings, Firehose buffering) and restored.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use eventlab_schema::Service;
use serde::Serialize;

use crate::charts;
use crate::run::Drive;
use crate::session::{Session, new_bench_id};
use crate::summary::Environment;

/// One batching setting of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Setting {
    /// Event source mapping batch size and window (SQS, Kinesis).
    Mapping { batch_size: i32, window_secs: i32 },
    /// Firehose buffering hints.
    Buffering { size_mb: i32, interval_secs: i32 },
    /// Events per publish call (the consumer side cannot batch: EventBridge).
    PublishBatch { events: u32 },
}

impl Setting {
    fn label(self) -> String {
        match self {
            Self::Mapping {
                batch_size,
                window_secs,
            } => format!("batch {batch_size}, {window_secs} s"),
            Self::Buffering { size_mb, interval_secs } => format!("{size_mb} MB / {interval_secs} s"),
            Self::PublishBatch { events } => format!("{events} per publish call"),
        }
    }
}

/// The settings swept per service.
pub fn plan(service: Service) -> Vec<Setting> {
    use Setting::{Buffering, Mapping, PublishBatch};
    match service {
        // Push services have no consumer batching: what varies is the publish call.
        Service::EventBridge | Service::Sns => vec![PublishBatch { events: 1 }, PublishBatch { events: 10 }],
        // A FIFO mapping takes 10 at most and has no batching window.
        Service::SqsFifo => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 10,
                window_secs: 0,
            },
        ],
        Service::DynamoDb => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 0,
            },
        ],
        Service::Sqs => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 10,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 1,
            },
        ],
        Service::Kinesis => vec![
            Mapping {
                batch_size: 1,
                window_secs: 0,
            },
            Mapping {
                batch_size: 100,
                window_secs: 0,
            },
            Mapping {
                batch_size: 1000,
                window_secs: 1,
            },
        ],
        Service::Firehose => vec![
            Buffering {
                size_mb: 1,
                interval_secs: 0,
            },
            Buffering {
                size_mb: 1,
                interval_secs: 60,
            },
        ],
    }
}

/// One measured point.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub service: Service,
    pub setting: Setting,
    pub label: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cost_per_million_usd: f64,
    pub mean_batch: f64,
}

struct Knobs {
    lambda: aws_sdk_lambda::Client,
    firehose: aws_sdk_firehose::Client,
}

impl Knobs {
    async fn mapping(&self, function: &str) -> Result<(String, i32, i32)> {
        let listed = self
            .lambda
            .list_event_source_mappings()
            .function_name(function)
            .send()
            .await?;
        let mapping = listed
            .event_source_mappings()
            .first()
            .context("no event source mapping")?;
        Ok((
            mapping.uuid().context("a mapping without a UUID")?.to_owned(),
            mapping.batch_size().unwrap_or(10),
            mapping.maximum_batching_window_in_seconds().unwrap_or(0),
        ))
    }

    async fn set_mapping(&self, uuid: &str, batch_size: i32, window_secs: i32) -> Result<()> {
        let update = self.lambda.update_event_source_mapping().uuid(uuid);
        update
            .batch_size(batch_size)
            .maximum_batching_window_in_seconds(window_secs)
            .send()
            .await?;
        for _ in 0..120 {
            let state = self.lambda.get_event_source_mapping().uuid(uuid).send().await?;
            if state.state() == Some("Enabled") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        bail!("event source mapping {uuid} did not return to Enabled")
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
    let config = session.lab.stack.sdk_config().await;
    let knobs = Knobs {
        lambda: aws_sdk_lambda::Client::new(&config),
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
    write(&out.join(&bench_id), session.environment(), &points)
}

fn write(dir: &Path, environment: Environment, points: &[Point]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("sweep.json"), serde_json::to_string_pretty(points)?)?;
    let mut series: Vec<charts::Series> = Vec::new();
    for service in Service::ALL {
        let mine: Vec<_> = points
            .iter()
            .filter(|p| p.service == service && p.p50_ms.is_finite())
            .map(|p| (p.cost_per_million_usd, p.p50_ms, p.label.clone()))
            .collect();
        if !mine.is_empty() {
            series.push((service.to_string(), mine));
        }
    }
    let svg = charts::scatter(
        "Latency against cost, by batching setting",
        "USD per million events",
        "p50 end-to-end ms",
        &series,
        true,
    );
    std::fs::write(dir.join("sweep.svg"), &svg)?;
    let mut rows = String::new();
    for p in points {
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.2}</td><td>{:.4}</td></tr>",
            p.service, p.label, p.p50_ms, p.p99_ms, p.mean_batch, p.cost_per_million_usd
        );
    }
    let caveat = match environment {
        Environment::LocalEmulator => {
            "<p style=\"background:#fff4d6;padding:.6em\"><strong>Local emulator figures, not AWS figures.</strong> MiniStack ignores the SQS batching window and Firehose buffering, so those settings change nothing here.</p>"
        }
        Environment::Aws => "",
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>eventlab sweep</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:960px;margin:2em auto\"><h1>Batching sweep</h1>{caveat}{svg}\
         <table border=\"1\" cellpadding=\"4\"><tr><th>service</th><th>setting</th><th>p50 ms</th><th>p99 ms</th><th>mean batch</th><th>USD / 1M events</th></tr>{rows}</table></body></html>\n"
    );
    let path = dir.join("sweep.html");
    std::fs::write(&path, html)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_settings_within_aws_limits() {
        for service in Service::ALL {
            let settings = plan(service);
            assert!(settings.len() >= 2, "{service}");
            for setting in settings {
                if let Setting::Mapping {
                    batch_size,
                    window_secs,
                } = setting
                {
                    // SQS batches over 10 need a window of at least 1 s.
                    assert!(service != Service::Sqs || batch_size <= 10 || window_secs >= 1);
                    assert!((0..=300).contains(&window_secs));
                }
            }
        }
    }

    #[test]
    fn writes_a_chart_and_a_table() {
        let dir = std::env::temp_dir().join(format!("eventlab-sweep-{}", uuid::Uuid::now_v7()));
        let point = |label: &str, cost: f64, p50: f64| Point {
            service: Service::Sqs,
            setting: Setting::Mapping {
                batch_size: 10,
                window_secs: 0,
            },
            label: label.into(),
            p50_ms: p50,
            p99_ms: p50 * 2.0,
            cost_per_million_usd: cost,
            mean_batch: 5.0,
        };
        let html = write(
            &dir,
            Environment::LocalEmulator,
            &[point("batch 1", 2.0, 10.0), point("batch 10", 0.5, 40.0)],
        )
        .unwrap();
        let text = std::fs::read_to_string(html).unwrap();
        assert!(text.contains("batch 10") && text.contains("Local emulator figures"));
        assert!(
            std::fs::read_to_string(dir.join("sweep.svg"))
                .unwrap()
                .contains("batch 1")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
