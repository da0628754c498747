//! The commands, one module each, on top of every other layer. `cli` parses the flags,
//! opens the site and calls one of these; each returns `Ok` or the `Failure` that
//! decides the exit code. Diagnostics are printed here, in one format: `report`.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod ci_formats;
pub(crate) mod docs;
pub(crate) mod init;
pub mod new;
pub(crate) mod search;
pub(crate) mod serve;

use std::io::Write;

use crate::diagnostics::{Diagnostics, Level};
use crate::site::Site;
use crate::words::s;

/// A failure that ends the command with a given exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Content errors: exit 1 (they have been printed already).
    Content,
    /// Usage or configuration: exit 2.
    Usage(String),
    /// Anything else (I/O and the like): exit 1 with the message chain.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// A warning code seen more often than this is grouped: the first [`SHOWN`] are printed
/// in full, then one line with the count (`--verbose` prints every one). Errors and
/// notes are always printed in full.
pub(crate) const GROUP_AFTER: usize = 10;
/// How many of a grouped code are printed in full.
pub(crate) const SHOWN: usize = 3;

/// Print diagnostics to stderr, sorted, with a summary line; repeated warnings are
/// grouped by code unless `verbose`.
pub(crate) fn report(diagnostics: &Diagnostics, verbose: bool) {
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    let _ = write!(out, "{}", report_text(diagnostics, verbose));
}

/// What `report` prints.
pub(crate) fn report_text(diagnostics: &Diagnostics, verbose: bool) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let mut counts: BTreeMap<(Level, &str), usize> = BTreeMap::new();
    for d in &diagnostics.items {
        *counts.entry((d.level, d.code)).or_default() += 1;
    }
    let grouped = |d: &crate::diagnostics::Diagnostic| {
        !verbose && d.level == Level::Warning && counts[&(d.level, d.code)] > GROUP_AFTER
    };
    let mut out = String::new();
    let mut shown: BTreeMap<(Level, &str), usize> = BTreeMap::new();
    for d in &diagnostics.items {
        if grouped(d) {
            let n = shown.entry((d.level, d.code)).or_default();
            *n += 1;
            if *n > SHOWN {
                continue;
            }
        }
        let _ = writeln!(out, "{d}");
    }
    for ((level, code), n) in &counts {
        if verbose || *level != Level::Warning || *n <= GROUP_AFTER {
            continue;
        }
        let _ = writeln!(
            out,
            "{} (warning[{code}]): the first {SHOWN} are shown above, {} more; `--verbose` lists them",
            describe_group(code, *n),
            n - SHOWN
        );
    }
    let (errors, warnings, notes) = (
        diagnostics.error_count(),
        diagnostics.warning_count(),
        diagnostics.note_count(),
    );
    if errors + warnings + notes > 0 {
        let _ = writeln!(
            out,
            "{errors} error{}, {warnings} warning{}, {notes} note{}",
            s(errors),
            s(warnings),
            s(notes)
        );
    }
    out
}

/// "113 action items have no owner" and the like.
fn describe_group(code: &str, n: usize) -> String {
    let phrase = match code {
        "action-item-no-owner" => "action items have no owner",
        "action-item-no-due-date" => "action items have no due date",
        "unresolved-reference" => "references to other incidents are not resolved",
        "template-placeholder" => "lines still hold template placeholders",
        "unreadable-time" => "timeline times could not be read",
        "possible-repeat" => "post-mortems may repeat an earlier incident",
        "unknown-key" => "front-matter keys are unknown",
        "unknown-status" => "statuses are not understood",
        "unknown-severity" => "severities are not understood",
        "table-missing-cells" => "table rows lack cells",
        "number-as-text" => "numbers were read as text",
        "missing-title" => "post-mortems have no title",
        "front-matter-conflict" => "values differ between front matter and body",
        "timestamps-out-of-order" => "timestamps are out of order",
        "implausible-duration" => "durations are implausible and left out of the statistics",
        "duration-disagrees" => "stated durations differ from the timestamps or timeline",
        "date-mismatch" => "incident dates are far from their timeline",
        "date-after-as-of" => "dates lie after the as-of date",
        "date-from-text" => "post-mortems have their date read from the text, not a date field",
        _ => return format!("{n} × `{code}`"),
    };
    format!("{n} {phrase}")
}

/// A usage error unless the site has a content folder.
fn require_content(site: &Site) -> Result<(), Failure> {
    if site.content_dir().is_dir() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "no content folder at {}; expected post-mortems there (or set content_dir in site.toml)",
            site.content_dir().display()
        )))
    }
}
