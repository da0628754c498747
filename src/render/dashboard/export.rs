//! `api/trends.json`: every figure of every scope, as `trends::compute` gives them.

use anyhow::Result;

use crate::analysis::trends;
use crate::model::{Archive, Insights};
use crate::site::{OutputFile, Site};

/// Output path of the JSON export.
pub const TRENDS_JSON: &str = "api/trends.json";

/// `api/trends.json`: every figure of every scope (`trends::compute`).
pub fn trends_json(site: &Site, archive: &Archive, insights: &Insights) -> Result<OutputFile> {
    export(&trends::compute(
        archive,
        insights,
        site.as_of,
        &site.config,
    ))
}

/// The export of figures already computed.
pub(super) fn export(figures: &trends::Trends) -> Result<OutputFile> {
    // Compact: the export of a large archive runs to megabytes; pretty-printing tripled it.
    let mut json = serde_json::to_string(figures)?;
    json.push('\n');
    Ok(OutputFile::new(TRENDS_JSON, json))
}
