//! Errors and warnings about the archive, with absolute `path:line:col` positions.
//!
//! Every stage collects `Diagnostic`s instead of aborting, so one run reports every
//! problem in the archive. Which checks are errors and which are warnings is decided by
//! `site.toml` (`[checks]`), applied in one place: `Diagnostics::apply_levels`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Makes the page impossible: nothing is published.
    Error,
    /// Something was guessed or left out; the page is still published (an error with
    /// `--strict`).
    Warning,
    /// Information for the author (e.g. suggested causes): shown, never fails a build,
    /// not even with `--strict`.
    Note,
}

/// Every check code, so `[checks]` in site.toml can refuse a misspelt one. A code used
/// anywhere must be listed here (a test scans the sources for codes not listed).
pub const CODES: &[&str] = &[
    "action-item-no-due-date",
    "action-item-no-owner",
    "cause-suggestion",
    "date-after-as-of",
    "date-mismatch",
    "duplicate-id",
    "date-from-text",
    "duration-disagrees",
    "front-matter-conflict",
    "front-matter-type",
    "implausible-duration",
    "inferred-cause",
    "internal-reference",
    "invalid-date",
    "invalid-defaults",
    "invalid-timestamp",
    "invalid-value",
    "missing-date",
    "missing-title",
    "not-markdown",
    "not-utf8",
    "number-as-text",
    "possible-repeat",
    "redactable",
    "search-index",
    "skipped",
    "slug-rewritten",
    "table-missing-cells",
    "template-placeholder",
    "timestamps-out-of-order",
    "unknown-key",
    "unknown-severity",
    "unknown-status",
    "unreadable",
    "unreadable-time",
    "unresolved-reference",
    "unterminated-front-matter",
    "yaml-syntax",
    "yaml-tag",
];

/// The known code closest to a misspelt one (most shared character pairs), if any is close.
pub(crate) fn closest_code(code: &str) -> Option<&'static str> {
    let pairs = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let wanted = pairs(code);
    CODES
        .iter()
        .map(|known| {
            let theirs = pairs(known);
            let shared = wanted.iter().filter(|p| theirs.contains(p)).count();
            (
                2.0 * shared as f64 / (wanted.len() + theirs.len()).max(1) as f64,
                *known,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// The level a site gives a check code in `[checks]` of site.toml.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CheckLevel {
    /// Report it as an error.
    Error,
    /// Report it as a warning.
    Warning,
    /// Do not report it.
    Off,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or note, after `[checks]`.
    pub level: Level,
    /// Stable machine name of the check, e.g. `missing-date`, `yaml-syntax`. Used by
    /// `[checks]` in site.toml to promote or demote it.
    pub code: &'static str,
    /// Path as shown to the user (relative to the site root when possible).
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub col: usize,
    /// What is wrong and what was expected.
    pub message: String,
    /// The offending source line, shown with a caret under `col`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_line: Option<String>,
}

/// Read back from the build cache; the code is one of [`CODES`].
impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Written {
            level: Level,
            code: String,
            path: PathBuf,
            line: usize,
            col: usize,
            message: String,
            source_line: Option<String>,
        }
        let w = Written::deserialize(d)?;
        let code = CODES
            .iter()
            .find(|c| **c == w.code)
            .copied()
            .ok_or_else(|| serde::de::Error::custom(format!("unknown check code `{}`", w.code)))?;
        Ok(Diagnostic {
            level: w.level,
            code,
            path: w.path,
            line: w.line,
            col: w.col,
            message: w.message,
            source_line: w.source_line,
        })
    }
}

impl Diagnostic {
    pub(crate) fn new(
        level: Level,
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        let (path, message) = (path.into(), message.into());
        Diagnostic {
            level,
            code,
            path,
            line,
            col,
            message,
            source_line: None,
        }
    }

    pub(crate) fn error(
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(Level::Error, code, path, line, col, message)
    }

    pub(crate) fn warning(
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(Level::Warning, code, path, line, col, message)
    }

    pub(crate) fn note(
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(Level::Note, code, path, line, col, message)
    }

    /// Attach the source line `self.line` from `text` (the whole file). Tests build a
    /// diagnostic this way; a parse gives a whole file's diagnostics their lines at once
    /// (`content::attach_source_lines`).
    #[cfg(test)]
    pub(crate) fn with_source(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.source_line = text
                .lines()
                .nth(self.line - 1)
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    pub(crate) fn location(&self) -> String {
        let path = display_path(&self.path);
        match (self.line, self.col) {
            (0, _) => path,
            (line, 0) => format!("{path}:{line}"),
            (line, col) => format!("{path}:{line}:{col}"),
        }
    }

    fn sort_key(&self) -> (&Path, usize, usize, Level, &str) {
        (&self.path, self.line, self.col, self.level, &self.message)
    }
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        write!(
            f,
            "{}: {level}[{}]: {}",
            self.location(),
            self.code,
            self.message
        )?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string();
            write!(f, "\n {gutter} | {src}")?;
            if self.col > 0 {
                // Caret under the column, counting characters not bytes.
                let pad: String = src
                    .chars()
                    .take(self.col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {} | {pad}^", " ".repeat(gutter.len()))?;
            }
        }
        Ok(())
    }
}

/// A sorted, de-duplicated collection of diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The diagnostics, sorted by path and position once complete.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub(crate) fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Re-level each diagnostic by the `[checks]` table: code → "error" | "warning" | "off".
    pub(crate) fn apply_levels(&mut self, checks: &std::collections::BTreeMap<String, CheckLevel>) {
        self.items.retain_mut(|d| match checks.get(d.code) {
            Some(CheckLevel::Off) => false,
            Some(CheckLevel::Error) => {
                d.level = Level::Error;
                true
            }
            Some(CheckLevel::Warning) => {
                d.level = Level::Warning;
                true
            }
            None => true,
        });
    }

    /// Sort by path, then position, so output is deterministic whatever the thread order.
    pub(crate) fn finish(&mut self) {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
    }

    /// How many are errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    pub(crate) fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.level == Level::Warning)
            .count()
    }

    pub(crate) fn note_count(&self) -> usize {
        self.items.iter().filter(|d| d.level == Level::Note).count()
    }

    /// Whether these diagnostics stop a build: any error, or any warning when `strict`.
    /// Notes never do.
    pub(crate) fn fail(&self, strict: bool) -> bool {
        fails(&self.items, strict)
    }
}

/// Whether `diagnostics` stop a build: any error, or any warning when `strict`.
pub(crate) fn fails(diagnostics: &[Diagnostic], strict: bool) -> bool {
    diagnostics
        .iter()
        .any(|d| d.level == Level::Error || strict && d.level == Level::Warning)
}

/// 1-based line and column of byte `offset` in `text` (column counts characters).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 8), (3, 1));
    }

    #[test]
    fn display_shows_caret_under_column() {
        let d = Diagnostic::error(
            "invalid-date",
            "content/a.md",
            2,
            7,
            "invalid date `2025-02-30`, expected YYYY-MM-DD",
        )
        .with_source("---\ndate: 2025-02-30\n---\n");
        assert_eq!(
            d.to_string(),
            "content/a.md:2:7: error[invalid-date]: invalid date `2025-02-30`, expected YYYY-MM-DD\n 2 | date: 2025-02-30\n   |       ^"
        );
    }
}
