//! The eventlab bench: drives events through each service, collects what arrived in S3,
//! and reports latency, delivery and batching cost side by side.

pub mod charts;
pub mod coldstart;
pub mod cost;
pub mod drill;
pub mod failures;
pub mod lambda_logs;
pub mod model;
pub mod pricing;
pub mod reference;
pub mod report;
pub mod run;
pub mod runtime_api;
pub mod session;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod watch;
