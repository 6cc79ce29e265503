//! Cold starts and warm invocations of the lab's own Lambda binaries, measured by the lab.
//!
//! Each binary runs as a process of this machine under the Lambda Runtime API the bench
//! serves on 127.0.0.1 ([`crate::runtime_api`]), with the deployed function's environment,
//! against the running stack: the generator reads its targets and publishes for real, the
//! transformers write their results to the stack's bucket. Per process: INIT (exec → first
//! `next`) in wall time and CPU, then one first invocation and the warm ones, each in wall
//! time and CPU, and the peak RSS. CPU is the sum over the process's threads of the
//! kernel's scheduler time (`/proc/<pid>/task/*/schedstat`, nanoseconds); peak RSS is
//! `VmHWM`. These are host figures: Lambda's own INIT adds its sandbox and runtime start,
//! and its CPU share depends on the memory size.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

use chrono::Utc;
use eventlab_client::stack::Stack;
use eventlab_schema::RunId;
use eventlab_schema::switches::Strategy;
use serde_json::Value;

pub use eventlab_measure::coldstart::FUNCTIONS;
use eventlab_measure::coldstart::{Invocation, Process, Report, Subject, binary_of, row};

mod events;
mod host;

pub use events::{api_request, event_for};
use host::host_description;
pub use host::{cpu_ms, peak_rss_kib};

use crate::runtime_api::{Outcome, RuntimeApi};

/// How long a function may take to start or answer before the measurement fails.
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

/// What to measure and how much.
#[derive(Debug, Clone)]
pub struct Plan {
    pub subjects: Vec<Subject>,
    /// Processes started per subject.
    pub cold_starts: usize,
    /// Warm one-event invocations per process, after the first.
    pub warm: usize,
    /// Warm large invocations per process (100 events, or the function's batch limit).
    pub large: usize,
}

/// `label=folder` pairs into subjects: every listed function from each folder, and the
/// generator once per strategy.
pub fn subjects(builds: &[(String, PathBuf)], functions: &[String], strategies: &[Strategy]) -> Result<Vec<Subject>> {
    let mut subjects = Vec::new();
    for (build, folder) in builds {
        for function in functions {
            if !FUNCTIONS.contains(&function.as_str()) {
                bail!("unknown function {function:?}: one of {}", FUNCTIONS.join(", "));
            }
            let binary = folder.join(binary_of(function));
            if !binary.is_file() {
                bail!(
                    "{} is missing: build it first (`cargo build` for target/debug, `make coldstart` builds the release profile)",
                    binary.display()
                );
            }
            let per_strategy: Vec<Option<Strategy>> = if function == "generator" {
                strategies.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            for strategy in per_strategy {
                subjects.push(Subject {
                    function: function.clone(),
                    build: build.clone(),
                    binary: binary.clone(),
                    strategy,
                });
            }
        }
    }
    Ok(subjects)
}

/// Measures every subject of `plan` against `stack`, one process at a time.
pub async fn measure(stack: &Stack, plan: &Plan, progress: impl Fn(&str)) -> Result<Report> {
    let config = eventlab_client::stack::sdk_config(stack).await;
    eventlab_client::stack::require_credentials(stack, &config).await?;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let credentials = child_credentials(&config).await?;
    let mut environments = BTreeMap::new();
    for function in FUNCTIONS {
        environments.insert(function, deployed_environment(&lambda, stack, function).await?);
    }
    let mut rows = Vec::new();
    for subject in &plan.subjects {
        progress(&subject.label());
        let mut env = environments
            .get(subject.function.as_str())
            .cloned()
            .context("a lab function")?;
        env.extend(credentials.iter().cloned());
        if let Some(strategy) = subject.strategy {
            env.extend(strategy_environment(stack, strategy));
        }
        let mut processes = Vec::new();
        for _ in 0..plan.cold_starts {
            processes.push(one_process(stack, subject, &env, plan).await?);
        }
        rows.push(row(subject, &processes, large_events(stack, &subject.function)));
    }
    Ok(Report {
        created_at: Utc::now(),
        endpoint: stack.endpoint_url.clone(),
        host: host_description(),
        cold_starts: plan.cold_starts,
        warm: plan.warm,
        rows,
    })
}

/// The deployed function's own variables, plus what the Lambda service sets for a runtime.
async fn deployed_environment(
    lambda: &aws_sdk_lambda::Client,
    stack: &Stack,
    function: &str,
) -> Result<Vec<(String, String)>> {
    let name = stack
        .functions
        .get(function)
        .with_context(|| format!("the stack's outputs name no function {function}"))?;
    let configuration = lambda
        .get_function_configuration()
        .function_name(name)
        .send()
        .await
        .with_context(|| format!("reading {name}'s configuration"))?;
    let mut env: Vec<(String, String)> = configuration
        .environment()
        .and_then(|e| e.variables())
        .map(|vars| vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let memory = configuration.memory_size().unwrap_or(128).to_string();
    env.extend([
        ("AWS_LAMBDA_FUNCTION_NAME".to_owned(), name.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(), memory),
        ("AWS_LAMBDA_FUNCTION_VERSION".to_owned(), "$LATEST".to_owned()),
        ("AWS_LAMBDA_LOG_GROUP_NAME".to_owned(), format!("/aws/lambda/{name}")),
        ("AWS_LAMBDA_LOG_STREAM_NAME".to_owned(), "coldstart".to_owned()),
        ("AWS_REGION".to_owned(), stack.region.clone()),
    ]);
    // The emulator passes its endpoint to the functions it runs; so does this harness.
    if let Some(endpoint) = &stack.endpoint_url {
        env.push(("AWS_ENDPOINT_URL".to_owned(), endpoint.clone()));
    }
    Ok(env)
}

/// The caller's credentials, as a Lambda's environment carries its role's.
async fn child_credentials(config: &aws_config::SdkConfig) -> Result<Vec<(String, String)>> {
    use aws_credential_types::provider::ProvideCredentials;
    let provider = config.credentials_provider().context("no credentials configured")?;
    let credentials = provider.provide_credentials().await?;
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID".to_owned(), credentials.access_key_id().to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            credentials.secret_access_key().to_owned(),
        ),
    ];
    if let Some(token) = credentials.session_token() {
        env.push(("AWS_SESSION_TOKEN".to_owned(), token.to_owned()));
    }
    Ok(env)
}

/// What the generator needs for `strategy` beyond its deployed environment.
fn strategy_environment(stack: &Stack, strategy: Strategy) -> Vec<(String, String)> {
    let mut env = vec![(
        eventlab_schema::switches::TARGETS_FROM.to_owned(),
        strategy.as_str().to_owned(),
    )];
    if strategy == Strategy::LookupAtInit {
        let queue_name = |url: &'_ str| url.rsplit('/').next().unwrap_or_default().to_owned();
        let names = [
            stack.eventbridge_bus_name.clone(),
            queue_name(&stack.sqs_queue_url),
            stack.kinesis_stream_name.clone(),
            stack.firehose_stream_name.clone(),
            stack.sns_topic_arn.clone(),
            queue_name(&stack.sqs_fifo_queue_url),
            stack.dynamodb_table_name.clone(),
        ];
        for (key, name) in eventlab_schema::switches::LOOKUP_NAMES.iter().zip(names) {
            env.push(((*key).to_owned(), name));
        }
    }
    env
}

/// Events in one large invocation of `function`: 100, or what its source allows.
fn large_events(stack: &Stack, function: &str) -> u32 {
    match function {
        "generator" => 100.min(stack.max_events_per_request),
        "transform-sqs" => 10,
        "transform-eventbridge" => 0,
        _ => 100,
    }
}

/// A process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn one_process(stack: &Stack, subject: &Subject, env: &[(String, String)], plan: &Plan) -> Result<Process> {
    let api = RuntimeApi::start().await?;
    let run_id: RunId = format!("coldstart-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]).parse()?;
    let started = Instant::now();
    let child = Command::new(&subject.binary)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", subject.binary.display()))?;
    let mut process = Running(child);
    let pid = process.0.id();
    let init_end = api.wait_for_first_next(ANSWER_WITHIN).await.with_context(|| {
        format!(
            "{} never asked for an event: {:?}",
            subject.label(),
            process.0.try_wait()
        )
    })?;
    let init = Invocation {
        wall_ms: init_end.duration_since(started).as_secs_f64() * 1000.0,
        cpu_ms: cpu_ms(pid)?,
    };
    let large = large_events(stack, &subject.function);
    let first = invoke(&api, pid, subject, event_for(stack, &subject.function, 1, &run_id)).await?;
    let mut warm = Vec::with_capacity(plan.warm);
    for _ in 0..plan.warm {
        warm.push(invoke(&api, pid, subject, event_for(stack, &subject.function, 1, &run_id)).await?);
    }
    let mut large_runs = Vec::new();
    for _ in 0..if large > 0 { plan.large } else { 0 } {
        large_runs.push(invoke(&api, pid, subject, event_for(stack, &subject.function, large, &run_id)).await?);
    }
    let peak_rss_kib = peak_rss_kib(pid)?;
    drop(process);
    Ok(Process {
        init,
        first,
        warm,
        large: large_runs,
        peak_rss_kib,
    })
}

async fn invoke(api: &RuntimeApi, pid: u32, subject: &Subject, event: Value) -> Result<Invocation> {
    let cpu_before = cpu_ms(pid)?;
    let started = Instant::now();
    let outcome = api.invoke(event, ANSWER_WITHIN).await?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let cpu_ms = cpu_ms(pid)? - cpu_before;
    check_answer(&subject.function, &outcome).with_context(|| subject.label())?;
    Ok(Invocation { wall_ms, cpu_ms })
}

/// A measurement only counts if the function did its job.
fn check_answer(function: &str, outcome: &Outcome) -> Result<()> {
    let Outcome::Response { body, .. } = outcome else {
        bail!("the function failed: {outcome:?}");
    };
    let ok = match function {
        "generator" => body["statusCode"] == 200,
        "transform-sqs" | "transform-kinesis" => body["batchItemFailures"].as_array().is_some_and(Vec::is_empty),
        "transform-firehose" => body["records"]
            .as_array()
            .is_some_and(|records| records.iter().all(|r| r["result"] == "Ok")),
        _ => body["rejected"] == 0,
    };
    if ok {
        Ok(())
    } else {
        Err(anyhow!("unexpected answer: {body}"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn this_process_has_cpu_time_and_a_peak_rss() {
        let pid = std::process::id();
        let before = cpu_ms(pid).unwrap();
        let mut x = 0_u64;
        for i in 0..5_000_000_u64 {
            x = std::hint::black_box(x.wrapping_add(i * i));
        }
        assert!(cpu_ms(pid).unwrap() > before, "{x}");
        assert!(peak_rss_kib(pid).unwrap() > 100);
    }

    #[test]
    fn subjects_are_one_per_build_function_and_generator_strategy() {
        let folder = std::env::temp_dir().join(format!("eventlab-coldstart-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        // Every transformer runs the one `transform` binary.
        for name in ["generator", "transform"] {
            std::fs::write(folder.join(name), b"").unwrap();
        }
        let builds = [("a".to_owned(), folder.clone()), ("b".to_owned(), folder.clone())];
        let functions = ["generator".to_owned(), "transform-sqs".to_owned()];
        let listed = subjects(&builds, &functions, &Strategy::ALL).unwrap();
        let labels: Vec<String> = listed.iter().map(Subject::label).collect();
        assert_eq!(labels.len(), 2 * (3 + 1));
        assert_eq!(labels[0], "generator · a · ssm-at-init");
        assert_eq!(labels[3], "transform-sqs · a");

        let err = subjects(&builds, &["transform-sns".to_owned()], &Strategy::ALL).unwrap_err();
        assert!(err.to_string().contains("unknown function"), "{err}");
        std::fs::remove_file(folder.join("transform")).unwrap();
        let err = subjects(&builds, &["transform-kinesis".to_owned()], &Strategy::ALL).unwrap_err();
        assert!(err.to_string().contains("transform is missing"), "{err}");
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[test]
    fn only_an_answer_that_did_the_job_counts() {
        let response = |body: Value| Outcome::Response {
            request_id: "r".into(),
            body,
        };
        assert!(check_answer("generator", &response(json!({"statusCode": 200}))).is_ok());
        assert!(check_answer("generator", &response(json!({"statusCode": 502}))).is_err());
        assert!(check_answer("transform-sqs", &response(json!({"batchItemFailures": []}))).is_ok());
        let failed = json!({"batchItemFailures": [{"itemIdentifier": "m-0"}]});
        assert!(check_answer("transform-kinesis", &response(failed)).is_err());
        let records = json!({"records": [{"result": "Ok"}, {"result": "ProcessingFailed"}]});
        assert!(check_answer("transform-firehose", &response(records)).is_err());
        assert!(check_answer("transform-eventbridge", &response(json!({"written": 1, "rejected": 0}))).is_ok());
        let error = Outcome::Error {
            request_id: "r".into(),
            body: json!({"errorType": "boom"}),
        };
        assert!(check_answer("generator", &error).is_err());
    }
}
