//! Tables of a post-mortem: what each one is (timeline, action items, related incidents,
//! key/value facts) and its rows turned into model values.
//!
//! A table's role comes from its section (a table under "Timeline" is a timeline) and,
//! failing that, from its header: a time column plus an event column is a timeline; an
//! action column plus an owner, status, due date, priority or type column is a list of
//! action items. Two-column tables and one-row tables under summary/timing sections are
//! key/value facts (Kehoe's Summary and Incident Timing tables). Columns are found by
//! header words, so `Date/Time | Who/What | Action/Impact` and `Time (UTC) | Event | Actor`
//! both work. Rows with fewer cells than the header give a `table-missing-cells` warning.

use jiff::civil::Date;

use crate::content::markdown::{Table, TableRow};
use crate::content::sections::{SectionKind, Sections};
use crate::content::time::{self, DateRead, TimeRead};
use crate::diagnostics::Diagnostic;
use crate::model::{ActionItem, ActionItemStatus, RelatedRef, TimelineEvent};
use crate::zone::Zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Timeline,
    ActionItems,
    Related,
    KeyValue,
    Other,
}

/// Normalised header cell: lower case words.
fn norm(cell: &str) -> String {
    cell.to_lowercase()
        .replace(['/', '(', ')', '-', '_', '?', ':', '&'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the normalised header has one of `words` (all single words) as a word.
fn has_word(header: &str, words: &[&str]) -> bool {
    header.split(' ').any(|hw| words.contains(&hw))
}

fn find(header: &[String], words: &[&str], taken: &[usize]) -> Option<usize> {
    header
        .iter()
        .enumerate()
        .find(|(i, h)| !taken.contains(i) && has_word(&norm(h), words))
        .map(|(i, _)| i)
}

const TIME_WORDS: &[&str] = &["time", "date", "when", "timestamp", "utc"];
const EVENT_WORDS: &[&str] = &[
    "event",
    "events",
    "action",
    "description",
    "what",
    "details",
    "impact",
    "update",
    "activity",
    "happened",
];
const ACTOR_WORDS: &[&str] = &[
    "actor",
    "who",
    "by",
    "responder",
    "person",
    "team",
    "source",
];
const ACTION_WORDS: &[&str] = &[
    "action",
    "actions",
    "task",
    "item",
    "remediation",
    "description",
    "follow",
    "fix",
    "what",
];
const OWNER_WORDS: &[&str] = &[
    "owner",
    "owners",
    "who",
    "assignee",
    "responsible",
    "assigned",
    "dri",
];
const DUE_WORDS: &[&str] = &["due", "deadline", "eta", "target"];
const STATUS_WORDS: &[&str] = &["status", "state"];
const PRIORITY_WORDS: &[&str] = &["priority", "pri", "prio", "p"];
const KIND_WORDS: &[&str] = &["type", "kind", "category"];

/// What a table is, from its section and header.
pub fn role(table: &Table, sections: &Sections) -> Role {
    let h = &table.header;
    let kinds: Vec<SectionKind> = sections.kinds_at(table.line).collect();
    let innermost = kinds.first().copied();
    let time = find(h, TIME_WORDS, &[]);
    let action = find(h, ACTION_WORDS, &[]);
    let action_extra = [
        OWNER_WORDS,
        DUE_WORDS,
        STATUS_WORDS,
        PRIORITY_WORDS,
        KIND_WORDS,
    ]
    .iter()
    .any(|w| find(h, w, &[]).is_some());
    match innermost {
        Some(SectionKind::Timing) => return Role::KeyValue,
        Some(SectionKind::Timeline) if time.is_some() => return Role::Timeline,
        Some(SectionKind::ActionItems | SectionKind::Recommendations)
            if action.is_some() || action_extra =>
        {
            return Role::ActionItems;
        }
        Some(SectionKind::Related) => return Role::Related,
        _ => {}
    }
    if action.is_some()
        && action_extra
        && find(h, DUE_WORDS, &[])
            .or(find(h, OWNER_WORDS, &[]))
            .or(find(h, STATUS_WORDS, &[]))
            .is_some()
    {
        return Role::ActionItems;
    }
    if let Some(t) = time {
        let event = find(h, EVENT_WORDS, &[t]);
        if event.is_some() && t == 0 {
            return Role::Timeline;
        }
    }
    if h.len() == 2
        || (table.rows.len() == 1
            && matches!(innermost, Some(SectionKind::Summary | SectionKind::Timing)))
    {
        return Role::KeyValue;
    }
    Role::Other
}

/// Number of cells written on a table row's source line (pipes inside code spans and
/// escaped pipes do not split).
pub fn written_cells(line: &str) -> usize {
    let t = line.trim();
    let mut count = 1;
    let mut in_code = false;
    let mut prev = ' ';
    for c in t.chars() {
        match c {
            '`' => in_code = !in_code,
            '|' if !in_code && prev != '\\' => count += 1,
            _ => {}
        }
        prev = c;
    }
    if t.starts_with('|') {
        count -= 1;
    }
    if t.ends_with('|') && t.len() > 1 && !t.ends_with("\\|") {
        count -= 1;
    }
    count
}

/// Warn about rows with fewer cells than the header.
pub fn check_cells(
    table: &Table,
    line_text: &dyn Fn(usize) -> String,
    path: &std::path::Path,
    out: &mut Vec<Diagnostic>,
) {
    let want = table.header.len();
    for row in &table.rows {
        let line = line_text(row.line);
        let written = written_cells(&line);
        if written < want {
            let col = line.trim_end().chars().count() + 1;
            out.push(Diagnostic::warning(
                "table-missing-cells",
                path,
                row.line,
                col,
                format!(
                    "table row has {written} of {want} cells; expected one cell per column ({})",
                    table.header.join(", ")
                ),
            ));
        }
    }
}

fn cell(row: &TableRow, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| row.cells.get(i))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
}

/// A timeline row before its time is resolved against the incident date.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    pub event: TimelineEvent,
    /// Zone named in the header, e.g. `Time (PDT)`; the post-mortem's zone otherwise.
    pub zone: Option<Zone>,
}

pub fn timeline_rows(table: &Table) -> Vec<RawEvent> {
    let h = &table.header;
    let Some(t) = find(h, TIME_WORDS, &[]) else {
        return Vec::new();
    };
    let actor = find(h, ACTOR_WORDS, &[t]);
    let event = find(h, EVENT_WORDS, &[t, actor.unwrap_or(usize::MAX)]);
    let zone = header_zone(&h[t]);
    table
        .rows
        .iter()
        .map(|row| {
            let event_text = match event {
                Some(e) => cell(row, Some(e)).unwrap_or_default().to_string(),
                None => row
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| *i != t && Some(*i) != actor && !c.is_empty())
                    .map(|(_, c)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" — "),
            };
            RawEvent {
                event: TimelineEvent {
                    at: None,
                    time_text: cell(row, Some(t)).unwrap_or_default().to_string(),
                    event: event_text,
                    actor: cell(row, actor).map(str::to_string),
                    line: row.line,
                },
                zone: zone.clone(),
            }
        })
        .collect()
}

/// The zone a time column's header names: `Time (PDT)`, `Time (Europe/Berlin)`,
/// `Timestamp UTC+2`.
fn header_zone(header: &str) -> Option<Zone> {
    header
        .split([' ', '(', ')', ',', '[', ']'])
        .filter(|w| !w.is_empty())
        .find_map(Zone::named)
}

/// Give each row an absolute time: full timestamps as written; times of day on the
/// current date (the incident date, or the last date a row wrote), moving to the next day
/// when a time goes backwards. Without any date, times of day stay unresolved. A time
/// without a zone is in the header's zone, else in `zone` (the post-mortem's); wall-clock
/// times become instants as that zone's clock went, so a timeline across a DST change
/// keeps its true gaps.
pub fn resolve_timeline(
    rows: Vec<RawEvent>,
    incident_date: Option<Date>,
    zone: &Zone,
) -> Vec<TimelineEvent> {
    let mut current = incident_date;
    let mut last: Option<jiff::Timestamp> = None;
    rows.into_iter()
        .map(|raw| {
            let mut event = raw.event;
            let default = raw.zone.as_ref().unwrap_or(zone);
            match time::read_time(&event.time_text, default) {
                Some(TimeRead::Full(ts, date)) => {
                    event.at = Some(ts);
                    current = Some(date);
                    last = Some(ts);
                }
                Some(TimeRead::DateOnly(date)) => current = Some(date),
                Some(TimeRead::TimeOfDay { seconds, zone }) => {
                    if let Some(date) = current {
                        let mut at = time::at_date(date, seconds, &zone, last);
                        if let (Some(a), Some(l)) = (at, last)
                            && a < l
                            && let Ok(next) = date.tomorrow()
                        {
                            current = Some(next);
                            at = time::at_date(next, seconds, &zone, last);
                        }
                        event.at = at;
                        last = at.or(last);
                    }
                }
                None => {}
            }
            event
        })
        .collect()
}

/// Normalise an action item status: words first, then emoji.
pub fn status(text: &str) -> ActionItemStatus {
    use ActionItemStatus::*;
    let lower = text.to_lowercase();
    let words: String = lower
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));
    if has(&[
        "canceled",
        "cancelled",
        "won't do",
        "wont do",
        "wontfix",
        "won't fix",
        "not doing",
        "dropped",
        "rejected",
        "obsolete",
    ]) {
        return NotDoing;
    }
    if has(&[
        "not started",
        "not done",
        "todo",
        "to do",
        "planned",
        "open",
        "backlog",
        "scheduled",
        "new",
        "pending",
    ]) {
        return Planned;
    }
    if has(&[
        "in progress",
        "ongoing",
        "started",
        "wip",
        "in review",
        "doing",
        "underway",
    ]) {
        return InProgress;
    }
    if has(&["delayed", "blocked", "overdue", "stalled", "on hold"]) {
        return Delayed;
    }
    if has(&[
        "done",
        "complete",
        "completed",
        "fixed",
        "closed",
        "resolved",
        "shipped",
        "deployed",
        "finished",
    ]) {
        return Done;
    }
    for (marks, s) in [
        (&["✅", "✔", "☑"][..], Done),
        (&["⏳", "🔄", "🚧"][..], InProgress),
        (&["📅", "🗓", "🆕"][..], Planned),
        (&["⚠", "🛑"][..], Delayed),
        (&["❌", "🚫", "⛔"][..], NotDoing),
    ] {
        if marks.iter().any(|m| text.contains(m)) {
            return s;
        }
    }
    Unknown
}

fn owner_of(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    let lower = t.to_lowercase();
    (!matches!(
        lower.as_str(),
        "" | "-" | "—" | "–" | "?" | "tbd" | "tba" | "n/a" | "none" | "unassigned" | "nobody"
    ))
    .then(|| t.to_string())
}

/// Action items of a table; invalid due dates are reported.
pub fn action_rows(
    table: &Table,
    path: &std::path::Path,
    out: &mut Vec<Diagnostic>,
) -> Vec<ActionItem> {
    let h = &table.header;
    let number = h.iter().position(|c| {
        matches!(
            norm(c).as_str(),
            "#" | "no" | "no." | "id" | "number" | "nr"
        )
    });
    let taken = [number.unwrap_or(usize::MAX)];
    let owner = find(h, OWNER_WORDS, &taken);
    let due = find(h, DUE_WORDS, &taken);
    let status_col = find(h, STATUS_WORDS, &taken);
    let kind = find(h, KIND_WORDS, &taken);
    let priority = find(h, PRIORITY_WORDS, &taken);
    let used: Vec<usize> = [number, owner, due, status_col, kind, priority]
        .into_iter()
        .flatten()
        .collect();
    let action = find(h, ACTION_WORDS, &used).or_else(|| (0..h.len()).find(|i| !used.contains(i)));
    let mut items = Vec::new();
    for row in &table.rows {
        let Some(action_text) = cell(row, action) else {
            continue;
        };
        let due_text = cell(row, due);
        let due_date = due_text.and_then(|d| match time::read_date(d) {
            DateRead::Date(date) => Some(date),
            DateRead::Invalid(msg) => {
                out.push(Diagnostic::warning(
                    "invalid-date",
                    path,
                    row.line,
                    0,
                    format!("action item due date: {msg}"),
                ));
                None
            }
            DateRead::NotADate => None,
        });
        let status_text = cell(row, status_col).unwrap_or_default().to_string();
        items.push(ActionItem {
            number: cell(row, number).map(str::to_string),
            action: action_text.to_string(),
            kind: cell(row, kind).map(str::to_string),
            priority: cell(row, priority).map(str::to_string),
            owner: owner_of(cell(row, owner)),
            due: due_date,
            status: status(&status_text),
            status_text,
            line: row.line,
        });
    }
    items
}

/// Related-incident table rows (CCADB: `Bug | Date | How related`).
pub fn related_rows(table: &Table, from: &std::path::Path) -> Vec<RelatedRef> {
    let h = &table.header;
    let date = find(h, &["date", "when"], &[]);
    let note = find(
        h,
        &[
            "related",
            "relation",
            "relationship",
            "notes",
            "note",
            "how",
            "why",
            "description",
        ],
        &[date.unwrap_or(usize::MAX)],
    );
    let taken = [date.unwrap_or(usize::MAX), note.unwrap_or(usize::MAX)];
    let title = find(
        h,
        &[
            "bug",
            "incident",
            "title",
            "id",
            "link",
            "ticket",
            "reference",
            "name",
        ],
        &taken,
    )
    .or_else(|| (0..h.len()).find(|i| !taken.contains(i)));
    table
        .rows
        .iter()
        .filter_map(|row| {
            let title_text = cell(row, title);
            let href = title
                .and_then(|i| row.links.get(i))
                .and_then(|l| l.as_deref());
            let target = href.and_then(|h| file_link(h, from)).filter(|t| !t.weak);
            let id = target.as_ref().map(|t| t.id.clone());
            let date = cell(row, date).and_then(|d| match time::read_date(d) {
                DateRead::Date(d) => Some(d),
                _ => None,
            });
            if title_text.is_none() && id.is_none() && date.is_none() {
                return None;
            }
            Some(RelatedRef {
                id,
                date,
                title: title_text.map(str::to_string),
                note: cell(row, note).unwrap_or_default().to_string(),
                line: row.line,
                href: target.as_ref().and(href.map(str::to_string)),
                path: target.map(|t| t.path),
                weak: false,
            })
        })
        .collect()
}

/// The incident id a relative link to another post-mortem names: `../2025/x.md#y` → `x`,
/// `PM2019-009%20-%20Network.md` → `PM2019-009 - Network`.
#[cfg(test)]
pub fn incident_link_id(dest: &str) -> Option<String> {
    file_link(dest, std::path::Path::new(""))
        .filter(|l| !l.weak)
        .map(|l| l.id)
}

/// A relative link to another file that may be a post-mortem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    /// The file name without `.md`, URL decoded: an id or old id to look for.
    pub id: String,
    /// The file it names, relative to the site root, URL decoded, `/` separators.
    pub path: String,
    /// Written without `.md`: a post-mortem only if one has that name.
    pub weak: bool,
}

/// The file a relative link names, seen from the file `from` (relative to the site
/// root): URL decoded, with or without `.md`. Links with a scheme, to anchors, to other
/// kinds of files (`.png`, `.html`) and to the archive's README-like files are none.
pub fn file_link(dest: &str, from: &std::path::Path) -> Option<FileLink> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") {
        return None;
    }
    let scheme = dest
        .find(':')
        .is_some_and(|c| !dest[..c].contains(['/', '?', '#']));
    if scheme {
        return None;
    }
    let path = dest.split(['#', '?']).next()?;
    let decoded = percent_decode(path);
    let file = decoded.rsplit('/').next()?.trim();
    let (stem, weak) = match file
        .len()
        .checked_sub(3)
        .filter(|&i| file.is_char_boundary(i))
    {
        Some(i) if file[i..].eq_ignore_ascii_case(".md") => (&file[..i], false),
        _ => {
            // A dot followed by a short word is an extension: `x.png`, `index.html`.
            let extension = file.rsplit_once('.').map(|(_, e)| e).filter(|e| {
                (1..=5).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if extension.is_some() || file.is_empty() {
                return None;
            }
            (file, true)
        }
    };
    if stem.is_empty()
        || crate::content::discover::BUILT_IN_IGNORE
            .iter()
            .any(|p| crate::content::discover::glob_matches(p, stem))
    {
        return None;
    }
    let mut parts: Vec<String> = from
        .parent()
        .map(|p| {
            p.to_string_lossy()
                .replace('\\', "/")
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if decoded.starts_with('/') {
        parts.clear();
    }
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other.to_string()),
        }
    }
    let mut path = parts.join("/");
    if weak {
        path.push_str(".md");
    }
    Some(FileLink {
        id: stem.to_string(),
        path,
        weak,
    })
}

/// `%20` and the like decoded (invalid sequences kept as written, bytes read as UTF-8).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Key/value pairs of a two-column table (header row included unless it looks like
/// labels), or of a one-row table whose header holds the keys.
pub fn key_values(table: &Table) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    if table.header.len() == 2 && table.rows.iter().all(|r| r.cells.len() <= 2) {
        let labels = [
            "", "field", "key", "value", "item", "property", "detail", "details", "name", "fact",
            "info",
        ];
        if !labels.contains(&norm(&table.header[0]).as_str()) {
            out.push((table.header[0].clone(), table.header[1].clone(), table.line));
        }
        for row in &table.rows {
            if let (Some(k), Some(v)) = (cell(row, Some(0)), cell(row, Some(1))) {
                out.push((k.to_string(), v.to_string(), row.line));
            }
        }
    } else if table.rows.len() == 1 {
        let row = &table.rows[0];
        for (i, k) in table.header.iter().enumerate() {
            if let Some(v) = cell(row, Some(i)) {
                out.push((k.clone(), v.to_string(), row.line));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_normalise() {
        use ActionItemStatus::*;
        for (text, want) in [
            ("✅ Done", Done),
            ("⏳ In Progress", InProgress),
            ("📅 Planned", Planned),
            ("Complete", Done),
            ("Ongoing", InProgress),
            ("Delayed", Delayed),
            ("Canceled", NotDoing),
            ("won't do", NotDoing),
            ("Not started", Planned),
            ("✅", Done),
            ("blocked on vendor", Delayed),
            ("", Unknown),
            ("maybe", Unknown),
        ] {
            assert_eq!(status(text), want, "{text}");
        }
    }

    #[test]
    fn written_cells_counts_pipes() {
        assert_eq!(written_cells("| a | b | c |"), 3);
        assert_eq!(written_cells("| a | b |"), 2);
        assert_eq!(written_cells("a | `x|y` | c"), 3);
        assert_eq!(written_cells("| 14:05 |"), 1);
    }

    #[test]
    fn incident_links() {
        assert_eq!(
            incident_link_id("../2025/db-pool.md#timeline").as_deref(),
            Some("db-pool")
        );
        assert_eq!(incident_link_id("https://x/y.md"), None);
        assert_eq!(incident_link_id("notes.txt"), None);
        assert_eq!(
            incident_link_id("PM2019-009%20-%20Network%20address%20starvation.md").as_deref(),
            Some("PM2019-009 - Network address starvation")
        );
        let from = std::path::Path::new("team/PM2021-008 - Ingress.md");
        assert_eq!(
            file_link("../PM2019-009%20-%20Network.md#timeline", from),
            Some(FileLink {
                id: "PM2019-009 - Network".into(),
                path: "PM2019-009 - Network.md".into(),
                weak: false
            })
        );
        assert_eq!(
            file_link("PM2019-009%20-%20Network", from),
            Some(FileLink {
                id: "PM2019-009 - Network".into(),
                path: "team/PM2019-009 - Network.md".into(),
                weak: true
            })
        );
        assert_eq!(file_link("diagram.png", from), None);
        assert_eq!(file_link("README.md", from), None);
        assert_eq!(file_link("mailto:x@y", from), None);
        assert_eq!(percent_decode("a%20b%zz%C3%A9"), "a b%zzé");
    }
}
