//! hindsight: a static site generator for an organisation's post-mortem archive.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library; integration tests use the
//! library directly to check parsed values and the output of each stage.
//!
//! The public surface is what `src/main.rs`, the integration tests and the examples use,
//! and every public item is documented; everything else is `pub(crate)`. A `pub` item
//! that cannot be reached from outside the crate does not compile (`unreachable_pub`),
//! so making something public is a deliberate change to a public module.
#![deny(unreachable_pub)]
#![warn(missing_docs)]

pub mod analysis;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod schema;
pub mod search;
pub mod site;
pub mod slug;
pub mod taxonomy;
pub mod text;

mod audience;
mod progress;
mod publish;
mod redact;
mod store;
mod uptodate;
mod words;
mod yaml;
mod zone;
