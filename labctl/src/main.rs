//! `labctl`: the learner's command line for a deployed lab (local or AWS).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use eventlab_client::api::Api;
use eventlab_client::learner::{self, Credentials};
use eventlab_client::stack::Stack;
use eventlab_client::{leftovers, results};
use eventlab_schema::api::GenerateRequest;
use eventlab_schema::{ResultRecord, RunId, Service};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// `terraform output -json` of the stack.
    #[arg(long, env = "EVENTLAB_OUTPUTS", default_value = ".state/local/outputs.json")]
    outputs: PathBuf,
    /// Where the learner's generated credentials are kept.
    #[arg(long, env = "EVENTLAB_CREDENTIALS", default_value = ".state/local/learner.json")]
    credentials: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the learner user (or reset its password) and store the credentials.
    Learner {
        #[arg(long, default_value = "learner")]
        username: String,
    },
    /// Print a fresh access token (JWT) for the API.
    Token,
    /// Print a ready-to-paste curl command with a fresh token.
    Curl {
        /// A service (eventbridge, sqs, kinesis, firehose) or `all`.
        #[arg(long, default_value = "all", value_parser = parse_route)]
        route: String,
    },
    /// Publish events through the API and show, per service, what reached S3.
    Smoke {
        /// A service (eventbridge, sqs, kinesis, firehose) or `all`.
        #[arg(long, default_value = "all", value_parser = parse_route)]
        route: String,
        #[arg(long, default_value_t = 5)]
        count: u32,
        /// Seconds to wait for every result.
        #[arg(long, default_value_t = 90)]
        timeout: u64,
    },
    /// Store the API Ninjas key in the stack's SSM SecureString (from `API_NINJAS_KEY`, or
    /// typed on standard input); the generator reads it at its next cold start.
    ApiKey,
    /// Exit non-zero if any resource of the stack still exists (run after destroy): every
    /// resource Terraform recorded, asked about by its own service, and what the stack's
    /// tags and log-group prefixes find beyond them.
    Leftovers {
        /// Look with the profile's own credentials, without assuming the stack's role: the
        /// base (e.g. management) account, which should never hold any of it.
        #[arg(long)]
        without_role: bool,
        /// `terraform show -json` of the stack as deployed; `scripts/stack.sh destroy` saves
        /// it before destroying. Default: `inventory.json` beside the outputs.
        #[arg(long)]
        inventory: Option<PathBuf>,
    },
}

fn parse_route(route: &str) -> Result<String, String> {
    if route == "all" || route.parse::<Service>().is_ok() {
        Ok(route.to_owned())
    } else {
        Err(format!(
            "{route:?} is not a route: use eventbridge, sqs, kinesis, firehose or all"
        ))
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let stack = Stack::load(&cli.outputs)?;
    match cli.command {
        Command::Learner { username } => {
            let account =
                eventlab_client::stack::check_account(&stack, &eventlab_client::stack::sdk_config(&stack).await)
                    .await?;
            println!("acting in account {account}");
            let credentials = learner::ensure(&stack, &cli.credentials, &username).await?;
            println!(
                "learner {:?} ready; credentials in {}",
                credentials.username,
                cli.credentials.display()
            );
        }
        Command::Token => println!("{}", token(&stack, &cli.credentials).await?),
        Command::Curl { route } => {
            let token = token(&stack, &cli.credentials).await?;
            println!(
                "curl -s -X POST '{}' \\\n  -H \"Authorization: Bearer {token}\" \\\n  -H 'content-type: application/json' \\\n  -d '{{\"count\": 3}}'",
                Api::new(&stack).url(&route)
            );
        }
        Command::Smoke { route, count, timeout } => smoke(&stack, &cli.credentials, &route, count, timeout).await?,
        Command::ApiKey => {
            let config = eventlab_client::stack::sdk_config(&stack).await;
            let account = eventlab_client::stack::check_account(&stack, &config).await?;
            let key = if let Ok(key) = std::env::var("API_NINJAS_KEY") {
                key
            } else {
                eprint!("API Ninjas key (input is read from standard input): ");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line
            };
            let name =
                eventlab_client::facts_key::store(&stack, &config, &eventlab_client::facts_key::normalise(&key)?)
                    .await?;
            println!(
                "stored the API key in {name} (SecureString, account {account}); the generator reads it at its next cold start"
            );
        }
        Command::Leftovers {
            without_role,
            inventory,
        } => {
            let inventory = inventory.unwrap_or_else(|| cli.outputs.with_file_name("inventory.json"));
            let resources = std::fs::read_to_string(&inventory)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "no record of what stack {:?} created at {} ({e}): `scripts/stack.sh destroy` (make destroy, make down) saves it before destroying",
                        stack.name_prefix,
                        inventory.display()
                    )
                })
                .and_then(|json| leftovers::inventory::resources(&json))?;
            let mut scope = stack.clone();
            if without_role {
                scope.assume_role_arn = None;
            }
            let config = eventlab_client::stack::sdk_config(&scope).await;
            eventlab_client::stack::require_credentials(&scope, &config).await?;
            let account = eventlab_client::stack::caller_account(&config).await?;
            let found = leftovers::find(&scope, &config, &account, &resources).await?;
            if !found.is_clean() {
                bail!("account {account}, stack {:?}: {found}", stack.name_prefix);
            }
            println!("account {account}, stack {:?}: {found}", stack.name_prefix);
        }
    }
    Ok(())
}

async fn token(stack: &Stack, credentials: &Path) -> Result<String> {
    learner::access_token(stack, &Credentials::load(credentials)?).await
}

async fn smoke(stack: &Stack, credentials: &Path, route: &str, count: u32, timeout: u64) -> Result<()> {
    // Before anything is published: without credentials the results could not be read.
    let config = eventlab_client::stack::sdk_config(stack).await;
    eventlab_client::stack::require_credentials(stack, &config).await?;
    let s3 = aws_sdk_s3::Client::new(&config);
    let token = token(stack, credentials).await?;
    let api = Api::new(stack);
    let request = GenerateRequest {
        count: Some(count),
        run_id: Some(RunId::generate()),
        size_bytes: None,
    };
    println!("POST {}  {}", api.url(route), serde_json::to_string(&request)?);
    let response = api.generate(route, &token, &request).await?;

    let mut samples = Vec::new();
    println!(
        "\n{:<12} {:>9} {:>8} {:>8} {:>11} {:>11} {:>11}",
        "service", "published", "results", "batches", "publish ms", "e2e p50 ms", "e2e max ms"
    );
    for lane in &response.lanes {
        let expected: HashSet<uuid::Uuid> = lane.events.iter().map(|e| e.event_id).collect();
        let records = results::wait_for_results(
            &s3,
            &stack.results_bucket,
            lane.service,
            &response.run_id,
            &expected,
            Duration::from_secs(timeout),
        )
        .await?;
        let batches: HashSet<&str> = records.iter().map(|r| r.request_id.as_str()).collect();
        let (p50, max) = median_and_max(&records);
        println!(
            "{:<12} {:>9} {:>8} {:>8} {:>11.1} {:>11.1} {:>11.1}",
            lane.service.as_str(),
            lane.events.len(),
            records.len(),
            batches.len(),
            lane.publish_ms,
            p50,
            max
        );
        samples.extend(records.into_iter().next());
    }
    if stack.backend().is_emulator() {
        println!("\n(local emulator: latencies are the emulator's, not AWS's)");
    }
    println!(
        "\nOne result per service, as the transformers wrote it to s3://{}:",
        stack.results_bucket
    );
    for sample in samples {
        println!("{}", serde_json::to_string(&sample)?);
    }
    Ok(())
}

fn median_and_max(records: &[ResultRecord]) -> (f64, f64) {
    let mut latencies: Vec<f64> = records.iter().map(|r| r.e2e_ms).collect();
    latencies.sort_by(f64::total_cmp);
    let median = latencies.get(latencies.len() / 2).copied().unwrap_or(f64::NAN);
    (median, latencies.last().copied().unwrap_or(f64::NAN))
}
