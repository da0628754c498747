//! Parsing through the build cache: a post-mortem parsed by an earlier build is read
//! back instead of parsed again (see [`crate::store`] for the files and their safety).
//!
//! [`parse`](super::parse) is a pure function of the file (its path relative to the
//! site, its text and its folder defaults) and the configuration, so the key is a hash
//! of the file and the table's salt holds the configuration and the executable. What
//! is kept is the whole outcome, incident and diagnostics, including the two facts the
//! export leaves out (where the date was written, and which due dates could not be
//! read), so a value read back is equal to the one parsing gives. A test checks that
//! on every post-mortem the repository holds.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Parsed, SourceFile, parse};
use crate::diagnostics::Diagnostic;
use crate::model::Incident;
use crate::site::Site;
use crate::store::{self, Key, Table};

/// Layout of an entry; another value means another layout (part of the salt).
const FORMAT: &[u8] = b"parsed 1";

/// The table's name in the cache folder.
const TABLE: &str = "parsed";

/// An entry as written.
#[derive(Serialize)]
struct Entry<'a> {
    incident: Option<&'a Incident>,
    date_at: (usize, usize),
    /// Indexes of the action items whose due date could not be read.
    due_unreadable: Vec<usize>,
    diagnostics: &'a [Diagnostic],
}

/// An entry as read back.
#[derive(Deserialize)]
struct Read {
    incident: Option<Incident>,
    date_at: (usize, usize),
    due_unreadable: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
}

/// The bytes kept for one parsed file.
pub(crate) fn encode(parsed: &Parsed) -> Vec<u8> {
    let incident = parsed.incident.as_ref();
    let entry = Entry {
        incident,
        date_at: incident.map_or((0, 0), |i| i.date_at),
        due_unreadable: incident.map_or_else(Vec::new, |i| {
            (i.action_items.iter().enumerate())
                .filter(|(_, a)| a.due_unreadable)
                .map(|(n, _)| n)
                .collect()
        }),
        diagnostics: &parsed.diagnostics,
    };
    serde_json::to_vec(&entry).unwrap_or_default()
}

/// One parsed file read back, or `None` when the bytes are not an entry.
pub(crate) fn decode(bytes: &[u8]) -> Option<Parsed> {
    let read: Read = serde_json::from_slice(bytes).ok()?;
    let mut incident = read.incident;
    if let Some(incident) = &mut incident {
        incident.date_at = read.date_at;
        for n in read.due_unreadable {
            incident.action_items.get_mut(n)?.due_unreadable = true;
        }
    }
    Some(Parsed {
        incident,
        diagnostics: read.diagnostics,
    })
}

/// The key of one file: everything `parse` reads of it.
pub(crate) fn key(source: &SourceFile) -> Key {
    let defaults = serde_json::to_vec(&source.defaults.as_deref()).unwrap_or_default();
    store::key(&[
        source.rel.to_string_lossy().as_bytes(),
        &defaults,
        source.text.as_bytes(),
    ])
}

/// What else a parsed value depends on: the format, the executable and the
/// configuration (`None` when the executable cannot be identified: no cache then).
pub(crate) fn salt(site: &Site) -> Option<Vec<u8>> {
    let mut salt = FORMAT.to_vec();
    salt.extend(store::executable_id()?);
    salt.extend(serde_json::to_vec(&site.config).ok()?);
    Some(salt)
}

/// The files parsed, in their order, with each file's key, and a note when the cache
/// could not be used in part.
#[derive(Debug)]
pub(crate) struct ParsedAll {
    pub(crate) parsed: Vec<Parsed>,
    pub(crate) keys: Vec<Key>,
    /// Files read back from the cache rather than parsed.
    pub(crate) reused: usize,
    pub(crate) notice: Option<String>,
}

/// The key of each file, in parallel, in their order: computed once per build, for
/// the cache and for `uptodate`'s fingerprint of the inputs.
pub(crate) fn keys(sources: &[SourceFile]) -> Vec<Key> {
    sources.par_iter().map(key).collect()
}

/// Parse `sources` in parallel, in their order, reading back from the cache in `dir`
/// what an earlier build parsed, and leaving there what this one parsed; `keys` are
/// theirs ([`keys`]).
pub(crate) fn parse_all(
    site: &Site,
    sources: &[SourceFile],
    keys: Vec<Key>,
    dir: &Path,
) -> ParsedAll {
    let stage = crate::progress::stage("parsing", Some(sources.len()), "post-mortems");
    let Some(salt) = salt(site) else {
        return ParsedAll {
            parsed: super::archive::parse_all(site, sources),
            keys,
            reused: 0,
            notice: None,
        };
    };
    let current: HashSet<Key> = keys.iter().copied().collect();
    let mut table = Table::open(dir, TABLE, &salt, &current, decode);
    let cached: Vec<Option<Parsed>> = keys.iter().map(|k| table.take(k)).collect();
    let fresh: HashSet<Key> = (keys.iter().zip(&cached))
        .filter(|(_, c)| c.is_none())
        .map(|(k, _)| *k)
        .collect();
    let reused = sources.len() - fresh.len();
    let parsed: Vec<Parsed> = sources
        .par_iter()
        .zip(cached)
        .map(|(source, cached)| {
            let parsed = cached.unwrap_or_else(|| parse(source, &site.config));
            stage.inc(1);
            parsed
        })
        .collect();
    let _timed = crate::progress::timed("parsing: saving the build cache");
    // Encoded shard by shard as each is written, never all at once.
    let by_key: HashMap<&Key, &Parsed> = keys.iter().zip(&parsed).collect();
    let encode = |key: &Key| by_key.get(key).map(|p| encode(p));
    // A cache that cannot be written costs the next build its speed, nothing more.
    let notice = match table.save(&current, &fresh, encode) {
        Ok(_) => table.notice,
        Err(e) => Some(format!(
            "build cache not saved in {} ({e}); the next build parses everything again",
            dir.display()
        )),
    };
    ParsedAll {
        parsed,
        keys,
        reused,
        notice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every post-mortem the repository holds (the sample, the test fixtures and the
    /// evaluation sets), parsed and read back, is what parsing gave: incident (with the
    /// facts the export leaves out) and diagnostics.
    #[test]
    fn every_post_mortem_of_the_repository_reads_back_as_parsed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = crate::config::Config::default();
        let mut n = 0;
        let mut dated = 0;
        for dir in ["content", "tests/fixtures", "tests/eval", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir))
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let rel = entry.path().strip_prefix(root).unwrap();
                let source = SourceFile::new(entry.path(), rel, text);
                let parsed = parse(&source, &config);
                let back = decode(&encode(&parsed)).unwrap_or_else(|| {
                    panic!("{} does not read back", rel.display());
                });
                assert_eq!(back.incident, parsed.incident, "{}", rel.display());
                assert_eq!(back.diagnostics, parsed.diagnostics, "{}", rel.display());
                n += 1;
                dated += usize::from(parsed.incident.is_some_and(|i| i.date_at != (0, 0)));
            }
        }
        assert!(n > 300, "{n} post-mortems");
        assert!(dated > 100, "{dated} with the date's position");
    }

    #[test]
    fn bytes_that_are_not_an_entry_are_not_read() {
        assert!(decode(b"{}").is_none());
        assert!(decode(b"not json").is_none());
        let text = "---\ntitle: T\ndate: 2026-01-02\n---\n\n## Action Items\n\n| # | Action | Owner | Due | Status |\n|---|---|---|---|---|\n| 1 | Add a timeout | ana | 2026-02-30 | open |\n";
        let parsed = parse(&SourceFile::new("a.md", "a.md", text), &Default::default());
        let incident = parsed.incident.as_ref().unwrap();
        assert!(incident.action_items[0].due_unreadable);
        let bytes = String::from_utf8(encode(&parsed)).unwrap();
        assert!(bytes.contains(r#""due_unreadable":[0]"#), "{bytes}");
        assert_eq!(decode(bytes.as_bytes()).unwrap().incident, parsed.incident);
        // An action item past the end: the entry is damaged, not read.
        let bad = bytes.replace(r#""due_unreadable":[0]"#, r#""due_unreadable":[3]"#);
        assert!(decode(bad.as_bytes()).is_none());
    }
}
