//! SQS transformer Lambda (event source mapping with `ReportBatchItemFailures`).

use aws_lambda_events::event::sqs::SqsEvent;
use eventlab_transformers::{Lane, sqs};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        lane.refuse_if_drilled(event.payload.records.len())?;
        Ok::<_, Error>(sqs::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
    }))
    .await
}
