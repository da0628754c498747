//! Keeping the CLI's index in step with the content folder between builds.
//!
//! `hindsight build` records every content file's size and modification time in the
//! index manifest ([`stamps`]). Before answering, `hindsight search` walks the content
//! folder and stats each file ([`refresh`]): when nothing differs it answers at once;
//! files that differ are parsed again and only the post-mortems whose indexed text
//! changed are re-indexed (a touched but unchanged file costs one parse). Removed files
//! drop their post-mortems. When ids move between files (a duplicate id, a renamed
//! `slug:`), it falls back to loading the whole archive, which is always right.
//!
//! The walk is content discovery's own (`content::discover::walk`), so both see the
//! same files.

use std::collections::{BTreeMap, BTreeSet};
use std::time::UNIX_EPOCH;

use anyhow::Result;
use rayon::prelude::*;

use super::causes::Causes;
use super::schema::SCHEMA_VERSION;
use super::store::{self, FileStamp, UpdateStats};
use crate::content::{self, discover};
use crate::model::{Archive, Incident};
use crate::site::Site;

/// Every content file of `site` with its size and modification time (ids unset).
pub fn stamps(site: &Site) -> BTreeMap<String, FileStamp> {
    let (found, _problems) = discover::walk(&discover::Rules::of(site));
    found
        .into_iter()
        .map(|(path, meta)| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            let rel = discover::relative(&site.root, &path);
            (
                rel.to_string_lossy().into_owned(),
                FileStamp {
                    size: meta.len(),
                    modified,
                    id: None,
                },
            )
        })
        .collect()
}

/// `stamps`, with the id each file's published post-mortem has in `archive`.
pub fn stamps_of(site: &Site, archive: &Archive) -> BTreeMap<String, FileStamp> {
    let mut files = stamps(site);
    for incident in &archive.incidents {
        let rel = incident.source.to_string_lossy().replace('\\', "/");
        if let Some(stamp) = files.get_mut(&rel) {
            stamp.id = Some(incident.id.clone());
        }
    }
    files
}

/// What [`refresh`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refresh {
    /// Content files new, changed (size or time) or removed since the index was made.
    pub files_changed: usize,
    /// The whole archive had to be loaded again.
    pub reloaded: bool,
    /// What updating the index did.
    pub stats: UpdateStats,
}

/// Bring the index in the site's cache up to date with the content folder, cheaply when
/// little changed. `None` when there is no index of the current version to refresh.
pub fn refresh(site: &Site) -> Result<Option<Refresh>> {
    let cache = site.cache_dir();
    // Walk the content folder while the manifest is read.
    let (manifest, now) = std::thread::scope(|s| {
        let walk = s.spawn(|| stamps(site));
        let manifest = store::read_manifest(&cache);
        (manifest, walk.join())
    });
    let now = now.map_err(|_| anyhow::anyhow!("walking the content folder failed"))?;
    let taxonomy =
        crate::taxonomy::Taxonomy::for_config(&site.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let causes = Causes::new(&taxonomy);
    if manifest.schema != SCHEMA_VERSION
        || manifest.taxonomy != causes.fingerprint()
        || manifest.text != crate::text::digest()
        || !store::index_dir(&cache).is_dir()
    {
        return Ok(None);
    }
    let same =
        |old: &FileStamp, new: &FileStamp| old.size == new.size && old.modified == new.modified;
    let changed: Vec<&String> = now
        .iter()
        .filter(|(path, stamp)| {
            manifest
                .files
                .get(*path)
                .is_none_or(|old| !same(old, stamp))
        })
        .map(|(path, _)| path)
        .collect();
    let removed: Vec<&String> = manifest
        .files
        .keys()
        .filter(|path| !now.contains_key(*path))
        .collect();
    let files_changed = changed.len() + removed.len();
    if files_changed == 0 {
        return Ok(Some(Refresh::default()));
    }

    // Parse what changed; drafts are not published unless the site says so.
    let rules = discover::Rules::of(site);
    let parsed: BTreeMap<&str, Option<Incident>> = changed
        .par_iter()
        .map(|path| {
            let incident = rules
                .read(&site.root.join(path))
                .ok()
                .flatten()
                .and_then(|source| content::parse(&source, &site.config).incident)
                .filter(|i| site.publishes(i));
            (path.as_str(), incident)
        })
        .collect();

    // Who holds which id now. The whole archive decides (first file in path order
    // wins, as in a build) when an id is claimed twice, or when a file lost its id while
    // an unchanged file holds none: that file may be a duplicate that now wins.
    let mut files = now.clone();
    for (path, stamp) in files.iter_mut() {
        stamp.id = match parsed.get(path.as_str()) {
            Some(incident) => incident.as_ref().map(|i| i.id.clone()),
            None => manifest.files.get(path).and_then(|old| old.id.clone()),
        };
    }
    let mut owners: BTreeSet<&str> = BTreeSet::new();
    let mut moved = false;
    for stamp in files.values() {
        if let Some(id) = &stamp.id {
            moved |= !owners.insert(id);
        }
    }
    let lost_an_id = manifest
        .files
        .iter()
        .any(|(path, old)| old.id.is_some() && files.get(path).is_none_or(|new| new.id != old.id));
    let idle_file = files
        .iter()
        .any(|(path, stamp)| stamp.id.is_none() && !parsed.contains_key(path.as_str()));
    moved |= lost_an_id && idle_file;
    if moved {
        let (archive, _) = content::archive::load(site);
        let stats = store::update_with_files(&cache, &archive, stamps_of(site, &archive), &causes)?;
        return Ok(Some(Refresh {
            files_changed,
            reloaded: true,
            stats,
        }));
    }

    let mut docs: BTreeMap<String, String> = BTreeMap::new();
    let mut changed_docs = Vec::new();
    for (path, stamp) in &files {
        let Some(id) = &stamp.id else { continue };
        match parsed.get(path.as_str()) {
            Some(Some(incident)) => {
                docs.insert(id.clone(), store::document_hash(incident));
                changed_docs.push(incident);
            }
            _ => {
                if let Some(hash) = manifest.docs.get(id) {
                    docs.insert(id.clone(), hash.clone());
                }
            }
        }
    }
    let stats = store::update_documents(&cache, docs, &changed_docs, files, &causes)?;
    Ok(Some(Refresh {
        files_changed,
        reloaded: false,
        stats,
    }))
}
