//! The build as a chain of plain functions over values:
//! `load` (discover → parse in parallel → validate) → `analyse` → render → write.
//! `prepare` runs the first two, so the diagnostics decide before anything is
//! rendered; `publish` then renders straight into the output folder (through
//! `publish::Staging`: only what changed is written, the new site is swapped in
//! whole), and `build` renders into memory for tests and tools. Only `load` reads the
//! content and only `publish`/`write_site` write the site, so `serve` runs the same
//! stages and keeps the output in memory. The stages live in their own modules; this
//! one only chains them.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Insights};
use crate::site::{OutputFile, Site};

/// Discover and parse every post-mortem, then check the archive as a whole; for a
/// public build, keep only what the public may see (`audience`).
pub fn load(site: &Site) -> (Archive, Diagnostics) {
    let (sources, problems) = crate::content::archive::read_all(site);
    load_sources(site, &sources, problems)
}

/// [`load`] of post-mortems already read (`content::archive::read_all`).
pub(crate) fn load_sources(
    site: &Site,
    sources: &[crate::content::discover::SourceFile],
    problems: Vec<Diagnostic>,
) -> (Archive, Diagnostics) {
    let parsed = crate::content::archive::parse_all(site, sources);
    load_parsed(site, parsed, problems)
}

/// [`load`] of post-mortems already parsed.
fn load_parsed(
    site: &Site,
    parsed: Vec<crate::content::Parsed>,
    problems: Vec<Diagnostic>,
) -> (Archive, Diagnostics) {
    let (archive, mut diagnostics) = crate::content::archive::assemble(site, parsed, problems);
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
/// last build (see `crate::publish`); `cache_dir` keeps the record of what was written.
pub fn write_site(
    out_dir: &Path,
    files: &[OutputFile],
    cache_dir: Option<&Path>,
) -> Result<crate::publish::Written> {
    crate::publish::write(out_dir, files, cache_dir)
}

/// Refuse output directories that would destroy the site: the root itself, a folder
/// containing the content, or anything outside the root (unless forced).
pub(crate) fn check_output_dir(
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

/// The archive read, checked and analysed: everything a build knows before it renders.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) archive: Archive,
    pub(crate) insights: Insights,
    /// Every problem of the content and of the analysis, levels applied.
    pub(crate) diagnostics: Diagnostics,
}

/// Load and analyse the archive; the diagnostics then decide whether to publish.
pub(crate) fn prepare(site: &Site) -> Prepared {
    let (sources, problems) = crate::content::archive::read_all(site);
    prepare_sources(site, &sources, problems)
}

/// [`prepare`] of post-mortems already read.
pub(crate) fn prepare_sources(
    site: &Site,
    sources: &[crate::content::discover::SourceFile],
    problems: Vec<Diagnostic>,
) -> Prepared {
    let (archive, diagnostics) = load_sources(site, sources, problems);
    let (insights, more) = analyse(site, &archive);
    Prepared::new(site, archive, insights, diagnostics, more)
}

impl Prepared {
    /// The archive with its insights, and the diagnostics of the content with those
    /// of the analysis, levels applied.
    fn new(
        site: &Site,
        archive: Archive,
        insights: Insights,
        mut diagnostics: Diagnostics,
        analysis: Vec<Diagnostic>,
    ) -> Prepared {
        diagnostics.extend(analysis);
        diagnostics.apply_levels(&site.config.checks);
        diagnostics.finish();
        Prepared {
            archive,
            insights,
            diagnostics,
        }
    }
}

/// What the build cache saved a build (see [`prepare_cached`]).
#[derive(Debug, Default)]
pub(crate) struct Reused {
    /// Files read.
    pub(crate) files: usize,
    /// Files read back parsed rather than parsed.
    pub(crate) parsed: usize,
    /// Post-mortems whose words and causes were read back rather than computed.
    pub(crate) analysed: usize,
    /// Why the cache could not be used or saved in part, to say as notes.
    pub(crate) notices: Vec<String>,
}

/// [`prepare_sources`] (with each file's key, `content::cache::keys`) through the
/// persistent build cache in the site's cache folder
/// (`build/`): a post-mortem parsed and analysed by an earlier build is read back, not
/// parsed or analysed again, and what this build computes is left there for the next.
/// The result is `prepare_sources`'s, value for value (see [`crate::store`] for why it
/// is safe to keep between builds and CI runs).
pub(crate) fn prepare_cached(
    site: &Site,
    sources: &[crate::content::discover::SourceFile],
    keys: Vec<crate::store::Key>,
    problems: Vec<Diagnostic>,
) -> (Prepared, Reused) {
    let dir = site.cache_dir().join("build");
    let parsed = crate::content::cache::parse_all(site, sources, keys, &dir);
    let keys: std::collections::HashMap<String, crate::store::Key> = parsed
        .parsed
        .iter()
        .zip(&parsed.keys)
        .filter_map(|(p, key)| Some((p.incident.as_ref()?.id.clone(), *key)))
        .collect();
    let mut reused = Reused {
        files: sources.len(),
        parsed: parsed.reused,
        notices: parsed.notice.into_iter().collect(),
        ..Reused::default()
    };
    let (archive, diagnostics) = load_parsed(site, parsed.parsed, problems);
    let _stage = crate::progress::stage("analysing", None, "");
    let (insights, more, analysed, notice) =
        crate::analysis::analyse_stored(&site.config, &archive, &keys, &dir);
    reused.analysed = analysed;
    // Both tables say the same of a cache of another version: once is enough.
    reused
        .notices
        .extend(notice.filter(|n| !reused.notices.contains(n)));
    (
        Prepared::new(site, archive, insights, diagnostics, more),
        reused,
    )
}

/// Render the site, handing each file to `emit`, while the CLI's search index (in the
/// cache) is updated on its own thread with the inferred causes of the analysis. An
/// index that cannot be updated must not stop the site from being published: it comes
/// back as a warning.
fn render_with_index(
    site: &Site,
    prepared: &Prepared,
    emit: crate::site::Emit<'_>,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<Option<Diagnostic>> {
    let Prepared {
        archive, insights, ..
    } = prepared;
    let taxonomy = crate::taxonomy::Taxonomy::for_config(&site.config)
        .unwrap_or_else(|_| std::borrow::Cow::Borrowed(crate::taxonomy::Taxonomy::builtin_ref()));
    let causes = crate::search::causes::Causes::from_insights(&taxonomy, insights);
    let (rendered, search_index) = std::thread::scope(|s| {
        let search_index = s.spawn(|| {
            let _timed = crate::progress::timed("indexing (CLI search, beside rendering)");
            crate::search::update_cache(site, archive, &causes)
        });
        let rendered = crate::render::render_site_to(site, archive, insights, emit, carry);
        let search_index = search_index
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the search indexer stopped unexpectedly")));
        (rendered, search_index)
    });
    rendered?;
    Ok(search_index.err().map(|e| {
        Diagnostic::warning(
            "search-index",
            site.config.cache_dir.clone(),
            0,
            0,
            format!("search index not updated: {e:#}; `hindsight search` will answer from the previous index"),
        )
    }))
}

/// Render the prepared site straight into `out_dir`, file by file as pages are done
/// (the whole site is never held in memory), writing only what changed and swapping
/// the new site in at the end; `previous` is the output folder's manifest as the
/// caller read it. A warning about the search index comes back with what was written.
pub(crate) fn publish(
    site: &Site,
    prepared: &Prepared,
    out_dir: &Path,
    previous: crate::publish::Previous,
) -> Result<(crate::publish::Written, Option<Diagnostic>)> {
    let cache_dir = site.cache_dir();
    let staging =
        crate::publish::Staging::with_previous(out_dir, Some(&cache_dir), Some(previous))?;
    let warning = render_with_index(
        site,
        prepared,
        &|f| staging.add(&f),
        Some(&|path, input| staging.carry(path, input)),
    )?;
    let _timed = crate::progress::timed("swapping in the new site");
    Ok((staging.commit()?, warning))
}

/// Every diagnostic a build of `site` reports: load, analyse and render the whole site
/// in memory (the search cache is updated, nothing is published). `Err` when a page
/// cannot be rendered.
pub fn build(site: &Site) -> Result<Diagnostics> {
    let prepared = prepare(site);
    let warning = render_with_index(site, &prepared, &|_| Ok(()), None)?;
    let mut diagnostics = prepared.diagnostics;
    if let Some(warning) = warning {
        diagnostics.push(warning);
        diagnostics.finish();
    }
    Ok(diagnostics)
}
