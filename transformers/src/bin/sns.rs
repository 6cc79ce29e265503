//! SNS transformer Lambda (a topic's Lambda subscription, invoked asynchronously).

use aws_lambda_events::event::sns::SnsEvent;
use eventlab_transformers::{Lane, sns};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SnsEvent>| async move {
        lane.refuse_if_drilled(event.payload.records.len())?;
        sns::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
    }))
    .await
}
