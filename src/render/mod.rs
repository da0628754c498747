//! Rendering: the archive and its insights → the files of the published site.
//!
//! Every internal link is relative (`{{ root }}incidents/x/index.html`) and names
//! `index.html` explicitly, so the published folder works when opened from disk.

pub mod api;
pub mod charts;
pub mod dashboard;
pub mod feeds;
pub mod pages;
pub mod theme;
pub mod urls;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::model::{Archive, Insights};
use crate::pipeline::{OutputFile, Site};

pub use theme::Theme;

/// Values every page template sees.
#[derive(Debug, Clone, Serialize)]
pub struct SiteVars {
    pub title: String,
    pub description: String,
    /// The as-of date overdue items and ages are measured against.
    pub as_of: String,
    /// Absolute URL of the published site, or empty; pages never need it to link.
    pub base_url: String,
}

/// A loaded theme, ready to render pages.
pub struct Renderer {
    pub tera: tera::Tera,
    pub theme: Theme,
    pub site: SiteVars,
}

impl Renderer {
    pub fn new(site: &Site) -> Result<Renderer> {
        let theme = Theme::load(&site.root)?;
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
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
        };
        Ok(Renderer {
            tera,
            theme,
            site: vars,
        })
    }

    /// Render `template` to the page at `path` (e.g. `incidents/x/index.html`).
    /// Adds `site`, `root` (relative prefix back to the site root, e.g. `../../`) and
    /// `page_path` to `ctx`.
    pub fn page(&self, template: &str, path: &str, mut ctx: tera::Context) -> Result<OutputFile> {
        ctx.insert("site", &self.site);
        ctx.insert("root", &root_prefix(path));
        ctx.insert("page_path", path);
        let html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("rendering {path} with {template}"))?;
        Ok(OutputFile::new(path, html))
    }
}

/// `../` once per folder in `path`: the relative way back to the site root.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Render every page and data file of the site. Pages render in parallel; the sitemap
/// comes last because it lists every HTML file rendered before it.
pub fn render_site(site: &Site, archive: &Archive, insights: &Insights) -> Result<Vec<OutputFile>> {
    let renderer = Renderer::new(site)?;
    let model = pages::SiteModel::new(site, archive, insights);
    let mut files = pages::render_pages(&renderer, &model)?;
    files.push(api::incidents_json(site, archive, insights)?);
    files.push(feeds::atom(site, archive));
    for (path, bytes) in &renderer.theme.statics {
        files.push(OutputFile::new(path.clone(), bytes.clone()));
    }
    // Other page families (dashboard, search) are added here, before the sitemap.
    files.extend(dashboard::render(&renderer, site, archive, insights)?);
    files.push(crate::search::search_page(&renderer, archive)?);
    files.push(feeds::sitemap(site, &files));
    Ok(files)
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_prefix_climbs_one_level_per_folder() {
        assert_eq!(super::root_prefix("index.html"), "");
        assert_eq!(super::root_prefix("incidents/a/index.html"), "../../");
    }
}
