//! File watching for `serve --watch`: notify events → debounced, classified `Changes`.
//!
//! Watched: the site root itself (not recursively: site.toml, and folders appearing or
//! vanishing), and recursively the content, `templates/` and `static/` folders, never
//! the output or cache folders (a build into `public/` must not trigger rebuilds, and
//! at 10,000 incidents it would cost 10,000 inotify watches). Editors that save through
//! a temporary file and a rename produce several events per save; a batch ends after
//! `QUIET` without events, so one save is one rebuild. Our own reads of the files (open
//! and read events) are ignored, or every rebuild would trigger the next.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher as _};

use crate::site::Site;

/// What changed on disk since the last rebuild.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Absolute paths of files or folders under the content folder.
    pub(crate) content: BTreeSet<PathBuf>,
    pub(crate) templates: bool,
    pub(crate) statics: bool,
    pub(crate) config: bool,
    /// Events were lost (the OS queue overflowed): re-read everything.
    pub(crate) rescan: bool,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        self.content.is_empty() && !self.templates && !self.statics && !self.config && !self.rescan
    }
}

/// A batch ends after this long without a new event.
pub(crate) const QUIET: Duration = Duration::from_millis(25);
/// A batch never waits longer than this in total (a long copy still shows progress).
pub(crate) const MAX_BATCH: Duration = Duration::from_millis(1000);

/// The paths that matter, absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) root: PathBuf,
    pub(crate) content: PathBuf,
    pub(crate) templates: PathBuf,
    pub(crate) statics: PathBuf,
    pub(crate) config: PathBuf,
}

/// What a changed path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Content,
    Templates,
    Static,
    Config,
}

impl Layout {
    pub(crate) fn of(site: &Site) -> Layout {
        Layout {
            root: site.root.clone(),
            content: site.content_dir(),
            templates: site.root.join("templates"),
            statics: site.root.join("static"),
            config: site.root.join("site.toml"),
        }
    }

    /// The theme folders first: with `content_dir = "."` they lie inside the content.
    pub(crate) fn classify(&self, path: &Path) -> Option<Kind> {
        if path == self.config {
            Some(Kind::Config)
        } else if path.starts_with(&self.templates) {
            Some(Kind::Templates)
        } else if path.starts_with(&self.statics) {
            Some(Kind::Static)
        } else if path.starts_with(&self.content) {
            Some(Kind::Content)
        } else {
            None
        }
    }
}

/// What the watcher thread receives.
#[derive(Debug)]
pub(crate) enum Message {
    Fs(Instant, notify::Result<notify::Event>),
    /// The server is shutting down.
    Stop,
}

/// A notify watcher on the folders of a `Layout`, kept in line with it.
pub(crate) struct Watcher {
    inner: notify::RecommendedWatcher,
    watched: BTreeMap<PathBuf, RecursiveMode>,
}

impl Watcher {
    pub(crate) fn new(sender: Sender<Message>) -> Result<Watcher> {
        let inner = notify::recommended_watcher(move |event| {
            let _ = sender.send(Message::Fs(Instant::now(), event));
        })
        .context("starting the file watcher")?;
        Ok(Watcher {
            inner,
            watched: BTreeMap::new(),
        })
    }

    /// Watch what `layout` names and exists; forget what it no longer names. Called after
    /// every batch, so a `templates/` folder created later is picked up.
    pub(crate) fn sync(&mut self, layout: &Layout) -> Result<()> {
        let mut wanted = BTreeMap::new();
        wanted.insert(layout.root.clone(), RecursiveMode::NonRecursive);
        for dir in [&layout.content, &layout.templates, &layout.statics] {
            if dir.is_dir() {
                wanted.insert(dir.clone(), RecursiveMode::Recursive);
            }
        }
        let stale: Vec<PathBuf> = self
            .watched
            .keys()
            .filter(|p| wanted.get(*p) != self.watched.get(*p) || !p.is_dir())
            .cloned()
            .collect();
        for path in stale {
            // Fails when the folder is gone, which already ended the watch.
            let _ = self.inner.unwatch(&path);
            self.watched.remove(&path);
        }
        for (path, mode) in wanted {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.watched.entry(path) {
                self.inner
                    .watch(slot.key(), mode)
                    .with_context(|| format!("watching {}", slot.key().display()))?;
                slot.insert(mode);
            }
        }
        Ok(())
    }
}

/// Events that can mean a file's content changed; opening and reading cannot.
fn may_change_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Add one event to `changes`.
pub(crate) fn add_event(
    layout: &Layout,
    changes: &mut Changes,
    event: notify::Result<notify::Event>,
) {
    let event = match event {
        Ok(event) => event,
        // The watcher lost track (e.g. the queue overflowed): trust nothing cached.
        Err(_) => {
            changes.rescan = true;
            return;
        }
    };
    if event.need_rescan() {
        changes.rescan = true;
    }
    if !may_change_content(&event.kind) {
        return;
    }
    for path in event.paths {
        match layout.classify(&path) {
            Some(Kind::Content) => {
                changes.content.insert(path);
            }
            Some(Kind::Templates) => changes.templates = true,
            Some(Kind::Static) => changes.statics = true,
            Some(Kind::Config) => changes.config = true,
            None => {}
        }
    }
}

/// Wait for the next batch of changes: block until a relevant event, then gather until
/// `QUIET` passes without one. Returns the time of the batch's first event, or `None`
/// when told to stop.
pub(crate) fn next_batch(
    receiver: &Receiver<Message>,
    layout: &Layout,
) -> Option<(Instant, Changes)> {
    loop {
        let (first_at, event) = match receiver.recv() {
            Ok(Message::Fs(at, event)) => (at, event),
            Ok(Message::Stop) | Err(_) => return None,
        };
        let mut changes = Changes::default();
        add_event(layout, &mut changes, event);
        if changes.is_empty() {
            continue;
        }
        loop {
            let left = MAX_BATCH.saturating_sub(first_at.elapsed());
            if left.is_zero() {
                break;
            }
            match receiver.recv_timeout(QUIET.min(left)) {
                Ok(Message::Fs(_, event)) => add_event(layout, &mut changes, event),
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        return Some((first_at, changes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};

    fn layout() -> Layout {
        let root = PathBuf::from("/s");
        Layout {
            content: root.join("content"),
            templates: root.join("templates"),
            statics: root.join("static"),
            config: root.join("site.toml"),
            root,
        }
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Result<notify::Event> {
        let mut e = notify::Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        Ok(e)
    }

    #[test]
    fn classifies_by_folder_and_ignores_the_rest() {
        let l = layout();
        let mut c = Changes::default();
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Modify(ModifyKind::Any),
                &["/s/content/a.md", "/s/public/index.html", "/s/.hindsight/x"],
            ),
        );
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Create(CreateKind::File),
                &["/s/templates/base.html"],
            ),
        );
        assert_eq!(
            c.content
                .iter()
                .map(|p| p.to_str().unwrap())
                .collect::<Vec<_>>(),
            ["/s/content/a.md"]
        );
        assert!(c.templates && !c.statics && !c.config && !c.rescan);
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Remove(RemoveKind::File),
                &["/s/static/x.css", "/s/site.toml"],
            ),
        );
        assert!(c.statics && c.config);
    }

    #[test]
    fn our_own_reads_are_not_changes() {
        let l = layout();
        let mut c = Changes::default();
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                &["/s/content/a.md"],
            ),
        );
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                &["/s/content/a.md"],
            ),
        );
        assert!(c.is_empty());
        add_event(
            &l,
            &mut c,
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &["/s/content/a.md"],
            ),
        );
        assert_eq!(c.content.len(), 1);
    }

    #[test]
    fn a_burst_of_events_is_one_batch() {
        let l = layout();
        let (tx, rx) = std::sync::mpsc::channel();
        let now = Instant::now();
        // An editor saving through a temporary file, then renaming it over the original.
        tx.send(Message::Fs(
            now,
            event(
                EventKind::Create(CreateKind::File),
                &["/s/content/.a.md.swp"],
            ),
        ))
        .unwrap();
        tx.send(Message::Fs(
            now,
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/s/content/a.md.tmp", "/s/content/a.md"],
            ),
        ))
        .unwrap();
        tx.send(Message::Fs(
            now,
            event(
                EventKind::Modify(ModifyKind::Any),
                &["/s/templates/base.html"],
            ),
        ))
        .unwrap();
        let (_, changes) = next_batch(&rx, &l).expect("one batch");
        assert_eq!(
            changes.content.len(),
            3,
            "every path is checked; hidden and temporary ones are skipped later"
        );
        assert!(changes.templates);
        tx.send(Message::Stop).unwrap();
        assert!(next_batch(&rx, &l).is_none(), "stop ends the loop");
    }

    #[test]
    fn lost_events_ask_for_a_rescan() {
        let mut c = Changes::default();
        add_event(
            &layout(),
            &mut c,
            Err(notify::Error::generic("queue overflow")),
        );
        assert!(c.rescan);
    }
}
