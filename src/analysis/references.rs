//! Resolving the references authors write ("related: \[id\]" in front matter, or
//! `- **2025-09-15**: Database connection pool exhausted (similar issue)` under Related
//! Incidents) to incidents of the archive.
//!
//! Matching is forgiving where authors are sloppy and strict where a wrong link would
//! mislead: ids match case-insensitively and may be written as paths or links
//! (`../x/index.html`, `x.md`); titles are compared as word sets with parenthesised notes
//! and punctuation removed; a date alone resolves only when exactly one incident has it.
//! Every reference that cannot be resolved becomes an `unresolved-reference` warning at
//! the file and line of the reference, saying what was looked for and the closest
//! incident, if any, found through word and bigram indexes rather than a scan of the
//! archive. References to the incident itself are ignored. Links between files resolve
//! by the file they name first (URL decoded, relative to the linking file), then by id,
//! old id (the file name as written, a `slug:` as written) or title.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Incident, RelatedRef};

/// Directed explicit links `(from, to)`: incident `from` names incident `to` (indices
/// into the archive). Relations are shown both ways; the direction only changes wording.
pub(crate) type Links = BTreeSet<(usize, usize)>;

/// Resolve every incident's `related_refs` (in parallel; the result does not depend on
/// the scheduling).
pub fn resolve(incidents: &[Incident]) -> (Links, Vec<Diagnostic>) {
    let resolved = resolve_all(incidents);
    (resolved.links, resolved.diagnostics)
}

/// Everything resolving references finds.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) links: Links,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Links between files that name an incident: incident id → link as written → id.
    pub(crate) file_links: BTreeMap<String, BTreeMap<String, String>>,
}

/// `resolve`, with the links between files that pages rewrite.
pub(crate) fn resolve_all(incidents: &[Incident]) -> Resolved {
    let index = Index::new(incidents);
    type Found = (Vec<usize>, Vec<Diagnostic>, BTreeMap<String, String>);
    let found: Vec<Found> = incidents
        .par_iter()
        .enumerate()
        .map(|(from, incident)| {
            let mut to = Vec::new();
            let mut diagnostics = Vec::new();
            let mut hrefs = BTreeMap::new();
            for reference in &incident.related_refs {
                match index.resolve(reference, from) {
                    Ok(i) => {
                        if let Some(href) = &reference.href {
                            hrefs.insert(href.clone(), incidents[i].id.clone());
                        }
                        if i != from {
                            to.push(i);
                        }
                    }
                    // A link without `.md` to something that is no post-mortem.
                    Err(_) if reference.weak => {}
                    Err(why) => diagnostics.push(Diagnostic::warning(
                        "unresolved-reference",
                        incident.source.clone(),
                        reference.line,
                        0,
                        format!("related incident {} not found: {why}", describe(reference)),
                    )),
                }
            }
            (to, diagnostics, hrefs)
        })
        .collect();
    let mut resolved = Resolved::default();
    for (from, (to, found, hrefs)) in found.into_iter().enumerate() {
        resolved.links.extend(to.into_iter().map(|to| (from, to)));
        resolved.diagnostics.extend(found);
        if !hrefs.is_empty() {
            resolved
                .file_links
                .insert(incidents[from].id.clone(), hrefs);
        }
    }
    resolved
}

/// For every incident, the incident each of its `related_refs` names, if any (indices
/// into `incidents`).
pub(crate) fn targets(incidents: &[Incident]) -> Vec<Vec<Option<usize>>> {
    let index = Index::new(incidents);
    incidents
        .par_iter()
        .enumerate()
        .map(|(from, incident)| {
            incident
                .related_refs
                .iter()
                .map(|reference| index.resolve(reference, from).ok())
                .collect()
        })
        .collect()
}

/// How the reference was written, for messages.
fn describe(reference: &RelatedRef) -> String {
    match (&reference.id, reference.date, &reference.title) {
        (Some(id), _, _) => format!("`{id}`"),
        (None, Some(date), Some(title)) => format!("\"{title}\" ({date})"),
        (None, Some(date), None) => format!("dated {date}"),
        (None, None, Some(title)) => format!("\"{title}\""),
        (None, None, None) => format!("\"{}\"", reference.note),
    }
}

/// A title as a set of normalised words: lowercase, parenthesised notes such as
/// "(similar issue)" removed, punctuation dropped, plurals folded, filler words removed.
pub(crate) fn title_words(title: &str) -> BTreeSet<String> {
    let mut without_notes = String::with_capacity(title.len());
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_notes.push(c),
            _ => {}
        }
    }
    without_notes
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| super::text::stem(&w.to_lowercase()))
        .filter(|w| {
            !matches!(
                w.as_str(),
                "the"
                    | "a"
                    | "an"
                    | "of"
                    | "in"
                    | "on"
                    | "for"
                    | "and"
                    | "to"
                    | "with"
                    | "at"
                    | "by"
            )
        })
        .collect()
}

/// Dice coefficient of two word sets: 1 for the same words, 0 for none shared.
pub(crate) fn title_similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// An id as authors may write it: `x`, `X.md`, `incidents/x/index.html`, `../x/`.
fn normalise_id(raw: &str) -> String {
    let mut s = raw
        .trim()
        .trim_matches(|c| c == '<' || c == '>' || c == '`')
        .to_lowercase();
    for suffix in ["/index.html", "/", ".html", ".md"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.to_string();
        }
    }
    s.rsplit('/').next().unwrap_or("").to_string()
}

/// A title close enough when it is the only incident of that date.
const SIMILAR_ALONE: f64 = 0.3;
/// A title close enough to pick one of several incidents (or an adjacent day).
const SIMILAR_AMONG: f64 = 0.5;
/// A title close enough to resolve with no date at all.
const SIMILAR_NO_DATE: f64 = 0.75;

struct Index<'a> {
    incidents: &'a [Incident],
    /// Lower-case ids, then old ids (file names, `slug:` as written) where free.
    by_id: HashMap<String, usize>,
    /// Lower-case source paths (relative to the site root).
    by_path: HashMap<String, usize>,
    by_date: BTreeMap<Date, Vec<usize>>,
    titles: Vec<BTreeSet<String>>,
    /// Title word → the incidents whose title has it, so the closest title is found
    /// among the titles sharing a word, not by a scan of the archive.
    by_word: HashMap<String, Vec<usize>>,
    /// Character bigrams of every id and bigram → ids, made on the first mistyped id.
    id_bigrams: OnceLock<IdBigrams>,
}

/// Each id's character bigrams, and bigram → the ids that have it.
type IdBigrams = (Vec<BTreeSet<String>>, HashMap<String, Vec<usize>>);

impl<'a> Index<'a> {
    fn new(incidents: &'a [Incident]) -> Self {
        let mut by_id = HashMap::new();
        let mut by_path = HashMap::new();
        let mut by_date: BTreeMap<Date, Vec<usize>> = BTreeMap::new();
        for (i, incident) in incidents.iter().enumerate() {
            by_id.entry(incident.id.to_lowercase()).or_insert(i);
            by_path
                .entry(
                    incident
                        .source
                        .to_string_lossy()
                        .replace('\\', "/")
                        .to_lowercase(),
                )
                .or_insert(i);
            if let Some(date) = incident.date {
                by_date.entry(date).or_default().push(i);
            }
        }
        for (i, incident) in incidents.iter().enumerate() {
            for alias in &incident.aliases {
                by_id.entry(alias.to_lowercase()).or_insert(i);
            }
        }
        let titles: Vec<BTreeSet<String>> = incidents
            .par_iter()
            .map(|i| title_words(&i.title))
            .collect();
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, words) in titles.iter().enumerate() {
            for w in words {
                by_word.entry(w.clone()).or_default().push(i);
            }
        }
        Index {
            incidents,
            by_id,
            by_path,
            by_date,
            titles,
            by_word,
            id_bigrams: OnceLock::new(),
        }
    }

    fn resolve(&self, reference: &RelatedRef, from: usize) -> Result<usize, String> {
        let title = reference
            .title
            .as_deref()
            .map(title_words)
            .unwrap_or_default();
        // A link to a file: the file it names, else its name as an id.
        if let Some(path) = &reference.path
            && let Some(&i) = self.by_path.get(&path.to_lowercase())
        {
            return Ok(i);
        }
        if let Some(raw) = &reference.id {
            let wanted = normalise_id(raw);
            if let Some(&i) = self
                .by_id
                .get(&wanted)
                .or_else(|| self.by_id.get(&crate::slug::slug(&wanted)))
            {
                return Ok(i);
            }
            if reference.weak {
                return Err(String::new());
            }
            if reference.date.is_none() && title.is_empty() {
                return Err(format!(
                    "no incident has that id{}",
                    self.closest_by_id(raw, from)
                ));
            }
        }
        let found = match reference.date {
            Some(date) => self.resolve_dated(date, &title, from),
            None if !title.is_empty() => self.resolve_title(&title, from),
            None => Err("the reference gives neither an id, a date nor a title".into()),
        };
        // A link to a file that is not there says so, not what its text resembles.
        match (&reference.path, &reference.id) {
            (Some(path), Some(raw)) if found.is_err() => Err(format!(
                "no post-mortem is the file `{path}`{}",
                self.closest_by_id(raw, from)
            )),
            _ => found,
        }
    }

    /// Every incident sharing a title word with `title`, with its similarity.
    fn similar_titles(&self, title: &BTreeSet<String>) -> Vec<(f64, usize)> {
        self.with_shared_words(title, |touched, shared| {
            touched
                .iter()
                .map(|&i| (self.similarity(title, i, shared[i]), i))
                .collect()
        })
    }

    /// Dice similarity of `title` and incident `i`'s title, sharing `shared` words.
    fn similarity(&self, title: &BTreeSet<String>, i: usize, shared: u32) -> f64 {
        2.0 * f64::from(shared) / (title.len() + self.titles[i].len()) as f64
    }

    /// Count, for every incident sharing a word with `title`, how many it shares, from
    /// the word index (no scan of the archive).
    fn with_shared_words<T>(
        &self,
        title: &BTreeSet<String>,
        f: impl FnOnce(&[usize], &[u32]) -> T,
    ) -> T {
        count_shared(self.titles.len(), &self.by_word, title, f)
    }

    fn resolve_dated(
        &self,
        date: Date,
        title: &BTreeSet<String>,
        from: usize,
    ) -> Result<usize, String> {
        let same_day = self.by_date.get(&date).map(Vec::as_slice).unwrap_or(&[]);
        if title.is_empty() {
            return match same_day {
                [only] => Ok(*only),
                [] => Err(format!(
                    "no incident is dated {date}{}",
                    self.closest_by_date(date, from)
                )),
                several => Err(format!(
                    "{} incidents are dated {date} ({}); add the title or use the id",
                    several.len(),
                    several
                        .iter()
                        .map(|&i| format!("`{}`", self.incidents[i].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        }
        if let [only] = same_day
            && title_similarity(title, &self.titles[*only]) >= SIMILAR_ALONE
        {
            return Ok(*only);
        }
        if let Some(i) = self.best_title(same_day.iter().copied(), title, SIMILAR_AMONG) {
            return Ok(i);
        }
        // Time zones shift dates by a day: accept a neighbour day with a close title.
        let adjacent: Vec<usize> = [date.yesterday().ok(), date.tomorrow().ok()]
            .into_iter()
            .flatten()
            .filter_map(|d| self.by_date.get(&d))
            .flatten()
            .copied()
            .collect();
        if let Some(i) = self.best_title(adjacent.into_iter(), title, SIMILAR_AMONG) {
            return Ok(i);
        }
        let why = if same_day.is_empty() {
            format!("no incident is dated {date}")
        } else {
            format!("no incident dated {date} has a similar title")
        };
        Err(format!("{why}{}", self.closest_by_title(title, from)))
    }

    fn resolve_title(&self, title: &BTreeSet<String>, from: usize) -> Result<usize, String> {
        let candidates: Vec<usize> = self
            .similar_titles(title)
            .into_iter()
            .map(|(_, i)| i)
            .collect();
        self.best_title(candidates.into_iter(), title, SIMILAR_NO_DATE)
            .ok_or_else(|| {
                format!(
                    "no incident has a similar title{}",
                    self.closest_by_title(title, from)
                )
            })
    }

    /// The candidate with the most similar title, when at least `min` and not tied.
    fn best_title(
        &self,
        candidates: impl Iterator<Item = usize>,
        title: &BTreeSet<String>,
        min: f64,
    ) -> Option<usize> {
        let mut scored: Vec<(f64, usize)> = candidates
            .map(|i| (title_similarity(title, &self.titles[i]), i))
            .filter(|&(s, _)| s >= min)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        match scored.as_slice() {
            [] => None,
            [(best, _), (second, _), ..] if (best - second).abs() < 1e-9 => None,
            [(_, i), ..] => Some(*i),
        }
    }

    fn candidate(&self, i: usize) -> String {
        let incident = &self.incidents[i];
        match incident.date {
            Some(date) => format!(
                "; closest is `{}` ({date}, {})",
                incident.id, incident.title
            ),
            None => format!("; closest is `{}` ({})", incident.id, incident.title),
        }
    }

    /// The most similar other title, for a hint. Candidates are the titles sharing a
    /// distinctive word of `title` (one in at most 1% of the titles, 32 at least), or any
    /// word when it has none: a hint never rests on words like "service" alone, and
    /// 25,000 hints at 10,000 post-mortems read short posting lists only.
    fn closest_by_title(&self, title: &BTreeSet<String>, from: usize) -> String {
        let limit = (self.titles.len() / 100).max(32);
        let distinctive: BTreeSet<String> = title
            .iter()
            .filter(|w| (1..=limit).contains(&self.by_word.get(*w).map_or(0, Vec::len)))
            .cloned()
            .collect();
        let keys = if distinctive.is_empty() {
            title
        } else {
            &distinctive
        };
        let best = count_shared(self.titles.len(), &self.by_word, keys, |touched, _| {
            touched
                .iter()
                .filter(|&&i| i != from)
                .map(|&i| (title_similarity(title, &self.titles[i]), i))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        });
        best.map(|(_, i)| self.candidate(i)).unwrap_or_default()
    }

    fn closest_by_date(&self, date: Date, from: usize) -> String {
        let first_other = |list: &Vec<usize>| list.iter().copied().find(|&i| i != from);
        let after = self
            .by_date
            .range(date..)
            .find_map(|(d, list)| Some((*d, first_other(list)?)));
        let before = self
            .by_date
            .range(..date)
            .rev()
            .find_map(|(d, list)| Some((*d, first_other(list)?)));
        let distance = |d: Date| {
            date.until(d)
                .map(|s| s.get_days().abs())
                .unwrap_or(i32::MAX)
        };
        let best = match (before, after) {
            (Some(b), Some(a)) => Some(if distance(a.0) < distance(b.0) { a } else { b }),
            (b, a) => a.or(b),
        };
        best.map(|(_, i)| self.candidate(i)).unwrap_or_default()
    }

    fn closest_by_id(&self, raw: &str, from: usize) -> String {
        let wanted = bigrams(&normalise_id(raw));
        let (ids, by_bigram) = self.id_bigrams.get_or_init(|| {
            let ids: Vec<BTreeSet<String>> = self
                .incidents
                .iter()
                .map(|i| bigrams(&i.id.to_lowercase()))
                .collect();
            let mut by_bigram: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, grams) in ids.iter().enumerate() {
                for g in grams {
                    by_bigram.entry(g.clone()).or_default().push(i);
                }
            }
            (ids, by_bigram)
        });
        let best = count_shared(ids.len(), by_bigram, &wanted, |touched, shared| {
            touched
                .iter()
                .filter(|&&i| i != from)
                .map(|&i| {
                    let n = f64::from(shared[i]);
                    (2.0 * n / (wanted.len() + ids[i].len()).max(1) as f64, i)
                })
                .filter(|&(s, _)| s >= 0.3)
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        });
        best.map(|(_, i)| self.candidate(i)).unwrap_or_default()
    }
}

/// For every item of `0..n` that `postings` lists under one of `keys`, how many of the
/// keys list it: `f(touched, counts)` sees the items touched and their counts. The
/// counter array is kept per thread and cleared after use, so a call costs the length of
/// the postings it reads, never `n`.
fn count_shared<T>(
    n: usize,
    postings: &HashMap<String, Vec<usize>>,
    keys: &BTreeSet<String>,
    f: impl FnOnce(&[usize], &[u32]) -> T,
) -> T {
    thread_local! {
        static COUNTS: std::cell::RefCell<(Vec<u32>, Vec<usize>)> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    COUNTS.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (counts, touched) = &mut *guard;
        if counts.len() < n {
            counts.resize(n, 0);
        }
        touched.clear();
        for key in keys {
            for &i in postings.get(key).map(Vec::as_slice).unwrap_or(&[]) {
                if counts[i] == 0 {
                    touched.push(i);
                }
                counts[i] += 1;
            }
        }
        let out = f(touched, counts);
        for &i in touched.iter() {
            counts[i] = 0;
        }
        out
    })
}

/// Character bigrams, to find an id that is close to a mistyped one.
fn bigrams(s: &str) -> BTreeSet<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(id: &str, date: &str, title: &str) -> Incident {
        Incident {
            id: id.into(),
            date: Some(date.parse().unwrap()),
            title: title.into(),
            source: format!("content/{id}.md").into(),
            ..Default::default()
        }
    }

    fn reference(
        id: Option<&str>,
        date: Option<&str>,
        title: Option<&str>,
        line: usize,
    ) -> RelatedRef {
        RelatedRef {
            id: id.map(Into::into),
            date: date.map(|d| d.parse().unwrap()),
            title: title.map(Into::into),
            note: String::new(),
            line,
            ..RelatedRef::default()
        }
    }

    fn archive() -> Vec<Incident> {
        vec![
            incident(
                "pool-oct",
                "2025-10-26",
                "Database connection pool exhausted",
            ),
            incident(
                "pool-sep",
                "2025-09-15",
                "Database Connection-Pool Exhausted",
            ),
            incident("oom-aug", "2025-08-10", "Payment service OOM crash"),
            incident(
                "dns-aug",
                "2025-08-10",
                "DNS resolution failures in eu-west",
            ),
        ]
    }

    #[test]
    fn titles_normalise_case_punctuation_and_notes() {
        let a = title_words("Database connection pool exhausted (similar issue)");
        let b = title_words("database Connection-Pool exhausted");
        assert_eq!(a, b);
        assert!(
            title_similarity(
                &title_words("Payment service OOM crash"),
                &title_words("Payment OOM crashes")
            ) >= 0.5
        );
    }

    #[test]
    fn resolves_by_id_path_and_case() {
        let incidents = archive();
        let index = Index::new(&incidents);
        for raw in [
            "pool-sep",
            "POOL-SEP",
            "pool-sep.md",
            "../pool-sep/index.html",
            "incidents/pool-sep/",
        ] {
            assert_eq!(
                index.resolve(&reference(Some(raw), None, None, 1), usize::MAX),
                Ok(1),
                "{raw}"
            );
        }
    }

    #[test]
    fn resolves_by_date_and_forgiving_title() {
        let incidents = archive();
        let index = Index::new(&incidents);
        let r = reference(
            None,
            Some("2025-09-15"),
            Some("Database connection pool exhausted (similar issue)"),
            3,
        );
        assert_eq!(index.resolve(&r, usize::MAX), Ok(1));
        // Two incidents that day: the title decides.
        assert_eq!(
            index.resolve(
                &reference(
                    None,
                    Some("2025-08-10"),
                    Some("Payment service OOM crash"),
                    3
                ),
                usize::MAX
            ),
            Ok(2)
        );
        assert_eq!(
            index.resolve(
                &reference(None, Some("2025-08-10"), Some("dns failures"), 3),
                usize::MAX
            ),
            Ok(3)
        );
        // Only incident that day and a loosely similar title.
        assert_eq!(
            index.resolve(
                &reference(
                    None,
                    Some("2025-10-26"),
                    Some("DB connection pool outage"),
                    3
                ),
                usize::MAX
            ),
            Ok(0)
        );
        // A day off, same title.
        assert_eq!(
            index.resolve(
                &reference(
                    None,
                    Some("2025-09-16"),
                    Some("Database connection pool exhausted"),
                    3
                ),
                usize::MAX
            ),
            Ok(1)
        );
    }

    #[test]
    fn ambiguous_or_missing_references_explain_themselves() {
        let incidents = archive();
        let index = Index::new(&incidents);
        let err = index
            .resolve(&reference(None, Some("2025-08-10"), None, 3), usize::MAX)
            .unwrap_err();
        assert_eq!(
            err,
            "2 incidents are dated 2025-08-10 (`oom-aug`, `dns-aug`); add the title or use the id"
        );
        let err = index
            .resolve(
                &reference(None, Some("2025-07-01"), Some("Payment OOM crash"), 3),
                usize::MAX,
            )
            .unwrap_err();
        assert_eq!(
            err,
            "no incident is dated 2025-07-01; closest is `oom-aug` (2025-08-10, Payment service OOM crash)"
        );
        let err = index
            .resolve(&reference(Some("pool-spe"), None, None, 3), usize::MAX)
            .unwrap_err();
        assert!(
            err.starts_with("no incident has that id; closest is `pool-sep`"),
            "{err}"
        );
        let err = index
            .resolve(
                &reference(None, Some("2025-10-26"), Some("Kafka lag"), 3),
                usize::MAX,
            )
            .unwrap_err();
        assert_eq!(err, "no incident dated 2025-10-26 has a similar title");
    }

    #[test]
    fn resolve_links_and_warns_with_file_and_line() {
        let mut incidents = archive();
        incidents[0].related_refs = vec![
            reference(
                None,
                Some("2025-09-15"),
                Some("Database connection pool exhausted"),
                40,
            ),
            reference(Some("pool-oct"), None, None, 41),
            reference(None, Some("2024-01-01"), Some("Something else"), 42),
        ];
        let (links, diagnostics) = resolve(&incidents);
        assert_eq!(
            links.into_iter().collect::<Vec<_>>(),
            vec![(0, 1)],
            "self reference ignored"
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].to_string(),
            "content/pool-oct.md:42: warning[unresolved-reference]: related incident \"Something else\" (2024-01-01) not found: no incident is dated 2024-01-01"
        );
    }
}
