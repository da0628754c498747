//! The build as a chain of plain functions over values:
//! `load` (discover → parse in parallel → validate) → `analyse` → `render` → `write_site`.
//! Only `load` reads the disk and only `write_site` writes it, so `serve` can run the
//! same stages and keep the output in memory. The stages live in their own modules;
//! this one only chains them.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Insights};
use crate::site::{OutputFile, Site};

/// Discover and parse every post-mortem, then check the archive as a whole; for a
/// public build, keep only what the public may see (`audience`).
pub fn load(site: &Site) -> (Archive, Diagnostics) {
    let (archive, mut diagnostics) = crate::content::archive::load(site);
    let (archive, more) = crate::audience::apply(site, archive);
    if !more.is_empty() {
        diagnostics.extend(more);
        diagnostics.apply_levels(&site.config.checks);
        diagnostics.finish();
    }
    (archive, diagnostics)
}

/// Derive related incidents, repeats and suggestions from the archive.
pub fn analyse(site: &Site, archive: &Archive) -> (Insights, Vec<Diagnostic>) {
    let _stage = crate::progress::stage("analysing", None, "");
    crate::analysis::analyse(&site.config, archive)
}

/// Write `files` into `out_dir` atomically, only the files that changed since the
/// last build (see [`crate::publish`]); `cache_dir` keeps the record of what was written.
pub fn write_site(
    out_dir: &Path,
    files: &[OutputFile],
    cache_dir: Option<&Path>,
) -> Result<crate::publish::Written> {
    crate::publish::write(out_dir, files, cache_dir)
}

/// Refuse output directories that would destroy the site: the root itself, a folder
/// containing the content, or anything outside the root (unless forced).
pub fn check_output_dir(
    root: &Path,
    content_dir: &Path,
    out_dir: &Path,
    force: bool,
) -> Result<(), String> {
    let norm = |p: &Path| -> PathBuf {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut out = PathBuf::new();
        for c in abs.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    };
    let (root, content, out) = (norm(root), norm(content_dir), norm(out_dir));
    if out == root {
        return Err(format!(
            "output directory {} is the site root; expected a folder inside it such as `public`",
            out.display()
        ));
    }
    if content.starts_with(&out) {
        return Err(format!(
            "output directory {} contains the content folder {}; building would delete it",
            out.display(),
            content.display()
        ));
    }
    if !out.starts_with(&root) && !force {
        return Err(format!(
            "output directory {} lies outside the site {}; pass --force to write there anyway",
            out.display(),
            root.display()
        ));
    }
    Ok(())
}

/// Everything a build produces, before it is written.
#[derive(Debug)]
pub struct BuildResult {
    pub archive: Archive,
    pub insights: Insights,
    pub diagnostics: Diagnostics,
    pub files: Vec<OutputFile>,
}

/// Load, analyse and render the whole site in memory.
pub fn build(site: &Site) -> Result<BuildResult> {
    let (archive, mut diagnostics) = load(site);
    // The CLI's search index (in the cache) is updated on its own thread while the
    // site is rendered (after analysis, whose inferred causes it records). Failing to update it must not stop the site from
    // being published, so it is reported but does not block.
    let (insights, more) = analyse(site, &archive);
    let taxonomy = crate::taxonomy::Taxonomy::for_config(&site.config)
        .unwrap_or_else(|_| std::borrow::Cow::Borrowed(crate::taxonomy::Taxonomy::builtin_ref()));
    let causes = crate::search::causes::Causes::from_insights(&taxonomy, &insights.inferred_causes);
    let (files, search_index) = std::thread::scope(|s| {
        let search_index = s.spawn(|| crate::search::update_cache(site, &archive, &causes));
        let files = crate::render::render_site(site, &archive, &insights);
        let search_index = search_index
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the search indexer stopped unexpectedly")));
        (files, search_index)
    });
    diagnostics.extend(more);
    diagnostics.apply_levels(&site.config.checks);
    diagnostics.finish();
    let mut files = files?;
    if let Err(e) = search_index {
        diagnostics.push(Diagnostic::warning(
            "search-index",
            site.config.cache_dir.clone(),
            0,
            0,
            format!("search index not updated: {e:#}; `hindsight search` will answer from the previous index"),
        ));
        diagnostics.finish();
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(BuildResult {
        archive,
        insights,
        diagnostics,
        files,
    })
}
