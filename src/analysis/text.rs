//! Text features for incident similarity: sparse TF-IDF vectors (sublinear tf, idf from
//! the archive, L2-normalised) over the words of the shared text pipeline
//! ([`crate::text`]: its tokens, every tier of its stop words, its stemmer).
//!
//! Every incident gets two vectors: a *cause* vector over the text that explains why it
//! happened (root cause sentence, trigger, five whys, contributing factors), and a weaker
//! *whole* vector over title, summary and body. Free-prose write-ups have no root-cause
//! section, so their cause vector is built from summary and body with the sentences that
//! carry causal cues ("caused by", "due to", "root cause"...) weighted up: that is where
//! prose post-mortems say what broke. Features are stems and adjacent-stem bigrams,
//! hashed to 64 bits (FNV-1a, fixed, so ids and output are identical on every run).
//! Features that occur in one incident only are dropped after normalisation: they cannot
//! contribute to any similarity.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::Incident;
use crate::text::{Tier, Tokens, is_stop, stem_in_place};

pub(crate) use crate::text::stem;

/// Terms kept per whole-text vector (the heaviest), which bounds the cost of scoring.
pub(crate) const WHOLE_TERMS_KEPT: usize = 80;

/// A sparse vector: (term id, weight), sorted by term id.
pub(crate) type SparseVec = Vec<(u32, f32)>;

/// TF-IDF vectors of one archive, index-aligned with `Archive::incidents`.
#[derive(Debug, Default)]
pub struct TextModel {
    pub(crate) cause: Vec<SparseVec>,
    /// Pruned to the `WHOLE_TERMS_KEPT` heaviest terms (weights as in the full vector).
    pub(crate) whole: Vec<SparseVec>,
    /// True when the cause vector comes from structured root-cause fields rather than
    /// from cue-weighted prose.
    pub(crate) structured: Vec<bool>,
    /// Term id → feature hash, per vector kind (to recover display words).
    pub(crate) cause_terms: Vec<u64>,
    pub(crate) whole_terms: Vec<u64>,
}

/// The term frequencies of one incident's two texts: the costly, per-document part of
/// the model (tokenising and stemming), which depends on that incident alone.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocFeatures {
    pub(crate) cause: TermFreqs,
    pub(crate) whole: TermFreqs,
    pub(crate) structured: bool,
    /// The causes inferred from the same text down to the possible ones
    /// (`taxonomy::infer_possible`), filled the first time analysis asks (the taxonomy
    /// is the site's; `serve` drops the whole cache when the config changes).
    pub(crate) inferred: std::sync::OnceLock<Vec<crate::model::InferredCause>>,
}

impl DocFeatures {
    pub(crate) fn of(incident: &Incident) -> DocFeatures {
        let (text, structured) = cause_text(incident);
        DocFeatures {
            cause: features(&text, !structured).into_iter().collect(),
            whole: features(&whole_text(incident), false).into_iter().collect(),
            structured,
            inferred: std::sync::OnceLock::new(),
        }
    }
}

impl DocFeatures {
    /// The bytes the build cache keeps (see [`crate::store`]): the flag, both term
    /// lists (count, then hash and frequency, little-endian, so a frequency comes back
    /// to the bit) and the inferred causes as JSON when analysis filled them.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 12 * (self.cause.len() + self.whole.len()));
        out.push(u8::from(self.structured));
        for terms in [&self.cause, &self.whole] {
            out.extend_from_slice(&(terms.len() as u32).to_le_bytes());
            for (hash, tf) in terms.iter() {
                out.extend_from_slice(&hash.to_le_bytes());
                out.extend_from_slice(&tf.to_bits().to_le_bytes());
            }
        }
        if let Some(inferred) = self.inferred.get() {
            out.extend(serde_json::to_vec(inferred).unwrap_or_default());
        }
        out
    }

    /// [`DocFeatures::encode`]'s bytes read back; `None` when they are not such bytes.
    pub(crate) fn decode(bytes: &[u8]) -> Option<DocFeatures> {
        let (&structured, mut rest) = bytes.split_first()?;
        let mut terms = || -> Option<TermFreqs> {
            let (n, after) = rest.split_at_checked(4)?;
            let n = u32::from_le_bytes(n.try_into().ok()?) as usize;
            let (list, after) = after.split_at_checked(n.checked_mul(12)?)?;
            rest = after;
            Some(
                list.chunks_exact(12)
                    .map(|c| {
                        let hash = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
                        let tf = f32::from_bits(u32::from_le_bytes(
                            c[8..].try_into().unwrap_or_default(),
                        ));
                        (hash, tf)
                    })
                    .collect(),
            )
        };
        let cause = terms()?;
        let whole = terms()?;
        let inferred = std::sync::OnceLock::new();
        if !rest.is_empty() {
            let causes: Vec<crate::model::InferredCause> = serde_json::from_slice(rest).ok()?;
            let _ = inferred.set(causes);
        }
        Some(DocFeatures {
            cause,
            whole,
            structured: match structured {
                0 => false,
                1 => true,
                _ => return None,
            },
            inferred,
        })
    }
}

/// `DocFeatures` by incident id, kept between rebuilds by `serve`: an incident whose
/// text did not change is not tokenised (nor its causes inferred) again. The owner
/// removes the ids it re-parsed.
pub(crate) type FeatureCache = HashMap<String, Arc<DocFeatures>>;

/// One text's term frequencies by feature hash: a [`features`] map laid flat, in the
/// map's own order (so sums over it come out exactly as over the map). Flat, because
/// an archive's maps are alive all at once while the model is built: at 10,000
/// post-mortems, hash maps of them were the largest thing analysis held.
pub(crate) type TermFreqs = Box<[(u64, f32)]>;

impl TextModel {
    /// Build both vectors for every incident, in parallel.
    pub fn build(incidents: &[Incident]) -> TextModel {
        Self::build_cached(incidents, &mut FeatureCache::default())
    }

    /// `build`, taking each incident's features from `cache` when there and adding
    /// the ones it computes. The result is the same as `build`'s.
    pub(crate) fn build_cached(incidents: &[Incident], cache: &mut FeatureCache) -> TextModel {
        let docs: Vec<Arc<DocFeatures>> = incidents
            .par_iter()
            .map(|incident| match cache.get(&incident.id) {
                Some(cached) => Arc::clone(cached),
                None => Arc::new(DocFeatures::of(incident)),
            })
            .collect();
        // Keep exactly the current incidents (renamed or deleted ones go).
        let mut kept = FeatureCache::with_capacity(incidents.len());
        for (incident, doc) in incidents.iter().zip(&docs) {
            kept.insert(incident.id.clone(), Arc::clone(doc));
        }
        *cache = kept;
        let structured = docs.iter().map(|d| d.structured).collect();
        let cause_docs: Vec<&[(u64, f32)]> = docs.iter().map(|d| &*d.cause).collect();
        let whole_docs: Vec<&[(u64, f32)]> = docs.iter().map(|d| &*d.whole).collect();
        let (cause, cause_terms) = vectorize(&cause_docs);
        let (whole, whole_terms) = vectorize(&whole_docs);
        // Whole texts are long; their heaviest terms carry nearly all of the cosine.
        let whole = whole
            .into_par_iter()
            .map(|v| prune(&v, WHOLE_TERMS_KEPT))
            .collect();
        TextModel {
            cause,
            whole,
            structured,
            cause_terms,
            whole_terms,
        }
    }
}

/// The text that explains why the incident happened, and whether it came from
/// structured fields (true) or is the prose fallback (summary + body).
pub(crate) fn cause_text(incident: &Incident) -> (String, bool) {
    let structured = incident.root_cause_text();
    if !structured.trim().is_empty() {
        return (structured, true);
    }
    if !incident.body_text.trim().is_empty() {
        // The body already holds the summary, the details and every other section.
        return (incident.body_text.clone(), false);
    }
    let mut text = String::new();
    for part in [
        &incident.summary,
        &incident.impact,
        &incident.resolution,
        &incident.detection,
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(part);
        text.push('\n');
    }
    (text, false)
}

/// Title, summary and body: everything a reader sees.
pub(crate) fn whole_text(incident: &Incident) -> String {
    let mut text = String::with_capacity(incident.body_text.len() + 256);
    text.push_str(&incident.title);
    text.push('\n');
    if let Some(summary) = &incident.summary {
        text.push_str(summary);
        text.push('\n');
    }
    if incident.body_text.trim().is_empty() {
        // Incidents built without a body (tests, front-matter-only files): use the fields.
        for part in [&incident.impact, &incident.resolution, &incident.detection]
            .into_iter()
            .flatten()
        {
            text.push_str(part);
            text.push('\n');
        }
        text.push_str(&incident.root_cause_text());
    } else {
        text.push_str(&incident.body_text);
    }
    text
}

/// Phrases that mark a sentence as saying why something broke.
const CAUSAL_CUES: &[&str] = &[
    "root cause",
    "caused by",
    "cause of",
    "because",
    "due to",
    "triggered",
    "resulted from",
    "result of",
    "stemmed from",
    "traced to",
    "traced back",
    "originated",
    "underlying",
    "the issue was",
    "the problem was",
    "was the result",
    "led to",
    "introduced",
    "misconfigur",
    "the bug",
    "a bug",
    "failure of",
];

fn has_causal_cue(lower: &str) -> bool {
    CAUSAL_CUES.iter().any(|cue| lower.contains(cue))
}

/// Split into sentences (and lines): the unit for bigrams and cue weighting.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', '!', '?', ';', '\n'])
        .filter(|s| !s.trim().is_empty())
}

/// Call `f(word, feature)` for every word of `sentence` that is a feature: the word as
/// written (lower-cased) and the hash of its stem.
fn for_each_word(sentence: &str, mut f: impl FnMut(&str, u64)) {
    let mut tokens = Tokens::new(sentence);
    let mut word = String::new();
    while tokens.next_into(&mut word).is_some() {
        if !word.chars().any(char::is_alphabetic) {
            continue;
        }
        if let Some(hash) = word_feature(&word) {
            f(&word, hash);
        }
    }
}

/// Per-thread memo of `word → stem hash` (None for words that are not features): an
/// archive repeats a small vocabulary, and stemming allocates, so each distinct word is
/// stemmed once per thread. Pure memoisation: results are the same with or without it.
fn word_feature(lower: &str) -> Option<u64> {
    thread_local! {
        static MEMO: std::cell::RefCell<HashMap<String, Option<u64>>> = std::cell::RefCell::new(HashMap::new());
    }
    MEMO.with(|memo| {
        if let Some(&known) = memo.borrow().get(lower) {
            return known;
        }
        let feature = compute_word_feature(lower);
        let mut memo = memo.borrow_mut();
        // Bound the memory a long-running `serve` can hold for rare words.
        if memo.len() >= 500_000 {
            memo.clear();
        }
        memo.insert(lower.to_string(), feature);
        feature
    })
}

fn compute_word_feature(lower: &str) -> Option<u64> {
    // Ids, hashes and version strings: mostly digits, never shared meaningfully.
    let digits = lower.chars().filter(|c| c.is_ascii_digit()).count();
    if digits * 2 > lower.len() || is_stop(lower, Tier::Features) {
        return None;
    }
    let mut stem = lower.to_string();
    stem_in_place(&mut stem);
    if stem.len() < 2 || is_stop(&stem, Tier::Features) {
        return None;
    }
    Some(unigram_hash(&stem))
}

/// Sublinear term frequencies (1 + ln n) of stems and adjacent-stem bigrams, keyed by
/// feature hash. With `cue_weighted`, each is scaled by the mean weight of the sentences
/// it occurs in: causal sentences weigh 1, the sentence after one ½, the rest ¼ (all 1
/// when no sentence has a cue).
pub(crate) fn features(text: &str, cue_weighted: bool) -> FeatureMap<f32> {
    let sentences: Vec<&str> = sentences(text).collect();
    let weights: Vec<f32> = if cue_weighted {
        let cues: Vec<bool> = sentences
            .iter()
            .map(|s| has_causal_cue(&s.to_lowercase()))
            .collect();
        if cues.iter().any(|&c| c) {
            (0..sentences.len())
                .map(|i| {
                    if cues[i] {
                        1.0
                    } else if i > 0 && cues[i - 1] {
                        0.5
                    } else {
                        0.25
                    }
                })
                .collect()
        } else {
            vec![1.0; sentences.len()]
        }
    } else {
        vec![1.0; sentences.len()]
    };
    // (occurrences, summed sentence weight) per feature.
    let mut counts: FeatureMap<(f32, f32)> = FeatureMap::default();
    for (sentence, weight) in sentences.iter().zip(weights) {
        let mut previous: Option<u64> = None;
        for_each_word(sentence, |_, hash| {
            let e = counts.entry(hash).or_default();
            *e = (e.0 + 1.0, e.1 + weight);
            if let Some(prev) = previous {
                let e = counts.entry(bigram_of(prev, hash)).or_default();
                *e = (e.0 + 1.0, e.1 + weight);
            }
            previous = Some(hash);
        });
    }
    // Sublinear in the count, then scaled by the mean weight of the sentences it came
    // from: a word said once outside a causal sentence still counts, for less.
    counts
        .into_iter()
        .map(|(h, (n, weight))| (h, (1.0 + n.ln()) * weight / n))
        .collect()
}

/// Feature hash → the words as written in `text` (first occurrence), for the features
/// in `wanted` (sorted). Bigrams display as "first second".
pub(crate) fn surface_forms(text: &str, wanted: &[u64]) -> HashMap<u64, String> {
    let mut out = HashMap::new();
    if wanted.is_empty() {
        return out;
    }
    for sentence in sentences(text) {
        let mut previous: Option<(String, u64)> = None;
        for_each_word(sentence, |surface, h| {
            if wanted.binary_search(&h).is_ok() {
                out.entry(h).or_insert_with(|| surface.to_string());
            }
            if let Some((prev_surface, prev)) = &previous {
                let b = bigram_of(*prev, h);
                if wanted.binary_search(&b).is_ok() {
                    out.entry(b)
                        .or_insert_with(|| format!("{prev_surface} {surface}"));
                }
            }
            match &mut previous {
                Some((s, p)) => {
                    s.clear();
                    s.push_str(surface);
                    *p = h;
                }
                None => previous = Some((surface.to_string(), h)),
            }
        });
        if out.len() == wanted.len() {
            break;
        }
    }
    out
}

/// Maps keyed by feature hashes. The keys are FNV hashes already, so a single
/// multiply-mix replaces SipHash (tokenising is most of the cost of analysis).
pub(crate) type FeatureMap<V> = HashMap<u64, V, BuildHasherDefault<FeatureHasher>>;

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FeatureHasher(u64);

impl std::hash::Hasher for FeatureHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(self.0 ^ FNV_OFFSET, bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

fn unigram_hash(stem: &str) -> u64 {
    fnv(FNV_OFFSET, stem.as_bytes())
}

/// The feature of two adjacent stems, from their hashes (no re-hashing of text).
fn bigram_of(first: u64, second: u64) -> u64 {
    fnv(
        fnv(FNV_OFFSET ^ 0x5bd1_e995, &first.to_le_bytes()),
        &second.to_le_bytes(),
    )
}

#[cfg(test)]
fn bigram_hash(first: &str, second: &str) -> u64 {
    bigram_of(unigram_hash(first), unigram_hash(second))
}

/// Turn per-document term frequencies into L2-normalised TF-IDF vectors with
/// the frequencies of `features` times idf = ln(N / df). Term ids follow the sorted hashes, so they do
/// not depend on thread scheduling. Returns the vectors and term id → hash.
pub(crate) fn vectorize(docs: &[&[(u64, f32)]]) -> (Vec<SparseVec>, Vec<u64>) {
    let n = docs.len();
    let df: FeatureMap<u32> = docs
        .par_iter()
        .fold(FeatureMap::default, |mut acc: FeatureMap<u32>, doc| {
            for &(h, _) in doc.iter() {
                *acc.entry(h).or_default() += 1;
            }
            acc
        })
        .reduce(FeatureMap::default, |mut a, b| {
            let (mut big, small) = if a.len() >= b.len() {
                (std::mem::take(&mut a), b)
            } else {
                (b, a)
            };
            for (h, c) in small {
                *big.entry(h).or_default() += c;
            }
            big
        });
    // Only features shared by two or more incidents get an id: the others can never
    // meet in a dot product (they still count in each vector's norm).
    let mut shared: Vec<u64> = df
        .iter()
        .filter(|&(_, &c)| c >= 2)
        .map(|(&h, _)| h)
        .collect();
    shared.sort_unstable();
    let ids: FeatureMap<u32> = shared
        .iter()
        .enumerate()
        .map(|(i, &h)| (h, i as u32))
        .collect();
    let n_f = n.max(1) as f32;
    let vectors = docs
        .par_iter()
        .map(|doc| {
            let mut norm = 0.0f32;
            let mut v: SparseVec = Vec::with_capacity(doc.len());
            for &(h, tf) in doc.iter() {
                let d = df[&h] as f32;
                let w = tf.max(0.0) * (n_f / d).ln();
                norm += w * w;
                if let Some(&id) = ids.get(&h)
                    && w > 0.0
                {
                    v.push((id, w));
                }
            }
            let norm = norm.sqrt();
            if norm > 0.0 {
                for e in &mut v {
                    e.1 /= norm;
                }
            }
            v.sort_unstable_by_key(|e| e.0);
            v
        })
        .collect();
    (vectors, shared)
}

/// Dot product of two sorted sparse vectors (the cosine, as both are normalised).
pub(crate) fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// [`dot`] of a vector spread out by term id (`dense[t]` its weight of term t, 0 where
/// it has none) and a sparse one. Its terms are added in the same order as `dot`
/// adds them (ascending term id), so the sum is the same to the last bit.
pub(crate) fn dot_dense(dense: &[f32], b: &[(u32, f32)]) -> f32 {
    let mut sum = 0.0f32;
    for &(term, w) in b {
        let d = dense[term as usize];
        if d != 0.0 {
            sum += d * w;
        }
    }
    sum
}

/// The shared terms contributing most to the dot product, best first (ties by id).
pub(crate) fn top_shared_terms(a: &[(u32, f32)], b: &[(u32, f32)], k: usize) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut shared: Vec<(f32, u32)> = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push((a[i].1 * b[j].1, a[i].0));
                i += 1;
                j += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    shared.into_iter().take(k).map(|(_, t)| t).collect()
}

/// The `k` heaviest terms of a vector, sorted by term id again (for the inverted index).
pub(crate) fn prune(v: &[(u32, f32)], k: usize) -> SparseVec {
    if v.len() <= k {
        return v.to_vec();
    }
    let mut top = v.to_vec();
    top.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    top.truncate(k);
    top.sort_unstable_by_key(|e| e.0);
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dense_dot_product_is_the_sparse_one_to_the_last_bit() {
        // Weights with many significant bits, so a different order of additions
        // would show in the last bits of the sum.
        let vector = |seed: u32, step: u32| -> Vec<(u32, f32)> {
            (0..80u32)
                .map(|k| (k * step + seed % 7, 1.0 / (3.0 + (k * seed % 97) as f32)))
                .collect()
        };
        for (a, b) in [(vector(5, 3), vector(11, 2)), (vector(2, 5), vector(7, 1))] {
            let mut dense = vec![0.0f32; 500];
            for &(t, w) in &a {
                dense[t as usize] = w;
            }
            assert!(dot(&a, &b) > 0.0);
            assert_eq!(dot_dense(&dense, &b).to_bits(), dot(&a, &b).to_bits());
        }
        // No shared term: nothing is added.
        let dense = vec![0.0f32; 500];
        assert_eq!(dot_dense(&dense, &vector(5, 3)), 0.0);
    }

    #[test]
    fn features_drop_stop_words_and_numbers_and_add_bigrams() {
        let tf = features(
            "The connection pool was exhausted at 14:00 by 4242 requests.",
            false,
        );
        assert!(tf.contains_key(&unigram_hash("connect")));
        assert!(tf.contains_key(&unigram_hash("pool")));
        assert!(tf.contains_key(&bigram_hash("connect", "pool")));
        assert!(!tf.contains_key(&unigram_hash("the")));
        assert!(!tf.contains_key(&unigram_hash("4242")));
        assert!(!tf.contains_key(&unigram_hash("14")));
    }

    #[test]
    fn cue_weighting_favours_causal_sentences() {
        let text = "Checkout was slow for an hour. This was caused by an expired certificate. Dashboards were red.";
        let tf = features(text, true);
        assert_eq!(tf[&unigram_hash(&stem("certificate"))], 1.0);
        assert_eq!(tf[&unigram_hash(&stem("checkout"))], 0.25);
        assert_eq!(tf[&unigram_hash(&stem("dashboards"))], 0.5);
        let flat = features(text, false);
        assert_eq!(flat[&unigram_hash(&stem("checkout"))], 1.0);
    }

    #[test]
    fn vectors_are_normalised_and_drop_unshared_terms() {
        let docs: Vec<TermFreqs> = [
            "connection pool exhausted",
            "connection pool leak",
            "disk full",
        ]
        .iter()
        .map(|t| features(t, false).into_iter().collect())
        .collect();
        let docs: Vec<&[(u64, f32)]> = docs.iter().map(|d| &**d).collect();
        let (vectors, terms) = vectorize(&docs);
        assert_eq!(vectors.len(), 3);
        assert!(vectors[2].is_empty(), "nothing of doc 3 is shared");
        assert!(terms.contains(&unigram_hash("pool")));
        let sim = dot(&vectors[0], &vectors[1]);
        assert!(sim > 0.1 && sim < 1.0, "{sim}");
        assert_eq!(dot(&vectors[0], &vectors[2]), 0.0);
    }

    #[test]
    fn surface_forms_recover_written_words() {
        let mut wanted = [unigram_hash("connect"), bigram_hash("connect", "pool")];
        wanted.sort_unstable();
        let forms = surface_forms(
            "Connections leaked. The connection pool filled up.",
            &wanted,
        );
        assert_eq!(forms[&unigram_hash("connect")], "connections");
        assert_eq!(forms[&bigram_hash("connect", "pool")], "connection pool");
    }

    #[test]
    fn prune_keeps_heaviest_terms_sorted_by_id() {
        let v = vec![(1, 0.1), (2, 0.9), (5, 0.5), (7, 0.2)];
        assert_eq!(prune(&v, 2), vec![(2, 0.9), (5, 0.5)]);
        assert_eq!(prune(&v, 10), v);
    }
}
