//! Incremental rebuilds for `serve --watch`.
//!
//! The builder keeps every post-mortem's text and its parsed form, in path order (the
//! order `content::discover` yields). A save re-reads only the files that changed and
//! re-parses only those whose text differs. When they parse to something new, the
//! served archive (`live::Live`) is patched in place (the changed incidents out, their
//! new versions in), the previous analysis is carried over (`carry_insights`), and the
//! browsers reload; pages are rendered when they are asked for. The full analysis then
//! runs on its own thread (`analyst`) and replaces the insights if they differ, so the
//! site ends exactly as `build` would publish it. Template and static edits swap the
//! theme; site.toml edits rebuild everything.
//!
//! The served site only ever moves from one good build to the next: errors (content,
//! config or template) keep the previous site and record the problems for the overlay.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::analyst::{Analyst, Job};
use super::live::{Content, Live};
use super::watch::Changes;
use crate::config::{Config, RepeatsConfig};
use crate::content::{self, Parsed, SourceFile, discover};
use crate::diagnostics::{Diagnostic, Diagnostics, Level, fails};
use crate::model::{Archive, Incident, Insights};
use crate::render::pages::{PageData, SiteModel};
use crate::render::{self, Renderer, Unit};
use crate::site::Site;

/// Why the served site is not the latest build.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// Post-mortems with errors (with their warnings, which the overlay leaves out).
    Content(Vec<Diagnostic>),
    /// site.toml could not be read.
    Config(String),
    /// The theme or a page failed to render.
    Render(String),
}

impl Problem {
    /// The overlay shown on every page while the problem lasts.
    pub(crate) fn overlay(&self) -> String {
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

/// Where the time of one rebuild went (rendering happens later, per request).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timings {
    pub(crate) read: Duration,
    pub(crate) parse: Duration,
    /// Diagnostics of the whole content (parse errors, duplicate ids).
    pub(crate) check: Duration,
    /// Bringing the archive up to date (in place for a few files).
    pub(crate) archive: Duration,
    /// The whole-archive analysis when it runs before publishing (full rebuilds), or
    /// carrying the previous one over (saves; the full one follows on its own thread).
    pub(crate) analyse: Duration,
}

impl Timings {
    pub(crate) fn total(&self) -> Duration {
        self.read + self.parse + self.check + self.archive + self.analyse
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "read {:.1} ms, parse {:.1} ms, check {:.1} ms, archive {:.1} ms, analyse {:.1} ms",
            ms(self.read),
            ms(self.parse),
            ms(self.check),
            ms(self.archive),
            ms(self.analyse)
        )
    }
}

/// The result of one rebuild.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Files re-parsed because their text changed (or appeared).
    pub(crate) reparsed: usize,
    /// Files that disappeared from the archive.
    pub(crate) removed: usize,
    /// True when the served site or the overlay changed: browsers reload.
    pub(crate) changed: bool,
    /// Every diagnostic of the build (errors and warnings), sorted.
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) timings: Timings,
}

/// How the whole-archive analysis runs after a save.
pub(crate) enum Analysis {
    /// Right away, before `apply` returns (tests; the result is then exact at once).
    #[cfg(test)]
    Inline,
    /// On the analysis thread (`serve`): the save is shown first.
    Background(Sender<Job>),
}

/// The cached state of a site between rebuilds.
pub(crate) struct Builder {
    site: Site,
    /// Post-mortems in path order, with their parse results at the same index.
    sources: Vec<SourceFile>,
    parsed: Vec<Parsed>,
    /// Files that could not be read (or folders that could not be walked), by absolute path.
    unreadable: Vec<(PathBuf, Diagnostic)>,
    live: Arc<Live>,
    analyst: Arc<Analyst>,
    analysis: Analysis,
    /// The served archive is exactly what `parsed` publishes; false while content
    /// errors hold the last good archive back (the next good save re-assembles).
    in_sync: bool,
    /// site.toml failed to load: the previous config stays in use until it is fixed.
    config_problem: Option<Problem>,
    /// The latest content failed to build or render.
    build_problem: Option<Problem>,
}

impl Builder {
    /// A builder with nothing loaded yet; call `rebuild_all` next.
    pub(crate) fn new(
        site: Site,
        live: Arc<Live>,
        analyst: Arc<Analyst>,
        analysis: Analysis,
    ) -> Builder {
        Builder {
            site,
            sources: Vec::new(),
            parsed: Vec::new(),
            unreadable: Vec::new(),
            live,
            analyst,
            analysis,
            in_sync: false,
            config_problem: None,
            build_problem: None,
        }
    }

    pub(crate) fn site(&self) -> &Site {
        &self.site
    }

    #[cfg(test)]
    pub(crate) fn live(&self) -> &Arc<Live> {
        &self.live
    }

    /// What keeps the latest changes from being served, if anything.
    pub(crate) fn problem(&self) -> Option<&Problem> {
        self.config_problem.as_ref().or(self.build_problem.as_ref())
    }

    /// Number of post-mortem files known.
    pub(crate) fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// Read, parse and analyse everything.
    pub(crate) fn rebuild_all(&mut self) -> Outcome {
        let before = self.problem().cloned();
        let outcome = self.load_everything();
        self.settle(before, outcome)
    }

    /// Apply one batch of changes.
    pub(crate) fn apply(&mut self, changes: &Changes) -> Outcome {
        let before = self.problem().cloned();
        let outcome = self.apply_changes(changes);
        self.settle(before, outcome)
    }

    /// A change of problem (the overlay appearing, changing or going) is a change too.
    fn settle(&self, before: Option<Problem>, mut outcome: Outcome) -> Outcome {
        if self.problem() != before.as_ref() {
            outcome.changed = true;
            let overlay = self.problem().map(Problem::overlay);
            self.live.update(|state| state.overlay = overlay);
        }
        outcome
    }

    fn load_everything(&mut self) -> Outcome {
        let mut timings = Timings::default();
        let started = Instant::now();
        let (sources, problems) = content::archive::read_all(&self.site);
        timings.read = started.elapsed();
        let started = Instant::now();
        self.parsed = content::archive::parse_all(&self.site, &sources);
        timings.parse = started.elapsed();
        let reparsed = sources.len();
        let removed = self.sources.len().saturating_sub(sources.len());
        self.sources = sources;
        self.unreadable = problems
            .into_iter()
            .map(|d| (self.site.root.join(&d.path), d))
            .collect();
        let mut outcome = self.publish_all(timings);
        outcome.reparsed = reparsed;
        outcome.removed = removed;
        outcome
    }

    /// Assemble and analyse everything, then publish it with a fresh theme when good.
    fn publish_all(&mut self, mut timings: Timings) -> Outcome {
        let started = Instant::now();
        let diagnostics = self.content_diagnostics(&[]);
        timings.check = started.elapsed();
        if fails(&diagnostics, false) {
            return self.hold_back(diagnostics, timings);
        }
        let started = Instant::now();
        let incidents = self.parsed.iter().filter_map(|p| p.incident.clone());
        let archive = Archive::new(self.site.published(incidents));
        timings.archive = started.elapsed();
        let started = Instant::now();
        // Everything may have changed: no cached tokens are trusted.
        self.analyst.forget();
        let (insights, analysis_diagnostics) =
            self.analyst.analyse(&self.site.config, &archive, &[]);
        timings.analyse = started.elapsed();
        let mut all = diagnostics;
        all.extend(analysis_diagnostics.iter().cloned());
        sort(&mut all);
        if fails(&all, false) {
            return self.hold_back(all, timings);
        }
        let renderer = match Renderer::new(&self.site) {
            Ok(r) => Arc::new(r),
            Err(e) => return self.render_failed(&e, all, timings),
        };
        let content = Content::new(renderer, Arc::new(archive), insights);
        if let Err(message) = probe(&self.site, &content) {
            self.build_problem = Some(Problem::Render(message));
            return self.unchanged(all, timings);
        }
        let site = self.site.clone();
        self.live.update(|state| {
            state.site = site;
            state.content = Some(content);
            state.version += 1;
            state.analysis_diagnostics = analysis_diagnostics;
        });
        self.in_sync = true;
        self.build_problem = None;
        Outcome {
            reparsed: 0,
            removed: 0,
            changed: true,
            diagnostics: all,
            timings,
        }
    }

    fn apply_changes(&mut self, changes: &Changes) -> Outcome {
        if changes.config {
            let loaded = Config::load(&self.site.root)
                .map_err(|e| e.to_string())
                .and_then(|mut config| {
                    crate::taxonomy::settle_config(&mut config, &self.site.root).map(|()| config)
                });
            match loaded {
                Err(e) => {
                    // Keep building with the previous config; say so on every page.
                    self.config_problem = Some(Problem::Config(e));
                    return self.unchanged(self.current_diagnostics(), Timings::default());
                }
                Ok(config) => {
                    // Any setting may change how files are parsed or pages look.
                    self.config_problem = None;
                    self.site.config = config;
                    return self.load_everything();
                }
            }
        }
        if changes.rescan || !self.live.view().ready() && changes.content.is_empty() {
            return self.load_everything();
        }
        if changes.content.is_empty() {
            // Templates or static files only: the archive is as it was.
            return self.retheme();
        }
        let mut timings = Timings::default();
        let started = Instant::now();
        let unreadable_before: Vec<PathBuf> =
            self.unreadable.iter().map(|(p, _)| p.clone()).collect();
        let mut changed_paths = BTreeSet::new();
        let mut removed_sources = Vec::new();
        for path in &changes.content {
            self.refresh_path(path, &mut changed_paths, &mut removed_sources);
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
        // touch, a whitespace change) cannot change any page: nothing else runs for it.
        let mut touched: Vec<Touched> = removed_sources;
        for (i, p) in fresh {
            let old = std::mem::replace(&mut self.parsed[i], p);
            let new = &self.parsed[i];
            if old.incident != new.incident || old.diagnostics != new.diagnostics {
                touched.push(Touched {
                    rel: self.sources[i].rel.clone(),
                    old_id: old.incident.map(|i| i.id),
                });
            }
        }
        timings.parse = started.elapsed();
        let unreadable_same = self
            .unreadable
            .iter()
            .map(|(p, _)| p)
            .eq(unreadable_before.iter());
        if touched.is_empty() && unreadable_same {
            // Saved without changes (or an editor's own temporary files): nothing to do.
            let mut outcome = self.unchanged(self.current_diagnostics(), timings);
            outcome.reparsed = to_parse.len();
            return outcome;
        }
        let removed = touched
            .iter()
            .filter(|t| self.position(&self.site.root.join(&t.rel)).is_err())
            .count();
        let mut outcome = self.publish_changes(&touched, timings);
        outcome.reparsed = to_parse.len();
        outcome.removed = removed;
        outcome
    }

    /// Publish the archive with the `touched` files' new versions: patched in place, with
    /// the previous insights carried over, and the full analysis queued.
    fn publish_changes(&mut self, touched: &[Touched], mut timings: Timings) -> Outcome {
        let started = Instant::now();
        let analysis_before = self.live.inspect(|s| s.analysis_diagnostics.clone());
        let diagnostics = self.content_diagnostics(&analysis_before);
        timings.check = started.elapsed();
        if fails(&diagnostics, false) {
            return self.hold_back(diagnostics, timings);
        }
        let started = Instant::now();
        let touched_rel: BTreeSet<&Path> = touched.iter().map(|t| t.rel.as_path()).collect();
        let replacements: Vec<Incident> = if self.in_sync {
            let incidents = self
                .sources
                .iter()
                .zip(&self.parsed)
                .filter(|(s, _)| touched_rel.contains(s.rel.as_path()))
                .filter_map(|(_, p)| p.incident.clone());
            self.site.published(incidents)
        } else {
            Vec::new()
        };
        let whole: Option<Archive> = (!self.in_sync).then(|| {
            let incidents = self.parsed.iter().filter_map(|p| p.incident.clone());
            Archive::new(self.site.published(incidents))
        });
        let mut changed_ids: Vec<String> =
            touched.iter().filter_map(|t| t.old_id.clone()).collect();
        changed_ids.extend(replacements.iter().map(|i| i.id.clone()));
        let repeats_config = self.site.config.repeats.clone();
        let mut insights_time = Duration::ZERO;
        let (job, _) = self.live.update(|state| {
            let content = state.content.as_mut()?;
            match whole {
                Some(archive) => content.archive = Arc::new(archive),
                None => {
                    let archive = Arc::make_mut(&mut content.archive);
                    archive
                        .incidents
                        .retain(|i| !touched_rel.contains(i.source.as_path()));
                    archive.incidents.extend(replacements);
                    archive.sort();
                }
            }
            let insights_started = Instant::now();
            carry_insights(&mut content.insights, &content.archive, &repeats_config);
            insights_time = insights_started.elapsed();
            state.version += 1;
            Some(Job {
                version: state.version,
                archive: Arc::clone(&content.archive),
                config: state.site.config.clone(),
                changed_ids,
            })
        });
        // Preparing the new versions and patching the archive; the insights apart.
        timings.archive = started.elapsed().saturating_sub(insights_time);
        timings.analyse = insights_time;
        let Some(job) = job else {
            // No good build yet: this is the first.
            return self.publish_all(timings);
        };
        self.in_sync = true;
        self.build_problem = None;
        let diagnostics = match &self.analysis {
            #[cfg(test)]
            Analysis::Inline => {
                self.analyst.run(job);
                self.current_diagnostics()
            }
            Analysis::Background(jobs) => {
                self.live.pending_analyses.fetch_add(1, Ordering::SeqCst);
                if jobs.send(job).is_err() {
                    self.live.pending_analyses.fetch_sub(1, Ordering::SeqCst);
                }
                diagnostics
            }
        };
        Outcome {
            reparsed: 0,
            removed: 0,
            changed: true,
            diagnostics,
            timings,
        }
    }

    /// Templates or static files changed: a new theme over the same content.
    fn retheme(&mut self) -> Outcome {
        let diagnostics = self.current_diagnostics();
        let renderer = match Renderer::new(&self.site) {
            Ok(r) => Arc::new(r),
            Err(e) => return self.render_failed(&e, diagnostics, Timings::default()),
        };
        let checked = self.live.inspect(|state| {
            let content = state.content.as_ref()?;
            let trial = Content::new(
                Arc::clone(&renderer),
                Arc::clone(&content.archive),
                content.insights.clone(),
            );
            Some(probe(&state.site, &trial))
        });
        match checked {
            None => return self.load_everything(),
            Some(Err(message)) => {
                self.build_problem = Some(Problem::Render(message));
                return self.unchanged(diagnostics, Timings::default());
            }
            Some(Ok(())) => {}
        }
        self.live.update(|state| {
            if let Some(content) = &mut state.content {
                content.renderer = renderer;
            }
        });
        // Content errors, if any, still hold the content back.
        if !matches!(self.build_problem, Some(Problem::Content(_))) {
            self.build_problem = None;
        }
        Outcome {
            reparsed: 0,
            removed: 0,
            changed: true,
            diagnostics,
            timings: Timings::default(),
        }
    }

    /// The diagnostics of every file and of the archive, with `analysis` (the last
    /// analysis's findings) for files that still exist.
    fn content_diagnostics(&self, analysis: &[Diagnostic]) -> Vec<Diagnostic> {
        let problems: Vec<Diagnostic> = self.unreadable.iter().map(|(_, d)| d.clone()).collect();
        let mut diagnostics =
            crate::content::archive::diagnostics(&self.site, &self.parsed, problems).items;
        let known: BTreeSet<&Path> = self.sources.iter().map(|s| s.rel.as_path()).collect();
        diagnostics.extend(
            analysis
                .iter()
                .filter(|d| known.contains(d.path.as_path()))
                .cloned(),
        );
        sort(&mut diagnostics);
        diagnostics
    }

    fn current_diagnostics(&self) -> Vec<Diagnostic> {
        let analysis = self.live.inspect(|s| s.analysis_diagnostics.clone());
        self.content_diagnostics(&analysis)
    }

    /// Errors in the content: the served archive stays as it was.
    fn hold_back(&mut self, diagnostics: Vec<Diagnostic>, timings: Timings) -> Outcome {
        self.build_problem = Some(Problem::Content(diagnostics.clone()));
        self.in_sync = false;
        self.unchanged(diagnostics, timings)
    }

    fn render_failed(
        &mut self,
        error: &anyhow::Error,
        diagnostics: Vec<Diagnostic>,
        timings: Timings,
    ) -> Outcome {
        let message = super::error_text(error);
        self.build_problem = Some(Problem::Render(message));
        self.unchanged(diagnostics, timings)
    }

    fn unchanged(&self, diagnostics: Vec<Diagnostic>, timings: Timings) -> Outcome {
        Outcome {
            reparsed: 0,
            removed: 0,
            changed: false,
            diagnostics,
            timings,
        }
    }

    /// Bring the cache in line with `path` (a file or folder that changed, appeared or
    /// vanished): collects the files to re-parse and the ones that went.
    fn refresh_path(
        &mut self,
        path: &Path,
        to_parse: &mut BTreeSet<PathBuf>,
        removed: &mut Vec<Touched>,
    ) {
        let rules = discover::Rules::of(&self.site);
        let Some(content_dir) = rules
            .content_dirs()
            .iter()
            .find(|d| path.starts_with(d))
            .cloned()
        else {
            return;
        };
        let rel_to_content = path.strip_prefix(&content_dir).unwrap_or(path);
        if rel_to_content
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
        {
            return;
        }
        self.unreadable.retain(|(p, _)| !p.starts_with(path));
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                // A folder moved in (or created): take every post-mortem in it.
                let (files, problems) = discover::discover_in(&rules, Some(path));
                self.unreadable.extend(
                    problems
                        .into_iter()
                        .map(|d| (self.site.root.join(&d.path), d)),
                );
                let known: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
                // Files under it that are gone (a folder replaced by another of the same name).
                let stale: Vec<PathBuf> = self
                    .sources
                    .iter()
                    .filter(|s| s.path.starts_with(path) && !known.contains(&s.path))
                    .map(|s| s.path.clone())
                    .collect();
                for p in stale {
                    removed.extend(self.remove(&p));
                }
                for file in files {
                    self.upsert(file, to_parse);
                }
            }
            Ok(m) if m.is_file() => {
                // Folder defaults changed: every post-mortem below takes them again.
                if path
                    .file_name()
                    .is_some_and(|n| n == discover::DEFAULTS_FILE)
                    && let Some(folder) = path.parent()
                {
                    self.refresh_path(folder, to_parse, removed);
                    return;
                }
                match rules.read(path) {
                    Ok(Some(file)) => self.upsert(file, to_parse),
                    Ok(None) => removed.extend(self.remove(path)),
                    Err(diag) => {
                        self.unreadable.push((path.to_path_buf(), diag));
                        removed.extend(self.remove(path));
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
                for p in gone {
                    removed.extend(self.remove(&p));
                }
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
                if self.sources[i] != file {
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

    fn remove(&mut self, path: &Path) -> Option<Touched> {
        let i = self.position(path).ok()?;
        let source = self.sources.remove(i);
        let parsed = self.parsed.remove(i);
        Some(Touched {
            rel: source.rel,
            old_id: parsed.incident.map(|i| i.id),
        })
    }
}

/// A post-mortem file whose parsed form changed, appeared or went.
struct Touched {
    /// Relative to the site root, as `Incident::source`.
    rel: PathBuf,
    /// The id it had before, if it had an incident.
    old_id: Option<String>,
}

/// The previous analysis, made to fit the new archive until the full one arrives:
/// entries of incidents that are gone are dropped and links to them removed; repeats,
/// cheap and decided by dates and labels, are computed again in full.
pub(crate) fn carry_insights(insights: &mut Insights, archive: &Archive, repeats: &RepeatsConfig) {
    let ids: HashSet<&str> = archive.incidents.iter().map(|i| i.id.as_str()).collect();
    insights.related.retain(|id, list| {
        list.retain(|r| ids.contains(r.id.as_str()));
        ids.contains(id.as_str())
    });
    insights.cause_suggestions.retain(|id, list| {
        for s in list.iter_mut() {
            s.from.retain(|f| ids.contains(f.as_str()));
        }
        ids.contains(id.as_str())
    });
    insights
        .inferred_causes
        .retain(|id, _| ids.contains(id.as_str()));
    // Inferred repeats need the analysis; the last ones stand (between incidents still
    // there) until the analyst brings new ones.
    let inferred: Vec<(String, crate::model::RepeatOf)> = std::mem::take(&mut insights.repeat_of)
        .into_iter()
        .filter(|(id, r)| r.inferred && ids.contains(id.as_str()) && ids.contains(r.id.as_str()))
        .collect();
    insights.repeat_of = crate::analysis::repeats::repeats(&archive.incidents, repeats);
    for (id, r) in inferred {
        insights.repeat_of.entry(id).or_insert(r);
    }
}

/// Render a page of each kind with `content`, so that a template error is found before
/// the new theme or content is served rather than by the next request.
fn probe(site: &Site, content: &Content) -> Result<(), String> {
    let data = PageData::new(site, &content.archive, &content.insights);
    let model = SiteModel::new(site, &content.archive, &content.insights, &data);
    let mut units = vec![
        Unit::Home,
        Unit::NotFound,
        Unit::ActionItems,
        Unit::SearchPage,
    ];
    units.extend(
        content
            .archive
            .incidents
            .first()
            .map(|i| Unit::Incident(i.id.clone())),
    );
    for (taxonomy, terms) in &data.taxonomies {
        units.push(Unit::Taxonomy(taxonomy));
        units.extend(terms.first().map(|t| Unit::Term(taxonomy, t.slug.clone())));
    }
    units.par_iter().try_for_each(|unit| {
        render::render_unit(&content.renderer, &model, unit, &[])
            .map(|_| ())
            .map_err(|e| super::error_text(&e))
    })
}

fn sort(diagnostics: &mut Vec<Diagnostic>) {
    let mut all = Diagnostics {
        items: std::mem::take(diagnostics),
    };
    all.finish();
    *diagnostics = all.items;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline;

    fn post(title: &str, date: &str) -> String {
        format!(
            "---\ntitle: {title}\ndate: {date}\nseverity: SEV2\nstatus: final\n---\n# Post-Mortem: {title}\n\nWhat happened.\n"
        )
    }

    /// A post-mortem with a cause and a service, so that related lists and repeats exist.
    fn labelled(title: &str, date: &str, cause: &str, body: &str) -> String {
        format!(
            "---\ntitle: {title}\ndate: {date}\nseverity: SEV2\nstatus: final\ncauses: [{cause}]\nservices: [checkout]\n---\n# Post-Mortem: {title}\n\n## Root Cause\n\n{body}\n"
        )
    }

    fn new_site(dir: &Path) -> Builder {
        let root = dir.canonicalize().unwrap();
        let site = Site {
            config: Config::load(&root).unwrap(),
            root,
            as_of: "2025-12-01".parse().unwrap(),
            include_drafts: false,
        };
        let live = Arc::new(Live::new(site.clone()));
        let analyst = Arc::new(Analyst::new(Arc::clone(&live)));
        Builder::new(site, live, analyst, Analysis::Inline)
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
        let mut builder = new_site(dir.path());
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

    fn file(builder: &Builder, path: &str) -> Option<String> {
        builder
            .live()
            .view()
            .file(path)
            .unwrap()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn page(builder: &Builder, id: &str) -> Option<String> {
        file(builder, &format!("incidents/{id}/index.html"))
    }

    fn generation(builder: &Builder) -> u64 {
        builder.live().view().generation()
    }

    /// What `build` would render for the site as it is on disk now.
    fn full_render(builder: &Builder) -> Vec<crate::site::OutputFile> {
        let site = builder.site();
        let (archive, diagnostics) = pipeline::load(site);
        assert_eq!(diagnostics.error_count(), 0, "{diagnostics:?}");
        let (insights, _) = pipeline::analyse(site, &archive);
        let mut files = render::render_site(site, &archive, &insights).unwrap();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    fn assert_same_as_full_build(builder: &Builder) {
        let served = builder.live().view().all_files().unwrap();
        let built = full_render(builder);
        let paths = |fs: &[crate::site::OutputFile]| -> Vec<String> {
            fs.iter().map(|f| f.path.clone()).collect()
        };
        assert_eq!(paths(&served), paths(&built));
        for (s, b) in served.iter().zip(&built) {
            assert!(s.bytes == b.bytes, "{} differs from a full build", s.path);
        }
    }

    #[test]
    fn an_edit_reparses_one_file_and_changes_its_page() {
        let (dir, mut b) = site();
        let css = b.live().view().file("static/style.css").unwrap().unwrap();
        let before = generation(&b);
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage, revised", "2025-01-02"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert_eq!((outcome.reparsed, outcome.removed), (1, 0));
        assert!(outcome.changed && generation(&b) > before);
        assert!(page(&b, "a").unwrap().contains("Alpha outage, revised"));
        assert!(
            file(&b, "index.html")
                .unwrap()
                .contains("Alpha outage, revised")
        );
        assert_eq!(
            b.live().view().file("static/style.css").unwrap().unwrap(),
            css
        );
        // Saving again without a change does nothing.
        let at = generation(&b);
        let again = b.apply(&content(&b, "a.md"));
        assert_eq!((again.reparsed, again.changed), (0, false));
        // A trailing blank line parses to the same incident: re-parsed, nothing else.
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage, revised", "2025-01-02") + "\n",
        )
        .unwrap();
        let blank = b.apply(&content(&b, "a.md"));
        assert_eq!((blank.reparsed, blank.changed), (1, false));
        assert_eq!(
            generation(&b),
            at,
            "no new version for a change that changes nothing"
        );
        assert_eq!(blank.timings.archive, Duration::ZERO);
        assert_same_as_full_build(&b);
    }

    #[test]
    fn saves_patch_the_archive_and_the_analysis_catches_up_exactly() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
        let posts = [
            (
                "a",
                "Pool exhausted at checkout",
                "2025-01-02",
                "connection-pool",
                "The database connection pool was exhausted by a leak in the retry path.",
            ),
            (
                "b",
                "Checkout pool exhausted again",
                "2025-03-04",
                "connection-pool",
                "A connection leak in the retry path exhausted the database pool again.",
            ),
            (
                "c",
                "Certificate expired on the edge",
                "2025-05-06",
                "certificate-expiry",
                "The edge certificate expired because renewal was manual.",
            ),
            (
                "d",
                "DNS records vanished",
                "2025-07-08",
                "dns",
                "A zone push removed the DNS records of the checkout service.",
            ),
        ];
        for (id, title, date, cause, body) in posts {
            std::fs::write(
                dir.path().join(format!("content/{id}.md")),
                labelled(title, date, cause, body),
            )
            .unwrap();
        }
        let mut b = new_site(dir.path());
        b.rebuild_all();
        assert!(b.problem().is_none(), "{:?}", b.problem());
        assert_same_as_full_build(&b);
        // Rewrite d so that it shares c's cause: its related list and repeats change.
        std::fs::write(
            dir.path().join("content/d.md"),
            labelled(
                "Certificate expired on the API",
                "2025-07-08",
                "certificate-expiry",
                "The API certificate expired because renewal was manual.",
            ),
        )
        .unwrap();
        b.apply(&content(&b, "d.md"));
        assert!(
            page(&b, "d")
                .unwrap()
                .contains("Certificate expired on the API")
        );
        let d = page(&b, "d").unwrap();
        assert!(
            d.contains("incidents/c/index.html"),
            "d is now related to c (same cause): {d}"
        );
        assert_same_as_full_build(&b);
        // Add one, delete one, rename one.
        std::fs::write(
            dir.path().join("content/e.md"),
            labelled(
                "Pool exhausted a third time",
                "2025-09-01",
                "connection-pool",
                "The retry path leaked connections until the pool was exhausted.",
            ),
        )
        .unwrap();
        b.apply(&content(&b, "e.md"));
        assert_same_as_full_build(&b);
        std::fs::remove_file(dir.path().join("content/a.md")).unwrap();
        b.apply(&content(&b, "a.md"));
        assert!(page(&b, "a").is_none());
        assert_same_as_full_build(&b);
        std::fs::rename(
            dir.path().join("content/b.md"),
            dir.path().join("content/b2.md"),
        )
        .unwrap();
        let mut changes = content(&b, "b.md");
        changes.content.insert(b.site().content_dir().join("b2.md"));
        b.apply(&changes);
        assert!(page(&b, "b").is_none() && page(&b, "b2").is_some());
        assert_same_as_full_build(&b);
    }

    #[test]
    fn carried_insights_drop_incidents_that_are_gone() {
        use crate::model::{Incident, Related, RepeatOf};
        let incident = |id: &str| Incident {
            id: id.into(),
            ..Default::default()
        };
        let related = |id: &str| Related {
            id: id.into(),
            score: 0.5,
            reasons: Vec::new(),
            explicit: false,
            strength: "related",
        };
        let mut insights = Insights::default();
        insights
            .related
            .insert("a".into(), vec![related("b"), related("gone")]);
        insights.related.insert("gone".into(), vec![related("a")]);
        insights.repeat_of.insert(
            "a".into(),
            RepeatOf {
                id: "gone".into(),
                cause: "dns".into(),
                days_between: 3,
                inferred: false,
            },
        );
        let archive = Archive::new(vec![incident("a"), incident("b")]);
        carry_insights(&mut insights, &archive, &RepeatsConfig::default());
        assert_eq!(insights.related.len(), 1);
        assert_eq!(insights.related["a"], vec![related("b")]);
        assert!(insights.repeat_of.is_empty(), "repeats are computed again");
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
        assert_same_as_full_build(&b);
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
    fn errors_keep_the_last_good_site_until_fixed() {
        let (dir, mut b) = site();
        let good = page(&b, "a").unwrap();
        std::fs::write(
            dir.path().join("content/a.md"),
            "---\ntitle: Alpha: [broken\n---\n",
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert!(outcome.changed, "the overlay appears");
        assert_eq!(page(&b, "a").unwrap(), good, "the last good page stays");
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
        assert!(
            b.live()
                .view()
                .overlay()
                .unwrap()
                .contains("content/a.md:2:")
        );
        // Another file edited meanwhile is held back too, then published with the fix.
        std::fs::write(
            dir.path().join("content/2025/b.md"),
            post("Beta outage, revised", "2025-02-03"),
        )
        .unwrap();
        b.apply(&content(&b, "2025/b.md"));
        assert!(!page(&b, "b").unwrap().contains("revised"));
        std::fs::write(
            dir.path().join("content/a.md"),
            post("Alpha outage", "2025-01-02"),
        )
        .unwrap();
        let outcome = b.apply(&content(&b, "a.md"));
        assert!(outcome.changed, "the overlay goes");
        assert!(b.problem().is_none() && b.live().view().overlay().is_none());
        assert!(page(&b, "b").unwrap().contains("Beta outage, revised"));
        assert_same_as_full_build(&b);
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
        // A `[causes]` mapping onto no class is a config error in serve too.
        std::fs::write(
            dir.path().join("site.toml"),
            "[causes]\nmap = { \"x\" = \"no-such-class\" }\n",
        )
        .unwrap();
        b.apply(&Changes {
            config: true,
            ..Changes::default()
        });
        let Some(Problem::Config(message)) = b.problem() else {
            panic!("{:?}", b.problem())
        };
        assert!(message.contains("no-such-class"), "{message}");
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
        // A static file is picked up without re-parsing.
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/extra.css"), "p{}").unwrap();
        let outcome = b.apply(&Changes {
            statics: true,
            ..Changes::default()
        });
        assert_eq!((outcome.reparsed, outcome.changed), (0, true));
        assert_eq!(file(&b, "static/extra.css").unwrap(), "p{}");
        assert_same_as_full_build(&b);
    }

    #[test]
    fn a_broken_template_is_reported_and_the_site_kept() {
        let (dir, mut b) = site();
        let good = page(&b, "a").unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        // One that does not parse, and one that parses but fails when rendered.
        for broken in ["{% if %}", "{{ no_such_value.field }}"] {
            std::fs::write(dir.path().join("templates/incident.html"), broken).unwrap();
            let outcome = b.apply(&Changes {
                templates: true,
                ..Changes::default()
            });
            assert!(outcome.changed, "{broken}");
            assert!(
                matches!(b.problem(), Some(Problem::Render(_))),
                "{broken}: {:?}",
                b.problem()
            );
            assert_eq!(page(&b, "a").unwrap(), good, "{broken}");
        }
        std::fs::remove_file(dir.path().join("templates/incident.html")).unwrap();
        let outcome = b.apply(&Changes {
            templates: true,
            ..Changes::default()
        });
        assert!(outcome.changed && b.problem().is_none());
    }
}
