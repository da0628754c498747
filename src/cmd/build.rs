//! `hindsight build`: check every post-mortem and publish the site, or leave the
//! previous site untouched when the archive has errors (or warnings, with `--strict`).

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
    let result = pipeline::build(site)?;
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
    if notes > 0 {
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
    pipeline::write_site(&out_dir, &result.files)?;
    eprintln!(
        "published {} post-mortems ({} files) to {} in {:.2?}",
        result.archive.incidents.len(),
        result.files.len(),
        out_dir.display(),
        started.elapsed()
    );
    Ok(())
}
