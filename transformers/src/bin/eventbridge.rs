//! EventBridge transformer Lambda (rule target; invoked once per event).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use eventlab_transformers::{Lane, eventbridge};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let lane = &Lane::init().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<EventBridgeEvent>| async move {
        lane.refuse_if_drilled(1)?;
        eventbridge::handle(event.payload, &lane.invocation(&event.context), &lane.sink).await
    }))
    .await
}
