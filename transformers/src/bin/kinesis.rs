//! Kinesis transformer Lambda (event source mapping with `ReportBatchItemFailures`).

use aws_lambda_events::event::kinesis::KinesisEvent;
use eventlab_transformers::{Lane, kinesis};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<KinesisEvent>| async move {
        lane.refuse_if_drilled(event.payload.records.len())?;
        Ok::<_, Error>(kinesis::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await)
    }))
    .await
}
