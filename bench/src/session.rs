//! One bench session against a deployed stack: run the lanes, summarise, write the report.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use eventlab_schema::{RunId, Service};

use eventlab_client::lab::Lab;
use eventlab_measure::pricing::PriceBook;
use eventlab_measure::record::{Drive, LaneRun, Via};
use eventlab_measure::usage::{self as lambda_logs, FunctionUsage};

use crate::run::run_lane;
use eventlab_measure::summary::{AWS_CAVEATS, Environment, LOCAL_CAVEATS, LaneUsage, StackFacts, Summary, summarise};

#[derive(Debug)]
pub struct Session {
    pub lab: Lab,
    pub prices: PriceBook,
}

impl Session {
    pub async fn open(outputs: &Path, credentials: &Path) -> Result<Self> {
        let stack = eventlab_client::stack::Stack::load(outputs)?;
        Ok(Self {
            lab: Lab::connect(stack, credentials).await?,
            prices: PriceBook::us_east_1(),
        })
    }

    pub fn environment(&self) -> Environment {
        if self.lab.stack.backend().is_emulator() {
            Environment::LocalEmulator
        } else {
            Environment::Aws
        }
    }

    /// Drives each service in turn (each alone, so they do not compete), then summarises.
    pub async fn measure(
        &self,
        bench_id: &str,
        services: &[Service],
        drive: &Drive,
    ) -> Result<(Summary, Vec<LaneRun>)> {
        let cap = self.lab.stack.max_events_per_request;
        if drive.via == eventlab_measure::record::Via::Api && drive.batch > cap {
            anyhow::bail!(
                "--batch {} is above this stack's max_events_per_request ({cap}): the API would answer 400; \
                 use --batch {cap} or less, or --via direct",
                drive.batch
            );
        }
        let mut lanes = Vec::new();
        for &service in services {
            let run_id: RunId = format!("{bench_id}-{service}").parse()?;
            lanes.push(run_lane(&self.lab, service, run_id, drive).await?);
        }
        let summary = self.summarise(bench_id, drive, &lanes).await;
        Ok((summary, lanes))
    }

    /// The summary of `lanes`, driven by `drive`: their functions' logs read, the failure
    /// queues counted, each lane's figures and cost.
    pub async fn summarise(&self, bench_id: &str, drive: &Drive, lanes: &[LaneRun]) -> Summary {
        let environment = self.environment();
        let mut usages = Vec::new();
        for lane in lanes {
            usages.push(self.lane_usage(lane).await.unwrap_or_else(|err| {
                eprintln!(
                    "warning: {}: could not read the functions' logs ({err:#}); Lambda figures stay assumed",
                    lane.service
                );
                LaneUsage::default()
            }));
        }
        let failure_queues =
            eventlab_client::queues::read(&self.lab.publishers.clients.sqs, &self.lab.stack.failure_queue_urls)
                .await
                .unwrap_or_else(|err| {
                    eprintln!("warning: could not read the failure queues ({err:#}); the report leaves them out");
                    Vec::new()
                });
        let stack = StackFacts {
            shards: self.lab.stack.kinesis_shard_count,
            retention_days: self.lab.stack.results_retention_days,
            batching: self.lab.stack.batching,
        };
        Summary {
            bench_id: bench_id.to_owned(),
            created_at: Utc::now(),
            environment,
            endpoint: self.lab.stack.endpoint(),
            caveats: match environment {
                Environment::LocalEmulator => LOCAL_CAVEATS,
                Environment::Aws => AWS_CAVEATS,
            }
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
            drive: drive.clone(),
            kinesis_shards: stack.shards,
            prices_region: self.prices.region.clone(),
            coldstart: None,
            failure_queues,
            lanes: lanes
                .iter()
                .zip(usages)
                .map(|(lane, usage)| summarise(lane, stack, usage, environment, &self.prices.prices))
                .collect(),
        }
    }

    /// What a lane's functions used, from their log groups: the transformer's REPORT lines
    /// for every invocation the results name, the generator's for every API request, and
    /// the API's access log. Logs reach CloudWatch a little after the invocation ends, so
    /// this waits (briefly on the emulator, up to 90 s on AWS) for the lines it expects.
    pub async fn lane_usage(&self, lane: &LaneRun) -> Result<LaneUsage> {
        let stack = &self.lab.stack;
        let patience = if self.environment() == Environment::Aws { 90 } else { 10 };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(patience);
        let transformer = stack
            .functions
            .get(&format!("transform-{}", lane.service))
            .cloned()
            .with_context(|| format!("the stack outputs name no transformer for {}", lane.service))?;
        let invoked: HashSet<String> = lane.found.iter().map(|f| f.record.request_id.clone()).collect();
        let cold: HashSet<String> = lane
            .found
            .iter()
            .filter(|f| f.record.cold_start)
            .map(|f| f.record.request_id.clone())
            .collect();
        let api = lane.drive.via == Via::Api;
        let generator = stack.functions.get("generator").cloned().filter(|_| api);
        let access_log_group = format!("/aws/vendedlogs/apigateway/{}-api", stack.name_prefix);
        loop {
            let to = Utc::now();
            let events = self
                .read_logs(&lambda_logs::log_group(&transformer), lane.started_at, to)
                .await?;
            let generator_events = match &generator {
                Some(function) => {
                    self.read_logs(&lambda_logs::log_group(function), lane.started_at, lane.finished_at)
                        .await?
                }
                None => Vec::new(),
            };
            let generator_reports = generator_events
                .iter()
                .filter(|e| lambda_logs::parse_report(&e.message).is_some())
                .count() as u64;
            let complete =
                FunctionUsage::has_reports_for(&events, &invoked) && (!api || generator_reports >= lane.calls);
            if complete || std::time::Instant::now() > deadline {
                let access_log_bytes_per_request = if api {
                    let access = self
                        .read_logs(&access_log_group, lane.started_at, lane.finished_at)
                        .await?;
                    #[allow(clippy::cast_precision_loss)]
                    let bytes = access
                        .iter()
                        .map(|e| e.message.len() as u64 + lambda_logs::LOG_EVENT_OVERHEAD_BYTES)
                        .sum::<u64>() as f64;
                    #[allow(clippy::cast_precision_loss)]
                    let per_request = (!access.is_empty()).then(|| bytes / lane.calls.max(1) as f64);
                    per_request
                } else {
                    None
                };
                return Ok(LaneUsage {
                    transformer: Some(FunctionUsage::of(&transformer, &events, &cold)),
                    generator: generator.map(|g| FunctionUsage::of(&g, &generator_events, &HashSet::new())),
                    access_log_bytes_per_request,
                });
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    async fn read_logs(
        &self,
        group: &str,
        from: chrono::DateTime<Utc>,
        to: chrono::DateTime<Utc>,
    ) -> Result<Vec<lambda_logs::LogEvent>> {
        eventlab_client::logs::read(&self.lab.logs, group, from, to).await
    }

    /// A full run: measure, then write `out/<bench_id>/`; returns the summary and `report.html`.
    /// Drives `services`, then (with `coldstart`) measures the lab's binaries' cold starts,
    /// and writes the report.
    pub async fn run(
        &self,
        services: &[Service],
        drive: &Drive,
        coldstart: Option<&crate::coldstart::Plan>,
        out: &Path,
    ) -> Result<(Summary, PathBuf)> {
        let bench_id = new_bench_id();
        let (mut summary, lanes) = self.measure(&bench_id, services, drive).await?;
        if let Some(plan) = coldstart {
            let progress = |label: &str| eprintln!("coldstart: {label}");
            summary.coldstart = Some(crate::coldstart::measure(&self.lab.stack, plan, progress).await?);
        }
        let dir = out.join(&bench_id);
        crate::cmd::write_files(&dir, &eventlab_render::report::files(&summary, &lanes)?)?;
        Ok((summary, dir.join("report.html")))
    }
}

/// `bench-20261123T051500Z-1a2b`: sorts by time, unique enough for one machine.
pub fn new_bench_id() -> String {
    let suffix = &uuid::Uuid::now_v7().simple().to_string()[28..];
    format!("bench-{}-{suffix}", Utc::now().format("%Y%m%dT%H%M%SZ"))
}
