//! `hindsight check`: report every problem in the archive in one run, without
//! publishing, as text for people, JSON for tools, or the
//! formats of CI systems (GitHub annotations, GitLab Code Quality, SARIF).

use std::io::Write;

use super::{Failure, ci_formats, report, require_content};
use crate::pipeline;
use crate::site::Site;
use crate::words::s;

/// How `check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Format {
    #[default]
    Human,
    Json,
    /// GitHub Actions workflow commands (annotations on the lines).
    Github,
    /// A GitLab Code Quality report (JSON).
    Gitlab,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
}

pub(crate) fn run(site: &Site, strict: bool, format: Format, verbose: bool) -> Result<(), Failure> {
    require_content(site)?;
    // Through the build cache, so a check in CI before the build costs what the build
    // saves.
    let (sources, problems) = crate::content::archive::read_all(site);
    let keys = crate::content::cache::keys(&sources);
    let (prepared, reused) = pipeline::prepare_cached(site, &sources, keys, problems);
    drop(sources);
    for notice in &reused.notices {
        eprintln!("note: {notice}");
    }
    let pipeline::Prepared {
        archive,
        diagnostics,
        ..
    } = prepared;
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
        Format::Github => {
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", ci_formats::github(&diagnostics.items))
                .map_err(anyhow::Error::from)?;
            summary(&diagnostics, archive.incidents.len());
        }
        Format::Gitlab | Format::Sarif => {
            let json = if format == Format::Gitlab {
                ci_formats::gitlab(&diagnostics.items)
            } else {
                ci_formats::sarif(&diagnostics.items)
            };
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &json).map_err(anyhow::Error::from)?;
            writeln!(stdout).map_err(anyhow::Error::from)?;
            summary(&diagnostics, archive.incidents.len());
        }
    }
    if diagnostics.fail(strict) {
        Err(Failure::Content)
    } else {
        Ok(())
    }
}

/// The counts on stderr, so a CI log says what the report on stdout holds.
fn summary(diagnostics: &crate::diagnostics::Diagnostics, incidents: usize) {
    let (errors, warnings, notes) = (
        diagnostics.error_count(),
        diagnostics.warning_count(),
        diagnostics.note_count(),
    );
    eprintln!(
        "{incidents} post-mortem{} checked: {errors} error{}, {warnings} warning{}, {notes} note{}",
        s(incidents),
        s(errors),
        s(warnings),
        s(notes)
    );
}
