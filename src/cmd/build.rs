//! `hindsight build`: check every post-mortem and publish the site, or leave the
//! previous site untouched when the archive has errors (or warnings, with `--strict`).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use super::{Failure, report, require_content};
use crate::diagnostics::Level;
use crate::pipeline;
use crate::site::Site;
use crate::words::s;

/// Flags of `hindsight build` besides the site's.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Output folder; default: the site's `output_dir`.
    pub output: Option<PathBuf>,
    pub strict: bool,
    /// Allow an output folder outside the site root.
    pub force: bool,
    /// List every warning, not the first few of each kind.
    pub verbose: bool,
    /// No progress line and no summary; problems are still reported.
    pub quiet: bool,
}

pub fn run(site: &Site, options: Options) -> Result<(), Failure> {
    let out_dir = options
        .output
        .map(|o| {
            if o.is_absolute() {
                o
            } else {
                std::env::current_dir().unwrap_or_default().join(o)
            }
        })
        .unwrap_or_else(|| site.output_dir());
    pipeline::check_output_dir(&site.root, &site.content_dir(), &out_dir, options.force)
        .map_err(Failure::Usage)?;
    require_content(site)?;
    let started = std::time::Instant::now();
    if !options.quiet && std::io::stderr().is_terminal() {
        crate::progress::enable();
    }
    let result = pipeline::prepare(site);
    crate::progress::finish();
    // Notes (suggestions, stated figures that differ) are for authors at `check` time; a build only counts them,
    // except those saying which files were not read as post-mortems.
    let adoption = |code: &str| matches!(code, "skipped" | "not-markdown");
    let mut problems = result.diagnostics.clone();
    problems
        .items
        .retain(|d| d.level != Level::Note || adoption(d.code));
    report(&problems, options.verbose);
    let notes = result
        .diagnostics
        .items
        .iter()
        .filter(|d| d.level == Level::Note && !adoption(d.code))
        .count();
    if notes > 0 && !options.quiet {
        eprintln!(
            "{notes} note{} (suggestions and remarks for authors); `hindsight check` lists them",
            s(notes)
        );
    }
    if result.diagnostics.fail(options.strict) {
        eprintln!(
            "not published: fix the errors above; the previous site in {} is unchanged",
            out_dir.display()
        );
        return Err(Failure::Content);
    }
    if !options.quiet && std::io::stderr().is_terminal() {
        crate::progress::enable();
    }
    let published = pipeline::publish(site, &result, &out_dir);
    crate::progress::finish();
    let (written, warning) = published?;
    if let Some(warning) = warning {
        let mut diagnostics = crate::diagnostics::Diagnostics::default();
        diagnostics.push(warning);
        diagnostics.finish();
        report(&diagnostics, options.verbose);
    }
    if let Some(notice) = &written.notice {
        eprintln!("note: {notice}");
    }
    if !options.quiet {
        eprintln!(
            "published {} post-mortems to {} in {:.2?}: {} files, {} written, {} unchanged{}",
            result.archive.incidents.len(),
            out_dir.display(),
            started.elapsed(),
            written.written + written.unchanged,
            written.written,
            written.unchanged,
            if written.removed > 0 {
                format!(", {} removed", written.removed)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
