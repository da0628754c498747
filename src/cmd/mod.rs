//! The commands, one module each, on top of every other layer. `cli` parses the flags,
//! opens the site and calls one of these; each returns `Ok` or the [`Failure`] that
//! decides the exit code. Diagnostics are printed here, in one format: [`report`].

pub mod build;
pub mod check;
pub mod ci_formats;
pub mod docs;
pub mod init;
pub mod new;
pub mod search;
pub mod serve;

use std::io::Write;

use crate::diagnostics::Diagnostics;
use crate::site::Site;
use crate::words::s;

/// A failure that ends the command with a given exit code.
#[derive(Debug)]
pub enum Failure {
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

/// Print diagnostics to stderr, sorted, with a summary line.
pub fn report(diagnostics: &Diagnostics) {
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    for d in &diagnostics.items {
        let _ = writeln!(out, "{d}");
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
