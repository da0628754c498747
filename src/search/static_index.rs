//! The browser search index: static files under `search/` that `static/search.js` loads
//! on demand, so a query downloads only what it needs, even from `file://`.
//!
//! Every file is a JavaScript call (`hindsightShard(3, {...})`) loaded by a `<script>`
//! tag, because Chromium refuses `fetch()` of local files. The files:
//! - `search/idx/entry.js`: the first term of every term shard, facet values with counts,
//!   the document range of each year (documents are numbered oldest first, so a year is
//!   a contiguous range), and the query-time `weights` search.js applies (typo and
//!   prefix matches). Small and loaded once.
//! - `search/idx/t<N>.js`: term shards. Terms are sorted and cut into shards of about
//!   [`SHARD_TARGET_BYTES`], like Pagefind's index chunks: a fixed prefix scheme (`ab`,
//!   `ac`...) would give a few huge shards for common prefixes and thousands of tiny
//!   ones, while sorted ranges keep every shard near the target and let a prefix or a
//!   typo be looked up among its alphabetical neighbours in the same shard. A term maps
//!   to `[idf, postings]`; postings are (document gap, weight) pairs as base-64 varints.
//!   The weight is the BM25 term-frequency part computed over field-boosted frequencies
//!   (the CLI's field boosts, from `weights`), quantised to 1..31. Terms are those of
//!   the shared pipeline (`crate::text::Terms`).
//! - `search/idx/p<N>.js`: word pairs for exact phrases, beside term shard N: for each
//!   term of that shard, the terms that directly follow it somewhere (stop words
//!   skipped, never across fields) with the documents where they do, as varint gaps. A
//!   phrase `"a b c"` keeps the documents holding the pairs `a b` and `b c`; loaded only
//!   for phrase queries.
//! - `search/idx/f-<facet>.js`: document lists per facet value (severity, service,
//!   cause, team, tag, status), loaded only when a query filters on that facet.
//! - `search/idx/f-class.js`: the same for cause classes of the taxonomy, labelled or
//!   inferred ([`Causes`]), and `search/idx/f-class-possible.js` for the possible ones
//!   (found by words that describe a cause, for less); `search/idx/causes.js`: the taxonomy's names and phrases
//!   (`crate::taxonomy::Taxonomy::browser_json`), loaded for queries with words, so
//!   `cause:` and plain words that describe a cause work as in the CLI.
//! - `search/idx/dates.js`: the first document of each distinct date, for
//!   `after:`/`before:`, loaded only when a query uses them.
//! - `search/idx/x/<G / 128>/<G>.js`: documents in fours (G = N / 4): id, title, date,
//!   severity and services, then the whole searchable text (root cause, summary, body)
//!   of each, zlib-compressed in base 64, loaded only for the results shown, so a
//!   snippet can come from wherever the words matched. Whole documents, not heads and
//!   tails or passages: writing many small files is what a build pays for most, and a
//!   whole post-mortem is a few KB, about a third of that compressed (the texts were
//!   85% of the index uncompressed). search.js inflates them with the browser's
//!   `DecompressionStream`; a browser without one shows results without snippets.
//!   A rebuild carries a document file over from the previous site when its records
//!   and texts digest the same, so only the files of changed documents are compressed
//!   again. Documents are numbered oldest first (the reverse of archive order): a
//!   post-mortem added or removed renumbers only the documents after it, so the common
//!   change, a new newest post-mortem, adds to the last document file and leaves every
//!   other one as it was. Results still list the newest first on equal scores.
//!
//! The builder tokenises each document once (in parallel), keyed by 64-bit term hashes
//! so the per-document work allocates a string only for a term new to its batch.
//! Output is deterministic: sorted terms, documents in archive order, no clocks.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use anyhow::Result;
use rayon::prelude::*;

use serde_json::json;

use super::causes::{Causes, DESCRIBED_MIN, MAX_DESCRIBED};
use super::weights;

use crate::model::{Archive, Incident};
use crate::site::OutputFile;

/// Bytes of term data per shard before a new shard starts.
pub const SHARD_TARGET_BYTES: usize = 16 * 1024;
/// Documents per document file: four, so a build writes a quarter as many files
/// (creating files is what a build pays most for) and their texts compress together,
/// while the results shown at once (`PAGE` in search.js) download less than two
/// uncompressed documents a result did.
pub(crate) const DOC_GROUP: usize = 4;
/// Document files per folder (`x/<group / this>/<group>.js`): creating files in
/// parallel in one huge folder serialises on that folder's lock.
pub(crate) const GROUPS_PER_FOLDER: usize = 128;
/// Version of the file format, in `entry.js` (3: terms of the shared stemmer, and the
/// query weights; 4: the `class` facet and `causes.js`; 5: document texts compressed;
/// 6: the `class-possible` facet; 7: documents numbered oldest first).
pub(crate) const FORMAT_VERSION: u32 = 7;

const K1: f64 = weights::BM25_K1;
/// Browser scores run about five times the CLI's for the same match: a posting's weight
/// is the BM25 term-frequency part scaled to 1..31 (× 31 / (k1 + 1) ≈ 14) with the
/// field boost inside the saturation, so a strong title match is ~22 × idf there and
/// ~4.5 × idf in the CLI. Constant scores (a described cause) are scaled by this.
const BROWSER_SCALE: f32 = 5.0;
const B: f64 = weights::BM25_B;

/// The facets with filter files, and how to read them from an incident (`class` and
/// `class-possible`: the taxonomy classes of [`Causes::graded`], labelled or inferred,
/// and the possible ones).
const FACETS: [&str; 8] = [
    "severity",
    "service",
    "cause",
    "class",
    "class-possible",
    "team",
    "tag",
    "status",
];
/// Facets whose values are also searchable words (as in the CLI's `labels` field).
const LABEL_FACETS: [&str; 4] = ["service", "cause", "team", "tag"];

fn facet_values<'a>(i: &'a Incident, facet: &str) -> Vec<&'a str> {
    match facet {
        "severity" => i.severity.iter().map(String::as_str).collect(),
        "service" => i.services.iter().map(String::as_str).collect(),
        "cause" => i.causes.iter().map(String::as_str).collect(),
        "team" => i.teams.iter().map(String::as_str).collect(),
        "tag" => i.tags.iter().map(String::as_str).collect(),
        "status" => vec![i.status.as_str()],
        _ => Vec::new(),
    }
}

/// Hash maps keyed by [`term_hash`] values, which are already well mixed.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type ByHash<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// FNV-1a with a final mix. Two distinct terms sharing a hash (odds about 1 in 10^9
/// for a million terms) would share postings: a harmless extra match, never a crash.
fn term_hash(term: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in term.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// One document, tokenised: boosted frequency per term, the distinct word pairs and its
/// length in tokens. Both lists are cut to size: at 10,000 post-mortems they are the
/// largest thing a build holds.
struct DocIndex {
    terms: Box<[(u64, f32)]>,
    pairs: Box<[(u64, u64)]>,
    length: u32,
}

/// Tokenise a batch of documents, the first of which is document `first` (even, so
/// document files never straddle two batches), and emit the batch's document files as
/// soon as each is complete: their texts are not kept. Returns the documents and the
/// batch's terms by hash.
fn index_batch(
    docs: &[&Incident],
    first: usize,
    emit: crate::site::Emit<'_>,
    carrier: Option<crate::site::Carrier<'_>>,
) -> Result<(Vec<DocIndex>, ByHash<Box<str>>)> {
    debug_assert_eq!(first % DOC_GROUP, 0);
    let mut vocab: ByHash<Box<str>> = ByHash::default();
    let mut freq: ByHash<f32> = ByHash::default();
    let mut buf = String::new();
    let mut pairs = Vec::new();
    let mut out = Vec::with_capacity(docs.len());
    let mut group: Vec<(&Incident, String)> = Vec::with_capacity(DOC_GROUP);
    for (k, incident) in docs.iter().enumerate() {
        freq.clear();
        pairs.clear();
        let mut length = 0u32;
        let labels: Vec<String> = LABEL_FACETS
            .iter()
            .flat_map(|f| facet_values(incident, f))
            .map(|v| v.replace(['-', '_'], " "))
            .collect();
        let labels = labels.join(" ");
        let (text, parts) = searchable_text(incident);
        // (text, boost, whether phrases may match in it: labels are separate values).
        let fields: [(&str, f32, bool); 5] = [
            (&incident.title, weights::TITLE, true),
            (&labels, weights::LABELS, false),
            (&text[parts[0].clone()], weights::ROOT_CAUSE, true),
            (&text[parts[1].clone()], weights::SUMMARY, true),
            (&text[parts[2].clone()], weights::BODY, true),
        ];
        for (field_text, boost, phrases) in fields {
            let mut previous: Option<u64> = None;
            let mut tokens = crate::text::Terms::new(field_text);
            while tokens.next_into(&mut buf).is_some() {
                let h = term_hash(&buf);
                vocab.entry(h).or_insert_with(|| buf.as_str().into());
                *freq.entry(h).or_insert(0.0) += boost;
                length += 1;
                if phrases {
                    if let Some(p) = previous {
                        pairs.push((p, h));
                    }
                    previous = Some(h);
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        out.push(DocIndex {
            terms: freq.iter().map(|(h, f)| (*h, *f)).collect(),
            pairs: pairs.as_slice().into(),
            length,
        });
        group.push((*incident, text));
        if group.len() == DOC_GROUP || k + 1 == docs.len() {
            doc_file_to((first + k) / DOC_GROUP, &group, emit, carrier)?;
            group.clear();
        }
    }
    Ok((out, vocab))
}

/// The document file of group `number`: id, title, date, severity and services of each
/// of its documents, then their searchable texts packed (`pack_texts`).
/// Emit document file `number` of `group`, or carry the previous site's over when
/// `carrier` finds one made from the same records and texts.
fn doc_file_to(
    number: usize,
    group: &[(&Incident, String)],
    emit: crate::site::Emit<'_>,
    carrier: Option<crate::site::Carrier<'_>>,
) -> Result<()> {
    let records: Vec<_> = group
        .iter()
        .map(|(i, _)| {
            (
                &i.id,
                &i.title,
                i.date.map(|d| d.to_string()).unwrap_or_default(),
                i.severity.as_deref().unwrap_or(""),
                &i.services,
            )
        })
        .collect();
    let records = serde_json::to_string(&records).unwrap_or_default();
    let path = format!("search/idx/x/{}/{number}.js", number / GROUPS_PER_FOLDER);
    let input = carrier.map(|c| {
        let mut h = c.hasher();
        h.update(b"search document file\0");
        h.update(path.as_bytes());
        h.update(b"\0");
        h.update(records.as_bytes());
        for (_, text) in group {
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        crate::site::digest16(&h)
    });
    if let (Some(c), Some(input)) = (carrier, &input)
        && (c.carry)(&path, input)
    {
        return Ok(());
    }
    let texts: Vec<&str> = group.iter().map(|(_, text)| text.as_str()).collect();
    let mut file = OutputFile::new(
        path,
        format!(
            "hindsightDocs({number},{records},\"{}\");\n",
            pack_texts(&texts)
        ),
    );
    file.input = input;
    emit(file)
}

/// The texts of a document file as a JSON array, zlib-compressed and in base 64: a
/// browser inflates it with its own `DecompressionStream("deflate")`, no script of ours.
/// Prose compresses to about a third, so this is what keeps whole texts (a snippet can
/// come from anywhere) affordable. The compression level is fixed, so the bytes are too.
fn pack_texts(texts: &[&str]) -> String {
    let json = serde_json::to_string(texts).unwrap_or_default();
    base64(&miniz_oxide::deflate::compress_to_vec_zlib(
        json.as_bytes(),
        6,
    ))
}

/// Standard base 64 with padding, what `atob` reads.
fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(DIGITS[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A first term and a run of the terms that follow it, each with its encoded documents.
type PairRun<'a> = (&'a str, &'a [(&'a str, String)]);

/// JavaScript compares strings by UTF-16 code units; sort the same way.
fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Every file of the static index, paths relative to the output root, sorted by path.
pub(crate) fn build(archive: &Archive, causes: &Causes) -> Vec<OutputFile> {
    crate::site::collect(|emit| build_to(archive, causes, emit, None))
        .map(|((), files)| files)
        .expect("collecting files in memory never fails")
}

/// Every file of the static index, handed to `emit` as soon as it is made (document
/// files while the terms are still being counted), so the index is never held whole.
/// With `carrier`, a document file whose inputs digest as the previous site's did is
/// carried over instead: compressing the texts is most of what a document file costs.
pub(crate) fn build_to(
    archive: &Archive,
    causes: &Causes,
    emit: crate::site::Emit<'_>,
    carrier: Option<crate::site::Carrier<'_>>,
) -> Result<()> {
    // Oldest first: see the module doc.
    let docs: Vec<&Incident> = archive.incidents.iter().rev().collect();
    let docs = docs.as_slice();
    let n = docs.len();
    let (classes, possible): (Vec<Vec<String>>, Vec<Vec<String>>) =
        docs.par_iter().map(|i| causes.graded(i)).unzip();
    // A multiple of DOC_GROUP keeps each document file within one batch.
    let batch = (n / 32).clamp(16, 512).next_multiple_of(DOC_GROUP);
    let batches: Vec<(Vec<DocIndex>, ByHash<Box<str>>)> = docs
        .par_chunks(batch)
        .enumerate()
        .map(|(k, chunk)| index_batch(chunk, k * batch, emit, carrier))
        .collect::<Result<_>>()?;
    let mut per_doc: Vec<DocIndex> = Vec::with_capacity(n);
    let mut vocab: ByHash<Box<str>> = ByHash::default();
    for (indexed, words) in batches {
        per_doc.extend(indexed);
        if vocab.is_empty() {
            vocab = words;
        } else {
            for (h, t) in words {
                vocab.entry(h).or_insert(t);
            }
        }
    }
    let lengths: Vec<f64> = per_doc.iter().map(|d| f64::from(d.length)).collect();
    let avg_len = if n == 0 {
        1.0
    } else {
        (lengths.iter().sum::<f64>() / n as f64).max(1.0)
    };
    // term → postings (doc, boosted frequency) and first term → (next term, doc), both
    // in ascending document order because documents are walked in order.
    let (postings, pairs) = rayon::join(
        || {
            let mut postings: ByHash<Vec<(u32, f32)>> =
                ByHash::with_capacity_and_hasher(vocab.len(), Default::default());
            for (doc, d) in per_doc.iter().enumerate() {
                for &(h, f) in &d.terms {
                    postings.entry(h).or_default().push((doc as u32, f));
                }
            }
            postings
        },
        || {
            let mut pairs: ByHash<Vec<(u64, u32)>> =
                ByHash::with_capacity_and_hasher(vocab.len(), Default::default());
            for (doc, d) in per_doc.iter().enumerate() {
                for &(a, b) in &d.pairs {
                    pairs.entry(a).or_default().push((b, doc as u32));
                }
            }
            pairs
        },
    );

    // What each document contributed is in the maps now: freeing it as soon as it is
    // done keeps the peak of memory of a build at 10,000 post-mortems down.
    for d in &mut per_doc {
        d.terms = Box::default();
        d.pairs = Box::default();
    }
    let mut sorted: Vec<(&str, u64)> = vocab.iter().map(|(h, t)| (&**t, *h)).collect();
    sorted.par_sort_unstable_by(|a, b| js_order(a.0, b.0));
    let rank: ByHash<u32> = sorted
        .iter()
        .enumerate()
        .map(|(r, (_, h))| (*h, r as u32))
        .collect();
    let values: Vec<String> = sorted
        .par_iter()
        .map(|(_, h)| {
            let list = &postings[h];
            let df = list.len() as f64;
            let idf = (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln();
            let mut encoded = String::with_capacity(list.len() * 2 + 12);
            encoded.push('[');
            encoded.push_str(&round3(idf).to_string());
            encoded.push_str(",\"");
            let mut prev = 0u32;
            for &(doc, f) in list {
                let f = f64::from(f);
                let norm = K1 * (1.0 - B + B * lengths[doc as usize] / avg_len);
                let tf_part = f * (K1 + 1.0) / (f + norm); // in 0..K1+1
                let weight = ((tf_part / (K1 + 1.0)) * 31.0).round().clamp(1.0, 31.0) as u32;
                push_varint(&mut encoded, doc - prev);
                push_varint(&mut encoded, weight);
                prev = doc;
            }
            encoded.push_str("\"]");
            encoded
        })
        .collect();

    drop(postings);

    // Cut the sorted terms into shards: `shards[k]` is the range of terms in shard k.
    let mut shards: Vec<std::ops::Range<usize>> = Vec::new();
    let mut bytes = 0;
    for (k, ((term, _), value)) in sorted.iter().zip(&values).enumerate() {
        let size = term.len() + value.len() + 4;
        match shards.last_mut() {
            Some(r) if bytes + size <= SHARD_TARGET_BYTES => {
                r.end = k + 1;
                bytes += size;
            }
            _ => {
                shards.push(k..k + 1);
                bytes = size;
            }
        }
    }
    let shard_starts: Vec<&str> = shards.iter().map(|r| sorted[r.start].0).collect();
    shards
        .par_iter()
        .enumerate()
        .try_for_each(|(number, range)| {
            let mut terms = String::with_capacity(SHARD_TARGET_BYTES + 64);
            for k in range.clone() {
                if !terms.is_empty() {
                    terms.push(',');
                }
                push_json_str(&mut terms, sorted[k].0);
                terms.push(':');
                terms.push_str(&values[k]);
            }
            emit(OutputFile::new(
                format!("search/idx/t{number}.js"),
                format!("hindsightShard({number},{{{terms}}});\n"),
            ))
        })?;

    // Word pairs, sorted by (first, next) term and cut into shards of their own.
    let follows: Vec<Vec<(&str, String)>> = sorted
        .par_iter()
        .map(|(_, h)| {
            let Some(list) = pairs.get(h) else {
                return Vec::new();
            };
            let mut list: Vec<(u32, u32)> = list.iter().map(|&(b, doc)| (rank[&b], doc)).collect();
            list.sort_unstable();
            let mut out = Vec::new();
            let mut i = 0;
            while i < list.len() {
                let next = list[i].0;
                let mut docs = String::new();
                let mut prev = 0;
                while i < list.len() && list[i].0 == next {
                    push_varint(&mut docs, list[i].1 - prev);
                    prev = list[i].1;
                    i += 1;
                }
                out.push((sorted[next as usize].0, docs));
            }
            out
        })
        .collect();
    drop(pairs);
    drop(values);
    let mut pair_starts: Vec<[&str; 2]> = Vec::new();
    // Each shard: (first term, the next terms with their documents) runs.
    let mut pair_shards: Vec<Vec<PairRun<'_>>> = Vec::new();
    let mut bytes = 0;
    for ((first, _), list) in sorted.iter().zip(&follows) {
        let mut rest: &[(&str, String)] = list;
        while !rest.is_empty() {
            if pair_shards.is_empty() || bytes >= SHARD_TARGET_BYTES {
                pair_starts.push([first, rest[0].0]);
                pair_shards.push(Vec::new());
                bytes = 0;
            }
            let mut take = 0;
            while take < rest.len() && bytes < SHARD_TARGET_BYTES {
                bytes += rest[take].0.len() + rest[take].1.len() + 6;
                take += 1;
            }
            let shard = pair_shards.last_mut().expect("a shard was just pushed");
            shard.push((first, &rest[..take]));
            bytes += first.len() + 6;
            rest = &rest[take..];
        }
    }
    pair_shards
        .par_iter()
        .enumerate()
        .try_for_each(|(number, shard)| {
            let mut body = String::with_capacity(SHARD_TARGET_BYTES + 256);
            for (k, (first, nexts)) in shard.iter().enumerate() {
                if k > 0 {
                    body.push(',');
                }
                push_json_str(&mut body, first);
                body.push_str(":{");
                for (j, (next, docs)) in nexts.iter().enumerate() {
                    if j > 0 {
                        body.push(',');
                    }
                    push_json_str(&mut body, next);
                    body.push_str(":\"");
                    body.push_str(docs);
                    body.push('"');
                }
                body.push('}');
            }
            emit(OutputFile::new(
                format!("search/idx/p{number}.js"),
                format!("hindsightPairs({number},{{{body}}});\n"),
            ))
        })?;

    // Facets: values (display name, count) for the filters, doc lists on demand.
    let mut facet_counts = serde_json::Map::new();
    for facet in FACETS {
        let mut lists: BTreeMap<String, (String, Vec<u32>)> = BTreeMap::new();
        for (doc, incident) in docs.iter().enumerate() {
            let values = match facet {
                "class" => classes[doc].iter().map(String::as_str).collect(),
                "class-possible" => possible[doc].iter().map(String::as_str).collect(),
                _ => facet_values(incident, facet),
            };
            for v in values {
                let entry = lists
                    .entry(v.to_lowercase())
                    .or_insert_with(|| (v.to_string(), Vec::new()));
                if entry.1.last() != Some(&(doc as u32)) {
                    entry.1.push(doc as u32);
                }
            }
        }
        let counts: Vec<serde_json::Value> = lists
            .iter()
            .map(|(key, (name, list))| json!([key, name, list.len()]))
            .collect();
        facet_counts.insert(facet.to_string(), counts.into());
        let mut map = serde_json::Map::new();
        for (key, (_, list)) in &lists {
            let mut encoded = String::new();
            let mut prev = 0;
            for &doc in list {
                push_varint(&mut encoded, doc - prev);
                prev = doc;
            }
            map.insert(key.clone(), encoded.into());
        }
        emit(OutputFile::new(
            format!("search/idx/f-{facet}.js"),
            format!(
                "hindsightFacet({},{});\n",
                json!(facet),
                serde_json::Value::Object(map)
            ),
        ))?;
    }

    // Years and dates: documents are sorted oldest first (undated ones before them), so
    // each is a contiguous range. Years are listed newest first, as the filter shows them.
    let mut years: Vec<serde_json::Value> = Vec::new();
    let mut dates: Vec<serde_json::Value> = Vec::new();
    for (doc, incident) in docs.iter().enumerate() {
        let Some(date) = incident.date else { continue };
        let (year, day) = (date.year(), date.to_string());
        match years.last_mut() {
            Some(serde_json::Value::Array(y)) if y[0] == json!(year) => y[2] = json!(doc + 1),
            _ => years.push(json!([year, doc, doc + 1])),
        }
        if dates.len() < 2 || dates[dates.len() - 2] != json!(day) {
            dates.push(json!(day));
            dates.push(json!(doc));
        }
    }
    years.reverse();
    emit(OutputFile::new(
        "search/idx/dates.js",
        format!("hindsightDates({});\n", serde_json::Value::Array(dates)),
    ))?;

    emit(OutputFile::new(
        "search/idx/pairs.js",
        format!(
            "hindsightPairStarts({});\n",
            serde_json::to_string(&pair_starts).unwrap_or_default()
        ),
    ))?;
    emit(OutputFile::new(
        "search/idx/causes.js",
        format!(
            "hindsightCauses({});\n",
            causes.taxonomy().browser_json(DESCRIBED_MIN)
        ),
    ))?;
    let entry = json!({
        "version": FORMAT_VERSION,
        "docs": n,
        "group": DOC_GROUP,
        "folder": GROUPS_PER_FOLDER,
        "shards": shard_starts,
        "facets": facet_counts,
        "years": years,
        "weights": {
            "typo": shortest(weights::TYPO),
            "typoMinChars": weights::TYPO_MIN_CHARS,
            "prefix": shortest(weights::PREFIX),
            "cause": shortest(weights::CAUSE * BROWSER_SCALE),
            "causePossible": shortest(weights::CAUSE_POSSIBLE),
            "causeMin": DESCRIBED_MIN,
            "causeMax": MAX_DESCRIBED,
        },
    });
    emit(OutputFile::new(
        "search/idx/entry.js",
        format!("hindsightEntry({entry});\n"),
    ))
}

fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }
}

/// The text a browser snippet is cut from: root cause, summary, then the body, with
/// runs of whitespace made single spaces; and where each of the three parts lies in it.
fn searchable_text(i: &Incident) -> (String, [std::ops::Range<usize>; 3]) {
    let root_cause = i.root_cause_text();
    let parts = [
        root_cause.as_str(),
        i.summary.as_deref().unwrap_or(""),
        i.body_text.as_str(),
    ];
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + 8);
    let mut ranges: [std::ops::Range<usize>; 3] = Default::default();
    for (part, range) in parts.into_iter().zip(&mut ranges) {
        let mut words = part.split_whitespace().peekable();
        if words.peek().is_some() && !out.is_empty() {
            out.push_str(" · ");
        }
        range.start = out.len();
        for (k, w) in words.enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
        range.end = out.len();
    }
    (out, ranges)
}

/// An `f32` as the `f64` that prints the same (`0.3`, not `0.30000001192092896`).
fn shortest(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(0.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

const VARINT_DIGITS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Append `value` as base-64 digits of 5 payload bits each, least significant first;
/// digit values of 32 and above mean "more digits follow".
pub(crate) fn push_varint(out: &mut String, mut value: u32) {
    loop {
        let low = value & 31;
        value >>= 5;
        if value == 0 {
            out.push(VARINT_DIGITS[low as usize] as char);
            return;
        }
        out.push(VARINT_DIGITS[(low | 32) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decode what `push_varint` wrote (search.js has the same loop).
    fn read_varints(s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let (mut value, mut shift) = (0u32, 0);
        for b in s.bytes() {
            let digit = VARINT_DIGITS.iter().position(|&d| d == b).unwrap_or(0) as u32;
            value |= (digit & 31) << shift;
            if digit & 32 == 0 {
                out.push(value);
                value = 0;
                shift = 0;
            } else {
                shift += 5;
            }
        }
        out
    }

    /// The texts of a document file, read as search.js reads them: base 64, inflate, JSON.
    fn unpack(file: &str) -> Vec<String> {
        let packed = file
            .rsplit_once(",\"")
            .unwrap()
            .1
            .trim_end_matches("\");\n");
        let digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bytes = Vec::new();
        let (mut acc, mut bits) = (0u32, 0);
        for b in packed.bytes().filter(|&b| b != b'=') {
            acc = acc << 6 | digits.iter().position(|&d| d == b).unwrap() as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        let json = miniz_oxide::inflate::decompress_to_vec_zlib(&bytes).unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    #[test]
    fn base64_pads_as_atob_expects() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x01]), "//4AAQ==");
    }

    #[test]
    fn varints_round_trip() {
        let values = [0, 1, 31, 32, 1023, 1024, 70_000, u32::MAX];
        let mut s = String::new();
        for v in values {
            push_varint(&mut s, v);
        }
        assert_eq!(read_varints(&s), values);
        let mut one = String::new();
        push_varint(&mut one, 31);
        assert_eq!(one, "f");
    }

    #[test]
    fn shards_pairs_facets_years_and_documents() {
        let incident = |id: &str, date: &str, title: &str, cause: &str| Incident {
            id: id.into(),
            title: title.into(),
            date: Some(date.parse().unwrap()),
            severity: Some("SEV1".into()),
            causes: vec![cause.into()],
            root_cause: Some(format!("{title} because of {cause}")),
            ..Default::default()
        };
        let mut long = incident("c", "2025-01-01", "Pool exhausted", "connection-leak");
        long.body_text = format!(
            "{} The zone file was rotated late.",
            "Filler words. ".repeat(300)
        );
        let archive = Archive::new(vec![
            incident(
                "a",
                "2024-05-01",
                "Expired certificates",
                "expired-certificate",
            ),
            incident("b", "2025-02-01", "DNS zone push", "dns"),
            long,
        ]);
        let files = build(
            &archive,
            &Causes::new(crate::taxonomy::Taxonomy::builtin_ref()),
        );
        let file = |p: &str| {
            String::from_utf8(files.iter().find(|f| f.path == p).unwrap().bytes.clone()).unwrap()
        };
        let entry = file("search/idx/entry.js");
        assert!(entry.starts_with("hindsightEntry({"), "{entry}");
        assert!(
            entry.contains(r#""years":[[2025,1,3],[2024,0,1]]"#),
            "{entry}"
        );
        assert!(entry.contains(r#"["dns","dns",1]"#), "{entry}");
        assert!(
            entry.contains(r#""status":[["final","final",3]]"#),
            "{entry}"
        );
        let shard = file("search/idx/t0.js");
        // Documents are numbered oldest first: a = 0, c = 1, b = 2.
        // "certificat" occurs in document 0 (a, the oldest) only.
        let start = shard.find("\"certificat\":[").unwrap();
        let posting = &shard[start..];
        let encoded = posting.split('"').nth(3).unwrap();
        let values = read_varints(encoded);
        assert_eq!(values[0], 0);
        assert!((1..=31).contains(&values[1]));
        // Word pairs: "dns zone" in document 2 (title and root cause) only, "zone push"
        // too; "zone file" in document 1 (the body of c); never across fields.
        let pairs = file("search/idx/p0.js");
        assert!(pairs.starts_with("hindsightPairs(0,{"), "{pairs}");
        assert!(pairs.contains(r#""dns":{"#), "{pairs}");
        assert!(pairs.contains(r#""zon":{"fil":"B","push":"C"}"#), "{pairs}");
        assert!(pairs.contains(r#""push":{"becaus":"C"}"#), "{pairs}");
        assert!(
            file("search/idx/pairs.js").starts_with("hindsightPairStarts([[\""),
            "one pair shard, starting at its first pair"
        );
        assert_eq!(
            file("search/idx/f-cause.js"),
            "hindsightFacet(\"cause\",{\"connection-leak\":\"B\",\"dns\":\"C\",\"expired-certificate\":\"A\"});\n"
        );
        // Cause classes: labels the taxonomy knows (`expired-certificate` is an alias of
        // certificate-expiry) and causes inferred from the text; the taxonomy for the
        // browser beside them.
        let classes = file("search/idx/f-class.js");
        assert!(classes.contains(r#""certificate-expiry":"A""#), "{classes}");
        assert!(classes.contains(r#""dns":"C""#), "{classes}");
        let causes = file("search/idx/causes.js");
        assert!(
            causes.starts_with("hindsightCauses({\"classes\":[["),
            "{}",
            &causes[..200]
        );
        assert!(entry.contains(r#""causeMin":0.6"#), "{entry}");
        assert_eq!(
            file("search/idx/dates.js"),
            "hindsightDates([\"2024-05-01\",0,\"2025-01-01\",1,\"2025-02-01\",2]);\n"
        );
        // Documents in fours (here all three); the long one keeps its whole text, so a
        // snippet can come from its end.
        let group = file("search/idx/x/0/0.js");
        assert!(
            group.starts_with("hindsightDocs(0,[[\"a\",\"Expired certificates\",\"2024-05-01\",\"SEV1\",[]],[\"c\",\"Pool exhausted\",\"2025-01-01\",\"SEV1\",[]],[\"b\",\"DNS zone push\","),
            "{group}"
        );
        let texts = unpack(&group);
        assert_eq!(texts.len(), 3);
        assert_eq!(
            texts[0],
            "Expired certificates because of expired-certificate"
        );
        assert!(
            texts[1].starts_with("Pool exhausted because of connection-leak · Filler words.")
                && texts[1].ends_with("Filler words. The zone file was rotated late."),
            "{}",
            texts[1]
        );
        assert_eq!(texts[2], "DNS zone push because of dns");
        assert!(
            group.len() < texts[1].len() / 4,
            "the repeated filler compresses"
        );
        assert!(!files.iter().any(|f| f.path == "search/idx/x/0/1.js"));
    }
}
