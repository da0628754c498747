//! The build as a chain of plain functions over values:
//! `load` (discover → parse in parallel → validate) → `analyse` → `render` → `write_site`.
//! Only `load` reads the disk and only `write_site` writes it, so `serve` can run the
//! same stages and keep the output in memory. The stages live in their own modules;
//! this one only chains them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;

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
    crate::analysis::analyse(&site.config, archive)
}

/// Write `files` into `out_dir` atomically: everything goes to a temporary sibling
/// folder first and is swapped in only when complete, so a failed build leaves the
/// previous site as it was.
pub fn write_site(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out_dir
        .file_name()
        .context("output directory has no name")?
        .to_string_lossy()
        .into_owned();
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(parent)
        .with_context(|| format!("creating a temporary folder in {}", parent.display()))?;
    let mut dirs = BTreeSet::new();
    for f in files {
        if f.path.split('/').any(|c| c == ".." || c.is_empty()) || f.path.starts_with('/') {
            bail!(
                "refusing to write output file with unsafe path `{}`",
                f.path
            );
        }
        if let Some((dir, _)) = f.path.rsplit_once('/') {
            dirs.insert(dir.to_string());
        }
    }
    for dir in &dirs {
        std::fs::create_dir_all(staging.path().join(dir))
            .with_context(|| format!("creating {dir}"))?;
    }
    files.par_iter().try_for_each(|f| {
        std::fs::write(staging.path().join(&f.path), &f.bytes)
            .with_context(|| format!("writing {}", f.path))
    })?;
    let staged = staging.keep();
    let old = parent.join(format!(".{name}.old"));
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    if out_dir.exists() {
        std::fs::rename(out_dir, &old)
            .with_context(|| format!("moving the previous {} aside", out_dir.display()))?;
    }
    if let Err(e) = std::fs::rename(&staged, out_dir) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&old, out_dir);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e).with_context(|| format!("moving the new site into {}", out_dir.display()));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    Ok(())
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
