//! Generator Lambda entry point: everything slow happens here, once per cold start.

use std::time::{Duration, SystemTime};

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use eventlab_generator::config::{LookupClients, Settings, SsmEveryRequest, TargetSource, TargetsFrom};
use eventlab_generator::facts::Facts;
use eventlab_generator::handler::Generator;
use eventlab_publish::{Clients, Publishers, Targets, sdk_retry_config};
use eventlab_schema::switches::Strategy;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tokio::time::Instant;

// One thread: a Lambda has one or two vCPUs, and the work per request is I/O-bound; a
// multi-threaded runtime would only add threads to start at INIT.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let env = |key: &str| std::env::var(key).ok();
    let settings = Settings::from_env(env).inspect_err(|err| tracing::error!(error = %err, "init failed"))?;
    let config = sdk_config().await;
    let publisher = Publishers::new(Clients::new(&config));
    let ssm = aws_sdk_ssm::Client::new(&config);
    let prefix = settings.parameter_prefix.clone();
    tracing::info!(strategy = %settings.targets_from, "reading targets");
    match settings.targets_from {
        Strategy::SsmAtInit => {
            let targets = Targets::load(&ssm, &prefix).await.inspect_err(init_failed)?;
            serve(generator(&settings, publisher, targets)).await
        }
        Strategy::LookupAtInit => {
            let clients = LookupClients {
                ssm: &ssm,
                eventbridge: &publisher.clients.eventbridge,
                sqs: &publisher.clients.sqs,
                kinesis: &publisher.clients.kinesis,
                firehose: &publisher.clients.firehose,
                sns: &publisher.clients.sns,
                dynamodb: &publisher.clients.dynamodb,
            };
            let targets = Targets::look_up(clients, env, &prefix).await.inspect_err(init_failed)?;
            serve(generator(&settings, publisher, targets)).await
        }
        Strategy::SsmPerRequest => serve(generator(&settings, publisher, SsmEveryRequest { ssm, prefix })).await,
    }
}

fn init_failed(err: &impl std::fmt::Display) {
    tracing::error!(error = %err, "init failed");
}

fn generator<T: TargetSource>(settings: &Settings, publisher: Publishers, targets: T) -> Generator<Publishers, T> {
    Generator {
        publisher,
        targets,
        facts: Facts::new(&settings.facts_base_url, settings.facts_timeout),
        max_events_per_request: settings.max_events_per_request,
    }
}

async fn serve<T: TargetSource>(generator: Generator<Publishers, T>) -> Result<(), Error> {
    let generator = &generator;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            let deadline = instant_of(event.context.deadline());
            Ok::<_, Error>(generator.handle(event.payload, deadline).await)
        },
    ))
    .await
}

/// The invocation's deadline (wall clock) on the monotonic clock.
fn instant_of(deadline: SystemTime) -> Instant {
    let left = deadline.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
    Instant::now() + left
}

/// The SDK's configuration: the lab's retries ([`sdk_retry_config`]) and timeouts that leave
/// time to answer.
async fn sdk_config() -> SdkConfig {
    let retry = sdk_retry_config();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(5))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(timeouts);
    // An emulator answering over plain HTTP needs no trust store: loading the system's root
    // certificates (hundreds of files on some hosts) would be INIT time spent for nothing.
    if std::env::var("AWS_ENDPOINT_URL").is_ok_and(|url| url.starts_with("http://")) {
        let no_roots = TlsContext::builder()
            .with_trust_store(TrustStore::empty())
            .build()
            .expect("an empty trust store is a valid TLS context");
        let client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(no_roots)
            .build_https();
        loader = loader.http_client(client);
    }
    loader.load().await
}
