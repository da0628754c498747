//! What of a post-mortem may leave the organisation, applied to the text before it is
//! parsed.
//!
//! A whole post-mortem is `internal` or `public` (front matter `visibility:`, else the
//! folder defaults, else site.toml's `visibility`). Inside a public one, a section whose
//! heading carries `{.internal}` or `{visibility=internal}` (to the next heading of the
//! same or a higher level), a fenced block ```` ```internal ````, and the front-matter
//! keys listed in `internal: [...]` are internal.
//!
//! For a public build (`Audience::Public`) the internal parts are blanked out of the
//! text (line breaks kept, so every line number stays true), the internal keys are
//! dropped, and `[redact]` is applied to the rest of the body, to every front-matter
//! value and to the file's path, all before the parser reads them: titles, ids, tables,
//! the body's HTML and text, and everything later derived from them only ever see what
//! is public. Internal post-mortems are still parsed (their ids resolve references) and
//! left out of the archive afterwards, with every reference to them (`crate::audience`).
//!
//! For an internal build the text is read as written, except that an ```` ```internal ````
//! fence is unwrapped (its content is ordinary Markdown). `check` warns
//! (`redactable`) about what `[redact]` would replace in a public post-mortem.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

use super::SourceFile;
use super::front_matter::{self, FrontMatter, Located};
use crate::config::{Audience, Cascade, Config, Visibility};
use crate::diagnostics::Diagnostic;
use crate::redact::Redactor;

/// What one post-mortem's front matter (and folder) say about its visibility.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) visibility: Visibility,
    /// Front-matter keys as written that are internal.
    internal_keys: Vec<String>,
    audience: Audience,
    /// The rules of a public build, or of `check`'s warning about a public post-mortem.
    redactor: Option<std::sync::Arc<Redactor>>,
}

impl Plan {
    /// Decide the visibility of a post-mortem and, for a public build, take its internal
    /// keys out of `fm` and redact the rest.
    pub(crate) fn new(
        fm: &mut FrontMatter,
        defaults: Option<&Cascade>,
        config: &Config,
        path: &Path,
        diags: &mut Vec<Diagnostic>,
    ) -> Plan {
        let visibility = decide(fm, defaults, config, path, diags);
        let internal_keys = fm
            .internal
            .as_ref()
            .map(|keys| checked_keys(fm, keys, path, diags))
            .unwrap_or_default();
        let wants_rules = match config.audience {
            Audience::Public => true,
            Audience::Internal => visibility == Visibility::Public,
        };
        let redactor = if wants_rules {
            match Redactor::shared(&config.redact) {
                Ok(r) if !r.is_empty() => Some(r),
                Ok(_) => None,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        "invalid-value",
                        path,
                        0,
                        0,
                        format!("site.toml [redact]: {e}; nothing can be published safely"),
                    ));
                    None
                }
            }
        } else {
            None
        };
        let plan = Plan {
            visibility,
            internal_keys,
            audience: config.audience,
            redactor,
        };
        if plan.audience == Audience::Public {
            plan.hide_and_redact(fm);
        }
        plan
    }

    /// For a public build with `[redact]` rules, the file as the parser may see it
    /// besides its text: its path and its folder defaults redacted (the text is not
    /// copied; the parser reads the prepared body).
    pub(crate) fn source(&self, source: &SourceFile) -> Option<SourceFile> {
        let r = self
            .redactor
            .as_ref()
            .filter(|_| self.audience == Audience::Public)?;
        let list =
            |l: &[String]| -> Vec<String> { l.iter().map(|v| r.redact(v).into_owned()).collect() };
        let one = |v: &Option<String>| v.as_ref().map(|v| r.redact(v).into_owned());
        let defaults = source.defaults.as_deref().map(|d| {
            std::sync::Arc::new(Cascade {
                path: d.path.clone(),
                teams: list(&d.teams),
                services: list(&d.services),
                tags: list(&d.tags),
                causes: list(&d.causes),
                authors: list(&d.authors),
                severity: one(&d.severity),
                status: d.status.clone(),
                kind: d.kind.clone(),
                visibility: d.visibility.clone(),
            })
        });
        Some(SourceFile {
            path: source.path.clone(),
            rel: PathBuf::from(r.redact(&source.rel.to_string_lossy()).into_owned()),
            text: String::new(),
            defaults,
        })
    }

    /// The body the parser reads: for a public build without its internal parts and
    /// redacted; for an internal one with `internal` fences unwrapped.
    pub(crate) fn body<'a>(&self, body: &'a str) -> Cow<'a, str> {
        let parts = internal_parts(body);
        match self.audience {
            Audience::Internal => blank(body, &parts.fence_lines),
            Audience::Public => {
                let mut hidden = parts.sections;
                hidden.extend(parts.fences);
                let blanked = blank(body, &hidden);
                match (&self.redactor, blanked) {
                    (Some(r), Cow::Borrowed(b)) => r.redact_markdown(b),
                    (Some(r), Cow::Owned(b)) => Cow::Owned(r.redact_markdown(&b).into_owned()),
                    (None, blanked) => blanked,
                }
            }
        }
    }

    /// In an internal build, a `redactable` warning for everything `[redact]` would
    /// replace in a public post-mortem's published parts: its front matter (`yaml` from
    /// absolute line `yaml_line`) and its body (from line `body_line`).
    pub(crate) fn redactable(
        &self,
        yaml: Option<(&str, usize)>,
        body: &str,
        body_line: usize,
        path: &Path,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(redactor) = self.redactor.as_ref().filter(|_| {
            self.audience == Audience::Internal && self.visibility == Visibility::Public
        }) else {
            return;
        };
        let name = path.to_string_lossy();
        for f in redactor.find(&name) {
            diags.push(Diagnostic::warning(
                "redactable",
                path,
                0,
                0,
                format!(
                    "the file name has `{}`, {}, which would be redacted from its page id and file name in the public build of this public post-mortem; expected a file name without it",
                    &name[f.start..f.end],
                    f.rule.describe()
                ),
            ));
        }
        let mut warn = |text: &str, first_line: usize| {
            for f in redactor.find(text) {
                let (line, col) = crate::diagnostics::line_col(text, f.start);
                diags.push(Diagnostic::warning(
                    "redactable",
                    path,
                    first_line + line - 1,
                    col,
                    format!(
                        "`{}` is {} and would be redacted in the public build of this public post-mortem; expected it written out, or the part marked internal",
                        text[f.start..f.end].replace('\n', " "),
                        f.rule.describe()
                    ),
                ));
            }
        };
        if let Some((yaml, yaml_line)) = yaml {
            let public = published_yaml(yaml, &self.internal_keys);
            warn(&public, yaml_line);
        }
        let parts = internal_parts(body);
        let mut hidden = parts.sections;
        hidden.extend(parts.fences);
        warn(&blank(body, &hidden), body_line);
    }

    fn hide_and_redact(&self, fm: &mut FrontMatter) {
        for key in &self.internal_keys {
            hide(fm, key);
        }
        fm.internal = None;
        let Some(r) = &self.redactor else {
            return;
        };
        let one = |v: &mut Option<Located<String>>| {
            if let Some(v) = v {
                v.value = r.redact(&v.value).into_owned();
            }
        };
        for v in [
            &mut fm.title,
            &mut fm.severity,
            &mut fm.status,
            &mut fm.kind,
            &mut fm.slug,
            &mut fm.summary,
        ] {
            one(v);
        }
        for list in [
            &mut fm.services,
            &mut fm.teams,
            &mut fm.authors,
            &mut fm.reviewers,
            &mut fm.causes,
            &mut fm.tags,
            &mut fm.related,
        ]
        .into_iter()
        .flatten()
        {
            for v in &mut list.value {
                *v = r.redact(v).into_owned();
            }
        }
        let extra = std::mem::take(&mut fm.extra);
        fm.extra = extra
            .into_iter()
            .map(|(k, v)| (r.redact(&k).into_owned(), redact_json(r, v)))
            .collect();
    }
}

/// The post-mortem's own `visibility:`, else its folder's, else the site's.
fn decide(
    fm: &FrontMatter,
    defaults: Option<&Cascade>,
    config: &Config,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Visibility {
    let mut read = |written: &str, line: usize, col: usize, whose: &str| {
        Visibility::parse(written).or_else(|| {
            diags.push(Diagnostic::warning(
                "invalid-value",
                path,
                line,
                col,
                format!("{whose}`visibility` `{written}` is not one of internal, public; the post-mortem is internal"),
            ));
            Some(Visibility::Internal)
        })
    };
    fm.visibility
        .as_ref()
        .and_then(|v| read(&v.value, v.line, v.col, ""))
        .or_else(|| {
            let written = defaults?.visibility.as_deref()?;
            read(written, 0, 0, "the folder defaults' ")
        })
        .unwrap_or(config.visibility)
}

/// The keys `internal:` names, each one this front matter has (a name it lacks is a
/// warning: a misspelt key would otherwise be published).
fn checked_keys(
    fm: &FrontMatter,
    keys: &Located<Vec<String>>,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out = Vec::new();
    for key in &keys.value {
        if has(fm, key) {
            out.push(key.clone());
        } else {
            let mut present: Vec<String> = fm.extra.keys().cloned().collect();
            present.extend(front_matter_keys(fm).into_iter().map(String::from));
            present.sort();
            diags.push(Diagnostic::warning(
                "invalid-value",
                path,
                keys.line,
                keys.col,
                format!(
                    "`internal` names `{key}`, which this front matter does not have; expected one of its keys: {}",
                    present.join(", ")
                ),
            ));
        }
    }
    out
}

/// The known keys `fm` gives a value.
fn front_matter_keys(fm: &FrontMatter) -> Vec<&'static str> {
    let mut keys = Vec::new();
    for (key, given) in [
        ("title", fm.title.is_some()),
        ("date", fm.date.is_some()),
        ("severity", fm.severity.is_some()),
        ("status", fm.status.is_some()),
        ("kind", fm.kind.is_some()),
        ("slug", fm.slug.is_some()),
        ("summary", fm.summary.is_some()),
        ("services", fm.services.is_some()),
        ("teams", fm.teams.is_some()),
        ("authors", fm.authors.is_some()),
        ("reviewers", fm.reviewers.is_some()),
        ("causes", fm.causes.is_some()),
        ("tags", fm.tags.is_some()),
        ("related", fm.related.is_some()),
    ] {
        if given {
            keys.push(key);
        }
    }
    for (key, value) in front_matter::MILESTONE_KEYS.iter().zip(&fm.milestones) {
        if value.is_some() {
            keys.push(key);
        }
    }
    keys
}

fn has(fm: &FrontMatter, key: &str) -> bool {
    fm.extra.contains_key(key)
        || front_matter::canonical(key).is_some_and(|k| front_matter_keys(fm).contains(&k))
}

/// Take `key` out of the front matter.
fn hide(fm: &mut FrontMatter, key: &str) {
    if fm.extra.remove(key).is_some() {
        return;
    }
    match front_matter::canonical(key).unwrap_or_default() {
        "title" => fm.title = None,
        "date" => fm.date = None,
        "severity" => fm.severity = None,
        "status" => fm.status = None,
        "kind" => fm.kind = None,
        "slug" => fm.slug = None,
        "summary" => fm.summary = None,
        "services" => fm.services = None,
        "teams" => fm.teams = None,
        "authors" => fm.authors = None,
        "reviewers" => fm.reviewers = None,
        "causes" => fm.causes = None,
        "tags" => fm.tags = None,
        "related" => fm.related = None,
        milestone => {
            if let Some(i) = front_matter::MILESTONE_KEYS
                .iter()
                .position(|k| *k == milestone)
            {
                fm.milestones[i] = None;
            }
        }
    }
}

fn redact_json(r: &Redactor, value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(r.redact(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| redact_json(r, v)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (r.redact(&k).into_owned(), redact_json(r, v)))
                .collect(),
        ),
        other => other,
    }
}

/// The YAML text a public build keeps: the lines of the internal keys, and of
/// `visibility` and `internal` themselves, blanked (a top-level key runs to the next
/// line that starts at column 0).
fn published_yaml(yaml: &str, internal_keys: &[String]) -> String {
    let mut out = String::with_capacity(yaml.len());
    let mut hiding = false;
    for line in yaml.split_inclusive('\n') {
        let starts_key = !line.starts_with([' ', '\t', '#', '-', '\r', '\n']) && line.contains(':');
        if starts_key {
            let key = line
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches(['"', '\'']);
            hiding = internal_keys.iter().any(|k| k == key)
                || matches!(
                    front_matter::canonical(key),
                    Some("visibility" | "internal")
                );
        }
        if hiding {
            out.extend(line.chars().filter(|&c| c == '\n'));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Where a body's internal parts are (byte ranges).
#[derive(Debug, Default, PartialEq)]
struct Parts {
    /// Internal sections: the heading up to the next heading of its level or higher.
    sections: Vec<Range<usize>>,
    /// Whole `internal` fenced blocks.
    fences: Vec<Range<usize>>,
    /// Only the opening and closing lines of those blocks.
    fence_lines: Vec<Range<usize>>,
}

fn internal_parts(body: &str) -> Parts {
    if !body.contains("internal") {
        return Parts::default();
    }
    let mut parts = Parts::default();
    // (level, start, internal) of every heading, in order.
    let mut headings: Vec<(u8, usize, bool)> = Vec::new();
    for (event, range) in Parser::new_ext(body, super::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let internal = classes.iter().any(|c| c.eq_ignore_ascii_case("internal"))
                    || attrs.iter().any(|(k, v)| {
                        k.eq_ignore_ascii_case("visibility")
                            && v.as_deref()
                                .is_some_and(|v| v.eq_ignore_ascii_case("internal"))
                    });
                headings.push((level as u8, range.start, internal));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("internal")) =>
            {
                parts.fence_lines.extend(fence_lines(body, range.clone()));
                parts.fences.push(range);
            }
            _ => {}
        }
    }
    for (i, &(level, start, internal)) in headings.iter().enumerate() {
        if internal {
            let end = headings[i + 1..]
                .iter()
                .find(|(l, _, _)| *l <= level)
                .map_or(body.len(), |&(_, s, _)| s);
            parts.sections.push(start..end);
        }
    }
    parts
}

/// The opening line of a fenced block, and its closing line when it has one.
fn fence_lines(body: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let block = &body[range.clone()];
    let first_end = block.find('\n').map_or(range.end, |i| range.start + i);
    let mut lines = Vec::with_capacity(2);
    lines.push(range.start..first_end);
    let trimmed = block.trim_end_matches(['\n', '\r']);
    let last_start = trimmed
        .rfind('\n')
        .map_or(range.start, |i| range.start + i + 1);
    let last = body[last_start..range.start + trimmed.len()].trim();
    let fence = |c: char| last.len() >= 3 && last.chars().all(|x| x == c);
    if last_start > range.start && (fence('`') || fence('~')) {
        lines.push(last_start..range.start + trimmed.len());
    }
    lines
}

/// `text` with `ranges` emptied of all but their line breaks.
fn blank<'a>(text: &'a str, ranges: &[Range<usize>]) -> Cow<'a, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        let start = r.start.max(at);
        if start >= r.end {
            continue;
        }
        out.push_str(&text[at..start]);
        out.extend(text[start..r.end].chars().filter(|&c| c == '\n'));
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "# Title\n\nOpen text.\n\n## Customer impact {.internal}\n\nSecret one.\n\n### Detail\n\nSecret two.\n\n## Timeline\n\nOpen again.\n\n```internal\nSecret *three*.\n```\n\n## Notes {visibility=internal}\nSecret four.\n";

    fn plan(audience: Audience) -> Plan {
        Plan {
            audience,
            ..Plan::default()
        }
    }

    #[test]
    fn public_body_blanks_internal_sections_and_fences_keeping_lines() {
        let public = plan(Audience::Public).body(BODY);
        assert_eq!(public.lines().count(), BODY.lines().count());
        for secret in ["Secret", "Customer impact", "Notes", "internal"] {
            assert!(!public.contains(secret), "{secret} left in {public:?}");
        }
        for open in ["# Title", "Open text.", "## Timeline", "Open again."] {
            assert!(public.contains(open), "{open} lost in {public:?}");
        }
        assert_eq!(
            public.lines().position(|l| l == "Open again."),
            BODY.lines().position(|l| l == "Open again.")
        );
    }

    #[test]
    fn internal_body_unwraps_internal_fences_only() {
        let internal = plan(Audience::Internal).body(BODY);
        assert!(internal.contains("\nSecret *three*.\n"), "{internal:?}");
        assert!(!internal.contains("```"));
        assert!(internal.contains("## Customer impact {.internal}\n\nSecret one."));
        assert_eq!(internal.lines().count(), BODY.lines().count());
        assert_eq!(plan(Audience::Internal).body("no markers"), "no markers");
    }

    #[test]
    fn published_yaml_leaves_out_internal_keys_and_their_values() {
        let yaml = "title: T\ncustomers:\n  - Acme\n  - Globex\ninternal: [customers]\nvisibility: public\nteams: [x]\n";
        let kept = published_yaml(yaml, &["customers".to_string()]);
        assert_eq!(kept, "title: T\n\n\n\n\n\nteams: [x]\n");
    }
}
