//! Everything that reads or drives a deployed stack: its outputs and SDK configuration
//! ([`stack`]), the learner and its tokens ([`learner`]), the HTTP API ([`api`]), the
//! results bucket ([`results`]), the functions' log groups ([`logs`]), queue depths
//! ([`queues`]), the facts key, the leftovers check, and one connection that holds them
//! ([`lab::Lab`]).
//!
//! The same code serves the local emulator and AWS: everything it needs comes from
//! `terraform output -json`. It computes nothing: figures are `eventlab-measure`'s.

pub mod api;
pub mod facts_key;
pub mod lab;
pub mod learner;
pub mod leftovers;
pub mod logs;
pub mod queues;
pub mod results;
pub mod stack;

/// An SDK error with its whole chain of causes, which the SDK's `Display` leaves out.
pub fn sdk_error<E: std::error::Error>(err: E) -> anyhow::Error {
    anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(err))
}
