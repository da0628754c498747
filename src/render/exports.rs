//! The exports beside `api/incidents.json`, for trackers, spreadsheets, calendars and
//! service catalogues, and the schemas of the two main exports:
//!
//! - `api/action-items.json` and `api/action-items.csv` (RFC 4180): every action item
//!   with its incident, owner, teams, priority, due date, status and whether it is
//!   overdue as of the build;
//! - `api/action-items.ics`: the due dates of the open action items (a status other than
//!   done, not-doing or unknown was written), as all-day events;
//! - `api/services/<slug>.json`: one service's incidents and figures;
//! - `api/incidents.schema.json`, `api/trends.schema.json`.
//!
//! Every file is a function of the archive and the as-of date only, so builds stay
//! byte-identical.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::urls;
use crate::model::{ActionItem, Archive, Durations, Incident};
use crate::site::{OutputFile, Site};

pub(crate) const ACTION_ITEMS_JSON: &str = "api/action-items.json";
pub(crate) const ACTION_ITEMS_CSV: &str = "api/action-items.csv";
pub(crate) const ACTION_ITEMS_ICS: &str = "api/action-items.ics";
/// Folder of the per-service exports.
pub(crate) const SERVICES_DIR: &str = "api/services/";
pub(crate) const INCIDENTS_SCHEMA: &str = "api/incidents.schema.json";
pub(crate) const TRENDS_SCHEMA: &str = "api/trends.schema.json";

/// Whether `path` is one of the files of this module.
pub(crate) fn owns(path: &str) -> bool {
    matches!(
        path,
        ACTION_ITEMS_JSON | ACTION_ITEMS_CSV | ACTION_ITEMS_ICS | INCIDENTS_SCHEMA | TRENDS_SCHEMA
    ) || path
        .strip_prefix(SERVICES_DIR)
        .and_then(|f| f.strip_suffix(".json"))
        .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'))
}

/// Every file of this module.
pub(crate) fn render(site: &Site, archive: &Archive) -> Result<Vec<OutputFile>> {
    let mut files = vec![
        schema_file(INCIDENTS_SCHEMA, "incidents"),
        schema_file(TRENDS_SCHEMA, "trends"),
    ];
    let rows = action_rows(site, archive);
    files.push(json_file(
        ACTION_ITEMS_JSON,
        &ActionItemsExport {
            as_of: site.as_of.to_string(),
            action_items: &rows,
        },
    )?);
    files.push(OutputFile::new(ACTION_ITEMS_CSV, action_items_csv(&rows)?));
    files.push(OutputFile::new(
        ACTION_ITEMS_ICS,
        action_items_ics(site, &rows),
    ));
    files.extend(services(site, archive)?);
    Ok(files)
}

fn schema_file(path: &str, name: &str) -> OutputFile {
    OutputFile::new(path, crate::schema::get(name).expect("a bundled schema"))
}

fn json_file(path: impl Into<String>, value: &impl Serialize) -> Result<OutputFile> {
    let mut bytes = serde_json::to_vec(value)?;
    bytes.push(b'\n');
    Ok(OutputFile::new(path, bytes))
}

#[derive(Serialize)]
struct ActionItemsExport<'a> {
    as_of: String,
    action_items: &'a [ActionRow<'a>],
}

/// One action item with its incident: a row of the JSON and CSV exports.
#[derive(Serialize)]
struct ActionRow<'a> {
    /// Position of the item in its incident (from 0), for calendar UIDs.
    #[serde(skip)]
    item: usize,
    /// A status that needs work was written (`ActionItemStatus::is_open`).
    #[serde(skip)]
    open: bool,
    incident: &'a str,
    incident_title: &'a str,
    incident_url: String,
    incident_date: Option<String>,
    number: Option<&'a str>,
    action: &'a str,
    kind: Option<&'a str>,
    owner: Option<&'a str>,
    teams: &'a [String],
    priority: Option<&'a str>,
    due: Option<String>,
    status: &'static str,
    status_text: &'a str,
    overdue: bool,
    /// Days past the due date as of the build, for overdue items; else null.
    days_overdue: Option<i64>,
}

fn overdue_days(site: &Site, a: &ActionItem) -> Option<i64> {
    let due = a.due.filter(|d| a.status.is_open() && *d < site.as_of)?;
    Some(i64::from((site.as_of - due).get_days()))
}

/// Every action item, incidents in archive order (newest first), items as written.
fn action_rows<'a>(site: &Site, archive: &'a Archive) -> Vec<ActionRow<'a>> {
    archive
        .incidents
        .iter()
        .flat_map(|i| i.action_items.iter().enumerate().map(move |a| (i, a)))
        .map(|(i, (item, a))| {
            let days_overdue = overdue_days(site, a);
            ActionRow {
                item,
                open: a.status.is_open(),
                incident: &i.id,
                incident_title: &i.title,
                incident_url: urls::href(&urls::incident(&i.id)),
                incident_date: i.date.map(|d| d.to_string()),
                number: a.number.as_deref(),
                action: &a.action,
                kind: a.kind.as_deref(),
                owner: a.owner.as_deref(),
                teams: &i.teams,
                priority: a.priority.as_deref(),
                due: a.due.map(|d| d.to_string()),
                status: a.status.as_str(),
                status_text: &a.status_text,
                overdue: days_overdue.is_some(),
                days_overdue,
            }
        })
        .collect()
}

/// The CSV columns, in order; `teams` are joined with `; `.
pub(crate) const CSV_HEADER: [&str; 15] = [
    "incident",
    "incident_title",
    "incident_url",
    "incident_date",
    "number",
    "action",
    "kind",
    "owner",
    "teams",
    "priority",
    "due",
    "status",
    "status_text",
    "overdue",
    "days_overdue",
];

/// RFC 4180: CRLF line ends, a header row, fields quoted when they hold a comma, a quote
/// or a line break, quotes doubled.
fn action_items_csv(rows: &[ActionRow]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for r in rows {
        let opt = |v: Option<&str>| v.unwrap_or("").to_string();
        w.write_record([
            r.incident.to_string(),
            r.incident_title.to_string(),
            r.incident_url.clone(),
            r.incident_date.clone().unwrap_or_default(),
            opt(r.number),
            r.action.to_string(),
            opt(r.kind),
            opt(r.owner),
            r.teams.join("; "),
            opt(r.priority),
            r.due.clone().unwrap_or_default(),
            r.status.to_string(),
            r.status_text.to_string(),
            r.overdue.to_string(),
            r.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// An iCalendar text value: backslash, `;`, `,` and line breaks escaped (RFC 5545 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// A content line folded at 75 octets (RFC 5545 3.1), CRLF-terminated.
fn ics_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// All-day events on the due dates of the open action items. DTSTAMP is the as-of date,
/// so the file depends on nothing but the archive and that date.
fn action_items_ics(site: &Site, rows: &[ActionRow]) -> String {
    let mut out = String::new();
    let compact = |d: &str| d.replace('-', "");
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//hindsight//action items//EN",
        "CALSCALE:GREGORIAN",
    ] {
        ics_line(&mut out, line);
    }
    let stamp = format!("{}T000000Z", compact(&site.as_of.to_string()));
    for r in rows {
        let Some(due) = &r.due else { continue };
        // Only items known to be open: done, not-doing and items without a status
        // have no deadline to keep.
        if !r.open {
            continue;
        }
        let Ok(date) = due.parse::<jiff::civil::Date>() else {
            continue;
        };
        let next = date.tomorrow().unwrap_or(date);
        let uid = format!("{}-{}@hindsight", r.incident, r.item);
        ics_line(&mut out, "BEGIN:VEVENT");
        ics_line(&mut out, &format!("UID:{uid}"));
        ics_line(&mut out, &format!("DTSTAMP:{stamp}"));
        ics_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", compact(due)));
        ics_line(
            &mut out,
            &format!("DTEND;VALUE=DATE:{}", compact(&next.to_string())),
        );
        ics_line(
            &mut out,
            &format!("SUMMARY:{}", ics_text(&format!("Due: {}", r.action))),
        );
        let mut description = format!("{} ({})", r.incident_title, r.incident);
        for (label, value) in [("Owner", r.owner), ("Priority", r.priority)] {
            if let Some(v) = value {
                description.push_str(&format!("\n{label}: {v}"));
            }
        }
        description.push_str(&format!("\nStatus: {}", r.status_text));
        ics_line(&mut out, &format!("DESCRIPTION:{}", ics_text(&description)));
        if r.overdue {
            ics_line(&mut out, "CATEGORIES:overdue");
        }
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    out
}

#[derive(Serialize)]
struct ServiceExport<'a> {
    as_of: String,
    service: &'a str,
    slug: String,
    /// The service's dashboard, relative to the site root.
    dashboard_url: String,
    counts: ServiceCounts,
    /// Median minutes over the service's incidents (near misses left out), with n.
    durations: BTreeMap<&'static str, Median>,
    incidents: Vec<ServiceIncident<'a>>,
}

#[derive(Serialize, Default)]
struct ServiceCounts {
    post_mortems: usize,
    incidents: usize,
    near_misses: usize,
    /// Incidents and near misses by severity (`unknown` when none is given).
    by_severity: BTreeMap<String, usize>,
    /// Incidents naming each cause.
    by_cause: BTreeMap<String, usize>,
    action_items: ActionCounts,
}

#[derive(Serialize, Default, Clone, Copy)]
struct ActionCounts {
    total: usize,
    done: usize,
    open: usize,
    overdue: usize,
    /// Items without a written status: in `total`, not in `done`, `open` or `overdue`.
    unknown: usize,
}

#[derive(Serialize)]
struct Median {
    n: usize,
    median: Option<f64>,
}

#[derive(Serialize)]
struct ServiceIncident<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    date: Option<String>,
    severity: Option<&'a str>,
    kind: &'static str,
    status: &'static str,
    causes: &'a [String],
    durations: Durations,
    action_items: ActionCounts,
}

fn action_counts(site: &Site, i: &Incident) -> ActionCounts {
    let mut c = ActionCounts::default();
    for a in &i.action_items {
        c.total += 1;
        if a.status.as_str() == "done" {
            c.done += 1;
        }
        if a.status.is_open() {
            c.open += 1;
        }
        if overdue_days(site, a).is_some() {
            c.overdue += 1;
        }
        if !a.status.is_known() {
            c.unknown += 1;
        }
    }
    c
}

fn median(mut values: Vec<i64>) -> Median {
    values.sort_unstable();
    let n = values.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    };
    Median { n, median }
}

/// One file per service, named by its slug; services whose names share a slug share the
/// first name's file (as their dashboards do).
fn services(site: &Site, archive: &Archive) -> Result<Vec<OutputFile>> {
    let mut by_name: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for i in &archive.incidents {
        for s in &i.services {
            by_name.entry(s.as_str()).or_default().push(i);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut files = Vec::new();
    for (name, incidents) in by_name {
        let slug = urls::slug(name);
        if !seen.insert(slug.clone()) {
            continue;
        }
        let mut counts = ServiceCounts {
            post_mortems: incidents.len(),
            ..ServiceCounts::default()
        };
        let mut minutes: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
        for i in &incidents {
            if i.is_near_miss() {
                counts.near_misses += 1;
            } else {
                counts.incidents += 1;
                let d = i.durations;
                for (key, value) in [
                    ("time_to_detect", d.time_to_detect),
                    ("time_to_acknowledge", d.time_to_acknowledge),
                    ("time_to_mitigate", d.time_to_mitigate),
                    ("time_to_resolve", d.time_to_resolve),
                ] {
                    let list = minutes.entry(key).or_default();
                    list.extend(value.filter(|m| *m >= 0));
                }
            }
            let severity = i.severity.clone().unwrap_or_else(|| "unknown".into());
            *counts.by_severity.entry(severity).or_default() += 1;
            for c in &i.causes {
                *counts.by_cause.entry(c.clone()).or_default() += 1;
            }
            let a = action_counts(site, i);
            let t = &mut counts.action_items;
            t.total += a.total;
            t.done += a.done;
            t.open += a.open;
            t.overdue += a.overdue;
            t.unknown += a.unknown;
        }
        let export = ServiceExport {
            as_of: site.as_of.to_string(),
            service: name,
            dashboard_url: urls::href(&urls::dashboard_for("service", name)),
            counts,
            durations: minutes.into_iter().map(|(k, v)| (k, median(v))).collect(),
            incidents: incidents
                .iter()
                .map(|i| ServiceIncident {
                    id: &i.id,
                    url: urls::href(&urls::incident(&i.id)),
                    title: &i.title,
                    date: i.date.map(|d| d.to_string()),
                    severity: i.severity.as_deref(),
                    kind: if i.is_near_miss() {
                        "near-miss"
                    } else {
                        "incident"
                    },
                    status: i.status.as_str(),
                    causes: &i.causes,
                    durations: i.durations,
                    action_items: action_counts(site, i),
                })
                .collect(),
            slug: slug.clone(),
        };
        files.push(json_file(format!("{SERVICES_DIR}{slug}.json"), &export)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_lines_are_escaped_and_folded() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        ics_line(&mut out, &"x".repeat(80));
        assert_eq!(out, format!("{}\r\n {}\r\n", "x".repeat(75), "x".repeat(5)));
    }

    #[test]
    fn service_paths_are_owned() {
        assert!(owns("api/services/payments.json"));
        assert!(owns("api/action-items.csv"));
        assert!(!owns("api/services/.json"));
        assert!(!owns("api/services/a/b.json"));
        assert!(!owns("api/incidents.json"));
    }
}
