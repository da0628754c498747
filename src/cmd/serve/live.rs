//! The site `serve` answers from: the current archive, insights and theme, with every
//! file rendered on demand the first time it is asked for and kept until the next change.
//!
//! Rendering is by `render::Unit`, the same plan `build` renders in full, so a page
//! served here has the bytes `build` would publish for the same input (tests/it/serve.rs
//! compares every file). A change never renders anything itself: it swaps the inputs and
//! drops the rendered files, so the cost of a save does not grow with the site; the
//! pages the browser asks for next are rendered then.
//!
//! Consistency: the state sits behind a read-write lock. A request holds the read side
//! while it renders, so it sees one version throughout; a change takes the write side,
//! updates the inputs in place, clears the rendered files and bumps the generation, so
//! no file rendered from an older version can be served after it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Archive, Insights};
use crate::render::pages::{PageData, SiteModel};
use crate::render::{self, Renderer, Unit};
use crate::site::Site;

/// The files of one unit by path.
type UnitFiles = HashMap<String, Arc<[u8]>>;

/// A good build's inputs: everything pages are rendered from.
pub(crate) struct Content {
    pub(crate) renderer: Arc<Renderer>,
    pub(crate) archive: Arc<Archive>,
    pub(crate) insights: Insights,
    /// Derived from the three above on first use after each change.
    data: OnceLock<PageData>,
}

impl Content {
    pub(crate) fn new(
        renderer: Arc<Renderer>,
        archive: Arc<Archive>,
        insights: Insights,
    ) -> Content {
        Content {
            renderer,
            archive,
            insights,
            data: OnceLock::new(),
        }
    }

    /// Call after changing the archive or the insights.
    pub(crate) fn changed(&mut self) {
        self.data = OnceLock::new();
    }
}

/// One version of the served site.
pub(crate) struct State {
    /// Goes up by one each time something visible may have changed; pages carry the
    /// number they were served from, so they can tell whether they are stale.
    pub(crate) generation: u64,
    /// Shown on every HTML page while the latest changes cannot be built.
    pub(crate) overlay: Option<String>,
    pub(crate) site: Site,
    /// `None` until a first good build.
    pub(crate) content: Option<Content>,
    /// Goes up each time the archive changes, so that an analysis of an older archive
    /// is not applied to a newer one.
    pub(crate) version: u64,
    /// The warnings and notes of the last whole-archive analysis.
    pub(crate) analysis_diagnostics: Vec<Diagnostic>,
}

/// The served site, shared by the HTTP threads, the rebuilds and the analysis thread.
pub(crate) struct Live {
    state: RwLock<State>,
    rendered: Mutex<HashMap<Unit, Arc<UnitFiles>>>,
    /// Analyses requested and not finished yet (see `serve::analyst`).
    pub(crate) pending_analyses: AtomicUsize,
}

impl Live {
    pub(crate) fn new(site: Site) -> Live {
        Live {
            state: RwLock::new(State {
                generation: 1,
                overlay: None,
                site,
                content: None,
                version: 0,
                analysis_diagnostics: Vec::new(),
            }),
            rendered: Mutex::new(HashMap::new()),
            pending_analyses: AtomicUsize::new(0),
        }
    }

    /// The current version, for one request.
    pub(crate) fn view(&self) -> View<'_> {
        View {
            state: self.state.read().unwrap_or_else(|e| e.into_inner()),
            rendered: &self.rendered,
        }
    }

    /// Change the state: the rendered files are dropped and the generation goes up.
    /// Returns `f`'s result and the new generation.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> (R, u64) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let result = f(&mut state);
        if let Some(content) = &mut state.content {
            content.changed();
        }
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        state.generation += 1;
        (result, state.generation)
    }

    /// Read the state without changing it.
    pub(crate) fn inspect<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn analysing(&self) -> bool {
        self.pending_analyses.load(Ordering::SeqCst) > 0
    }
}

/// One consistent version of the site, held for the length of a request.
pub(crate) struct View<'a> {
    state: RwLockReadGuard<'a, State>,
    rendered: &'a Mutex<HashMap<Unit, Arc<UnitFiles>>>,
}

impl View<'_> {
    pub(crate) fn generation(&self) -> u64 {
        self.state.generation
    }

    pub(crate) fn overlay(&self) -> Option<&str> {
        self.state.overlay.as_deref()
    }

    /// Whether there is a site at all (false until a first good build).
    pub(crate) fn ready(&self) -> bool {
        self.state.content.is_some()
    }

    /// The bytes of the file at `path` (relative to the output root), rendering its unit
    /// if needed. `Err` carries the message of a failed render.
    pub(crate) fn file(&self, path: &str) -> Result<Option<Arc<[u8]>>, String> {
        let Some(unit) = Unit::for_path(path) else {
            return Ok(None);
        };
        Ok(self.unit(&unit)?.get(path).cloned())
    }

    /// Every file of the site, rendered as `build` renders them, sorted by path (tests
    /// compare it with a build's).
    #[cfg(test)]
    pub(crate) fn all_files(&self) -> Result<Vec<crate::site::OutputFile>, String> {
        let mut files: Vec<crate::site::OutputFile> = self
            .all_units(true)?
            .iter()
            .flat_map(|p| p.iter())
            .map(|(path, bytes)| crate::site::OutputFile::new(path.clone(), bytes.to_vec()))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// The rendered files of every unit, with or without the sitemap.
    fn all_units(&self, with_sitemap: bool) -> Result<Vec<Arc<UnitFiles>>, String> {
        let Some(content) = &self.state.content else {
            return Ok(Vec::new());
        };
        render::units(&content.archive, self.data(content))
            .par_iter()
            .filter(|u| with_sitemap || **u != Unit::Sitemap)
            .map(|u| self.unit(u))
            .collect()
    }

    fn data<'c>(&self, content: &'c Content) -> &'c PageData {
        content
            .data
            .get_or_init(|| PageData::new(&self.state.site, &content.archive, &content.insights))
    }

    fn unit(&self, unit: &Unit) -> Result<Arc<UnitFiles>, String> {
        if let Some(files) = self.lock().get(unit) {
            return Ok(Arc::clone(files));
        }
        let Some(content) = &self.state.content else {
            return Ok(Arc::default());
        };
        let site = &self.state.site;
        let model = SiteModel::new(
            site,
            &content.archive,
            &content.insights,
            self.data(content),
        );
        let rendered = if *unit == Unit::Sitemap {
            // The sitemap lists the paths of every other file: render them all first.
            let others: Vec<String> = self
                .all_units(false)?
                .iter()
                .flat_map(|p| p.keys())
                .cloned()
                .collect();
            render::render_unit(&content.renderer, &model, unit, &others)
        } else {
            render::render_unit(&content.renderer, &model, unit, &[])
        };
        let files: UnitFiles = rendered
            .map_err(|e| super::error_text(&e))?
            .into_iter()
            .map(|f| (f.path, Arc::from(f.bytes)))
            .collect();
        let files = Arc::new(files);
        // Another request may have rendered it meanwhile; both are of this version.
        self.lock().insert(unit.clone(), Arc::clone(&files));
        Ok(files)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Unit, Arc<UnitFiles>>> {
        self.rendered.lock().unwrap_or_else(|e| e.into_inner())
    }
}
