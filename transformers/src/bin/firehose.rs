//! Firehose transformer Lambda (the delivery stream's data-transformation processor).

use aws_lambda_events::event::firehose::KinesisFirehoseEvent;
use eventlab_transformers::{Lane, firehose};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<KinesisFirehoseEvent>| async move {
        lane.refuse_if_drilled(event.payload.records.len())?;
        firehose::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
    }))
    .await
}
