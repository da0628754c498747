//! Reading post-mortems: discovery on disk, then parsing one file into an `Incident`.
//!
//! `parse` is a pure function of the file's text and the config, so it runs in parallel
//! (rayon) and `serve --watch` can cache its result by content. One file is read in one
//! Markdown pass (`markdown`) plus one line scan (`blocks`); the other modules interpret
//! what those found: `front_matter` (YAML), `sections` (heading aliases), `template`
//! (fields of every supported template), `tables`, `milestones` (timestamps and
//! durations), `validate` (per-file checks) and `time` (dates, times, durations).
//!
//! Precedence: front matter wins over the body; when both give a different title, date
//! or severity, a `front-matter-conflict` warning names both values. The incident date
//! falls back to the date of `started_at`, then to a `YYYY-MM-DD` prefix of the file name.
//! Causes come only from front matter (`causes:` / `root_cause:`), slugified: the parser
//! never turns prose into cause categories.

pub mod archive;
mod blocks;
pub mod discover;
mod front_matter;
mod markdown;
mod milestones;
mod sections;
mod tables;
mod template;
mod time;
mod validate;

use jiff::Timestamp;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{DocStatus, Incident, IncidentKind, RelatedRef};
use front_matter::{FrontMatter, Located};
use template::BodyFacts;
use validate::Check;

pub use discover::SourceFile;

/// The outcome of parsing one file: the incident when it could be read at all, and every
/// problem found on the way (a file can yield an incident *and* errors).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one post-mortem.
pub fn parse(source: &SourceFile, config: &Config) -> Parsed {
    let text = source.text.strip_prefix('\u{FEFF}').unwrap_or(&source.text);
    let path = source.rel.as_path();
    let mut diags = Vec::new();

    let (split, problem) = front_matter::split(text, path);
    let unterminated = problem.is_some();
    diags.extend(problem);
    let mut fm = match split.yaml {
        Some((yaml, first_line)) => front_matter::read(yaml, first_line, path, &mut diags),
        None => FrontMatter::default(),
    };
    fm.broken |= unterminated;

    let body = split.body;
    let doc = markdown::analyse(body, split.body_line, config.sanitize_html);
    let blocks = blocks::scan(body, split.body_line, &doc);
    let body_lines: Vec<&str> = body.split('\n').collect();
    let end_line = split.body_line + body_lines.len();
    let sections = sections::Sections::new(&doc.headings, end_line);
    let line_text = |line: usize| -> String {
        line.checked_sub(split.body_line)
            .and_then(|i| body_lines.get(i))
            .map(|l| l.trim_end_matches('\r').to_string())
            .unwrap_or_default()
    };
    let extractor = template::Extractor {
        doc: &doc,
        blocks: &blocks,
        sections: &sections,
        path,
        line_text: &line_text,
    };
    let facts = extractor.extract(&mut diags);

    let mut check = Check { path, diags };
    let incident = assemble(source, fm, facts, doc, config, &mut check);
    let mut diagnostics = check.diags;
    attach_source_lines(text, &mut diagnostics);
    Parsed {
        incident: Some(incident),
        diagnostics,
    }
}

/// Give every diagnostic its source line (what `Diagnostic::with_source` does), indexing
/// the lines once: a file with thousands of warnings must not be rescanned for each.
fn attach_source_lines(text: &str, diagnostics: &mut [Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.line > 0 && d.source_line.is_none())
    {
        let Some(&start) = starts.get(d.line - 1) else {
            continue;
        };
        if start >= text.len() && d.line > 1 {
            continue; // past the last line
        }
        let end = starts.get(d.line).map_or(text.len(), |&e| e - 1);
        d.source_line = Some(
            text[start..end.max(start)]
                .trim_end_matches('\r')
                .to_string(),
        );
    }
}

/// Merge front matter and body facts into the incident, reading and checking values.
fn assemble(
    source: &SourceFile,
    fm: FrontMatter,
    facts: BodyFacts,
    doc: markdown::MdDoc,
    config: &Config,
    check: &mut Check,
) -> Incident {
    let stem = source
        .rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = match &fm.slug {
        Some(slug) => {
            let s = crate::slug::slug(&slug.value);
            if s == "-" { stem.clone() } else { s }
        }
        None => stem.clone(),
    };
    let mut incident = Incident {
        id,
        source: source.rel.clone(),
        ..Incident::default()
    };

    // Title.
    conflict(
        check,
        "title",
        fm.title.as_ref(),
        facts.title.as_ref(),
        |a, b| a.trim().eq_ignore_ascii_case(b.trim()),
    );
    match fm.title.as_ref().or(facts.title.as_ref()) {
        Some(t) => incident.title = t.value.clone(),
        None => {
            if !fm.broken {
                check.error(
                    "missing-title",
                    1,
                    0,
                    "no title; expected `title:` in front matter or a `# Title` heading".into(),
                );
            }
            incident.title = stem.clone();
        }
    }

    // Date.
    let body_date = facts
        .date
        .as_ref()
        .filter(|d| !template::is_placeholder(&d.value));
    let fm_date = fm
        .date
        .as_ref()
        .and_then(|d| check.date("`date`", d).map(|v| (v, d)));
    let body_date_value = body_date.and_then(|d| {
        if fm_date.is_some() {
            match time::read_date(&d.value) {
                time::DateRead::Date(v) => Some((v, d)),
                _ => None,
            }
        } else {
            check.date("date of incident", d).map(|v| (v, d))
        }
    });
    if let (Some((a, fa)), Some((b, fb))) = (&fm_date, &body_date_value)
        && a != b
    {
        conflict_warning(check, "date", fa, fb);
    }
    incident.date = fm_date.map(|(d, _)| d).or(body_date_value.map(|(d, _)| d));
    let date_given = fm.date.is_some() || body_date.is_some();

    // Severity.
    let fm_sev = fm
        .severity
        .as_ref()
        .and_then(|s| check.severity(s, config).map(|v| (v, s)));
    let body_sev = facts
        .severity
        .as_ref()
        .filter(|s| !template::is_placeholder(&s.value))
        .and_then(|s| {
            if fm.severity.is_some() {
                validate::canonical_severity(&s.value, &config.severities)
                    .ok()
                    .map(|v| (v, s))
            } else {
                check.severity(s, config).map(|v| (v, s))
            }
        });
    if let (Some((a, fa)), Some((b, fb))) = (&fm_sev, &body_sev)
        && a != b
    {
        conflict_warning(check, "severity", fa, fb);
    }
    incident.severity = fm_sev.map(|(s, _)| s).or(body_sev.map(|(s, _)| s));

    // Status and kind.
    incident.status = fm
        .status
        .as_ref()
        .and_then(|s| check.status(s, true))
        .or_else(|| {
            facts
                .status
                .as_ref()
                .and_then(|s| validate::doc_status(&s.value))
        })
        .unwrap_or(DocStatus::Final);
    incident.kind = fm
        .kind
        .as_ref()
        .and_then(|k| check.kind(k))
        .unwrap_or(IncidentKind::Incident);

    // People, services, labels: front matter wins as a whole list.
    let pick =
        |fm: Option<Located<Vec<String>>>, body: Vec<String>| fm.map(|l| l.value).unwrap_or(body);
    incident.services = pick(fm.services, facts.services);
    incident.services_unaffected = facts.services_unaffected;
    incident.teams = pick(fm.teams, facts.teams);
    incident.authors = pick(fm.authors, facts.authors);
    incident.reviewers = pick(fm.reviewers, facts.reviewers);
    let mut causes: Vec<String> = fm
        .causes
        .map(|c| c.value)
        .unwrap_or_default()
        .iter()
        .map(|c| crate::slug::slug(c))
        .filter(|c| c != "-")
        .collect();
    dedup_keep_order(&mut causes);
    incident.causes = causes;
    incident.tags = fm.tags.map(|t| t.value).unwrap_or_default();
    dedup_keep_order(&mut incident.tags);

    // Texts.
    incident.summary = fm.summary.map(|s| s.value).or(facts.summary);
    incident.impact = facts.impact;
    incident.root_cause = facts.root_cause;
    incident.trigger = facts.trigger;
    incident.resolution = facts.resolution;
    incident.detection = facts.detection;
    incident.five_whys = facts.five_whys;
    incident.contributing_factors = facts.contributing_factors;
    incident.action_items = facts.action_items;
    incident.lessons = facts.lessons;

    // Milestones: front matter, then body facts, then the timeline.
    let mut at: [Option<Timestamp>; 5] = [None; 5];
    let mut pos = [(0usize, 0usize); 5];
    for i in 0..5 {
        let name = front_matter::MILESTONE_KEYS[i];
        if let Some(v) = &fm.milestones[i] {
            at[i] = check.timestamp(&format!("`{name}`"), v, incident.date);
            pos[i] = (v.line, v.col);
        } else if let Some(v) = &facts.milestones[i]
            && let Some(ts) = check.timestamp(name, v, incident.date)
        {
            at[i] = Some(ts);
            pos[i] = (v.line, v.col);
        }
    }
    // The timeline needs a date for times of day: the incident date, else the start.
    let timeline_date = incident
        .date
        .or_else(|| at[0].map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()));
    let mut timeline = tables::resolve_timeline(facts.timeline, timeline_date);
    timeline.retain(|e| e.event != template::DATE_MARKER);
    let from_timeline = milestones::from_timeline(&timeline);
    for i in 0..5 {
        if at[i].is_none()
            && let Some((ts, line)) = from_timeline[i]
        {
            at[i] = Some(ts);
            pos[i] = (line, 0);
        }
    }
    incident.timeline = timeline;
    [
        incident.started_at,
        incident.detected_at,
        incident.acknowledged_at,
        incident.mitigated_at,
        incident.resolved_at,
    ] = at;
    incident.durations = milestones::durations(&at, facts.stated);

    if incident.date.is_none() {
        incident.date = at[0]
            .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
            .or_else(|| match time::read_date_prefix(&stem) {
                Some((time::DateRead::Date(d), _)) => Some(d),
                _ => None,
            });
    }
    if incident.date.is_none() && !date_given && !fm.broken {
        check.error(
            "missing-date",
            1,
            0,
            "no incident date; expected `date: YYYY-MM-DD` in front matter or `**Date of Incident**: YYYY-MM-DD`".into(),
        );
    }

    // Related: front matter ids, then what the body names.
    let mut related: Vec<RelatedRef> = Vec::new();
    if let Some(ids) = fm.related {
        for id in ids.value {
            related.push(RelatedRef {
                id: Some(id.trim_end_matches(".md").to_string()),
                line: ids.line,
                ..RelatedRef::default()
            });
        }
    }
    for r in facts.related_refs {
        if r.id.is_some() && related.iter().any(|x| x.id == r.id) {
            continue;
        }
        related.push(r);
    }
    incident.related_refs = related;

    incident.extra = fm.extra;
    incident.toc = doc.toc;
    incident.body_html = doc.html;
    incident.body_text = doc.text;

    validate::check_incident(check, &incident, &pos);
    incident
}

fn dedup_keep_order(list: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    list.retain(|x| seen.insert(x.clone()));
}

/// Warn when front matter and body disagree on `what` (values compared by `same`).
fn conflict(
    check: &mut Check,
    what: &str,
    fm: Option<&Located<String>>,
    body: Option<&Located<String>>,
    same: impl Fn(&str, &str) -> bool,
) {
    if let (Some(a), Some(b)) = (fm, body)
        && !same(&a.value, &b.value)
    {
        conflict_warning(check, what, a, b);
    }
}

fn conflict_warning(check: &mut Check, what: &str, fm: &Located<String>, body: &Located<String>) {
    check.warning(
        "front-matter-conflict",
        fm.line,
        fm.col,
        format!("front matter {what} `{}` differs from the body's `{}` (line {}); using the front matter", fm.value, body.value, body.line),
    );
}
