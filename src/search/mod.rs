//! Full-text search: the tantivy index for the CLI and the static index for the browser.

pub mod index;
pub mod query;
pub mod snippet;
