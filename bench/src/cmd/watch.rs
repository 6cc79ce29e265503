//! `eventlab-bench watch`: events flowing through every lane, live.

use anyhow::Result;
use clap::Args;
use eventlab_client::stack::Stack;

use super::StackArgs;
use crate::watch::WatchArgs;

#[derive(Debug, Args, Clone)]
pub struct WatchCommand {
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub args: WatchArgs,
}

pub async fn run(command: &WatchCommand) -> Result<()> {
    let stack = Stack::load(&command.stack.outputs)?;
    crate::watch::run(&stack, &command.args).await
}
