//! `hindsight check`: report every problem in the archive in one run, without
//! publishing, as text for people or JSON for tools.

use std::io::Write;

use super::{Failure, report, require_content};
use crate::pipeline;
use crate::site::Site;

/// How `check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}

pub fn run(site: &Site, strict: bool, format: Format, verbose: bool) -> Result<(), Failure> {
    require_content(site)?;
    let (archive, mut diagnostics) = pipeline::load(site);
    let (_insights, more) = pipeline::analyse(site, &archive);
    diagnostics.extend(more);
    diagnostics.apply_levels(&site.config.checks);
    diagnostics.finish();
    match format {
        Format::Human => {
            report(&diagnostics, verbose);
            if diagnostics.items.is_empty() {
                eprintln!(
                    "{} post-mortems checked, no problems",
                    archive.incidents.len()
                );
            }
        }
        Format::Json => {
            let json = serde_json::json!({
                "incidents": archive.incidents.len(),
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
                "notes": diagnostics.note_count(),
                "diagnostics": diagnostics.items,
            });
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &json).map_err(anyhow::Error::from)?;
            writeln!(stdout).map_err(anyhow::Error::from)?;
        }
    }
    if diagnostics.fail(strict) {
        Err(Failure::Content)
    } else {
        Ok(())
    }
}
