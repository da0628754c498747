//! The view model of a dashboard page (`DashboardView`, rendered by `dashboard.html`):
//! headline figures, notices and the five sections, each chart laid out by
//! `render::charts` with its links into the drill-down lists already made.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::format::{describe_stats, fmt_minutes, fmt_num, fmt_pct, plural, signed};
use super::{
    Ctx, ListKind, Scope, SwitchLink, TRENDS_JSON, anchors, href, list_path, page_path, time_anchor,
};
use crate::analysis::trends::{
    self, Granularity, Headline, Metric, PeriodKind, PeriodTrends, ScopeKind, Stats,
};
use crate::config::Config;
use crate::model::Incident;
use crate::render::charts::{
    BarGroup, BoxSummary, Cell, DistGroup, Distribution, FigureView, Grid, GridCell, GridRow, HBar,
    HBars, Mark, Series, StackedBars, Table, TableView,
};
use crate::render::{root_prefix, urls};
use crate::site::OutputFile;

/// What the dashboard writes instead of a figure when no incident records the data:
/// absence is not zero.
const NOT_RECORDED: &str = "not recorded";

/// One-line hints on recording what is missing.
const HINT_SEVERITY: &str =
    "Add “severity: SEV2” to a post-mortem, in the front matter or the body.";
const HINT_CAUSES: &str =
    "Add “causes: [config-change]” to the front matter, or a “Root cause category:” line.";
const HINT_SERVICES: &str =
    "Add “services: [api]” to the front matter, or a “Services affected:” list.";

/// Incidents drawn as individual points per quarter; beyond it the box stands alone.
pub(crate) const MAX_POINTS_PER_GROUP: usize = 40;

/// Causes drawn in the Pareto and causes-by-quarter charts (the data table lists all).
const MAX_CAUSES_DRAWN: usize = 20;

/// Everything `dashboard.html` shows of one scope and period, besides `site`, `root`
/// and `page_path`. Links are relative to the page.
#[derive(Debug, Serialize)]
struct DashboardView {
    heading: String,
    /// `org`, `team` or `service`.
    scope_kind: &'static str,
    scope_name: String,
    /// The scope's term page (team or service); empty for the organisation.
    scope_term: String,
    org_dashboard: String,
    period_label: &'static str,
    period_start: String,
    period_end: String,
    periods: Vec<SwitchLink>,
    trends_json: String,
    /// `month` or `quarter`: the bins of the period's time charts.
    unit: &'static str,
    /// `dashboard.min_incidents`.
    min_incidents: usize,
    notices: Notices,
    headline: HeadlineView,
    /// At least `min_incidents` incidents: the four chart sections are drawn.
    enough_data: bool,
    counts: Option<FigureView>,
    durations: Option<DurationsView>,
    causes: Option<CausesView>,
    /// `None` inside `Some` when no incident names a service.
    heatmap: Option<Option<HeatmapView>>,
    /// How to record affected services, shown when no incident names one.
    services_hint: &'static str,
    actions: ActionsView,
    /// On the organisation's dashboard: every team's and service's dashboard.
    scopes: Vec<ScopeGroup>,
}

/// What the page warns about, each when it applies.
#[derive(Debug, Default, Serialize)]
struct Notices {
    /// Too few incidents for trends: `incidents` (counted) and a link to their list.
    few: Option<FewNotice>,
    /// Post-mortems without a date: `count` (`2 post-mortems have`) and their list.
    undated: Option<CountedLink>,
    /// Near misses in the period, counted (`1 near miss`).
    near_misses: Option<Counted>,
}

#[derive(Debug, Serialize)]
struct FewNotice {
    incidents: String,
    href: String,
}

#[derive(Debug, Serialize)]
struct CountedLink {
    text: String,
    href: String,
    n: usize,
}

#[derive(Debug, Serialize)]
struct Counted {
    text: String,
    n: usize,
}

#[derive(Debug, Serialize)]
struct HeadlineView {
    figures: Vec<FigureItem>,
    /// All time has no previous period to compare with (the page says so).
    all_time: bool,
}

/// A headline figure: its value links to the incidents behind it.
#[derive(Debug, Serialize)]
struct FigureItem {
    label: String,
    value: String,
    href: String,
    detail: String,
    /// With the previous period, or why there is none; empty for all time.
    comparison: String,
}

#[derive(Debug, Serialize)]
struct DurationsView {
    method: &'static str,
    near_misses: usize,
    /// Figures of the period left out as implausible, all four durations together.
    excluded: usize,
    max_points: usize,
    metrics: Vec<MetricView>,
}

#[derive(Debug, Serialize)]
struct MetricView {
    figure: FigureView,
    /// The whole period's summary (`describe_stats`).
    whole: String,
    /// Some quarter has more than `max_points` incidents, so no dots.
    crowded: bool,
}

#[derive(Debug, Serialize)]
struct CausesView {
    /// Some incident of the period names a cause: the repeat rate and Pareto mean
    /// something. Otherwise the page says "not recorded" with `hint`.
    recorded: bool,
    hint: &'static str,
    /// Without labels: the causes inferred from the text, marked as inferred.
    inferred: Option<FigureView>,
    /// Incidents the inferred chart rests on (those without a label), counted.
    inferred_incidents: String,
    repeat_rate: String,
    repeats_href: String,
    repeats: usize,
    /// Incidents the rate rests on, counted.
    incidents: String,
    window_days: i64,
    /// Incidents without a cause (`2 incidents have`), linked to their list.
    without_cause: Option<CountedLink>,
    pareto: Option<FigureView>,
    by_quarter: Option<FigureView>,
    mentions: usize,
    /// Causes drawn and causes in all, when the chart leaves some out.
    drawn: usize,
    total: usize,
}

#[derive(Debug, Serialize)]
struct HeatmapView {
    figure: FigureView,
    /// `SEV1 = 8, SEV2 = 4, …`.
    weights: String,
}

#[derive(Debug, Serialize)]
struct ActionsView {
    total: usize,
    /// `total`, counted (`7 items`).
    items: String,
    done: usize,
    open: usize,
    open_without_due: usize,
    overdue: usize,
    not_doing: usize,
    /// Items without a written status, and the items with one (`25 items`).
    unknown: usize,
    unknown_items: String,
    with_status: usize,
    with_status_items: String,
    completion_rate: String,
    median_age: String,
    age_missing: usize,
    /// The chart over time, when the period has enough data.
    figure: Option<FigureView>,
    /// Follow-through by team and by priority.
    tables: Vec<TitledTable>,
    /// The oldest overdue items; `None` when nothing is overdue.
    oldest: Option<TableView>,
}

#[derive(Debug, Serialize)]
struct TitledTable {
    title: &'static str,
    table: TableView,
}

#[derive(Debug, Serialize)]
struct ScopeGroup {
    title: &'static str,
    links: Vec<ScopeLink>,
}

#[derive(Debug, Serialize)]
struct ScopeLink {
    href: String,
    name: String,
    /// Its post-mortems, counted.
    count: String,
}

/// The CSS class of a severity series: `sev0`..`sev3` for the four most severe
/// configured levels.
fn severity_class(config: &Config, key: &str) -> String {
    match config.severities.iter().position(|s| s == key) {
        Some(rank) if rank < 4 => format!("sev{rank}"),
        _ if key == trends::UNKNOWN_SEVERITY => "sev-unknown".to_string(),
        _ => "sev-other".to_string(),
    }
}

fn unit(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::Month => "month",
        Granularity::Quarter => "quarter",
    }
}

/// What one page needs to know about where it is.
struct PageCtx<'a> {
    kind: ScopeKind,
    period: &'a PeriodTrends,
    path: String,
    /// The period's post-mortems by date (then id), with their archive indices.
    sorted: &'a [(usize, &'a Incident)],
    /// Relative links to the period's three lists (by `ListKind`), made once per page.
    lists: [String; 3],
    /// The way back to the site root, for links to incidents.
    root: String,
    /// Per incident of `sorted`: its link and `title (date)`, for duration points.
    point_labels: std::cell::OnceCell<Vec<(String, String)>>,
}

impl<'a> PageCtx<'a> {
    fn new(scope: &Scope, period: &'a PeriodTrends, sorted: &'a [(usize, &'a Incident)]) -> Self {
        let path = page_path(&scope.base, period.period);
        let list = |kind| href(&path, &list_path(&scope.base, period.period, kind));
        PageCtx {
            lists: [
                list(ListKind::Time),
                list(ListKind::Cause),
                list(ListKind::Service),
            ],
            root: root_prefix(&path),
            point_labels: std::cell::OnceCell::new(),
            kind: scope.trends.kind,
            period,
            path,
            sorted,
        }
    }

    fn link(&self, kind: ListKind, anchor: Option<&str>) -> String {
        let list = &self.lists[kind as usize];
        match anchor {
            Some(a) => format!("{list}#{a}"),
            None => list.clone(),
        }
    }

    fn incident(&self, id: &str) -> String {
        format!("{}{}", self.root, urls::href(&urls::incident(id)))
    }
}

impl Ctx<'_> {
    /// The dashboard page of a scope for a period; `sorted`: its post-mortems by date.
    pub(super) fn dashboard_page(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        sorted: &[(usize, &Incident)],
    ) -> Result<Option<OutputFile>> {
        let page = PageCtx::new(scope, period, sorted);
        let path = page.path.clone();
        let enough = period.enough_data;
        let view = DashboardView {
            heading: scope.heading(),
            scope_kind: scope.trends.kind.as_str(),
            scope_name: scope.trends.name.clone(),
            scope_term: match scope.trends.kind {
                ScopeKind::Org => String::new(),
                ScopeKind::Team => href(&path, &urls::term("team", &scope.trends.name)),
                ScopeKind::Service => href(&path, &urls::term("service", &scope.trends.name)),
            },
            org_dashboard: href(&path, urls::DASHBOARD),
            period_label: period.period.label(),
            period_start: period.start.to_string(),
            period_end: period.end.to_string(),
            periods: PeriodKind::EVERY
                .iter()
                .map(|&p| SwitchLink {
                    label: p.label(),
                    href: href(&path, &page_path(&scope.base, p)),
                    current: p == period.period,
                })
                .collect(),
            trends_json: href(&path, TRENDS_JSON),
            unit: unit(period.granularity),
            min_incidents: self.min(),
            notices: self.notices(&page),
            headline: self.headline(&page),
            enough_data: enough,
            counts: enough.then(|| self.counts(&page)),
            durations: enough.then(|| self.durations(&page)),
            causes: enough.then(|| self.causes(&page)),
            heatmap: enough.then(|| self.heatmap(&page)),
            services_hint: HINT_SERVICES,
            actions: self.actions(&page),
            scopes: self.scope_links(scope, &path),
        };
        self.renderer
            .view_or_carry("dashboard.html", &path, &view, self.carry)
    }

    fn notices(&self, page: &PageCtx) -> Notices {
        let period = page.period;
        let h = &period.headline;
        Notices {
            few: (!period.enough_data).then(|| FewNotice {
                incidents: plural(h.incidents, "incident", "incidents"),
                href: page.link(ListKind::Time, None),
            }),
            undated: (period.undated > 0).then(|| CountedLink {
                text: plural(period.undated, "post-mortem has", "post-mortems have"),
                href: page.link(ListKind::Time, Some("undated")),
                n: period.undated,
            }),
            near_misses: (h.near_misses > 0).then(|| Counted {
                text: plural(h.near_misses, "near miss", "near misses"),
                n: h.near_misses,
            }),
        }
    }

    /// On the organisation's dashboard: links to every team and service dashboard.
    fn scope_links(&self, scope: &Scope, from: &str) -> Vec<ScopeGroup> {
        if scope.trends.kind != ScopeKind::Org || self.catalog.entries.len() < 2 {
            return Vec::new();
        }
        [(ScopeKind::Team, "Teams"), (ScopeKind::Service, "Services")]
            .into_iter()
            .map(|(kind, title)| ScopeGroup {
                title,
                links: self
                    .catalog
                    .entries
                    .iter()
                    .filter(|s| s.key.kind == kind)
                    .map(|s| ScopeLink {
                        href: href(from, &page_path(&s.base, PeriodKind::All)),
                        name: s.key.name.clone(),
                        count: plural(s.post_mortems, "post-mortem", "post-mortems"),
                    })
                    .collect(),
            })
            .collect()
    }

    fn headline(&self, page: &PageCtx) -> HeadlineView {
        let period = page.period;
        let h = &period.headline;
        let cmp = period.comparison.as_ref();
        let prev_label = match period.period {
            PeriodKind::LastYear => "previous year",
            _ => "previous 90 days",
        };
        let mut figures = Vec::new();
        let mut item = |label: &str, value: String, href: String, detail: String, comparison| {
            figures.push(FigureItem {
                label: label.to_string(),
                value,
                href,
                detail,
                comparison,
            })
        };
        let not_comparable = |prev_n: usize| -> String {
            if h.incidents < self.min() {
                format!(
                    "No comparison: this period rests on {} (fewer than {}).",
                    plural(h.incidents, "incident", "incidents"),
                    self.min()
                )
            } else {
                format!(
                    "No comparison: the {prev_label} rest on {} (fewer than {}).",
                    plural(prev_n, "incident", "incidents"),
                    self.min()
                )
            }
        };
        // Counts.
        let severe = self
            .config
            .severities
            .iter()
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join("–");
        let count_cmp = |now: usize, prev: fn(&Headline) -> usize| -> String {
            match cmp {
                None => String::new(),
                Some(c) if !c.comparable => not_comparable(c.previous.incidents),
                Some(c) => {
                    let before = prev(&c.previous);
                    format!(
                        "{prev_label}: {before} ({})",
                        signed(now as i64 - before as i64)
                    )
                }
            }
        };
        item(
            "Incidents",
            h.incidents.to_string(),
            page.link(ListKind::Time, None),
            if h.near_misses > 0 {
                format!(
                    "not counting {}",
                    plural(h.near_misses, "near miss", "near misses")
                )
            } else {
                "near misses not included".to_string()
            },
            count_cmp(h.incidents, |p| p.incidents),
        );
        if h.with_severity == 0 && h.incidents > 0 {
            item(
                &format!("{severe} incidents"),
                NOT_RECORDED.to_string(),
                page.link(ListKind::Time, None),
                format!("no incident records a severity. {HINT_SEVERITY}"),
                String::new(),
            );
        } else {
            item(
                &format!("{severe} incidents"),
                h.high_severity.to_string(),
                page.link(ListKind::Time, None),
                if h.with_severity < h.incidents {
                    format!(
                        "the two most severe levels · {} without a severity",
                        h.incidents - h.with_severity
                    )
                } else {
                    "the two most severe levels".to_string()
                },
                count_cmp(h.high_severity, |p| p.high_severity),
            );
        }
        // Medians.
        for (label, stats, prev) in [
            (
                "Median time to mitigate",
                &h.time_to_mitigate,
                cmp.map(|c| &c.previous.time_to_mitigate),
            ),
            (
                "Median time to resolve",
                &h.time_to_resolve,
                cmp.map(|c| &c.previous.time_to_resolve),
            ),
        ] {
            let value = stats
                .median
                .map(fmt_minutes)
                .unwrap_or_else(|| "no data".into());
            let detail = format!(
                "n={} · {} missing{}{}",
                stats.n,
                stats.missing,
                excluded_text(stats.excluded),
                stats
                    .p90
                    .map(|p| format!(" · p90 {}", fmt_minutes(p)))
                    .unwrap_or_default()
            );
            let comparison = match (cmp, prev) {
                (Some(c), Some(_)) if !c.comparable => not_comparable(c.previous.incidents),
                (Some(_), Some(prev)) if stats.n < self.min() || prev.n < self.min() => {
                    format!(
                        "No comparison: the median rests on n={} now and n={} in the {prev_label} (fewer than {} in one).",
                        stats.n,
                        prev.n,
                        self.min()
                    )
                }
                (Some(_), Some(prev)) => format!(
                    "{prev_label}: {} (n={})",
                    prev.median.map(fmt_minutes).unwrap_or_default(),
                    prev.n
                ),
                _ => String::new(),
            };
            item(
                label,
                value,
                page.link(ListKind::Time, None),
                detail,
                comparison,
            );
        }
        // Repeat rate.
        let rr = &h.repeat_rate;
        let comparison = match cmp {
            None => String::new(),
            Some(c) if !c.comparable => not_comparable(c.previous.incidents),
            Some(c) => format!(
                "{prev_label}: {}",
                c.previous
                    .repeat_rate
                    .rate
                    .map(fmt_pct)
                    .unwrap_or_else(|| "no data".into())
            ),
        };
        // A repeat is a cause seen again: without cause labels there is no rate to give.
        if period.causes.mentions == 0 && h.incidents > 0 {
            item(
                "Repeat rate",
                NOT_RECORDED.to_string(),
                page.link(ListKind::Cause, None),
                format!("no incident names a cause, so repeats cannot be counted. {HINT_CAUSES}"),
                String::new(),
            );
        } else {
            item(
                "Repeat rate",
                rr.rate.map(fmt_pct).unwrap_or_else(|| "no data".into()),
                page.link(ListKind::Cause, Some("repeats")),
                format!(
                    "{} of {} repeat an earlier cause",
                    rr.repeats,
                    plural(rr.incidents, "incident", "incidents")
                ),
                comparison,
            );
        }
        let a = &period.action_items;
        let with_status = a.counts.with_status();
        item(
            "Overdue action items",
            if with_status == 0 && a.counts.total > 0 {
                "not recorded".to_string()
            } else {
                a.counts.overdue.to_string()
            },
            "#action-items".to_string(),
            if a.counts.unknown > 0 {
                format!(
                    "of {} with a status · {} without · due before {}",
                    plural(with_status, "item", "items"),
                    a.counts.unknown,
                    self.as_of
                )
            } else {
                format!(
                    "of {} · due before {}",
                    plural(a.counts.total, "item", "items"),
                    self.as_of
                )
            },
            String::new(),
        );
        HeadlineView {
            figures,
            all_time: period.period == PeriodKind::All,
        }
    }

    fn counts(&self, page: &PageCtx) -> FigureView {
        let period = page.period;
        let keys = trends::severity_keys(self.config, period);
        let unit = unit(period.granularity);
        let mut series: Vec<Series> = keys
            .iter()
            .map(|k| Series {
                name: k.clone(),
                class: severity_class(self.config, k),
            })
            .collect();
        series.push(Series {
            name: "near miss".into(),
            class: "near-miss".into(),
        });
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        for c in &period.counts {
            let anchor = time_anchor(&c.bin.key);
            let mut segments: Vec<Option<Mark>> = keys
                .iter()
                .map(|k| {
                    let count = c.by_severity.get(k).copied().unwrap_or(0);
                    (count > 0).then(|| Mark {
                        value: count as f64,
                        href: page
                            .link(ListKind::Time, Some(&format!("{anchor}-{}", urls::slug(k)))),
                        title: format!(
                            "{} · {k}: {}",
                            c.bin.label,
                            plural(count, "incident", "incidents")
                        ),
                    })
                })
                .collect();
            segments.push((c.near_misses > 0).then(|| Mark {
                value: c.near_misses as f64,
                href: page.link(ListKind::Time, Some(&format!("{anchor}-near-miss"))),
                title: format!(
                    "{} · {}",
                    c.bin.label,
                    plural(c.near_misses, "near miss", "near misses")
                ),
            }));
            groups.push(BarGroup {
                label: c.bin.label.clone(),
                segments,
            });
            let mut row = vec![Cell::Text(c.bin.label.clone())];
            for k in &keys {
                row.push(Cell::Num(
                    c.by_severity.get(k).copied().unwrap_or(0).to_string(),
                ));
            }
            row.push(Cell::Num(c.near_misses.to_string()));
            row.push(if c.incidents + c.near_misses > 0 {
                Cell::NumLink {
                    text: c.incidents.to_string(),
                    href: page.link(ListKind::Time, Some(&anchor)),
                }
            } else {
                Cell::Num("0".into())
            });
            rows.push(row);
        }
        let mut head = vec![unit.to_string()];
        head.extend(keys.iter().cloned());
        head.push("near misses".into());
        head.push("incidents".into());
        let chart = StackedBars {
            title: format!("Incidents per {unit} by severity"),
            y_label: "incidents".into(),
            series,
            groups,
        };
        let table = Table {
            caption: format!(
                "Incidents per {unit} by severity ({} to {})",
                period.start, period.end
            ),
            head,
            rows,
        };
        FigureView::new(
            "chart-incidents",
            &format!("Incidents per {unit}"),
            chart.view(),
            table,
        )
    }

    fn durations(&self, page: &PageCtx) -> DurationsView {
        let period = page.period;
        DurationsView {
            method: trends::PERCENTILE_METHOD,
            near_misses: period.headline.near_misses,
            excluded: period.durations.iter().map(|m| m.overall.excluded).sum(),
            max_points: MAX_POINTS_PER_GROUP,
            metrics: period
                .durations
                .iter()
                .map(|m| self.metric(page, m))
                .collect(),
        }
    }

    fn metric(&self, page: &PageCtx, trend: &trends::MetricTrend) -> MetricView {
        let min = self.min();
        let label = trend.metric.label();
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        for q in &trend.by_quarter {
            let s = &q.stats;
            let anchor = time_anchor(&q.bin.key);
            let summary = match (s.n >= min && s.n > 0, s.p25, s.median, s.p75, s.p90) {
                (true, Some(p25), Some(median), Some(p75), Some(p90)) => Some(BoxSummary {
                    p25,
                    median,
                    p75,
                    p90,
                    href: page.link(ListKind::Time, Some(&anchor)),
                    title: format!("{} · {label}: {}", q.bin.label, describe_stats(s)),
                }),
                _ => None,
            };
            groups.push(DistGroup {
                label: q.bin.label.clone(),
                note: format!(
                    "n={} · {} missing{}",
                    s.n,
                    s.missing,
                    excluded_text(s.excluded)
                ),
                short_note: format!("{}/{}", s.n, s.n + s.missing + s.excluded),
                summary,
                points: self.points(page, trend.metric, &q.bin),
            });
            let mut row = vec![Cell::Text(q.bin.label.clone())];
            row.push(if s.n + s.missing > 0 {
                Cell::NumLink {
                    text: s.n.to_string(),
                    href: page.link(ListKind::Time, Some(&anchor)),
                }
            } else {
                Cell::Num("0".into())
            });
            row.extend(stats_cells(s));
            rows.push(row);
        }
        let mut total = vec![
            Cell::Text("whole period".into()),
            Cell::Num(trend.overall.n.to_string()),
        ];
        total.extend(stats_cells(&trend.overall));
        rows.push(total);
        let chart = Distribution {
            title: format!("{label} per quarter (minutes, log scale)"),
            groups,
            max_points: MAX_POINTS_PER_GROUP,
        };
        let table = Table {
            caption: format!("{label} per quarter, in minutes"),
            head: ["quarter", "n", "missing", "median", "p25", "p75", "p90"]
                .map(String::from)
                .to_vec(),
            rows,
        };
        MetricView {
            figure: FigureView::new(
                &format!("chart-{}", trend.metric.key().replace('_', "-")),
                label,
                chart.view(),
                table,
            ),
            whole: describe_stats(&trend.overall),
            crowded: trend
                .by_quarter
                .iter()
                .any(|q| q.stats.n > MAX_POINTS_PER_GROUP),
        }
    }

    /// One point per incident of the quarter with the metric; none when there are more
    /// than `MAX_POINTS_PER_GROUP` (the chart then draws the box alone).
    fn points(&self, page: &PageCtx, metric: Metric, quarter: &trends::Bin) -> Vec<Mark> {
        let points: Vec<(usize, i64)> =
            super::lists::within_range(page.sorted, quarter.start, quarter.end)
                .filter(|&k| !page.sorted[k].1.is_near_miss())
                .filter_map(|k| metric.minutes(&page.sorted[k].1.durations).map(|m| (k, m)))
                .collect();
        if points.len() > MAX_POINTS_PER_GROUP {
            return Vec::new();
        }
        // Link and name of each incident, made once per page for the four metrics.
        let labels = page.point_labels.get_or_init(|| {
            page.sorted
                .iter()
                .map(|(_, i)| {
                    let date = i.date.map(|d| d.to_string()).unwrap_or_default();
                    (page.incident(&i.id), format!("{} ({date})", i.title))
                })
                .collect()
        });
        points
            .into_iter()
            .map(|(k, m)| Mark {
                value: m as f64,
                href: labels[k].0.clone(),
                // The chart names the metric; the tooltip names the incident.
                title: format!("{}: {}", labels[k].1, fmt_minutes(m as f64)),
            })
            .collect()
    }

    fn causes(&self, page: &PageCtx) -> CausesView {
        let period = page.period;
        let causes = &period.causes;
        let anchors = anchors("c", causes.pareto.iter().map(|p| p.cause.as_str()));
        let rr = &period.headline.repeat_rate;
        let mut view = CausesView {
            recorded: causes.mentions > 0,
            hint: HINT_CAUSES,
            inferred: None,
            inferred_incidents: plural(causes.incidents_without_cause, "incident", "incidents"),
            repeat_rate: rr.rate.map(fmt_pct).unwrap_or_else(|| "no data".into()),
            repeats_href: page.link(ListKind::Cause, Some("repeats")),
            repeats: rr.repeats,
            incidents: plural(rr.incidents, "incident", "incidents"),
            window_days: self.config.repeats.window_days,
            without_cause: (causes.incidents_without_cause > 0).then(|| CountedLink {
                text: plural(
                    causes.incidents_without_cause,
                    "incident has",
                    "incidents have",
                ),
                href: page.link(ListKind::Cause, Some("no-cause")),
                n: causes.incidents_without_cause,
            }),
            pareto: None,
            by_quarter: None,
            mentions: causes.mentions,
            drawn: 0,
            total: causes.pareto.len(),
        };
        if causes.pareto.is_empty() {
            view.inferred = self.inferred_causes(page);
            return view;
        }
        let drawn = &causes.pareto[..causes.pareto.len().min(MAX_CAUSES_DRAWN)];
        view.drawn = drawn.len();
        let rows = drawn
            .iter()
            .map(|p| HBar {
                label: p.cause.clone(),
                text: format!("{} · {}", p.count, fmt_pct(p.share)),
                mark: Mark {
                    value: p.share,
                    href: page.link(ListKind::Cause, Some(&anchors[&p.cause])),
                    title: format!(
                        "{}: {} ({} of cause mentions, {} cumulative)",
                        p.cause,
                        plural(p.count, "incident", "incidents"),
                        fmt_pct(p.share),
                        fmt_pct(p.cumulative_share)
                    ),
                },
                cumulative: Some(p.cumulative_share),
            })
            .collect();
        let chart = HBars {
            title: "Pareto of causes".into(),
            class: "cause".into(),
            rows,
        };
        let table = Table {
            caption: "Causes, most frequent first".into(),
            head: ["cause", "incidents", "share", "cumulative share"]
                .map(String::from)
                .to_vec(),
            rows: causes
                .pareto
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.cause.clone()),
                        Cell::NumLink {
                            text: p.count.to_string(),
                            href: page.link(ListKind::Cause, Some(&anchors[&p.cause])),
                        },
                        Cell::Num(fmt_pct(p.share)),
                        Cell::Num(fmt_pct(p.cumulative_share)),
                    ]
                })
                .collect(),
        };
        view.pareto = Some(FigureView::new(
            "chart-pareto",
            "Pareto of causes",
            chart.view(),
            table,
        ));
        // Causes by quarter.
        let columns: Vec<String> = causes
            .by_quarter
            .iter()
            .map(|q| q.bin.label.clone())
            .collect();
        let grid_rows = drawn
            .iter()
            .map(|p| GridRow {
                label: p.cause.clone(),
                cells: causes
                    .by_quarter
                    .iter()
                    .map(|q| {
                        let count = q.counts.get(&p.cause).copied().unwrap_or(0);
                        (count > 0).then(|| GridCell {
                            text: count.to_string(),
                            mark: Mark {
                                value: count as f64,
                                href: page.link(
                                    ListKind::Cause,
                                    Some(&format!(
                                        "{}-{}",
                                        anchors[&p.cause],
                                        q.bin.key.to_lowercase()
                                    )),
                                ),
                                title: format!(
                                    "{} · {}: {}",
                                    p.cause,
                                    q.bin.label,
                                    plural(count, "incident", "incidents")
                                ),
                            },
                        })
                    })
                    .collect(),
            })
            .collect();
        let grid = Grid {
            title: "Causes by quarter".into(),
            columns: columns.clone(),
            rows: grid_rows,
        };
        let mut head = vec!["cause".to_string()];
        head.extend(columns);
        let table = Table {
            caption: "Incidents per cause and quarter".into(),
            head,
            rows: causes
                .pareto
                .iter()
                .map(|p| {
                    let mut row = vec![Cell::Text(p.cause.clone())];
                    row.extend(causes.by_quarter.iter().map(|q| {
                        Cell::Num(q.counts.get(&p.cause).copied().unwrap_or(0).to_string())
                    }));
                    row
                })
                .collect(),
        };
        view.by_quarter = Some(FigureView::new(
            "chart-causes-by-quarter",
            "Causes by quarter",
            grid.view(),
            table,
        ));
        view
    }

    /// The causes inferred for the period's unlabelled incidents, as bars marked
    /// inferred; `None` when nothing is inferred.
    fn inferred_causes(&self, page: &PageCtx) -> Option<FigureView> {
        let causes = &page.period.causes;
        if causes.inferred.is_empty() {
            return None;
        }
        let unlabelled = causes.incidents_without_cause.max(1);
        let drawn = &causes.inferred[..causes.inferred.len().min(MAX_CAUSES_DRAWN)];
        let link = page.link(ListKind::Cause, Some("no-cause"));
        let rows = drawn
            .iter()
            .map(|c| HBar {
                label: c.title.clone(),
                text: format!("{} (inferred)", c.count),
                mark: Mark {
                    value: c.count as f64,
                    href: link.clone(),
                    title: format!(
                        "{} (inferred, not labelled): {} of {} without a cause label",
                        c.title,
                        plural(c.count, "incident", "incidents"),
                        unlabelled
                    ),
                },
                cumulative: None,
            })
            .collect();
        let chart = HBars {
            title: "Inferred causes (not labelled by the authors)".into(),
            class: "cause inferred".into(),
            rows,
        };
        let table = Table {
            caption: "Causes inferred from the text of incidents without a cause label".into(),
            head: ["inferred cause", "class", "incidents"]
                .map(String::from)
                .to_vec(),
            rows: causes
                .inferred
                .iter()
                .map(|c| {
                    vec![
                        Cell::Text(c.title.clone()),
                        Cell::Text(c.class.clone()),
                        Cell::Num(c.count.to_string()),
                    ]
                })
                .collect(),
        };
        Some(FigureView::new(
            "chart-inferred-causes",
            "Inferred causes",
            chart.view(),
            table,
        ))
    }

    fn heatmap(&self, page: &PageCtx) -> Option<HeatmapView> {
        let period = page.period;
        let heat = &period.heatmap;
        if heat.rows.is_empty() {
            return None;
        }
        let anchors = anchors("s", heat.rows.iter().map(|r| r.service.as_str()));
        // A service's dashboard has no list by service (see `list_kinds`).
        let own_row = page.kind == ScopeKind::Service;
        let weights = self
            .config
            .severities
            .iter()
            .filter(|k| *k != trends::UNKNOWN_SEVERITY)
            .map(|k| {
                let w = trends::severity_weight(self.config, k);
                (self.config.severity_rank(k), format!("{k} = {w}"))
            })
            .collect::<BTreeMap<_, _>>();
        let weights: Vec<String> = weights.into_values().collect();
        let columns: Vec<String> = period.counts.iter().map(|c| c.bin.label.clone()).collect();
        let rows = heat
            .rows
            .iter()
            .map(|r| GridRow {
                label: r.service.clone(),
                cells: r
                    .cells
                    .iter()
                    .zip(&period.counts)
                    .map(|(cell, c)| {
                        (cell.count > 0).then(|| GridCell {
                            text: cell.weight.to_string(),
                            mark: Mark {
                                value: cell.weight as f64,
                                href: if own_row {
                                    page.link(
                                        ListKind::Time,
                                        Some(&format!("{}-incidents", time_anchor(&c.bin.key))),
                                    )
                                } else {
                                    page.link(
                                        ListKind::Service,
                                        Some(&format!(
                                            "{}-{}",
                                            anchors[&r.service],
                                            c.bin.key.to_lowercase()
                                        )),
                                    )
                                },
                                title: format!(
                                    "{} · {}: weight {} from {}",
                                    r.service,
                                    c.bin.label,
                                    cell.weight,
                                    plural(cell.count, "incident", "incidents")
                                ),
                            },
                        })
                    })
                    .collect(),
            })
            .collect();
        let grid = Grid {
            title: "Services by period, weighted by severity".into(),
            columns: columns.clone(),
            rows,
        };
        let mut head = vec!["service".to_string()];
        head.extend(columns);
        head.push("total weight".into());
        head.push("incidents".into());
        let table = Table {
            caption:
                "Severity-weighted incidents per service (weight, with incident count in brackets)"
                    .into(),
            head,
            rows: heat
                .rows
                .iter()
                .map(|r| {
                    let mut row = vec![Cell::Text(r.service.clone())];
                    row.extend(r.cells.iter().map(|c| {
                        Cell::Num(if c.count > 0 {
                            format!("{} ({})", c.weight, c.count)
                        } else {
                            "0".into()
                        })
                    }));
                    row.push(Cell::Num(r.weight.to_string()));
                    // A service's own row totals the period's incidents: the by-time list.
                    row.push(if own_row {
                        Cell::Num(r.count.to_string())
                    } else {
                        Cell::NumLink {
                            text: r.count.to_string(),
                            href: page.link(ListKind::Service, Some(&anchors[&r.service])),
                        }
                    });
                    row
                })
                .collect(),
        };
        Some(HeatmapView {
            figure: FigureView::new(
                "chart-heatmap",
                "Services × time, weighted by severity",
                grid.view(),
                table,
            ),
            weights: weights.join(", "),
        })
    }

    fn actions(&self, page: &PageCtx) -> ActionsView {
        let period = page.period;
        let a = &period.action_items;
        let as_of = self.as_of;
        let mut view = ActionsView {
            total: a.counts.total,
            items: plural(a.counts.total, "item", "items"),
            done: a.counts.done,
            open: a.counts.open,
            open_without_due: a.counts.open_without_due,
            overdue: a.counts.overdue,
            not_doing: a.counts.not_doing,
            unknown: a.counts.unknown,
            unknown_items: plural(a.counts.unknown, "item", "items"),
            with_status: a.counts.with_status(),
            with_status_items: plural(a.counts.with_status(), "item", "items"),
            completion_rate: a
                .completion_rate
                .map(fmt_pct)
                .unwrap_or_else(|| "no data".into()),
            median_age: a
                .median_open_age_days
                .map(|d| format!("{} days", fmt_num(d)))
                .unwrap_or_else(|| "no open items".into()),
            age_missing: a.open_age_missing,
            figure: None,
            tables: Vec::new(),
            oldest: None,
        };
        if a.counts.total == 0 {
            return view;
        }
        if period.enough_data {
            let series = [
                ("done", "act-done"),
                ("open", "act-open"),
                ("overdue", "act-overdue"),
                ("not doing", "act-not-doing"),
                ("no status", "act-unknown"),
            ]
            .map(|(n, c)| Series {
                name: n.into(),
                class: c.into(),
            })
            .to_vec();
            let mut groups = Vec::new();
            let mut rows = Vec::new();
            for cohort in &a.cohorts {
                let c = &cohort.counts;
                let link = page.link(ListKind::Time, Some(&time_anchor(&cohort.bin.key)));
                let title = format!(
                    "{}: {} — {} done, {} open, {} overdue, {} not doing, {} without a status",
                    cohort.bin.label,
                    plural(c.total, "item", "items"),
                    c.done,
                    c.open,
                    c.overdue,
                    c.not_doing,
                    c.unknown
                );
                let segments = [c.done, c.open, c.overdue, c.not_doing, c.unknown]
                    .map(|v| {
                        (v > 0).then(|| Mark {
                            value: v as f64,
                            href: link.clone(),
                            title: title.clone(),
                        })
                    })
                    .to_vec();
                groups.push(BarGroup {
                    label: cohort.bin.label.clone(),
                    segments,
                });
                let mut row = vec![Cell::Text(cohort.bin.label.clone())];
                row.extend(
                    [c.done, c.open, c.overdue, c.not_doing, c.unknown]
                        .map(|v| Cell::Num(v.to_string())),
                );
                row.push(if c.total > 0 {
                    Cell::NumLink {
                        text: c.total.to_string(),
                        href: link,
                    }
                } else {
                    Cell::Num("0".into())
                });
                rows.push(row);
            }
            let chart = StackedBars {
                title: "Action items by incident date and status today".into(),
                y_label: "action items".into(),
                series,
                groups,
            };
            let table = Table {
                caption: format!("Action items by incident date, status as of {as_of}"),
                head: [
                    "incident date",
                    "done",
                    "open",
                    "overdue",
                    "not doing",
                    "no status",
                    "items",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            };
            view.figure = Some(FigureView::new(
                "chart-action-items",
                "Action items over time",
                chart.view(),
                table,
            ));
        }
        for (title, groups, first) in [
            ("Follow-through by team", &a.by_team, "team"),
            ("Follow-through by priority", &a.by_priority, "priority"),
        ] {
            let table = Table {
                caption: format!(
                    "{title} (items of the period's post-mortems; a team counts the items of its incidents)"
                ),
                head: [
                    first,
                    "items",
                    "done",
                    "open",
                    "overdue",
                    "not doing",
                    "no status",
                    "completion rate",
                    "median age of open items (days)",
                ]
                .map(String::from)
                .to_vec(),
                rows: groups
                    .iter()
                    .map(|g| {
                        vec![
                            Cell::Text(g.name.clone()),
                            Cell::Num(g.counts.total.to_string()),
                            Cell::Num(g.counts.done.to_string()),
                            Cell::Num(g.counts.open.to_string()),
                            Cell::Num(g.counts.overdue.to_string()),
                            Cell::Num(g.counts.not_doing.to_string()),
                            Cell::Num(g.counts.unknown.to_string()),
                            Cell::Num(g.completion_rate.map(fmt_pct).unwrap_or_else(|| "–".into())),
                            Cell::Num(
                                g.median_open_age_days
                                    .map(fmt_num)
                                    .unwrap_or_else(|| "–".into()),
                            ),
                        ]
                    })
                    .collect(),
            };
            view.tables.push(TitledTable {
                title,
                table: table.view(),
            });
        }
        if !a.oldest_overdue.is_empty() {
            let table = Table {
                caption: match a.oldest_overdue.len() {
                    1 => format!("The one overdue item as of {as_of}"),
                    n => format!("The {n} most overdue items as of {as_of}"),
                },
                head: [
                    "due",
                    "days overdue",
                    "action",
                    "priority",
                    "owner",
                    "post-mortem",
                ]
                .map(String::from)
                .to_vec(),
                rows: a
                    .oldest_overdue
                    .iter()
                    .map(|o| {
                        vec![
                            Cell::Text(o.due.to_string()),
                            Cell::Num(o.days_overdue.to_string()),
                            Cell::Text(o.action.clone()),
                            Cell::Text(o.priority.clone().unwrap_or_default()),
                            Cell::Text(o.owner.clone().unwrap_or_else(|| "no owner".into())),
                            Cell::Link {
                                text: o.incident_title.clone(),
                                href: page.incident(&o.incident),
                            },
                        ]
                    })
                    .collect(),
            };
            view.oldest = Some(table.view());
        }
        view
    }
}

fn stats_cells(s: &Stats) -> Vec<Cell> {
    let f = |v: Option<f64>| Cell::Num(v.map(fmt_num).unwrap_or_else(|| "–".into()));
    vec![
        Cell::Num(s.missing.to_string()),
        f(s.median),
        f(s.p25),
        f(s.p75),
        f(s.p90),
    ]
}

/// ` · 2 excluded` when figures were left out as implausible, else nothing.
fn excluded_text(excluded: usize) -> String {
    if excluded == 0 {
        String::new()
    } else {
        format!(" · {excluded} excluded")
    }
}
