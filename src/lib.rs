//! hindsight: a static site generator for an organisation's post-mortem archive.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library; integration tests use the
//! library directly to check parsed values and the output of each stage.
#![warn(unreachable_pub, missing_docs)]

pub mod analysis;
pub(crate) mod audience;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod model;
pub mod pipeline;
pub(crate) mod progress;
pub(crate) mod publish;
pub(crate) mod redact;
pub mod render;
pub mod schema;
pub mod search;
pub mod site;
pub mod slug;
pub mod taxonomy;
pub mod text;
pub(crate) mod uptodate;
pub(crate) mod words;
pub(crate) mod yaml;
pub(crate) mod zone;
