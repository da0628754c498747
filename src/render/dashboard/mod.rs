//! The trend dashboards: `dashboard/` for the organisation and `dashboard/teams/<team>/`,
//! `dashboard/services/<service>/` for every team and service, each in three periods
//! (all time at the folder's `index.html`, `last-year/` and `last-90-days/`, switched
//! by plain links so no JavaScript is needed), plus `api/trends.json`.
//!
//! Every mark of every chart links to the incidents behind it: a single incident's page,
//! or a section of a drill-down list under `<dashboard>/lists/<period>/` (by time,
//! `causes/` and, except on a service's own dashboard, `services/`). Each list holds
//! every post-mortem of the scope and period once per grouping, with an anchor per bin,
//! severity, cause and service, so the element a bar links to lists exactly the
//! incidents the bar counts. Lists stay per period: the windows end at the as-of date,
//! so their first month and quarter are cut short and a window's totals are other sets
//! than all time's.
//!
//! Figures come from `analysis::trends`; this module turns them into view models
//! (`view`, `lists`, chart geometry in `render::charts`) that the theme's templates
//! (`dashboard.html`, `dashboard_list_*.html`, `charts.html`) write out, so a site can
//! override any of them. Here: the scopes, their folders and paths, and rendering.
//!
//! A scope (`ScopeKey`) renders alone (`render_scope`, for `serve`'s pages on demand):
//! it computes only its own figures, and every file it writes lies under its folder
//! (`scope_base`), which is found again from a path with `scope_for_path`. `render`
//! renders every scope in parallel plus `trends_json`, and equals the union of those,
//! byte for byte. The output is deterministic.

mod export;
mod format;
mod lists;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use anyhow::{Result, bail};
use rayon::prelude::*;

use super::{Renderer, urls};
use crate::analysis::trends::{self, PeriodKind, ScopeKind, ScopeNames, ScopeTrends};
use crate::config::Config;
use crate::model::{Archive, Incident, Insights};
use crate::site::{OutputFile, Site};
use jiff::civil::Date;

pub use export::{TRENDS_JSON, trends_json};

/// A link of a switch (periods, list groupings); `current` marks the page itself.
#[derive(Debug, serde::Serialize)]
pub(super) struct SwitchLink {
    pub(crate) label: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// One dashboard: the organisation's (`name` empty), a team's or a service's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeKey {
    /// Organisation, team or service.
    pub kind: ScopeKind,
    /// The team's or service's name; empty for the organisation.
    pub name: String,
}

impl ScopeKey {
    pub(crate) fn org() -> ScopeKey {
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
        ScopeKind::Service => &[ListKind::Time, ListKind::Cause],
        _ => &[ListKind::Time, ListKind::Cause, ListKind::Service],
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
    crate::site::collect(|emit| render_to(renderer, site, archive, insights, emit, None))
        .map(|((), files)| files)
}

/// [`render`], handing each scope's files to `emit` as soon as that scope is done,
/// so the dashboards of a large archive are never all held at once. With `carry`, a
/// page whose view is the one the previous site's file was rendered from is carried
/// over instead of rendered; its figures are still computed.
pub(crate) fn render_to(
    renderer: &Renderer,
    site: &Site,
    archive: &Archive,
    insights: &Insights,
    emit: crate::site::Emit<'_>,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<()> {
    let all = trends::compute(archive, insights, site.as_of, &site.config);
    emit(export::export(&all)?)?;
    let catalog = Catalog::new(archive);
    let ctx = Ctx::new(renderer, site, archive, insights, &catalog, carry);
    catalog.entries.par_iter().try_for_each(|e| {
        let scope = match e.key.kind {
            ScopeKind::Org => &all.org,
            ScopeKind::Team => &all.teams[&e.key.name],
            ScopeKind::Service => &all.services[&e.key.name],
        };
        ctx.scope_files(&Scope::new(scope))?
            .into_iter()
            .try_for_each(emit)
    })
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
    Ctx::new(renderer, site, archive, insights, &catalog, None).scope_files(&Scope::new(&figures))
}

/// Folder of a scope's dashboard, e.g. `dashboard/teams/payments/`.
pub(crate) fn scope_base(kind: ScopeKind, name: &str) -> String {
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
pub(crate) fn page_path(base: &str, period: PeriodKind) -> String {
    match period {
        PeriodKind::All => format!("{base}index.html"),
        other => format!("{base}{}/index.html", other.key()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    /// Newest first.
    Time,
    /// Grouped by cause.
    Cause,
    /// Grouped by service.
    Service,
}

/// A drill-down list of a scope and period.
fn list_path(base: &str, period: PeriodKind, kind: ListKind) -> String {
    let sub = match kind {
        ListKind::Time => "",
        ListKind::Cause => "causes/",
        ListKind::Service => "services/",
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
        let counts = trends::scope_sizes(archive);
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

/// The anchor of a month or quarter in a by-time list: `t-2025-10`, `t-2025-q4`.
fn time_anchor(bin_key: &str) -> String {
    format!("t-{}", bin_key.to_lowercase())
}

/// What rendering a scope needs besides its figures.
struct Ctx<'a> {
    renderer: &'a Renderer,
    config: &'a Config,
    archive: &'a Archive,
    insights: &'a Insights,
    as_of: Date,
    catalog: &'a Catalog,
    /// Each post-mortem as a row of the drill-down lists, made once for every list.
    rows: lists::Rows,
    /// Archive index by incident id, made when first needed.
    ids: OnceLock<HashMap<&'a str, usize>>,
    /// Where a page rendered from the same view as the previous site's is carried
    /// over instead (`Renderer::view_or_carry`).
    carry: Option<crate::site::Carry<'a>>,
}

impl<'a> Ctx<'a> {
    fn new(
        renderer: &'a Renderer,
        site: &'a Site,
        archive: &'a Archive,
        insights: &'a Insights,
        catalog: &'a Catalog,
        carry: Option<crate::site::Carry<'a>>,
    ) -> Ctx<'a> {
        Ctx {
            renderer,
            config: &site.config,
            archive,
            insights,
            as_of: site.as_of,
            catalog,
            rows: lists::Rows::new(archive.incidents.len()),
            ids: OnceLock::new(),
            carry,
        }
    }

    /// The post-mortem with this id (`Archive::get`, without a scan per look-up).
    fn incident(&self, id: &str) -> Option<&'a Incident> {
        let ids = self.ids.get_or_init(|| {
            let mut ids = HashMap::new();
            for (n, i) in self.archive.incidents.iter().enumerate() {
                // The first of equal ids, as `Archive::get` finds.
                ids.entry(i.id.as_str()).or_insert(n);
            }
            ids
        });
        ids.get(id).map(|&n| &self.archive.incidents[n])
    }

    /// The files of a scope, but those carried over from the previous site.
    fn scope_files(&self, scope: &Scope) -> Result<Vec<OutputFile>> {
        let mut files = Vec::new();
        for period in &scope.trends.periods {
            let sorted = self.sorted(period.members.iter().copied());
            files.extend(self.dashboard_page(scope, period, &sorted)?);
            files.extend(self.list_by_time(scope, period, &sorted)?);
            let incidents: Vec<(usize, &Incident)> = sorted
                .iter()
                .copied()
                .filter(|(_, i)| !i.is_near_miss())
                .collect();
            files.extend(self.list_by_cause(scope, period, &incidents)?);
            if list_kinds(scope.trends.kind).contains(&ListKind::Service) {
                files.extend(self.list_by_service(scope, period, &incidents)?);
            }
        }
        Ok(files)
    }

    fn min(&self) -> usize {
        self.config.dashboard.min_incidents
    }

    /// The post-mortems at these archive indices, with their indices, by date (then id).
    fn sorted(&self, members: impl IntoIterator<Item = usize>) -> Vec<(usize, &'a Incident)> {
        let mut v: Vec<(usize, &Incident)> = members
            .into_iter()
            .map(|i| (i, &self.archive.incidents[i]))
            .collect();
        v.sort_by(|(_, a), (_, b)| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        v
    }
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
