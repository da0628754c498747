//! The trend dashboards: `dashboard/` for the organisation and `dashboard/teams/<team>/`,
//! `dashboard/services/<service>/` for every team and service, each in three periods
//! (all time at the folder's `index.html`, `last-year/` and `last-90-days/`, switched
//! by plain links so no JavaScript is needed), plus `api/trends.json`.
//!
//! Every mark of every chart links to the incidents behind it: a single incident's page,
//! or a section of a drill-down list generated here under `<dashboard>/lists/<period>/`
//! (by time, `causes/` and, except on a service's own dashboard, `services/`). Each list
//! holds every post-mortem of the scope and period once per grouping, with an anchor
//! per bin, severity, cause and service (a `<section>`, or a `<table>`/`<tbody>` in the
//! by-time list), so the element a bar links to lists exactly the incidents the bar
//! counts. Lists stay per period: the windows end at the as-of date, so their first
//! month and quarter are cut short and a window's totals (per cause, per service) are
//! other sets than all time's; sharing one list would need sections that overlap.
//! Figures come from `analysis::trends`; this module only lays them out, with lean
//! markup (a large archive has thousands of marks and rows per page).
//!
//! A scope (`ScopeKey`) renders alone (`render_scope`, for `serve`'s pages on demand):
//! it computes only its own figures, and every file it writes lies under its folder
//! (`scope_base`), which is found again from a path with `scope_for_path`. `render`
//! renders every scope in parallel plus `trends_json`, and equals the union of those,
//! byte for byte. The output is deterministic.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};
use rayon::prelude::*;
use serde::Serialize;

use super::charts::{
    self, BarGroup, BoxSummary, Cell, DistGroup, Distribution, Grid, GridCell, GridRow, HBar,
    HBars, Mark, Series, StackedBars, Table, esc, esc_into,
};
use super::{Renderer, root_prefix, urls};
use crate::analysis::trends::{
    self, Granularity, Headline, Metric, PeriodKind, PeriodTrends, ScopeKind, ScopeNames,
    ScopeTrends, Stats,
};
use crate::config::Config;
use crate::model::{Archive, Incident, Insights};
use crate::site::{OutputFile, Site};
use crate::words::plural;
use jiff::civil::Date;

/// Output path of the JSON export.
pub const TRENDS_JSON: &str = "api/trends.json";

/// Incidents drawn as individual points per quarter; beyond it the box stands alone.
pub const MAX_POINTS_PER_GROUP: usize = 40;

/// Causes drawn in the Pareto and causes-by-quarter charts (the data table lists all).
const MAX_CAUSES_DRAWN: usize = 20;

/// About what one incident takes in a drill-down list, to size its buffer once.
const LIST_ROW_BYTES: usize = 256;

/// One dashboard: the organisation's (`name` empty), a team's or a service's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeKey {
    pub kind: ScopeKind,
    pub name: String,
}

impl ScopeKey {
    pub fn org() -> ScopeKey {
        ScopeKey {
            kind: ScopeKind::Org,
            name: String::new(),
        }
    }

    /// The folder every file of this scope lives under (`scope_base`).
    pub fn base(&self) -> String {
        scope_base(self.kind, &self.name)
    }
}

/// Every scope `render` builds: the organisation first, then teams, then services,
/// each sorted by name. Teams (or services) whose names share a slug share a folder, so
/// only the first by name gets a dashboard. Cheap: one pass over the archive's labels.
pub fn scope_keys(archive: &Archive) -> Vec<ScopeKey> {
    Catalog::keys(archive)
        .into_iter()
        .map(|(key, _)| key)
        .collect()
}

/// The scope that writes `path` (relative to the output root), if any. Needed because
/// the organisation's folder `dashboard/` is a prefix of every other scope's folder: a
/// path is the organisation's only when it is one of the organisation's own files.
pub fn scope_for_path(archive: &Archive, path: &str) -> Option<ScopeKey> {
    let rest = path.strip_prefix("dashboard/")?;
    let (kind, rest) = if let Some(r) = rest.strip_prefix("teams/") {
        (ScopeKind::Team, r)
    } else if let Some(r) = rest.strip_prefix("services/") {
        (ScopeKind::Service, r)
    } else {
        let org = ScopeKey::org();
        let paths = scope_paths(org.kind, &org.name);
        return paths.iter().any(|p| p == path).then_some(org);
    };
    let slug = rest.split_once('/')?.0;
    let key = Catalog::keys(archive)
        .into_iter()
        .map(|(key, _)| key)
        .find(|k| k.kind == kind && urls::slug(&k.name) == slug)?;
    scope_paths(key.kind, &key.name)
        .iter()
        .any(|p| p == path)
        .then_some(key)
}

/// The drill-down lists of a scope. A service's dashboard has no list by service: its
/// heat map is its own row, whose cells link to the by-time list.
fn list_kinds(kind: ScopeKind) -> &'static [ListKind] {
    match kind {
        ScopeKind::Service => &[ListKind::ByTime, ListKind::ByCause],
        _ => &[ListKind::ByTime, ListKind::ByCause, ListKind::ByService],
    }
}

/// Every path a scope writes, in the order `render_scope` returns them: per period the
/// dashboard page, then its drill-down lists by time, by cause and (except for a
/// service) by service.
pub fn scope_paths(kind: ScopeKind, name: &str) -> Vec<String> {
    let base = scope_base(kind, name);
    let mut paths = Vec::new();
    for p in PeriodKind::EVERY {
        paths.push(page_path(&base, p));
        paths.extend(list_kinds(kind).iter().map(|&k| list_path(&base, p, k)));
    }
    paths
}

/// Render every dashboard page, drill-down list and `api/trends.json`: every scope's
/// figures computed once (in parallel) for the pages and the export alike, then every
/// scope's pages in parallel.
pub fn render(
    renderer: &Renderer,
    site: &Site,
    archive: &Archive,
    insights: &Insights,
) -> Result<Vec<OutputFile>> {
    let all = trends::compute(archive, insights, site.as_of, &site.config);
    let json = export(&all)?;
    let catalog = Catalog::new(archive);
    let ctx = Ctx::new(renderer, site, archive, insights, &catalog);
    let rendered: Vec<Result<Vec<OutputFile>>> = catalog
        .entries
        .par_iter()
        .map(|e| {
            let scope = match e.key.kind {
                ScopeKind::Org => &all.org,
                ScopeKind::Team => &all.teams[&e.key.name],
                ScopeKind::Service => &all.services[&e.key.name],
            };
            ctx.scope_files(&Scope::new(scope))
        })
        .collect();
    let mut files = vec![json];
    for r in rendered {
        files.extend(r?);
    }
    Ok(files)
}

/// The files of one scope (`scope_paths`), computing only that scope's figures.
pub fn render_scope(
    renderer: &Renderer,
    site: &Site,
    archive: &Archive,
    insights: &Insights,
    key: &ScopeKey,
) -> Result<Vec<OutputFile>> {
    let catalog = Catalog::new(archive);
    if !catalog.entries.iter().any(|e| &e.key == key) {
        bail!("no dashboard for {} `{}`", key.kind.as_str(), key.name);
    }
    let figures = trends::scope(
        archive,
        insights,
        site.as_of,
        &site.config,
        key.kind,
        &key.name,
    );
    Ctx::new(renderer, site, archive, insights, &catalog).scope_files(&Scope::new(&figures))
}

/// `api/trends.json`: every figure of every scope (`trends::compute`).
pub fn trends_json(site: &Site, archive: &Archive, insights: &Insights) -> Result<OutputFile> {
    export(&trends::compute(
        archive,
        insights,
        site.as_of,
        &site.config,
    ))
}

fn export(figures: &trends::Trends) -> Result<OutputFile> {
    // Compact: the export of a large archive runs to megabytes; pretty-printing tripled it.
    let mut json = serde_json::to_string(figures)?;
    json.push('\n');
    Ok(OutputFile::new(TRENDS_JSON, json))
}

/// Folder of a scope's dashboard, e.g. `dashboard/teams/payments/`.
pub fn scope_base(kind: ScopeKind, name: &str) -> String {
    match kind {
        ScopeKind::Org => "dashboard/".to_string(),
        ScopeKind::Team => urls::dashboard_for("team", name)
            .trim_end_matches("index.html")
            .to_string(),
        ScopeKind::Service => urls::dashboard_for("service", name)
            .trim_end_matches("index.html")
            .to_string(),
    }
}

/// The dashboard page of a scope for a period.
pub fn page_path(base: &str, period: PeriodKind) -> String {
    match period {
        PeriodKind::All => format!("{base}index.html"),
        other => format!("{base}{}/index.html", other.key()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    ByTime,
    ByCause,
    ByService,
}

/// A drill-down list of a scope and period.
fn list_path(base: &str, period: PeriodKind, kind: ListKind) -> String {
    let sub = match kind {
        ListKind::ByTime => "",
        ListKind::ByCause => "causes/",
        ListKind::ByService => "services/",
    };
    format!("{base}lists/{}/{sub}index.html", period.key())
}

/// The scopes that get pages, with their folders and sizes, from the archive alone.
/// Teams (or services) whose names share a slug would share a folder, so only the
/// first by name gets pages.
struct Catalog {
    entries: Vec<CatalogEntry>,
}

struct CatalogEntry {
    key: ScopeKey,
    base: String,
    /// Post-mortems in the scope, near misses and undated ones included.
    post_mortems: usize,
}

impl Catalog {
    /// Every scope that gets pages, with its folder; one pass over the labels.
    fn keys(archive: &Archive) -> Vec<(ScopeKey, String)> {
        let names = ScopeNames::of(archive);
        let mut keys = vec![(ScopeKey::org(), scope_base(ScopeKind::Org, ""))];
        let mut seen = std::collections::BTreeSet::new();
        for (kind, set) in [
            (ScopeKind::Team, names.teams),
            (ScopeKind::Service, names.services),
        ] {
            for name in set {
                let base = scope_base(kind, &name);
                if seen.insert(base.clone()) {
                    keys.push((ScopeKey { kind, name }, base));
                }
            }
        }
        keys
    }

    /// `keys` with the number of post-mortems of each scope.
    fn new(archive: &Archive) -> Catalog {
        let mut counts: BTreeMap<(ScopeKind, &str), usize> = BTreeMap::new();
        for incident in &archive.incidents {
            for (kind, values) in [
                (ScopeKind::Team, &incident.teams),
                (ScopeKind::Service, &incident.services),
            ] {
                let mut named: Vec<&str> = values
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .collect();
                named.sort_unstable();
                named.dedup();
                for v in named {
                    *counts.entry((kind, v)).or_default() += 1;
                }
            }
        }
        let entries = Catalog::keys(archive)
            .into_iter()
            .map(|(key, base)| CatalogEntry {
                post_mortems: match key.kind {
                    ScopeKind::Org => archive.incidents.len(),
                    kind => counts.get(&(kind, key.name.as_str())).copied().unwrap_or(0),
                },
                key,
                base,
            })
            .collect();
        Catalog { entries }
    }
}

/// A scope being rendered: its figures and folder.
struct Scope<'a> {
    trends: &'a ScopeTrends,
    base: String,
}

impl Scope<'_> {
    fn new(trends: &ScopeTrends) -> Scope<'_> {
        Scope {
            base: scope_base(trends.kind, &trends.name),
            trends,
        }
    }

    fn heading(&self) -> String {
        match self.trends.kind {
            ScopeKind::Org => "Dashboard".to_string(),
            ScopeKind::Team => format!("Dashboard: team {}", self.trends.name),
            ScopeKind::Service => format!("Dashboard: service {}", self.trends.name),
        }
    }
}

/// Relative link from the page at `from` to the site path `to`, as short as it gets:
/// the folders both paths share are left out (`lists/all/index.html` from the
/// dashboard beside it, `../../incidents/x/index.html` from elsewhere).
fn href(from: &str, to: &str) -> String {
    let from_dir = &from[..from.rfind('/').map_or(0, |i| i + 1)];
    let mut common = 0;
    for (i, _) in from_dir.match_indices('/') {
        if to.len() > i && to.as_bytes()[..=i] == from_dir.as_bytes()[..=i] {
            common = i + 1;
        } else {
            break;
        }
    }
    let up = from_dir[common..].matches('/').count();
    format!("{}{}", "../".repeat(up), urls::href(&to[common..]))
}

/// `12.5`, `15`: one decimal at most, none when whole.
pub fn fmt_num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Minutes for people: `15 min`, `2.5 h` (from 1 h up to 48 h), `3.1 d`.
pub fn fmt_minutes(m: f64) -> String {
    if m < 60.0 {
        format!("{} min", fmt_num(m))
    } else if m < 2880.0 {
        format!("{} h", fmt_num(m / 60.0))
    } else {
        format!("{} d", fmt_num(m / 1440.0))
    }
}

/// A rate 0..=1 as a percentage: `33.3%`.
pub fn fmt_pct(rate: f64) -> String {
    format!("{}%", fmt_num(rate * 100.0))
}

/// Unique anchors for names (cause, service), stable for a given set of names.
fn anchors<'a>(prefix: &str, names: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort();
    names.dedup();
    let mut used = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for name in names {
        let base = format!("{prefix}-{}", urls::slug(name));
        let mut anchor = base.clone();
        let mut k = 2;
        while !used.insert(anchor.clone()) {
            anchor = format!("{base}-{k}");
            k += 1;
        }
        out.insert(name.to_string(), anchor);
    }
    out
}

fn time_anchor(bin_key: &str) -> String {
    format!("t-{}", bin_key.to_lowercase())
}

/// Severity series of a period: configured levels, then other values found, then unknown.
struct Severities {
    keys: Vec<String>,
}

impl Severities {
    fn new(config: &Config, period: &PeriodTrends) -> Severities {
        let mut keys = config.severities.clone();
        let mut extra: Vec<String> = period
            .counts
            .iter()
            .flat_map(|c| c.by_severity.keys())
            .filter(|k| !keys.contains(k) && *k != trends::UNKNOWN_SEVERITY)
            .cloned()
            .collect();
        extra.sort();
        extra.dedup();
        keys.extend(extra);
        if period
            .counts
            .iter()
            .any(|c| c.by_severity.contains_key(trends::UNKNOWN_SEVERITY))
        {
            keys.push(trends::UNKNOWN_SEVERITY.to_string());
        }
        Severities { keys }
    }

    fn class(config: &Config, key: &str) -> String {
        match config.severities.iter().position(|s| s == key) {
            Some(rank) if rank < 4 => format!("sev{rank}"),
            _ if key == trends::UNKNOWN_SEVERITY => "sev-unknown".to_string(),
            _ => "sev-other".to_string(),
        }
    }
}

/// A link of a switch (periods, list groupings); `current` marks the page itself.
#[derive(Serialize)]
struct PeriodLink {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Section {
    id: &'static str,
    title: String,
    html: String,
}

struct Ctx<'a> {
    renderer: &'a Renderer,
    config: &'a Config,
    archive: &'a Archive,
    insights: &'a Insights,
    as_of: Date,
    catalog: &'a Catalog,
}

impl<'a> Ctx<'a> {
    fn new(
        renderer: &'a Renderer,
        site: &'a Site,
        archive: &'a Archive,
        insights: &'a Insights,
        catalog: &'a Catalog,
    ) -> Ctx<'a> {
        Ctx {
            renderer,
            config: &site.config,
            archive,
            insights,
            as_of: site.as_of,
            catalog,
        }
    }
}

/// What one page needs to know about where it is.
struct PageCtx<'a> {
    kind: ScopeKind,
    period: &'a PeriodTrends,
    path: String,
    /// The period's post-mortems by date (then id).
    sorted: &'a [&'a Incident],
    /// Relative links to the period's three lists (by `ListKind`), made once per page.
    lists: [String; 3],
    /// The way back to the site root, for links to incidents.
    root: String,
    /// Per incident of `sorted`: its link and `title (date)`, for duration points.
    point_labels: std::cell::OnceCell<Vec<(String, String)>>,
}

/// The incidents of `sorted` (by date) dated `start..=end`; undated ones never match.
fn within<'s, 'a>(sorted: &'s [&'a Incident], start: Date, end: Date) -> &'s [&'a Incident] {
    &sorted[within_range(sorted, start, end)]
}

/// `within` as positions in `sorted`.
fn within_range(sorted: &[&Incident], start: Date, end: Date) -> std::ops::Range<usize> {
    let lo = sorted.partition_point(|i| i.date < Some(start));
    let hi = sorted.partition_point(|i| i.date <= Some(end));
    lo..hi.max(lo)
}

impl<'a> PageCtx<'a> {
    fn new(scope: &Scope, period: &'a PeriodTrends, sorted: &'a [&'a Incident]) -> Self {
        let path = page_path(&scope.base, period.period);
        let list = |kind| href(&path, &list_path(&scope.base, period.period, kind));
        PageCtx {
            lists: [
                list(ListKind::ByTime),
                list(ListKind::ByCause),
                list(ListKind::ByService),
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
    fn scope_files(&self, scope: &Scope) -> Result<Vec<OutputFile>> {
        let mut files = Vec::new();
        for period in &scope.trends.periods {
            let sorted = self.sorted(period.members.iter().copied());
            files.push(self.dashboard_page(scope, period, &sorted)?);
            files.push(self.list_by_time(scope, period, &sorted)?);
            let incidents: Vec<&Incident> = sorted
                .iter()
                .copied()
                .filter(|i| !i.is_near_miss())
                .collect();
            files.push(self.list_by_cause(scope, period, &incidents)?);
            if list_kinds(scope.trends.kind).contains(&ListKind::ByService) {
                files.push(self.list_by_service(scope, period, &incidents)?);
            }
        }
        Ok(files)
    }

    fn min(&self) -> usize {
        self.config.dashboard.min_incidents
    }

    /// `sorted`: the period's post-mortems by date.
    fn dashboard_page(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        sorted: &[&Incident],
    ) -> Result<OutputFile> {
        let page = PageCtx::new(scope, period, sorted);
        let path = page.path.clone();
        let periods: Vec<PeriodLink> = PeriodKind::EVERY
            .iter()
            .map(|&p| PeriodLink {
                label: p.label(),
                href: href(&path, &page_path(&scope.base, p)),
                current: p == period.period,
            })
            .collect();
        let mut notices = Vec::new();
        if !period.enough_data {
            notices.push(format!(
                "{} in this period ({}). Trends and comparisons need at least {}, so no charts are drawn; the figures below rest on these incidents alone. <a href=\"{}\">List them</a>.",
                esc(&plural(period.headline.incidents, "incident", "incidents")),
                esc(&format!("{} to {}", period.start, period.end)),
                self.min(),
                esc(&page.link(ListKind::ByTime, None)),
            ));
        }
        if period.undated > 0 {
            notices.push(format!(
                "{} no date, so they appear on no chart. <a href=\"{}\">List them</a>.",
                esc(&plural(
                    period.undated,
                    "post-mortem has",
                    "post-mortems have"
                )),
                esc(&page.link(ListKind::ByTime, Some("undated"))),
            ));
        }
        if period.headline.near_misses > 0 {
            notices.push(format!(
                "{} in this period {} counted apart from incidents and left out of response times, causes and the heat map.",
                esc(&plural(period.headline.near_misses, "near miss", "near misses")),
                if period.headline.near_misses == 1 { "is" } else { "are" }
            ));
        }
        let mut sections = Vec::new();
        if period.enough_data {
            sections.push(Section {
                id: "incidents",
                title: "Incidents over time".into(),
                html: self.counts_section(&page),
            });
            sections.push(Section {
                id: "response",
                title: "Response times".into(),
                html: self.durations_section(&page),
            });
            sections.push(Section {
                id: "causes",
                title: "Causes".into(),
                html: self.causes_section(&page),
            });
            sections.push(Section {
                id: "services",
                title: "Services".into(),
                html: self.heatmap_section(&page),
            });
        }
        sections.push(Section {
            id: "action-items",
            title: "Action items".into(),
            html: self.actions_section(&page),
        });
        let mut ctx = tera::Context::new();
        ctx.insert("heading", &scope.heading());
        ctx.insert("scope_kind", scope.trends.kind.as_str());
        ctx.insert("scope_name", &scope.trends.name);
        ctx.insert("scope_term", &self.scope_term_link(scope, &path));
        ctx.insert("org_dashboard", &href(&path, urls::DASHBOARD));
        ctx.insert("period_label", period.period.label());
        ctx.insert("period_start", &period.start.to_string());
        ctx.insert("period_end", &period.end.to_string());
        ctx.insert("periods", &periods);
        ctx.insert("notices", &notices);
        ctx.insert("headline", &self.headline_html(&page));
        ctx.insert("sections", &sections);
        ctx.insert("scope_links", &self.scope_links(scope, &path));
        ctx.insert("trends_json", &href(&path, TRENDS_JSON));
        self.renderer.page("dashboard.html", &path, ctx)
    }

    /// The list page of a team or service (H2's term pages), from a scope dashboard.
    fn scope_term_link(&self, scope: &Scope, from: &str) -> String {
        match scope.trends.kind {
            ScopeKind::Org => String::new(),
            ScopeKind::Team => href(from, &urls::term("team", &scope.trends.name)),
            ScopeKind::Service => href(from, &urls::term("service", &scope.trends.name)),
        }
    }

    /// On the organisation's dashboard: links to every team and service dashboard.
    fn scope_links(&self, scope: &Scope, from: &str) -> String {
        if scope.trends.kind != ScopeKind::Org || self.catalog.entries.len() < 2 {
            return String::new();
        }
        let mut out = String::from(
            r#"<section class="dash-section" id="scopes"><h2>Dashboards by team and service</h2><div class="scope-lists">"#,
        );
        for (kind, title) in [(ScopeKind::Team, "Teams"), (ScopeKind::Service, "Services")] {
            let _ = write!(out, "<div><h3>{title}</h3><ul>");
            for s in self.catalog.entries.iter().filter(|s| s.key.kind == kind) {
                let _ = write!(
                    out,
                    r#"<li><a href="{}">{}</a> <span class="muted">{}</span></li>"#,
                    esc(&href(from, &page_path(&s.base, PeriodKind::All))),
                    esc(&s.key.name),
                    esc(&plural(s.post_mortems, "post-mortem", "post-mortems"))
                );
            }
            out.push_str("</ul></div>");
        }
        out.push_str("</div></section>");
        out
    }

    fn headline_html(&self, page: &PageCtx) -> String {
        let period = page.period;
        let h = &period.headline;
        let cmp = period.comparison.as_ref();
        let prev_label = match period.period {
            PeriodKind::LastYear => "previous year",
            _ => "previous 90 days",
        };
        let mut out = String::from(
            r#"<section class="headline" aria-label="Headline figures"><dl class="figures">"#,
        );
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
        figure_item(
            &mut out,
            "Incidents",
            &h.incidents.to_string(),
            &page.link(ListKind::ByTime, None),
            &if h.near_misses > 0 {
                format!(
                    "not counting {}",
                    plural(h.near_misses, "near miss", "near misses")
                )
            } else {
                "near misses not included".to_string()
            },
            &count_cmp(h.incidents, |p| p.incidents),
        );
        figure_item(
            &mut out,
            &format!("{severe} incidents"),
            &h.high_severity.to_string(),
            &page.link(ListKind::ByTime, None),
            "the two most severe levels",
            &count_cmp(h.high_severity, |p| p.high_severity),
        );
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
                "n={} · {} missing{}",
                stats.n,
                stats.missing,
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
            figure_item(
                &mut out,
                label,
                &value,
                &page.link(ListKind::ByTime, None),
                &detail,
                &comparison,
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
        figure_item(
            &mut out,
            "Repeat rate",
            &rr.rate.map(fmt_pct).unwrap_or_else(|| "no data".into()),
            &page.link(ListKind::ByCause, Some("repeats")),
            &format!(
                "{} of {} repeat an earlier cause",
                rr.repeats,
                plural(rr.incidents, "incident", "incidents")
            ),
            &comparison,
        );
        let a = &period.action_items;
        figure_item(
            &mut out,
            "Overdue action items",
            &a.counts.overdue.to_string(),
            "#action-items",
            &format!(
                "of {} · due before {}",
                plural(a.counts.total, "item", "items"),
                self.as_of
            ),
            "",
        );
        out.push_str("</dl>");
        if period.period == PeriodKind::All {
            out.push_str(r#"<p class="note">All time has no previous period: choose the last year or the last 90 days to compare.</p>"#);
        }
        out.push_str("</section>");
        out
    }

    fn counts_section(&self, page: &PageCtx) -> String {
        let period = page.period;
        let sev = Severities::new(self.config, period);
        let unit = match period.granularity {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        };
        let mut series: Vec<Series> = sev
            .keys
            .iter()
            .map(|k| Series {
                name: k.clone(),
                class: Severities::class(self.config, k),
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
            let mut segments: Vec<Option<Mark>> = sev
                .keys
                .iter()
                .map(|k| {
                    let count = c.by_severity.get(k).copied().unwrap_or(0);
                    (count > 0).then(|| Mark {
                        value: count as f64,
                        href: page.link(
                            ListKind::ByTime,
                            Some(&format!("{anchor}-{}", urls::slug(k))),
                        ),
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
                href: page.link(ListKind::ByTime, Some(&format!("{anchor}-near-miss"))),
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
            for k in &sev.keys {
                row.push(Cell::Num(
                    c.by_severity.get(k).copied().unwrap_or(0).to_string(),
                ));
            }
            row.push(Cell::Num(c.near_misses.to_string()));
            row.push(if c.incidents + c.near_misses > 0 {
                Cell::NumLink {
                    text: c.incidents.to_string(),
                    href: page.link(ListKind::ByTime, Some(&anchor)),
                }
            } else {
                Cell::Num("0".into())
            });
            rows.push(row);
        }
        let mut head = vec![unit.to_string()];
        head.extend(sev.keys.iter().cloned());
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
        let explanation = format!(
            "Incidents per calendar {unit}, stacked by severity; {unit}s with no incidents show as zero. The first and last {unit} are cut to the period. Near misses are stacked on top in their own colour and are not counted as incidents."
        );
        charts::figure(
            "chart-incidents",
            &format!("Incidents per {unit}"),
            &esc(&explanation),
            &chart.svg(),
            &chart.legend(),
            &table,
        )
    }

    fn durations_section(&self, page: &PageCtx) -> String {
        let period = page.period;
        let min = self.min();
        let mut out = format!(
            "<p class=\"note\">Per quarter: the box spans the interquartile range (p25–p75), the bar inside it is the median, the whisker above it reaches p90 and each dot is one incident (it links to it); log scale. Quarters resting on fewer than {min} incidents show dots only, and the median line joins only quarters with a box. Percentiles use {}. Near misses are excluded{}.</p>",
            esc(trends::PERCENTILE_METHOD),
            if period.headline.near_misses > 0 {
                format!(" ({} in this period)", period.headline.near_misses)
            } else {
                String::new()
            }
        );
        for metric in &period.durations {
            out.push_str(&self.metric_figure(page, metric));
        }
        out
    }

    fn metric_figure(&self, page: &PageCtx, trend: &trends::MetricTrend) -> String {
        let min = self.min();
        let label = trend.metric.label();
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        for q in &trend.by_quarter {
            let s = &q.stats;
            let anchor = time_anchor(&q.bin.key);
            let summary_title = format!("{} · {label}: {}", q.bin.label, describe_stats(s));
            let summary = match (s.n >= min && s.n > 0, s.p25, s.median, s.p75, s.p90) {
                (true, Some(p25), Some(median), Some(p75), Some(p90)) => Some(BoxSummary {
                    p25,
                    median,
                    p75,
                    p90,
                    href: page.link(ListKind::ByTime, Some(&anchor)),
                    title: summary_title.clone(),
                }),
                _ => None,
            };
            let points = self.points(page, trend.metric, &q.bin);
            groups.push(DistGroup {
                label: q.bin.label.clone(),
                note: format!("n={} · {} missing", s.n, s.missing),
                summary,
                points,
            });
            let mut row = vec![Cell::Text(q.bin.label.clone())];
            row.push(if s.n + s.missing > 0 {
                Cell::NumLink {
                    text: s.n.to_string(),
                    href: page.link(ListKind::ByTime, Some(&anchor)),
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
        let crowded = trend
            .by_quarter
            .iter()
            .any(|q| q.stats.n > MAX_POINTS_PER_GROUP);
        let mut explanation = format!("Whole period: {}.", esc(&describe_stats(&trend.overall)));
        if crowded {
            let _ = write!(
                explanation,
                " Quarters with more than {MAX_POINTS_PER_GROUP} incidents show the box without individual dots."
            );
        }
        let table = Table {
            caption: format!("{label} per quarter, in minutes"),
            head: ["quarter", "n", "missing", "median", "p25", "p75", "p90"]
                .map(String::from)
                .to_vec(),
            rows,
        };
        charts::figure(
            &format!("chart-{}", trend.metric.key().replace('_', "-")),
            label,
            &explanation,
            &chart.svg(),
            "",
            &table,
        )
    }

    /// One point per incident of the quarter with the metric; none when there are more
    /// than `MAX_POINTS_PER_GROUP` (the chart then draws the box alone).
    fn points(&self, page: &PageCtx, metric: Metric, quarter: &trends::Bin) -> Vec<Mark> {
        let points: Vec<(usize, i64)> = within_range(page.sorted, quarter.start, quarter.end)
            .filter(|&k| !page.sorted[k].is_near_miss())
            .filter_map(|k| metric.minutes(&page.sorted[k].durations).map(|m| (k, m)))
            .collect();
        if points.len() > MAX_POINTS_PER_GROUP {
            return Vec::new();
        }
        // Link and name of each incident, made once per page for the four metrics.
        let labels = page.point_labels.get_or_init(|| {
            page.sorted
                .iter()
                .map(|i| {
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

    fn causes_section(&self, page: &PageCtx) -> String {
        let period = page.period;
        let causes = &period.causes;
        let anchors = anchors("c", causes.pareto.iter().map(|p| p.cause.as_str()));
        let mut out = String::new();
        let rr = &period.headline.repeat_rate;
        let _ = write!(
            out,
            r#"<p class="repeat-rate"><strong>Repeat rate: <a href="{}">{}</a></strong> — {} of {} repeat the cause of an earlier incident within {} days (share of incidents with an earlier incident of the same cause).</p>"#,
            esc(&page.link(ListKind::ByCause, Some("repeats"))),
            esc(&rr.rate.map(fmt_pct).unwrap_or_else(|| "no data".into())),
            rr.repeats,
            esc(&plural(rr.incidents, "incident", "incidents")),
            self.config.repeats.window_days,
        );
        if causes.incidents_without_cause > 0 {
            let _ = write!(
                out,
                r#"<p class="note"><a href="{}">{}</a> no cause category and {} not counted below.</p>"#,
                esc(&page.link(ListKind::ByCause, Some("no-cause"))),
                esc(&plural(
                    causes.incidents_without_cause,
                    "incident has",
                    "incidents have"
                )),
                if causes.incidents_without_cause == 1 {
                    "is"
                } else {
                    "are"
                }
            );
        }
        if causes.pareto.is_empty() {
            out.push_str(r#"<p class="empty">No incident in this period names a cause.</p>"#);
            return out;
        }
        let drawn = &causes.pareto[..causes.pareto.len().min(MAX_CAUSES_DRAWN)];
        let rows = drawn
            .iter()
            .map(|p| HBar {
                label: p.cause.clone(),
                text: format!("{} · {}", p.count, fmt_pct(p.share)),
                mark: Mark {
                    value: p.share,
                    href: page.link(ListKind::ByCause, Some(&anchors[&p.cause])),
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
                            href: page.link(ListKind::ByCause, Some(&anchors[&p.cause])),
                        },
                        Cell::Num(fmt_pct(p.share)),
                        Cell::Num(fmt_pct(p.cumulative_share)),
                    ]
                })
                .collect(),
        };
        let mut explanation = format!(
            "Each cause category with the number of incidents naming it, most frequent first; the line is the cumulative share of all {} cause mentions (an incident may name several causes).",
            causes.mentions
        );
        if causes.pareto.len() > drawn.len() {
            let _ = write!(
                explanation,
                " The chart shows the top {}; the table lists all {}.",
                drawn.len(),
                causes.pareto.len()
            );
        }
        out.push_str(&charts::figure(
            "chart-pareto",
            "Pareto of causes",
            &esc(&explanation),
            &chart.svg(),
            "",
            &table,
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
                                    ListKind::ByCause,
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
        out.push_str(&charts::figure(
            "chart-causes-by-quarter",
            "Causes by quarter",
            "Incidents naming each cause, per quarter; darker cells hold more.",
            &grid.svg(),
            "",
            &table,
        ));
        out
    }

    fn heatmap_section(&self, page: &PageCtx) -> String {
        let period = page.period;
        let heat = &period.heatmap;
        if heat.rows.is_empty() {
            return r#"<p class="empty">No incident in this period names an affected service.</p>"#
                .to_string();
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
                                        ListKind::ByTime,
                                        Some(&format!("{}-incidents", time_anchor(&c.bin.key))),
                                    )
                                } else {
                                    page.link(
                                        ListKind::ByService,
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
                            href: page.link(ListKind::ByService, Some(&anchors[&r.service])),
                        }
                    });
                    row
                })
                .collect(),
        };
        let explanation = format!(
            "Each cell sums the severity weights of the incidents affecting the service in that {}: {}; other or unknown severities weigh 1. Darker cells weigh more; empty cells had no incidents.",
            match period.granularity {
                Granularity::Month => "month",
                Granularity::Quarter => "quarter",
            },
            weights.join(", ")
        );
        charts::figure(
            "chart-heatmap",
            "Services × time, weighted by severity",
            &esc(&explanation),
            &grid.svg(),
            "",
            &table,
        )
    }

    fn actions_section(&self, page: &PageCtx) -> String {
        let period = page.period;
        let a = &period.action_items;
        let as_of = self.as_of;
        let mut out = String::new();
        if a.counts.total == 0 {
            out.push_str(
                r#"<p class="empty">No action items in the post-mortems of this period.</p>"#,
            );
            return out;
        }
        let _ = write!(
            out,
            r#"<p class="action-summary">{}: {} done, {} open ({} without a due date), <strong>{} overdue</strong> as of {as_of}, {} not doing. Completion rate <strong>{}</strong> (done ÷ items not declined). Median age of open items: <strong>{}</strong>{}.</p>"#,
            esc(&plural(a.counts.total, "item", "items")),
            a.counts.done,
            a.counts.open,
            a.counts.open_without_due,
            a.counts.overdue,
            a.counts.not_doing,
            a.completion_rate
                .map(fmt_pct)
                .unwrap_or_else(|| "no data".into()),
            a.median_open_age_days
                .map(|d| format!("{} days", fmt_num(d)))
                .unwrap_or_else(|| "no open items".into()),
            if a.open_age_missing > 0 {
                format!(
                    " ({} open items belong to undated post-mortems, so have no age)",
                    a.open_age_missing
                )
            } else {
                String::new()
            },
        );
        let explanation = format!(
            "Post-mortems record an item's current status, not when it changed, so this chart cannot replay the past: it groups items by the {} of their incident and shows their status as of {as_of}. Overdue means open with a due date before {as_of}. Age is counted from the incident date, the only creation date recorded.",
            match period.granularity {
                Granularity::Month => "month",
                Granularity::Quarter => "quarter",
            }
        );
        if period.enough_data {
            let series = [
                ("done", "act-done"),
                ("open", "act-open"),
                ("overdue", "act-overdue"),
                ("not doing", "act-not-doing"),
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
                let link = page.link(ListKind::ByTime, Some(&time_anchor(&cohort.bin.key)));
                let title = format!(
                    "{}: {} — {} done, {} open, {} overdue, {} not doing",
                    cohort.bin.label,
                    plural(c.total, "item", "items"),
                    c.done,
                    c.open,
                    c.overdue,
                    c.not_doing
                );
                let segments = [c.done, c.open, c.overdue, c.not_doing]
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
                    [c.done, c.open, c.overdue, c.not_doing].map(|v| Cell::Num(v.to_string())),
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
                    "items",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            };
            out.push_str(&charts::figure(
                "chart-action-items",
                "Action items over time",
                &esc(&explanation),
                &chart.svg(),
                &chart.legend(),
                &table,
            ));
        } else {
            let _ = write!(out, r#"<p class="note">{}</p>"#, esc(&explanation));
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
            let _ = write!(out, "<h3>{}</h3>{}", esc(title), table.html());
        }
        out.push_str("<h3>Oldest overdue items</h3>");
        if a.oldest_overdue.is_empty() {
            let _ = write!(
                out,
                r#"<p class="note">No item is overdue as of {as_of}.</p>"#
            );
        } else {
            let table = Table {
                caption: format!(
                    "The {} most overdue items as of {as_of}",
                    a.oldest_overdue.len()
                ),
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
            out.push_str(&table.html());
        }
        out
    }

    // ---- drill-down lists -------------------------------------------------------------

    fn list_page(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        kind: ListKind,
        heading: &str,
        body: String,
    ) -> Result<OutputFile> {
        let path = list_path(&scope.base, period.period, kind);
        let mut ctx = tera::Context::new();
        ctx.insert("heading", heading);
        ctx.insert("scope_heading", &scope.heading());
        ctx.insert(
            "dashboard",
            &href(&path, &page_path(&scope.base, period.period)),
        );
        ctx.insert("period_label", period.period.label());
        ctx.insert("period_start", &period.start.to_string());
        ctx.insert("period_end", &period.end.to_string());
        let others: Vec<PeriodLink> = [
            ("By date and severity", ListKind::ByTime),
            ("By cause", ListKind::ByCause),
            ("By service", ListKind::ByService),
        ]
        .into_iter()
        .filter(|(_, k)| list_kinds(scope.trends.kind).contains(k))
        .map(|(label, k)| PeriodLink {
            label,
            href: href(&path, &list_path(&scope.base, period.period, k)),
            current: k == kind,
        })
        .collect();
        ctx.insert("others", &others);
        ctx.insert("body", &body);
        self.renderer.page("dashboard_list.html", &path, ctx)
    }

    /// A table of incidents with their response times (the by-time lists, which the
    /// duration charts link to), one `<tbody>` per non-empty group; `table_id` anchors
    /// the whole table. Lists run to
    /// thousands of rows, so the markup is lean: alignment comes from the stylesheet
    /// (`table.data.incidents`).
    fn rows(&self, from: &str, table_id: Option<&str>, groups: &[RowGroup], out: &mut String) {
        out.push_str(r#"<div class="table-wrap"><table class="data incidents""#);
        if let Some(id) = table_id {
            let _ = write!(out, r#" id="{id}""#);
        }
        out.push_str(r#"><thead><tr><th scope="col">date</th><th scope="col">post-mortem</th><th scope="col">severity</th><th scope="col">detect</th><th scope="col">acknowledge</th><th scope="col">mitigate</th><th scope="col">resolve</th></tr></thead>"#);
        let root = root_prefix(from);
        for group in groups.iter().filter(|g| !g.incidents.is_empty()) {
            if group.id.is_empty() {
                out.push_str("<tbody>");
            } else {
                let _ = write!(
                    out,
                    r#"<tbody id="{}"><tr><th colspan="7" scope="rowgroup">{} <span class="count">{}</span></th></tr>"#,
                    group.id,
                    group.heading,
                    plural(group.incidents.len(), group.noun.0, group.noun.1)
                );
            }
            for i in &group.incidents {
                out.push_str("<tr><td>");
                match i.date {
                    Some(d) => {
                        let _ = write!(out, "{d}");
                    }
                    None => out.push_str("no date"),
                }
                let _ = write!(out, r#"</td><th><a href="{root}"#);
                esc_into(out, &urls::href(&urls::incident(&i.id)));
                out.push_str("\">");
                esc_into(out, &i.title);
                out.push_str("</a>");
                if i.is_near_miss() {
                    out.push_str(r#" <span class="tag">near miss</span>"#);
                }
                out.push_str("</th><td>");
                esc_into(out, trends::severity_ref(self.config, i));
                out.push_str("</td>");
                for m in Metric::EVERY {
                    match m.minutes(&i.durations) {
                        Some(v) => {
                            let _ = write!(out, "<td>{}</td>", fmt_minutes(v as f64));
                        }
                        None => out.push_str("<td>–</td>"),
                    }
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody>");
        }
        out.push_str("</table></div>");
    }

    /// A compact list of incidents (the by-cause and by-service lists).
    fn entries(&self, from: &str, incidents: &[&Incident], out: &mut String) {
        let root = root_prefix(from);
        out.push_str(r#"<ul class="incident-list">"#);
        for i in incidents {
            let _ = write!(out, r#"<li><a href="{root}"#);
            esc_into(out, &urls::href(&urls::incident(&i.id)));
            out.push_str("\">");
            esc_into(out, &i.title);
            out.push_str("</a> <small>");
            match i.date {
                Some(d) => {
                    let _ = write!(out, "{d}");
                }
                None => out.push_str("no date"),
            }
            out.push_str(" · ");
            esc_into(out, trends::severity_ref(self.config, i));
            out.push_str("</small></li>");
        }
        out.push_str("</ul>");
    }

    fn sorted(&self, members: impl IntoIterator<Item = usize>) -> Vec<&Incident> {
        let mut v: Vec<&Incident> = members
            .into_iter()
            .map(|i| &self.archive.incidents[i])
            .collect();
        v.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        v
    }

    fn list_by_time(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        incidents: &[&Incident],
    ) -> Result<OutputFile> {
        let path = list_path(&scope.base, period.period, ListKind::ByTime);
        let sev = Severities::new(self.config, period);
        let quarters = trends::bins_for_quarters(period.start, period.end);
        let bins = &period.counts;
        let mut body = String::with_capacity(incidents.len() * LIST_ROW_BYTES);
        let _ = write!(
            body,
            r#"<p>{} and {} from {} to {}, grouped by quarter{} and severity.</p>"#,
            plural(period.headline.incidents, "incident", "incidents"),
            plural(period.headline.near_misses, "near miss", "near misses"),
            period.start,
            period.end,
            if period.granularity == Granularity::Month {
                ", month"
            } else {
                ""
            }
        );
        let in_range =
            |b: &trends::Bin| -> Vec<&Incident> { within(incidents, b.start, b.end).to_vec() };
        for q in &quarters {
            let in_quarter = in_range(q);
            if in_quarter.is_empty() {
                continue;
            }
            let _ = write!(
                body,
                r#"<section class="group" id="{}"><h2>{} <span class="count">{}</span></h2>"#,
                time_anchor(&q.key),
                esc(&q.label),
                esc(&count_text(&in_quarter))
            );
            let bins_here: Vec<&trends::Bin> = match period.granularity {
                Granularity::Quarter => vec![q],
                Granularity::Month => bins
                    .iter()
                    .map(|c| &c.bin)
                    .filter(|b| b.start >= q.start && b.end <= q.end)
                    .collect(),
            };
            for bin in bins_here {
                let in_bin = in_range(bin);
                if in_bin.is_empty() {
                    continue;
                }
                let anchor = time_anchor(&bin.key);
                let nested = period.granularity == Granularity::Month;
                if nested {
                    let _ = write!(
                        body,
                        r#"<section class="group" id="{anchor}"><h3>{} <span class="count">{}</span></h3>"#,
                        esc(&bin.label),
                        esc(&count_text(&in_bin))
                    );
                }
                // One table per bin; each severity (and the near misses) is a `<tbody>`
                // with its own anchor, so one header row serves every group.
                let groups: Vec<RowGroup> = sev
                    .keys
                    .iter()
                    .map(|key| RowGroup {
                        id: format!("{anchor}-{}", urls::slug(key)),
                        heading: format!("{} · {}", esc(&bin.label), esc(key)),
                        incidents: in_bin
                            .iter()
                            .copied()
                            .filter(|i| {
                                !i.is_near_miss() && trends::severity_ref(self.config, i) == key
                            })
                            .collect(),
                        noun: ("incident", "incidents"),
                    })
                    .collect();
                // The incidents' table is itself a target (a service's heat map cells
                // link to it); near misses follow in a table of their own.
                let near = RowGroup {
                    id: format!("{anchor}-near-miss"),
                    heading: format!("{} · near misses", esc(&bin.label)),
                    incidents: in_bin
                        .iter()
                        .copied()
                        .filter(|i| i.is_near_miss())
                        .collect(),
                    noun: ("near miss", "near misses"),
                };
                if groups.iter().any(|g| !g.incidents.is_empty()) {
                    self.rows(
                        &path,
                        Some(&format!("{anchor}-incidents")),
                        &groups,
                        &mut body,
                    );
                }
                if !near.incidents.is_empty() {
                    self.rows(&path, None, &[near], &mut body);
                }
                if nested {
                    body.push_str("</section>");
                }
            }
            body.push_str("</section>");
        }
        if !period.undated_members.is_empty() {
            let undated = self.sorted(period.undated_members.iter().copied());
            let _ = write!(
                body,
                r#"<section class="group" id="undated"><h2>Without a date <span class="count">{}</span></h2>"#,
                undated.len()
            );
            self.rows(
                &path,
                None,
                &[RowGroup {
                    id: String::new(),
                    heading: String::new(),
                    incidents: undated,
                    noun: ("post-mortem", "post-mortems"),
                }],
                &mut body,
            );
            body.push_str("</section>");
        }
        if incidents.is_empty() && period.undated_members.is_empty() {
            body.push_str(r#"<p class="empty">No post-mortems in this period.</p>"#);
        }
        self.list_page(
            scope,
            period,
            ListKind::ByTime,
            "Post-mortems by date and severity",
            body,
        )
    }

    /// `incidents`: the period's incidents by date, near misses left out.
    fn list_by_cause(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        incidents: &[&Incident],
    ) -> Result<OutputFile> {
        let path = list_path(&scope.base, period.period, ListKind::ByCause);
        let causes = &period.causes;
        let anchors = anchors("c", causes.pareto.iter().map(|p| p.cause.as_str()));
        let quarters = trends::bins_for_quarters(period.start, period.end);
        let mut by_cause = group_by(incidents, |i| &i.causes);
        let mut body = String::with_capacity(incidents.len() * LIST_ROW_BYTES);
        body.push_str(
            r#"<p>Incidents of the period by cause category (an incident naming several causes is listed under each), then by quarter. Near misses are not included.</p>"#,
        );
        for p in &causes.pareto {
            let anchor = &anchors[&p.cause];
            let with = by_cause.remove(p.cause.as_str()).unwrap_or_default();
            let _ = write!(
                body,
                r#"<section class="group" id="{anchor}"><h2>{} <span class="count">{}</span></h2>"#,
                esc(&p.cause),
                plural(with.len(), "incident", "incidents")
            );
            for q in &quarters {
                let group: Vec<&Incident> = with
                    .iter()
                    .copied()
                    .filter(|i| i.date.is_some_and(|d| d >= q.start && d <= q.end))
                    .collect();
                if !group.is_empty() {
                    let _ = write!(
                        body,
                        r#"<section class="group" id="{anchor}-{}"><h3>{} · {} <span class="count">{}</span></h3>"#,
                        q.key.to_lowercase(),
                        esc(&p.cause),
                        esc(&q.label),
                        plural(group.len(), "incident", "incidents")
                    );
                    self.entries(&path, &group, &mut body);
                    body.push_str("</section>");
                }
            }
            body.push_str("</section>");
        }
        let without: Vec<&Incident> = incidents
            .iter()
            .copied()
            .filter(|i| i.causes.iter().all(|c| c.trim().is_empty()))
            .collect();
        let _ = write!(
            body,
            r#"<section class="group" id="no-cause"><h2>No cause recorded <span class="count">{}</span></h2>"#,
            plural(without.len(), "incident", "incidents")
        );
        if !without.is_empty() {
            self.entries(&path, &without, &mut body);
        }
        body.push_str("</section>");
        let repeats: Vec<&Incident> = incidents
            .iter()
            .copied()
            .filter(|i| self.insights.repeat_of.contains_key(&i.id))
            .collect();
        let _ = write!(
            body,
            r#"<section class="group" id="repeats"><h2>Repeats <span class="count">{} of {}</span></h2>"#,
            repeats.len(),
            plural(incidents.len(), "incident", "incidents")
        );
        if repeats.is_empty() {
            body.push_str(r#"<p class="note">No incident of this period repeats an earlier incident's cause.</p>"#);
        } else {
            body.push_str(r#"<ul class="repeats">"#);
            for i in repeats {
                let r = &self.insights.repeat_of[&i.id];
                let earlier = self
                    .archive
                    .get(&r.id)
                    .map(|e| e.title.clone())
                    .unwrap_or_else(|| r.id.clone());
                let earlier_link = if self.archive.get(&r.id).is_some() {
                    format!(
                        r#"<a href="{}">{}</a>"#,
                        esc(&href(&path, &urls::incident(&r.id))),
                        esc(&earlier)
                    )
                } else {
                    esc(&earlier)
                };
                let _ = write!(
                    body,
                    r#"<li><a href="{}">{}</a> ({}) repeats {earlier_link}: cause {}, {} later</li>"#,
                    esc(&href(&path, &urls::incident(&i.id))),
                    esc(&i.title),
                    i.date.map(|d| d.to_string()).unwrap_or_default(),
                    esc(&r.cause),
                    plural(r.days_between.max(0) as usize, "day", "days"),
                );
            }
            body.push_str("</ul>");
        }
        body.push_str("</section>");
        self.list_page(scope, period, ListKind::ByCause, "Incidents by cause", body)
    }

    /// `incidents`: the period's incidents by date, near misses left out.
    fn list_by_service(
        &self,
        scope: &Scope,
        period: &PeriodTrends,
        incidents: &[&Incident],
    ) -> Result<OutputFile> {
        let path = list_path(&scope.base, period.period, ListKind::ByService);
        let heat = &period.heatmap;
        let anchors = anchors("s", heat.rows.iter().map(|r| r.service.as_str()));
        let mut by_service = group_by(incidents, |i| &i.services);
        let mut body = String::with_capacity(incidents.len() * LIST_ROW_BYTES);
        body.push_str(
            r#"<p>Incidents of the period by affected service (an incident affecting several services is listed under each), then by month or quarter. Near misses are not included.</p>"#,
        );
        if heat.rows.is_empty() {
            body.push_str(
                r#"<p class="empty">No incident in this period names an affected service.</p>"#,
            );
        }
        for row in &heat.rows {
            let anchor = &anchors[&row.service];
            let with = by_service.remove(row.service.as_str()).unwrap_or_default();
            let _ = write!(
                body,
                r#"<section class="group" id="{anchor}"><h2>{} <span class="count">{} · weight {}</span></h2>"#,
                esc(&row.service),
                plural(with.len(), "incident", "incidents"),
                row.weight
            );
            for (cell, c) in row.cells.iter().zip(&period.counts) {
                if cell.count == 0 {
                    continue;
                }
                let group: Vec<&Incident> = with
                    .iter()
                    .copied()
                    .filter(|i| i.date.is_some_and(|d| d >= c.bin.start && d <= c.bin.end))
                    .collect();
                let _ = write!(
                    body,
                    r#"<section class="group" id="{anchor}-{}"><h3>{} · {} <span class="count">{} · weight {}</span></h3>"#,
                    c.bin.key.to_lowercase(),
                    esc(&row.service),
                    esc(&c.bin.label),
                    plural(group.len(), "incident", "incidents"),
                    cell.weight
                );
                self.entries(&path, &group, &mut body);
                body.push_str("</section>");
            }
            body.push_str("</section>");
        }
        self.list_page(
            scope,
            period,
            ListKind::ByService,
            "Incidents by service",
            body,
        )
    }
}

/// Rows of a by-time list under one heading: a severity (or the near misses) of a bin.
struct RowGroup<'a> {
    /// Anchor of the `<tbody>`; empty for a table of one group without a heading.
    id: String,
    /// Escaped HTML.
    heading: String,
    incidents: Vec<&'a Incident>,
    /// How to count them: singular, plural.
    noun: (&'static str, &'static str),
}

/// Incidents (in their order) under each trimmed value of a multi-valued field, in
/// one pass; an incident naming a value twice is listed once.
fn group_by<'a>(
    incidents: &[&'a Incident],
    field: impl Fn(&'a Incident) -> &'a Vec<String>,
) -> BTreeMap<&'a str, Vec<&'a Incident>> {
    let mut groups: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for &i in incidents {
        for value in field(i) {
            let list = groups.entry(value.trim()).or_default();
            if !list.last().is_some_and(|last| std::ptr::eq(*last, i)) {
                list.push(i);
            }
        }
    }
    groups
}

fn count_text(incidents: &[&Incident]) -> String {
    let near = incidents.iter().filter(|i| i.is_near_miss()).count();
    let mut s = plural(incidents.len() - near, "incident", "incidents");
    if near > 0 {
        s.push_str(&format!(", {}", plural(near, "near miss", "near misses")));
    }
    s
}

fn signed(v: i64) -> String {
    match v {
        0 => "no change".into(),
        v if v > 0 => format!("+{v}"),
        v => format!("−{}", -v),
    }
}

/// `median 15 min, IQR 10–20 min, p90 28 min (n=4, 1 missing)`.
pub fn describe_stats(s: &Stats) -> String {
    match (s.median, s.p25, s.p75, s.p90) {
        (Some(m), Some(p25), Some(p75), Some(p90)) => format!(
            "median {}, IQR {}–{}, p90 {} (n={}, {} missing)",
            fmt_minutes(m),
            fmt_minutes(p25),
            fmt_minutes(p75),
            fmt_minutes(p90),
            s.n,
            s.missing
        ),
        _ => format!("no data (n=0, {} missing)", s.missing),
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

fn figure_item(
    out: &mut String,
    label: &str,
    value: &str,
    href: &str,
    detail: &str,
    comparison: &str,
) {
    let _ = write!(
        out,
        r#"<div class="figure"><dt>{}</dt><dd><a class="value" href="{}">{}</a><span class="detail">{}</span>"#,
        esc(label),
        esc(href),
        esc(value),
        esc(detail)
    );
    if !comparison.is_empty() {
        let _ = write!(out, r#"<span class="compare">{}</span>"#, esc(comparison));
    }
    out.push_str("</dd></div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_leave_out_the_folders_both_paths_share() {
        let page = "dashboard/services/db/last-year/index.html";
        assert_eq!(
            href(page, "dashboard/services/db/lists/last-year/index.html"),
            "../lists/last-year/index.html"
        );
        assert_eq!(href(page, page), "index.html");
        assert_eq!(
            href(page, "incidents/a b/index.html"),
            "../../../../incidents/a%20b/index.html"
        );
        assert_eq!(
            href("dashboard/index.html", "dashboard/lists/all/index.html"),
            "lists/all/index.html"
        );
        // A shared prefix that is not a whole folder does not count.
        assert_eq!(
            href(
                "dashboard/teams/a/index.html",
                "dashboard/teams/ab/index.html"
            ),
            "../ab/index.html"
        );
        assert_eq!(
            href("index.html", "dashboard/index.html"),
            "dashboard/index.html"
        );
    }

    #[test]
    fn every_scope_lists_its_files_under_its_folder() {
        let service = scope_paths(ScopeKind::Service, "Payments API");
        assert_eq!(service.len(), 9, "{service:?}");
        assert!(
            service
                .iter()
                .all(|p| p.starts_with("dashboard/services/payments-api/"))
        );
        assert!(!service.iter().any(|p| p.contains("/services/index.html")));
        let org = scope_paths(ScopeKind::Org, "");
        assert_eq!(org.len(), 12);
        assert_eq!(org[0], "dashboard/index.html");
        assert_eq!(org[3], "dashboard/lists/all/services/index.html");
    }
}
