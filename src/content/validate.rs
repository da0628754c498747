//! Per-file checks on a parsed post-mortem, and the readers of values that can be wrong
//! (dates, severities, statuses, timestamps) with the diagnostics they produce.
//!
//! Codes are stable and kebab-case; `site.toml [checks]` can re-level them:
//! `missing-title` (when no title can be had) and `missing-date` are errors: the page
//! cannot be made. What leaves a value unknown is a warning and the file is still
//! published: `invalid-date` (when a date is found elsewhere), `invalid-timestamp`,
//! `invalid-value`, `unknown-status`, `unknown-severity`, `timestamps-out-of-order` (the
//! durations resting on them are left unknown); so are `action-item-no-owner`,
//! `action-item-no-due-date` and `front-matter-conflict`. Owner and due-date warnings
//! concern open items only: a done or dropped item needs neither.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::config::Config;
use crate::content::front_matter::Located;
use crate::content::time::{self, DateRead, TimeRead};
use crate::diagnostics::Diagnostic;
use crate::model::{DocStatus, Incident, IncidentKind};
use crate::zone::Zone;

/// Context for one file's diagnostics.
pub(crate) struct Check<'a> {
    pub(crate) path: &'a Path,
    /// The whole file, for columns.
    pub(crate) text: &'a str,
    pub(crate) diags: Vec<Diagnostic>,
}

impl Check<'_> {
    /// 1-based column of `written` on absolute line `line`, 0 when not found.
    pub(crate) fn column(&self, line: usize, written: &str) -> usize {
        let Some(text) = line.checked_sub(1).and_then(|i| self.text.lines().nth(i)) else {
            return 0;
        };
        text.find(written)
            .map_or(0, |at| text[..at].chars().count() + 1)
    }

    pub(crate) fn error(&mut self, code: &'static str, line: usize, col: usize, message: String) {
        self.diags
            .push(Diagnostic::error(code, self.path, line, col, message));
    }

    pub(crate) fn note(&mut self, code: &'static str, line: usize, col: usize, message: String) {
        self.diags
            .push(Diagnostic::note(code, self.path, line, col, message));
    }

    pub(crate) fn warning(&mut self, code: &'static str, line: usize, col: usize, message: String) {
        self.diags
            .push(Diagnostic::warning(code, self.path, line, col, message));
    }

    /// A date, or an `invalid-date` error at its position.
    pub(crate) fn date(&mut self, what: &str, v: &Located<String>) -> Option<Date> {
        match time::read_date(&v.value) {
            DateRead::Date(d) => Some(d),
            DateRead::Invalid(msg) => {
                self.error("invalid-date", v.line, v.col, format!("{what}: {msg}"));
                None
            }
            DateRead::NotADate => {
                self.error(
                    "invalid-date",
                    v.line,
                    v.col,
                    format!("{what} `{}` is not a date; expected YYYY-MM-DD", v.value),
                );
                None
            }
        }
    }

    /// A timestamp: RFC 3339 or `YYYY-MM-DD HH:MM` (in `zone`, the post-mortem's, unless
    /// one is written); a bare time of day needs `date`.
    pub(crate) fn timestamp(
        &mut self,
        what: &str,
        v: &Located<String>,
        date: Option<Date>,
        zone: &Zone,
    ) -> Option<Timestamp> {
        let expected = "expected RFC 3339 like 2025-10-26T14:00:00Z, or `2025-10-26 14:00` (in the post-mortem's time zone)";
        match time::read_time(&v.value, zone) {
            Some(TimeRead::Full(ts, _)) => Some(ts),
            Some(TimeRead::TimeOfDay { seconds, zone }) if date.is_some() => {
                date.and_then(|d| time::at_date(d, seconds, &zone, None))
            }
            Some(TimeRead::TimeOfDay { .. }) => {
                self.warning(
                    "invalid-timestamp",
                    v.line,
                    v.col,
                    format!(
                        "{what} `{}` has no date and the incident date is unknown, so it is left unknown; {expected}",
                        v.value
                    ),
                );
                None
            }
            Some(TimeRead::DateBadTime(_)) => {
                self.warning(
                    "invalid-timestamp",
                    v.line,
                    v.col,
                    format!(
                        "{what} `{}` has a time of day that could not be read, so it is left unknown; {expected}",
                        v.value
                    ),
                );
                None
            }
            Some(TimeRead::DateOnly(_)) => {
                self.warning(
                    "invalid-timestamp",
                    v.line,
                    v.col,
                    format!(
                        "{what} `{}` has no time of day, so it is left unknown; {expected}",
                        v.value
                    ),
                );
                None
            }
            None => {
                let msg = match time::read_date(&v.value) {
                    DateRead::Invalid(m) => format!("{what}: {m}; left unknown"),
                    _ => format!(
                        "{what} `{}` is not a timestamp, left unknown; {expected}",
                        v.value
                    ),
                };
                self.warning("invalid-timestamp", v.line, v.col, msg);
                None
            }
        }
    }

    /// A severity spelled as in `config.severities`; an unknown one is a warning and
    /// the severity stays unknown.
    pub(crate) fn severity(&mut self, v: &Located<String>, config: &Config) -> Option<String> {
        match canonical_severity(&v.value, &config.severities) {
            Ok(s) => Some(s),
            Err(why) => {
                self.warning(
                    "unknown-severity",
                    v.line,
                    v.col,
                    format!(
                        "{why} `{}`, left without a severity; expected one of {} (site.toml `severities`)",
                        v.value,
                        config.severities.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// The document status and, for a lifecycle word or a status not understood, the
    /// incident status as written. Unknown values are warnings; the file is published.
    pub(crate) fn status(&mut self, v: &Located<String>) -> (DocStatus, Option<String>) {
        match read_status(&v.value) {
            StatusRead::Doc(status) => (status, None),
            StatusRead::Lifecycle(status, word) => (status, Some(word)),
            StatusRead::Unknown => {
                self.warning(
                    "unknown-status",
                    v.line,
                    v.col,
                    format!(
                        "unknown status `{}`, published as final and kept as the incident status; expected draft, in-review, final or a lifecycle word such as resolved, closed, mitigated, monitoring, investigating, action-items-open",
                        v.value
                    ),
                );
                (DocStatus::Final, Some(v.value.trim().to_string()))
            }
        }
    }

    pub(crate) fn kind(&mut self, v: &Located<String>) -> Option<IncidentKind> {
        let k = v.value.to_lowercase().replace(['_', ' '], "-");
        match k.as_str() {
            "incident" => Some(IncidentKind::Incident),
            "near-miss" | "nearmiss" => Some(IncidentKind::NearMiss),
            _ => {
                self.warning(
                    "invalid-value",
                    v.line,
                    v.col,
                    format!(
                        "unknown kind `{}`, read as an incident; expected incident or near-miss",
                        v.value
                    ),
                );
                None
            }
        }
    }
}

/// The configured spelling of a severity. `Err` says why not.
pub(crate) fn canonical_severity(raw: &str, allowed: &[String]) -> Result<String, &'static str> {
    let norm = |s: &str| s.to_uppercase().replace([' ', '-', '_'], "");
    let written = norm(raw);
    let tokens: Vec<String> = raw.split(['/', ',', '|']).map(norm).collect();
    let mentioned = allowed
        .iter()
        .filter(|a| tokens.iter().any(|t| t.starts_with(&norm(a))))
        .count();
    if mentioned > 1 && tokens.len() > 1 {
        return Err("more than one severity in");
    }
    if let Some(a) = allowed.iter().find(|a| norm(a) == written) {
        return Ok(a.clone());
    }
    // The level followed by something else: `SEV1 (critical)`, `Sev 1 - Critical`; the
    // level must end at a word boundary of the raw text, so SEV1 never matches SEV10.
    let raw = raw.trim();
    for (i, c) in raw.char_indices().skip(1).take(40) {
        if c.is_alphanumeric() || !raw[..i].ends_with(|p: char| p.is_alphanumeric()) {
            continue;
        }
        if let Some(a) = allowed.iter().find(|a| norm(a) == norm(&raw[..i])) {
            return Ok(a.clone());
        }
    }
    Err("unknown severity")
}

/// What a status value says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatusRead {
    /// One of the document statuses (draft, in-review, final).
    Doc(DocStatus),
    /// A word of the incident's lifecycle or another review word, with the document
    /// status it implies and the word normalised (`action-items-open`).
    Lifecycle(DocStatus, String),
    Unknown,
}

/// Read a status as archives write them: the document statuses, and the words of an
/// incident's lifecycle (`resolved`, `Mitigated, monitoring`, `✅ Closed`). Lifecycle
/// words that mean the write-up is still being written (`wip`, `in progress`) are
/// drafts; those of an incident still open (`investigating`, `monitoring`) are in
/// review; the rest (`resolved`, `closed`, `complete`, `published`) are final.
pub(crate) fn read_status(raw: &str) -> StatusRead {
    let lower = raw.to_lowercase().replace(['_', '-'], " ");
    let first = lower
        .split([',', ';', '(', '/', '|'])
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let doc = match first.as_str() {
        "draft" => Some(DocStatus::Draft),
        "in review" => Some(DocStatus::InReview),
        "final" => Some(DocStatus::Final),
        _ => None,
    };
    if let Some(d) = doc {
        return StatusRead::Doc(d);
    }
    use DocStatus::*;
    let status = match first.as_str() {
        "wip" | "work in progress" | "in progress" | "writing" | "not started" | "todo"
        | "to do" | "pending" | "new" | "started" => Draft,
        "review" | "reviewing" | "under review" | "pending review" | "ready for review"
        | "needs review" | "investigating" | "identified" | "open" | "ongoing" | "active"
        | "monitoring" | "mitigated" | "acknowledged" | "triaged" | "triage" | "stable"
        | "stabilized" | "stabilised" | "contained" => InReview,
        "published"
        | "complete"
        | "completed"
        | "approved"
        | "done"
        | "resolved"
        | "closed"
        | "fixed"
        | "reviewed"
        | "accepted"
        | "finished"
        | "finalized"
        | "finalised"
        | "action items open"
        | "action items pending"
        | "action items in progress"
        | "action items closed"
        | "action items complete"
        | "action items done"
        | "follow up"
        | "followup"
        | "follow ups"
        | "post incident"
        | "postmortem complete"
        | "post mortem complete"
        | "recovered" => Final,
        _ => return StatusRead::Unknown,
    };
    StatusRead::Lifecycle(status, first.replace(' ', "-"))
}

/// Checks on the assembled incident. `lines[i]` is the line that gave milestone `i`.
pub(crate) fn check_incident(
    check: &mut Check,
    incident: &Incident,
    milestone_pos: &[(usize, usize); 5],
) {
    const NAMES: [&str; 5] = [
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
    ];
    let at = [
        incident.started_at,
        incident.detected_at,
        incident.acknowledged_at,
        incident.mitigated_at,
        incident.resolved_at,
    ];
    // (earlier, later): start before everything, detection before acknowledgement,
    // mitigation before resolution.
    for (a, b) in ORDERED_PAIRS {
        if let (Some(x), Some(y)) = (at[a], at[b])
            && y < x
        {
            let (line, col) = milestone_pos[b];
            let unknown = affected_durations(a, b).join(" and ");
            check.warning(
                "timestamps-out-of-order",
                line,
                col,
                format!(
                    "{} {} is before {} {}, so {unknown} {} unknown; expected {} not to come before {}",
                    NAMES[b], y, NAMES[a], x,
                    if unknown.contains(" and ") { "are" } else { "is" },
                    NAMES[b], NAMES[a]
                ),
            );
        }
    }
    for item in &incident.action_items {
        // Items without a status are not known to be finished, so they are checked too.
        if !item.status.is_open() && item.status.is_known() {
            continue;
        }
        if item.owner.is_none() {
            check.warning(
                "action-item-no-owner",
                item.line,
                0,
                format!(
                    "action item `{}` has no owner; expected someone responsible for it",
                    short(&item.action)
                ),
            );
        }
        if item.due.is_none() && !item.due_unreadable {
            check.warning(
                "action-item-no-due-date",
                item.line,
                0,
                format!(
                    "action item `{}` has no due date; expected a date like 2025-11-30",
                    short(&item.action)
                ),
            );
        }
    }
}

/// The milestone pairs (earlier, later) that must be in order.
pub(crate) const ORDERED_PAIRS: [(usize, usize); 6] =
    [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (3, 4)];

/// The durations that rest on milestones `a` and `b` when they are out of order:
/// 0 time to detect, 1 to acknowledge, 2 to mitigate, 3 to resolve.
pub(crate) fn affected(a: usize, b: usize) -> &'static [usize] {
    match (a, b) {
        (0, 1) => &[0],
        (0, 2) | (1, 2) => &[1],
        (0, 3) => &[2],
        (0, 4) => &[3],
        _ => &[2, 3],
    }
}

fn affected_durations(a: usize, b: usize) -> Vec<&'static str> {
    const DURATIONS: [&str; 4] = [
        "the time to detect",
        "the time to acknowledge",
        "the time to mitigate",
        "the time to resolve",
    ];
    affected(a, b).iter().map(|&d| DURATIONS[d]).collect()
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_accept_variants() {
        let allowed: Vec<String> = ["SEV1", "SEV2", "SEV10"].map(String::from).to_vec();
        assert_eq!(canonical_severity("sev 1", &allowed), Ok("SEV1".into()));
        assert_eq!(canonical_severity("Sev-2", &allowed), Ok("SEV2".into()));
        assert_eq!(
            canonical_severity("SEV2 (major)", &allowed),
            Ok("SEV2".into())
        );
        assert_eq!(canonical_severity("SEV10", &allowed), Ok("SEV10".into()));
        assert_eq!(
            canonical_severity("SEV1 / SEV2", &allowed),
            Err("more than one severity in")
        );
        assert_eq!(
            canonical_severity("SEV5", &allowed),
            Err("unknown severity")
        );
        assert_eq!(
            canonical_severity("critical", &allowed),
            Err("unknown severity")
        );
    }
}
