//! `eventlab-bench token`: print a Cognito JWT for curl.

use anyhow::Result;
use eventlab_client::learner::{Credentials, access_token};
use eventlab_client::stack::Stack;

use super::StackArgs;

pub async fn run(args: &StackArgs) -> Result<()> {
    let stack = Stack::load(&args.outputs)?;
    let credentials = Credentials::load(&args.credentials)?;
    println!("{}", access_token(&stack, &credentials).await?);
    Ok(())
}
