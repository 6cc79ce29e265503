//! After `terraform destroy`: asks the backend itself whether anything of the stack is left.
//!
//! Every resource Terraform recorded (the inventory `scripts/stack.sh destroy` saves before
//! destroying) is asked about by its own service ([`inventory`], [`probes`]); beyond the
//! state, the tag index, the stack's log-group prefixes (Lambda and Firehose create log
//! groups of their own) and the account's CloudWatch Logs resource policies are searched.

pub mod inventory;
pub mod probes;

use std::collections::BTreeSet;
use std::fmt;

use anyhow::{Context, Result};
use aws_sdk_resourcegroupstagging::types::TagFilter;

use crate::stack::Stack;
use inventory::{Check, Resource, check_for};
use probes::Backend;

/// What the check found.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// Each resource of the inventory that still exists: what it is, and its address.
    pub left: Vec<String>,
    /// What the tags and the stack's log-group prefixes find beyond the inventory.
    pub beyond: Vec<String>,
    /// Resources of the inventory asked about (directly or through their owner).
    pub checked: usize,
    /// Their types.
    pub kinds: BTreeSet<String>,
    /// Resources that could not be checked, with why.
    pub unchecked: Vec<(String, String)>,
}

impl Leftovers {
    /// Nothing of the stack found, in the inventory or beyond it.
    pub fn is_clean(&self) -> bool {
        self.left.is_empty() && self.beyond.is_empty()
    }
}

impl fmt::Display for Leftovers {
    /// One line when all is gone; what is left and what was not checked otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of its {} resources ({} types) left, {} more found by tag or log-group prefix",
            self.left.len(),
            self.checked,
            self.kinds.len(),
            self.beyond.len()
        )?;
        if !self.unchecked.is_empty() {
            write!(f, "; {} NOT checked:", self.unchecked.len())?;
            for (address, why) in &self.unchecked {
                write!(f, "\n  {address}: {why}")?;
            }
        }
        for line in self.left.iter().chain(&self.beyond) {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// Asks `account` (the one `config`'s credentials are in) about every resource of
/// `inventory`, and searches beyond it.
pub async fn find(
    stack: &Stack,
    config: &aws_config::SdkConfig,
    account: &str,
    inventory: &[Resource],
) -> Result<Leftovers> {
    let backend = Backend::new(config, account);
    let mut found = Leftovers::default();
    for resource in inventory {
        let (probe, part) = match check_for(resource) {
            Check::Probe(probe) => (probe, false),
            Check::PartOf(owner) => (owner, true),
            Check::Unchecked(why) => {
                found.unchecked.push((resource.address.clone(), why));
                continue;
            }
        };
        found.checked += 1;
        found.kinds.insert(resource.kind.clone());
        let exists = backend
            .exists(&probe)
            .await
            .with_context(|| format!("checking {} ({probe})", resource.address))?;
        if exists {
            let owner = if part { "goes with " } else { "" };
            found.left.push(format!("{owner}{probe} ({})", resource.address));
        }
    }

    // Beyond the state: everything the backend indexes by the stack's tags (on AWS nearly
    // every service; locally a subset).
    let tagging = aws_sdk_resourcegroupstagging::Client::new(config);
    let tagged = tagging
        .get_resources()
        .tag_filters(TagFilter::builder().key("project").values("eventlab").build())
        .tag_filters(TagFilter::builder().key("stack").values(&stack.name_prefix).build())
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("listing tagged resources")?;
    found.beyond.extend(
        tagged
            .resource_tag_mapping_list()
            .iter()
            .filter_map(|m| m.resource_arn())
            .map(|arn| format!("tagged resource {arn}")),
    );
    for line in logs_beyond_the_state(stack, config).await? {
        if !found.left.iter().any(|known| known.starts_with(&format!("{line} ("))) {
            found.beyond.push(line);
        }
    }
    Ok(found)
}

/// Log groups under the stack's prefixes, and any CloudWatch Logs resource policy naming
/// the stack: an API Gateway log group outside /aws/vendedlogs/ leaves a line in that policy.
async fn logs_beyond_the_state(stack: &Stack, config: &aws_config::SdkConfig) -> Result<Vec<String>> {
    let mut left = Vec::new();

    // Log groups outlive their functions unless destroyed with them, and a log group that
    // API Gateway delivers to outside /aws/vendedlogs/ leaves a line in the account's
    // CloudWatch Logs resource policy: look for both.
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    for prefix in [
        format!("/aws/lambda/{}-", stack.name_prefix),
        format!("/aws/vendedlogs/apigateway/{}-", stack.name_prefix),
        format!("/aws/apigateway/{}-", stack.name_prefix),
        format!("/aws/kinesisfirehose/{}-", stack.name_prefix),
    ] {
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(&prefix)
            .send()
            .await
            .map_err(crate::sdk_error)
            .with_context(|| format!("listing log groups under {prefix}"))?;
        left.extend(
            groups
                .log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .map(|name| format!("log group {name}")),
        );
    }
    let policies = logs
        .describe_resource_policies()
        .send()
        .await
        .map_err(crate::sdk_error)
        .context("listing CloudWatch Logs resource policies")?;
    left.extend(
        policies
            .resource_policies()
            .iter()
            .filter(|p| {
                p.policy_document()
                    .is_some_and(|doc| doc.contains(&format!("{}-", stack.name_prefix)))
            })
            .map(|p| format!("CloudWatch Logs resource policy {}", p.policy_name().unwrap_or("?"))),
    );
    Ok(left)
}
