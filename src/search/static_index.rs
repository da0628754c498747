//! The browser search index: static files under `search/` that `static/search.js` loads
//! on demand, so a query downloads only what it needs, even from `file://`.
//!
//! Every file is a JavaScript call (`hindsightShard(3, {...})`) loaded by a `<script>`
//! tag, because Chromium refuses `fetch()` of local files. The files:
//! - `search/idx/entry.js`: the first term of every term shard, facet values with counts,
//!   the document range of each year (documents are numbered newest first, so a year is
//!   a contiguous range), and the fragment group size. Small and loaded once.
//! - `search/idx/t<N>.js`: term shards. Terms are sorted and cut into shards of about
//!   [`SHARD_TARGET_BYTES`], like Pagefind's index chunks: a fixed prefix scheme (`ab`,
//!   `ac`...) would give a few huge shards for common prefixes and thousands of tiny
//!   ones, while sorted ranges keep every shard near the target and let a prefix or a
//!   typo be looked up among its alphabetical neighbours in the same shard. A term maps
//!   to `[idf, postings]`; postings are (document gap, weight) pairs as base-64 varints.
//!   The weight is the BM25 term-frequency part computed over field-boosted frequencies
//!   (title and root cause above summary above body, as in the CLI), quantised to 1..31.
//! - `search/idx/f-<facet>.js`: document lists per facet value (severity, service,
//!   cause, team, tag), loaded only when a query filters on that facet.
//! - `search/idx/dates.js`: the first document of each distinct date, for
//!   `after:`/`before:`, loaded only when a query uses them.
//! - `search/idx/d<N>.js`: fragments of [`FRAGMENT_GROUP`] consecutive documents (id,
//!   title, date, severity, services, and the opening of root cause + summary + body for
//!   snippets), loaded for the results shown.
//!
//! Output is deterministic: sorted maps, no clocks.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use serde_json::json;

use super::text;
use crate::model::{Archive, Incident};
use crate::pipeline::OutputFile;

/// Bytes of term data per shard before a new shard starts.
pub const SHARD_TARGET_BYTES: usize = 16 * 1024;
/// Documents per fragment file.
pub const FRAGMENT_GROUP: usize = 4;
/// Characters of text kept per document for snippets.
pub const SNIPPET_SOURCE_CHARS: usize = 700;

const BOOST_TITLE: f64 = 3.0;
const BOOST_ROOT_CAUSE: f64 = 2.5;
const BOOST_LABELS: f64 = 2.0;
const BOOST_SUMMARY: f64 = 1.5;
const BOOST_BODY: f64 = 1.0;
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The facets with filter files, and how to read them from an incident.
const FACETS: [&str; 5] = ["severity", "service", "cause", "team", "tag"];

fn facet_values<'a>(i: &'a Incident, facet: &str) -> Vec<&'a str> {
    match facet {
        "severity" => i.severity.iter().map(String::as_str).collect(),
        "service" => i.services.iter().map(String::as_str).collect(),
        "cause" => i.causes.iter().map(String::as_str).collect(),
        "team" => i.teams.iter().map(String::as_str).collect(),
        "tag" => i.tags.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Every file of the static index, paths relative to the output root.
pub fn build(archive: &Archive) -> Vec<OutputFile> {
    let docs = &archive.incidents;
    let n = docs.len();
    // Term frequencies per document (in parallel), boosted by field.
    let per_doc: Vec<(Vec<(String, f64)>, f64)> = docs.par_iter().map(doc_terms).collect();
    let lengths: Vec<f64> = per_doc.iter().map(|(_, len)| *len).collect();
    // term → postings (doc, weighted frequency), docs ascending because we walk in order.
    let mut postings: HashMap<String, Vec<(u32, f64)>> = HashMap::new();
    for (doc, (terms, _)) in per_doc.into_iter().enumerate() {
        for (term, f) in terms {
            postings.entry(term).or_default().push((doc as u32, f));
        }
    }
    let avg_len = if n == 0 {
        1.0
    } else {
        (lengths.iter().sum::<f64>() / n as f64).max(1.0)
    };

    let mut terms: Vec<(String, String)> = postings
        .into_par_iter()
        .map(|(term, list)| {
            let df = list.len() as f64;
            let idf = (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln();
            let mut encoded = String::with_capacity(list.len() * 2);
            let mut prev = 0u32;
            for (doc, f) in list {
                let norm = K1 * (1.0 - B + B * lengths[doc as usize] / avg_len);
                let tf_part = f * (K1 + 1.0) / (f + norm); // in 0..K1+1
                let weight = ((tf_part / (K1 + 1.0)) * 31.0).round().clamp(1.0, 31.0) as u32;
                push_varint(&mut encoded, doc - prev);
                push_varint(&mut encoded, weight);
                prev = doc;
            }
            let value = format!(
                "[{},{}]",
                round3(idf),
                serde_json::to_string(&encoded).unwrap_or_default()
            );
            (term, value)
        })
        .collect();
    // JavaScript compares strings by UTF-16 code units; sort the same way.
    terms.par_sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));

    let mut files = Vec::new();
    let mut shard_starts: Vec<String> = Vec::new();
    let mut body = String::new();
    let flush = |body: &mut String, files: &mut Vec<OutputFile>, number: usize| {
        files.push(OutputFile::new(
            format!("search/idx/t{number}.js"),
            format!("hindsightShard({number},{{{body}}});\n"),
        ));
        body.clear();
    };
    for (term, value) in &terms {
        if !body.is_empty() && body.len() + term.len() + value.len() > SHARD_TARGET_BYTES {
            flush(&mut body, &mut files, shard_starts.len() - 1);
        }
        if body.is_empty() {
            shard_starts.push(term.clone());
        } else {
            body.push(',');
        }
        body.push_str(&serde_json::to_string(term).unwrap_or_default());
        body.push(':');
        body.push_str(value);
    }
    if !body.is_empty() {
        flush(&mut body, &mut files, shard_starts.len() - 1);
    }

    // Facets: values (display name, count) for the filters, doc lists on demand.
    let mut facet_counts = serde_json::Map::new();
    for facet in FACETS {
        let mut lists: BTreeMap<String, (String, Vec<u32>)> = BTreeMap::new();
        for (doc, incident) in docs.iter().enumerate() {
            for v in facet_values(incident, facet) {
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
        files.push(OutputFile::new(
            format!("search/idx/f-{facet}.js"),
            format!(
                "hindsightFacet({},{});\n",
                json!(facet),
                serde_json::Value::Object(map)
            ),
        ));
    }

    // Years and dates: documents are sorted newest first, so each is a contiguous range.
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
    files.push(OutputFile::new(
        "search/idx/dates.js",
        format!("hindsightDates({});\n", serde_json::Value::Array(dates)),
    ));

    let fragments: Vec<OutputFile> = docs
        .par_chunks(FRAGMENT_GROUP)
        .enumerate()
        .map(|(group, chunk)| {
            let items: Vec<serde_json::Value> = chunk
                .iter()
                .map(|i| {
                    json!([
                        i.id,
                        i.title,
                        i.date.map(|d| d.to_string()).unwrap_or_default(),
                        i.severity.clone().unwrap_or_default(),
                        i.services,
                        snippet_source(i)
                    ])
                })
                .collect();
            OutputFile::new(
                format!("search/idx/d{group}.js"),
                format!(
                    "hindsightDocs({group},{});\n",
                    serde_json::Value::Array(items)
                ),
            )
        })
        .collect();
    files.extend(fragments);

    let entry = json!({
        "version": 1,
        "docs": n,
        "group": FRAGMENT_GROUP,
        "shards": shard_starts,
        "facets": facet_counts,
        "years": years,
    });
    files.push(OutputFile::new(
        "search/idx/entry.js",
        format!("hindsightEntry({entry});\n"),
    ));
    files
}

/// Field-boosted term frequencies of one incident (sorted by term) and its length in terms.
fn doc_terms(incident: &Incident) -> (Vec<(String, f64)>, f64) {
    let mut freq: HashMap<String, f64> = HashMap::new();
    let labels: Vec<String> = FACETS[1..]
        .iter()
        .flat_map(|f| facet_values(incident, f))
        .map(|v| v.replace(['-', '_'], " "))
        .collect();
    let root_cause = incident.root_cause_text();
    let fields: [(&str, f64); 5] = [
        (&incident.title, BOOST_TITLE),
        (&root_cause, BOOST_ROOT_CAUSE),
        (&labels.join(" "), BOOST_LABELS),
        (incident.summary.as_deref().unwrap_or(""), BOOST_SUMMARY),
        (&incident.body_text, BOOST_BODY),
    ];
    let mut length = 0usize;
    for (field_text, boost) in fields {
        text::for_each_token(field_text, |_, _, term| {
            length += 1;
            match freq.get_mut(term) {
                Some(f) => *f += boost,
                None => {
                    freq.insert(term.to_string(), boost);
                }
            }
        });
    }
    let mut terms: Vec<(String, f64)> = freq.into_iter().collect();
    terms.sort_by(|a, b| a.0.cmp(&b.0));
    (terms, length as f64)
}

/// The text a browser snippet is cut from: root cause, summary, then the body, trimmed
/// to about [`SNIPPET_SOURCE_CHARS`] characters at a word boundary.
fn snippet_source(i: &Incident) -> String {
    let parts = [
        i.root_cause_text(),
        i.summary.clone().unwrap_or_default(),
        i.body_text.clone(),
    ];
    let joined = parts
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    if joined.chars().count() <= SNIPPET_SOURCE_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(SNIPPET_SOURCE_CHARS).collect();
    match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => cut[..space].to_string(),
        _ => cut,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

const VARINT_DIGITS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Append `value` as base-64 digits of 5 payload bits each, least significant first;
/// digit values of 32 and above mean "more digits follow".
pub fn push_varint(out: &mut String, mut value: u32) {
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

/// Decode what `push_varint` wrote (for tests; search.js has the same loop).
pub fn read_varints(s: &str) -> Vec<u32> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn shards_facets_years_and_fragments() {
        let incident = |id: &str, date: &str, title: &str, cause: &str| Incident {
            id: id.into(),
            title: title.into(),
            date: Some(date.parse().unwrap()),
            severity: Some("SEV1".into()),
            causes: vec![cause.into()],
            root_cause: Some(format!("{title} because of {cause}")),
            ..Default::default()
        };
        let archive = Archive::new(vec![
            incident(
                "a",
                "2024-05-01",
                "Expired certificates",
                "expired-certificate",
            ),
            incident("b", "2025-02-01", "DNS zone push", "dns"),
            incident("c", "2025-01-01", "Pool exhausted", "connection-leak"),
        ]);
        let files = build(&archive);
        let file = |p: &str| {
            String::from_utf8(files.iter().find(|f| f.path == p).unwrap().bytes.clone()).unwrap()
        };
        let entry = file("search/idx/entry.js");
        assert!(entry.starts_with("hindsightEntry({"), "{entry}");
        assert!(
            entry.contains(r#""years":[[2025,0,2],[2024,2,3]]"#),
            "{entry}"
        );
        assert!(entry.contains(r#"["dns","dns",1]"#), "{entry}");
        let shard = file("search/idx/t0.js");
        // "certificat" occurs in document 2 (a, the oldest) only.
        let start = shard.find("\"certificat\":[").unwrap();
        let posting = &shard[start..];
        let encoded = posting.split('"').nth(3).unwrap();
        let values = read_varints(encoded);
        assert_eq!(values[0], 2);
        assert!((1..=31).contains(&values[1]));
        assert_eq!(
            file("search/idx/f-cause.js"),
            "hindsightFacet(\"cause\",{\"connection-leak\":\"B\",\"dns\":\"A\",\"expired-certificate\":\"C\"});\n"
        );
        assert_eq!(
            file("search/idx/dates.js"),
            "hindsightDates([\"2025-02-01\",0,\"2025-01-01\",1,\"2024-05-01\",2]);\n"
        );
        assert!(file("search/idx/d0.js").starts_with("hindsightDocs(0,[[\"b\",\"DNS zone push\",\"2025-02-01\",\"SEV1\",[],\"DNS zone push because of dns\"]"));
    }
}
