//! The transform Lambda's library: it takes a batch of lab events from one service,
//! transforms every event and writes the results to S3 as JSON Lines, one object per run
//! and invocation.
//!
//! It owns the lanes' handlers and what they share: the per-service modules only adapt
//! their event type to [`batch::Incoming`] (and their answer back to the service);
//! [`batch::process`] does the parsing, transforming, grouping, writing and failure
//! accounting; [`batch::S3Sink`] is the one S3 call, behind a trait. The binary (`main.rs`) is the
//! Lambda runtime's side: one `bootstrap` for every lane, choosing its handler by
//! `EVENTLAB_LANE`. It must not know a results key: [`eventlab_schema::results`] does.

pub mod batch;
pub mod dynamodb;
pub mod eventbridge;
pub mod firehose;
pub mod kinesis;
pub mod sns;
pub mod sqs;
pub mod sqs_fifo;

pub use batch::{ColdStart, Invocation, transform};
