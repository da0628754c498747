//! Related incidents: for every incident, the incidents most likely to share its
//! underlying cause, best first, each with a score in [0, 1] and reasons a reader can
//! check ("same cause: connection-leak", "similar root cause: connection pool, timeout").
//!
//! Score (non-explicit pairs) = 0.35 · cause overlap + 0.02 · service overlap + text,
//! where text = 0.45 · √cos(cause vectors) + 0.15 · √cos(whole-text vectors). Service
//! overlap is weighted by rarity (sharing `api` says less than sharing `ledger`) and only
//! breaks near ties: two incidents of one service are usually unrelated. When both
//! incidents are labelled and share no cause, the text part is halved: the authors said
//! the causes differ. An explicit reference maps a score s to 0.5 + 0.5 · s, so author links rank
//! first and are always kept, even beyond `related.max`.
//!
//! Cost: no all-pairs loop. Each incident's cause vector is pruned to its heaviest terms,
//! an inverted index holds those terms (postings of very common terms capped at their
//! heaviest entries), and dot products accumulate only through the postings of the
//! incident's own pruned terms. The best accumulated candidates, plus the nearest-in-time
//! incidents sharing a cause or a service, plus explicit links, are then scored exactly.
//! Everything is index-based and sorted with explicit tie-breaks (score desc, then id),
//! and the per-incident work runs in parallel (rayon) with deterministic results.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::generic;
use super::references::Links;
use super::text::{self, SparseVec, TextModel};
use crate::model::{Incident, InferredCause, Related};
use crate::words::clip;

/// Tunables of the neighbour search; the defaults are what `analyse` uses.
#[derive(Debug, Clone)]
pub struct Params {
    /// Terms per incident kept in the inverted index.
    pub(crate) index_terms: usize,
    /// Longest posting list kept for one term (its heaviest entries).
    pub(crate) posting_cap: usize,
    /// Best text candidates per incident scored exactly.
    pub(crate) text_candidates: usize,
    /// Nearest-in-time incidents taken on each side per shared cause (services: half).
    pub(crate) label_candidates: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            index_terms: 30,
            posting_cap: 1000,
            text_candidates: 40,
            label_candidates: 4,
        }
    }
}

const W_CAUSE: f64 = 0.35;
/// A cause both texts state (inferred with the taxonomy), scaled by the weaker of the
/// two confidences. Below a label: an inference can be wrong.
const W_INFERRED: f64 = 0.3;
/// Titles state symptom and component densely; two alike titles say a lot.
const W_TITLE: f64 = 0.25;
/// "similar title" is a reason from this rarity-weighted overlap of title words up.
const TITLE_REASON_MIN: f64 = 0.5;
/// Small: related means "same root cause"; a shared service only breaks near ties.
/// (Stronger weights ranked same-service, different-cause incidents first on the
/// handwritten evaluation sets.)
const W_SERVICE: f64 = 0.02;
const W_CAUSE_TEXT: f64 = 0.45;
const W_WHOLE_TEXT: f64 = 0.15;
/// Text similarity shown as a reason from this cosine up.
const TEXT_REASON_MIN: f32 = 0.03;

/// One scored candidate neighbour of an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub(crate) other: usize,
    /// Rounded to 3 decimals (what is shown and exported).
    pub(crate) score: f64,
    pub(crate) cause_sim: f32,
    pub(crate) whole_sim: f32,
    /// This incident names the other.
    pub(crate) refers: bool,
    /// The other incident names this one.
    pub(crate) referred_by: bool,
    /// The strongest cause both texts state (taxonomy class, weaker confidence).
    pub(crate) inferred: Option<(String, f64)>,
    /// Rarity-weighted overlap of the two titles' telling words, 0..1.
    pub(crate) title_sim: f64,
}

impl Pair {
    pub(crate) fn explicit(&self) -> bool {
        self.refers || self.referred_by
    }

    /// Similarity of the texts alone (no labels, no links), used for cause suggestions.
    pub(crate) fn text_similarity(&self) -> f64 {
        text_part(self.cause_sim, self.whole_sim) / (W_CAUSE_TEXT + W_WHOLE_TEXT)
    }
}

/// Every scored candidate for every incident, best first (score desc, then id).
/// `inferred` holds each incident's inferred causes (class, confidence), or is empty.
pub fn neighbours(
    incidents: &[Incident],
    model: &TextModel,
    links: &Links,
    params: &Params,
    inferred: &[Vec<(String, f64)>],
) -> Vec<Vec<Pair>> {
    let n = incidents.len();
    let pruned: Vec<SparseVec> = model
        .cause
        .par_iter()
        .map(|v| text::prune(v, params.index_terms))
        .collect();
    let postings = inverted_index(&pruned, model.cause_terms.len(), params.posting_cap);
    let labels = LabelIndex::new(incidents, inferred);
    let mut explicit: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(from, to) in links {
        explicit[from].push(to);
        explicit[to].push(from);
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || {
                (
                    vec![0.0f32; n],
                    Vec::<u32>::new(),
                    vec![0.0f32; model.whole_terms.len()],
                )
            },
            |(acc, touched, whole_i), i| {
                for &(term, w) in &pruned[i] {
                    for &(j, wj) in &postings[term as usize] {
                        if j as usize != i {
                            if acc[j as usize] == 0.0 {
                                touched.push(j);
                            }
                            acc[j as usize] += w * wj;
                        }
                    }
                }
                let mut by_text: Vec<(f32, u32)> =
                    touched.iter().map(|&j| (acc[j as usize], j)).collect();
                for &j in touched.iter() {
                    acc[j as usize] = 0.0;
                }
                touched.clear();
                let keep = params.text_candidates.min(by_text.len());
                let order =
                    |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
                if keep < by_text.len() && keep > 0 {
                    by_text.select_nth_unstable_by(keep - 1, order);
                }
                by_text.truncate(keep);
                let mut candidates: Vec<usize> =
                    by_text.into_iter().map(|(_, j)| j as usize).collect();
                candidates.extend(labels.nearby(i, params.label_candidates));
                candidates.extend(explicit[i].iter().copied());
                candidates.sort_unstable();
                candidates.dedup();
                candidates.retain(|&j| j != i);
                // This incident's whole-text vector spread out by term, so each
                // candidate's cosine is one look-up per term of its own.
                for &(term, w) in &model.whole[i] {
                    whole_i[term as usize] = w;
                }
                let mut pairs: Vec<Pair> = candidates
                    .into_iter()
                    .map(|j| {
                        let refers = links.contains(&(i, j));
                        let referred_by = links.contains(&(j, i));
                        let whole_sim = text::dot_dense(whole_i, &model.whole[j]);
                        score_pair(
                            incidents,
                            &pruned,
                            &labels,
                            (i, j),
                            whole_sim,
                            refers,
                            referred_by,
                        )
                    })
                    .collect();
                for &(term, _) in &model.whole[i] {
                    whole_i[term as usize] = 0.0;
                }
                pairs.sort_by(|a, b| {
                    b.score
                        .total_cmp(&a.score)
                        .then_with(|| incidents[a.other].id.cmp(&incidents[b.other].id))
                });
                pairs
            },
        )
        .collect()
}

fn inverted_index(pruned: &[SparseVec], terms: usize, cap: usize) -> Vec<Vec<(u32, f32)>> {
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms];
    for (doc, v) in pruned.iter().enumerate() {
        for &(term, w) in v {
            postings[term as usize].push((doc as u32, w));
        }
    }
    postings.par_iter_mut().for_each(|list| {
        if list.len() > cap {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(cap);
            list.sort_unstable_by_key(|e| e.0);
        }
    });
    postings
}

#[allow(clippy::too_many_arguments)]
/// Score candidate `j` of incident `i`; `whole_sim` is the cosine of their whole texts.
fn score_pair(
    incidents: &[Incident],
    pruned: &[SparseVec],
    labels: &LabelIndex,
    (i, j): (usize, usize),
    whole_sim: f32,
    refers: bool,
    referred_by: bool,
) -> Pair {
    let (a, b) = (&incidents[i], &incidents[j]);
    // Over the pruned vectors, as in the index: the heaviest terms carry nearly all of
    // the cosine, and merging 30 + 30 terms keeps exact scoring cheap.
    let cause_sim = text::dot(&pruned[i], &pruned[j]);
    let cause_overlap = overlap(&a.causes, &b.causes, |_| 1.0);
    let service_overlap = overlap(&a.services, &b.services, |s| labels.service_weight(s));
    let mut text_evidence = text_part(cause_sim, whole_sim);
    if !a.causes.is_empty() && !b.causes.is_empty() && cause_overlap == 0.0 {
        text_evidence *= 0.5;
    }
    let inferred = labels.shared_inferred(i, j);
    let inferred_overlap = inferred.as_ref().map_or(0.0, |(_, c)| *c);
    let title_sim = labels.title_similarity(i, j);
    let mut score = W_CAUSE * cause_overlap
        + W_SERVICE * service_overlap
        + W_INFERRED * inferred_overlap
        + W_TITLE * title_sim
        + text_evidence;
    if refers || referred_by {
        score = 0.5 + 0.5 * score;
    }
    Pair {
        other: j,
        score: round3(score.clamp(0.0, 1.0)),
        cause_sim,
        whole_sim,
        refers,
        referred_by,
        inferred,
        title_sim,
    }
}

/// The telling words of a title: lower case, generic English words left out, a plural
/// `s` dropped, each once.
fn title_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !generic::is_generic(w))
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.len() > 3 && !stem.ends_with('s') => stem.to_string(),
                _ => w,
            }
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Text evidence of a pair. TF-IDF cosines of short texts are small (0.02-0.3 for real
/// neighbours in prose); the square root spreads them onto the scale of label overlap
/// without changing their order.
fn text_part(cause_sim: f32, whole_sim: f32) -> f64 {
    W_CAUSE_TEXT * f64::from(cause_sim.max(0.0)).sqrt()
        + W_WHOLE_TEXT * f64::from(whole_sim.max(0.0)).sqrt()
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Weighted Jaccard of two label lists: shared weight over union weight, square-rooted
/// so that sharing one of two causes still counts strongly (√0.5 ≈ 0.71).
fn overlap(a: &[String], b: &[String], weight: impl Fn(&str) -> f64) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // Label lists are short: linear scans beat building sets for every pair.
    let first = |list: &[String], k: usize| !list[..k].contains(&list[k]);
    let (mut shared, mut union) = (0.0, 0.0);
    for k in (0..a.len()).filter(|&k| first(a, k)) {
        let w = weight(&a[k]);
        union += w;
        if b.contains(&a[k]) {
            shared += w;
        }
    }
    for k in (0..b.len()).filter(|&k| first(b, k)) {
        if !a.contains(&b[k]) {
            union += weight(&b[k]);
        }
    }
    if union <= 0.0 {
        0.0
    } else {
        (shared / union).sqrt()
    }
}

/// Incidents grouped by cause and by service, in archive order (newest first), to find
/// the nearest-in-time incidents sharing a label, and service rarity weights.
struct LabelIndex<'a> {
    /// Each incident's telling title words with their rarity (idf over titles).
    titles: Vec<Vec<(String, f64)>>,
    inferred: &'a [Vec<(String, f64)>],
    by_cause: HashMap<String, Vec<usize>>,
    by_service: HashMap<String, Vec<usize>>,
    positions: Vec<Vec<(bool, String, usize)>>,
    service_idf: HashMap<String, f64>,
}

impl<'a> LabelIndex<'a> {
    fn new(incidents: &[Incident], inferred: &'a [Vec<(String, f64)>]) -> Self {
        let mut by_cause: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_service: HashMap<String, Vec<usize>> = HashMap::new();
        let mut positions = vec![Vec::new(); incidents.len()];
        for (i, incident) in incidents.iter().enumerate() {
            for cause in dedup(&incident.causes) {
                let list = by_cause.entry(cause.clone()).or_default();
                positions[i].push((true, cause.clone(), list.len()));
                list.push(i);
            }
            // Title words find candidates too: the same symptom is often titled alike.
            for word in title_words(&incident.title) {
                let key = format!("title:{word}");
                let list = by_cause.entry(key.clone()).or_default();
                positions[i].push((true, key, list.len()));
                list.push(i);
            }
            // Inferred causes find candidates the same way, under their own key.
            for (class, _) in inferred.get(i).into_iter().flatten() {
                let key = format!("inferred:{class}");
                let list = by_cause.entry(key.clone()).or_default();
                positions[i].push((true, key, list.len()));
                list.push(i);
            }
            for service in dedup(&incident.services) {
                let list = by_service.entry(service.clone()).or_default();
                positions[i].push((false, service.clone(), list.len()));
                list.push(i);
            }
        }
        let n = incidents.len().max(1) as f64;
        let titles: Vec<Vec<(String, f64)>> = incidents
            .iter()
            .map(|incident| {
                title_words(&incident.title)
                    .into_iter()
                    .map(|w| {
                        let df = by_cause.get(&format!("title:{w}")).map_or(1, Vec::len);
                        let idf = (1.0 + n / df as f64).ln();
                        (w, idf)
                    })
                    .collect()
            })
            .collect();
        // Smoothed so a service on every incident still weighs a little.
        let service_idf = by_service
            .iter()
            .map(|(s, list)| (s.clone(), (1.0 + n / list.len() as f64).ln()))
            .collect();
        LabelIndex {
            titles,
            inferred,
            by_cause,
            by_service,
            positions,
            service_idf,
        }
    }

    /// Rarity-weighted Jaccard of the two titles' telling words.
    fn title_similarity(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (&self.titles[i], &self.titles[j]);
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let shared: f64 = a
            .iter()
            .filter(|(w, _)| b.iter().any(|(v, _)| v == w))
            .map(|(_, idf)| idf)
            .sum();
        let union: f64 = a.iter().map(|(_, idf)| idf).sum::<f64>()
            + b.iter()
                .filter(|(w, _)| !a.iter().any(|(v, _)| v == w))
                .map(|(_, idf)| idf)
                .sum::<f64>();
        if union <= 0.0 { 0.0 } else { shared / union }
    }

    /// The strongest cause both incidents' texts state, with the weaker confidence.
    fn shared_inferred(&self, i: usize, j: usize) -> Option<(String, f64)> {
        let (a, b) = (self.inferred.get(i)?, self.inferred.get(j)?);
        a.iter()
            .filter_map(|(class, ca)| {
                b.iter()
                    .find(|(other, _)| other == class)
                    .map(|(_, cb)| (class.clone(), ca.min(*cb)))
            })
            .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
    }

    fn service_weight(&self, service: &str) -> f64 {
        self.service_idf.get(service).copied().unwrap_or(1.0)
    }

    /// Up to `k` incidents on each side (in time) per shared cause, `k / 2` per service.
    fn nearby(&self, i: usize, k: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for (is_cause, label, pos) in &self.positions[i] {
            let (list, k) = if *is_cause {
                (&self.by_cause[label], k)
            } else {
                (&self.by_service[label], k / 2)
            };
            let start = pos.saturating_sub(k);
            let end = (pos + k + 1).min(list.len());
            out.extend_from_slice(&list[start..end]);
        }
        out
    }
}

fn dedup(labels: &[String]) -> BTreeSet<&String> {
    labels.iter().collect()
}

/// The `Related` list of every incident: all explicit links plus up to `max` computed
/// ones scoring at least `min_score`, best first, with reasons.
///
/// Weaker links are shown as weaker rather than hidden: an incident with no link above
/// `min_score` still shows its best neighbour as *possibly related* (a small archive of
/// short write-ups shows no empty pages), and where its text states a cause that a
/// neighbour's text states too (inferred) but no link shown does, the best such
/// neighbour is added as possibly related, within `max`.
pub fn related_lists(
    incidents: &[Incident],
    model: &TextModel,
    pairs: &[Vec<Pair>],
    max: usize,
    min_score: f64,
    inferred: &[Vec<InferredCause>],
) -> BTreeMap<String, Vec<Related>> {
    let lists: Vec<(String, Vec<Related>)> = (0..incidents.len())
        .into_par_iter()
        .map(|i| {
            let mut computed = 0;
            let mut chosen: Vec<(&Pair, bool)> = pairs[i]
                .iter()
                .filter(|p| {
                    if p.explicit() {
                        return true;
                    }
                    if p.score >= min_score && computed < max {
                        computed += 1;
                        return true;
                    }
                    false
                })
                .map(|p| (p, false))
                .collect();
            if computed == 0
                && max > 0
                && let Some(p) = pairs[i].iter().find(|p| !p.explicit())
                && p.score > 0.0
            {
                chosen.push((p, true));
            }
            // Where both texts state a cause, the page shows one such neighbour: the
            // best one, as possibly related, when no link shown shares a stated cause.
            let computed_shown = chosen.iter().filter(|(p, _)| !p.explicit()).count();
            if computed_shown < max
                && !chosen.iter().any(|(p, _)| p.inferred.is_some())
                && let Some(p) = pairs[i].iter().find(|p| {
                    !p.explicit()
                        && p.inferred.is_some()
                        && p.score > 0.0
                        && !chosen.iter().any(|(c, _)| c.other == p.other)
                })
            {
                chosen.push((p, true));
            }
            let shown: Vec<&Pair> = chosen.iter().map(|(p, _)| *p).collect();
            let words = display_words(&incidents[i], model, i, &shown);
            let related = chosen
                .into_iter()
                .map(|(p, possible)| Related {
                    id: incidents[p.other].id.clone(),
                    score: p.score,
                    reasons: reasons(incidents, model, i, p, &words, inferred),
                    explicit: p.explicit(),
                    strength: if possible { "possible" } else { "related" },
                })
                .collect();
            (incidents[i].id.clone(), related)
        })
        .collect();
    lists
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

/// Written forms of the terms that will be quoted in reasons, from incident `i`'s text.
fn display_words(incident: &Incident, model: &TextModel, i: usize, chosen: &[&Pair]) -> Words {
    let mut cause_wanted = Vec::new();
    let mut whole_wanted = Vec::new();
    // Only the words a reason will quote: cause terms when the cause texts are alike,
    // whole-text terms otherwise (the same rule as `reasons`).
    for p in chosen {
        let j = p.other;
        if p.cause_sim >= TEXT_REASON_MIN {
            cause_wanted.extend(
                text::top_shared_terms(&model.cause[i], &model.cause[j], SHARED_TERMS_CONSIDERED)
                    .into_iter()
                    .map(|t| model.cause_terms[t as usize]),
            );
        } else if p.whole_sim >= TEXT_REASON_MIN {
            whole_wanted.extend(
                text::top_shared_terms(&model.whole[i], &model.whole[j], SHARED_TERMS_CONSIDERED)
                    .into_iter()
                    .map(|t| model.whole_terms[t as usize]),
            );
        }
    }
    cause_wanted.sort_unstable();
    cause_wanted.dedup();
    whole_wanted.sort_unstable();
    whole_wanted.dedup();
    let cause = if cause_wanted.is_empty() {
        HashMap::new()
    } else {
        text::surface_forms(&text::cause_text(incident).0, &cause_wanted)
    };
    let whole = if whole_wanted.is_empty() {
        HashMap::new()
    } else {
        text::surface_forms(&text::whole_text(incident), &whole_wanted)
    };
    Words { cause, whole }
}

const SHARED_TERMS_CONSIDERED: usize = 8;
const SHARED_TERMS_SHOWN: usize = 3;

struct Words {
    cause: HashMap<u64, String>,
    whole: HashMap<u64, String>,
}

fn reasons(
    incidents: &[Incident],
    model: &TextModel,
    i: usize,
    p: &Pair,
    words: &Words,
    inferred: &[Vec<InferredCause>],
) -> Vec<String> {
    let (a, b) = (&incidents[i], &incidents[p.other]);
    let mut out = Vec::new();
    if p.refers {
        out.push("referenced by author".to_string());
    } else if p.referred_by {
        out.push("references this incident".to_string());
    }
    for cause in dedup(&a.causes) {
        if b.causes.contains(cause) {
            out.push(format!("same cause: {cause}"));
        }
    }
    if let Some((class, _)) = &p.inferred
        && !a.causes.iter().any(|c| b.causes.contains(c))
        && let Some(cause) = inferred
            .get(i)
            .and_then(|list| list.iter().find(|c| &c.class == class))
    {
        match cause.evidence.first() {
            Some(e) => out.push(format!(
                "same cause (inferred): {} — “{}”",
                cause.title.to_lowercase(),
                clip(&e.sentence, 140)
            )),
            None => out.push(format!(
                "same cause (inferred): {}",
                cause.title.to_lowercase()
            )),
        }
    }
    if p.title_sim >= TITLE_REASON_MIN {
        out.push("similar title".to_string());
    }
    for service in dedup(&a.services) {
        if b.services.contains(service) {
            out.push(format!("same service: {service}"));
        }
    }
    let j = p.other;
    if p.cause_sim >= TEXT_REASON_MIN {
        let terms = shown_terms(
            &model.cause[i],
            &model.cause[j],
            &model.cause_terms,
            &words.cause,
        );
        let what = if model.structured[i] && model.structured[j] {
            "similar root cause"
        } else {
            "similar description"
        };
        if !terms.is_empty() {
            out.push(format!("{what}: {}", terms.join(", ")));
        }
    } else if p.whole_sim >= TEXT_REASON_MIN {
        let terms = shown_terms(
            &model.whole[i],
            &model.whole[j],
            &model.whole_terms,
            &words.whole,
        );
        if !terms.is_empty() {
            out.push(format!("similar text: {}", terms.join(", ")));
        }
    }
    out
}

/// The best shared terms in written form, skipping words already inside a shown phrase.
fn shown_terms(
    a: &[(u32, f32)],
    b: &[(u32, f32)],
    terms: &[u64],
    forms: &HashMap<u64, String>,
) -> Vec<String> {
    let candidates: Vec<&String> = text::top_shared_terms(a, b, SHARED_TERMS_CONSIDERED)
        .into_iter()
        .filter_map(|t| forms.get(&terms[t as usize]))
        .filter(|w| !generic::all_generic(w))
        .collect();
    let mut shown: Vec<String> = Vec::new();
    // Phrases first, so "connection pool" wins over "connection" and "pool".
    for phrase in candidates.iter().filter(|w| w.contains(' ')) {
        if shown.len() < SHARED_TERMS_SHOWN
            && !shown
                .iter()
                .any(|s| s.contains(phrase.as_str()) || phrase.contains(s.as_str()))
        {
            shown.push((*phrase).clone());
        }
    }
    for word in candidates.iter().filter(|w| !w.contains(' ')) {
        let covered = shown
            .iter()
            .any(|s| s.split(' ').any(|part| part == word.as_str()));
        if shown.len() < SHARED_TERMS_SHOWN && !covered {
            shown.push((*word).clone());
        }
    }
    // Keep the order of weight among what was kept.
    shown.sort_by_key(|s| {
        candidates
            .iter()
            .position(|c| *c == s)
            .unwrap_or(usize::MAX)
    });
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Why;

    fn incident(id: &str, causes: &[&str], services: &[&str], root_cause: &str) -> Incident {
        Incident {
            id: id.into(),
            title: id.into(),
            causes: causes.iter().map(|s| s.to_string()).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            root_cause: Some(root_cause.into()),
            five_whys: vec![Why {
                question: "Why?".into(),
                answer: root_cause.into(),
            }],
            ..Default::default()
        }
    }

    fn sample() -> Vec<Incident> {
        vec![
            incident(
                "a",
                &["connection-leak"],
                &["payments"],
                "Connection pool exhausted because connections leaked in the error path",
            ),
            incident(
                "b",
                &["connection-leak"],
                &["payments"],
                "Leaked connections exhausted the connection pool under load",
            ),
            incident(
                "c",
                &["cert-expiry"],
                &["edge"],
                "The TLS certificate expired; renewal automation was broken",
            ),
            incident(
                "d",
                &[],
                &["ledger"],
                "Database connection pool ran out as connections leaked on timeout",
            ),
            incident(
                "e",
                &["cert-expiry"],
                &["edge"],
                "Expired certificate on the load balancer, renewal job failed silently",
            ),
        ]
    }

    #[test]
    fn best_neighbours_share_cause_and_text() {
        let incidents = sample();
        let model = TextModel::build(&incidents);
        let pairs = neighbours(&incidents, &model, &Links::new(), &Params::default(), &[]);
        assert_eq!(pairs[0][0].other, 1, "{:?}", pairs[0]);
        assert_eq!(pairs[2][0].other, 4);
        assert_eq!(
            pairs[3][0].other.min(pairs[3][1].other),
            0,
            "unlabelled d finds the leak incidents by text"
        );
        let lists = related_lists(&incidents, &model, &pairs, 5, 0.15, &[]);
        let a = &lists["a"][0];
        assert_eq!(a.id, "b");
        assert!(
            a.reasons
                .contains(&"same cause: connection-leak".to_string()),
            "{:?}",
            a.reasons
        );
        assert!(
            a.reasons.contains(&"same service: payments".to_string()),
            "{:?}",
            a.reasons
        );
        assert!(
            a.reasons
                .iter()
                .any(|r| r.starts_with("similar root cause: ") && r.contains("connection pool")),
            "{:?}",
            a.reasons
        );
    }

    #[test]
    fn an_incident_with_no_link_above_min_score_shows_its_best_neighbour_as_possible() {
        let incidents = sample();
        let model = TextModel::build(&incidents);
        let pairs = neighbours(&incidents, &model, &Links::new(), &Params::default(), &[]);
        // Nothing reaches this min_score: every page still shows its best neighbour,
        // marked possibly related.
        let lists = related_lists(&incidents, &model, &pairs, 5, 0.99, &[]);
        for (i, incident) in incidents.iter().enumerate() {
            let list = &lists[&incident.id];
            assert_eq!(list.len(), 1, "{}: {list:?}", incident.id);
            assert_eq!(list[0].id, incidents[pairs[i][0].other].id);
            assert_eq!(list[0].strength, "possible");
        }
        // With max = 0 nothing computed is shown, not even as possible.
        assert!(related_lists(&incidents, &model, &pairs, 0, 0.99, &[]).is_empty());
    }

    #[test]
    fn a_neighbour_stating_the_same_cause_is_shown_when_no_shown_link_does() {
        let incidents = sample();
        let model = TextModel::build(&incidents);
        let pair = |other: usize, score: f64, inferred: Option<&str>| Pair {
            other,
            score,
            cause_sim: 0.0,
            whole_sim: 0.0,
            refers: false,
            referred_by: false,
            inferred: inferred.map(|c| (c.to_string(), 0.9)),
            title_sim: 0.0,
        };
        let mut pairs: Vec<Vec<Pair>> = vec![Vec::new(); incidents.len()];
        pairs[2] = vec![
            pair(0, 0.5, None),
            pair(1, 0.4, None),
            pair(4, 0.1, Some("certificate-expiry")),
        ];
        // What page `c` shows with `max` links: (id, strength).
        let shown = |pairs: &[Vec<Pair>], max: usize| -> Vec<(String, &'static str)> {
            related_lists(&incidents, &model, pairs, max, 0.15, &[])["c"]
                .iter()
                .map(|r| (r.id.clone(), r.strength))
                .collect()
        };
        let named = |list: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
            list.iter().map(|(id, s)| (id.to_string(), *s)).collect()
        };
        assert_eq!(
            shown(&pairs, 2),
            named(&[("a", "related"), ("b", "related")]),
            "max reached: nothing more"
        );
        assert_eq!(
            shown(&pairs, 3),
            named(&[("a", "related"), ("b", "related"), ("e", "possible")])
        );
        // Once a shown link states the same cause, no other is added.
        pairs[2][0].inferred = Some(("certificate-expiry".into(), 0.9));
        let lists = related_lists(&incidents, &model, &pairs, 3, 0.15, &[]);
        assert_eq!(lists["c"].len(), 2, "{:?}", lists["c"]);
    }

    #[test]
    fn explicit_links_show_both_ways_and_beyond_max() {
        let incidents = sample();
        let model = TextModel::build(&incidents);
        let links: Links = [(0, 2)].into_iter().collect();
        let pairs = neighbours(&incidents, &model, &links, &Params::default(), &[]);
        let lists = related_lists(&incidents, &model, &pairs, 0, 0.15, &[]);
        assert_eq!(lists["a"].len(), 1);
        assert_eq!(lists["a"][0].id, "c");
        assert_eq!(lists["a"][0].reasons[0], "referenced by author");
        assert!(lists["a"][0].explicit);
        assert_eq!(lists["c"][0].id, "a");
        assert_eq!(lists["c"][0].reasons[0], "references this incident");
        assert!(lists["a"][0].score >= 0.5);
    }

    #[test]
    fn different_labelled_causes_halve_text_similarity() {
        let mut incidents = sample();
        incidents[1].causes = vec!["bad-deploy".into()];
        let model = TextModel::build(&incidents);
        let pairs = neighbours(&incidents, &model, &Links::new(), &Params::default(), &[]);
        let ab = pairs[0].iter().find(|p| p.other == 1).unwrap();
        let expected = round3(W_SERVICE + 0.5 * text_part(ab.cause_sim, ab.whole_sim));
        assert!(
            (ab.score - expected).abs() < 0.0011,
            "{} vs {expected}",
            ab.score
        );
    }

    #[test]
    fn overlap_is_weighted_and_square_rooted() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(overlap(&s(&["a"]), &s(&["a"]), |_| 1.0), 1.0);
        assert!((overlap(&s(&["a"]), &s(&["a", "b"]), |_| 1.0) - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(overlap(&s(&[]), &s(&["a"]), |_| 1.0), 0.0);
        let rare_b = overlap(&s(&["a", "b"]), &s(&["b"]), |x| {
            if x == "b" { 3.0 } else { 1.0 }
        });
        assert!(rare_b > 0.8);
    }
}
