//! Offline evaluation of related incidents and cause suggestions against known causes,
//! used by `examples/eval_related.rs` and the quality test on the handwritten set.
//!
//! Causes are hidden from the method (cleared after loading), as in an archive whose
//! post-mortems carry no cause labels. A related link is correct when the two incidents
//! share a true cause. Precision@k counts a missing link as wrong, so a method cannot
//! score well by answering less; `analyse` runs with `min_score = 0` here because the
//! evaluation measures ranking quality. The baseline is a plain TF-IDF cosine over the
//! whole text (raw tf, smoothed idf, no stop words, no stemming), ranked exactly through
//! an inverted index. Cause suggestions are scored by hiding the causes of every fifth
//! incident (by archive position) and checking the top suggestion against the truth.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::related::Params;
use super::text;
use crate::config::Config;
use crate::model::{Archive, Incident};

/// True causes by incident id.
pub type Truth = BTreeMap<String, Vec<String>>;

/// Parse `{"<id>": {"causes": [...]}}`.
pub fn parse_truth(json: &str) -> Result<Truth, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("truth file: {e}"))?;
    let object = value
        .as_object()
        .ok_or("truth file: expected an object keyed by incident id")?;
    let mut truth = Truth::new();
    for (id, entry) in object {
        let causes = entry
            .get("causes")
            .and_then(|c| c.as_array())
            .ok_or_else(|| format!("truth file: `{id}` has no `causes` list"))?
            .iter()
            .filter_map(|c| c.as_str().map(String::from))
            .collect();
        truth.insert(id.clone(), causes);
    }
    Ok(truth)
}

/// Precision at 1, 3 and 5 over the evaluated queries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Precision {
    /// Share of queries whose first result shares a true cause.
    pub at1: f64,
    /// Mean share of the first three results that share a true cause.
    pub at3: f64,
    /// Mean share of the first five results that share a true cause.
    pub at5: f64,
    /// Queries evaluated: incidents with a true cause that another incident shares.
    pub queries: usize,
}

/// What an evaluation of related incidents and cause suggestions measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Incidents in the archive evaluated.
    pub incidents: usize,
    /// Precision of the related-incident method.
    pub method: Precision,
    /// The method with every author reference removed: text and services alone.
    pub method_without_references: Precision,
    /// Precision of plain whole-text TF-IDF, the baseline to beat.
    pub baseline: Precision,
    /// Time of the whole `analyse` (references, vectors, neighbours, repeats...).
    pub analyse_time: Duration,
    /// Top suggestion is a true cause, over hidden incidents that have a truth.
    pub suggestion_accuracy: f64,
    /// Share of hidden incidents that got any suggestion.
    pub suggestion_coverage: f64,
    /// Hidden incidents with a truth that suggestions were asked for.
    pub suggestion_queries: usize,
    /// With the site's own display rule (not `min_score = 0`): the share of queries that
    /// show at least one link sharing a true cause.
    pub coverage: f64,
    /// Links shown per incident on average, with the site's own display rule.
    pub shown_per_incident: f64,
    /// Each query's own figures, in query order: to report a part of the archive (the
    /// development or held-out half of an evaluation set) with [`Outcome::summarise`].
    pub outcomes: Vec<Outcome>,
}

/// One query incident's figures in an evaluation of related incidents.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The query incident.
    pub id: String,
    /// Share of the method's first 1, 3 and 5 links that share a true cause.
    pub method: [f64; 3],
    /// The same for the whole-text TF-IDF baseline.
    pub baseline: [f64; 3],
    /// Whether the site's own display rule shows a link that shares a true cause.
    pub covered: bool,
}

impl Outcome {
    /// Precision of the method and of the baseline, and coverage, over `outcomes`.
    pub fn summarise<'a>(
        outcomes: impl IntoIterator<Item = &'a Outcome>,
    ) -> (Precision, Precision, f64) {
        let (mut m, mut b, mut covered, mut n) = ([0.0f64; 3], [0.0f64; 3], 0usize, 0usize);
        for o in outcomes {
            for k in 0..3 {
                m[k] += o.method[k];
                b[k] += o.baseline[k];
            }
            covered += usize::from(o.covered);
            n += 1;
        }
        let d = n.max(1) as f64;
        let p = |s: [f64; 3]| Precision {
            at1: s[0] / d,
            at3: s[1] / d,
            at5: s[2] / d,
            queries: n,
        };
        (p(m), p(b), covered as f64 / d)
    }
}

/// Truth keyed by file path (relative to the site root) re-keyed by incident id; keys
/// that already are ids stay as they are.
pub fn key_by_id(truth: Truth, archive: &Archive) -> Truth {
    let mut by_path: HashMap<String, &str> = HashMap::new();
    for incident in &archive.incidents {
        by_path.insert(
            incident.source.to_string_lossy().replace('\\', "/"),
            &incident.id,
        );
    }
    truth
        .into_iter()
        .map(|(key, causes)| match by_path.get(key.as_str()) {
            Some(id) => (id.to_string(), causes),
            None => (key, causes),
        })
        .collect()
}

/// Run the whole evaluation. `sample` limits the number of query incidents (every
/// n-th one) for large archives; `None` evaluates all of them.
pub fn evaluate(
    archive: &Archive,
    truth: &Truth,
    config: &Config,
    sample: Option<usize>,
) -> Report {
    let site_config = config;
    let mut config = config.clone();
    config.related.min_score = 0.0;
    config.related.max = 5;
    let hidden = Archive {
        incidents: archive
            .incidents
            .iter()
            .cloned()
            .map(|i| Incident {
                causes: Vec::new(),
                ..i
            })
            .collect(),
    };

    let started = Instant::now();
    let (insights, _) = super::analyse_with(&config, &hidden, &Params::default());
    let analyse_time = started.elapsed();

    let queries = query_set(&hidden.incidents, truth, sample);
    let method_lists: Vec<Vec<String>> = queries
        .iter()
        .map(|&i| {
            let id = &hidden.incidents[i].id;
            insights
                .related
                .get(id)
                .map(|l| l.iter().map(|r| r.id.clone()).collect())
                .unwrap_or_default()
        })
        .collect();
    let baseline_lists = baseline_neighbours(&hidden.incidents, &queries, 5);
    let method = precision(&hidden.incidents, truth, &queries, &method_lists);
    let unreferenced = Archive {
        incidents: hidden
            .incidents
            .iter()
            .cloned()
            .map(|i| Incident {
                related_refs: Vec::new(),
                ..i
            })
            .collect(),
    };
    let (insights_unreferenced, _) =
        super::analyse_with(&config, &unreferenced, &Params::default());
    let lists: Vec<Vec<String>> = queries
        .iter()
        .map(|&i| {
            let id = &hidden.incidents[i].id;
            insights_unreferenced
                .related
                .get(id)
                .map(|l| l.iter().map(|r| r.id.clone()).collect())
                .unwrap_or_default()
        })
        .collect();
    let method_without_references = precision(&hidden.incidents, truth, &queries, &lists);
    let baseline = precision(&hidden.incidents, truth, &queries, &baseline_lists);

    // Suggestions: keep the truth on four incidents in five, hide it on the fifth.
    let mut partly = hidden.clone();
    let mut held_out = Vec::new();
    for (i, incident) in partly.incidents.iter_mut().enumerate() {
        if let Some(causes) = truth.get(&incident.id) {
            if i % 5 == 0 {
                if !causes.is_empty() {
                    held_out.push(i);
                }
            } else {
                incident.causes = causes.clone();
            }
        }
    }
    let (insights, _) = super::analyse_with(&config, &partly, &Params::default());
    let (mut correct, mut covered) = (0usize, 0usize);
    for &i in &held_out {
        let incident = &partly.incidents[i];
        if let Some(top) = insights
            .cause_suggestions
            .get(&incident.id)
            .and_then(|s| s.first())
        {
            covered += 1;
            if truth[&incident.id].contains(&top.cause) {
                correct += 1;
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };

    // Coverage with the site's own display rule.
    let (shown, _) = super::analyse_with(site_config, &unreferenced, &Params::default());
    let shows_cause: Vec<bool> = queries
        .iter()
        .map(|&i| {
            let incident = &hidden.incidents[i];
            let causes = &truth[&incident.id];
            shown.related.get(&incident.id).is_some_and(|list| {
                list.iter().any(|r| {
                    truth
                        .get(&r.id)
                        .is_some_and(|other| other.iter().any(|c| causes.contains(c)))
                })
            })
        })
        .collect();
    let covered_queries = shows_cause.iter().filter(|&&c| c).count();
    let outcomes: Vec<Outcome> = queries
        .iter()
        .zip(per_query(&hidden.incidents, truth, &queries, &method_lists))
        .zip(per_query(
            &hidden.incidents,
            truth,
            &queries,
            &baseline_lists,
        ))
        .zip(&shows_cause)
        .map(|(((&i, method), baseline), &covered)| Outcome {
            id: hidden.incidents[i].id.clone(),
            method,
            baseline,
            covered,
        })
        .collect();
    let shown_links: usize = shown.related.values().map(Vec::len).sum();
    Report {
        coverage: ratio(covered_queries, queries.len()),
        shown_per_incident: ratio(shown_links, hidden.incidents.len()),
        incidents: archive.incidents.len(),
        method,
        method_without_references,
        baseline,
        analyse_time,
        suggestion_accuracy: ratio(correct, held_out.len()),
        suggestion_coverage: ratio(covered, held_out.len()),
        suggestion_queries: held_out.len(),
        outcomes,
    }
}

/// Incidents that have a true cause shared by at least one other incident.
fn query_set(incidents: &[Incident], truth: &Truth, sample: Option<usize>) -> Vec<usize> {
    let mut cause_counts: HashMap<&str, usize> = HashMap::new();
    for incident in incidents {
        for cause in truth.get(&incident.id).into_iter().flatten() {
            *cause_counts.entry(cause).or_default() += 1;
        }
    }
    let eligible: Vec<usize> = (0..incidents.len())
        .filter(|&i| {
            truth
                .get(&incidents[i].id)
                .is_some_and(|causes| causes.iter().any(|c| cause_counts[c.as_str()] > 1))
        })
        .collect();
    match sample {
        Some(n) if n > 0 && eligible.len() > n => {
            let step = eligible.len() as f64 / n as f64;
            (0..n)
                .map(|k| eligible[(k as f64 * step) as usize])
                .collect()
        }
        _ => eligible,
    }
}

fn precision(
    incidents: &[Incident],
    truth: &Truth,
    queries: &[usize],
    lists: &[Vec<String>],
) -> Precision {
    let per = per_query(incidents, truth, queries, lists);
    let mut sums = [0.0f64; 3];
    for p in &per {
        for k in 0..3 {
            sums[k] += p[k];
        }
    }
    let n = queries.len().max(1) as f64;
    Precision {
        at1: sums[0] / n,
        at3: sums[1] / n,
        at5: sums[2] / n,
        queries: queries.len(),
    }
}

/// Each query's share of its first 1, 3 and 5 links that share a true cause.
fn per_query(
    incidents: &[Incident],
    truth: &Truth,
    queries: &[usize],
    lists: &[Vec<String>],
) -> Vec<[f64; 3]> {
    queries
        .iter()
        .zip(lists)
        .map(|(&q, list)| {
            let own = &truth[&incidents[q].id];
            let hits: Vec<bool> = list
                .iter()
                .map(|id| {
                    truth
                        .get(id)
                        .is_some_and(|causes| causes.iter().any(|c| own.contains(c)))
                })
                .collect();
            let mut out = [0.0f64; 3];
            for (slot, k) in [1usize, 3, 5].into_iter().enumerate() {
                out[slot] = hits.iter().take(k).filter(|&&h| h).count() as f64 / k as f64;
            }
            out
        })
        .collect()
}

/// Plain whole-text TF-IDF cosine: the top `k` neighbours of each query, exactly.
pub(crate) fn baseline_neighbours(
    incidents: &[Incident],
    queries: &[usize],
    k: usize,
) -> Vec<Vec<String>> {
    let docs: Vec<HashMap<String, f32>> = incidents
        .par_iter()
        .map(|incident| {
            let mut tf: HashMap<String, f32> = HashMap::new();
            for word in text::whole_text(incident)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 2)
            {
                *tf.entry(word.to_lowercase()).or_default() += 1.0;
            }
            tf
        })
        .collect();
    let mut df: HashMap<&str, f32> = HashMap::new();
    for doc in &docs {
        for term in doc.keys() {
            *df.entry(term.as_str()).or_default() += 1.0;
        }
    }
    let mut terms: Vec<&str> = df.keys().copied().collect();
    terms.sort_unstable();
    let ids: HashMap<&str, u32> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i as u32))
        .collect();
    let n = docs.len() as f32;
    let vectors: Vec<Vec<(u32, f32)>> = docs
        .par_iter()
        .map(|doc| {
            let mut v: Vec<(u32, f32)> = doc
                .iter()
                .map(|(t, &tf)| {
                    (
                        ids[t.as_str()],
                        tf * (((1.0 + n) / (1.0 + df[t.as_str()])).ln() + 1.0),
                    )
                })
                .collect();
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
            for e in &mut v {
                e.1 /= norm.max(f32::MIN_POSITIVE);
            }
            v.sort_unstable_by_key(|e| e.0);
            v
        })
        .collect();
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms.len()];
    for (d, v) in vectors.iter().enumerate() {
        for &(t, w) in v {
            postings[t as usize].push((d as u32, w));
        }
    }
    queries
        .par_iter()
        .map_init(
            || vec![0.0f32; vectors.len()],
            |acc, &q| {
                acc.iter_mut().for_each(|x| *x = 0.0);
                for &(t, w) in &vectors[q] {
                    for &(d, wd) in &postings[t as usize] {
                        acc[d as usize] += w * wd;
                    }
                }
                acc[q] = f32::NEG_INFINITY;
                let mut ranked: Vec<(f32, usize)> = acc
                    .iter()
                    .copied()
                    .enumerate()
                    .map(|(d, s)| (s, d))
                    .filter(|e| e.0 > 0.0)
                    .collect();
                ranked.sort_by(|a, b| {
                    b.0.total_cmp(&a.0)
                        .then_with(|| incidents[a.1].id.cmp(&incidents[b.1].id))
                });
                ranked
                    .into_iter()
                    .take(k)
                    .map(|(_, d)| incidents[d].id.clone())
                    .collect()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_parses_and_rejects_bad_shapes() {
        let truth = parse_truth(r#"{"a": {"causes": ["x", "y"]}, "b": {"causes": []}}"#).unwrap();
        assert_eq!(truth["a"], vec!["x", "y"]);
        assert!(truth["b"].is_empty());
        assert!(parse_truth("[]").is_err());
        assert!(
            parse_truth(r#"{"a": {}}"#)
                .unwrap_err()
                .contains("`a` has no `causes`")
        );
    }

    #[test]
    fn precision_counts_missing_links_as_wrong() {
        let incidents: Vec<Incident> = ["a", "b", "c"]
            .iter()
            .map(|id| Incident {
                id: id.to_string(),
                ..Default::default()
            })
            .collect();
        let truth: Truth = [("a", "x"), ("b", "x"), ("c", "y")]
            .iter()
            .map(|(i, c)| (i.to_string(), vec![c.to_string()]))
            .collect();
        let p = precision(&incidents, &truth, &[0], &[vec!["b".into(), "c".into()]]);
        assert_eq!(p.at1, 1.0);
        assert!((p.at3 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(p.at5, 0.2);
        assert_eq!(
            query_set(&incidents, &truth, None),
            vec![0, 1],
            "c's cause is unique: not a query"
        );
    }
}
