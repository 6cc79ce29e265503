//! Everything the lab shows: the pages (bench report, drill, sweep, model, cold starts and
//! the live view), their charts, and the same figures as Markdown and terminal text.
//!
//! One template path: every page is an askama template under `templates/`, the static
//! ones on one base page with one style sheet, so every value is escaped (`" & ' < >`) by
//! the same rule. Pure: it lays out figures it is given (from `eventlab-measure`) and
//! returns text or [`page::File`]s; it talks to no AWS service and writes no file.

pub mod charts;
pub mod coldstart;
pub mod drill;
pub mod experiment;
pub mod failures;
pub mod model;
pub mod page;
pub mod report;
pub mod sweep;
pub mod watch;
