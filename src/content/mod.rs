//! Reading post-mortems: discovery on disk, then parsing one file into an `Incident`.
//!
//! `parse` is a pure function of the file's text and the config, so it runs in parallel
//! (rayon) and `serve --watch` can cache its result by content.

pub mod discover;
mod markdown;
mod sections;
mod time;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Incident;

pub use discover::SourceFile;

/// The outcome of parsing one file: the incident when it could be read at all, and every
/// problem found on the way (a file can yield an incident *and* errors).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one post-mortem.
pub fn parse(source: &SourceFile, _config: &Config) -> Parsed {
    let id = source.rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let title = source.text.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or(&id).trim().to_string();
    let incident = Incident { id, source: source.rel.clone(), title, ..Default::default() };
    Parsed { incident: Some(incident), diagnostics: Vec::new() }
}
