//! The HTML pages of the site: home, one page per incident, list pages per taxonomy term,
//! taxonomy indexes, cause pages (with repeat chains and follow-ups), the org-wide
//! action-items page and 404. `view` prepares what they show; here each page's
//! template gets it.
//!
//! Every value from a post-mortem reaches the HTML through tera's autoescape except
//! `body_html`, which the parser sanitised. Output depends only on the archive, the
//! insights, the config and the as-of date.
//!
//! Template contexts (besides `site`, `root` and `page_path` from `Renderer::page`; every
//! `url` is relative to the site root, so templates write `{{ root }}{{ x.url }}`):
//! - `index.html`: `incidents` \[Row\] (the `HOME_NEWEST` newest), `counts` {incidents,
//!   near_misses, open_actions, overdue_actions, unknown_actions, actions_with_status},
//!   `severities` \[Term\], `taxonomies` [{name, url, count}], `more_by_year` \[Term\]
//!   (every year, when the archive has more post-mortems than the page lists), `total`.
//! - `incident.html`: `incident` (the model), `row` (Row), `authors`, `durations`
//!   [{key, label, minutes, text, excluded}], `milestones` [{key, label, at, pct}],
//!   `timeline` [{time_text, at, datetime, offset, event, actor}] with `at` in the
//!   author's zone, `timezone` (that zone, `None` for UTC), `action_items` \[ActionView\],
//!   `overdue_count`, `no_status_count` (items without a status), `related` [{id, url,
//!   title, date, severity, score, reasons, explicit}], `repeat_of` / `repeated_by` [{id,
//!   url, title, date, cause: Link, days_between}], `cause_suggestions` [{cause,
//!   cause_url, score, from: \[Link\]}], `toc` [{level, title, anchor}], `body_html` (the
//!   report, less what the structured views show; `content::held`).
//! - `term.html` and `cause.html`: `taxonomy`, `taxonomy_label`, `taxonomy_title`,
//!   `taxonomy_url`, `term` (Term), `incidents` \[Row\], `near_misses`; cause pages add
//!   `months` [{label, count, pct}], `chains` [[{incident: Link, date, days_after,
//!   prior_followups, prior_done, prior_unknown, prior_total}]] and `open_items` \[ActionView\].
//! - `taxonomy.html`: `taxonomy`, `taxonomy_title`, `taxonomy_label`, `terms` \[Term\],
//!   `record_hint` (how to record values, shown when there are none).
//! - `action_items.html`: `groups` [{owner, anchor, open, overdue, items}], `teams`
//!   [{team: Link, open, overdue}], `total_open`, `total_overdue`, `total_with_status`,
//!   `unknown` \[ActionView\] (items without a status, newest incident first).
//! - `404.html`: `base_href` (set when `base_url` is), `inline_css`, `recent` \[Row\].

mod view;

use anyhow::Result;

use super::{Renderer, urls};
use crate::model::Incident;
use crate::site::OutputFile;

pub use view::{PageData, SiteModel};
pub(crate) use view::{Term, taxonomy_label, taxonomy_title};

/// One HTML page of this module, as the render plan (`render::Unit`) names it.
pub(crate) enum Page<'k> {
    Home,
    ActionItems,
    NotFound,
    Incident(&'k str),
    Taxonomy(&'static str),
    /// A taxonomy and the slug of one of its terms.
    Term(&'static str, &'k str),
}

/// Render one page; `None` when the incident or term does not exist (any more).
/// An incident page may be carried over from the previous site through `carry` (then
/// `None` too: nothing to write).
pub(crate) fn render_page(
    renderer: &Renderer,
    model: &SiteModel,
    page: Page,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<Option<OutputFile>> {
    Ok(Some(match page {
        Page::Home => home(renderer, model)?,
        Page::ActionItems => action_items(renderer, model)?,
        Page::NotFound => not_found(renderer, model)?,
        Page::Incident(id) => {
            let Some(&index) = model.data.by_id.get(id) else {
                return Ok(None);
            };
            return incident_page(renderer, model, index, carry);
        }
        Page::Taxonomy(taxonomy) => taxonomy_page(renderer, taxonomy, model.taxonomy(taxonomy))?,
        Page::Term(taxonomy, slug) => {
            let Some(term) = model.data.term(taxonomy, slug) else {
                return Ok(None);
            };
            return term_page(renderer, model, taxonomy, term, carry);
        }
    }))
}

/// How many post-mortems the home page lists, newest first. A larger archive's home page
/// lists these and links every year's page for the rest: a table of all 10,000 rows is a
/// 9 MB page that the year pages already hold.
pub(crate) const HOME_NEWEST: usize = 100;

fn home(renderer: &Renderer, model: &SiteModel<'_>) -> Result<OutputFile> {
    let mut ctx = tera::Context::new();
    let rows = model.rows();
    ctx.insert("incidents", &rows[..rows.len().min(HOME_NEWEST)]);
    // The years whose post-mortems are not all on the page, newest first.
    let years: Vec<&Term> = if rows.len() > HOME_NEWEST {
        model.taxonomy("year").iter().collect()
    } else {
        Vec::new()
    };
    ctx.insert("more_by_year", &years);
    ctx.insert("total", &rows.len());
    ctx.insert("counts", &view::home_counts(model));
    let severities: Vec<&Term> = model.taxonomy("severity").iter().collect();
    ctx.insert("severities", &severities);
    ctx.insert("taxonomies", &view::taxonomy_links(model));
    renderer.page("index.html", urls::HOME, ctx)
}

/// Everything an incident page is rendered from, digested whole before any of it is
/// copied into a template context: a page carried over from the previous site never
/// pays for tera's copy.
#[derive(serde::Serialize)]
struct IncidentPage<'a> {
    incident: &'a Incident,
    row: &'a view::Row,
    authors: &'a [String],
    durations: Vec<view::Duration>,
    milestones: Vec<view::Milestone>,
    timeline: Vec<view::TimelineView>,
    timezone: Option<String>,
    action_items: Vec<view::ActionView>,
    overdue_count: usize,
    no_status_count: usize,
    related: Vec<view::RelatedView>,
    inferred_causes: &'a [crate::model::InferredCause],
    repeat_of: Option<view::RepeatView>,
    repeated_by: Vec<view::RepeatView>,
    cause_suggestions: Vec<view::SuggestionView>,
    toc: Vec<&'a crate::model::TocEntry>,
    body_html: std::borrow::Cow<'a, str>,
}

fn incident_page(
    renderer: &Renderer,
    model: &SiteModel,
    index: usize,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<Option<OutputFile>> {
    let incident = &model.archive.incidents[index];
    let items = view::action_views(incident, model.site.as_of);
    let page = IncidentPage {
        incident,
        row: &model.rows()[index],
        authors: &incident.authors,
        durations: view::durations(incident),
        milestones: view::milestones(incident),
        timeline: view::timeline(incident),
        timezone: view::timezone(incident),
        overdue_count: items.iter().filter(|a| a.overdue).count(),
        no_status_count: items.iter().filter(|a| a.status == "unknown").count(),
        action_items: items,
        related: view::related(model, incident),
        inferred_causes: model
            .insights
            .inferred_causes
            .get(&incident.id)
            .map_or(&[][..], Vec::as_slice),
        repeat_of: view::repeat_of(model, incident),
        repeated_by: view::repeated_by(model, incident),
        cause_suggestions: view::suggestions(model, incident),
        toc: view::toc(incident),
        body_html: crate::render::links::rewrite(
            &incident.body_html,
            model.insights.file_links.get(&incident.id),
        ),
    };
    renderer.view_or_carry("incident.html", &urls::incident(&incident.id), &page, carry)
}

/// Everything a term page is rendered from (see [`IncidentPage`]); a cause's page
/// also has its incidents by month, repeat chains and open follow-ups.
#[derive(serde::Serialize)]
struct TermPage<'a> {
    taxonomy: &'static str,
    taxonomy_label: &'static str,
    taxonomy_title: &'static str,
    taxonomy_url: String,
    term: &'a Term,
    near_misses: usize,
    incidents: Vec<&'a view::Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<Vec<view::MonthView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chains: Option<Vec<Vec<view::ChainStep>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_items: Option<Vec<view::ActionView>>,
}

fn term_page(
    renderer: &Renderer,
    model: &SiteModel,
    taxonomy: &'static str,
    term: &Term,
    carry: Option<crate::site::Carry<'_>>,
) -> Result<Option<OutputFile>> {
    let rows = model.rows_of(&term.incidents);
    let mut page = TermPage {
        taxonomy,
        taxonomy_label: taxonomy_label(taxonomy),
        taxonomy_title: taxonomy_title(taxonomy),
        taxonomy_url: urls::taxonomy(taxonomy),
        term,
        near_misses: rows.iter().filter(|r| r.near_miss).count(),
        incidents: rows,
        months: None,
        chains: None,
        open_items: None,
    };
    let path = urls::term(taxonomy, &term.name);
    if taxonomy == "cause" {
        // The cause page's own sections: incidents by month, repeat chains and open
        // follow-ups.
        let incidents: Vec<&Incident> = term
            .incidents
            .iter()
            .map(|&i| &model.archive.incidents[i])
            .collect();
        page.months = Some(view::months(&incidents));
        page.chains = Some(view::chains(model, term));
        page.open_items = Some(view::open_items(model, &incidents));
        return renderer.view_or_carry("cause.html", &path, &page, carry);
    }
    renderer.view_or_carry("term.html", &path, &page, carry)
}

fn taxonomy_page(
    renderer: &Renderer,
    taxonomy: &'static str,
    terms: &[Term],
) -> Result<OutputFile> {
    let mut ctx = tera::Context::new();
    ctx.insert("taxonomy", taxonomy);
    ctx.insert("taxonomy_title", taxonomy_title(taxonomy));
    ctx.insert("taxonomy_label", taxonomy_label(taxonomy));
    ctx.insert("terms", terms);
    ctx.insert("record_hint", view::record_hint(taxonomy));
    renderer.page("taxonomy.html", &urls::taxonomy(taxonomy), ctx)
}

/// Every open action item, grouped by owner (`view::owner_groups`), with team totals.
fn action_items(renderer: &Renderer, model: &SiteModel) -> Result<OutputFile> {
    let (groups, teams) = view::owner_groups(model);
    let mut ctx = tera::Context::new();
    ctx.insert("total_open", &groups.iter().map(|g| g.open).sum::<usize>());
    ctx.insert(
        "total_overdue",
        &groups.iter().map(|g| g.overdue).sum::<usize>(),
    );
    ctx.insert("groups", &groups);
    ctx.insert("teams", &teams);
    let unknown = view::unknown_items(model);
    ctx.insert(
        "total_with_status",
        &view::home_counts(model).actions_with_status(),
    );
    ctx.insert("unknown", &unknown);
    renderer.page("action_items.html", urls::ACTION_ITEMS, ctx)
}

/// 404 lives at the root; with `base_url` set it carries `<base href>` so its links also
/// work when a server shows it for a missing page at any depth.
fn not_found(renderer: &Renderer, model: &SiteModel) -> Result<OutputFile> {
    let mut ctx = tera::Context::new();
    ctx.insert("base_href", &view::base_href(&model.site.config));
    // The theme's stylesheet inline, so the page is styled even where `static/` does not
    // resolve (a server showing it for a deep missing path, without `base_url`).
    let css = renderer
        .theme
        .statics
        .get("static/style.css")
        .map(|b| String::from_utf8_lossy(b).replace("</", "<\\/"));
    ctx.insert("inline_css", &css);
    ctx.insert("recent", &model.rows().iter().take(5).collect::<Vec<_>>());
    renderer.page("404.html", "404.html", ctx)
}
