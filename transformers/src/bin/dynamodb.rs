//! DynamoDB Streams transformer Lambda (event source mapping with `ReportBatchItemFailures`).

use aws_lambda_events::event::dynamodb::Event;
use eventlab_transformers::{Lane, dynamodb};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Event>| async move {
        lane.refuse_if_drilled(event.payload.records.len())?;
        Ok::<_, Error>(dynamodb::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
    }))
    .await
}
