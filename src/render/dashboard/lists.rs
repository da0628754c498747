//! The drill-down lists of a scope and period, the targets of every chart mark: by date
//! and severity (`dashboard_list_time.html`), by cause (`dashboard_list_causes.html`)
//! and by service (`dashboard_list_services.html`), each extending `dashboard_list.html`.
//!
//! A list runs to thousands of rows, so each post-mortem becomes a template value once
//! per build (`Rows`), shared by every list it appears in; links in it are relative to
//! the site root (`{{ root }}{{ i.url }}`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::Result;
use jiff::civil::Date;
use serde::Serialize;

use super::format::{fmt_minutes, plural};
use super::{
    Ctx, ListKind, Scope, SwitchLink, anchors, href, list_kinds, list_path, page_path, time_anchor,
};
use crate::analysis::trends::{self, Granularity, Metric, PeriodTrends};
use crate::model::Incident;
use crate::render::urls;
use crate::site::OutputFile;

/// A post-mortem with its archive index.
type Member<'a> = (usize, &'a Incident);

/// One post-mortem as a row of a list.
#[derive(Debug, Serialize)]
struct IncidentRow {
    /// `no date` when it has none.
    date: String,
    url: String,
    title: String,
    near_miss: bool,
    severity: String,
    /// Response times (`15 min`, `–` when unknown).
    detect: String,
    acknowledge: String,
    mitigate: String,
    resolve: String,
}

/// A row made once and shared by every list that shows it. Its own fields, not a
/// template value, are what a page's view holds: tera's maps are in hash order, and a
/// view is digested as JSON to decide whether its page is carried over.
type SharedRow = std::sync::Arc<IncidentRow>;

/// The rows of the archive's post-mortems, each made the first time a list needs it.
pub(super) struct Rows(Vec<OnceLock<SharedRow>>);

impl Rows {
    pub(super) fn new(len: usize) -> Rows {
        Rows((0..len).map(|_| OnceLock::new()).collect())
    }
}

impl Ctx<'_> {
    fn row(&self, (index, i): Member) -> SharedRow {
        self.rows.0[index]
            .get_or_init(|| {
                let minutes = |m: Metric| {
                    m.minutes(&i.durations)
                        .map(|v| fmt_minutes(v as f64))
                        .unwrap_or_else(|| "–".into())
                };
                std::sync::Arc::new(IncidentRow {
                    date: i.date.map_or_else(|| "no date".into(), |d| d.to_string()),
                    url: urls::href(&urls::incident(&i.id)),
                    title: i.title.clone(),
                    near_miss: i.is_near_miss(),
                    severity: trends::severity_ref(self.config, i).to_string(),
                    detect: minutes(Metric::TimeToDetect),
                    acknowledge: minutes(Metric::TimeToAcknowledge),
                    mitigate: minutes(Metric::TimeToMitigate),
                    resolve: minutes(Metric::TimeToResolve),
                })
            })
            .clone()
    }

    fn rows_of<'m, 'n: 'm>(
        &self,
        members: impl IntoIterator<Item = &'m Member<'n>>,
    ) -> Vec<SharedRow> {
        members.into_iter().map(|&m| self.row(m)).collect()
    }
}

/// The post-mortems of `sorted` (by date) dated `start..=end`; undated ones never match.
fn within<'s, 'a>(sorted: &'s [Member<'a>], start: Date, end: Date) -> &'s [Member<'a>] {
    &sorted[within_range(sorted, start, end)]
}

/// `within` as positions in `sorted`.
pub(super) fn within_range(sorted: &[Member], start: Date, end: Date) -> std::ops::Range<usize> {
    let lo = sorted.partition_point(|(_, i)| i.date < Some(start));
    let hi = sorted.partition_point(|(_, i)| i.date <= Some(end));
    lo..hi.max(lo)
}

/// Incidents (in their order) under each trimmed value of a multi-valued field, in
/// one pass; an incident naming a value twice is listed once.
fn group_by<'a>(
    incidents: &[Member<'a>],
    field: impl Fn(&'a Incident) -> &'a Vec<String>,
) -> BTreeMap<&'a str, Vec<Member<'a>>> {
    let mut groups: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for &(index, i) in incidents {
        for value in field(i) {
            let list = groups.entry(value.trim()).or_default();
            if list.last().is_none_or(|last| last.0 != index) {
                list.push((index, i));
            }
        }
    }
    groups
}

/// `3 incidents, 1 near miss`.
fn count_text(incidents: &[Member]) -> String {
    let near = incidents.iter().filter(|(_, i)| i.is_near_miss()).count();
    let mut s = plural(incidents.len() - near, "incident", "incidents");
    if near > 0 {
        s.push_str(&format!(", {}", plural(near, "near miss", "near misses")));
    }
    s
}

/// What `dashboard_list.html` shows around every list, besides `site`, `root` and
/// `page_path`.
#[derive(Debug, Serialize)]
struct ListPage<T> {
    heading: &'static str,
    scope_heading: String,
    /// The dashboard of the scope and period.
    dashboard: String,
    period_label: &'static str,
    period_start: String,
    period_end: String,
    /// The lists of the scope and period.
    others: Vec<SwitchLink>,
    #[serde(flatten)]
    list: T,
}

/// A table of post-mortems with their response times, one `<tbody>` per group; `id`
/// anchors the whole table.
#[derive(Debug, Serialize)]
struct RowTable {
    id: Option<String>,
    groups: Vec<RowGroup>,
}

/// Rows under one heading: a severity (or the near misses) of a bin; a group without
/// `id` has no heading.
#[derive(Debug, Serialize)]
struct RowGroup {
    id: Option<String>,
    heading: String,
    /// The rows, counted.
    count: String,
    rows: Vec<SharedRow>,
}

/// `dashboard_list_time.html`: the period's post-mortems by quarter, then (all time by
/// month) by month, then by severity, and those without a date.
#[derive(Debug, Serialize)]
struct TimeList {
    incidents: String,
    near_misses: String,
    /// Months inside quarters (else quarters alone).
    monthly: bool,
    quarters: Vec<TimeGroup>,
    undated: Option<Undated>,
    /// No post-mortem at all.
    empty: bool,
}

/// A quarter (`bins` its months, or itself) or a month (`bins` empty).
#[derive(Debug, Serialize)]
struct TimeGroup {
    id: String,
    label: String,
    /// Incidents and near misses, counted.
    count: String,
    bins: Vec<TimeGroup>,
    /// The incidents by severity, anchored `<id>-incidents`.
    incidents: Option<RowTable>,
    near_misses: Option<RowTable>,
}

#[derive(Debug, Serialize)]
struct Undated {
    count: usize,
    table: RowTable,
}

/// `dashboard_list_causes.html`: incidents by cause, then quarter; those without a
/// cause; the repeats.
#[derive(Debug, Serialize)]
struct CauseList {
    causes: Vec<NameGroup>,
    no_cause: Counted,
    repeats: Vec<RepeatEntry>,
    repeat_count: usize,
    /// The period's incidents, counted.
    incidents: String,
}

/// A cause or service with its incidents by bin (`rows` empty: listed by bin only).
#[derive(Debug, Serialize)]
struct NameGroup {
    id: String,
    name: String,
    count: String,
    /// A service's severity weight.
    weight: Option<u32>,
    bins: Vec<BinEntries>,
}

#[derive(Debug, Serialize)]
struct BinEntries {
    id: String,
    label: String,
    count: String,
    weight: Option<u32>,
    rows: Vec<SharedRow>,
}

#[derive(Debug, Serialize)]
struct Counted {
    count: String,
    rows: Vec<SharedRow>,
}

/// An incident repeating an earlier one's cause; `earlier_href` is empty when the
/// earlier one is not in the archive (`earlier` is then its id).
#[derive(Debug, Serialize)]
struct RepeatEntry {
    href: String,
    title: String,
    date: String,
    earlier_href: String,
    earlier: String,
    cause: String,
    /// Days after the earlier one, counted.
    after: String,
}

/// `dashboard_list_services.html`: incidents by affected service, then month or quarter.
#[derive(Debug, Serialize)]
struct ServiceList {
    services: Vec<NameGroup>,
}

impl Ctx<'_> {
    fn list_page<T: Serialize>(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        kind: ListKind,
        heading: &'static str,
        list: T,
    ) -> Result<Option<OutputFile>> {
        let path = list_path(&scope.base, period.period, kind);
        let (template, _) = [
            ("dashboard_list_time.html", ListKind::Time),
            ("dashboard_list_causes.html", ListKind::Cause),
            ("dashboard_list_services.html", ListKind::Service),
        ]
        .into_iter()
        .find(|(_, k)| *k == kind)
        .expect("every kind has a template");
        let page = ListPage {
            heading,
            scope_heading: scope.heading(),
            dashboard: href(&path, &page_path(&scope.base, period.period)),
            period_label: period.period.label(),
            period_start: period.start.to_string(),
            period_end: period.end.to_string(),
            others: [
                ("By date and severity", ListKind::Time),
                ("By cause", ListKind::Cause),
                ("By service", ListKind::Service),
            ]
            .into_iter()
            .filter(|(_, k)| list_kinds(scope.trends.kind).contains(k))
            .map(|(label, k)| SwitchLink {
                label,
                href: href(&path, &list_path(&scope.base, period.period, k)),
                current: k == kind,
            })
            .collect(),
            list,
        };
        self.renderer
            .view_or_carry(template, &path, &page, self.carry)
    }

    /// `sorted`: the period's post-mortems by date.
    pub(super) fn list_by_time(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        sorted: &[Member],
    ) -> Result<Option<OutputFile>> {
        let keys = trends::severity_keys(self.config, period);
        let monthly = period.granularity == Granularity::Month;
        let mut quarters = Vec::new();
        for q in &trends::bins_for_quarters(period.start, period.end) {
            let in_quarter = within(sorted, q.start, q.end);
            if in_quarter.is_empty() {
                continue;
            }
            let bins_here: Vec<&trends::Bin> = if monthly {
                period
                    .counts
                    .iter()
                    .map(|c| &c.bin)
                    .filter(|b| b.start >= q.start && b.end <= q.end)
                    .collect()
            } else {
                vec![q]
            };
            let mut bins = Vec::new();
            for bin in bins_here {
                let in_bin = within(sorted, bin.start, bin.end);
                if in_bin.is_empty() {
                    continue;
                }
                let anchor = time_anchor(&bin.key);
                // One table per bin; each severity (and the near misses) is a `<tbody>`
                // with its own anchor, so one header row serves every group.
                let groups: Vec<RowGroup> = keys
                    .iter()
                    .filter_map(|key| {
                        let members: Vec<&Member> = in_bin
                            .iter()
                            .filter(|(_, i)| {
                                !i.is_near_miss() && trends::severity_ref(self.config, i) == key
                            })
                            .collect();
                        (!members.is_empty()).then(|| RowGroup {
                            id: Some(format!("{anchor}-{}", urls::slug(key))),
                            heading: format!("{} · {key}", bin.label),
                            count: plural(members.len(), "incident", "incidents"),
                            rows: self.rows_of(members),
                        })
                    })
                    .collect();
                // The incidents' table is itself a target (a service's heat map cells
                // link to it); near misses follow in a table of their own.
                let near: Vec<&Member> = in_bin.iter().filter(|(_, i)| i.is_near_miss()).collect();
                bins.push(TimeGroup {
                    count: count_text(in_bin),
                    incidents: (!groups.is_empty()).then(|| RowTable {
                        id: Some(format!("{anchor}-incidents")),
                        groups,
                    }),
                    near_misses: (!near.is_empty()).then(|| RowTable {
                        id: None,
                        groups: vec![RowGroup {
                            id: Some(format!("{anchor}-near-miss")),
                            heading: format!("{} · near misses", bin.label),
                            count: plural(near.len(), "near miss", "near misses"),
                            rows: self.rows_of(near),
                        }],
                    }),
                    id: anchor,
                    label: bin.label.clone(),
                    bins: Vec::new(),
                });
            }
            quarters.push(TimeGroup {
                id: time_anchor(&q.key),
                label: q.label.clone(),
                count: count_text(in_quarter),
                bins,
                incidents: None,
                near_misses: None,
            });
        }
        let undated = (!period.undated_members.is_empty()).then(|| {
            let undated = self.sorted(period.undated_members.iter().copied());
            Undated {
                count: undated.len(),
                table: RowTable {
                    id: None,
                    groups: vec![RowGroup {
                        id: None,
                        heading: String::new(),
                        count: String::new(),
                        rows: self.rows_of(&undated),
                    }],
                },
            }
        });
        let list = TimeList {
            incidents: plural(period.headline.incidents, "incident", "incidents"),
            near_misses: plural(period.headline.near_misses, "near miss", "near misses"),
            monthly,
            quarters,
            empty: sorted.is_empty() && undated.is_none(),
            undated,
        };
        self.list_page(
            scope,
            period,
            ListKind::Time,
            "Post-mortems by date and severity",
            list,
        )
    }

    /// `incidents`: the period's incidents by date, near misses left out.
    pub(super) fn list_by_cause(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        incidents: &[Member],
    ) -> Result<Option<OutputFile>> {
        let path = list_path(&scope.base, period.period, ListKind::Cause);
        let pareto = &period.causes.pareto;
        let anchors = anchors("c", pareto.iter().map(|p| p.cause.as_str()));
        let quarters = trends::bins_for_quarters(period.start, period.end);
        let mut by_cause = group_by(incidents, |i| &i.causes);
        let causes = pareto
            .iter()
            .map(|p| {
                let anchor = &anchors[&p.cause];
                let with = by_cause.remove(p.cause.as_str()).unwrap_or_default();
                let bins = quarters
                    .iter()
                    .filter_map(|q| {
                        let group: Vec<&Member> = with
                            .iter()
                            .filter(|(_, i)| i.date.is_some_and(|d| d >= q.start && d <= q.end))
                            .collect();
                        (!group.is_empty()).then(|| BinEntries {
                            id: format!("{anchor}-{}", q.key.to_lowercase()),
                            label: q.label.clone(),
                            count: plural(group.len(), "incident", "incidents"),
                            weight: None,
                            rows: self.rows_of(group),
                        })
                    })
                    .collect();
                NameGroup {
                    id: anchor.clone(),
                    name: p.cause.clone(),
                    count: plural(with.len(), "incident", "incidents"),
                    weight: None,
                    bins,
                }
            })
            .collect();
        let without: Vec<&Member> = incidents
            .iter()
            .filter(|(_, i)| i.causes.iter().all(|c| c.trim().is_empty()))
            .collect();
        let repeats: Vec<RepeatEntry> = incidents
            .iter()
            .filter_map(|(_, i)| {
                let r = self.insights.repeat_of.get(&i.id)?;
                let earlier = self.incident(&r.id);
                Some(RepeatEntry {
                    href: href(&path, &urls::incident(&i.id)),
                    title: i.title.clone(),
                    date: i.date.map(|d| d.to_string()).unwrap_or_default(),
                    earlier_href: earlier
                        .map(|_| href(&path, &urls::incident(&r.id)))
                        .unwrap_or_default(),
                    earlier: earlier
                        .map(|e| e.title.clone())
                        .unwrap_or_else(|| r.id.clone()),
                    cause: r.cause.clone(),
                    after: plural(r.days_between.max(0) as usize, "day", "days"),
                })
            })
            .collect();
        let list = CauseList {
            causes,
            no_cause: Counted {
                count: plural(without.len(), "incident", "incidents"),
                rows: self.rows_of(without),
            },
            repeat_count: repeats.len(),
            repeats,
            incidents: plural(incidents.len(), "incident", "incidents"),
        };
        self.list_page(scope, period, ListKind::Cause, "Incidents by cause", list)
    }

    /// `incidents`: the period's incidents by date, near misses left out.
    pub(super) fn list_by_service(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        incidents: &[Member],
    ) -> Result<Option<OutputFile>> {
        let heat = &period.heatmap;
        let anchors = anchors("s", heat.rows.iter().map(|r| r.service.as_str()));
        let mut by_service = group_by(incidents, |i| &i.services);
        let services = heat
            .rows
            .iter()
            .map(|row| {
                let anchor = &anchors[&row.service];
                let with = by_service.remove(row.service.as_str()).unwrap_or_default();
                let bins = row
                    .cells
                    .iter()
                    .zip(&period.counts)
                    .filter(|(cell, _)| cell.count > 0)
                    .map(|(cell, c)| {
                        let group: Vec<&Member> = with
                            .iter()
                            .filter(|(_, i)| {
                                i.date.is_some_and(|d| d >= c.bin.start && d <= c.bin.end)
                            })
                            .collect();
                        BinEntries {
                            id: format!("{anchor}-{}", c.bin.key.to_lowercase()),
                            label: c.bin.label.clone(),
                            count: plural(group.len(), "incident", "incidents"),
                            weight: Some(cell.weight),
                            rows: self.rows_of(group),
                        }
                    })
                    .collect();
                NameGroup {
                    id: anchor.clone(),
                    name: row.service.clone(),
                    count: plural(with.len(), "incident", "incidents"),
                    weight: Some(row.weight),
                    bins,
                }
            })
            .collect();
        self.list_page(
            scope,
            period,
            ListKind::Service,
            "Incidents by service",
            ServiceList { services },
        )
    }
}
