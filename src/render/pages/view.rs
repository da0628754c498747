//! The view models of the site's pages (everything but the dashboards): rows, terms,
//! action items, timelines, repeat chains and the rest, prepared from the archive and
//! the insights so that templates need no logic to stay correct: links already built
//! by `urls` (relative to the site root), durations already formatted, overdue already
//! decided against `site.as_of`.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{ActionItem, Archive, Incident, Insights};
use crate::render::urls;
use crate::site::Site;
use crate::zone::Zone;

/// A labelled link; `url` is relative to the site root (templates prefix `{{ root }}`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Link {
    pub(crate) name: String,
    pub(crate) url: String,
}

/// One incident as a row of a table (home page, list pages).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) date: Option<String>,
    pub(crate) year: Option<Link>,
    pub(crate) severity: Option<Link>,
    /// 0 = most severe, by the order of `severities` in site.toml; unknown ones last.
    pub(crate) severity_rank: usize,
    pub(crate) status: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) near_miss: bool,
    pub(crate) services: Vec<Link>,
    pub(crate) teams: Vec<Link>,
    pub(crate) causes: Vec<Link>,
    pub(crate) tags: Vec<Link>,
    pub(crate) resolve_minutes: Option<i64>,
    pub(crate) resolve_text: String,
    pub(crate) open_actions: usize,
    pub(crate) overdue_actions: usize,
    /// Action items the post-mortem gives no status: in neither figure above.
    pub(crate) unknown_actions: usize,
    /// Id of the earlier incident this one repeats.
    pub(crate) repeat_of: Option<String>,
    pub(crate) summary: Option<String>,
}

/// A column of an action-item row without a role of its own (`Bug #: SRCH-77`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Detail {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// An action item with what the page needs to show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionView {
    pub(crate) number: Option<String>,
    pub(crate) action: String,
    pub(crate) kind: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) due: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_text: String,
    /// The row's other columns, as written: [{name, value}].
    pub(crate) details: Vec<Detail>,
    pub(crate) open: bool,
    /// Open and due before the as-of date.
    pub(crate) overdue: bool,
    /// The incident the item belongs to (on cross-incident pages).
    pub(crate) incident: Option<Link>,
    pub(crate) incident_date: Option<String>,
    pub(crate) teams: Vec<Link>,
}

/// One term of a taxonomy (a service, a cause, a year...).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Term {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) url: String,
    pub(crate) count: usize,
    /// Date of the newest incident with this term.
    pub(crate) latest: Option<String>,
    #[serde(skip)]
    pub(crate) incidents: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Duration {
    key: &'static str,
    label: &'static str,
    minutes: Option<i64>,
    text: String,
    /// Why a figure found in the post-mortem is left out as implausible.
    excluded: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Milestone {
    key: &'static str,
    label: &'static str,
    at: String,
    /// Position on the bar from start (0) to the last milestone (100).
    pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TimelineView {
    time_text: String,
    /// "2025-10-26 14:02 UTC".
    at: Option<String>,
    /// RFC 3339, for `<time datetime>`.
    datetime: Option<String>,
    /// "+12 min" from the start of the incident, when both are known.
    offset: Option<String>,
    event: String,
    actor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct RelatedView {
    id: String,
    url: String,
    title: String,
    date: Option<String>,
    severity: Option<String>,
    score: String,
    reasons: Vec<String>,
    explicit: bool,
    /// `related`, or `possible` for a weaker link shown so the page is not empty.
    strength: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct RepeatView {
    id: String,
    url: String,
    title: String,
    date: Option<String>,
    cause: Link,
    days_between: i64,
    inferred: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct SuggestionView {
    cause: String,
    /// Link to the cause's page when other incidents carry that cause.
    cause_url: Option<String>,
    score: String,
    from: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct MonthView {
    label: String,
    count: usize,
    /// Bar height relative to the busiest month.
    pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ChainStep {
    incident: Link,
    date: Option<String>,
    /// Days since the previous step (none for the first).
    days_after: Option<i64>,
    /// Follow-ups of the incident this step repeats, as they stand now, with whether
    /// each was due before this repeat happened.
    prior_followups: Vec<FollowUp>,
    prior_done: usize,
    /// Follow-ups without a status: neither done nor open.
    prior_unknown: usize,
    prior_total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct FollowUp {
    action: String,
    owner: Option<String>,
    due: Option<String>,
    status: &'static str,
    open: bool,
    due_before_repeat: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct OwnerGroup {
    owner: String,
    anchor: String,
    pub(super) open: usize,
    pub(super) overdue: usize,
    items: Vec<ActionView>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TeamCount {
    team: Link,
    open: usize,
    overdue: usize,
}

/// What the pages share, derived once from the archive and the insights and owned, so
/// that `serve` can keep it between requests.
pub struct PageData {
    pub(crate) rows: Vec<Row>,
    /// Taxonomy name → its terms, in display order.
    pub(crate) taxonomies: BTreeMap<&'static str, Vec<Term>>,
    /// Incident id → index in the archive (pages look up many related incidents).
    pub(super) by_id: HashMap<String, usize>,
    /// Incident id → the later incidents recorded as its repeats, in id order (as
    /// `Insights::repeat_of`): each incident page lists them, and scanning every
    /// repeat for every page grew with the square of the archive.
    repeated_by: HashMap<String, Vec<String>>,
}

impl PageData {
    /// Derive the shared page data of `archive` (rows, taxonomy terms, an index by id).
    pub fn new(site: &Site, archive: &Archive, insights: &Insights) -> PageData {
        let taxonomies = urls::TAXONOMIES
            .par_iter()
            .map(|&t| (t, collect_terms(&site.config, archive, t)))
            .collect();
        let rows = archive
            .incidents
            .par_iter()
            .map(|i| row(site, insights, i))
            .collect();
        let by_id = archive
            .incidents
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.clone(), n))
            .collect();
        let mut repeated_by: HashMap<String, Vec<String>> = HashMap::new();
        for (later, r) in &insights.repeat_of {
            repeated_by
                .entry(r.id.clone())
                .or_default()
                .push(later.clone());
        }
        PageData {
            rows,
            taxonomies,
            by_id,
            repeated_by,
        }
    }

    /// The term of `taxonomy` whose list page lives at `slug`.
    pub(crate) fn term(&self, taxonomy: &str, slug: &str) -> Option<&Term> {
        self.taxonomies
            .get(taxonomy)?
            .iter()
            .find(|t| t.slug == slug)
    }
}

/// Everything a page is rendered from.
#[derive(Clone, Copy)]
pub struct SiteModel<'a> {
    pub(crate) site: &'a Site,
    pub(crate) archive: &'a Archive,
    pub(crate) insights: &'a Insights,
    pub(crate) data: &'a PageData,
}

impl<'a> SiteModel<'a> {
    /// The model of the site that pages are rendered from.
    pub fn new(
        site: &'a Site,
        archive: &'a Archive,
        insights: &'a Insights,
        data: &'a PageData,
    ) -> SiteModel<'a> {
        SiteModel {
            site,
            archive,
            insights,
            data,
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<&'a Incident> {
        self.data.by_id.get(id).map(|&n| &self.archive.incidents[n])
    }

    pub(super) fn rows_of(&self, indices: &[usize]) -> Vec<&'a Row> {
        indices.iter().map(|&i| &self.data.rows[i]).collect()
    }

    pub(super) fn rows(&self) -> &'a [Row] {
        &self.data.rows
    }

    pub(super) fn taxonomy(&self, taxonomy: &str) -> &'a [Term] {
        self.data
            .taxonomies
            .get(taxonomy)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The values of one taxonomy that an incident carries.
pub(crate) fn values_of(incident: &Incident, taxonomy: &str) -> Vec<String> {
    match taxonomy {
        "severity" => incident.severity.iter().cloned().collect(),
        "service" => incident.services.clone(),
        "team" => incident.teams.clone(),
        "cause" => incident.causes.clone(),
        "tag" => incident.tags.clone(),
        "year" => incident.date.iter().map(|d| d.year().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Terms are grouped by slug (so "Payments" and "payments" share a page); the name shown
/// is the most used spelling, ties broken alphabetically.
fn collect_terms(config: &Config, archive: &Archive, taxonomy: &str) -> Vec<Term> {
    let mut by_slug: BTreeMap<String, (BTreeMap<String, usize>, Vec<usize>)> = BTreeMap::new();
    for (index, incident) in archive.incidents.iter().enumerate() {
        let mut seen = Vec::new();
        for value in values_of(incident, taxonomy) {
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            let slug = urls::slug(&value);
            let entry = by_slug.entry(slug.clone()).or_default();
            *entry.0.entry(value).or_default() += 1;
            if !seen.contains(&slug) {
                entry.1.push(index);
                seen.push(slug);
            }
        }
    }
    let mut terms: Vec<Term> = by_slug
        .into_iter()
        .map(|(slug, (spellings, incidents))| {
            let name = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            let latest = incidents
                .iter()
                .filter_map(|&i| archive.incidents[i].date)
                .max()
                .map(|d| d.to_string());
            Term {
                url: urls::term(taxonomy, &name),
                name,
                slug,
                count: incidents.len(),
                latest,
                incidents,
            }
        })
        .collect();
    match taxonomy {
        "severity" => terms.sort_by(|a, b| {
            config
                .severity_rank(&a.name)
                .cmp(&config.severity_rank(&b.name))
                .then_with(|| a.slug.cmp(&b.slug))
        }),
        "year" => terms.sort_by(|a, b| b.name.cmp(&a.name)),
        _ => terms.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.slug.cmp(&b.slug))
        }),
    }
    terms
}

fn term_link(taxonomy: &str, value: &str) -> Link {
    Link {
        name: value.to_string(),
        url: urls::href(&urls::term(taxonomy, value)),
    }
}

fn links(taxonomy: &str, values: &[String]) -> Vec<Link> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| term_link(taxonomy, v.trim()))
        .collect()
}

pub(crate) fn incident_url(id: &str) -> String {
    urls::href(&urls::incident(id))
}

fn incident_link(incident: &Incident) -> Link {
    Link {
        name: incident.title.clone(),
        url: incident_url(&incident.id),
    }
}

fn is_overdue(item: &ActionItem, as_of: Date) -> bool {
    item.status.is_open() && item.due.is_some_and(|d| d < as_of)
}

fn row(site: &Site, insights: &Insights, i: &Incident) -> Row {
    let open = i.action_items.iter().filter(|a| a.status.is_open()).count();
    let overdue = i
        .action_items
        .iter()
        .filter(|a| is_overdue(a, site.as_of))
        .count();
    Row {
        id: i.id.clone(),
        url: incident_url(&i.id),
        title: i.title.clone(),
        date: i.date.map(|d| d.to_string()),
        year: i.date.map(|d| term_link("year", &d.year().to_string())),
        severity: i
            .severity
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| term_link("severity", s.trim())),
        severity_rank: i
            .severity
            .as_deref()
            .map_or(site.config.severities.len(), |s| {
                site.config.severity_rank(s.trim())
            }),
        status: i.status.as_str(),
        kind: kind_str(i),
        near_miss: i.is_near_miss(),
        services: links("service", &i.services),
        teams: links("team", &i.teams),
        causes: links("cause", &i.causes),
        tags: links("tag", &i.tags),
        resolve_minutes: i.durations.time_to_resolve,
        resolve_text: minutes_text(i.durations.time_to_resolve),
        open_actions: open,
        overdue_actions: overdue,
        unknown_actions: i
            .action_items
            .iter()
            .filter(|a| !a.status.is_known())
            .count(),
        repeat_of: insights.repeat_of.get(&i.id).map(|r| r.id.clone()),
        summary: i.summary.clone(),
    }
}

fn kind_str(i: &Incident) -> &'static str {
    if i.is_near_miss() {
        "near-miss"
    } else {
        "incident"
    }
}

/// "45 min", "2 h 5 min", "3 d 4 h" (`words::duration`); "unknown" for none.
pub(crate) fn minutes_text(minutes: Option<i64>) -> String {
    match minutes {
        Some(m) => crate::words::duration(m as f64),
        None => "unknown".to_string(),
    }
}

/// A time as the author's clock showed it (`2025-03-30 03:15 CEST`); UTC when the
/// post-mortem gives no zone.
fn ts_text(ts: Timestamp, zone: &Zone) -> String {
    if zone.is_utc() {
        ts.strftime("%Y-%m-%d %H:%M UTC").to_string()
    } else {
        zone.show(ts)
    }
}

/// The zone a page's times are shown in, for a line above the timeline; `None` for UTC.
pub(super) fn timezone(i: &Incident) -> Option<String> {
    let zone = &i.timezone;
    (!zone.is_utc()).then(|| match zone.tz().iana_name() {
        Some(name) if name != zone.written() => format!("{} ({name})", zone.written()),
        _ => zone.written().to_string(),
    })
}

fn action_view(item: &ActionItem, as_of: Date, incident: Option<&Incident>) -> ActionView {
    ActionView {
        number: item.number.clone(),
        action: item.action.clone(),
        kind: item.kind.clone(),
        priority: item.priority.clone(),
        owner: item.owner.clone().filter(|o| !o.trim().is_empty()),
        due: item.due.map(|d| d.to_string()),
        status: item.status.as_str(),
        status_text: item.status_text.clone(),
        details: item
            .details
            .iter()
            .map(|(name, value)| Detail {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        open: item.status.is_open(),
        overdue: is_overdue(item, as_of),
        incident: incident.map(incident_link),
        incident_date: incident.and_then(|i| i.date).map(|d| d.to_string()),
        teams: incident
            .map(|i| links("team", &i.teams))
            .unwrap_or_default(),
    }
}

/// Scores are shown with two decimals; the JSON export keeps three.
fn score_text(score: f64) -> String {
    if score.is_finite() {
        format!("{score:.2}")
    } else {
        "0.00".to_string()
    }
}

/// A taxonomy's index page with its number of terms, for the home page.
#[derive(Debug, Clone, Serialize)]
pub(super) struct TaxonomyLink {
    name: &'static str,
    url: String,
    count: usize,
}

/// Every taxonomy's index page, for the home page.
pub(super) fn taxonomy_links(model: &SiteModel) -> Vec<TaxonomyLink> {
    model
        .data
        .taxonomies
        .iter()
        .map(|(t, terms)| TaxonomyLink {
            name: taxonomy_title(t),
            url: urls::taxonomy(t),
            count: terms.len(),
        })
        .collect()
}

/// The archive's totals on the home page.
#[derive(Debug, Clone, Serialize)]
pub(super) struct HomeCounts {
    incidents: usize,
    near_misses: usize,
    open_actions: usize,
    overdue_actions: usize,
    /// Items without a status, kept out of the two figures above, and items with one.
    unknown_actions: usize,
    actions_with_status: usize,
}

pub(super) fn home_counts(model: &SiteModel) -> HomeCounts {
    let rows = model.rows();
    let near_misses = rows.iter().filter(|r| r.near_miss).count();
    HomeCounts {
        incidents: rows.len() - near_misses,
        near_misses,
        open_actions: rows.iter().map(|r| r.open_actions).sum(),
        overdue_actions: rows.iter().map(|r| r.overdue_actions).sum(),
        unknown_actions: rows.iter().map(|r| r.unknown_actions).sum(),
        actions_with_status: model
            .archive
            .incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| a.status.is_known())
            .count(),
    }
}

impl HomeCounts {
    pub(super) fn actions_with_status(&self) -> usize {
        self.actions_with_status
    }
}

/// Every action item without a status, incidents newest first, items as written.
pub(super) fn unknown_items(model: &SiteModel) -> Vec<ActionView> {
    let as_of = model.site.as_of;
    model
        .archive
        .incidents
        .iter()
        .flat_map(|i| {
            i.action_items
                .iter()
                .filter(|a| !a.status.is_known())
                .map(move |a| action_view(a, as_of, Some(i)))
        })
        .collect()
}

/// The action items of one incident, as its page lists them.
pub(super) fn action_views(incident: &Incident, as_of: Date) -> Vec<ActionView> {
    incident
        .action_items
        .iter()
        .map(|a| action_view(a, as_of, None))
        .collect()
}

/// The earlier incident this one repeats, if it is in the archive.
pub(super) fn repeat_of(model: &SiteModel, incident: &Incident) -> Option<RepeatView> {
    model
        .insights
        .repeat_of
        .get(&incident.id)
        .and_then(|r| repeat_view(model, &r.id, r))
}

/// The later incidents that repeat this one.
pub(super) fn repeated_by(model: &SiteModel, incident: &Incident) -> Vec<RepeatView> {
    let Some(later) = model.data.repeated_by.get(&incident.id) else {
        return Vec::new();
    };
    later
        .iter()
        .filter_map(|later| {
            let r = model.insights.repeat_of.get(later)?;
            repeat_view(model, later, r)
        })
        .collect()
}

/// Plural heading of a taxonomy's index page.
pub(crate) fn taxonomy_title(taxonomy: &str) -> &'static str {
    match taxonomy {
        "severity" => "Severities",
        "service" => "Services",
        "team" => "Teams",
        "cause" => "Causes",
        "tag" => "Tags",
        "year" => "Years",
        _ => "Terms",
    }
}

/// Singular label of a taxonomy, for a term page's heading.
pub(crate) fn taxonomy_label(taxonomy: &str) -> &'static str {
    match taxonomy {
        "severity" => "Severity",
        "service" => "Service",
        "team" => "Team",
        "cause" => "Cause",
        "tag" => "Tag",
        "year" => "Year",
        _ => "Term",
    }
}

/// How to record a taxonomy's values, for pages where no post-mortem gives one.
pub(crate) fn record_hint(taxonomy: &str) -> &'static str {
    match taxonomy {
        "severity" => "Add “severity: SEV2” to a post-mortem, in the front matter or the body.",
        "service" => "Add “services: [api]” to the front matter, or a “Services affected:” list.",
        "team" => {
            "Add “teams: [payments]” to the front matter, a “Team:” line, or a folder default."
        }
        "cause" => {
            "Add “causes: [config-change]” to the front matter, or a “Root cause category:” line."
        }
        "tag" => "Add “tags: [database]” to the front matter, or a “Tags:” line.",
        _ => "",
    }
}

/// The table of contents without the report's own title heading, which repeats the
/// page title (the stylesheet hides that heading for the same reason).
pub(super) fn toc(i: &Incident) -> Vec<&crate::model::TocEntry> {
    let titles = i.toc.iter().filter(|t| t.level == 1).count();
    let starts_with_title = i.toc.first().is_some_and(|t| t.level == 1) && titles == 1;
    i.toc.iter().skip(usize::from(starts_with_title)).collect()
}

pub(super) fn durations(i: &Incident) -> Vec<Duration> {
    let d = &i.durations;
    [
        ("time_to_detect", "Time to detect", d.time_to_detect),
        (
            "time_to_acknowledge",
            "Time to acknowledge",
            d.time_to_acknowledge,
        ),
        ("time_to_mitigate", "Time to mitigate", d.time_to_mitigate),
        ("time_to_resolve", "Time to resolve", d.time_to_resolve),
    ]
    .into_iter()
    .map(|(key, label, minutes)| {
        let excluded = i.excluded.iter().find(|e| e.duration == key);
        Duration {
            key,
            label,
            minutes,
            text: minutes_text(minutes.or(excluded.map(|e| e.minutes))),
            excluded: excluded
                .map(|e| format!("implausible, left out of statistics: {}", e.reason)),
        }
    })
    .collect()
}

/// Known milestones placed on a bar from the first to the last of them. Empty when fewer
/// than two are known or they span no time.
pub(super) fn milestones(i: &Incident) -> Vec<Milestone> {
    let known: Vec<(&'static str, &'static str, Timestamp)> = [
        ("started", "Started", i.started_at),
        ("detected", "Detected", i.detected_at),
        ("acknowledged", "Acknowledged", i.acknowledged_at),
        ("mitigated", "Mitigated", i.mitigated_at),
        ("resolved", "Resolved", i.resolved_at),
    ]
    .into_iter()
    .filter_map(|(k, l, t)| t.map(|t| (k, l, t)))
    .collect();
    let (Some(first), Some(last)) = (
        known.iter().map(|m| m.2).min(),
        known.iter().map(|m| m.2).max(),
    ) else {
        return Vec::new();
    };
    let span = last.as_second() - first.as_second();
    if known.len() < 2 || span <= 0 {
        return Vec::new();
    }
    known
        .into_iter()
        .map(|(key, label, at)| {
            let pct =
                ((at.as_second() - first.as_second()) as f64 * 1000.0 / span as f64).round() / 10.0;
            Milestone {
                key,
                label,
                at: ts_text(at, &i.timezone),
                pct,
            }
        })
        .collect()
}

pub(super) fn timeline(i: &Incident) -> Vec<TimelineView> {
    let start = i
        .started_at
        .or_else(|| i.timeline.iter().filter_map(|e| e.at).min());
    i.timeline
        .iter()
        .map(|e| TimelineView {
            time_text: e.time_text.clone(),
            at: e.at.map(|at| {
                let shown = ts_text(at, &i.timezone);
                if i.timezone.is_utc() {
                    shown
                } else {
                    format!("{shown} · {}", at.strftime("%H:%M UTC"))
                }
            }),
            datetime: e.at.map(|t| t.to_string()),
            offset: match (start, e.at) {
                (Some(s), Some(at)) => {
                    let minutes = (at.as_second() - s.as_second()).div_euclid(60);
                    Some(if minutes >= 0 {
                        format!("+{}", minutes_text(Some(minutes)))
                    } else {
                        minutes_text(Some(minutes))
                    })
                }
                _ => None,
            },
            event: e.event.clone(),
            actor: e.actor.clone(),
        })
        .collect()
}

pub(super) fn related(model: &SiteModel, incident: &Incident) -> Vec<RelatedView> {
    let Some(list) = model.insights.related.get(&incident.id) else {
        return Vec::new();
    };
    let mut list: Vec<_> = list.iter().collect();
    list.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    list.into_iter()
        .filter_map(|r| {
            let other = model.get(&r.id)?;
            Some(RelatedView {
                id: r.id.clone(),
                url: incident_url(&r.id),
                title: other.title.clone(),
                date: other.date.map(|d| d.to_string()),
                severity: other.severity.clone(),
                score: score_text(r.score),
                reasons: r.reasons.clone(),
                explicit: r.explicit,
                strength: r.strength,
            })
        })
        .collect()
}

/// `id` (the other incident of the repeat) as the banner shows it. An inferred repeat's
/// cause is a taxonomy class with no page of its own: its title, marked inferred.
fn repeat_view(model: &SiteModel, id: &str, r: &crate::model::RepeatOf) -> Option<RepeatView> {
    let other = model.get(id)?;
    let cause = if r.inferred {
        let title = model
            .insights
            .inferred_causes
            .get(id)
            .and_then(|causes| causes.iter().find(|c| c.class == r.cause))
            .map_or_else(|| r.cause.clone(), |c| c.title.clone());
        Link {
            name: format!("{title} (inferred)"),
            url: String::new(),
        }
    } else {
        term_link("cause", &r.cause)
    };
    Some(RepeatView {
        id: id.to_string(),
        url: incident_url(id),
        title: other.title.clone(),
        date: other.date.map(|d| d.to_string()),
        cause,
        days_between: r.days_between,
        inferred: r.inferred,
    })
}

pub(super) fn suggestions(model: &SiteModel, incident: &Incident) -> Vec<SuggestionView> {
    let Some(list) = model.insights.cause_suggestions.get(&incident.id) else {
        return Vec::new();
    };
    let causes = model.taxonomy("cause");
    list.iter()
        .map(|s| SuggestionView {
            cause: s.cause.clone(),
            cause_url: causes
                .iter()
                .any(|t| t.slug == urls::slug(&s.cause))
                .then(|| urls::href(&urls::term("cause", &s.cause))),
            score: score_text(s.score),
            from: s
                .from
                .iter()
                .filter_map(|id| model.get(id))
                .map(incident_link)
                .collect(),
        })
        .collect()
}

/// Every month from the cause's first incident to its last, with its count.
pub(super) fn months(incidents: &[&Incident]) -> Vec<MonthView> {
    let mut counts: BTreeMap<(i16, i8), usize> = BTreeMap::new();
    for d in incidents.iter().filter_map(|i| i.date) {
        *counts.entry((d.year(), d.month())).or_default() += 1;
    }
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let max = counts.values().copied().max().unwrap_or(1).max(1);
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    // Bounded: at most 50 years of months, whatever dates the archive holds.
    while (y, m) <= last && out.len() < 600 {
        let count = counts.get(&(y, m)).copied().unwrap_or(0);
        out.push(MonthView {
            label: format!("{y:04}-{m:02}"),
            count,
            pct: (count as f64 * 1000.0 / max as f64).round() / 10.0,
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Repeat chains of one cause: each chain starts at an incident that repeats nothing
/// (within this cause) and lists every later incident linked to it by `repeat_of`.
pub(super) fn chains(model: &SiteModel, term: &Term) -> Vec<Vec<ChainStep>> {
    let edges: BTreeMap<&str, &crate::model::RepeatOf> = model
        .insights
        .repeat_of
        .iter()
        .filter(|(_, r)| !r.inferred && urls::slug(&r.cause) == term.slug)
        .map(|(id, r)| (id.as_str(), r))
        .collect();
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (later, r) in &edges {
        children.entry(r.id.as_str()).or_default().push(later);
    }
    let roots: Vec<&str> = children
        .keys()
        .copied()
        .filter(|id| !edges.contains_key(id))
        .collect();
    let mut out = Vec::new();
    for root in roots {
        let mut members = vec![root];
        let mut next = 0;
        while next < members.len() && members.len() <= model.archive.incidents.len() {
            if let Some(kids) = children.get(members[next]) {
                members.extend(
                    kids.iter()
                        .copied()
                        .filter(|k| !members.contains(k))
                        .collect::<Vec<_>>(),
                );
            }
            next += 1;
        }
        let mut steps: Vec<(&Incident, Option<&crate::model::RepeatOf>)> = members
            .iter()
            .filter_map(|id| model.get(id).map(|i| (i, edges.get(id).copied())))
            .collect();
        steps.sort_by(|a, b| a.0.date.cmp(&b.0.date).then_with(|| a.0.id.cmp(&b.0.id)));
        let chain = steps
            .into_iter()
            .map(|(incident, edge)| {
                let prior = edge.and_then(|e| model.get(&e.id));
                let followups: Vec<FollowUp> = prior
                    .map(|p| {
                        p.action_items
                            .iter()
                            .map(|a| FollowUp {
                                action: a.action.clone(),
                                owner: a.owner.clone(),
                                due: a.due.map(|d| d.to_string()),
                                status: a.status.as_str(),
                                open: a.status.is_open(),
                                due_before_repeat: matches!((a.due, incident.date), (Some(due), Some(date)) if due < date),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ChainStep {
                    incident: incident_link(incident),
                    date: incident.date.map(|d| d.to_string()),
                    days_after: edge.map(|e| e.days_between),
                    prior_done: followups.iter().filter(|f| f.status == "done").count(),
                    prior_unknown: followups.iter().filter(|f| f.status == "unknown").count(),
                    prior_total: followups.len(),
                    prior_followups: followups,
                }
            })
            .collect::<Vec<_>>();
        if chain.len() > 1 {
            out.push(chain);
        }
    }
    out
}

fn due_key(due: &Option<String>) -> (bool, String) {
    (due.is_none(), due.clone().unwrap_or_default())
}

/// The open follow-ups of a cause's incidents, overdue first, then by due date.
pub(super) fn open_items(model: &SiteModel, incidents: &[&Incident]) -> Vec<ActionView> {
    let as_of = model.site.as_of;
    let mut open: Vec<ActionView> = incidents
        .iter()
        .flat_map(|i| {
            i.action_items
                .iter()
                .filter(|a| a.status.is_open())
                .map(move |a| action_view(a, as_of, Some(i)))
        })
        .collect();
    open.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| due_key(&a.due).cmp(&due_key(&b.due)))
    });
    open
}

/// Every open action item, grouped by owner; groups with overdue items first (most
/// overdue first), and inside a group overdue items first, then by due date. With the
/// open and overdue items of each team.
pub(super) fn owner_groups(model: &SiteModel) -> (Vec<OwnerGroup>, Vec<TeamCount>) {
    let as_of = model.site.as_of;
    let mut groups: BTreeMap<String, Vec<ActionView>> = BTreeMap::new();
    let mut teams: BTreeMap<String, (Link, usize, usize)> = BTreeMap::new();
    for incident in &model.archive.incidents {
        for item in incident.action_items.iter().filter(|a| a.status.is_open()) {
            let view = action_view(item, as_of, Some(incident));
            for team in &view.teams {
                let entry = teams
                    .entry(team.url.clone())
                    .or_insert_with(|| (team.clone(), 0, 0));
                entry.1 += 1;
                entry.2 += usize::from(view.overdue);
            }
            let owner = view
                .owner
                .clone()
                .map(|o| o.trim().to_string())
                .unwrap_or_default();
            groups.entry(owner).or_default().push(view);
        }
    }
    let mut groups: Vec<OwnerGroup> = groups
        .into_iter()
        .map(|(owner, mut items)| {
            items.sort_by(|a, b| {
                b.overdue
                    .cmp(&a.overdue)
                    .then_with(|| due_key(&a.due).cmp(&due_key(&b.due)))
                    .then_with(|| b.incident_date.cmp(&a.incident_date))
                    .then_with(|| a.action.cmp(&b.action))
            });
            let name = if owner.is_empty() {
                "Unassigned".to_string()
            } else {
                owner.clone()
            };
            OwnerGroup {
                anchor: if owner.is_empty() {
                    "owner-unassigned".to_string()
                } else {
                    urls::owner_anchor(&owner)
                },
                owner: name,
                open: items.len(),
                overdue: items.iter().filter(|i| i.overdue).count(),
                items,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (a.overdue == 0)
            .cmp(&(b.overdue == 0))
            .then_with(|| b.overdue.cmp(&a.overdue))
            .then_with(|| (a.owner == "Unassigned").cmp(&(b.owner == "Unassigned")))
            .then_with(|| a.owner.to_lowercase().cmp(&b.owner.to_lowercase()))
    });
    // Two owners whose names slug alike would share an anchor: number the later ones.
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for g in &mut groups {
        let n = used.entry(g.anchor.clone()).or_default();
        *n += 1;
        if *n > 1 {
            g.anchor = format!("{}-{}", g.anchor, n);
        }
    }
    let teams = teams
        .into_values()
        .map(|(team, open, overdue)| TeamCount {
            team,
            open,
            overdue,
        })
        .collect();
    (groups, teams)
}

/// `<base href>` for the 404 page: the site's absolute URL, when `base_url` is one.
pub(super) fn base_href(config: &Config) -> Option<String> {
    let base = config.base_url.trim();
    (base.starts_with("https://") || base.starts_with("http://"))
        .then(|| format!("{}/", base.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_as_minutes_hours_or_days() {
        assert_eq!(minutes_text(None), "unknown");
        assert_eq!(minutes_text(Some(0)), "0 min");
        assert_eq!(minutes_text(Some(59)), "59 min");
        assert_eq!(minutes_text(Some(65)), "1 h 5 min");
        assert_eq!(minutes_text(Some(22 * 60)), "22 h");
        assert_eq!(minutes_text(Some(3 * 24 * 60 + 4 * 60 + 7)), "3 d 4 h");
        assert_eq!(minutes_text(Some(-5)), "-5 min");
        assert_eq!(minutes_text(Some(i64::MIN)).chars().next(), Some('-'));
    }

    #[test]
    fn months_fill_the_gaps_between_first_and_last() {
        let at = |y, m, d| Incident {
            date: Some(jiff::civil::date(y, m, d)),
            ..Default::default()
        };
        let (a, b, c) = (at(2024, 11, 3), at(2025, 2, 1), at(2025, 2, 20));
        let months = months(&[&a, &b, &c]);
        let labels: Vec<(&str, usize)> =
            months.iter().map(|m| (m.label.as_str(), m.count)).collect();
        assert_eq!(
            labels,
            [
                ("2024-11", 1),
                ("2024-12", 0),
                ("2025-01", 0),
                ("2025-02", 2)
            ]
        );
        assert_eq!(months[3].pct, 100.0);
        assert_eq!(months[0].pct, 50.0);
        assert!(super::months(&[]).is_empty());
    }

    #[test]
    fn far_apart_dates_give_a_bounded_strip() {
        let at = |y| Incident {
            date: Some(jiff::civil::date(y, 1, 1)),
            ..Default::default()
        };
        let (a, b) = (at(1), at(9999));
        assert_eq!(months(&[&a, &b]).len(), 600);
    }
}
