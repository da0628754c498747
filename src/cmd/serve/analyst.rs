//! The whole-archive analysis behind `serve`: related incidents, repeats, suggestions.
//!
//! A save is shown at once with the previous analysis carried over (see
//! `rebuild::carry_insights`); this analysis then runs over the new archive, on its
//! own thread, and replaces the insights when they differ, so the served site converges
//! to exactly what `build` publishes. Tokenised texts are cached by incident id between
//! runs (`analysis::text::FeatureCache`), so a run after one edit tokenises one file.

use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::live::Live;
use crate::analysis::{self, related, text::FeatureCache};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Insights};

/// How long the analysis waits after a save before it starts.
const SETTLE: Duration = Duration::from_millis(200);

/// One analysis to run.
pub(crate) struct Job {
    /// `State::version` of the archive below; the result is dropped if it moved on.
    pub(crate) version: u64,
    pub(crate) archive: Arc<Archive>,
    pub(crate) config: Config,
    /// Incidents whose text changed since the last run (their cached tokens are stale).
    pub(crate) changed_ids: Vec<String>,
}

/// What a run changed on the served site.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub(crate) generation: u64,
    /// Incidents whose related list, repeat or suggestions changed.
    pub(crate) incidents: usize,
    pub(crate) elapsed: Duration,
}

/// Runs analyses and applies their results to the served site.
pub(crate) struct Analyst {
    live: Arc<Live>,
    features: Mutex<FeatureCache>,
}

impl Analyst {
    pub(crate) fn new(live: Arc<Live>) -> Analyst {
        Analyst {
            live,
            features: Mutex::new(FeatureCache::default()),
        }
    }

    /// Drop every cached token list (after a full re-read, any text may have changed).
    pub(crate) fn forget(&self) {
        self.features
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Analyse `archive` now, with the configured diagnostic levels applied.
    pub(crate) fn analyse(
        &self,
        config: &Config,
        archive: &Archive,
        changed_ids: &[String],
    ) -> (Insights, Vec<Diagnostic>) {
        let mut features = self.features.lock().unwrap_or_else(|e| e.into_inner());
        for id in changed_ids {
            features.remove(id);
        }
        let (insights, found) =
            analysis::analyse_cached(config, archive, &related::Params::default(), &mut features);
        let mut diagnostics = Diagnostics::default();
        diagnostics.extend(found);
        diagnostics.apply_levels(&config.checks);
        diagnostics.finish();
        (insights, diagnostics.items)
    }

    /// Run `job` and apply the result if the archive is still the one analysed and
    /// something differs. `None` when nothing was changed.
    pub(crate) fn run(&self, job: Job) -> Option<Applied> {
        let started = Instant::now();
        let (insights, diagnostics) = self.analyse(&job.config, &job.archive, &job.changed_ids);
        drop(job.archive);
        let current = self.live.inspect(|state| {
            let content = state.content.as_ref()?;
            (state.version == job.version).then(|| {
                (
                    changed_incidents(&content.insights, &insights),
                    state.analysis_diagnostics == diagnostics,
                )
            })
        });
        let (incidents, same_diagnostics) = current?;
        if incidents == 0 && same_diagnostics {
            return None;
        }
        let (applied, generation) = self.live.update(|state| {
            // Re-checked under the write lock: a save may have landed in between.
            if state.version != job.version {
                return false;
            }
            let Some(content) = &mut state.content else {
                return false;
            };
            content.insights = insights;
            state.analysis_diagnostics = diagnostics;
            true
        });
        applied.then(|| Applied {
            generation,
            incidents,
            elapsed: started.elapsed(),
        })
    }

    /// The analysis thread: runs the newest job of each burst (the older ones describe
    /// archives that are gone), `SETTLE` after its first, calling `on_applied` after each
    /// change it makes.
    pub(crate) fn work(&self, jobs: Receiver<Job>, on_applied: impl Fn(&Applied)) {
        while let Ok(mut job) = jobs.recv() {
            let mut taken = 1;
            // Let the browsers fetch the saved page first (it renders faster with both
            // cores), and take the saves of a burst together.
            let deadline = Instant::now() + SETTLE;
            while let Ok(newer) =
                jobs.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                let mut changed = std::mem::take(&mut job.changed_ids);
                changed.extend(newer.changed_ids.iter().cloned());
                job = newer;
                job.changed_ids = changed;
                taken += 1;
            }
            // A bug in the analysis must not end live reload: the save is already shown,
            // only the related lists stay as they were.
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(job)))
                .unwrap_or_else(|panic| {
                    eprintln!(
                        "error: the analysis crashed (a bug in hindsight): {}",
                        super::panic_message(panic.as_ref())
                    );
                    None
                });
            self.live
                .pending_analyses
                .fetch_sub(taken, Ordering::SeqCst);
            if let Some(applied) = applied {
                on_applied(&applied);
            }
        }
    }
}

/// Number of incidents whose insights differ between `old` and `new`.
pub(crate) fn changed_incidents(old: &Insights, new: &Insights) -> usize {
    let mut ids: std::collections::BTreeSet<&String> = old.related.keys().collect();
    ids.extend(new.related.keys());
    ids.extend(old.repeat_of.keys());
    ids.extend(new.repeat_of.keys());
    ids.extend(old.cause_suggestions.keys());
    ids.extend(new.cause_suggestions.keys());
    ids.extend(old.inferred_causes.keys());
    ids.extend(new.inferred_causes.keys());
    ids.extend(old.possible_causes.keys());
    ids.extend(new.possible_causes.keys());
    ids.into_iter()
        .filter(|id| {
            old.related.get(*id) != new.related.get(*id)
                || old.repeat_of.get(*id) != new.repeat_of.get(*id)
                || old.cause_suggestions.get(*id) != new.cause_suggestions.get(*id)
                || old.inferred_causes.get(*id) != new.inferred_causes.get(*id)
                || old.possible_causes.get(*id) != new.possible_causes.get(*id)
        })
        .count()
}
