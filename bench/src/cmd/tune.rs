//! `eventlab-bench tune`: batching that follows demand, towards a p99 target, on the lanes
//! whose consumers have batching knobs; `--restore` puts back what a killed run changed.

use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use eventlab_client::stack::{Stack, require_credentials, sdk_config};
use eventlab_schema::Service;

use super::StackArgs;
use crate::mappings::Mappings;
use crate::tune::{Originals, Plan};

#[derive(Debug, Args, Clone)]
pub struct TuneArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Delivery latency p99 to hold each lane under: `2s`, `750ms`, or seconds.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub target_p99: Duration,
    /// Lanes to tune: those whose consumer has a batch size and window.
    #[arg(long, value_delimiter = ',', default_value = "sqs,kinesis,sqs-fifo,dynamodb")]
    pub lanes: Vec<Service>,
    /// How often to decide: `20s`.
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    pub interval: Duration,
    /// Stop after this long (default: until Ctrl-C), restoring every lane's settings.
    #[arg(long = "for", value_parser = parse_duration)]
    pub run_for: Option<Duration>,
    /// Also serve the watch page on this port of 127.0.0.1 (0: any free port), each lane
    /// with its batching and the last decision. Run it instead of `watch`, not beside it.
    #[arg(long)]
    pub watch_port: Option<u16>,
    /// Only put back the settings a killed `tune` left changed.
    #[arg(long)]
    pub restore: bool,
}

/// `2s`, `750ms`, `1.5s` or a plain number of seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(Duration::from_secs_f64(value * scale)),
        _ => Err(format!("{text:?} is not a duration: write 2s, 750ms or 1.5")),
    }
}

/// Tunes (decisions as JSON lines on stdout), or only restores with `--restore`.
pub async fn run(args: &TuneArgs) -> Result<()> {
    let stack = Stack::load(&args.stack.outputs)?;
    let config = sdk_config(&stack).await;
    require_credentials(&stack, &config).await?;
    let originals = Originals::beside(&args.stack.outputs);
    if args.restore {
        let restored = originals
            .restore(&Mappings::new(aws_sdk_lambda::Client::new(&config)))
            .await?;
        println!(
            "{}",
            if restored.is_empty() {
                "nothing to restore".to_owned()
            } else {
                let names: Vec<&str> = restored.iter().map(|s| s.as_str()).collect();
                format!("restored: {}", names.join(", "))
            }
        );
        return Ok(());
    }
    if args.interval < Duration::from_secs(1) {
        bail!("--interval must be at least 1s: the watch it reads polls once a second");
    }
    let plan = Plan {
        lanes: args.lanes.clone(),
        target_p99: args.target_p99,
        interval: args.interval,
        run_for: args.run_for,
        watch_port: args.watch_port,
    };
    crate::tune::run(&stack, &originals, &plan, &mut std::io::stdout()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_learner_writes_them() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("750ms"), Ok(Duration::from_millis(750)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").unwrap_err().contains("write 2s"));
        assert!(parse_duration("0s").is_err());
    }
}
