//! Generator Lambda entry point: everything slow happens here, once per cold start.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use eventlab_generator::config::{Settings, Targets};
use eventlab_generator::facts::Facts;
use eventlab_generator::handler::Generator;
use eventlab_generator::publish::Publishers;
use eventlab_generator::publish::eventbridge::EventBridgePublisher;
use eventlab_generator::publish::firehose::FirehosePublisher;
use eventlab_generator::publish::kinesis::KinesisPublisher;
use eventlab_generator::publish::sqs::SqsPublisher;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let generator = init()
        .await
        .inspect_err(|err| tracing::error!(error = %err, "init failed"))?;
    let generator = &generator;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            Ok::<_, Error>(generator.handle(event.payload).await)
        },
    ))
    .await
}

async fn init() -> Result<Generator<Publishers>, Error> {
    let settings = Settings::from_env(|key| std::env::var(key).ok())?;
    let config = aws_config::load_from_env().await;
    let targets = Targets::load(&aws_sdk_ssm::Client::new(&config), &settings.parameter_prefix).await?;
    tracing::info!(
        has_facts_key = targets.facts_api_key.is_some(),
        "targets loaded from SSM"
    );
    let publisher = Publishers {
        eventbridge: EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&config), targets.eventbridge_bus_name),
        sqs: SqsPublisher::new(aws_sdk_sqs::Client::new(&config), targets.sqs_queue_url),
        kinesis: KinesisPublisher::new(aws_sdk_kinesis::Client::new(&config), targets.kinesis_stream_name),
        firehose: FirehosePublisher::new(aws_sdk_firehose::Client::new(&config), targets.firehose_stream_name),
    };
    Ok(Generator {
        publisher,
        facts: Facts::new(&settings.facts_base_url, targets.facts_api_key, settings.facts_timeout),
        max_events_per_request: settings.max_events_per_request,
    })
}
