//! Rendering: the archive and its insights → the files of the published site.
//!
//! Every internal link is relative (`{{ root }}incidents/x/index.html`) and names
//! `index.html` explicitly, so the published folder works when opened from disk.

pub(crate) mod api;
pub(crate) mod charts;
mod compact;
pub mod dashboard;
pub(crate) mod exports;
pub(crate) mod feeds;
pub(crate) mod links;
pub mod pages;
pub(crate) mod theme;
pub mod urls;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;

use crate::analysis::trends::ScopeKind;
use crate::model::{Archive, Insights};
use crate::site::{OutputFile, Site};

pub use theme::Theme;

/// Values every page template sees.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteVars {
    pub(crate) title: String,
    pub(crate) description: String,
    /// The as-of date overdue items and ages are measured against.
    pub(crate) as_of: String,
    /// Absolute URL of the published site, or empty; pages never need it to link.
    pub(crate) base_url: String,
    /// Each stylesheet and script by its name under `static/` (`style.css`) → the path
    /// of its fingerprinted copy (`Theme::asset_paths`): `{{ root }}{{ site.assets["style.css"] }}`.
    pub(crate) assets: std::collections::BTreeMap<String, String>,
}

/// A loaded theme, ready to render pages.
pub struct Renderer {
    pub(crate) tera: tera::Tera,
    pub(crate) theme: Theme,
    pub(crate) site: SiteVars,
    /// What every page depends on besides its context: the executable (templates'
    /// filters and escaping are code), the templates and `site`. `None` when the
    /// executable cannot be identified: then no page is digested or carried over.
    salt: Option<[u8; 32]>,
}

impl Renderer {
    /// Load the site's theme (the embedded one with the site's overrides) and compile its
    /// templates.
    pub fn new(site: &Site) -> Result<Renderer> {
        let theme = Theme::load(&site.root)?;
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(charts::escape_html);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("loading templates")?;
        let vars = SiteVars {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            as_of: site.as_of.to_string(),
            base_url: site.config.base_url.clone(),
            assets: theme.asset_paths(),
        };
        let salt = crate::store::executable_id().and_then(|exe| {
            let mut h = blake3::Hasher::new();
            h.update(&exe);
            for (name, text) in &theme.templates {
                h.update(&(name.len() as u64).to_le_bytes());
                h.update(name.as_bytes());
                h.update(&(text.len() as u64).to_le_bytes());
                h.update(text.as_bytes());
            }
            h.update(&serde_json::to_vec(&vars).ok()?);
            Some(*h.finalize().as_bytes())
        });
        Ok(Renderer {
            tera,
            theme,
            site: vars,
            salt,
        })
    }

    /// Render `template` to `path` ([`Renderer::page`]) from `view`, a value whose
    /// fields are the template's variables, or carry the previous site's file over
    /// through `carry` when it was rendered from the same digest: rendering is a pure
    /// function of the view, the templates, `site` and the executable, all of which the
    /// digest covers (the view as JSON, not as tera's copy of it, whose maps are in hash
    /// order). The view is copied into a template context only when the page is
    /// rendered. `None` when carried; a rendered file records its digest.
    pub(crate) fn view_or_carry<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        view: &T,
        carry: Option<crate::site::Carry<'_>>,
    ) -> Result<Option<OutputFile>> {
        let input = self.salt.filter(|_| carry.is_some()).map(|salt| {
            let mut h = blake3::Hasher::new_keyed(&salt);
            {
                // Buffered: JSON is written in small pieces, which a hasher takes slowly.
                let mut buffered = std::io::BufWriter::with_capacity(1 << 14, &mut h);
                // Writing into a hasher cannot fail; a value that cannot be written as
                // JSON fails below, when it is put in a template context.
                let _ = serde_json::to_writer(&mut buffered, view);
                let _ = std::io::Write::flush(&mut buffered);
            }
            h.update(b"\0");
            h.update(template.as_bytes());
            h.update(b"\0");
            h.update(path.as_bytes());
            crate::site::digest16(&h)
        });
        if let (Some(carry), Some(input)) = (carry, &input)
            && carry(path, input)
        {
            return Ok(None);
        }
        let ctx = tera::Context::from_serialize(view)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("rendering {path} with {template}"))?;
        let mut file = self.page(template, path, ctx)?;
        file.input = input;
        Ok(Some(file))
    }

    /// Render `template` to the page at `path` (e.g. `incidents/x/index.html`).
    /// Adds `site`, `root` (relative prefix back to the site root, e.g. `../../`) and
    /// `page_path` to `ctx`.
    pub(crate) fn page(
        &self,
        template: &str,
        path: &str,
        mut ctx: tera::Context,
    ) -> Result<OutputFile> {
        ctx.insert("site", &self.site);
        ctx.insert("root", &root_prefix(path));
        ctx.insert("page_path", path);
        let html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("rendering {path} with {template}"))?;
        // Without the templates' indentation and blank lines (`compact`).
        Ok(OutputFile::new(path, compact::compact(&html)))
    }
}

/// `../` once per folder in `path`: the relative way back to the site root.
pub(crate) fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// One independently rendered part of the site. `build` renders every unit; `serve`
/// renders a unit the first time one of its files is asked for. Every file belongs to
/// exactly one unit, found from its path alone (`Unit::for_path`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// The home page.
    Home,
    /// The open and overdue action items across the archive.
    ActionItems,
    /// `404.html`.
    NotFound,
    /// The page of the incident with this id.
    Incident(String),
    /// The index page of a taxonomy (`severity`, `service`...).
    Taxonomy(&'static str),
    /// A taxonomy and the slug of one of its terms.
    Term(&'static str, String),
    /// `api/incidents.json` and the other exports of `api/` but `trends.json`
    /// (`exports`): action items, services and the schemas.
    IncidentsJson,
    /// `feed.xml`.
    Feed,
    /// The theme's static files.
    Statics,
    /// The dashboard of the organisation (empty slug), or of the team or service whose
    /// name has this slug: its pages and drill-down lists.
    Dashboard(ScopeKind, String),
    /// `api/trends.json`, every scope's figures.
    TrendsJson,
    /// The search page.
    SearchPage,
    /// The browser's sharded search index.
    SearchIndex,
    /// Lists every HTML file of the other units, so it is rendered after them.
    Sitemap,
}

impl Unit {
    /// What kind of unit it is, in words (for timings).
    fn kind(&self) -> &'static str {
        match self {
            Unit::Home => "home page",
            Unit::ActionItems => "action items page",
            Unit::NotFound => "404 page",
            Unit::Incident(_) => "incident pages",
            Unit::Taxonomy(_) | Unit::Term(..) => "list pages",
            Unit::IncidentsJson => "api exports",
            Unit::Feed => "feed",
            Unit::Statics => "static files",
            Unit::Dashboard(..) | Unit::TrendsJson => "dashboards",
            Unit::SearchPage => "search page",
            Unit::SearchIndex => "browser search index",
            Unit::Sitemap => "sitemap",
        }
    }

    /// The unit whose output includes `path` (relative to the output root), if any.
    pub fn for_path(path: &str) -> Option<Unit> {
        let unit = match path {
            urls::HOME => Unit::Home,
            urls::ACTION_ITEMS => Unit::ActionItems,
            "404.html" => Unit::NotFound,
            api::PATH => Unit::IncidentsJson,
            feeds::FEED => Unit::Feed,
            feeds::SITEMAP => Unit::Sitemap,
            dashboard::TRENDS_JSON => Unit::TrendsJson,
            urls::SEARCH => Unit::SearchPage,
            _ if exports::owns(path) => Unit::IncidentsJson,
            _ if path.starts_with("static/") => Unit::Statics,
            _ if path.starts_with("dashboard/") => {
                let rest = &path["dashboard/".len()..];
                let scoped = [
                    ("teams/", ScopeKind::Team),
                    ("services/", ScopeKind::Service),
                ]
                .into_iter()
                .find_map(|(folder, kind)| {
                    let (slug, _) = rest.strip_prefix(folder)?.split_once('/')?;
                    (!slug.is_empty()).then(|| Unit::Dashboard(kind, slug.to_string()))
                });
                scoped.unwrap_or(Unit::Dashboard(ScopeKind::Org, String::new()))
            }
            _ if path.starts_with("search/") => Unit::SearchIndex,
            _ => {
                let (folder, rest) = path.split_once('/')?;
                let inner = rest.strip_suffix("index.html")?;
                if folder == "incidents" {
                    let id = inner.strip_suffix('/')?;
                    return (!id.is_empty()).then(|| Unit::Incident(id.to_string()));
                }
                let taxonomy = *urls::TAXONOMIES
                    .iter()
                    .find(|t| urls::taxonomy_folder(t) == folder)?;
                if inner.is_empty() {
                    Unit::Taxonomy(taxonomy)
                } else {
                    let slug = inner.strip_suffix('/')?;
                    if slug.is_empty() || slug.contains('/') {
                        return None;
                    }
                    Unit::Term(taxonomy, slug.to_string())
                }
            }
        };
        Some(unit)
    }
}

/// The slug a dashboard unit is known by: empty for the organisation.
fn dashboard_slug(key: &dashboard::ScopeKey) -> String {
    match key.kind {
        ScopeKind::Org => String::new(),
        _ => urls::slug(&key.name),
    }
}

/// Every unit of the site, the sitemap last.
pub fn units(archive: &Archive, data: &pages::PageData) -> Vec<Unit> {
    let mut units = vec![Unit::Home, Unit::ActionItems, Unit::NotFound];
    units.extend(
        archive
            .incidents
            .iter()
            .map(|i| Unit::Incident(i.id.clone())),
    );
    for (taxonomy, terms) in &data.taxonomies {
        units.push(Unit::Taxonomy(taxonomy));
        units.extend(terms.iter().map(|t| Unit::Term(taxonomy, t.slug.clone())));
    }
    units.extend([
        Unit::IncidentsJson,
        Unit::Feed,
        Unit::Statics,
        Unit::TrendsJson,
    ]);
    units.extend(
        dashboard::scope_keys(archive)
            .into_iter()
            .map(|k| Unit::Dashboard(k.kind, dashboard_slug(&k))),
    );
    units.extend([Unit::SearchPage, Unit::SearchIndex, Unit::Sitemap]);
    units
}

/// The files of one unit. The sitemap needs the other units' files: pass them in
/// `rendered` (they are ignored for every other unit).
pub fn render_unit(
    renderer: &Renderer,
    model: &pages::SiteModel,
    unit: &Unit,
    rendered: &[String],
) -> Result<Vec<OutputFile>> {
    render_unit_carrying(renderer, model, unit, rendered, None)
}

/// [`render_unit`], carrying incident, term and cause pages over from the previous
/// site through `carry` when their inputs are the same (such a page is then not in the
/// result).
pub(crate) fn render_unit_carrying(
    renderer: &Renderer,
    model: &pages::SiteModel,
    unit: &Unit,
    rendered: &[String],
    carry: Option<crate::site::Carry<'_>>,
) -> Result<Vec<OutputFile>> {
    use pages::Page;
    let page = |p: Page| -> Result<Vec<OutputFile>> {
        Ok(pages::render_page(renderer, model, p, carry)?
            .into_iter()
            .collect())
    };
    let (site, archive, insights) = (model.site, model.archive, model.insights);
    match unit {
        Unit::Home => page(Page::Home),
        Unit::ActionItems => page(Page::ActionItems),
        Unit::NotFound => page(Page::NotFound),
        Unit::Incident(id) => page(Page::Incident(id)),
        Unit::Taxonomy(t) => page(Page::Taxonomy(t)),
        Unit::Term(t, slug) => page(Page::Term(t, slug)),
        Unit::IncidentsJson => {
            let mut files = vec![api::incidents_json(site, archive, insights)?];
            files.extend(exports::render(site, archive)?);
            Ok(files)
        }
        Unit::Feed => Ok(vec![feeds::atom(site, archive)]),
        Unit::Statics => Ok(renderer
            .theme
            .static_files()
            .into_iter()
            .map(|(path, bytes)| OutputFile::new(path, bytes.to_vec()))
            .collect()),
        Unit::Dashboard(kind, slug) => {
            let key = dashboard::scope_keys(archive)
                .into_iter()
                .find(|k| k.kind == *kind && dashboard_slug(k) == *slug);
            match key {
                Some(key) => dashboard::render_scope(renderer, site, archive, insights, &key),
                None => Ok(Vec::new()),
            }
        }
        Unit::TrendsJson => Ok(vec![dashboard::trends_json(site, archive, insights)?]),
        Unit::SearchPage => {
            let mut ctx = tera::Context::new();
            ctx.insert("count", &archive.incidents.len());
            Ok(vec![renderer.page("search.html", urls::SEARCH, ctx)?])
        }
        Unit::SearchIndex => {
            crate::site::collect(|emit| search_index_to(site, archive, insights, emit, None))
                .map(|((), files)| files)
        }
        Unit::Sitemap => Ok(vec![feeds::sitemap(site, rendered)]),
    }
}

/// The static browser index, file by file, with the causes analysis inferred.
fn search_index_to(
    site: &Site,
    archive: &Archive,
    insights: &Insights,
    emit: crate::site::Emit<'_>,
    carrier: Option<crate::site::Carrier<'_>>,
) -> Result<()> {
    let taxonomy = crate::taxonomy::Taxonomy::for_config(&site.config)
        .unwrap_or_else(|_| Cow::Borrowed(crate::taxonomy::Taxonomy::builtin_ref()));
    let causes = crate::search::causes::Causes::from_insights(&taxonomy, insights);
    crate::search::index_files_to(archive, &causes, emit, carrier)
}

/// Render every page and data file of the site, sorted by path (see `render_site_to`).
pub fn render_site(site: &Site, archive: &Archive, insights: &Insights) -> Result<Vec<OutputFile>> {
    crate::site::collect(|emit| render_site_to(site, archive, insights, emit, None))
        .map(|((), files)| files)
}

/// Render every page and data file of the site, handing each file to `emit` as soon
/// as its unit is done (from any thread, in no set order), so a build can write the
/// site while it renders instead of holding all of it in memory. Every unit is
/// rendered in parallel, then the sitemap over the paths of the rest. The dashboards
/// are rendered together, so that the figures of every scope are computed once.
/// With `carry`, a page rendered from the same inputs as the previous site's file is
/// carried over instead of rendered (see [`Renderer::view_or_carry`]).
pub(crate) fn render_site_to(
    site: &Site,
    archive: &Archive,
    insights: &Insights,
    emit: crate::site::Emit<'_>,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<()> {
    let renderer = Renderer::new(site)?;
    let data = pages::PageData::new(site, archive, insights);
    let model = pages::SiteModel::new(site, archive, insights, &data);
    let all = units(archive, &data);
    let (last, rest) = all.split_last().expect("the plan always has units");
    let mut tasks: Vec<Option<&Unit>> = rest
        .iter()
        .filter(|u| !matches!(u, Unit::Dashboard(..) | Unit::TrendsJson))
        .map(Some)
        .collect();
    // `None` stands for every dashboard and the trends export at once.
    tasks.insert(0, None);
    let stage = crate::progress::stage("rendering", Some(tasks.len()), "pages");
    let paths = std::sync::Mutex::new(Vec::new());
    // Every file passes here on its way out: the sitemap needs the paths.
    let emit_noting = |f: OutputFile| -> Result<()> {
        if let Ok(mut paths) = paths.lock() {
            paths.push(f.path.clone());
        }
        emit(f)
    };
    // A page carried over is in the site as much as one rendered.
    let carry_noting = |path: &str, input: &[u8; 16]| -> bool {
        let carried = carry.is_some_and(|carry| carry(path, input));
        if carried && let Ok(mut paths) = paths.lock() {
            paths.push(path.to_string());
        }
        carried
    };
    let carry = carry.map(|_| &carry_noting as crate::site::Carry<'_>);
    let carrier = carry
        .zip(renderer.salt)
        .map(|(carry, salt)| crate::site::Carrier { carry, salt });
    let tally = crate::progress::Tally::default();
    tasks.par_iter().try_for_each(|task| -> Result<()> {
        // The two largest units stream their files (see `dashboard::render_to` and
        // `static_index::build_to`); the others are a page or a few.
        match task {
            None => tally.time("dashboards", || {
                dashboard::render_to(&renderer, site, archive, insights, &emit_noting, carry)
            })?,
            Some(Unit::SearchIndex) => tally.time("browser search index", || {
                search_index_to(site, archive, insights, &emit_noting, carrier)
            })?,
            Some(unit) => tally.time(unit.kind(), || {
                render_unit_carrying(&renderer, &model, unit, &[], carry)?
                    .into_iter()
                    .try_for_each(&emit_noting)
            })?,
        }
        stage.inc(1);
        Ok(())
    })?;
    drop(tally);
    let paths = paths
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a render thread stopped while rendering"))?;
    for f in render_unit(&renderer, &model, last, &paths)? {
        emit(f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_prefix_climbs_one_level_per_folder() {
        assert_eq!(super::root_prefix("index.html"), "");
        assert_eq!(super::root_prefix("incidents/a/index.html"), "../../");
    }
}
