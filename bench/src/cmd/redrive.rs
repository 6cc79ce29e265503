//! `eventlab-bench redrive`: move what waits in each lane's dead-letter or on-failure
//! queue back into the lane.

use anyhow::Result;
use clap::Args;
use eventlab_client::lab::Lab;
use eventlab_client::stack::Stack;
use eventlab_schema::Service;

use super::StackArgs;
use crate::drill::redrive;

#[derive(Debug, Args, Clone)]
pub struct RedriveArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Lanes whose failure queue to redrive.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "eventbridge,sqs,kinesis,sns,sqs-fifo,dynamodb"
    )]
    pub lanes: Vec<Service>,
}

/// `eventlab-bench redrive`: moves each lane's failure-queue contents back into the lane.
pub async fn run(args: &RedriveArgs) -> Result<()> {
    let lab = Lab::connect(Stack::load(&args.stack.outputs)?, &args.stack.credentials).await?;
    for &service in &args.lanes {
        if service == Service::Firehose {
            println!("firehose: no failure queue; its failed records are objects under errors/firehose/");
            continue;
        }
        let redriven = redrive::redrive(&lab, service, None).await?;
        println!("{service}: {} sent back ({})", redriven.moved, redriven.how);
        for left in &redriven.left {
            println!("  left in the queue: {left}");
        }
    }
    Ok(())
}
