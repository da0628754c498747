//! Incremental rebuilds for `serve --watch`.
//!
//! The builder keeps every post-mortem's text and its parsed form, in path order (the
//! order `content::discover` yields). A change to content re-reads only the files that
//! changed, re-parses only those whose text differs, then re-runs the cheap whole-archive
//! stages (`pipeline::assemble` → `analyse` → render) on the cached rest: the same stages
//! as `build`, so serve cannot drift from it. Template and static edits skip parsing and
//! reuse the last archive; site.toml edits rebuild everything.
//!
//! The served output only ever moves from one good build to the next: a build with
//! errors (content, config or template) keeps the previous output and records the
//! problems for the overlay. Pages whose bytes did not change keep their shared buffer,
//! so memory follows the size of the archive, not the number of edits.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Parsed, SourceFile, discover};
use crate::diagnostics::{Diagnostic, Diagnostics, Level};
use crate::model::{Archive, Insights};
use crate::pipeline::{self, Site};

/// The site's files by path (`incidents/x/index.html`), shared with the HTTP threads.
pub type Files = HashMap<String, Arc<[u8]>>;

/// What changed on disk since the last rebuild.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Absolute paths of files or folders under the content folder.
    pub content: BTreeSet<PathBuf>,
    pub templates: bool,
    pub statics: bool,
    pub config: bool,
    /// Events were lost (the OS queue overflowed): re-read everything.
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.content.is_empty() && !self.templates && !self.statics && !self.config && !self.rescan
    }
}

/// Why the served site is not the latest build.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Post-mortems with errors (with their warnings, which the overlay leaves out).
    Content(Vec<Diagnostic>),
    /// site.toml could not be read.
    Config(String),
    /// The theme or a page failed to render.
    Render(String),
}

impl Problem {
    /// The overlay shown on every page while the problem lasts.
    pub fn overlay(&self) -> String {
        use super::overlay::{render_message_overlay, render_overlay};
        match self {
            Problem::Content(ds) => {
                let n = ds.iter().filter(|d| d.level == Level::Error).count();
                render_overlay(
                    &format!(
                        "hindsight: {n} error{} in the post-mortems",
                        if n == 1 { "" } else { "s" }
                    ),
                    ds,
                )
            }
            Problem::Config(message) => {
                render_message_overlay("hindsight: site.toml is invalid", message)
            }
            Problem::Render(message) => {
                render_message_overlay("hindsight: the site could not be rendered", message)
            }
        }
    }
}

/// Where the time of one rebuild went.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub read: Duration,
    pub parse: Duration,
    pub assemble: Duration,
    pub analyse: Duration,
    /// Pages, feeds, data files and charts (`render::render_site`).
    pub render: Duration,
    /// The browser's static search index, apart so that search
    /// indexing can be seen not to dominate a rebuild (zola#2133).
    pub search: Duration,
    pub compare: Duration,
}

impl Timings {
    pub fn total(&self) -> Duration {
        self.read
            + self.parse
            + self.assemble
            + self.analyse
            + self.render
            + self.search
            + self.compare
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "read {:.1} ms, parse {:.1} ms, assemble {:.1} ms, analyse {:.1} ms, render {:.1} ms, search files {:.1} ms, compare {:.1} ms",
            ms(self.read),
            ms(self.parse),
            ms(self.assemble),
            ms(self.analyse),
            ms(self.render),
            ms(self.search),
            ms(self.compare)
        )
    }
}

/// The result of one rebuild.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Files re-parsed because their text changed (or appeared).
    pub reparsed: usize,
    /// Files that disappeared from the archive.
    pub removed: usize,
    /// Output files added, removed or with different bytes; 0 when the output was kept.
    pub pages_changed: usize,
    /// True when the served files or the overlay differ from before: browsers reload.
    pub changed: bool,
    /// Every diagnostic of the build (errors and warnings), sorted.
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

/// The cached state of a site between rebuilds.
pub struct Builder {
    site: Site,
    /// Post-mortems in path order, with their parse results at the same index.
    sources: Vec<SourceFile>,
    parsed: Vec<Parsed>,
    /// Files that could not be read (or folders that could not be walked), by absolute path.
    unreadable: Vec<(PathBuf, Diagnostic)>,
    /// The archive and insights of the last assembled content, and whether it had errors.
    last: Option<Assembled>,
    output: Arc<Files>,
    /// site.toml failed to load: the previous config stays in use until it is fixed.
    config_problem: Option<Problem>,
    /// The latest content failed to build or render.
    build_problem: Option<Problem>,
}

struct Assembled {
    archive: Archive,
    insights: Insights,
    diagnostics: Diagnostics,
}

impl Builder {
    /// A builder with nothing loaded yet; call `rebuild_all` next.
    pub fn new(site: Site) -> Builder {
        Builder {
            site,
            sources: Vec::new(),
            parsed: Vec::new(),
            unreadable: Vec::new(),
            last: None,
            output: Arc::new(Files::new()),
            config_problem: None,
            build_problem: None,
        }
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The output currently served (the last good build).
    pub fn output(&self) -> Arc<Files> {
        Arc::clone(&self.output)
    }

    /// What keeps the latest changes from being served, if anything.
    pub fn problem(&self) -> Option<&Problem> {
        self.config_problem.as_ref().or(self.build_problem.as_ref())
    }

    /// Number of post-mortem files known.
    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// Read, parse and render everything.
    pub fn rebuild_all(&mut self) -> Outcome {
        let before = self.problem().cloned();
        let outcome = self.load_everything();
        self.settle(before, outcome)
    }

    /// Apply one batch of changes.
    pub fn apply(&mut self, changes: &Changes) -> Outcome {
        let before = self.problem().cloned();
        let outcome = self.apply_changes(changes);
        self.settle(before, outcome)
    }

    /// Browsers reload when a page changed or the overlay appeared, changed or went.
    fn settle(&self, before: Option<Problem>, mut outcome: Outcome) -> Outcome {
        outcome.changed = outcome.pages_changed > 0 || self.problem() != before.as_ref();
        outcome
    }

    fn load_everything(&mut self) -> Outcome {
        let mut timings = Timings::default();
        let started = Instant::now();
        let (sources, problems) = discover::discover(&self.site.root, &self.site.content_dir());
        timings.read = started.elapsed();
        let started = Instant::now();
        self.parsed = sources
            .par_iter()
            .map(|s| content::parse(s, &self.site.config))
            .collect();
        timings.parse = started.elapsed();
        let reparsed = sources.len();
        let removed = self.sources.len().saturating_sub(sources.len());
        self.sources = sources;
        self.unreadable = problems
            .into_iter()
            .map(|d| (self.site.root.join(&d.path), d))
            .collect();
        self.finish(timings, reparsed, removed)
    }

    fn apply_changes(&mut self, changes: &Changes) -> Outcome {
        if changes.config {
            match Config::load(&self.site.root) {
                Err(e) => {
                    // Keep building with the previous config; say so on every page.
                    self.config_problem = Some(Problem::Config(e.to_string()));
                    return self.unchanged(Timings::default());
                }
                Ok(config) => {
                    // Any setting may change how files are parsed or pages look.
                    self.config_problem = None;
                    self.site.config = config;
                    return self.load_everything();
                }
            }
        }
        if changes.rescan {
            return self.load_everything();
        }
        if changes.content.is_empty() {
            // Templates or static files only: the archive is as it was.
            return self.rerender(Timings::default());
        }
        let mut timings = Timings::default();
        let started = Instant::now();
        let unreadable_before: Vec<PathBuf> =
            self.unreadable.iter().map(|(p, _)| p.clone()).collect();
        let mut changed_paths = BTreeSet::new();
        let mut removed = 0;
        for path in &changes.content {
            removed += self.refresh_path(path, &mut changed_paths);
        }
        let to_parse: Vec<usize> = changed_paths
            .iter()
            .filter_map(|p| self.position(p).ok())
            .collect();
        timings.read = started.elapsed();
        let started = Instant::now();
        let fresh: Vec<(usize, Parsed)> = to_parse
            .par_iter()
            .map(|&i| (i, content::parse(&self.sources[i], &self.site.config)))
            .collect();
        // A save that parses to the same incident and diagnostics (an edit undone, a
        // touch, a whitespace change) cannot change any page: the archive-wide stages
        // are skipped for it.
        let mut semantic_changes = 0;
        for (i, p) in fresh {
            let old = &self.parsed[i];
            if old.incident != p.incident || old.diagnostics != p.diagnostics {
                semantic_changes += 1;
            }
            self.parsed[i] = p;
        }
        timings.parse = started.elapsed();
        let unreadable_same = self
            .unreadable
            .iter()
            .map(|(p, _)| p)
            .eq(unreadable_before.iter());
        if semantic_changes == 0 && removed == 0 && unreadable_same && self.last.is_some() {
            // Saved without changes (or an editor's own temporary files): nothing to do.
            let mut outcome = self.unchanged(timings);
            outcome.reparsed = to_parse.len();
            return outcome;
        }
        self.finish(timings, to_parse.len(), removed)
    }

    /// Bring the cache in line with `path` (a file or folder that changed, appeared or
    /// vanished). Pushes indices to re-parse; returns how many files were dropped.
    fn refresh_path(&mut self, path: &Path, to_parse: &mut BTreeSet<PathBuf>) -> usize {
        let content_dir = self.site.content_dir();
        let Ok(rel_to_content) = path.strip_prefix(&content_dir) else {
            return 0;
        };
        if rel_to_content
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
        {
            return 0;
        }
        self.unreadable.retain(|(p, _)| !p.starts_with(path));
        let metadata = std::fs::metadata(path);
        match metadata {
            Ok(m) if m.is_dir() => {
                // A folder moved in (or created): take every post-mortem in it.
                let (files, problems) = discover::discover(&self.site.root, path);
                self.unreadable.extend(
                    problems
                        .into_iter()
                        .map(|d| (self.site.root.join(&d.path), d)),
                );
                let mut removed = 0;
                let known: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
                // Files under it that are gone (a folder replaced by another of the same name).
                let stale: Vec<PathBuf> = self
                    .sources
                    .iter()
                    .filter(|s| s.path.starts_with(path) && !known.contains(&s.path))
                    .map(|s| s.path.clone())
                    .collect();
                for p in stale {
                    removed += self.remove(&p);
                }
                for file in files {
                    self.upsert(file, to_parse);
                }
                removed
            }
            Ok(m) if m.is_file() => {
                if path.extension().is_none_or(|e| e != "md") {
                    return 0;
                }
                let rel = discover::relative(&self.site.root, path);
                match discover::read_source(path) {
                    Ok(text) => {
                        self.upsert(
                            SourceFile {
                                path: path.to_path_buf(),
                                rel,
                                text,
                            },
                            to_parse,
                        );
                        0
                    }
                    Err(diag) => {
                        self.unreadable.push((path.to_path_buf(), diag(rel)));
                        self.remove(path)
                    }
                }
            }
            // Gone (deleted, or renamed away: the new name arrives as its own path).
            _ => {
                let gone: Vec<PathBuf> = self
                    .sources
                    .iter()
                    .filter(|s| s.path.starts_with(path))
                    .map(|s| s.path.clone())
                    .collect();
                gone.iter().map(|p| self.remove(p)).sum()
            }
        }
    }

    fn position(&self, path: &Path) -> Result<usize, usize> {
        self.sources
            .binary_search_by(|s| s.path.as_path().cmp(path))
    }

    fn upsert(&mut self, file: SourceFile, to_parse: &mut BTreeSet<PathBuf>) {
        match self.position(&file.path) {
            Ok(i) => {
                if self.sources[i].text != file.text {
                    to_parse.insert(file.path.clone());
                    self.sources[i] = file;
                }
            }
            Err(i) => {
                to_parse.insert(file.path.clone());
                self.sources.insert(i, file);
                self.parsed.insert(i, Parsed::default());
            }
        }
    }

    fn remove(&mut self, path: &Path) -> usize {
        match self.position(path) {
            Ok(i) => {
                self.sources.remove(i);
                self.parsed.remove(i);
                1
            }
            Err(_) => 0,
        }
    }

    /// Assemble and analyse the cached files, then render unless there are errors.
    fn finish(&mut self, mut timings: Timings, reparsed: usize, removed: usize) -> Outcome {
        let started = Instant::now();
        let problems: Vec<Diagnostic> = self.unreadable.iter().map(|(_, d)| d.clone()).collect();
        let (archive, mut diagnostics) =
            pipeline::assemble(&self.site, &self.sources, self.parsed.clone(), problems);
        timings.assemble = started.elapsed();
        let started = Instant::now();
        let (insights, more) = pipeline::analyse(&self.site, &archive);
        diagnostics.extend(more);
        diagnostics.apply_levels(&self.site.config.checks);
        diagnostics.finish();
        timings.analyse = started.elapsed();
        self.last = Some(Assembled {
            archive,
            insights,
            diagnostics,
        });
        let mut outcome = self.rerender(timings);
        outcome.reparsed = reparsed;
        outcome.removed = removed;
        outcome
    }

    /// Render the last assembled archive and swap it in when it is good.
    fn rerender(&mut self, mut timings: Timings) -> Outcome {
        let Some(last) = &self.last else {
            return self.load_everything();
        };
        let diagnostics = last.diagnostics.items.clone();
        if diagnostics.iter().any(|d| d.level == Level::Error) {
            self.build_problem = Some(Problem::Content(diagnostics.clone()));
            return Outcome {
                reparsed: 0,
                removed: 0,
                pages_changed: 0,
                changed: false,
                diagnostics,
                timings,
            };
        }
        let rendered = render_files(&self.site, &last.archive, &last.insights, &mut timings);
        let files = match rendered {
            Ok(files) => files,
            Err(e) => {
                let message = e
                    .chain()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("\n  caused by: ");
                self.build_problem = Some(Problem::Render(message));
                return Outcome {
                    reparsed: 0,
                    removed: 0,
                    pages_changed: 0,
                    changed: false,
                    diagnostics,
                    timings,
                };
            }
        };
        let started = Instant::now();
        let (output, pages_changed) = merge(&self.output, files);
        timings.compare = started.elapsed();
        self.build_problem = None;
        if pages_changed > 0 {
            self.output = Arc::new(output);
        }
        Outcome {
            reparsed: 0,
            removed: 0,
            pages_changed,
            changed: false,
            diagnostics,
            timings,
        }
    }

    fn unchanged(&self, timings: Timings) -> Outcome {
        Outcome {
            reparsed: 0,
            removed: 0,
            pages_changed: 0,
            changed: false,
            diagnostics: self.current_diagnostics(),
            timings,
        }
    }

    fn current_diagnostics(&self) -> Vec<Diagnostic> {
        self.last
            .as_ref()
            .map(|l| l.diagnostics.items.clone())
            .unwrap_or_default()
    }
}

/// Every file `build` publishes (pages, data files, the search page and the browser's
/// search index), without the CLI's tantivy index: that one lives in the cache, serves
/// `hindsight search`, and is not worth its time on every save (zola#2133). Kept in step
/// with `pipeline::build`; tests/it/serve.rs compares the two outputs file by file.
fn render_files(
    site: &Site,
    archive: &Archive,
    insights: &Insights,
    timings: &mut Timings,
) -> anyhow::Result<Vec<pipeline::OutputFile>> {
    let started = Instant::now();
    let mut files = crate::render::render_site(site, archive, insights)?;
    timings.render = started.elapsed();
    let started = Instant::now();
    files.extend(crate::search::index_files(archive));
    timings.search = started.elapsed();
    Ok(files)
}

/// The new output as a map, reusing the old buffer of every file whose bytes did not
/// change; with the number of files added, changed or removed.
fn merge(old: &Files, files: Vec<pipeline::OutputFile>) -> (Files, usize) {
    // Comparing is a pass over every byte of the site: share it between the cores.
    let compared: Vec<(String, Arc<[u8]>, bool)> = files
        .into_par_iter()
        .map(|f| match old.get(&f.path) {
            Some(previous) if **previous == *f.bytes => (f.path, Arc::clone(previous), false),
            _ => (f.path, Arc::from(f.bytes), true),
        })
        .collect();
    let mut changed = compared.iter().filter(|(_, _, differs)| *differs).count();
    let new: Files = compared
        .into_iter()
        .map(|(path, bytes, _)| (path, bytes))
        .collect();
    changed += old.keys().filter(|k| !new.contains_key(*k)).count();
    (new, changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::OutputFile;

    fn post(title: &str, date: &str) -> String {
        format!(
            "---\ntitle: {title}\ndate: {date}\nseverity: SEV2\nstatus: final\n---\n# Post-Mortem: {title}\n\nWhat happened.\n"
        )
    }

    /// A site with two post-mortems, loaded.
    fn site() -> (tempfile::TempDir, Builder) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/2025")).unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage", "2025-01-02"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("content/2025/b.md"),
            post("Beta outage", "2025-02-03"),
        )
        .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let site = Site {
            config: Config::load(&root).unwrap(),
            root,
            as_of: "2025-12-01".parse().unwrap(),
            include_drafts: false,
        };
        let mut builder = Builder::new(site);
        let outcome = builder.rebuild_all();
        assert_eq!(outcome.reparsed, 2);
        assert!(builder.problem().is_none(), "{:?}", builder.problem());
        (dir, builder)
    }

    fn content(builder: &Builder, rel: &str) -> Changes {
        Changes {
            content: [builder.site().content_dir().join(rel)].into(),
            ..Changes::default()
        }
    }

    fn page(builder: &Builder, id: &str) -> Option<String> {
        builder
            .output()
            .get(&format!("incidents/{id}/index.html"))
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    #[test]
    fn an_edit_reparses_one_file_and_changes_its_page() {
        let (dir, mut b) = site();
        let before = b.output();
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage, revised", "2025-01-02"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert_eq!((outcome.reparsed, outcome.removed), (1, 0));
        assert!(outcome.changed && outcome.pages_changed > 0);
        assert!(page(&b, "a").unwrap().contains("Alpha outage, revised"));
        let after = b.output();
        assert!(
            Arc::ptr_eq(&before["static/style.css"], &after["static/style.css"]),
            "unchanged files share their buffer"
        );
        assert!(!Arc::ptr_eq(
            &before["incidents/a/index.html"],
            &after["incidents/a/index.html"]
        ));
        // Saving again without a change does nothing.
        let again = b.apply(&content(&b, "a.md"));
        assert_eq!((again.reparsed, again.changed), (0, false));
        // A trailing blank line parses to the same incident: re-parsed, nothing rendered.
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage, revised", "2025-01-02") + "\n",
        )
        .unwrap();
        let blank = b.apply(&content(&b, "a.md"));
        assert_eq!((blank.reparsed, blank.changed), (1, false));
        assert_eq!(
            blank.timings.render,
            Duration::ZERO,
            "no render for a change that changes nothing"
        );
    }

    #[test]
    fn add_rename_and_delete_follow_the_files() {
        let (dir, mut b) = site();
        std::fs::write(
            dir.path().join("content/c.md"),
            post("Gamma outage", "2025-03-04"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "c.md"));
        assert_eq!(outcome.reparsed, 1);
        assert!(page(&b, "c").unwrap().contains("Gamma outage"));
        // A rename arrives as both paths.
        std::fs::rename(
            dir.path().join("content/c.md"),
            dir.path().join("content/d.md"),
        )
        .unwrap();
        let mut changes = content(&b, "c.md");
        changes.content.insert(b.site().content_dir().join("d.md"));
        let outcome = b.apply(&changes);
        assert_eq!((outcome.reparsed, outcome.removed), (1, 1));
        assert!(page(&b, "c").is_none() && page(&b, "d").is_some());
        // A folder moved away takes its post-mortems with it; moved back, they return.
        std::fs::rename(
            dir.path().join("content/2025"),
            dir.path().join("elsewhere"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "2025"));
        assert_eq!(outcome.removed, 1);
        assert!(page(&b, "b").is_none());
        std::fs::rename(
            dir.path().join("elsewhere"),
            dir.path().join("content/2025"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "2025"));
        assert_eq!(outcome.reparsed, 1);
        assert!(page(&b, "b").is_some());
        assert_eq!(b.source_count(), 3);
    }

    #[test]
    fn hidden_and_non_markdown_files_are_ignored() {
        let (dir, mut b) = site();
        std::fs::write(dir.path().join("content/.a.md.swp"), "junk").unwrap();
        std::fs::write(dir.path().join("content/a.md~"), "junk").unwrap();
        let mut changes = content(&b, ".a.md.swp");
        changes.content.insert(b.site().content_dir().join("a.md~"));
        let outcome = b.apply(&changes);
        assert_eq!((outcome.reparsed, outcome.changed), (0, false));
        assert_eq!(b.source_count(), 2);
    }

    #[test]
    fn errors_keep_the_last_good_output_until_fixed() {
        let (dir, mut b) = site();
        let good = b.output();
        std::fs::write(
            dir.path().join("content/a.md"),
            "---\ntitle: Alpha: [broken\n---\n",
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert!(outcome.changed, "the overlay appears");
        assert_eq!(outcome.pages_changed, 0);
        assert!(
            Arc::ptr_eq(&good, &b.output()),
            "the last good output stays"
        );
        let Some(Problem::Content(ds)) = b.problem() else {
            panic!("{:?}", b.problem())
        };
        assert!(
            ds.iter().any(|d| d.level == Level::Error
                && d.path == Path::new("content/a.md")
                && d.line == 2),
            "{ds:?}"
        );
        assert!(b.problem().unwrap().overlay().contains("content/a.md:2:"));
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage", "2025-01-02"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert!(outcome.changed, "the overlay goes");
        assert!(b.problem().is_none());
    }

    #[test]
    fn config_errors_keep_the_previous_config_and_templates_rerender() {
        let (dir, mut b) = site();
        std::fs::write(dir.path().join("site.toml"), "titel = \"typo\"\n").unwrap();
        let outcome = b.apply(&Changes {
            config: true,
            ..Changes::default()
        });
        assert!(outcome.changed);
        let Some(Problem::Config(message)) = b.problem() else {
            panic!("{:?}", b.problem())
        };
        assert!(message.contains("titel"), "{message}");
        // Content edits still rebuild (with the old config), and the config error stays.
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage again", "2025-01-02"),
        )
        .unwrap();
        b.apply(&content(&b, "a.md"));
        assert!(page(&b, "a").unwrap().contains("Alpha outage again"));
        assert!(matches!(b.problem(), Some(Problem::Config(_))));
        std::fs::write(dir.path().join("site.toml"), "title = \"Renamed site\"\n").unwrap();
        let outcome = b.apply(&Changes {
            config: true,
            ..Changes::default()
        });
        assert!(outcome.changed && b.problem().is_none());
        assert_eq!(outcome.reparsed, 2, "a config change re-reads everything");
        assert!(page(&b, "a").unwrap().contains("Renamed site"));
        // A template override is picked up without re-parsing.
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/extra.css"), "p{}").unwrap();
        let outcome = b.apply(&Changes {
            statics: true,
            ..Changes::default()
        });
        assert_eq!((outcome.reparsed, outcome.pages_changed), (0, 1));
        assert_eq!(&*b.output()["static/extra.css"], b"p{}");
    }

    #[test]
    fn a_broken_template_is_reported_and_the_site_kept() {
        let (dir, mut b) = site();
        let good = b.output();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/incident.html"), "{% if %}").unwrap();
        let outcome = b.apply(&Changes {
            templates: true,
            ..Changes::default()
        });
        assert!(outcome.changed);
        assert!(
            matches!(b.problem(), Some(Problem::Render(_))),
            "{:?}",
            b.problem()
        );
        assert!(Arc::ptr_eq(&good, &b.output()));
        std::fs::remove_file(dir.path().join("templates/incident.html")).unwrap();
        let outcome = b.apply(&Changes {
            templates: true,
            ..Changes::default()
        });
        assert!(outcome.changed && b.problem().is_none());
    }

    #[test]
    fn merge_counts_added_changed_and_removed_files_and_shares_the_rest() {
        let (old, n) = merge(
            &Files::new(),
            vec![
                OutputFile::new("a", "1"),
                OutputFile::new("b", "2"),
                OutputFile::new("c", "3"),
            ],
        );
        assert_eq!(n, 3);
        let (new, n) = merge(
            &old,
            vec![
                OutputFile::new("a", "1"),
                OutputFile::new("b", "two"),
                OutputFile::new("d", "4"),
            ],
        );
        assert_eq!(n, 3, "b changed, d added, c removed");
        assert!(
            Arc::ptr_eq(&old["a"], &new["a"]),
            "unchanged bytes keep their buffer"
        );
        assert_eq!(&*new["b"], b"two");
        assert!(!new.contains_key("c"));
    }
}
