//! One bench session against a deployed stack: run the lanes, summarise, write the report.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::Utc;
use eventlab_schema::{RunId, Service};

use crate::cost::DurationAssumptions;
use crate::pricing::PriceBook;
use crate::run::{Drive, Lab, LaneRun, run_lane};
use crate::summary::{Environment, LOCAL_CAVEATS, Summary, summarise};

#[derive(Debug)]
pub struct Session {
    pub lab: Lab,
    pub prices: PriceBook,
}

impl Session {
    pub async fn open(outputs: &Path, credentials: &Path) -> Result<Self> {
        let stack = labctl::stack::Stack::load(outputs)?;
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
        durations: DurationAssumptions,
    ) -> Result<(Summary, Vec<LaneRun>)> {
        let cap = self.lab.stack.max_events_per_request;
        if drive.via == crate::run::Via::Api && drive.batch > cap {
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
        let shards = self.lab.stack.kinesis_shard_count;
        let environment = self.environment();
        let summary = Summary {
            bench_id: bench_id.to_owned(),
            created_at: Utc::now(),
            environment,
            endpoint: self.lab.stack.endpoint(),
            caveats: match environment {
                Environment::LocalEmulator => LOCAL_CAVEATS.iter().map(|c| (*c).to_owned()).collect(),
                Environment::Aws => vec![
                    "Costs are list prices applied to the counts measured here; Lambda durations are assumptions."
                        .to_owned(),
                ],
            },
            drive: drive.clone(),
            kinesis_shards: shards,
            durations,
            prices_region: self.prices.region.clone(),
            lanes: lanes
                .iter()
                .map(|lane| summarise(lane, shards, &durations, &self.prices.prices))
                .collect(),
        };
        Ok((summary, lanes))
    }

    /// A full run: measure, then write `out/<bench_id>/`; returns the summary and `report.html`.
    pub async fn run(
        &self,
        services: &[Service],
        drive: &Drive,
        durations: DurationAssumptions,
        out: &Path,
    ) -> Result<(Summary, PathBuf)> {
        let bench_id = new_bench_id();
        let (summary, lanes) = self.measure(&bench_id, services, drive, durations).await?;
        let html = crate::report::write(&out.join(&bench_id), &summary, &lanes)?;
        Ok((summary, html))
    }
}

/// `bench-20261123T051500Z-1a2b`: sorts by time, unique enough for one machine.
pub fn new_bench_id() -> String {
    let suffix = &uuid::Uuid::now_v7().simple().to_string()[28..];
    format!("bench-{}-{suffix}", Utc::now().format("%Y%m%dT%H%M%SZ"))
}
