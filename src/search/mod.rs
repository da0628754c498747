//! Full-text search: the tantivy index for the CLI (`index`, `query`, `snippet`) and the
//! static index for the browser (`static_index`, with its tokenizer in `text`).
//!
//! The renderer publishes [`index_files`] beside the search page; `hindsight build` calls
//! [`update_cache`] to bring the tantivy index in the cache folder up to date, and
//! `hindsight search` keeps it fresh with `fresh`.

pub mod fresh;
pub mod index;
pub mod query;
pub mod snippet;
pub mod static_index;
pub mod synonyms;
pub mod text;

use anyhow::Result;

use crate::model::Archive;
use crate::site::{OutputFile, Site};

/// Every file of the static browser index (shards, entry and text files).
pub fn index_files(archive: &Archive) -> Vec<OutputFile> {
    static_index::build(archive)
}

/// Update the tantivy index in the site's cache folder, recording the content files it
/// was built from (so `hindsight search` notices later edits).
pub fn update_cache(site: &Site, archive: &Archive) -> Result<index::UpdateStats> {
    index::update_with_files(&site.cache_dir(), archive, fresh::stamps_of(site, archive))
}
