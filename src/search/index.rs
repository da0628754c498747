//! The tantivy index behind `hindsight search`, kept in the cache folder
//! (`<site>/<cache_dir>/index`, never inside the published output).
//!
//! Guarantees: `update` leaves the index holding exactly the archive's incidents; it
//! re-indexes only incidents whose indexed text changed (a manifest maps id → content
//! hash) and rebuilds from scratch when the schema version changes or the index cannot
//! be opened. The manifest is written only after a successful commit, so an interrupted
//! update is repaired by the next one. Ranking: BM25 per field, the best field of each
//! word counting most (title and root-cause text above the summary above the body);
//! any word may match, and matching all of them adds the score again, so complete
//! matches come first. A word also matches its synonyms (`synonyms`), at a lower weight. A word of 5+ letters found nowhere is matched within one typo,
//! at a low constant weight. Field filters and dates filter without changing scores.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, Order, ReloadPolicy, Term};

use super::query::{Clause, Field as QField, Query};
use super::snippet::{self, Snippet, TokenHit};
use super::{synonyms, text};
use crate::model::{Archive, Incident};

/// Bump whenever the schema or what goes into a field changes: the index is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;
/// The tokenizer name registered on every opened index: [`super::text::TantivyTokenizer`].
const TOKENIZER: &str = "hindsight";

/// Field weights (tantivy boosts) for free-text matches.
const BOOST_TITLE: f32 = 3.0;
const BOOST_ROOT_CAUSE: f32 = 2.5;
const BOOST_LABELS: f32 = 2.0;
const BOOST_SUMMARY: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;
/// Typo matches score a constant this low, so they only rank when nothing exact does.
const FUZZY_WEIGHT: f32 = 0.3;
/// Words shorter than this are never matched fuzzily (too many false friends).
pub const FUZZY_MIN_CHARS: usize = 5;
const SNIPPET_CHARS: usize = 180;

/// Paths of the index inside the cache folder.
pub fn index_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join("index")
}

fn manifest_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("search-manifest.json")
}

fn version_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("search-version")
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    root_cause: Field,
    summary: Field,
    body: Field,
    labels: Field,
    cause: Field,
    service: Field,
    team: Field,
    tag: Field,
    severity: Field,
    status: Field,
    day: Field,
    display: Field,
    snippet_text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |positions: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(true)),
        root_cause: b.add_text_field("root_cause", text(true)),
        summary: b.add_text_field("summary", text(true)),
        body: b.add_text_field("body", text(true)),
        labels: b.add_text_field("labels", text(false)),
        cause: b.add_text_field("cause", STRING),
        service: b.add_text_field("service", STRING),
        team: b.add_text_field("team", STRING),
        tag: b.add_text_field("tag", STRING),
        severity: b.add_text_field("severity", STRING),
        status: b.add_text_field("status", STRING),
        day: b.add_u64_field("day", INDEXED | FAST),
        display: b.add_text_field("display", STORED),
        snippet_text: b.add_text_field("snippet_text", STORED),
    };
    (b.build(), fields)
}

fn fields_of(schema: &Schema) -> Result<Fields> {
    let f = |name: &str| {
        schema
            .get_field(name)
            .with_context(|| format!("search index lacks field `{name}`"))
    };
    Ok(Fields {
        id: f("id")?,
        title: f("title")?,
        root_cause: f("root_cause")?,
        summary: f("summary")?,
        body: f("body")?,
        labels: f("labels")?,
        cause: f("cause")?,
        service: f("service")?,
        team: f("team")?,
        tag: f("tag")?,
        severity: f("severity")?,
        status: f("status")?,
        day: f("day")?,
        display: f("display")?,
        snippet_text: f("snippet_text")?,
    })
}

/// What a result shows, stored with each document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Display {
    title: String,
    date: Option<String>,
    severity: Option<String>,
    services: Vec<String>,
}

/// Everything indexed for one incident; hashed to detect changes.
#[derive(Debug, Serialize)]
struct IndexedDoc<'a> {
    id: &'a str,
    title: &'a str,
    root_cause: String,
    summary: &'a str,
    body: &'a str,
    causes: &'a [String],
    services: &'a [String],
    teams: &'a [String],
    tags: &'a [String],
    severity: Option<&'a str>,
    status: &'static str,
    date: Option<String>,
}

impl<'a> IndexedDoc<'a> {
    fn of(i: &'a Incident) -> Self {
        IndexedDoc {
            id: &i.id,
            title: &i.title,
            root_cause: i.root_cause_text(),
            summary: i.summary.as_deref().unwrap_or(""),
            body: &i.body_text,
            causes: &i.causes,
            services: &i.services,
            teams: &i.teams,
            tags: &i.tags,
            severity: i.severity.as_deref(),
            status: i.status.as_str(),
            date: i.date.map(|d| d.to_string()),
        }
    }

    fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        // FNV-1a: stable across Rust versions, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, self.id);
        doc.add_text(f.title, self.title);
        doc.add_text(f.root_cause, &self.root_cause);
        doc.add_text(f.summary, self.summary);
        doc.add_text(f.body, self.body);
        for (field, values) in [
            (f.cause, self.causes),
            (f.service, self.services),
            (f.team, self.teams),
            (f.tag, self.tags),
        ] {
            for v in values {
                doc.add_text(field, v.to_lowercase());
                // Labels are also free text, so `dns` finds an incident caused by `dns`.
                doc.add_text(f.labels, v.replace(['-', '_'], " "));
            }
        }
        if let Some(s) = self.severity {
            doc.add_text(f.severity, s.to_lowercase());
        }
        doc.add_text(f.status, self.status);
        if let Some(d) = &self.date {
            doc.add_u64(f.day, day_number(d));
        }
        let display = Display {
            title: self.title.to_string(),
            date: self.date.clone(),
            severity: self.severity.map(str::to_string),
            services: self.services.to_vec(),
        };
        doc.add_text(
            f.display,
            serde_json::to_string(&display).unwrap_or_default(),
        );
        // Root cause first: among equally good passages the earliest wins, and the
        // root cause is the one an on-call engineer wants to read.
        let parts = [self.root_cause.as_str(), self.summary, self.body];
        let snippet_text = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        doc.add_text(f.snippet_text, snippet_text);
        doc
    }
}

/// `YYYY-MM-DD` → `YYYYMMDD` as a number, ordered like the dates.
fn day_number(date: &str) -> u64 {
    date.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
}

/// What the index was built from: the indexed text of every document, and the content
/// files as they were (so `hindsight search` can tell cheaply whether any changed).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    /// id → content hash of what was indexed.
    pub docs: BTreeMap<String, String>,
    /// Content file (relative to the site root, `/` separators) → how it was.
    #[serde(default)]
    pub files: BTreeMap<String, FileStamp>,
}

/// A content file's size and modification time when it was indexed, and the id of the
/// published post-mortem it holds (none for a draft or a file that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    /// Nanoseconds since the Unix epoch (0 when the file system cannot tell).
    pub modified: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// What `update` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateStats {
    /// Documents (re-)indexed: new or changed incidents.
    pub added: usize,
    /// Documents removed: deleted or changed incidents.
    pub removed: usize,
    pub unchanged: usize,
    /// The index was (re)created from scratch.
    pub rebuilt: bool,
}

/// Bring the index in `cache_dir` up to date with `archive` (no record of the content
/// files: the next `hindsight search` re-reads them all once).
pub fn update(cache_dir: &Path, archive: &Archive) -> Result<UpdateStats> {
    update_with_files(cache_dir, archive, BTreeMap::new())
}

/// Bring the index in `cache_dir` up to date with `archive`, read from `files`.
pub fn update_with_files(
    cache_dir: &Path,
    archive: &Archive,
    files: BTreeMap<String, FileStamp>,
) -> Result<UpdateStats> {
    let docs: Vec<IndexedDoc> = archive.incidents.iter().map(IndexedDoc::of).collect();
    let wanted: BTreeMap<&str, (String, &IndexedDoc)> =
        docs.iter().map(|d| (d.id, (d.hash(), d))).collect();
    let store = Store::open(cache_dir)?;
    let docs: BTreeMap<String, String> = wanted
        .iter()
        .map(|(id, (h, _))| (id.to_string(), h.clone()))
        .collect();
    let fresh: Vec<&IndexedDoc> = wanted
        .iter()
        .filter(|(id, (h, _))| store.manifest.docs.get(**id) != Some(h))
        .map(|(_, (_, d))| *d)
        .collect();
    store.apply(docs, &fresh, files)
}

/// Update the index for some changed documents: `docs` is every document that should
/// be indexed (id → hash), `changed` those among them to (re-)index.
pub fn update_documents(
    cache_dir: &Path,
    docs: BTreeMap<String, String>,
    changed: &[&Incident],
    files: BTreeMap<String, FileStamp>,
) -> Result<UpdateStats> {
    let store = Store::open(cache_dir)?;
    let changed: Vec<IndexedDoc> = changed.iter().map(|i| IndexedDoc::of(i)).collect();
    let fresh: Vec<&IndexedDoc> = changed
        .iter()
        .filter(|d| store.manifest.docs.get(d.id) != docs.get(d.id))
        .collect();
    store.apply(docs, &fresh, files)
}

/// The content hash `update` records for an incident.
pub fn document_hash(incident: &Incident) -> String {
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
    fn open(cache_dir: &Path) -> Result<Store> {
        let dir = index_dir(cache_dir);
        let (schema, fields) = schema();
        let manifest = read_manifest(cache_dir);
        let opened = (manifest.schema == SCHEMA_VERSION
            && read_version(cache_dir) == Some(SCHEMA_VERSION))
        .then(|| open_index(&dir));
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
        register_tokenizer(&index);
        Ok(Store {
            cache_dir: cache_dir.to_path_buf(),
            index,
            fields,
            manifest: Manifest {
                schema: SCHEMA_VERSION,
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

/// Open the index in `dir` with our tokenizer registered (tantivy does not store it).
fn open_index(dir: &Path) -> tantivy::Result<Index> {
    let index = Index::open_in_dir(dir)?;
    register_tokenizer(&index);
    Ok(index)
}

fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER, text::TantivyTokenizer::default());
}

fn read_version(cache_dir: &Path) -> Option<u32> {
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

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub severity: Option<String>,
    pub services: Vec<String>,
    pub score: f32,
    pub snippet: Snippet,
}

/// Ranked results and how many incidents matched in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// An open index, ready to answer queries.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Open the index in `cache_dir`; `None` when there is none of the current version.
    pub fn open(cache_dir: &Path) -> Result<Option<SearchIndex>> {
        let dir = index_dir(cache_dir);
        if read_version(cache_dir) != Some(SCHEMA_VERSION) || !dir.join("meta.json").is_file() {
            return Ok(None);
        }
        let index = open_index(&dir)
            .with_context(|| format!("opening the search index in {}", dir.display()))?;
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Some(SearchIndex { reader, fields }))
    }

    /// Answer `query` with at most `limit` results, best first.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Results> {
        let searcher = self.reader.searcher();
        let plan = self.plan(query, &searcher);
        let chosen = plan.build();
        let total = searcher.search(&chosen, &Count)?;
        let limit = limit.max(1);
        let mut found: Vec<(f32, u64, tantivy::DocAddress)> = if plan.texts.is_empty() {
            let top = TopDocs::with_limit(limit).order_by_fast_field::<u64>("day", Order::Desc);
            searcher
                .search(&chosen, &top)?
                .into_iter()
                .map(|(day, addr)| (0.0, day.unwrap_or(0), addr))
                .collect()
        } else {
            searcher
                .search(&chosen, &TopDocs::with_limit(limit).order_by_score())?
                .into_iter()
                .map(|(score, addr)| (score, 0, addr))
                .collect()
        };
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        let mut hits = Vec::with_capacity(found.len());
        for (score, _, addr) in found {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let display: Display = serde_json::from_str(&text(self.fields.display))
                .context("reading a stored search result")?;
            let snippet = self.snippet(&text(self.fields.snippet_text), &plan);
            hits.push(Hit {
                id: text(self.fields.id),
                title: display.title,
                date: display.date,
                severity: display.severity,
                services: display.services,
                score,
                snippet,
            });
        }
        // Equal scores: newest first, then id, so output does not depend on segment order.
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.date.cmp(&a.date))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(Results { total, hits })
    }

    fn stems(&self, text: &str) -> Vec<String> {
        text::terms(text)
    }

    fn plan(&self, query: &Query, searcher: &tantivy::Searcher) -> Plan {
        let mut plan = Plan {
            texts: Vec::new(),
            filters: Vec::new(),
            excluded: Vec::new(),
            snippet_terms: Vec::new(),
            fuzzy_terms: Vec::new(),
        };
        let f = self.fields;
        for item in &query.items {
            let q: Box<dyn TQuery> = match &item.clause {
                Clause::Word(w) | Clause::Phrase(w) => {
                    let stems = self.stems(w);
                    if stems.is_empty() {
                        continue;
                    }
                    // Typo fallback: only for a long word found nowhere as typed.
                    let fuzzy = matches!(item.clause, Clause::Word(_))
                        && stems.len() == 1
                        && stems[0].chars().count() >= FUZZY_MIN_CHARS
                        && !item.negated
                        && self.nowhere(searcher, &stems[0]);
                    if !item.negated {
                        for s in &stems {
                            if !plan.snippet_terms.contains(s) {
                                plan.snippet_terms.push(s.clone());
                            }
                        }
                        if fuzzy {
                            plan.fuzzy_terms.push(stems[0].clone());
                        }
                    }
                    if stems.len() > 1 {
                        phrase_query(&f, &stems)
                    } else if item.negated || matches!(item.clause, Clause::Phrase(_)) {
                        term_query(&f, &stems[0], fuzzy)
                    } else {
                        // A word also finds its synonyms, for less: the best one counts.
                        let mut alternatives = vec![term_query(&f, &stems[0], fuzzy)];
                        for synonym in synonyms::of(&stems[0]) {
                            let q = if synonym.len() == 1 {
                                term_query(&f, &synonym[0], false)
                            } else {
                                phrase_query(&f, synonym)
                            };
                            alternatives.push(boosted(q, synonyms::WEIGHT));
                            for s in synonym {
                                if !plan.snippet_terms.contains(s) {
                                    plan.snippet_terms.push(s.clone());
                                }
                            }
                        }
                        if alternatives.len() == 1 {
                            alternatives.pop().expect("one query")
                        } else {
                            Box::new(DisjunctionMaxQuery::new(alternatives))
                        }
                    }
                }
                Clause::Field(field, value) => {
                    let target = match field {
                        QField::Cause => f.cause,
                        QField::Service => f.service,
                        QField::Team => f.team,
                        QField::Severity => f.severity,
                        QField::Tag => f.tag,
                        QField::Status => f.status,
                    };
                    Box::new(TermQuery::new(
                        Term::from_field_text(target, value),
                        IndexRecordOption::Basic,
                    ))
                }
                Clause::After(d) => Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(f.day, day_number(&d.to_string()))),
                    Bound::Unbounded,
                )),
                Clause::Before(d) => Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Excluded(Term::from_field_u64(f.day, day_number(&d.to_string()))),
                )),
            };
            let is_text = matches!(item.clause, Clause::Word(_) | Clause::Phrase(_));
            if item.negated {
                plan.excluded.push(q);
            } else if is_text {
                plan.texts.push(q);
            } else {
                plan.filters.push(q);
            }
        }
        plan
    }

    /// True when no indexed text holds `stem`.
    fn nowhere(&self, searcher: &tantivy::Searcher, stem: &str) -> bool {
        let f = self.fields;
        [f.title, f.root_cause, f.labels, f.summary, f.body]
            .into_iter()
            .all(|field| {
                searcher
                    .doc_freq(&Term::from_field_text(field, stem))
                    .map_or(true, |n| n == 0)
            })
    }

    fn snippet(&self, text: &str, plan: &Plan) -> Snippet {
        let mut hits = Vec::new();
        text::for_each_token(text, |start, end, token| {
            let term = plan
                .snippet_terms
                .iter()
                .position(|t| t == token)
                .or_else(|| {
                    plan.fuzzy_terms
                        .iter()
                        .find(|t| {
                            token.len() + 1 >= t.len() && snippet::edit_distance(t, token) <= 1
                        })
                        .and_then(|t| plan.snippet_terms.iter().position(|s| s == t))
                });
            if let Some(term) = term {
                hits.push(TokenHit { start, end, term });
            }
        });
        snippet::make(text, &hits, SNIPPET_CHARS)
    }
}

/// The parts of a query, turned into tantivy queries.
struct Plan {
    texts: Vec<Box<dyn TQuery>>,
    filters: Vec<Box<dyn TQuery>>,
    excluded: Vec<Box<dyn TQuery>>,
    snippet_terms: Vec<String>,
    fuzzy_terms: Vec<String>,
}

impl Plan {
    fn build(&self) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        match self.texts.len() {
            0 => {}
            1 => clauses.push((Occur::Must, self.texts[0].box_clone())),
            _ => {
                // Any word may match; matching them all adds the score once more, so
                // complete matches come before most partial ones without losing recall.
                let each = |occur: Occur| {
                    Box::new(BooleanQuery::new(
                        self.texts.iter().map(|q| (occur, q.box_clone())).collect(),
                    )) as Box<dyn TQuery>
                };
                let text = BooleanQuery::new(vec![
                    (Occur::Should, each(Occur::Must)),
                    (Occur::Should, each(Occur::Should)),
                ]);
                clauses.push((Occur::Must, Box::new(text)));
            }
        }
        for q in &self.filters {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)),
            ));
        }
        if clauses.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        for q in &self.excluded {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        BooleanQuery::new(clauses)
    }
}

fn boosted(q: Box<dyn TQuery>, boost: f32) -> Box<dyn TQuery> {
    Box::new(BoostQuery::new(q, boost))
}

/// One word: the best field wins, other fields add a little; typos add a low constant.
fn term_query(f: &Fields, stem: &str, fuzzy: bool) -> Box<dyn TQuery> {
    let term = |field: Field| -> Box<dyn TQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, stem),
            IndexRecordOption::WithFreqs,
        ))
    };
    let exact = DisjunctionMaxQuery::with_tie_breaker(
        vec![
            boosted(term(f.title), BOOST_TITLE),
            boosted(term(f.root_cause), BOOST_ROOT_CAUSE),
            boosted(term(f.labels), BOOST_LABELS),
            boosted(term(f.summary), BOOST_SUMMARY),
            boosted(term(f.body), BOOST_BODY),
        ],
        0.2,
    );
    if !fuzzy {
        return Box::new(exact);
    }
    let fuzz = |field: Field, weight: f32| -> Box<dyn TQuery> {
        Box::new(ConstScoreQuery::new(
            Box::new(FuzzyTermQuery::new(
                Term::from_field_text(field, stem),
                1,
                true,
            )),
            FUZZY_WEIGHT * weight,
        ))
    };
    let typo = DisjunctionMaxQuery::new(vec![
        fuzz(f.title, BOOST_TITLE),
        fuzz(f.root_cause, BOOST_ROOT_CAUSE),
        fuzz(f.body, BOOST_BODY),
    ]);
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, Box::new(exact)),
        (Occur::Should, Box::new(typo)),
    ]))
}

fn phrase_query(f: &Fields, stems: &[String]) -> Box<dyn TQuery> {
    let phrase = |field: Field, boost: f32| -> Box<dyn TQuery> {
        boosted(
            Box::new(PhraseQuery::new(
                stems
                    .iter()
                    .map(|s| Term::from_field_text(field, s))
                    .collect(),
            )),
            boost,
        )
    };
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        vec![
            phrase(f.title, BOOST_TITLE),
            phrase(f.root_cause, BOOST_ROOT_CAUSE),
            phrase(f.summary, BOOST_SUMMARY),
            phrase(f.body, BOOST_BODY),
        ],
        0.2,
    ))
}

/// A baseline for the relevance evaluation: plain BM25 over all the text in one field,
/// any word matching (tantivy's default query parser behaviour). Not used by the CLI.
pub mod baseline {
    use super::*;
    use tantivy::query::QueryParser;

    /// Index `archive` in memory as one text field and return the ids for `query`.
    pub fn rank(archive: &Archive, queries: &[&str], limit: usize) -> Result<Vec<Vec<String>>> {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let text = b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("en_stem")
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        );
        let index = Index::create_in_ram(b.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 20_000_000)?;
        for i in &archive.incidents {
            let mut doc = TantivyDocument::new();
            doc.add_text(id, &i.id);
            let all = format!(
                "{}\n{}\n{}\n{}\n{}",
                i.title,
                i.summary.as_deref().unwrap_or(""),
                i.root_cause_text(),
                i.body_text,
                i.causes.join(" ")
            );
            doc.add_text(text, all);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let parser = QueryParser::for_index(&index, vec![text]);
        let mut out = Vec::new();
        for q in queries {
            let (query, _) = parser.parse_query_lenient(q);
            let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
            let mut ids = Vec::new();
            for (_, addr) in top {
                let doc: TantivyDocument = searcher.doc(addr)?;
                ids.push(
                    doc.get_first(id)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                );
            }
            out.push(ids);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn incident(
        id: &str,
        title: &str,
        date: &str,
        root_cause: &str,
        body: &str,
        causes: &[&str],
    ) -> Incident {
        Incident {
            id: id.into(),
            title: title.into(),
            date: Some(date.parse().unwrap()),
            severity: Some("SEV2".into()),
            root_cause: Some(root_cause.into()),
            body_text: body.into(),
            causes: causes.iter().map(|c| c.to_string()).collect(),
            services: vec!["api".into()],
            ..Default::default()
        }
    }

    fn archive() -> Archive {
        Archive::new(vec![
            incident(
                "a",
                "Checkout errors",
                "2025-03-01",
                "An expired TLS certificate on the gateway.",
                "Customers saw TLS errors at checkout.",
                &["expired-certificate"],
            ),
            incident(
                "b",
                "Slow search",
                "2025-05-01",
                "Index rebuild saturated the disks.",
                "Search was slow; the certificate store was fine.",
                &["capacity"],
            ),
            incident(
                "c",
                "DNS outage",
                "2024-11-20",
                "A bad zone push removed records.",
                "Name resolution failed for internal services.",
                &["dns"],
            ),
        ])
    }

    fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
        index
            .search(&parse(q).unwrap(), 10)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    #[test]
    fn root_cause_outranks_body_and_filters_work() {
        let dir = tempfile::tempdir().unwrap();
        let stats = update(dir.path(), &archive()).unwrap();
        assert_eq!(
            stats,
            UpdateStats {
                added: 3,
                removed: 0,
                unchanged: 0,
                rebuilt: true
            }
        );
        let index = SearchIndex::open(dir.path()).unwrap().unwrap();
        assert_eq!(ids(&index, "certificates"), ["a", "b"]);
        assert_eq!(ids(&index, "certificate -cause:expired-certificate"), ["b"]);
        assert_eq!(ids(&index, "after:2025-01-01"), ["b", "a"]);
        assert_eq!(ids(&index, "before:2025-03-01"), ["c"]);
        assert_eq!(ids(&index, "dns"), ["c"]);
        assert_eq!(
            ids(&index, "certifcate"),
            ["a", "b"],
            "one typo still finds it"
        );
        let r = index
            .search(&parse("expired certificate").unwrap(), 10)
            .unwrap();
        // Any word may match; the post-mortem with both words comes first.
        assert_eq!(r.total, 2);
        assert_eq!(r.hits[0].id, "a");
        assert_eq!(
            r.hits[0].snippet.marked("[", "]"),
            "An [expired] [TLS] [certificate] on the gateway. Customers saw [TLS] errors at checkout.",
            "synonyms (tls for certificate) are marked too"
        );
    }

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
}
