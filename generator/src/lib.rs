//! The generator Lambda behind the HTTP API: builds lab events and publishes them.
//!
//! It owns the Lambda's side only: the HTTP handler (request checks, status codes, JSON
//! answers), its configuration (settings, targets from SSM once per cold start) and the
//! facts API. Building and publishing events is `eventlab-publish`'s; nothing here is
//! used by the tools.
//!
//! `main` does the one-time work (settings, SSM targets, SDK clients) and hands a
//! [`handler::Generator`] to the runtime; everything per request lives in [`handler`].

pub mod config;
pub mod facts;
pub mod handler;
