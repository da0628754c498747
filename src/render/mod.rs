//! Rendering: the archive and its insights → the files of the published site.

use anyhow::Result;

use crate::model::{Archive, Insights};
use crate::pipeline::{OutputFile, Site};

/// Render every page and data file of the site.
pub fn render_site(site: &Site, archive: &Archive, insights: &Insights) -> Result<Vec<OutputFile>> {
    let _ = (site, insights);
    let mut files = Vec::new();
    for i in &archive.incidents {
        files.push(OutputFile::new(format!("incidents/{}/index.html", i.id), i.title.clone()));
    }
    Ok(files)
}
