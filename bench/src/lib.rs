//! The eventlab bench: drives events through a deployed stack's lanes and collects what
//! arrived ([`run`], [`session`]), changes batching settings and reruns ([`sweep`]),
//! follows demand with them ([`tune`]) and sets that beside fixed settings under a changing
//! load ([`experiment`]), starts
//! the lab's own binaries under a local Lambda Runtime API ([`coldstart`],
//! [`runtime_api`]), breaks and restores consumers ([`drill`]) and watches it all live
//! ([`watch`]); one file per subcommand under [`cmd`].
//!
//! It orchestrates and owns no arithmetic and no layout: figures come from
//! `eventlab-measure`, pages and text from `eventlab-render`, stack access from
//! `eventlab-client`, publishing from `eventlab-publish`.

pub mod cmd;
pub mod coldstart;
pub mod drill;
pub mod experiment;
pub mod mappings;
pub mod run;
pub mod runtime_api;
pub mod session;
pub mod sweep;
pub mod tune;
pub mod watch;
