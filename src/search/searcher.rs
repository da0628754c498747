//! Answering a query with the CLI's index. Ranking: BM25 per field, the best field of
//! each word counting most (field boosts in [`super::weights`]); any word may match,
//! and matching all of them adds the score again, so complete matches come first. A
//! word also matches its synonyms ([`super::synonyms`]), for less. A word of
//! [`weights::TYPO_MIN_CHARS`]+ letters found nowhere is matched within one typo, at a
//! low constant weight. Field filters and dates filter without changing scores.

use std::ops::Bound;
use std::path::Path;

use anyhow::{Context as _, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, TantivyDocument, Value};
use tantivy::{IndexReader, Order, ReloadPolicy, Term};

use super::query::{Clause, Field as QField, Query};
use super::schema::{self, Display, Fields, SCHEMA_VERSION, day_number};
use super::snippet::{self, Snippet, TokenHit};
use super::store::{index_dir, read_version};
use super::{synonyms, weights};

const SNIPPET_CHARS: usize = 180;

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
        let index = schema::open_index(&dir)
            .with_context(|| format!("opening the search index in {}", dir.display()))?;
        let fields = schema::fields_of(&index.schema())?;
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
        crate::text::terms(text)
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
                        && stems[0].chars().count() >= weights::TYPO_MIN_CHARS
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
        crate::text::for_each_term(text, |start, end, token| {
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
            boosted(term(f.title), weights::TITLE),
            boosted(term(f.root_cause), weights::ROOT_CAUSE),
            boosted(term(f.labels), weights::LABELS),
            boosted(term(f.summary), weights::SUMMARY),
            boosted(term(f.body), weights::BODY),
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
            weights::TYPO * weight,
        ))
    };
    let typo = DisjunctionMaxQuery::new(vec![
        fuzz(f.title, weights::TITLE),
        fuzz(f.root_cause, weights::ROOT_CAUSE),
        fuzz(f.body, weights::BODY),
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
