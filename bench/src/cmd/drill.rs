//! `eventlab-bench drill`: break each lane's consumer for a while, restore it, and
//! account for every event.

use anyhow::{Result, bail};
use eventlab_client::lab::Lab;
use eventlab_client::stack::{Stack, require_credentials, sdk_config};

use super::StackArgs;
use crate::drill::breaks::{self, Ledger};
use crate::drill::{DrillArgs, run_guarded};

/// `eventlab-bench drill`: runs the drill (or only `--restore`s), writes its report, and
/// fails when any event is unaccounted for.
pub async fn run(stack: &StackArgs, args: &DrillArgs) -> Result<()> {
    let (outputs, credentials) = (&stack.outputs, &stack.credentials);
    let stack = Stack::load(outputs)?;
    let ledger = Ledger::beside(outputs);
    let config = sdk_config(&stack).await;
    require_credentials(&stack, &config).await?;
    let lambda = aws_sdk_lambda::Client::new(&config);
    if args.restore {
        let restored = breaks::restore_all(&lambda, &ledger).await?;
        println!(
            "{}",
            if restored.is_empty() {
                "nothing to restore".to_owned()
            } else {
                format!("restored: {}", restored.join(", "))
            }
        );
        return Ok(());
    }
    let lab = Lab::connect(stack, credentials).await?;
    let drill = run_guarded(&lab, &lambda, &ledger, args).await?;
    let dir = args.out.join(&drill.id);
    super::write_files(&dir, &eventlab_render::drill::files(&drill)?)?;
    print!("{}", eventlab_render::drill::terminal(&drill));
    println!("\nDrill report: {}", dir.join("drill.html").display());
    match drill.unaccounted() {
        0 => Ok(()),
        n => bail!("{n} events unaccounted for (named above)"),
    }
}
