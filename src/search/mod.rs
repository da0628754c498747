//! Full-text search: the tantivy index for the CLI (`index`, `query`, `snippet`) and the
//! static index for the browser (`static_index`, with its tokenizer in `text`).
//!
//! `hindsight build` calls [`site_files`] for the search page and the static index, and
//! [`update_cache`] to bring the tantivy index in the cache folder up to date.

pub mod command;
pub mod index;
pub mod query;
pub mod snippet;
pub mod static_index;
pub mod text;

use anyhow::Result;

use crate::model::Archive;
use crate::pipeline::{OutputFile, Site};
use crate::render::Renderer;

/// The search page and every file of the static index.
pub fn site_files(site: &Site, archive: &Archive) -> Result<Vec<OutputFile>> {
    let renderer = Renderer::new(site)?;
    let mut ctx = tera::Context::new();
    ctx.insert("count", &archive.incidents.len());
    let mut files = vec![renderer.page("search.html", crate::render::urls::SEARCH, ctx)?];
    files.extend(static_index::build(archive));
    Ok(files)
}

/// Update the tantivy index in the site's cache folder.
pub fn update_cache(site: &Site, archive: &Archive) -> Result<index::UpdateStats> {
    index::update(&site.cache_dir(), archive)
}
