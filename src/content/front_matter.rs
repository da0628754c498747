//! YAML front matter: finding the block, reading it through `crate::yaml`, and checking
//! each key's type.
//!
//! The block opens with a `---` line at the very top of the file and closes with `---` or
//! `...`. Every position reported is absolute in the file (the block's offset is added),
//! and type errors point at the offending value. A scalar where a list is expected is a
//! one-element list; an empty value is "not given". Unknown keys are kept (as JSON) for
//! templates and reported as `unknown-key` warnings.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::yaml::{self, Yaml};

/// A value with the absolute position it was written at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Located<T> {
    pub(crate) value: T,
    pub(crate) line: usize,
    pub(crate) col: usize,
}

/// The file cut into its front matter and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The YAML text and the absolute line of its first line.
    pub(crate) yaml: Option<(&'a str, usize)>,
    pub(crate) body: &'a str,
    /// Absolute line of the body's first line.
    pub(crate) body_line: usize,
}

fn is_fence(line: &str, closing: bool) -> bool {
    let l = line.trim_end_matches(['\r', ' ', '\t']);
    l == "---" || (closing && l == "...")
}

/// Cut `text` into front matter and body. An opened but never closed block is an error;
/// the whole text is then treated as body.
pub(crate) fn split<'a>(text: &'a str, path: &Path) -> (Split<'a>, Option<Diagnostic>) {
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end], false) || first_end == text.len() {
        let no_fm = Split {
            yaml: None,
            body: text,
            body_line: 1,
        };
        if is_fence(&text[..first_end], false) {
            return (no_fm, Some(unterminated(path)));
        }
        return (no_fm, None);
    }
    let yaml_start = first_end + 1;
    let mut pos = yaml_start;
    let mut line_no = 2;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if is_fence(&text[pos..end], true) {
            let body_start = (end + 1).min(text.len());
            return (
                Split {
                    yaml: Some((&text[yaml_start..pos], 2)),
                    body: &text[body_start..],
                    body_line: line_no + 1,
                },
                None,
            );
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
        line_no += 1;
    }
    (
        Split {
            yaml: None,
            body: text,
            body_line: 1,
        },
        Some(unterminated(path)),
    )
}

fn unterminated(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "unterminated-front-matter",
        path,
        1,
        1,
        "front matter opened with `---` on line 1 is never closed; expected a line `---` after the YAML (the file is read as Markdown without front matter)",
    )
}

/// Front-matter values, typed but not yet interpreted (dates and timestamps are read
/// where body values are, so both share one set of rules and messages).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FrontMatter {
    pub(crate) title: Option<Located<String>>,
    pub(crate) date: Option<Located<String>>,
    pub(crate) severity: Option<Located<String>>,
    pub(crate) status: Option<Located<String>>,
    pub(crate) kind: Option<Located<String>>,
    pub(crate) slug: Option<Located<String>>,
    pub(crate) summary: Option<Located<String>>,
    pub(crate) services: Option<Located<Vec<String>>>,
    pub(crate) teams: Option<Located<Vec<String>>>,
    pub(crate) authors: Option<Located<Vec<String>>>,
    pub(crate) reviewers: Option<Located<Vec<String>>>,
    pub(crate) causes: Option<Located<Vec<String>>>,
    pub(crate) tags: Option<Located<Vec<String>>>,
    pub(crate) related: Option<Located<Vec<String>>>,
    /// started_at, detected_at, acknowledged_at, mitigated_at, resolved_at.
    pub(crate) milestones: [Option<Located<String>>; 5],
    /// `internal` or `public`, checked by `visibility`.
    pub(crate) visibility: Option<Located<String>>,
    /// Keys of this front matter that stay out of a public build.
    pub(crate) internal: Option<Located<Vec<String>>>,
    pub(crate) extra: BTreeMap<String, serde_json::Value>,
    /// The block could not be read (syntax error, or never closed): values it may hold
    /// are unknown, so checks for missing values stay quiet.
    pub(crate) broken: bool,
}

pub(crate) const MILESTONE_KEYS: [&str; 5] = [
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
];

const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "severity",
    "status",
    "kind",
    "slug",
    "summary",
    "services",
    "teams",
    "authors",
    "reviewers",
    "causes",
    "tags",
    "related",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "visibility",
    "internal",
];

/// Accepted spellings of the known keys.
pub(super) fn canonical(key: &str) -> Option<&'static str> {
    let k = key.trim().to_ascii_lowercase().replace('-', "_");
    let canon = match k.as_str() {
        "author" => "authors",
        "team" => "teams",
        "service" => "services",
        "tag" => "tags",
        "reviewer" => "reviewers",
        "cause" | "root_cause" | "root_causes" => "causes",
        "type" => "kind",
        "id" => "slug",
        "started" | "start" => "started_at",
        "detected" => "detected_at",
        "acknowledged" => "acknowledged_at",
        "mitigated" => "mitigated_at",
        "resolved" => "resolved_at",
        other => return KNOWN_KEYS.iter().copied().find(|k| *k == other),
    };
    Some(canon)
}

/// Read the front matter `yaml` (its first line is absolute line `first_line` of `text`).
pub(crate) fn read(
    yaml_text: &str,
    first_line: usize,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let (root, tags) = match yaml::parse_tagged(yaml_text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let problem_line = first_line + e.line - 1;
            // Point at the construct that was left open (`[api, db` without `]`), which
            // is where the fix goes, and say where the parser gave up.
            let d = match e.context {
                Some((context, line, col)) => Diagnostic::error(
                    "yaml-syntax",
                    path,
                    first_line + line - 1,
                    col,
                    format!(
                        "front matter is not valid YAML: {} on line {problem_line}, {context} that starts here",
                        e.message
                    ),
                ),
                None => Diagnostic::error(
                    "yaml-syntax",
                    path,
                    problem_line,
                    e.col,
                    format!("front matter is not valid YAML: {}", e.message),
                ),
            };
            diags.push(d);
            fm.broken = true;
            return fm;
        }
    };
    for dropped in &tags {
        let (line, col) = yaml::value_position(yaml_text, &dropped.key)
            .map_or((first_line, 1), |(l, c)| (first_line + l - 1, c));
        let on = if dropped.key.is_empty() {
            String::new()
        } else {
            format!(" on `{}`", dropped.key)
        };
        diags.push(Diagnostic::warning(
            "yaml-tag",
            path,
            line,
            col,
            format!(
                "YAML tag `{}`{on} is not supported and was ignored; the value is read as the text written after it",
                dropped.tag
            ),
        ));
    }
    let entries = match root {
        Yaml::Map(entries) => entries,
        Yaml::Null => return fm,
        other => {
            diags.push(Diagnostic::error(
                "front-matter-type",
                path,
                first_line,
                1,
                format!(
                    "front matter must be a mapping of keys to values (`title: ...`), found {}",
                    other.kind_name()
                ),
            ));
            return fm;
        }
    };
    for (key, value) in entries {
        let (line, col) = yaml::value_position(yaml_text, &key)
            .map_or((first_line, 1), |(l, c)| (first_line + l - 1, c));
        let key_line = yaml::key_line(yaml_text, &key).map_or(first_line, |l| first_line + l - 1);
        let mut ctx = Ctx {
            key: &key,
            line,
            col,
            path,
            diags,
        };
        let Some(canon) = canonical(&key) else {
            ctx.diags.push(unknown_key(&key, path, key_line));
            fm.extra.insert(key.clone(), value.to_json());
            continue;
        };
        match canon {
            "title" => fm.title = ctx.string(&value, "a string"),
            "date" => fm.date = ctx.string(&value, "a date like 2025-10-26"),
            "severity" => fm.severity = ctx.string(&value, "a severity like SEV2"),
            "status" => fm.status = ctx.string(&value, "one of draft, in-review, final"),
            "kind" => fm.kind = ctx.string(&value, "incident or near-miss"),
            "slug" => fm.slug = ctx.string(&value, "a string"),
            "summary" => fm.summary = ctx.string(&value, "a string"),
            "services" => fm.services = ctx.list(&value),
            "teams" => fm.teams = ctx.list(&value),
            "authors" => fm.authors = ctx.list(&value),
            "reviewers" => fm.reviewers = ctx.list(&value),
            "causes" => fm.causes = ctx.list(&value),
            "tags" => fm.tags = ctx.list(&value),
            "related" => fm.related = ctx.list(&value),
            "visibility" => fm.visibility = ctx.string(&value, "internal or public"),
            "internal" => fm.internal = ctx.list(&value),
            milestone => {
                let i = MILESTONE_KEYS
                    .iter()
                    .position(|k| *k == milestone)
                    .unwrap_or(0);
                fm.milestones[i] = ctx.string(&value, "a timestamp like 2025-10-26T14:00:00Z");
            }
        }
    }
    fm
}

struct Ctx<'a> {
    key: &'a str,
    line: usize,
    col: usize,
    path: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn wrong_type(&mut self, expected: &str, found: &Yaml) {
        let found = match found {
            Yaml::String(s) => format!("the string `{s}`"),
            Yaml::Number(n) => format!("the number {n}"),
            other => other.kind_name().to_string(),
        };
        self.diags.push(Diagnostic::warning(
            "front-matter-type",
            self.path,
            self.line,
            self.col,
            format!(
                "`{}` must be {expected}, found {found}; the value is ignored",
                self.key
            ),
        ));
    }

    /// A number or boolean where text is expected is read as its text, with a warning
    /// (`services: 42` is a service named "42"), except for values checked on their
    /// own (dates, times, severity, status, kind).
    fn coerced(&mut self, value: &Yaml, item: bool) {
        let what = match value {
            Yaml::Number(_) => "a number",
            Yaml::Bool(_) => "a boolean",
            _ => return,
        };
        let checked = ["date", "severity", "status", "kind"]
            .contains(&canonical(self.key).unwrap_or(""))
            || MILESTONE_KEYS.contains(&canonical(self.key).unwrap_or(""));
        if checked {
            return;
        }
        let text = value.as_scalar_text().unwrap_or_default();
        let subject = if item {
            format!("an item of `{}`", self.key)
        } else {
            format!("`{}`", self.key)
        };
        self.diags.push(Diagnostic::warning(
            "number-as-text",
            self.path,
            self.line,
            self.col,
            format!("{subject} is {what}, {text}; read as the text `{text}` (quote it to say so)"),
        ));
    }

    fn located<T>(&self, value: T) -> Located<T> {
        Located {
            value,
            line: self.line,
            col: self.col,
        }
    }

    /// A scalar as text; null and empty strings are "not given".
    fn string(&mut self, value: &Yaml, expected: &str) -> Option<Located<String>> {
        match value {
            Yaml::Null => None,
            Yaml::List(_) | Yaml::Map(_) => {
                self.wrong_type(expected, value);
                None
            }
            scalar => {
                self.coerced(scalar, false);
                scalar
                    .as_scalar_text()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .map(|s| self.located(s))
            }
        }
    }

    /// A list of scalars, or one scalar as a one-element list.
    fn list(&mut self, value: &Yaml) -> Option<Located<Vec<String>>> {
        let expected = "a list of strings (or a single string)";
        match value {
            Yaml::Null => None,
            Yaml::Map(_) => {
                self.wrong_type(expected, value);
                None
            }
            Yaml::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    self.coerced(item, true);
                    match item.as_scalar_text() {
                        Some(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Some(_) => {}
                        None if *item == Yaml::Null => {}
                        None => {
                            self.wrong_type(expected, item);
                            return None;
                        }
                    }
                }
                Some(self.located(out))
            }
            scalar => {
                self.coerced(scalar, false);
                scalar
                    .as_scalar_text()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .map(|s| self.located(vec![s]))
            }
        }
    }
}

/// A key hindsight does not read. One a letter or two from a known key is a typo that
/// loses the value (`severty:`), so a warning that names the key meant; any other
/// (`company:`, `source_url:`) is the archive's own, kept for templates, so a note.
fn unknown_key(key: &str, path: &Path, line: usize) -> Diagnostic {
    let lower = key.to_lowercase();
    let meant = KNOWN_KEYS
        .iter()
        .map(|k| (crate::words::edit_distance(&lower, k), *k))
        .filter(|&(d, k)| d <= 2 && d * 3 <= k.len())
        .min();
    match meant {
        Some((_, k)) => Diagnostic::warning(
            "unknown-key",
            path,
            line,
            1,
            format!(
                "unknown front-matter key `{key}`; did you mean `{k}`? The value is kept only for templates, as `extra.{key}`"
            ),
        ),
        None => Diagnostic::note(
            "unknown-key",
            path,
            line,
            1,
            format!(
                "front-matter key `{key}` is not one hindsight reads; kept for templates as `extra.{key}` (known keys: {})",
                KNOWN_KEYS.join(", ")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_block_and_body_lines() {
        let text = "---\ntitle: x\n---\n# Body\n";
        let (s, d) = split(text, Path::new("a.md"));
        assert!(d.is_none());
        assert_eq!(s.yaml, Some(("title: x\n", 2)));
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
        let crlf = "---\r\ntitle: x\r\n...\r\nbody";
        assert_eq!(split(crlf, Path::new("a.md")).0.body, "body");
        let (s, d) = split("---\ntitle: x\n# no end\n", Path::new("a.md"));
        assert_eq!(s.yaml, None);
        assert_eq!(d.unwrap().code, "unterminated-front-matter");
        assert_eq!(split("# Title\n---\n", Path::new("a.md")).0.yaml, None);
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let text = "---\ntitle: [a, b]\nservices: api\nteams:\n  - {x: 1}\nfoo: 1\n---\n";
        let (s, _) = split(text, Path::new("a.md"));
        let (yaml, first) = s.yaml.unwrap();
        let mut diags = Vec::new();
        let fm = read(yaml, first, Path::new("a.md"), &mut diags);
        assert_eq!(fm.services.unwrap().value, ["api"]);
        let got: Vec<(&str, usize, usize, &str)> = diags
            .iter()
            .map(|d| (d.code, d.line, d.col, d.message.as_str()))
            .collect();
        assert_eq!(
            got[0],
            (
                "front-matter-type",
                2,
                8,
                "`title` must be a string, found a list; the value is ignored"
            )
        );
        assert_eq!(got[1].0, "front-matter-type");
        assert_eq!((got[1].1, got[1].2), (5, 3));
        assert_eq!((got[2].0, got[2].1), ("unknown-key", 6));
        assert_eq!(fm.extra["foo"], serde_json::json!(1));
    }

    #[test]
    fn a_misspelt_key_is_a_warning_naming_the_key_meant_and_an_archive_s_own_key_a_note() {
        let text = "---\ntitle: T\nseverty: SEV1\ncompany: Acme\nsource_url: https://e.x\n---\n";
        let (s, _) = split(text, Path::new("a.md"));
        let (yaml, first) = s.yaml.unwrap();
        let mut diags = Vec::new();
        let fm = read(yaml, first, Path::new("a.md"), &mut diags);
        let got: Vec<(crate::diagnostics::Level, usize, &str)> = diags
            .iter()
            .map(|d| (d.level, d.line, d.message.as_str()))
            .collect();
        use crate::diagnostics::Level::{Note, Warning};
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            (
                Warning,
                3,
                "unknown front-matter key `severty`; did you mean `severity`? The value is kept only for templates, as `extra.severty`"
            )
        );
        assert_eq!((got[1].0, got[1].1), (Note, 4));
        assert!(got[1].2.starts_with("front-matter key `company` is not one hindsight reads; kept for templates as `extra.company`"), "{}", got[1].2);
        assert_eq!((got[2].0, got[2].1), (Note, 5));
        assert_eq!(fm.extra["company"], serde_json::json!("Acme"));
    }
}
