//! Per-file checks on a parsed post-mortem, and the readers of values that can be wrong
//! (dates, severities, statuses, timestamps) with the diagnostics they produce.
//!
//! Codes are stable and kebab-case; `site.toml [checks]` can re-level them:
//! `missing-title`, `missing-date`, `invalid-date`, `invalid-timestamp`, `invalid-value`,
//! `unknown-severity`, `timestamps-out-of-order` (errors); `action-item-no-owner`,
//! `action-item-no-due-date`, `front-matter-conflict` (warnings). Owner and due-date
//! warnings concern open items only: a done or dropped item needs neither.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::config::Config;
use crate::content::front_matter::Located;
use crate::content::time::{self, DateRead, TimeRead};
use crate::diagnostics::Diagnostic;
use crate::model::{DocStatus, Incident, IncidentKind};

/// Context for one file's diagnostics.
pub struct Check<'a> {
    pub path: &'a Path,
    pub diags: Vec<Diagnostic>,
}

impl Check<'_> {
    pub fn error(&mut self, code: &'static str, line: usize, col: usize, message: String) {
        self.diags
            .push(Diagnostic::error(code, self.path, line, col, message));
    }

    pub fn warning(&mut self, code: &'static str, line: usize, col: usize, message: String) {
        self.diags
            .push(Diagnostic::warning(code, self.path, line, col, message));
    }

    /// A date, or an `invalid-date` error at its position.
    pub fn date(&mut self, what: &str, v: &Located<String>) -> Option<Date> {
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

    /// A timestamp: RFC 3339 or `YYYY-MM-DD HH:MM` (UTC); a bare time of day needs `date`.
    pub fn timestamp(
        &mut self,
        what: &str,
        v: &Located<String>,
        date: Option<Date>,
    ) -> Option<Timestamp> {
        let expected = "expected RFC 3339 like 2025-10-26T14:00:00Z, or `2025-10-26 14:00` (UTC)";
        match time::read_time(&v.value, 0) {
            Some(TimeRead::Full(ts, _)) => Some(ts),
            Some(TimeRead::TimeOfDay { seconds, offset }) if date.is_some() => {
                date.and_then(|d| time::at_date(d, seconds, offset))
            }
            Some(TimeRead::TimeOfDay { .. }) => {
                self.error(
                    "invalid-timestamp",
                    v.line,
                    v.col,
                    format!(
                        "{what} `{}` has no date and the incident date is unknown; {expected}",
                        v.value
                    ),
                );
                None
            }
            Some(TimeRead::DateOnly(_)) => {
                self.error(
                    "invalid-timestamp",
                    v.line,
                    v.col,
                    format!("{what} `{}` has no time of day; {expected}", v.value),
                );
                None
            }
            None => {
                let msg = match time::read_date(&v.value) {
                    DateRead::Invalid(m) => format!("{what}: {m}"),
                    _ => format!("{what} `{}` is not a timestamp; {expected}", v.value),
                };
                self.error("invalid-timestamp", v.line, v.col, msg);
                None
            }
        }
    }

    /// A severity spelled as in `config.severities` (case, spaces and dashes ignored).
    pub fn severity(&mut self, v: &Located<String>, config: &Config) -> Option<String> {
        match canonical_severity(&v.value, &config.severities) {
            Ok(s) => Some(s),
            Err(why) => {
                self.error(
                    "unknown-severity",
                    v.line,
                    v.col,
                    format!(
                        "{why} `{}`; expected one of {} (site.toml `severities`)",
                        v.value,
                        config.severities.join(", ")
                    ),
                );
                None
            }
        }
    }

    pub fn status(&mut self, v: &Located<String>, strict: bool) -> Option<DocStatus> {
        let status = doc_status(&v.value);
        if status.is_none() && strict {
            self.error(
                "invalid-value",
                v.line,
                v.col,
                format!(
                    "unknown status `{}`; expected one of draft, in-review, final",
                    v.value
                ),
            );
        }
        status
    }

    pub fn kind(&mut self, v: &Located<String>) -> Option<IncidentKind> {
        let k = v.value.to_lowercase().replace(['_', ' '], "-");
        match k.as_str() {
            "incident" => Some(IncidentKind::Incident),
            "near-miss" | "nearmiss" => Some(IncidentKind::NearMiss),
            _ => {
                self.error(
                    "invalid-value",
                    v.line,
                    v.col,
                    format!("unknown kind `{}`; expected incident or near-miss", v.value),
                );
                None
            }
        }
    }
}

/// The configured spelling of a severity. `Err` says why not.
pub fn canonical_severity(raw: &str, allowed: &[String]) -> Result<String, &'static str> {
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

pub fn doc_status(raw: &str) -> Option<DocStatus> {
    let first = raw.to_lowercase().replace(['_', '-'], " ");
    let first = first
        .split([',', ';', '('])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    match first.as_str() {
        "draft" | "wip" => Some(DocStatus::Draft),
        "in review" | "review" | "reviewing" | "under review" => Some(DocStatus::InReview),
        "final" | "published" | "complete" | "completed" | "approved" | "done" => {
            Some(DocStatus::Final)
        }
        _ => None,
    }
}

/// Checks on the assembled incident. `lines[i]` is the line that gave milestone `i`.
pub fn check_incident(check: &mut Check, incident: &Incident, milestone_pos: &[(usize, usize); 5]) {
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
    let pairs = [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (3, 4)];
    for (a, b) in pairs {
        if let (Some(x), Some(y)) = (at[a], at[b])
            && y < x
        {
            let (line, col) = milestone_pos[b];
            check.error(
                "timestamps-out-of-order",
                line,
                col,
                format!(
                    "{} {} is before {} {}; expected {} not to come before {}",
                    NAMES[b], y, NAMES[a], x, NAMES[b], NAMES[a]
                ),
            );
        }
    }
    for item in &incident.action_items {
        if !item.status.is_open() {
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
        if item.due.is_none() {
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
