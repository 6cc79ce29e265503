//! `labctl`: the learner's command line for a deployed lab (local or AWS).

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use eventlab_schema::{RunId, Service};
use labctl::learner::{self, Credentials};
use labctl::stack::Stack;
use labctl::{leftovers, results};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// `terraform output -json` of the stack.
    #[arg(
        long,
        env = "EVENTLAB_OUTPUTS",
        default_value = ".state/local/outputs.json"
    )]
    outputs: PathBuf,
    /// Where the learner's generated credentials are kept.
    #[arg(
        long,
        env = "EVENTLAB_CREDENTIALS",
        default_value = ".state/local/learner.json"
    )]
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
        #[arg(long, default_value = "sqs")]
        service: Service,
    },
    /// Publish events through the API and show their results from S3.
    Smoke {
        #[arg(long, default_value = "sqs")]
        service: Service,
        #[arg(long, default_value_t = 5)]
        count: u32,
        /// Seconds to wait for every result.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Exit non-zero if any resource of the stack still exists (run after destroy).
    Leftovers,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let stack = Stack::load(&cli.outputs)?;
    match cli.command {
        Command::Learner { username } => {
            let credentials = learner::ensure(&stack, &cli.credentials, &username).await?;
            println!(
                "learner {:?} ready; credentials in {}",
                credentials.username,
                cli.credentials.display()
            );
        }
        Command::Token => println!("{}", token(&stack, &cli.credentials).await?),
        Command::Curl { service } => {
            let token = token(&stack, &cli.credentials).await?;
            println!(
                "curl -s -X POST '{}' \\\n  -H \"Authorization: Bearer {token}\" \\\n  -H 'content-type: application/json' \\\n  -d '{{\"count\": 3}}'",
                stack.route_url(service)
            );
        }
        Command::Smoke {
            service,
            count,
            timeout,
        } => smoke(&stack, &cli.credentials, service, count, timeout).await?,
        Command::Leftovers => {
            let left = leftovers::find(&stack).await?;
            if !left.is_empty() {
                bail!("the stack is not fully destroyed:\n  {}", left.join("\n  "));
            }
            println!("nothing of stack {:?} is left", stack.name_prefix);
        }
    }
    Ok(())
}

async fn token(stack: &Stack, credentials: &std::path::Path) -> Result<String> {
    learner::access_token(stack, &Credentials::load(credentials)?).await
}

async fn smoke(
    stack: &Stack,
    credentials: &std::path::Path,
    service: Service,
    count: u32,
    timeout: u64,
) -> Result<()> {
    let token = token(stack, credentials).await?;
    let run_id = RunId::generate();
    let url = stack.route_url(service);
    println!("POST {url}  (count {count}, run {run_id})");
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({ "count": count, "run_id": run_id }))
        .send()
        .await
        .with_context(|| format!("calling {url}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.context("reading the API's answer")?;
    println!("{status}  {}", serde_json::to_string(&body)?);
    if !status.is_success() {
        bail!("the API answered {status}");
    }
    let expected: HashSet<uuid::Uuid> = body["events"]
        .as_array()
        .context("the answer lists no events")?
        .iter()
        .filter_map(|e| e["event_id"].as_str()?.parse().ok())
        .collect();

    let s3 = aws_sdk_s3::Client::new(&stack.sdk_config().await);
    let records = results::wait_for_results(
        &s3,
        &stack.results_bucket,
        service,
        &run_id,
        &expected,
        Duration::from_secs(timeout),
    )
    .await?;
    println!(
        "\n{} results in s3://{}/{}:",
        records.len(),
        stack.results_bucket,
        results::results_prefix(service, &run_id)
    );
    for record in &records {
        println!("{}", serde_json::to_string(record)?);
    }
    Ok(())
}
