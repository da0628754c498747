//! Answering a query with the CLI's index. Ranking: BM25 per field, the best field of
//! each word counting most (field boosts in `super::weights`); any word may match,
//! and matching all of them adds the score again, so complete matches come first. A
//! word also matches its synonyms (`super::synonyms`), for less. A word found nowhere
//! is offered the nearest words of the archive ("did you mean"; one edit for words of up
//! to seven letters, two for longer ones; a swap of neighbours is one) and, from
//! `weights::TYPO_MIN_CHARS` letters on, searched as them at `weights::TYPO`. Field
//! filters and dates filter without changing scores.
//!
//! Causes: `cause:X` matches the label X and, when the taxonomy knows X (a class, an
//! alias, a family), every incident of that class, labelled or inferred. Free text that
//! names or describes a cause ("lost power", "bad rollout") also finds the incidents of
//! that class, at `weights::CAUSE`, and those whose text only suggests it (its possible
//! classes) at `weights::CAUSE_POSSIBLE` of that (see [`super::causes`]). Every such reading is said
//! in a notice, so a person knows why a result without their words came up.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;

use anyhow::{Context as _, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery,
    Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, TantivyDocument, Value};
use tantivy::{IndexReader, Order, ReloadPolicy, Term};

use super::causes::{classes_described, classes_named};
use super::query::{Clause, Field as QField, Item, Query};
use super::schema::{self, Display, Fields, SCHEMA_VERSION, day_number};
use super::snippet::{self, Snippet, TokenHit};
use super::store::{index_dir, read_version};
use super::{synonyms, weights};
use crate::taxonomy::Taxonomy;
use crate::words::edit_distance;

const SNIPPET_CHARS: usize = 180;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The incident's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Its severity.
    pub severity: Option<String>,
    /// Its services.
    pub services: Vec<String>,
    /// The post-mortem's file, relative to the site root.
    pub(crate) source: String,
    pub(crate) score: f32,
    /// The passage that matched, query words marked.
    pub snippet: Snippet,
}

/// Ranked results, how many incidents matched in all, and what the search read into
/// the query (causes it searched by, words it found nowhere and the nearest ones).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    /// Incidents matched in all, beyond the hits returned.
    pub total: usize,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
    pub(crate) notices: Vec<String>,
}

/// An open index, ready to answer queries.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    taxonomy: std::borrow::Cow<'static, Taxonomy>,
}

impl SearchIndex {
    /// Open the index in `cache_dir`; `None` when there is none of the current version.
    pub fn open(cache_dir: &Path) -> Result<Option<SearchIndex>> {
        let dir = index_dir(cache_dir);
        if read_version(cache_dir) != Some(SCHEMA_VERSION) || !dir.join("meta.json").is_file() {
            return Ok(None);
        }
        let index = schema::open_index(&dir)
            .with_context(|| format!("opening the search index in {}", dir.display()))?;
        let fields = schema::fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Some(SearchIndex {
            reader,
            fields,
            taxonomy: std::borrow::Cow::Borrowed(Taxonomy::builtin_ref()),
        }))
    }

    /// Read cause names and descriptions with `taxonomy` (the site's) instead of the
    /// builtin one.
    pub(crate) fn with_taxonomy(mut self, taxonomy: std::borrow::Cow<'static, Taxonomy>) -> Self {
        self.taxonomy = taxonomy;
        self
    }

    /// Answer `query` with at most `limit` results, best first.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Results> {
        let searcher = self.reader.searcher();
        let plan = self.plan(query, &searcher);
        let chosen = plan.build();
        let total = searcher.search(&chosen, &Count)?;
        let limit = limit.max(1);
        let mut found: Vec<(f32, u64, tantivy::DocAddress)> = if !plan.scores() {
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
                source: display.source,
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
        Ok(Results {
            total,
            hits,
            notices: plan.notices,
        })
    }

    fn stems(&self, text: &str) -> Vec<String> {
        crate::text::terms(text)
    }

    fn plan(&self, query: &Query, searcher: &tantivy::Searcher) -> Plan {
        let mut plan = Plan::default();
        for items in &query.alternatives {
            let alternative = self.plan_alternative(items, searcher, &mut plan);
            plan.alternatives.push(alternative);
        }
        for (word, near) in std::mem::take(&mut plan.unknown) {
            plan.notices.push(if near.is_empty() {
                format!("`{word}` is in no post-mortem")
            } else {
                format!(
                    "`{word}` is in no post-mortem; did you mean {}?",
                    near.join(", ")
                )
            });
        }
        plan
    }

    fn plan_alternative(
        &self,
        items: &[Item],
        searcher: &tantivy::Searcher,
        plan: &mut Plan,
    ) -> AltPlan {
        let mut alt = AltPlan::default();
        let f = self.fields;
        let mut described = String::new();
        for item in items {
            let q: Box<dyn TQuery> = match &item.clause {
                Clause::Word(w) | Clause::Phrase(w) => {
                    let stems = self.stems(w);
                    if stems.is_empty() {
                        continue;
                    }
                    // Unquoted words may name a cause; a quoted phrase means these words.
                    if !item.negated && matches!(item.clause, Clause::Word(_)) {
                        described.push_str(w);
                        described.push(' ');
                    }
                    let single_word = matches!(item.clause, Clause::Word(_)) && stems.len() == 1;
                    // A word found nowhere is offered the nearest words of the archive
                    // (within a typo or two) and, when long enough not to have too many
                    // false friends, searched as them, for less.
                    let near = if single_word && !item.negated && self.nowhere(searcher, &stems[0])
                    {
                        let near = self.nearest_terms(searcher, w);
                        if !plan.unknown.iter().any(|(u, _)| u == w) {
                            plan.unknown.push((w.clone(), near.clone()));
                        }
                        if w.chars().count() >= weights::TYPO_MIN_CHARS {
                            near
                        } else {
                            Vec::new()
                        }
                    } else {
                        Vec::new()
                    };
                    if !item.negated {
                        for s in stems.iter().chain(&near) {
                            if !plan.snippet_terms.contains(s) {
                                plan.snippet_terms.push(s.clone());
                            }
                        }
                    }
                    if !near.is_empty() {
                        Box::new(DisjunctionMaxQuery::new(
                            near.iter()
                                .map(|t| boosted(term_query(&f, t), weights::TYPO))
                                .collect(),
                        ))
                    } else if stems.len() > 1 {
                        phrase_query(&f, &stems)
                    } else if item.negated || matches!(item.clause, Clause::Phrase(_)) {
                        term_query(&f, &stems[0])
                    } else {
                        // A word also finds its synonyms, for less: the best one counts.
                        let mut alternatives = vec![term_query(&f, &stems[0])];
                        for synonym in synonyms::of(&stems[0]) {
                            let q = if synonym.len() == 1 {
                                term_query(&f, &synonym[0])
                            } else {
                                phrase_query(&f, synonym)
                            };
                            alternatives.push(boosted(q, weights::SYNONYM));
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
                Clause::Field(QField::Cause, value) => self.cause_filter(value, searcher, plan),
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
                Clause::Year(y) => {
                    let first = |y: i64| Term::from_field_u64(f.day, (y * 10_000 + 101) as u64);
                    Box::new(RangeQuery::new(
                        Bound::Included(first(i64::from(*y))),
                        Bound::Excluded(first(i64::from(*y) + 1)),
                    ))
                }
            };
            let is_text = matches!(item.clause, Clause::Word(_) | Clause::Phrase(_));
            if item.negated {
                alt.excluded.push(q);
            } else if is_text {
                alt.texts.push(q);
            } else {
                alt.filters.push(q);
            }
        }
        // Words that name or describe a cause also find the incidents of that cause, and,
        // for less, those whose text only suggests it (its possible classes).
        for (class, title, score) in classes_described(&self.taxonomy, &described) {
            let term = Term::from_field_text(f.class, &class);
            let possible = Term::from_field_text(f.class_possible, &class);
            let found = |t: &Term| searcher.doc_freq(t).unwrap_or(0) > 0;
            if !found(&term) && !found(&possible) {
                continue;
            }
            let notice = format!(
                "`{}` reads as the cause “{title}” ({class}): post-mortems of that cause, labelled or inferred, match too",
                described.trim()
            );
            if !plan.notices.contains(&notice) {
                plan.notices.push(notice);
            }
            alt.causes.push((term, score as f32));
            alt.causes
                .push((possible, score as f32 * weights::CAUSE_POSSIBLE));
        }
        alt
    }

    /// `cause:VALUE`: the label as written, and the taxonomy's classes it names.
    fn cause_filter(
        &self,
        value: &str,
        searcher: &tantivy::Searcher,
        plan: &mut Plan,
    ) -> Box<dyn TQuery> {
        let f = self.fields;
        let label = Term::from_field_text(f.cause, value);
        let classes = classes_named(&self.taxonomy, value);
        if !plan.labels_checked {
            plan.labels_checked = true;
            if !self.any_term(searcher, f.cause) {
                plan.notices.push(
                    "no post-mortem of this archive has a cause label (`causes:`); `cause:` searches the causes inferred from their text".to_string(),
                );
            }
        }
        if classes.is_empty() && searcher.doc_freq(&label).unwrap_or(0) == 0 {
            let near = self.nearest_causes(searcher, value);
            plan.notices.push(if near.is_empty() {
                format!("no post-mortem has the cause `{value}`, and the taxonomy knows no such cause")
            } else {
                format!(
                    "no post-mortem has the cause `{value}`, and the taxonomy knows no such cause; did you mean {}?",
                    near.iter().map(|n| format!("cause:{n}")).collect::<Vec<_>>().join(", ")
                )
            });
        }
        let mut any: Vec<(Occur, Box<dyn TQuery>)> = vec![(
            Occur::Should,
            Box::new(TermQuery::new(label, IndexRecordOption::Basic)),
        )];
        for class in classes {
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.class, &class),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        Box::new(BooleanQuery::new(any))
    }

    /// Whether any document has a value in `field`.
    fn any_term(&self, searcher: &tantivy::Searcher, field: Field) -> bool {
        searcher.segment_readers().iter().any(|segment| {
            segment
                .inverted_index(field)
                .is_ok_and(|index| index.terms().num_terms() > 0)
        })
    }

    /// Every term of `field` with its document frequency, summed over segments.
    fn terms_of(
        &self,
        searcher: &tantivy::Searcher,
        field: Field,
        mut each: impl FnMut(&str, u32),
    ) {
        for segment in searcher.segment_readers() {
            let Ok(index) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = index.terms().stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    each(term, stream.value().doc_freq);
                }
            }
        }
    }

    /// Up to three indexed words nearest to `word` (a word found nowhere): within one
    /// edit for words of up to seven letters, two for longer ones; closest first, then
    /// the most common.
    fn nearest_terms(&self, searcher: &tantivy::Searcher, word: &str) -> Vec<String> {
        let lower = word.to_lowercase();
        let stem = self.stems(word).into_iter().next().unwrap_or_default();
        let max = if lower.chars().count() <= 7 { 1 } else { 2 };
        let mut found: BTreeMap<String, (usize, u32)> = BTreeMap::new();
        let f = self.fields;
        for field in [f.title, f.root_cause, f.labels, f.summary, f.body] {
            self.terms_of(searcher, field, |term, docs| {
                let len = term.chars().count();
                if len < 3
                    || len
                        .abs_diff(lower.chars().count())
                        .min(len.abs_diff(stem.chars().count()))
                        > max
                {
                    return;
                }
                // The word as typed counts before its stem (which may be cut short).
                let d = edit_distance(&lower, term).min(edit_distance(&stem, term) + 1);
                if d <= max {
                    let e = found.entry(term.to_string()).or_insert((d, 0));
                    e.1 = e.1.max(docs);
                }
            });
        }
        ranked(found)
    }

    /// Cause labels of the archive and names of the taxonomy nearest to `value`.
    fn nearest_causes(&self, searcher: &tantivy::Searcher, value: &str) -> Vec<String> {
        let key = crate::taxonomy::normalise_name(value);
        let max = if key.chars().count() <= 4 { 1 } else { 3 };
        let mut found: BTreeMap<String, (usize, u32)> = BTreeMap::new();
        let mut consider = |name: &str, docs: u32| {
            let d = edit_distance(&key, &crate::taxonomy::normalise_name(name));
            if d <= max {
                let e = found.entry(name.to_string()).or_insert((d, 0));
                e.1 = e.1.max(docs);
            }
        };
        self.terms_of(searcher, self.fields.cause, &mut consider);
        for class in &self.taxonomy.classes {
            for name in std::iter::once(&class.id).chain(&class.aliases) {
                consider(name, 0);
            }
        }
        for family in &self.taxonomy.families {
            consider(&family.id, 0);
        }
        ranked(found)
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
        crate::text::for_each_term(text, |start, end, token| {
            if let Some(term) = plan.snippet_terms.iter().position(|t| t == token) {
                hits.push(TokenHit { start, end, term });
            }
        });
        snippet::make(text, &hits, SNIPPET_CHARS)
    }
}

/// Names closest first, then the most documents, at most three.
fn ranked(found: BTreeMap<String, (usize, u32)>) -> Vec<String> {
    let mut found: Vec<(String, (usize, u32))> = found.into_iter().collect();
    found.sort_by(|a, b| {
        a.1.0
            .cmp(&b.1.0)
            .then(b.1.1.cmp(&a.1.1))
            .then(a.0.cmp(&b.0))
    });
    found.into_iter().take(3).map(|(name, _)| name).collect()
}

/// A query turned into tantivy queries, with what the search read into it.
#[derive(Default)]
struct Plan {
    alternatives: Vec<AltPlan>,
    snippet_terms: Vec<String>,
    notices: Vec<String>,
    /// Words found nowhere, as typed, with the nearest words of the archive.
    unknown: Vec<(String, Vec<String>)>,
    labels_checked: bool,
}

/// One alternative of the query (between `OR`s).
#[derive(Default)]
struct AltPlan {
    texts: Vec<Box<dyn TQuery>>,
    /// Cause classes the free text describes, with the match score.
    causes: Vec<(Term, f32)>,
    filters: Vec<Box<dyn TQuery>>,
    excluded: Vec<Box<dyn TQuery>>,
}

impl Plan {
    /// Whether results are ranked by score (some alternative has words), else by date.
    fn scores(&self) -> bool {
        self.alternatives
            .iter()
            .any(|a| !a.texts.is_empty() || !a.causes.is_empty())
    }

    fn build(&self) -> BooleanQuery {
        match self.alternatives.as_slice() {
            [one] => one.build(),
            many => BooleanQuery::new(
                many.iter()
                    .map(|a| (Occur::Should, Box::new(a.build()) as Box<dyn TQuery>))
                    .collect(),
            ),
        }
    }
}

impl AltPlan {
    fn build(&self) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let words: Option<Box<dyn TQuery>> = match self.texts.len() {
            0 => None,
            1 => Some(self.texts[0].box_clone()),
            _ => {
                // Any word may match; matching them all adds the score once more, so
                // complete matches come before most partial ones without losing recall.
                let each = |occur: Occur| {
                    Box::new(BooleanQuery::new(
                        self.texts.iter().map(|q| (occur, q.box_clone())).collect(),
                    )) as Box<dyn TQuery>
                };
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Should, each(Occur::Must)),
                    (Occur::Should, each(Occur::Should)),
                ])))
            }
        };
        let mut scored: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        scored.extend(words.map(|w| (Occur::Should, w)));
        for (term, score) in &self.causes {
            scored.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
                    weights::CAUSE * score,
                )),
            ));
        }
        match scored.len() {
            0 => {}
            1 => clauses.push((Occur::Must, scored.pop().expect("one").1)),
            _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(scored)))),
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

/// One word: the best field wins, other fields add a little.
fn term_query(f: &Fields, stem: &str) -> Box<dyn TQuery> {
    let term = |field: Field| -> Box<dyn TQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, stem),
            IndexRecordOption::WithFreqs,
        ))
    };
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        vec![
            boosted(term(f.title), weights::TITLE),
            boosted(term(f.root_cause), weights::ROOT_CAUSE),
            boosted(term(f.labels), weights::LABELS),
            boosted(term(f.summary), weights::SUMMARY),
            boosted(term(f.body), weights::BODY),
        ],
        0.2,
    ))
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
            phrase(f.title, weights::TITLE),
            phrase(f.root_cause, weights::ROOT_CAUSE),
            phrase(f.summary, weights::SUMMARY),
            phrase(f.body, weights::BODY),
        ],
        0.2,
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Archive, Incident};
    use crate::search::query::parse;
    use crate::search::store::{UpdateStats, update};

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

    pub(crate) fn archive() -> Archive {
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

    pub(crate) fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
        index
            .search(&parse(q).unwrap(), 10)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    /// Three post-mortems without cause labels: a power loss told in plain words, a
    /// Prometheus scrape failure, and a DNS outage.
    fn unlabelled() -> Archive {
        Archive::new(vec![
            incident(
                "power",
                "Racks offline in the east hall",
                "2025-02-03",
                "Both utility feeds dropped and the generator failed to start, so the data centre lost power.",
                "Forty racks went dark for two hours.",
                &[],
            ),
            incident(
                "scrape",
                "Prometheus stopped scraping the payment pods",
                "2024-06-10",
                "A relabelling rule dropped every target of the payments namespace.",
                "Dashboards went blank; alerts stayed silent.",
                &[],
            ),
            incident(
                "dns",
                "Internal names stopped resolving",
                "2025-04-01",
                "A bad zone push removed the records; DNS lookups failed across the fleet.",
                "Services could not resolve each other.",
                &[],
            ),
        ])
    }

    fn results(index: &SearchIndex, q: &str) -> Results {
        index.search(&parse(q).unwrap(), 10).unwrap()
    }

    #[test]
    fn causes_in_plain_words_and_cause_names_find_unlabelled_post_mortems() {
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), &unlabelled()).unwrap();
        let index = SearchIndex::open(dir.path()).unwrap().unwrap();
        // "outage of electricity" shares no word with the power post-mortem; the
        // taxonomy reads it as a power failure, which was inferred from the text.
        let r = results(&index, "electricity outage");
        assert_eq!(
            r.hits.first().map(|h| h.id.as_str()),
            Some("power"),
            "{r:?}"
        );
        assert!(
            r.notices.iter().any(|n| n.contains("power-failure")),
            "{:?}",
            r.notices
        );
        // `cause:` takes the taxonomy's names; without labels it says it uses inferred causes.
        let r = results(&index, "cause:dns");
        assert_eq!(
            r.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["dns"]
        );
        assert!(r.notices[0].starts_with("no post-mortem of this archive has a cause label"));
        // A family stands for its classes; an unknown cause says so and offers the nearest.
        assert_eq!(ids(&index, "cause:physical"), ["power"]);
        let r = results(&index, "cause:dsn");
        assert!(r.hits.is_empty());
        assert!(
            r.notices
                .iter()
                .any(|n| n.contains("did you mean cause:dns")),
            "{:?}",
            r.notices
        );
    }

    #[test]
    fn a_cause_the_text_only_suggests_is_found_after_the_post_mortems_of_that_cause() {
        let mut incidents = unlabelled().incidents;
        // A DNS outage whose text also mentions a power loss, far below its cause: power
        // failure is only a possible class of it.
        incidents.push(incident(
            "blip",
            "Internal names stopped resolving again",
            "2025-05-06",
            "A bad zone push removed the records; DNS lookups failed across the fleet.",
            "The data centre had also lost power briefly that morning.",
            &[],
        ));
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), &Archive::new(incidents)).unwrap();
        let index = SearchIndex::open(dir.path()).unwrap().unwrap();
        // No word of the query is in either text: the power failure first, then the
        // post-mortem that only suggests one.
        assert_eq!(ids(&index, "electricity outage"), ["power", "blip"]);
        let r = results(&index, "electricity outage");
        assert!(r.hits[0].score > 2.0 * r.hits[1].score, "{r:?}");
        // `cause:` filters by the causes inferred, never by the possible ones.
        assert_eq!(ids(&index, "cause:power-failure"), ["power"]);
    }

    #[test]
    fn or_year_and_did_you_mean() {
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), &unlabelled()).unwrap();
        let index = SearchIndex::open(dir.path()).unwrap().unwrap();
        assert_eq!(ids(&index, "year:2024"), ["scrape"]);
        assert_eq!(ids(&index, "-year:2024"), ["dns", "power"]);
        let mut either = ids(&index, "generator OR relabelling");
        either.sort();
        assert_eq!(either, ["power", "scrape"]);
        assert_eq!(
            ids(&index, "year:2025 racks OR year:2024"),
            ["power", "scrape"]
        );
        // `OR` as a word is not searched (it used to match every incident).
        assert_eq!(ids(&index, "prometheus OR zone"), ["scrape", "dns"]);
        let r = results(&index, "promethues");
        assert_eq!(
            r.hits.first().map(|h| h.id.as_str()),
            Some("scrape"),
            "a swap is one typo"
        );
        assert!(
            r.notices.contains(
                &"`promethues` is in no post-mortem; did you mean prometheus?".to_string()
            ),
            "{:?}",
            r.notices
        );
        let r = results(&index, "xylophone");
        assert!(r.hits.is_empty());
        assert_eq!(r.notices, ["`xylophone` is in no post-mortem"]);
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
}
