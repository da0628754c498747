//! Text features for incident similarity: tokenising, stop words, a light stemmer, and
//! sparse TF-IDF vectors (sublinear tf, idf from the archive, L2-normalised).
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

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::Incident;

/// Terms kept per whole-text vector (the heaviest), which bounds the cost of scoring.
pub const WHOLE_TERMS_KEPT: usize = 80;

/// A sparse vector: (term id, weight), sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

/// TF-IDF vectors of one archive, index-aligned with `Archive::incidents`.
#[derive(Debug, Default)]
pub struct TextModel {
    pub cause: Vec<SparseVec>,
    /// Pruned to the `WHOLE_TERMS_KEPT` heaviest terms (weights as in the full vector).
    pub whole: Vec<SparseVec>,
    /// True when the cause vector comes from structured root-cause fields rather than
    /// from cue-weighted prose.
    pub structured: Vec<bool>,
    /// Term id → feature hash, per vector kind (to recover display words).
    pub cause_terms: Vec<u64>,
    pub whole_terms: Vec<u64>,
}

/// The term frequencies of one incident's two texts: the costly, per-document part of
/// the model (tokenising and stemming), which depends on that incident alone.
#[derive(Debug, Clone, Default)]
pub struct DocFeatures {
    pub cause: FeatureMap<f32>,
    pub whole: FeatureMap<f32>,
    pub structured: bool,
}

impl DocFeatures {
    pub fn of(incident: &Incident) -> DocFeatures {
        let (text, structured) = cause_text(incident);
        DocFeatures {
            cause: features(&text, !structured),
            whole: features(&whole_text(incident), false),
            structured,
        }
    }
}

/// `DocFeatures` by incident id, kept between rebuilds by `serve`: an incident whose
/// text did not change is not tokenised again. The owner removes the ids it re-parsed.
pub type FeatureCache = HashMap<String, Arc<DocFeatures>>;

impl TextModel {
    /// Build both vectors for every incident, in parallel.
    pub fn build(incidents: &[Incident]) -> TextModel {
        Self::build_cached(incidents, &mut FeatureCache::default())
    }

    /// `build`, taking each incident's features from `cache` when there and adding
    /// the ones it computes. The result is the same as `build`'s.
    pub fn build_cached(incidents: &[Incident], cache: &mut FeatureCache) -> TextModel {
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
        let cause_docs: Vec<&FeatureMap<f32>> = docs.iter().map(|d| &d.cause).collect();
        let whole_docs: Vec<&FeatureMap<f32>> = docs.iter().map(|d| &d.whole).collect();
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
pub fn cause_text(incident: &Incident) -> (String, bool) {
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
pub fn whole_text(incident: &Incident) -> String {
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

/// One word as it appears (lowercased) and its stem, for non-stop words.
/// Yields the word as written (lowercased) and the hash of its stem.
fn words(sentence: &str) -> impl Iterator<Item = (Cow<'_, str>, u64)> + '_ {
    sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|raw| {
            if raw.len() < 2 || raw.len() > 30 || !raw.chars().any(|c| c.is_alphabetic()) {
                return None;
            }
            let lower: Cow<str> = if raw
                .bytes()
                .any(|b| !b.is_ascii_lowercase() && !b.is_ascii_digit())
            {
                Cow::Owned(raw.to_lowercase())
            } else {
                Cow::Borrowed(raw)
            };
            let hash = word_feature(&lower)?;
            Some((lower, hash))
        })
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
    if digits * 2 > lower.len() || is_stop_word(lower) {
        return None;
    }
    let stem = stem(lower);
    let hash = unigram_hash(&stem);
    if stem.len() < 2 || is_stop_hash(hash) {
        return None;
    }
    Some(hash)
}

/// Sublinear term frequencies (1 + ln n) of stems and adjacent-stem bigrams, keyed by
/// feature hash. With `cue_weighted`, each is scaled by the mean weight of the sentences
/// it occurs in: causal sentences weigh 1, the sentence after one ½, the rest ¼ (all 1
/// when no sentence has a cue).
pub fn features(text: &str, cue_weighted: bool) -> FeatureMap<f32> {
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
        for (_, hash) in words(sentence) {
            let e = counts.entry(hash).or_default();
            *e = (e.0 + 1.0, e.1 + weight);
            if let Some(prev) = previous {
                let e = counts.entry(bigram_of(prev, hash)).or_default();
                *e = (e.0 + 1.0, e.1 + weight);
            }
            previous = Some(hash);
        }
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
pub fn surface_forms(text: &str, wanted: &[u64]) -> HashMap<u64, String> {
    let mut out = HashMap::new();
    if wanted.is_empty() {
        return out;
    }
    for sentence in sentences(text) {
        let mut previous: Option<(Cow<str>, u64)> = None;
        for (surface, h) in words(sentence) {
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
            previous = Some((surface, h));
        }
        if out.len() == wanted.len() {
            break;
        }
    }
    out
}

/// Maps keyed by feature hashes. The keys are FNV hashes already, so a single
/// multiply-mix replaces SipHash (tokenising is most of the cost of analysis).
pub type FeatureMap<V> = HashMap<u64, V, BuildHasherDefault<FeatureHasher>>;

#[derive(Debug, Default, Clone, Copy)]
pub struct FeatureHasher(u64);

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
pub fn vectorize<D>(docs: &[D]) -> (Vec<SparseVec>, Vec<u64>)
where
    D: std::borrow::Borrow<FeatureMap<f32>> + Sync,
{
    let n = docs.len();
    let df: FeatureMap<u32> = docs
        .par_iter()
        .fold(FeatureMap::default, |mut acc: FeatureMap<u32>, doc| {
            for &h in doc.borrow().keys() {
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
            let doc = doc.borrow();
            let mut norm = 0.0f32;
            let mut v: SparseVec = Vec::with_capacity(doc.len());
            for (&h, &tf) in doc {
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
pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
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

/// The shared terms contributing most to the dot product, best first (ties by id).
pub fn top_shared_terms(a: &[(u32, f32)], b: &[(u32, f32)], k: usize) -> Vec<u32> {
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
pub fn prune(v: &[(u32, f32)], k: usize) -> SparseVec {
    if v.len() <= k {
        return v.to_vec();
    }
    let mut top = v.to_vec();
    top.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    top.truncate(k);
    top.sort_unstable_by_key(|e| e.0);
    top
}

/// English function words plus the vocabulary every post-mortem shares (incident,
/// customers, minutes, root cause...), which says nothing about *which* cause. Sorted
/// for binary search.
const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "access",
    "action",
    "actions",
    "affect",
    "affected",
    "after",
    "again",
    "against",
    "alert",
    "alerted",
    "all",
    "also",
    "am",
    "an",
    "analysis",
    "and",
    "any",
    "apologize",
    "apr",
    "april",
    "are",
    "around",
    "as",
    "at",
    "aug",
    "august",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "caus",
    "cause",
    "caused",
    "causes",
    "could",
    "customer",
    "customers",
    "day",
    "dec",
    "december",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "due",
    "during",
    "each",
    "engineer",
    "engineers",
    "error",
    "errors",
    "event",
    "ever",
    "feb",
    "february",
    "few",
    "for",
    "friday",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "hour",
    "hours",
    "how",
    "however",
    "if",
    "impact",
    "impacted",
    "in",
    "incident",
    "incidents",
    "into",
    "is",
    "issue",
    "issues",
    "it",
    "its",
    "itself",
    "jan",
    "january",
    "jul",
    "july",
    "jun",
    "june",
    "just",
    "led",
    "mar",
    "march",
    "may",
    "me",
    "minute",
    "minutes",
    "monday",
    "more",
    "most",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "nov",
    "november",
    "now",
    "oct",
    "october",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "outage",
    "over",
    "own",
    "pm",
    "postmortem",
    "problem",
    "resolved",
    "result",
    "resulted",
    "root",
    "same",
    "saturday",
    "sep",
    "sept",
    "september",
    "service",
    "services",
    "sev",
    "should",
    "since",
    "so",
    "some",
    "such",
    "sunday",
    "team",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thursday",
    "time",
    "to",
    "too",
    "tuesday",
    "under",
    "until",
    "up",
    "us",
    "user",
    "users",
    "utc",
    "very",
    "was",
    "we",
    "wednesday",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "would",
    "yes",
    "you",
    "your",
];

/// Membership by 64-bit FNV hash: one hash and one probe per word instead of a binary
/// search with string compares (this check runs for every word of the archive).
fn is_stop_word(word: &str) -> bool {
    is_stop_hash(unigram_hash(word))
}

fn is_stop_hash(hash: u64) -> bool {
    static STOP: std::sync::OnceLock<FeatureMap<()>> = std::sync::OnceLock::new();
    STOP.get_or_init(|| STOP_WORDS.iter().map(|w| (unigram_hash(w), ())).collect())
        .contains_key(&hash)
}

/// A light suffix-stripping stemmer: folds plurals and the common verb and noun endings
/// (leaks/leaked/leaking → leak, connections/connection → connect, expired/expiry →
/// expir) without Porter's full rule set. Non-ASCII words are left alone.
pub fn stem(word: &str) -> String {
    if !word.is_ascii() || word.len() <= 3 {
        return word.to_string();
    }
    let mut w = word.to_string();
    // Plurals.
    if w.ends_with("ies") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
        && w.len() > 3
    {
        w.truncate(w.len() - 1);
    }
    // Derivational and inflectional endings, longest first; keep at least 3 letters.
    for (suffix, replacement) in [
        ("ization", "ize"),
        ("ational", "ate"),
        ("ation", ""),
        ("ition", ""),
        ("ness", ""),
        ("ment", ""),
        ("ing", ""),
        ("ion", ""),
        ("ed", ""),
        ("ly", ""),
        ("ity", ""),
        ("ive", ""),
        ("y", ""),
        ("e", ""),
    ] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() + replacement.len() >= if suffix.len() <= 2 { 4 } else { 3 }
        {
            if suffix == "ion" && !base.ends_with(['t', 's', 'x']) {
                continue;
            }
            let keep = base.len();
            w.truncate(keep);
            w.push_str(replacement);
            break;
        }
    }
    // "stopped" → "stopp" → "stop", but keep "ll"/"ss" (fall, pass).
    let bytes = w.as_bytes();
    if bytes.len() > 3 {
        let (a, b) = (bytes[bytes.len() - 1], bytes[bytes.len() - 2]);
        if a == b
            && !matches!(a, b'l' | b's' | b'z')
            && !matches!(a, b'a' | b'e' | b'i' | b'o' | b'u')
        {
            w.truncate(w.len() - 1);
        }
    }
    if w.ends_with('e') && w.len() > 4 {
        w.truncate(w.len() - 1);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "STOP_WORDS must be sorted and unique"
        );
    }

    #[test]
    fn stemmer_folds_inflections_together() {
        for group in [
            &["leak", "leaks", "leaked", "leaking"][..],
            &["connection", "connections", "connected"],
            &["expire", "expired", "expiring", "expiry"],
            &["exhausted", "exhaustion", "exhaust"],
            &["stopped", "stop", "stops"],
            &["configuration", "configured", "configure"],
            &["certificates", "certificate"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.iter().all(|s| s == &stems[0]),
                "{group:?} → {stems:?}"
            );
        }
        assert_ne!(stem("pool"), stem("poll"));
        assert_eq!(stem("dns"), "dns");
        assert_eq!(stem("café"), "café");
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
        let docs = vec![
            features("connection pool exhausted", false),
            features("connection pool leak", false),
            features("disk full", false),
        ];
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
