//! Reading post-mortems: discovery on disk, then parsing one file into an `Incident`.
//!
//! `parse` is a pure function of the file's text and the config, so it runs in parallel
//! (rayon) and `serve --watch` can cache its result by content. One file is read in one
//! Markdown pass (`markdown`) plus one line scan (`blocks`); the other modules interpret
//! what those found: `front_matter` (YAML), `sections` (heading aliases), `template`
//! (fields of every supported template), `tables`, `milestones` (timestamps and
//! durations), `validate` (per-file checks), `time` (dates, times, durations) and `held`
//! (the body blocks the page shows in structured form, left out of its report).
//!
//! Precedence: front matter wins over the body; when both give a different title, date
//! or severity, a `front-matter-conflict` warning names both values. The incident date
//! falls back to the date of `started_at`, then to a `YYYY-MM-DD` prefix of the file name.
//! Causes come only from front matter (`causes:` / `root_cause:`), slugified: the parser
//! never turns prose into cause categories.

pub(crate) mod archive;
mod blocks;
pub(crate) mod cache;
pub mod discover;
mod front_matter;
mod held;
mod markdown;
mod milestones;
mod sections;
mod tables;
mod template;
mod time;
mod validate;
mod visibility;

use jiff::Timestamp;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{DocStatus, Incident, IncidentKind, RelatedRef, TimelineEvent};
use crate::zone::Zone;
use front_matter::{FrontMatter, Located};
use template::BodyFacts;
use validate::Check;

pub use discover::SourceFile;

/// The outcome of parsing one file: the incident when it could be read at all, and every
/// problem found on the way (a file can yield an incident *and* errors).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The incident, `None` when the file could not be read as one.
    pub incident: Option<Incident>,
    /// Every problem found, errors and warnings.
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

    // What may be published: internal parts out and `[redact]` applied for a public
    // build, before anything below reads the text.
    let plan = visibility::Plan::new(
        &mut fm,
        source.defaults.as_deref(),
        config,
        path,
        &mut diags,
    );
    plan.redactable(split.yaml, split.body, split.body_line, path, &mut diags);
    let public_body = plan.body(split.body);
    let body: &str = &public_body;
    // Diagnostics name the file as it is; the incident carries its published path and
    // folder defaults.
    let public_source = plan.source(source);
    let source = public_source.as_ref().unwrap_or(source);
    // Section names on lines of their own are read as headings (see `promote_labels`).
    let promoted = sections::promote_labels(body);
    let marked: &str = promoted.as_deref().unwrap_or(body);
    let doc = markdown::analyse(marked, split.body_line, config.sanitize_html);
    let blocks = blocks::scan(marked, split.body_line, &doc);
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
        lines: split.body_line..end_line,
    };
    let mut facts = extractor.extract(&mut diags);
    facts.date_in_text = date_in_opening(&body_lines, split.body_line, &doc);

    if let Some(why) = template_file(&fm, &facts) {
        return Parsed {
            incident: None,
            diagnostics: vec![Diagnostic::note(
                "skipped",
                path,
                0,
                0,
                format!(
                    "looks like the archive's template ({why}), not a post-mortem; skipped (a title and a date make it one)"
                ),
            )],
        };
    }
    placeholders(marked, split.body_line, &doc, path, &mut diags);

    let zone = author_zone(body, split.body_line, &doc, &sections, &facts)
        .unwrap_or_else(|| config.zone());
    // What the page shows in structured form is left out of the report below it.
    let mut toc = doc.toc.clone();
    let shown = held::Shown {
        timeline_lines: facts
            .timeline
            .iter()
            .filter(|r| r.event.event != template::DATE_MARKER)
            .map(|r| r.event.line)
            .collect(),
        action_lines: facts.action_items.iter().map(|a| a.line).collect(),
        summary: fm
            .summary
            .as_ref()
            .map(|s| s.value.as_str())
            .or(facts.summary.as_deref()),
        title_line: facts
            .title
            .as_ref()
            .filter(|t| fm.title.as_ref().is_none_or(|f| f.value.trim() == t.value))
            .map(|t| t.line),
    };
    let drop = held::held(&doc, &blocks, &sections, &shown, &mut toc);
    let body_html = doc.html_without(&drop);

    let mut check = Check { path, text, diags };
    let mut incident = assemble(source, fm, facts, doc, config, &zone, &mut check);
    incident.toc = toc;
    incident.body_html = body_html;
    incident.visibility = plan.visibility;
    let mut diagnostics = check.diags;
    attach_source_lines(text, &mut diagnostics);
    Parsed {
        incident: Some(incident),
        diagnostics,
    }
}

/// Give every diagnostic its source line (`Diagnostic::source_line`), indexing
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

/// The zone the author states for the post-mortem's times: a line like "All times in
/// CET" (outside code), a zone in a Timeline heading (`## Timeline (PDT)`), or the zone
/// of the timeline table's time column (`Time (PDT)`). It applies to every time written
/// without a zone, front matter included.
fn author_zone(
    body: &str,
    first_line: usize,
    doc: &markdown::MdDoc,
    sections: &sections::Sections,
    facts: &BodyFacts,
) -> Option<Zone> {
    let verbatim = |line: usize| {
        doc.verbatim_lines
            .iter()
            .any(|&(a, b)| a <= line && line <= b)
    };
    body.split('\n')
        .enumerate()
        .filter(|(i, _)| !verbatim(first_line + i))
        .find_map(|(_, line)| crate::zone::stated(line))
        .or_else(|| {
            sections
                .list
                .iter()
                .filter(|s| s.kind == Some(sections::SectionKind::Timeline))
                .find_map(|s| {
                    let inner = s.title.split_once('(')?.1.split_once(')')?.0;
                    Zone::named(inner)
                })
        })
        .or_else(|| facts.timeline.iter().find_map(|r| r.zone.clone()))
}

/// Merge front matter and body facts into the incident, reading and checking values.
fn assemble(
    source: &SourceFile,
    fm: FrontMatter,
    facts: BodyFacts,
    doc: markdown::MdDoc,
    config: &Config,
    zone: &Zone,
    check: &mut Check,
) -> Incident {
    let stem = source
        .rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem_id = match crate::slug::slug(&stem) {
        s if s == "-" => "post-mortem".to_string(),
        s => s,
    };
    let mut aliases = Vec::new();
    let id = match &fm.slug {
        Some(slug) => {
            let written = slug.value.trim();
            let s = crate::slug::slug(written);
            let id = if s == "-" { stem_id.clone() } else { s };
            if id != written {
                check.warning(
                    "slug-rewritten",
                    slug.line,
                    slug.col,
                    format!("`slug` `{written}` is not a URL-safe id (lower case letters, digits and hyphens); the page id is `{id}`, and `{written}` still resolves as a reference"),
                );
                aliases.push(written.to_string());
            }
            id
        }
        None => stem_id.clone(),
    };
    for old in [stem.clone(), stem_id] {
        if old != id && !aliases.contains(&old) {
            aliases.push(old);
        }
    }
    let mut incident = Incident {
        id,
        aliases,
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
            // The file name is a title when it has words (`PM2021-008 - Ingress
            // configuration caused outage`); without any, the page has no name.
            let named = stem.chars().any(char::is_alphabetic);
            if !fm.broken {
                let expected = "expected `title:` in front matter or a `# Title` heading";
                if named {
                    check.warning(
                        "missing-title",
                        1,
                        0,
                        format!("no title, so the file name `{stem}` is used; {expected}"),
                    );
                } else {
                    check.error("missing-title", 1, 0, format!("no title; {expected}"));
                }
            }
            incident.title = stem.clone();
        }
    }

    // Date. Errors about a date written wrongly become warnings when the date is found
    // elsewhere (front matter, body, start, file name).
    let date_diags_from = check.diags.len();
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
    incident.date_at = fm_date
        .map(|(_, l)| (l.line, l.col))
        .or(body_date_value.map(|(_, l)| (l.line, l.col)))
        .unwrap_or_default();
    incident.timezone = zone.clone();
    let date_given = fm.date.is_some() || body_date.is_some();
    let date_diags_to = check.diags.len();

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

    // Status and kind: the document status, and the incident's lifecycle word kept.
    let defaults = source.defaults.as_deref();
    let status = fm
        .status
        .as_ref()
        .or(facts
            .status
            .as_ref()
            .filter(|s| !template::is_placeholder(&s.value)))
        .map(|s| check.status(s))
        .or_else(|| {
            let written = defaults?.status.as_ref()?;
            Some(check.status(&Located {
                value: written.clone(),
                line: 0,
                col: 0,
            }))
        });
    (incident.status, incident.incident_status) = status.unwrap_or((DocStatus::Final, None));
    incident.kind = fm
        .kind
        .as_ref()
        .and_then(|k| check.kind(k))
        .or_else(|| {
            let written = defaults?.kind.as_ref()?;
            check.kind(&Located {
                value: written.clone(),
                line: 0,
                col: 0,
            })
        })
        .unwrap_or(IncidentKind::Incident);

    // People, services, labels: front matter wins as a whole list.
    let pick =
        |fm: Option<Located<Vec<String>>>, body: Vec<String>| fm.map(|l| l.value).unwrap_or(body);
    incident.services = pick(fm.services, facts.services);
    incident.services_unaffected = facts.services_unaffected;
    incident.teams = pick(fm.teams, facts.teams);
    incident.authors = pick(fm.authors, facts.authors);
    incident.reviewers = pick(fm.reviewers, facts.reviewers);
    let mut causes: Vec<String> = pick(fm.causes, facts.causes)
        .iter()
        .map(|c| crate::slug::slug(c))
        .filter(|c| c != "-")
        .collect();
    dedup_keep_order(&mut causes);
    incident.causes = causes;
    incident.tags = pick(fm.tags, facts.tags);
    dedup_keep_order(&mut incident.tags);
    // Folder defaults fill what the file leaves empty.
    if let Some(d) = defaults {
        for (mine, default) in [
            (&mut incident.services, &d.services),
            (&mut incident.teams, &d.teams),
            (&mut incident.authors, &d.authors),
            (&mut incident.tags, &d.tags),
        ] {
            if mine.is_empty() {
                mine.clone_from(default);
            }
        }
        if incident.causes.is_empty() {
            incident.causes = d
                .causes
                .iter()
                .map(|c| crate::slug::slug(c))
                .filter(|c| c != "-")
                .collect();
        }
        if incident.severity.is_none()
            && let Some(severity) = &d.severity
        {
            incident.severity = check.severity(
                &Located {
                    value: severity.clone(),
                    line: 0,
                    col: 0,
                },
                config,
            );
        }
    }

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
            at[i] = check.timestamp(&format!("`{name}`"), v, incident.date, zone);
            pos[i] = (v.line, v.col);
        } else if let Some(v) = &facts.milestones[i]
            && let Some(ts) = check.timestamp(name, v, incident.date, zone)
        {
            at[i] = Some(ts);
            pos[i] = (v.line, v.col);
        }
    }
    // When no field gives the date: the file name's, else the first date of the prose.
    let named_date = match time::read_date_prefix(&stem) {
        Some((time::DateRead::Date(d), _)) => Some(d),
        _ => None,
    };
    let text_date = facts.date_in_text.as_ref().map(|(d, l)| (*d, l));
    // The timeline needs a date for times of day: the incident date, else the start,
    // else the date the file's name or its prose gives.
    let timeline_date = incident
        .date
        .or_else(|| at[0].map(|t| t.to_zoned_datetime(zone.tz().clone()).date()))
        .or(named_date)
        .or(text_date.map(|(d, _)| d));
    let mut timeline = tables::resolve_timeline(facts.timeline, timeline_date, zone);
    timeline.retain(|e| e.event != template::DATE_MARKER);
    // Every row's time is read or reported: a date followed by a garbled time
    // (`2025-08-07 14:7O`) lost its time as surely as a garbled time alone.
    let unreadable: Vec<(usize, String)> = timeline
        .iter()
        .filter(|e| {
            e.at.is_none()
                && !e.time_text.trim().is_empty()
                && matches!(
                    time::read_time(&e.time_text, zone),
                    None | Some(time::TimeRead::DateBadTime(_))
                )
        })
        .map(|e| (e.line, e.time_text.clone()))
        .collect();
    for (line, written) in &unreadable {
        let col = check.column(*line, written);
        check.warning(
            "unreadable-time",
            *line,
            col,
            format!("timeline time `{written}` could not be read, so the row has no time; expected a time like 14:05, 2:05 PM or 2025-10-26 14:05 UTC"),
        );
    }
    let from_timeline = milestones::from_timeline(&timeline);
    let mut timeline_given = [false; 5];
    for i in 0..5 {
        if at[i].is_none()
            && let Some((ts, line)) = from_timeline[i]
        {
            at[i] = Some(ts);
            let written = timeline
                .iter()
                .find(|e| e.line == line)
                .map_or("", |e| e.time_text.as_str());
            pos[i] = (line, check.column(line, written));
            timeline_given[i] = true;
        }
    }
    check_dates(check, &incident, &timeline, zone);
    incident.timeline = timeline;
    [
        incident.started_at,
        incident.detected_at,
        incident.acknowledged_at,
        incident.mitigated_at,
        incident.resolved_at,
    ] = at;
    // Durations by order of trust, then only the plausible ones (see `milestones`).
    let known = milestones::Known {
        at: &at,
        from_timeline: timeline_given,
        pos,
    };
    let mut notes = Vec::new();
    let figures = milestones::figures(&known, &facts.stated, &mut notes);
    for (line, col, message) in notes {
        check.note("duration-disagrees", line, col, message);
    }
    let out_of_order: Vec<(usize, usize)> = validate::ORDERED_PAIRS
        .into_iter()
        .filter(|&(a, b)| matches!((at[a], at[b]), (Some(x), Some(y)) if y < x))
        .collect();
    let mut warnings = Vec::new();
    (incident.durations, incident.excluded) = milestones::plausible(
        figures,
        &out_of_order,
        config.durations.max_days.saturating_mul(1440),
        &mut warnings,
    );
    for (line, col, message) in warnings {
        check.warning("implausible-duration", line, col, message);
    }

    if incident.date.is_none() {
        incident.date = at[0]
            .map(|t| t.to_zoned_datetime(zone.tz().clone()).date())
            .or(named_date);
        // The prose's date, also when the timeline's times of day were set on it.
        if !date_given
            && named_date.is_none()
            && let Some((date, written)) = text_date
            && incident.date.is_none_or(|d| d == date)
        {
            incident.date = Some(date);
            incident.date_at = (written.line, written.col);
            check.note(
                "date-from-text",
                written.line,
                written.col,
                format!(
                    "no date field; the incident date {date} is read from the text (`{}`); add `date: {date}` to the front matter or a `Date:` line to be sure",
                    written.value
                ),
            );
        }
    }
    if let Some(date) = incident.date {
        for d in &mut check.diags[date_diags_from..date_diags_to] {
            if d.code == "invalid-date" && d.level == crate::diagnostics::Level::Error {
                d.level = crate::diagnostics::Level::Warning;
                d.message
                    .push_str(&format!("; the incident date {date} is used instead"));
            }
        }
    }
    if incident.date.is_none() && !date_given && !fm.broken {
        let expected =
            "expected `date: YYYY-MM-DD` in front matter or `**Date of Incident**: YYYY-MM-DD`";
        match unreadable.first() {
            // The dates are there but cannot be read: point at them.
            Some((line, written)) => {
                let lines: Vec<String> = unreadable.iter().map(|(l, _)| l.to_string()).collect();
                let col = check.column(*line, written);
                check.error(
                    "missing-date",
                    *line,
                    col,
                    format!(
                        "no incident date: the timeline's times cannot be read (`{written}`, on line{} {}); {expected}, or correct those rows",
                        if lines.len() == 1 { "" } else { "s" },
                        lines.join(", ")
                    ),
                );
            }
            None => check.error(
                "missing-date",
                1,
                0,
                format!("no incident date; {expected}"),
            ),
        }
    }

    // Related: front matter ids, then what the body names.
    let mut related: Vec<RelatedRef> = Vec::new();
    if let Some(ids) = fm.related {
        for id in ids.value {
            let link = tables::file_link(&id, &source.rel).filter(|l| !l.weak);
            related.push(RelatedRef {
                id: Some(link.as_ref().map_or_else(|| id.clone(), |l| l.id.clone())),
                path: link.map(|l| l.path),
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
    incident.body_text = doc.text;

    validate::check_incident(check, &incident, &pos);
    incident
}

/// The incident date against the timeline: a written date more than 2 days from the
/// timeline's first day (in the author's zone) is a `date-mismatch` warning.
fn check_dates(check: &mut Check, incident: &Incident, timeline: &[TimelineEvent], zone: &Zone) {
    let (Some(date), (line, col)) = (incident.date, incident.date_at) else {
        return;
    };
    if line == 0 {
        return;
    }
    let Some(first) = timeline
        .iter()
        .filter(|e| e.at.is_some())
        .min_by_key(|e| e.at)
    else {
        return;
    };
    let Some(at) = first.at else { return };
    let day = at.to_zoned_datetime(zone.tz().clone()).date();
    let days = (day - date).get_days();
    if days.abs() > 2 {
        let (n, side) = if days > 0 {
            (days, "before")
        } else {
            (-days, "after")
        };
        check.warning(
            "date-mismatch",
            line,
            col,
            format!(
                "the incident date {date} is {n} days {side} the timeline's first day {day} (line {}); expected them at most 2 days apart",
                first.line
            ),
        );
    }
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

/// Why a file is the archive's template rather than a post-mortem, if it is: its title
/// is still a placeholder (`[Incident Title]`, `PMyyyy-nnn - Title`) and it has no date
/// that is not one.
fn template_file(fm: &FrontMatter, facts: &BodyFacts) -> Option<String> {
    let title = fm.title.as_ref().or(facts.title.as_ref())?;
    if !is_template_title(&title.value) {
        return None;
    }
    let real_date = [fm.date.as_ref(), facts.date.as_ref()]
        .into_iter()
        .flatten()
        .any(|d| {
            !template::is_placeholder(&d.value)
                && !d.value.contains("YYYY")
                && !d.value.contains("yyyy")
        });
    (!real_date).then(|| format!("the title `{}` is a placeholder", title.value))
}

fn is_template_title(title: &str) -> bool {
    let t = title.trim();
    let lower = t.to_lowercase();
    discover::is_template_name(t)
        || template::is_placeholder(t)
        || has_bracket_placeholder(t)
        || matches!(
            lower.as_str(),
            "title" | "incident title" | "post-mortem title" | "postmortem title"
        )
}

/// A `[Name]`-style placeholder in `text`: brackets around one to six words starting with
/// a capital letter, not a checkbox, footnote or link.
fn bracket_placeholders(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| from + i) {
        let Some(len) = text[open + 1..].find(']') else {
            break;
        };
        let close = open + 1 + len;
        let inner = &text[open + 1..close];
        let after = bytes.get(close + 1).copied();
        let before = open.checked_sub(1).map(|i| bytes[i]);
        let words = inner.split_whitespace().count();
        let shaped = inner.starts_with(|c: char| c.is_uppercase())
            && (1..=6).contains(&words)
            && inner.len() > 1
            && inner.chars().all(|c| {
                c.is_alphabetic() || c == ' ' || c == '/' || c == '-' || c == '\'' || c == ','
            });
        let link = matches!(after, Some(b'(') | Some(b'[') | Some(b':'))
            || before == Some(b']')
            || before == Some(b'!');
        // `[DUBLIN]`, `[RESOLVED]`: tags written in capitals are the author's, not a
        // template's (placeholders read like `[Incident Title]` or `[Name]`).
        let tag = inner.chars().filter(|c| c.is_alphabetic()).count() > 1
            && !inner.chars().any(|c| c.is_lowercase());
        if shaped && !link && !tag && !inner.eq_ignore_ascii_case("x") {
            found.push((open, &text[open..=close]));
        }
        from = close;
    }
    found
}

fn has_bracket_placeholder(text: &str) -> bool {
    !bracket_placeholders(text).is_empty()
}

/// Non-blank lines of prose read for a date when no field gives one: the title and the
/// lines under it, where write-ups say when it happened (`Sunday 24 Feb 2008, all times
/// UTC`, `On 3 July 2019 between 08:25 and 14:50 UTC…`).
const DATE_LINES: usize = 8;

/// The first whole date in the opening lines of the body, outside code, as written,
/// where it is written.
fn date_in_opening(
    body_lines: &[&str],
    first_line: usize,
    doc: &markdown::MdDoc,
) -> Option<(jiff::civil::Date, Located<String>)> {
    body_lines
        .iter()
        .enumerate()
        .map(|(i, l)| (first_line + i, l.trim_end_matches('\r')))
        .filter(|(line, text)| {
            !text.trim().is_empty()
                && !doc
                    .verbatim_lines
                    .iter()
                    .any(|&(a, b)| a <= *line && *line <= b)
        })
        .take(DATE_LINES)
        .find_map(|(line, text)| {
            let (date, at, written) = time::date_in_line(text)?;
            let written = Located {
                value: written.to_string(),
                line,
                col: text[..at].chars().count() + 1,
            };
            Some((date, written))
        })
}

/// Unfilled template placeholders in the body (`[Name]`, `[Incident Title]`,
/// `YYYY-MM-DD`, `HH:MM`), one `template-placeholder` warning per line, outside code.
fn placeholders(
    body: &str,
    first_line: usize,
    doc: &markdown::MdDoc,
    path: &std::path::Path,
    diags: &mut Vec<Diagnostic>,
) {
    if !body.contains('[') && !body.contains("YYYY") && !body.contains("HH:MM") {
        return;
    }
    let defined: Vec<String> = doc.links.iter().map(|l| l.text.to_lowercase()).collect();
    let mut line_start = 0;
    for (i, raw) in body.split('\n').enumerate() {
        let line = first_line + i;
        let start = line_start;
        line_start += raw.len() + 1;
        if doc
            .verbatim_lines
            .iter()
            .any(|&(a, b)| a <= line && line <= b)
        {
            continue;
        }
        let text = raw.trim_end_matches('\r');
        let mut found: Vec<(usize, String)> = bracket_placeholders(text)
            .into_iter()
            .filter(|(_, p)| !defined.contains(&p[1..p.len() - 1].to_lowercase()))
            .map(|(at, p)| (at, p.to_string()))
            .collect();
        for token in ["YYYY-MM-DD", "YYYY", "HH:MM", "hh:mm"] {
            if let Some(at) = text.find(token)
                && !found.iter().any(|(a, p)| *a <= at && at < a + p.len())
            {
                found.push((at, token.to_string()));
            }
        }
        // Inside an inline code span (`` `YYYY` ``) a placeholder's shape is quoted, not
        // left unfilled: a post-mortem about a date-format bug names the pattern.
        found.retain(|(at, _)| !doc.code_spans.iter().any(|r| r.contains(&(start + at))));
        found.sort();
        let Some((at, first)) = found.first() else {
            continue;
        };
        let col = text[..*at].chars().count() + 1;
        let listed: Vec<String> = found.iter().map(|(_, p)| format!("`{p}`")).collect();
        diags.push(Diagnostic::warning(
            "template-placeholder",
            path,
            line,
            col,
            format!(
                "unfilled template placeholder{} {}; expected the real {}",
                if found.len() == 1 { "" } else { "s" },
                listed.join(", "),
                if first.starts_with('[') {
                    "text"
                } else {
                    "value"
                }
            ),
        ));
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn capital_tags_in_titles_are_not_placeholders() {
        assert!(!is_template_title(
            "[DUBLIN] Network equipment failure - postmortem"
        ));
        assert!(!has_bracket_placeholder("[RESOLVED] Checkout errors"));
        assert!(is_template_title("[Incident Title]"));
        assert!(has_bracket_placeholder("Owner: [Name]"));
    }

    fn placeholder_warnings(body: &str) -> Vec<String> {
        let doc = markdown::analyse(body, 1, true);
        let mut diags = Vec::new();
        placeholders(body, 1, &doc, std::path::Path::new("pm.md"), &mut diags);
        diags
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect()
    }

    #[test]
    fn placeholders_quoted_in_inline_code_are_not_unfilled() {
        // A post-mortem about a date-format bug names the pattern in code.
        let body = "The formatter used `YYYY` (week year) instead of `yyyy`.\n\
                    Started: YYYY-MM-DD at HH:MM, by ``[Name]``; owner [Name]\n\
                    An unclosed ` backtick leaves YYYY plain.\n";
        assert_eq!(
            placeholder_warnings(body),
            [
                "2:10: unfilled template placeholders `YYYY-MM-DD`, `HH:MM`, `[Name]`; expected the real value",
                "3:31: unfilled template placeholder `YYYY`; expected the real value",
            ]
        );
    }
}
