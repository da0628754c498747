//! hindsight: a static site generator for an organisation's post-mortem archive.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library; integration tests use the
//! library directly to check parsed values and the output of each stage.

pub mod analysis;
pub mod audience;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod publish;
pub mod redact;
pub mod render;
pub mod schema;
pub mod search;
pub mod site;
pub mod slug;
pub mod taxonomy;
pub mod text;
pub mod uptodate;
pub mod words;
pub mod yaml;
pub mod zone;
