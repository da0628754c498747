//! `hindsight build`: check every post-mortem and publish the site, or leave the
//! previous site untouched when the archive has errors (or warnings, with `--strict`).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use super::{Failure, report, report_text, require_content};
use crate::diagnostics::Level;
use crate::pipeline;
use crate::site::Site;
use crate::uptodate;
use crate::words::s;

/// Flags of `hindsight build` besides the site's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Output folder; default: the site's `output_dir`.
    pub(crate) output: Option<PathBuf>,
    pub(crate) strict: bool,
    /// Allow an output folder outside the site root.
    pub(crate) force: bool,
    /// List every warning, not the first few of each kind.
    pub(crate) verbose: bool,
    /// No progress line and no summary; problems are still reported.
    pub(crate) quiet: bool,
}

pub(crate) fn run(site: &Site, options: Options) -> Result<(), Failure> {
    let out_dir = options
        .output
        .clone()
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
    let progress = !options.quiet && std::io::stderr().is_terminal();
    if progress {
        crate::progress::enable();
    }
    let cache_dir = site.cache_dir();
    // Whether the output is as the last build left it is checked while the post-mortems
    // are read: both only wait on the disk.
    let ((sources, read_problems), (previous, output_intact)) = rayon::join(
        || crate::content::archive::read_all(site),
        || {
            let previous = crate::publish::Previous::read(&out_dir, &cache_dir);
            let intact = previous.intact(&out_dir);
            (previous, intact)
        },
    );
    let keys = crate::content::cache::keys(&sources);
    let fingerprint = uptodate::fingerprint(site, &sources, &keys, &read_problems, &out_dir);
    if let Some(fingerprint) = &fingerprint {
        match uptodate::unchanged(&cache_dir, &out_dir, fingerprint, output_intact) {
            Ok(record) => {
                crate::progress::finish();
                return replay(&record, &out_dir, &options, started);
            }
            Err(Some(notice)) => eprintln!("note: {notice}"),
            Err(None) => {}
        }
    }
    let (result, reused) = pipeline::prepare_cached(site, &sources, keys, read_problems);
    drop(sources);
    for notice in &reused.notices {
        eprintln!("note: {notice}");
    }
    crate::progress::finish();
    // Notes (suggestions, stated figures that differ) are for authors at `check` time; a build only counts them,
    // except those saying which files were not read as post-mortems.
    let adoption = |code: &str| matches!(code, "skipped" | "not-markdown");
    let mut problems = result.diagnostics.clone();
    problems
        .items
        .retain(|d| d.level != Level::Note || adoption(d.code));
    let (report_grouped, report_verbose) =
        (report_text(&problems, false), report_text(&problems, true));
    eprint!(
        "{}",
        if options.verbose {
            &report_verbose
        } else {
            &report_grouped
        }
    );
    let notes = result
        .diagnostics
        .items
        .iter()
        .filter(|d| d.level == Level::Note && !adoption(d.code))
        .count();
    print_notes(notes, &options);
    if result.diagnostics.fail(options.strict) {
        return Err(not_published(&out_dir));
    }
    if progress {
        crate::progress::enable();
    }
    // The record of the last build no longer describes what is about to be written.
    uptodate::forget(&cache_dir, &out_dir);
    let published = pipeline::publish(site, &result, &out_dir, previous);
    crate::progress::finish();
    let (written, warning) = published?;
    if let Some(warning) = warning {
        let mut diagnostics = crate::diagnostics::Diagnostics::default();
        diagnostics.push(warning);
        diagnostics.finish();
        report(&diagnostics, options.verbose);
    } else if let Some(fingerprint) = &fingerprint {
        // Only a build that published everything, search index included, is one to
        // trust again. A record that cannot be saved costs the next build its shortcut.
        let record = uptodate::Record::new(
            result.archive.incidents.len(),
            written.files(),
            report_grouped,
            report_verbose,
            notes,
            result.diagnostics.fail(true),
        );
        let _ = uptodate::save(&cache_dir, &out_dir, fingerprint, record);
    }
    if let Some(notice) = &written.notice {
        eprintln!("note: {notice}");
    }
    // Said only when the cache did part of the work (not on a first build).
    let remark = match reused.parsed {
        0 => String::new(),
        n => format!(
            "; {n} of {} file{} read back from the build cache",
            reused.files,
            s(reused.files)
        ),
    };
    summary(
        &options,
        result.archive.incidents.len(),
        &out_dir,
        started,
        &written,
        &remark,
    );
    Ok(())
}

/// Say again what the last build of these very inputs said; the site on disk is
/// already what this build would write.
fn replay(
    record: &uptodate::Record,
    out_dir: &std::path::Path,
    options: &Options,
    started: std::time::Instant,
) -> Result<(), Failure> {
    eprint!(
        "{}",
        if options.verbose {
            &record.report_verbose
        } else {
            &record.report
        }
    );
    print_notes(record.notes, options);
    if options.strict && record.fails_strict {
        return Err(not_published(out_dir));
    }
    let written = crate::publish::Written {
        unchanged: record.files,
        ..Default::default()
    };
    summary(
        options,
        record.published,
        out_dir,
        started,
        &written,
        " (nothing changed since the last build)",
    );
    Ok(())
}

/// The last line of a build: what was published where, and how many files it wrote.
fn summary(
    options: &Options,
    published: usize,
    out_dir: &std::path::Path,
    started: std::time::Instant,
    written: &crate::publish::Written,
    remark: &str,
) {
    if options.quiet {
        return;
    }
    let removed = match written.removed {
        0 => String::new(),
        n => format!(", {n} removed"),
    };
    let carried = match written.carried {
        0 => String::new(),
        n => format!(" ({n} not rendered again)"),
    };
    eprintln!(
        "published {published} post-mortems to {} in {:.2?}: {} files, {} written, {} unchanged{carried}{removed}{remark}",
        out_dir.display(),
        started.elapsed(),
        written.files(),
        written.written,
        written.unchanged,
    );
}

fn print_notes(notes: usize, options: &Options) {
    if notes > 0 && !options.quiet {
        eprintln!(
            "{notes} note{} (suggestions and remarks for authors); `hindsight check` lists them",
            s(notes)
        );
    }
}

fn not_published(out_dir: &std::path::Path) -> Failure {
    eprintln!(
        "not published: fix the errors above; the previous site in {} is unchanged",
        out_dir.display()
    );
    Failure::Content
}
