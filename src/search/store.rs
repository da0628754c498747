//! The CLI's index in the cache folder (`<cache_dir>/index`, never inside the published
//! output) and its manifest.
//!
//! Guarantees: `update` leaves the index holding exactly the archive's incidents; it
//! re-indexes only incidents whose indexed text changed (the manifest maps id → content
//! hash) and rebuilds from scratch when the schema version changes or the index cannot
//! be opened. The manifest is written only after a successful commit, so an interrupted
//! update is repaired by the next one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use tantivy::schema::TantivyDocument;
use tantivy::{Index, Term};

use super::causes::Causes;
use super::schema::{self, Fields, IndexedDoc, SCHEMA_VERSION};
use crate::model::{Archive, Incident};

/// Paths of the index inside the cache folder.
pub(crate) fn index_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join("index")
}

fn manifest_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("search-manifest.json")
}

pub(super) fn version_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("search-version")
}

/// What the index was built from: the indexed text of every document, and the content
/// files as they were (so `hindsight search` can tell cheaply whether any changed).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub(crate) schema: u32,
    /// Digest of the taxonomy the cause classes were found with
    /// ([`super::causes::fingerprint`]); another taxonomy means a new index.
    #[serde(default)]
    pub(crate) taxonomy: String,
    /// How the text pipeline read the documents ([`crate::text::digest`]): another
    /// tokenizer, stop list or stemmer means a new index.
    #[serde(default)]
    pub(crate) text: String,
    /// id → content hash of what was indexed.
    pub(crate) docs: BTreeMap<String, String>,
    /// Content file (relative to the site root, `/` separators) → how it was.
    #[serde(default)]
    pub files: BTreeMap<String, FileStamp>,
}

/// A content file's size and modification time when it was indexed, and the id of the
/// published post-mortem it holds (none for a draft or a file that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub(crate) size: u64,
    /// Nanoseconds since the Unix epoch (0 when the file system cannot tell).
    pub(crate) modified: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
}

/// What `update` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateStats {
    /// Documents (re-)indexed: new or changed incidents.
    pub added: usize,
    /// Documents removed: deleted or changed incidents.
    pub removed: usize,
    /// Documents kept as they were.
    pub unchanged: usize,
    /// The index was (re)created from scratch.
    pub rebuilt: bool,
}

/// Bring the index in `cache_dir` up to date with `archive` (no record of the content
/// files: the next `hindsight search` re-reads them all once), inferring causes with
/// the builtin taxonomy.
pub fn update(cache_dir: &Path, archive: &Archive) -> Result<UpdateStats> {
    let causes = Causes::new(crate::taxonomy::Taxonomy::builtin_ref());
    update_with_files(cache_dir, archive, BTreeMap::new(), &causes)
}

/// Bring the index in `cache_dir` up to date with `archive`, read from `files`; cause
/// classes of new and changed incidents come from `causes`.
pub fn update_with_files(
    cache_dir: &Path,
    archive: &Archive,
    files: BTreeMap<String, FileStamp>,
    causes: &Causes,
) -> Result<UpdateStats> {
    let store = Store::open(cache_dir, &causes.fingerprint())?;
    let mut docs = BTreeMap::new();
    let mut fresh = Vec::new();
    for incident in &archive.incidents {
        let doc = IndexedDoc::of(incident);
        let hash = doc.hash();
        if store.manifest.docs.get(&incident.id) != Some(&hash) {
            fresh.push((doc, incident));
        }
        docs.insert(incident.id.clone(), hash);
    }
    let fresh = with_classes(fresh, causes);
    store.apply(docs, &fresh.iter().collect::<Vec<_>>(), files)
}

/// Update the index for some changed documents: `docs` is every document that should
/// be indexed (id → hash), `changed` those among them to (re-)index.
pub(crate) fn update_documents(
    cache_dir: &Path,
    docs: BTreeMap<String, String>,
    changed: &[&Incident],
    files: BTreeMap<String, FileStamp>,
    causes: &Causes,
) -> Result<UpdateStats> {
    let store = Store::open(cache_dir, &causes.fingerprint())?;
    let fresh: Vec<(IndexedDoc, &Incident)> = changed
        .iter()
        .map(|i| (IndexedDoc::of(i), *i))
        .filter(|(d, _)| store.manifest.docs.get(d.id) != docs.get(d.id))
        .collect();
    let fresh = with_classes(fresh, causes);
    store.apply(docs, &fresh.iter().collect::<Vec<_>>(), files)
}

/// Cause classes for the documents about to be indexed (inferring them, when needed, on
/// every core).
fn with_classes<'a>(
    docs: Vec<(IndexedDoc<'a>, &Incident)>,
    causes: &Causes,
) -> Vec<IndexedDoc<'a>> {
    use rayon::prelude::*;
    docs.into_par_iter()
        .map(|(doc, incident)| doc.with_classes(causes, incident))
        .collect()
}

/// The content hash `update` records for an incident.
pub(crate) fn document_hash(incident: &Incident) -> String {
    IndexedDoc::of(incident).hash()
}

/// The index and its manifest, opened for an update.
struct Store {
    cache_dir: PathBuf,
    index: Index,
    fields: Fields,
    manifest: Manifest,
    rebuilt: bool,
}

impl Store {
    /// Open the index, or create it when it is missing, unreadable or of another version.
    fn open(cache_dir: &Path, taxonomy: &str) -> Result<Store> {
        let dir = index_dir(cache_dir);
        let (schema, fields) = schema::schema();
        let manifest = read_manifest(cache_dir);
        let opened = (manifest.schema == SCHEMA_VERSION
            && manifest.taxonomy == taxonomy
            && manifest.text == crate::text::digest()
            && read_version(cache_dir) == Some(SCHEMA_VERSION))
        .then(|| schema::open_index(&dir));
        if let Some(Ok(index)) = opened
            && index.schema() == schema
        {
            return Ok(Store {
                cache_dir: cache_dir.to_path_buf(),
                index,
                fields,
                manifest,
                rebuilt: false,
            });
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("removing the old search index {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let _ = std::fs::remove_file(manifest_path(cache_dir));
        std::fs::write(version_path(cache_dir), SCHEMA_VERSION.to_string())
            .with_context(|| format!("writing {}", version_path(cache_dir).display()))?;
        let index = Index::create_in_dir(&dir, schema)
            .with_context(|| format!("creating the search index in {}", dir.display()))?;
        schema::register_tokenizer(&index);
        Ok(Store {
            cache_dir: cache_dir.to_path_buf(),
            index,
            fields,
            manifest: Manifest {
                schema: SCHEMA_VERSION,
                taxonomy: taxonomy.to_string(),
                text: crate::text::digest(),
                ..Default::default()
            },
            rebuilt: true,
        })
    }

    /// Make the index hold exactly `docs` (id → hash), adding `fresh` (new or changed
    /// documents) and deleting whatever is stale; then record `docs` and `files`.
    fn apply(
        mut self,
        docs: BTreeMap<String, String>,
        fresh: &[&IndexedDoc],
        files: BTreeMap<String, FileStamp>,
    ) -> Result<UpdateStats> {
        let stale: Vec<&String> = self
            .manifest
            .docs
            .iter()
            .filter(|&(id, hash)| docs.get(id) != Some(hash))
            .map(|(id, _)| id)
            .collect();
        let stats = UpdateStats {
            added: fresh.len(),
            removed: stale.len(),
            unchanged: docs.len() - fresh.len(),
            rebuilt: self.rebuilt,
        };
        if !stale.is_empty() || !fresh.is_empty() || self.rebuilt {
            // A full build uses every core and a large budget (one segment per thread,
            // so no merging); a few changed files need little.
            let (threads, budget) = if fresh.len() > 200 {
                let threads = std::thread::available_parallelism()
                    .map_or(1, |n| n.get())
                    .min(4);
                (threads, 200_000_000 * threads)
            } else {
                (1, 30_000_000)
            };
            let dir = index_dir(&self.cache_dir);
            let mut writer = self
                .index
                .writer_with_num_threads::<TantivyDocument>(threads, budget)
                .with_context(|| {
                    format!(
                        "opening the search index in {} for writing (is another hindsight running?)",
                        dir.display()
                    )
                })?;
            for id in &stale {
                writer.delete_term(Term::from_field_text(self.fields.id, id));
            }
            for doc in fresh {
                writer
                    .add_document(doc.to_document(&self.fields))
                    .context("adding a document to the search index")?;
            }
            writer.commit().context("committing the search index")?;
            writer
                .wait_merging_threads()
                .context("merging search index segments")?;
        } else if self.manifest.files == files {
            return Ok(stats);
        }
        self.manifest.docs = docs;
        self.manifest.files = files;
        write_manifest(&self.cache_dir, &self.manifest)?;
        Ok(stats)
    }
}

pub(super) fn read_version(cache_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(version_path(cache_dir))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The manifest of the index in `cache_dir` (empty when missing or unreadable).
pub fn read_manifest(cache_dir: &Path) -> Manifest {
    std::fs::read(manifest_path(cache_dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_manifest(cache_dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = manifest_path(cache_dir);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(manifest)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::searcher::SearchIndex;
    use crate::search::searcher::tests::{archive, ids};

    #[test]
    fn unchanged_archive_is_not_reindexed_and_changes_touch_only_their_document() {
        let dir = tempfile::tempdir().unwrap();
        let mut arch = archive();
        update(dir.path(), &arch).unwrap();
        assert_eq!(
            update(dir.path(), &arch).unwrap(),
            UpdateStats {
                added: 0,
                removed: 0,
                unchanged: 3,
                rebuilt: false
            }
        );
        arch.incidents[0].title = "Checkout errors after rotation".into();
        arch.incidents.pop();
        let stats = update(dir.path(), &arch).unwrap();
        assert_eq!(
            stats,
            UpdateStats {
                added: 1,
                removed: 2,
                unchanged: 1,
                rebuilt: false
            }
        );
        let index = SearchIndex::open(dir.path()).unwrap().unwrap();
        assert_eq!(ids(&index, "rotation"), ["b"]);
        assert!(ids(&index, "dns").is_empty());
        std::fs::write(version_path(dir.path()), "0").unwrap();
        assert!(SearchIndex::open(dir.path()).unwrap().is_none());
        assert!(update(dir.path(), &arch).unwrap().rebuilt);
    }

    #[test]
    fn an_index_read_by_another_text_pipeline_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let arch = archive();
        update(dir.path(), &arch).unwrap();
        assert_eq!(read_manifest(dir.path()).text, crate::text::digest());
        assert!(!update(dir.path(), &arch).unwrap().rebuilt);
        // As a hindsight with another stemmer would have left it.
        let mut manifest = read_manifest(dir.path());
        manifest.text = "another stemmer".into();
        write_manifest(dir.path(), &manifest).unwrap();
        let stats = update(dir.path(), &arch).unwrap();
        assert!(stats.rebuilt && stats.added == 3, "{stats:?}");
        assert_eq!(read_manifest(dir.path()).text, crate::text::digest());
    }
}
