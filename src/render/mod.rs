//! Rendering: the archive and its insights → the files of the published site.
//!
//! Every internal link is relative (`{{ root }}incidents/x/index.html`) and names
//! `index.html` explicitly, so the published folder works when opened from disk.

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
        tera.add_raw_templates(theme.templates.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("loading templates")?;
        let vars = SiteVars { title: site.config.title.clone(), description: site.config.description.clone(), as_of: site.as_of.to_string() };
        Ok(Renderer { tera, theme, site: vars })
    }

    /// Render `template` to the page at `path` (e.g. `incidents/x/index.html`).
    /// Adds `site`, `root` (relative prefix back to the site root, e.g. `../../`) and
    /// `page_path` to `ctx`.
    pub fn page(&self, template: &str, path: &str, mut ctx: tera::Context) -> Result<OutputFile> {
        ctx.insert("site", &self.site);
        ctx.insert("root", &root_prefix(path));
        ctx.insert("page_path", path);
        let html = self.tera.render(template, &ctx).map_err(|e| anyhow::anyhow!("{e}")).with_context(|| format!("rendering {path} with {template}"))?;
        Ok(OutputFile::new(path, html))
    }
}

/// `../` once per folder in `path`: the relative way back to the site root.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Render every page and data file of the site.
pub fn render_site(site: &Site, archive: &Archive, insights: &Insights) -> Result<Vec<OutputFile>> {
    let _ = insights;
    let renderer = Renderer::new(site)?;
    let mut files = Vec::new();
    for i in &archive.incidents {
        let mut ctx = tera::Context::new();
        ctx.insert("incident", i);
        files.push(renderer.page("incident.html", &format!("incidents/{}/index.html", i.id), ctx)?);
    }
    for (path, bytes) in &renderer.theme.statics {
        files.push(OutputFile::new(path.clone(), bytes.clone()));
    }
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
