//! The learner's side of the lab: reads a deployed stack's coordinates, signs a learner
//! in with Cognito, drives the API and reads results back from S3.
//!
//! The same code serves the local emulator and AWS: everything it needs comes from
//! `terraform output -json`.

pub mod api;
pub mod facts_key;
pub mod learner;
pub mod leftovers;
pub mod results;
pub mod stack;

/// An SDK error with its whole chain of causes, which the SDK's `Display` leaves out.
pub fn sdk_error<E: std::error::Error>(err: E) -> anyhow::Error {
    anyhow::anyhow!("{}", aws_sdk_s3::error::DisplayErrorContext(err))
}
