//! The lab's arithmetic, pure: statistics over what a run measured, the price and reference
//! files, cost item by item, the cost model, the drill's books, and the record types of a
//! run and of a cold-start measurement.
//!
//! It talks to nothing: no AWS SDK, no network, no files but the price and reference files
//! compiled in. Everything here is a function of its inputs, so its tests build and run in
//! seconds; driving a stack is the bench's and the client's, drawing is `eventlab-render`'s.

pub mod answer;
pub mod coldstart;
pub mod cost;
pub mod drill;
pub mod experiment;
pub mod failures;
pub mod findings;
pub mod model;
pub mod pricing;
pub mod record;
pub mod reference;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod tune;
pub mod usage;
