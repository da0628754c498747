//! Full-text search, both over the shared text pipeline ([`crate::text`]) and ranked
//! with the same `weights`: the CLI's tantivy index (`schema` of its documents, `store`
//! in the cache folder, `searcher` answering a parsed `query` with a `snippet`; `text`
//! adapts the tokenizer to tantivy) and the static index for the browser
//! (`static_index`, read by `search.js`). `baseline` is plain BM25 for the evaluation.
//!
//! The renderer publishes [`index_files`] beside the search page; `hindsight build` calls
//! `update_cache` to bring the tantivy index in the cache folder up to date, and
//! `hindsight search` keeps it fresh with `fresh`.

pub mod baseline;
pub mod causes;
pub mod fresh;
pub mod query;
pub(crate) mod schema;
pub mod searcher;
pub(crate) mod snippet;
pub mod static_index;
pub mod store;
pub(crate) mod synonyms;
pub(crate) mod text;
pub(crate) mod weights;

use anyhow::Result;

use crate::model::Archive;
use crate::site::{OutputFile, Site};

/// Every file of the static browser index (shards, entry and text files, the
/// taxonomy for cause queries).
pub fn index_files(archive: &Archive, causes: &causes::Causes) -> Vec<OutputFile> {
    static_index::build(archive, causes)
}

/// [`index_files`], each handed to `emit` as soon as it is made; with `carrier`, a
/// document file made from the same inputs as the previous site's is carried over.
pub(crate) fn index_files_to(
    archive: &Archive,
    causes: &causes::Causes,
    emit: crate::site::Emit<'_>,
    carrier: Option<crate::site::Carrier<'_>>,
) -> Result<()> {
    static_index::build_to(archive, causes, emit, carrier)
}

/// Update the tantivy index in the site's cache folder, recording the content files it
/// was built from (so `hindsight search` notices later edits).
pub(crate) fn update_cache(
    site: &Site,
    archive: &Archive,
    causes: &causes::Causes,
) -> Result<store::UpdateStats> {
    store::update_with_files(
        &site.cache_dir(),
        archive,
        fresh::stamps_of(site, archive),
        causes,
    )
}
