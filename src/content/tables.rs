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
pub(crate) enum Role {
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
pub(crate) fn role(table: &Table, sections: &Sections) -> Role {
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
pub(crate) fn written_cells(line: &str) -> usize {
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
pub(crate) fn check_cells(
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
pub(crate) struct RawEvent {
    pub(crate) event: TimelineEvent,
    /// Zone named in the header, e.g. `Time (PDT)`; the post-mortem's zone otherwise.
    pub(crate) zone: Option<Zone>,
}

pub(crate) fn timeline_rows(table: &Table) -> Vec<RawEvent> {
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
pub(crate) fn resolve_timeline(
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
            // `05-04 00:09`: a month and day without a year, on the date reached so far.
            let read = time::read_time(&event.time_text, default).or_else(|| {
                let dated = time::month_day_on(&event.time_text, current?)?;
                time::read_time(&dated, default)
            });
            match read {
                Some(TimeRead::Full(ts, date)) => {
                    event.at = Some(ts);
                    current = Some(date);
                    last = Some(ts);
                }
                // A garbled time after a date loses the time, not the date (`check`
                // warns about the time).
                Some(TimeRead::DateOnly(date) | TimeRead::DateBadTime(date)) => {
                    current = Some(date)
                }
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

/// Whether the structured view of `role` holds every cell of `table`: each non-empty
/// cell is in a column the role reads, every row is read, and no cell links anywhere
/// (the structured view shows text only). Only then may the page leave the table out.
pub(crate) fn fully_read(table: &Table, role: Role) -> bool {
    let h = &table.header;
    let read: Option<Vec<usize>> = match role {
        Role::Timeline => find(h, TIME_WORDS, &[]).map(|t| {
            let actor = find(h, ACTOR_WORDS, &[t]);
            match find(h, EVENT_WORDS, &[t, actor.unwrap_or(usize::MAX)]) {
                // Without an event column every other cell is joined into the event.
                None => (0..h.len()).collect(),
                Some(e) => [Some(t), actor, Some(e)].into_iter().flatten().collect(),
            }
        }),
        // Columns without a role of their own are the items' `details`: every cell is
        // read, as long as every row has an action (a row without one is skipped).
        Role::ActionItems => {
            let number = h.iter().position(|c| {
                matches!(
                    norm(c).as_str(),
                    "#" | "no" | "no." | "id" | "number" | "nr"
                )
            });
            let taken = [number.unwrap_or(usize::MAX)];
            let used: Vec<usize> = [
                number,
                find(h, OWNER_WORDS, &taken),
                find(h, DUE_WORDS, &taken),
                find(h, STATUS_WORDS, &taken),
                find(h, KIND_WORDS, &taken),
                find(h, PRIORITY_WORDS, &taken),
            ]
            .into_iter()
            .flatten()
            .collect();
            let action =
                find(h, ACTION_WORDS, &used).or_else(|| (0..h.len()).find(|i| !used.contains(i)));
            if table.rows.iter().any(|r| cell(r, action).is_none()) {
                return false;
            }
            Some((0..h.len()).collect())
        }
        _ => None,
    };
    let Some(read) = read else { return false };
    table.rows.iter().all(|row| {
        row.links.iter().all(Option::is_none)
            && row
                .cells
                .iter()
                .enumerate()
                .all(|(i, c)| c.trim().is_empty() || read.contains(&i))
    })
}

/// Status words, by the status they mean. Checked in this order, so "not done" is
/// planned before "done" is done.
const STATUS_PHRASES: [(ActionItemStatus, &[&str]); 5] = [
    (
        ActionItemStatus::NotDoing,
        &[
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
        ],
    ),
    (
        ActionItemStatus::Planned,
        &[
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
        ],
    ),
    (
        ActionItemStatus::InProgress,
        &[
            "in progress",
            "ongoing",
            "started",
            "wip",
            "in review",
            "doing",
            "underway",
        ],
    ),
    (
        ActionItemStatus::Delayed,
        &["delayed", "blocked", "overdue", "stalled", "on hold"],
    ),
    (
        ActionItemStatus::Done,
        &[
            "done",
            "complete",
            "completed",
            "fixed",
            "closed",
            "resolved",
            "shipped",
            "deployed",
            "finished",
        ],
    ),
];

/// Status emoji, by the status they mean.
const STATUS_EMOJI: [(&[&str], ActionItemStatus); 5] = [
    (&["✅", "✔", "☑"], ActionItemStatus::Done),
    (&["⏳", "🔄", "🚧"], ActionItemStatus::InProgress),
    (&["📅", "🗓", "🆕"], ActionItemStatus::Planned),
    (&["⚠", "🛑"], ActionItemStatus::Delayed),
    (&["❌", "🚫", "⛔"], ActionItemStatus::NotDoing),
];

/// Lower-case words of `text`, single-spaced, with a space at each end.
fn spaced_words(text: &str) -> String {
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
    format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Normalise the text of a status column (a status position as a whole): words first,
/// then emoji.
pub(crate) fn status(text: &str) -> ActionItemStatus {
    let words = spaced_words(text);
    for (status, phrases) in STATUS_PHRASES {
        if phrases.iter().any(|p| words.contains(&format!(" {p} "))) {
            return status;
        }
    }
    emoji_status(text).unwrap_or(ActionItemStatus::Unknown)
}

fn emoji_status(text: &str) -> Option<ActionItemStatus> {
    STATUS_EMOJI
        .iter()
        .find(|(marks, _)| marks.iter().any(|m| text.contains(m)))
        .map(|(_, s)| *s)
}

/// The status when `text` is a status phrase and nothing else, or one followed by a
/// detail that cannot change its meaning: a date, or a separator and anything (`done,
/// see #12`, `blocked on vendor`, `fixed in v2`). `new dashboard` is not a status.
fn phrase_status(text: &str) -> Option<ActionItemStatus> {
    let words = spaced_words(text);
    let words = words.trim();
    let trimmed = text.trim().trim_end_matches(['.', '!']).trim();
    for (status, phrases) in STATUS_PHRASES {
        for p in phrases {
            if words == *p {
                return Some(status);
            }
            // The phrase opens the text and a detail follows it.
            let lower = trimmed.to_lowercase();
            let Some(rest) = lower.strip_prefix(p) else {
                continue;
            };
            let detail = [
                " since ", " on ", " by ", " in ", " as of ", " until ", " at ", " per ",
            ];
            if rest.starts_with([',', ':', ';', '-', '–', '—', '('])
                || rest.starts_with(" -")
                || rest.starts_with(" –")
                || rest.starts_with(" —")
                || rest.starts_with(" (")
                || detail.iter().any(|d| rest.starts_with(d))
                || rest.trim_start().starts_with(|c: char| c.is_ascii_digit())
            {
                return Some(status);
            }
        }
    }
    None
}

/// A status written in a status position of free text (a list item, an action cell
/// with no status column): `Status: Done`, `(done)`, `[DONE]`, `— DONE` or `- done` at
/// the end, `DONE:` at the start, or a status emoji at the start or the end. Words
/// elsewhere are not a status: "Disable pipeline until issue fixed" has none. Returns
/// the status and the marker as written.
pub(crate) fn written_status(text: &str) -> Option<(ActionItemStatus, String)> {
    let t = text.trim();
    // A status emoji opening or closing the text.
    let first: String = t.chars().take(2).collect();
    let last: String = {
        let mut v: Vec<char> = t.chars().rev().take(2).collect();
        v.reverse();
        v.into_iter().collect()
    };
    for (marks, status) in STATUS_EMOJI {
        // ⚠ opening a line warns of something; it is no status there.
        for m in marks.iter().filter(|m| **m != "⚠") {
            if first.starts_with(m) || last.ends_with(m) || last.starts_with(m) {
                return Some((status, m.to_string()));
            }
        }
    }
    // `Status: done` anywhere, up to the end of its clause.
    let lower = t.to_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("status") {
        let at = from + i + "status".len();
        from = at;
        let before_ok = lower[..at - "status".len()]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let rest = t[at..].trim_start();
        let Some(value) = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('='))
            .or_else(|| rest.strip_prefix("- "))
            .or_else(|| rest.strip_prefix("is "))
        else {
            continue;
        };
        let value = value
            .trim_start_matches(['*', '_', ' '])
            .split([')', ']', ';', '|', ','])
            .next()
            .unwrap_or("")
            .trim_end_matches(['*', '_', ' ', '.']);
        if before_ok && let Some(s) = phrase_status(value).or_else(|| emoji_status(value)) {
            return Some((s, t[at - "status".len()..].trim().to_string()));
        }
    }
    // `(done)`, `[DONE]` anywhere.
    for (open, close) in [('(', ')'), ('[', ']')] {
        let mut rest = t;
        while let Some(o) = rest.find(open) {
            let after = &rest[o + open.len_utf8()..];
            let Some(c) = after.find(close) else { break };
            let inner = &after[..c];
            if let Some(s) = phrase_status(inner) {
                return Some((s, format!("{open}{inner}{close}")));
            }
            rest = &after[c + close.len_utf8()..];
        }
    }
    // `DONE: Fix it` or `Done - fix it` at the start.
    for sep in [":", " - ", " – ", " — "] {
        if let Some((head, _)) = t.split_once(sep)
            && let Some(s) = phrase_exact(head)
        {
            return Some((s, head.trim().to_string()));
        }
    }
    // `Fix it — DONE`, `Fix it - done 2024-03-01`, `Fix it: done` at the end.
    for sep in [" — ", " – ", " - ", ": ", " -- "] {
        if let Some((_, tail)) = t.rsplit_once(sep)
            && let Some(s) = phrase_status(tail)
            && tail.split_whitespace().count() <= 6
        {
            return Some((s, tail.trim().to_string()));
        }
    }
    None
}

/// The status when `text` is exactly a status phrase (markup and case aside).
fn phrase_exact(text: &str) -> Option<ActionItemStatus> {
    let words = spaced_words(text);
    let words = words.trim();
    STATUS_PHRASES
        .iter()
        .find(|(_, phrases)| phrases.contains(&words))
        .map(|(s, _)| *s)
}

/// An owner written inline: the first `@handle`, else the name after `owner:`,
/// `owners:`, `assignee:`, `assigned to` or `owned by` (up to four words, ending at
/// punctuation or at `by`/`due`).
pub(crate) fn inline_owner(text: &str) -> Option<String> {
    for word in text.split_whitespace() {
        if let Some(name) = word
            .trim_start_matches(['(', '[', '*', '_'])
            .strip_prefix('@')
        {
            let name = name.trim_end_matches(|c: char| !c.is_alphanumeric());
            // `user@example.com` is no handle; `@alice` is.
            if !name.is_empty() && !name.contains('@') {
                return Some(name.to_string());
            }
        }
    }
    let lower = text.to_lowercase();
    for key in [
        "owner:",
        "owners:",
        "owner -",
        "owner =",
        "assignee:",
        "assigned to",
        "owned by",
    ] {
        let Some(i) = find_word(&lower, key) else {
            continue;
        };
        let rest = text[i + key.len()..].trim_start_matches([' ', '*', '_']);
        let mut words = Vec::new();
        for word in rest.split_whitespace() {
            let lw = word.to_lowercase();
            if matches!(
                lw.as_str(),
                "by" | "due" | "before" | "status" | "-" | "–" | "—"
            ) {
                break;
            }
            let clean = word.trim_end_matches([',', ';', ')', ']', '.', '*', '_', '|', ':']);
            if !clean.is_empty() {
                words.push(clean);
            }
            if clean.len() != word.len() || words.len() == 4 {
                break;
            }
        }
        let name = words.join(" ");
        if let Some(owner) = owner_of(Some(&name)) {
            return Some(owner);
        }
    }
    None
}

/// A due date written inline: a date after `by`, `due`, `due by`, `due:`, `before` or
/// `deadline:`.
pub(crate) fn inline_due(text: &str) -> Option<Date> {
    let lower = text.to_lowercase();
    for key in ["due by", "due:", "due", "deadline:", "by", "before"] {
        let mut from = 0;
        while let Some(i) = find_word(&lower[from..], key) {
            let at = from + i + key.len();
            if let DateRead::Date(d) = time::read_date(text[at..].trim_start_matches([':', ' '])) {
                return Some(d);
            }
            from = at;
        }
    }
    None
}

/// Byte offset of `key` in `lower` where it starts a word.
fn find_word(lower: &str, key: &str) -> Option<usize> {
    lower.match_indices(key).map(|(i, _)| i).find(|&i| {
        lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
            && lower[i + key.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() || key.ends_with(':'))
    })
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
pub(crate) fn action_rows(
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
        let mut due_unreadable = false;
        let due_date = due_text.and_then(|d| match time::read_date(d) {
            DateRead::Date(date) => Some(date),
            DateRead::Invalid(msg) => {
                due_unreadable = true;
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
        // Without a status column the action cell may still carry a status in a status
        // position (`Fix it (done)`); an owner or due date written inline counts when the
        // table has no column for it.
        let (status, status_text) = match status_col {
            Some(_) => {
                let text = cell(row, status_col).unwrap_or_default().to_string();
                (status(&text), text)
            }
            None => {
                written_status(action_text).unwrap_or((ActionItemStatus::Unknown, String::new()))
            }
        };
        let owner = match owner {
            Some(_) => owner_of(cell(row, owner)),
            None => inline_owner(action_text),
        };
        let due_date = match due {
            Some(_) => due_date,
            None => inline_due(action_text),
        };
        let details = (0..h.len())
            .filter(|i| !used.contains(i) && Some(*i) != action)
            .filter_map(|i| Some((h[i].trim().to_string(), cell(row, Some(i))?.to_string())))
            .collect();
        items.push(ActionItem {
            number: cell(row, number).map(str::to_string),
            action: action_text.to_string(),
            kind: cell(row, kind).map(str::to_string),
            priority: cell(row, priority).map(str::to_string),
            owner,
            due: due_date,
            due_unreadable,
            status,
            status_text,
            details,
            line: row.line,
        });
    }
    items
}

/// Related-incident table rows (CCADB: `Bug | Date | How related`).
pub(crate) fn related_rows(table: &Table, from: &std::path::Path) -> Vec<RelatedRef> {
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
pub(crate) fn incident_link_id(dest: &str) -> Option<String> {
    file_link(dest, std::path::Path::new(""))
        .filter(|l| !l.weak)
        .map(|l| l.id)
}

/// A relative link to another file that may be a post-mortem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileLink {
    /// The file name without `.md`, URL decoded: an id or old id to look for.
    pub(crate) id: String,
    /// The file it names, relative to the site root, URL decoded, `/` separators.
    pub(crate) path: String,
    /// Written without `.md`: a post-mortem only if one has that name.
    pub(crate) weak: bool,
}

/// The file a relative link names, seen from the file `from` (relative to the site
/// root): URL decoded, with or without `.md`. Links with a scheme, to anchors, to other
/// kinds of files (`.png`, `.html`) and to the archive's README-like files are none.
pub(crate) fn file_link(dest: &str, from: &std::path::Path) -> Option<FileLink> {
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
pub(crate) fn percent_decode(s: &str) -> String {
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
pub(crate) fn key_values(table: &Table) -> Vec<(String, String, usize)> {
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
    fn only_status_positions_give_free_text_a_status() {
        use ActionItemStatus::*;
        for (text, want) in [
            ("Disable pipeline until issue fixed", None),
            ("Document what can be done when the queue backs up", None),
            ("Change scheduled deployment pipeline timeslot", None),
            ("Open a ticket with the vendor", None),
            ("Add a new dashboard for lag", None),
            ("Add alerting (new dashboard)", None),
            ("Add lag alert (done)", Some((Done, "(done)"))),
            ("Add lag alert [DONE]", Some((Done, "[DONE]"))),
            ("Add lag alert — DONE", Some((Done, "DONE"))),
            (
                "Add lag alert - in progress",
                Some((InProgress, "in progress")),
            ),
            (
                "Rotate keys. Status: Blocked on vendor",
                Some((Delayed, "Status: Blocked on vendor")),
            ),
            ("Rotate keys, status: done", Some((Done, "status: done"))),
            ("DONE: rotate keys", Some((Done, "DONE"))),
            ("✅ Rotate keys", Some((Done, "✅"))),
            ("Rotate keys ⏳", Some((InProgress, "⏳"))),
            ("⚠️ Rotate keys before Friday", None),
            (
                "Upgrade the driver (fixed in v2.3)",
                Some((Done, "(fixed in v2.3)")),
            ),
            (
                "Upgrade the driver (won't do)",
                Some((NotDoing, "(won't do)")),
            ),
        ] {
            let got = written_status(text);
            assert_eq!(got.as_ref().map(|(s, t)| (*s, t.as_str())), want, "{text}");
        }
    }

    #[test]
    fn other_columns_are_details_and_a_table_is_read_whole_only_without_links() {
        let table = |md: &str| crate::content::markdown::analyse(md, 1, true).tables[0].clone();
        let path = std::path::Path::new("a.md");
        let actions = table(
            "| Action Item | Who | Bug # | Due Date |\n|---|---|---|---|\n| Add a queue | Ana | SRCH-77 | 2025-05-30 |\n| Validate feed | | | |\n",
        );
        let items = action_rows(&actions, path, &mut Vec::new());
        assert_eq!(
            items[0].details,
            [("Bug #".to_string(), "SRCH-77".to_string())]
        );
        assert!(items[1].details.is_empty());
        assert!(fully_read(&actions, Role::ActionItems));
        let linked = table(
            "| Action | Owner |\n|---|---|\n| Add a queue ([SRCH-77](https://x.example/77)) | Ana |\n",
        );
        assert!(
            !fully_read(&linked, Role::ActionItems),
            "the link would be lost"
        );
        let headless = table("| Action | Owner |\n|---|---|\n| | Ana |\n");
        assert!(
            !fully_read(&headless, Role::ActionItems),
            "a row without an action"
        );
        let timeline =
            table("| Time | Event | Ticket |\n|---|---|---|\n| 14:00 | Alert | INC-4 |\n");
        assert!(
            !fully_read(&timeline, Role::Timeline),
            "the link column is not shown"
        );
        let timeline =
            table("| Time | Event | Actor |\n|---|---|---|\n| 14:00 | Alert | pager |\n");
        assert!(fully_read(&timeline, Role::Timeline));
    }

    #[test]
    fn inline_owners_and_due_dates() {
        let d = |s: &str| Some(s.parse::<Date>().unwrap());
        for (text, owner, due) in [
            (
                "Add lag alert @alice by 2024-03-01",
                Some("alice"),
                d("2024-03-01"),
            ),
            (
                "Add lag alert (owner: Bob Smith, due 2024-03-02)",
                Some("Bob Smith"),
                d("2024-03-02"),
            ),
            (
                "Rotate keys - assigned to carol - due: March 3, 2024",
                Some("carol"),
                d("2024-03-03"),
            ),
            (
                "Mail ops@example.com before 2024-03-04",
                None,
                d("2024-03-04"),
            ),
            ("Fix it by hand", None, None),
            ("Owner: TBD", None, None),
            ("Disable pipeline until issue fixed", None, None),
        ] {
            assert_eq!(inline_owner(text).as_deref(), owner, "{text}");
            assert_eq!(inline_due(text), due, "{text}");
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
