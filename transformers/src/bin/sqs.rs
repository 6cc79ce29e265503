//! SQS transformer Lambda: SDK client and bucket are set up once, at init.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use eventlab_transformers::sink::S3Sink;
use eventlab_transformers::{ColdStart, Invocation, sqs};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let bucket = std::env::var("RESULTS_BUCKET").map_err(|_| "RESULTS_BUCKET is not set")?;
    let config = aws_config::load_from_env().await;
    let sink = S3Sink::new(aws_sdk_s3::Client::new(&config), bucket);
    let cold_start = ColdStart::new();

    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let invocation = Invocation::from_context(&event.context, &cold_start);
        let sink = &sink;
        async move { Ok::<SqsBatchResponse, Error>(sqs::handle(event.payload, &invocation, sink).await) }
    }))
    .await
}
