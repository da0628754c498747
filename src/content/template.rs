//! Facts written in the body of a post-mortem, whatever template it follows.
//!
//! Sources, in order of preference for each scalar: a bold field (`**Root Cause**: …`,
//! also inside list items and key/value tables), then the text of a section found by
//! alias (`### Root Causes`), then a weaker alias (Atlassian "Fault", "Leadup"; "Outage
//! description"), then — for the summary only — the first plain paragraph. The first
//! occurrence wins. Lists come from list items under a field (`**Services Affected**:`)
//! or in a section; fields inside CCADB `Contributing Factor #N` blocks belong to the
//! block only.
//!
//! Rules worth knowing:
//! - Title: the first H1, without a `Post-Mortem:`/`Postmortem:`/`Incident Report:`
//!   prefix or an `(incident #N)` suffix.
//! - Services: ✅ (or no mark) → affected, ❌ → not affected; the name is the text
//!   before ` (`, ` - ` or `: `.
//! - Five whys: a bold question line (`**1. Why …?**`) answered by the next line or
//!   item (`→ …`); in a Five Whys section also `Why …? answer` items.
//! - Action items: every action-items table. Checkbox (`- [x]`) items of action-item
//!   and recommendation sections become action items only when the post-mortem has no
//!   action-items table (in the reference template the checklists repeat the table).
//!   Plain items under an action-items heading count the same way.
//! - Timeline: timeline tables, or list items starting with a time under a Timeline
//!   heading (a date line there sets the day for the times below it).
//! - Lessons: items (or paragraphs) under went-well / went-wrong / lucky headings or
//!   fields; other items under Lessons Learned go to `other`.
//! - Related: items under Related Incidents (`**2025-09-15**: Title (note)`, sub-items
//!   added to the note), related tables, and links to other `*.md` post-mortems anywhere.

use std::path::Path;

use crate::content::blocks::{self, Blocks, Item};
use crate::content::front_matter::Located;
use crate::content::markdown::MdDoc;
use crate::content::sections::{self, SectionKind, Sections};
use crate::content::tables::{self, RawEvent, Role};
use crate::content::time::{self, DateRead, TimeRead};
use crate::diagnostics::Diagnostic;
use crate::model::{
    ActionItem, ActionItemStatus, ContributingFactor, Lessons, RelatedRef, TimelineEvent, Why,
};

/// Lines from the first line of text that can hold the document's header fields when
/// no section starts sooner.
const HEADER_LINES: usize = 12;

/// What the body says.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BodyFacts {
    pub(crate) title: Option<Located<String>>,
    pub(crate) date: Option<Located<String>>,
    pub(crate) severity: Option<Located<String>>,
    pub(crate) status: Option<Located<String>>,
    pub(crate) authors: Vec<String>,
    pub(crate) reviewers: Vec<String>,
    pub(crate) teams: Vec<String>,
    pub(crate) services: Vec<String>,
    pub(crate) services_unaffected: Vec<String>,
    /// Labels written as fields: `Category:` and `Tags:`.
    pub(crate) tags: Vec<String>,
    /// `Root cause category:` fields, as written.
    pub(crate) causes: Vec<String>,
    pub(crate) summary: Option<String>,
    pub(crate) impact: Option<String>,
    pub(crate) root_cause: Option<String>,
    pub(crate) trigger: Option<String>,
    pub(crate) resolution: Option<String>,
    pub(crate) detection: Option<String>,
    pub(crate) five_whys: Vec<Why>,
    pub(crate) contributing_factors: Vec<ContributingFactor>,
    pub(crate) timeline: Vec<RawEvent>,
    pub(crate) action_items: Vec<ActionItem>,
    pub(crate) lessons: Lessons,
    pub(crate) related_refs: Vec<RelatedRef>,
    /// Milestone timestamps written as facts (Kehoe timing table, `Start:` lines), in
    /// the order of `front_matter::MILESTONE_KEYS`.
    pub(crate) milestones: [Option<Located<String>>; 5],
    /// Durations stated in words ("Time to mitigate: 15 minutes", TTD/TTM/TTR), in
    /// minutes, where they are written; in the order detect, acknowledge, mitigate,
    /// resolve.
    pub(crate) stated: [Option<Located<i64>>; 4],
    /// The first whole date written in the opening lines of prose (`time::date_in_line`),
    /// and where and how it is written: the incident's date when nothing better gives one.
    pub(crate) date_in_text: Option<(jiff::civil::Date, Located<String>)>,
}

/// Which scalar text field a key feeds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Summary,
    Impact,
    RootCause,
    Trigger,
    Resolution,
    Detection,
}

enum Target {
    Date,
    Severity,
    Status,
    Authors,
    Reviewers,
    Teams,
    Services,
    Tags,
    Causes,
    Text(Scalar),
    Milestone(usize),
    Duration(usize),
}

fn target_of(key: &str) -> Option<Target> {
    use Target::*;
    Some(match key {
        "date of incident"
        | "incident date"
        | "date"
        | "date of the incident"
        | "incident start date"
        | "date / time of incident"
        | "date/time of incident"
        | "date and time of incident"
        | "incident date and time"
        | "date / time"
        | "date/time"
        | "date and time" => Date,
        "severity" | "incident severity" | "sev" | "severity level" => Severity,
        "status" | "report status" | "document status" | "postmortem status" => Status,
        "author" | "authors" | "postmortem author" | "post mortem author"
        | "postmortem authors" | "written by" | "postmortem lead" | "postmortem owner" => Authors,
        "reviewers" | "reviewer" | "reviewed by" => Reviewers,
        "team" | "teams" | "owning team" | "owning teams" => Teams,
        "services affected" | "affected services" | "services" | "service" | "affected systems"
        | "systems affected" | "affected service" | "service affected" => Services,
        "category" | "categories" | "incident category" | "tags" | "tag" | "labels" => Tags,
        "root cause category"
        | "root cause categories"
        | "cause category"
        | "cause categories"
        | "root cause type"
        | "cause type" => Causes,
        "what happened" | "summary" | "executive summary" | "incident summary" | "tl;dr"
        | "tldr" => Text(Scalar::Summary),
        "impact" | "customer impact" | "user impact" => Text(Scalar::Impact),
        "root cause" | "root causes" => Text(Scalar::RootCause),
        "trigger" | "triggers" => Text(Scalar::Trigger),
        "resolution" | "how it was fixed" => Text(Scalar::Resolution),
        "how detected" | "detection" | "how was it detected" => Text(Scalar::Detection),
        "start" | "start time" | "started" | "started at" | "incident start" | "impact start"
        | "start of impact" => Milestone(0),
        "detection time" | "detected" | "detected at" | "time detected" => Milestone(1),
        "acknowledged" | "acknowledged at" | "acknowledgement time" | "ack time" => Milestone(2),
        "mitigation time" | "mitigated" | "mitigated at" | "time mitigated" => Milestone(3),
        "resolution time" | "resolved" | "resolved at" | "end" | "end time" | "time resolved" => {
            Milestone(4)
        }
        "time to detect" | "time to detection" | "ttd" => Duration(0),
        "time to acknowledge" | "time to ack" | "time to acknowledgement" | "tta" => Duration(1),
        "time to mitigate" | "time to mitigation" | "ttm" => Duration(2),
        "time to resolve" | "time to resolution" | "ttr" | "time to recover"
        | "time to recovery" => Duration(3),
        _ => return None,
    })
}

/// Collects the facts; `lines` gives a body line's text by absolute number.
pub(crate) struct Extractor<'a> {
    pub(crate) doc: &'a MdDoc,
    pub(crate) blocks: &'a Blocks,
    pub(crate) sections: &'a Sections,
    pub(crate) path: &'a Path,
    pub(crate) line_text: &'a dyn Fn(usize) -> String,
    /// Line numbers of the body: its first and the one after its last.
    pub(crate) lines: std::ops::Range<usize>,
}

impl Extractor<'_> {
    pub(crate) fn extract(&self, diags: &mut Vec<Diagnostic>) -> BodyFacts {
        let mut f = BodyFacts {
            title: self.title(),
            ..BodyFacts::default()
        };
        let mut texts: [Option<String>; 6] = Default::default();
        self.fields(&mut f, &mut texts);
        self.tables(&mut f, &mut texts, diags);
        self.section_texts(&mut f, &mut texts);
        self.section_lists(&mut f);
        f.five_whys = self.five_whys();
        f.contributing_factors = self.contributing_factors();
        f.lessons = self.lessons();
        self.related(&mut f);
        self.list_timeline(&mut f);
        if f.action_items.is_empty() {
            f.action_items = self.list_action_items();
        }
        let [summary, impact, root_cause, trigger, resolution, detection] = texts;
        let title_line = f.title.as_ref().map(|t| t.line);
        f.summary = summary.or_else(|| self.first_paragraph(title_line));
        (f.impact, f.root_cause, f.trigger, f.resolution, f.detection) =
            (impact, root_cause, trigger, resolution, detection);
        f
    }

    fn in_factor_block(&self, line: usize) -> bool {
        self.sections.within(line, SectionKind::FactorBlock)
    }

    fn title(&self) -> Option<Located<String>> {
        let Some(h) = self.doc.headings.iter().find(|h| h.level == 1) else {
            return self.first_line_title();
        };
        let col = (self.line_text)(h.line)
            .find(|c: char| c != '#' && c != ' ')
            .map_or(1, |i| i + 1);
        let t = clean_title(&h.text);
        (!t.is_empty()).then(|| Located {
            value: t.to_string(),
            line: h.line,
            col,
        })
    }

    /// Write-ups kept as plain text name themselves on their first line, without `#`:
    /// `AT&T Mobility nationwide wireless outage — 22 Feb 2024`, or `Title: …`. That line
    /// is the title when it stands alone (a blank line or a short date line follows,
    /// or it says `Title:`), reads like a title
    /// (no closing period or colon, not a `Key: value` field, not a section name, at most
    /// 150 characters) and is plain text, not a heading, item, table or quote.
    fn first_line_title(&self) -> Option<Located<String>> {
        let mut lines = self
            .lines
            .clone()
            .map(|l| (l, (self.line_text)(l)))
            .skip_while(|(_, t)| t.trim().is_empty());
        let (line, text) = lines.next()?;
        let next = lines.next().map(|(_, t)| t).unwrap_or_default();
        let t = text.trim();
        // A short line with a date under it is the title and its date line
        // (`28 Feb – 1 Mar 2010 (GMT)`, `Date: 2016-04-11`); prose wrapped across lines
        // runs longer.
        let labelled = t.to_lowercase().starts_with("title:");
        let stands_alone = next.trim().is_empty()
            || labelled
            || (t.chars().count() <= 100
                && next.trim().chars().count() <= 60
                && time::date_in_line(&next).is_some());
        let plain = self.blocks.text_lines.iter().any(|l| l.line == line);
        let field = t
            .split_once(':')
            .is_some_and(|(key, _)| target_of(&blocks::field_key(key)).is_some());
        let titled = plain
            && stands_alone
            && !field
            && (3..=150).contains(&t.chars().count())
            && t.chars().any(char::is_alphabetic)
            && !t.ends_with(['.', ':', ';', ','])
            && sections::kind_of(&sections::normalise(t)).is_none();
        let cleaned = clean_title(t);
        (titled && !cleaned.is_empty()).then(|| Located {
            value: cleaned.to_string(),
            line,
            col: text.len() - text.trim_start().len() + 1,
        })
    }
}

/// A title without the words a template puts before it (`Postmortem: `, `Incident — `)
/// or after it (`(Incident #123)`).
fn clean_title(title: &str) -> &str {
    let mut t = title.trim();
    let lower = t.to_lowercase();
    for prefix in [
        "title",
        "post-mortem",
        "postmortem",
        "post mortem",
        "incident report",
        "incident postmortem",
        "incident review",
        "incident",
    ] {
        if lower.starts_with(prefix) {
            let rest = t[prefix.len()..].trim_start();
            if let Some(r) = rest
                .strip_prefix(':')
                .or_else(|| rest.strip_prefix("- "))
                .or_else(|| rest.strip_prefix("— "))
            {
                t = r.trim();
                break;
            }
        }
    }
    let lower = t.to_lowercase();
    if let Some(i) = lower.rfind("(incident #")
        && t.ends_with(')')
    {
        t = t[..i].trim();
    }
    t
}

impl Extractor<'_> {
    /// Apply one key/value fact (from a bold field, a key/value table or a `Key: value`
    /// line). Returns whether the key was known.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &self,
        f: &mut BodyFacts,
        texts: &mut [Option<String>; 6],
        key: &str,
        value: &str,
        line: usize,
        col: usize,
        items: &[usize],
    ) -> bool {
        let Some(target) = target_of(key) else {
            return false;
        };
        let value = value.trim();
        let located = || Located {
            value: value.to_string(),
            line,
            col,
        };
        let set = |slot: &mut Option<Located<String>>| {
            if slot.is_none() && !value.is_empty() {
                *slot = Some(located());
            }
        };
        match target {
            Target::Date => set(&mut f.date),
            Target::Severity => set(&mut f.severity),
            Target::Status => set(&mut f.status),
            Target::Authors if f.authors.is_empty() => f.authors = names(value),
            Target::Reviewers if f.reviewers.is_empty() => f.reviewers = names(value),
            Target::Teams if f.teams.is_empty() => f.teams = names(value),
            Target::Tags => {
                let more = if value.is_empty() {
                    items
                        .iter()
                        .map(|&i| self.blocks.items[i].text.clone())
                        .collect()
                } else {
                    names(value)
                };
                for tag in more {
                    if !is_placeholder(&tag) && !f.tags.contains(&tag) {
                        f.tags.push(tag);
                    }
                }
            }
            Target::Causes if f.causes.is_empty() => {
                f.causes = if value.is_empty() {
                    items
                        .iter()
                        .map(|&i| self.blocks.items[i].text.clone())
                        .collect()
                } else {
                    names(value)
                };
            }
            Target::Services => {
                if items.is_empty() {
                    if f.services.is_empty() {
                        f.services = names(value);
                    }
                } else {
                    let items: Vec<&Item> = items.iter().map(|&i| &self.blocks.items[i]).collect();
                    self.services_from(f, &items);
                }
            }
            Target::Text(which) => {
                let slot = &mut texts[which as usize];
                let text = if value.is_empty() {
                    self.items_text(items)
                } else {
                    value.to_string()
                };
                if slot.is_none() && !text.is_empty() && !is_placeholder(&text) {
                    *slot = Some(text);
                }
            }
            Target::Milestone(i) => set(&mut f.milestones[i]),
            Target::Duration(i) => {
                let slot = &mut f.stated[i];
                if slot.is_none() && !other_baseline(value) {
                    *slot = time::read_duration_minutes(value).map(|minutes| Located {
                        value: minutes,
                        line,
                        col,
                    });
                }
            }
            _ => {}
        }
        true
    }

    fn items_text(&self, items: &[usize]) -> String {
        items
            .iter()
            .map(|&i| self.blocks.items[i].text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fields(&self, f: &mut BodyFacts, texts: &mut [Option<String>; 6]) {
        for field in &self.blocks.fields {
            if self.in_factor_block(field.line) {
                continue;
            }
            // Plain words like `Status` or `Start` are only facts at the top level of a
            // section, not deep inside a list about something else.
            self.apply(
                f,
                texts,
                &field.key,
                &field.value,
                field.line,
                field.col,
                &field.items,
            );
        }
        // `Key: value` lines without bold: durations anywhere, milestones in timing sections.
        let plain_lines = self
            .blocks
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.line))
            .chain(
                self.blocks
                    .text_lines
                    .iter()
                    .map(|t| (t.text.as_str(), t.line)),
            );
        // The lines under the title, before the first section, are the document's own
        // header (`Date: 2023-10-19`, `Authors: Security`), bold or not; a post-mortem
        // without sections has no header beyond its first lines.
        let first_text = self
            .blocks
            .text_lines
            .iter()
            .map(|t| t.line)
            .chain(self.blocks.items.iter().map(|i| i.line))
            .min()
            .unwrap_or(0);
        let header_end = self
            .doc
            .headings
            .iter()
            .filter(|h| h.level >= 2)
            .map(|h| h.line)
            .min()
            .unwrap_or(usize::MAX)
            .min(first_text.saturating_add(HEADER_LINES));
        for (text, line) in plain_lines {
            let Some((key, value)) = text.split_once(':') else {
                continue;
            };
            let key = blocks::field_key(key);
            match target_of(&key) {
                Some(Target::Duration(_)) => {}
                Some(Target::Milestone(_)) if self.sections.within(line, SectionKind::Timing) => {}
                // Stats/Metadata sections: every known fact, bold or not.
                Some(_) if self.sections.within(line, SectionKind::Metadata) => {}
                Some(Target::Text(_)) => continue,
                Some(_) if line < header_end => {}
                _ => continue,
            }
            let col = (self.line_text)(line)
                .find(value.trim())
                .map_or(0, |b| (self.line_text)(line)[..b].chars().count() + 1);
            self.apply(f, texts, &key, value, line, col, &[]);
        }
    }

    fn tables(
        &self,
        f: &mut BodyFacts,
        texts: &mut [Option<String>; 6],
        diags: &mut Vec<Diagnostic>,
    ) {
        for table in &self.doc.tables {
            tables::check_cells(table, self.line_text, self.path, diags);
            match tables::role(table, self.sections) {
                Role::Timeline => f.timeline.extend(tables::timeline_rows(table)),
                Role::ActionItems => f
                    .action_items
                    .extend(tables::action_rows(table, self.path, diags)),
                Role::Related => f
                    .related_refs
                    .extend(tables::related_rows(table, self.path)),
                Role::KeyValue => {
                    for (key, value, line) in tables::key_values(table) {
                        let line_text = (self.line_text)(line);
                        let col = line_text
                            .find(&value)
                            .map_or(0, |b| line_text[..b].chars().count() + 1);
                        self.apply(f, texts, &blocks::field_key(&key), &value, line, col, &[]);
                    }
                }
                Role::Other => {}
            }
        }
    }

    /// Scalars from section bodies, by alias strength.
    fn section_texts(&self, f: &mut BodyFacts, texts: &mut [Option<String>; 6]) {
        use SectionKind as K;
        let order: [(K, Scalar); 10] = [
            (K::Summary, Scalar::Summary),
            (K::Impact, Scalar::Impact),
            (K::RootCause, Scalar::RootCause),
            (K::Trigger, Scalar::Trigger),
            (K::Resolution, Scalar::Resolution),
            (K::Detection, Scalar::Detection),
            (K::OutageDescription, Scalar::Summary),
            (K::Fault, Scalar::RootCause),
            (K::Leadup, Scalar::Trigger),
            (K::Causes, Scalar::RootCause),
        ];
        for (kind, scalar) in order {
            if texts[scalar as usize].is_some() {
                continue;
            }
            for i in self.sections.of_kind(kind) {
                if self.in_factor_block(self.sections.list[i].line) {
                    continue;
                }
                let text = self.sections.text(i, &self.doc.section_text);
                if !text.is_empty() && !is_placeholder(&text) {
                    texts[scalar as usize] = Some(text);
                    break;
                }
            }
        }
        // Free prose: a line that is only a date (`March 3, 2025`, `Posted 2025-03-03`)
        // near the top.
        if f.date.is_none() {
            let top = self
                .doc
                .paragraphs
                .iter()
                .filter(|p| p.section == 0 || self.sections.list[p.section - 1].level == 1)
                .take(3);
            for p in top {
                let lower = p.text.to_lowercase();
                let skip = ["posted on", "posted", "published", "updated", "date:"]
                    .iter()
                    .find(|w| lower.starts_with(*w))
                    .map_or(0, |w| w.len());
                let rest = p.text[skip..].trim_start();
                if let Some((DateRead::Date(_) | DateRead::Invalid(_), used)) =
                    time::read_date_prefix(rest)
                    && rest[used..].trim().len() <= 2
                {
                    let col = (self.line_text)(p.line)
                        .find(&rest[..used])
                        .map_or(1, |b| (self.line_text)(p.line)[..b].chars().count() + 1);
                    f.date = Some(Located {
                        value: rest[..used].trim().to_string(),
                        line: p.line,
                        col,
                    });
                    break;
                }
            }
        }
        // Google SRE `### Date` / `### Authors` sections.
        if f.date.is_none()
            && let Some(p) =
                self.doc.paragraphs.iter().find(|p| {
                    p.section > 0 && self.sections.list[p.section - 1].kind == Some(K::Date)
                })
        {
            f.date = Some(Located {
                value: p.text.clone(),
                line: p.line,
                col: 1,
            });
        }
        if f.authors.is_empty()
            && let Some(i) = self.sections.of_kind(K::Authors).next()
        {
            f.authors = names(&self.doc.section_text[i + 1].replace('\n', ", "));
        }
    }

    /// Services listed under a Services Affected heading.
    fn section_lists(&self, f: &mut BodyFacts) {
        for i in self.sections.of_kind(SectionKind::ServicesAffected) {
            let s = &self.sections.list[i];
            let items: Vec<&Item> = self.top_items(s.line, s.end_line);
            self.services_from(f, &items);
        }
    }

    fn services_from(&self, f: &mut BodyFacts, items: &[&Item]) {
        let min_indent = items.iter().map(|i| i.indent).min().unwrap_or(0);
        for item in items.iter().filter(|i| i.indent == min_indent) {
            let text = item.text.trim();
            let unaffected =
                text.starts_with('❌') || text.starts_with('✗') || text.starts_with("[ ]");
            let name = text.trim_start_matches(|c: char| !c.is_alphanumeric());
            let name = cut_name(name);
            if name.is_empty() {
                continue;
            }
            let list = if unaffected {
                &mut f.services_unaffected
            } else {
                &mut f.services
            };
            if !list.iter().any(|s| s == name) {
                list.push(name.to_string());
            }
        }
    }

    /// Top-level list items between two lines.
    fn top_items(&self, from: usize, to: usize) -> Vec<&Item> {
        let items: Vec<&Item> = between(&self.blocks.items, |i| i.line, from, to)
            .iter()
            .collect();
        let min = items.iter().map(|i| i.indent).min().unwrap_or(0);
        items.into_iter().filter(|i| i.indent == min).collect()
    }

    fn five_whys(&self) -> Vec<Why> {
        let mut whys = Vec::new();
        let bolds = &self.blocks.bold_lines;
        for (n, bold) in bolds.iter().enumerate() {
            let q = strip_numbering(&bold.text);
            if !q.to_lowercase().starts_with("why") {
                continue;
            }
            let next_bold = bolds.get(n + 1).map_or(usize::MAX, |b| b.line);
            let next_heading = self
                .doc
                .headings
                .get(self.doc.headings.partition_point(|h| h.line <= bold.line))
                .map_or(usize::MAX, |h| h.line);
            let limit = next_bold.min(next_heading);
            let next_text = between(&self.blocks.text_lines, |t| t.line, bold.line, limit)
                .first()
                .map(|t| (t.line, t.text.as_str()));
            let next_item = between(&self.blocks.items, |i| i.line, bold.line, limit)
                .first()
                .map(|i| (i.line, i.text.as_str()));
            let answer = next_text
                .into_iter()
                .chain(next_item)
                .min_by_key(|(l, _)| *l)
                .map(|(_, t)| clean_answer(t))
                .unwrap_or_default();
            whys.push(Why {
                question: q.to_string(),
                answer,
            });
        }
        if !whys.is_empty() {
            return whys;
        }
        for i in self.sections.of_kind(SectionKind::FiveWhys) {
            let s = &self.sections.list[i];
            let items = self.top_items(s.line, s.end_line);
            let mut k = 0;
            while k < items.len() {
                let text = strip_numbering(&items[k].text);
                match text.find('?') {
                    Some(q) if text.to_lowercase().starts_with("why") => {
                        let mut answer = clean_answer(&text[q + 1..]);
                        if answer.is_empty() {
                            // The answer is the nested item below the question, if any.
                            if let Some(child) =
                                between(&self.blocks.items, |i| i.line, items[k].line, usize::MAX)
                                    .first()
                                    .filter(|c| c.indent > items[k].indent)
                                && items.get(k + 1).is_none_or(|n| child.line < n.line)
                            {
                                answer = clean_answer(&child.text);
                            }
                        }
                        whys.push(Why {
                            question: text[..=q].trim().to_string(),
                            answer,
                        });
                    }
                    _ => whys.push(Why {
                        question: String::new(),
                        answer: text.to_string(),
                    }),
                }
                k += 1;
            }
        }
        whys
    }

    fn contributing_factors(&self) -> Vec<ContributingFactor> {
        let mut out = Vec::new();
        for i in self.sections.of_kind(SectionKind::ContributingFactors) {
            let s = &self.sections.list[i];
            if self.sections.list[self.sections.subtree(i)]
                .iter()
                .any(|c| c.kind == Some(SectionKind::FactorBlock))
            {
                continue; // CCADB blocks below are read on their own
            }
            let mut kind = "general".to_string();
            let fields: Vec<_> = between(&self.blocks.fields, |f| f.line, s.line, s.end_line)
                .iter()
                .filter(|f| f.item.is_none())
                .collect();
            let items: Vec<&Item> = between(&self.blocks.items, |i| i.line, s.line, s.end_line)
                .iter()
                .collect();
            let min = items.iter().map(|i| i.indent).min().unwrap_or(0);
            for item in items.iter().filter(|it| it.indent == min) {
                // The kind is the nearest `**Technical Factors**:` field or sub-heading above.
                let last_field = fields
                    .partition_point(|f| f.line < item.line)
                    .checked_sub(1)
                    .map(|k| fields[k]);
                let sub = self
                    .sections
                    .at(item.line)
                    .filter(|&j| j != i)
                    .map(|j| &self.sections.list[j]);
                match (last_field, sub) {
                    (Some(f), Some(sub)) if f.line > sub.line => kind = factor_kind(&f.name),
                    (_, Some(sub)) => kind = factor_kind(&sub.title),
                    (Some(f), None) => kind = factor_kind(&f.name),
                    (None, None) => {}
                }
                out.push(ContributingFactor {
                    kind: kind.clone(),
                    text: item.text.clone(),
                });
            }
            if items.is_empty() {
                for p in between(&self.doc.paragraphs, |p| p.line, s.line, s.end_line).iter() {
                    out.push(ContributingFactor {
                        kind: "general".into(),
                        text: p.text.clone(),
                    });
                }
            }
        }
        for i in self.sections.of_kind(SectionKind::FactorBlock) {
            let s = &self.sections.list[i];
            let (label, title) = match s.title.split_once(':') {
                Some((l, t)) => (l.trim().to_string(), t.trim().to_string()),
                None => (s.title.trim().to_string(), String::new()),
            };
            let description = between(&self.blocks.fields, |f| f.line, s.line, s.end_line)
                .iter()
                .find(|f| f.key == "description")
                .map(|f| f.value.clone())
                .or_else(|| {
                    between(&self.doc.paragraphs, |p| p.line, s.line, s.end_line)
                        .first()
                        .map(|p| p.text.clone())
                })
                .unwrap_or_default();
            let text = match (title.is_empty(), description.is_empty()) {
                (false, false) => format!("{title}: {description}"),
                (false, true) => title,
                _ => description,
            };
            out.push(ContributingFactor { kind: label, text });
        }
        // Kehoe: "Process Breakdown(s)" under "What caused the incident?".
        for field in &self.blocks.fields {
            if matches!(
                field.key.as_str(),
                "process breakdown" | "process breakdowns"
            ) {
                if field.value.is_empty() {
                    for &it in &field.items {
                        out.push(ContributingFactor {
                            kind: "process".into(),
                            text: self.blocks.items[it].text.clone(),
                        });
                    }
                } else {
                    out.push(ContributingFactor {
                        kind: "process".into(),
                        text: field.value.clone(),
                    });
                }
            }
        }
        out.retain(|f| !f.text.trim().is_empty());
        out
    }

    fn lessons(&self) -> Lessons {
        let mut lessons = Lessons::default();
        let mut taken: std::collections::BTreeSet<usize> = Default::default();
        for (kind, which) in [
            (SectionKind::WentWell, 0),
            (SectionKind::WentWrong, 1),
            (SectionKind::Lucky, 2),
        ] {
            for i in self.sections.of_kind(kind) {
                let s = &self.sections.list[i];
                let entries = self.entries(s.line, s.end_line);
                taken.extend(
                    between(&self.blocks.items, |i| i.line, s.line, s.end_line)
                        .iter()
                        .map(|it| it.line),
                );
                lessons_slot(&mut lessons, which).extend(entries);
            }
        }
        for field in &self.blocks.fields {
            let which = match field.key.as_str() {
                "what went well" | "what worked well" | "went well" => 0,
                "what went wrong"
                | "what could be improved"
                | "what could be better"
                | "what didn't go well"
                | "what went poorly" => 1,
                "where we got lucky" | "what we got lucky" | "lucky" => 2,
                _ => continue,
            };
            let slot = lessons_slot(&mut lessons, which);
            if field.value.is_empty() {
                slot.extend(
                    field
                        .items
                        .iter()
                        .map(|&i| lesson_text(&self.blocks.items[i].text))
                        .filter(|t| !t.is_empty()),
                );
                taken.extend(field.items.iter().map(|&i| self.blocks.items[i].line));
            } else {
                slot.push(field.value.clone());
                taken.extend(field.item.map(|i| self.blocks.items[i].line));
            }
        }
        for i in self.sections.of_kind(SectionKind::Lessons) {
            let s = &self.sections.list[i];
            let items: Vec<&Item> = self
                .top_items(s.line, s.end_line)
                .into_iter()
                .filter(|it| !taken.contains(&it.line))
                .collect();
            let has_sub_kinds = self.sections.list[self.sections.subtree(i)]
                .iter()
                .any(|c| {
                    matches!(
                        c.kind,
                        Some(SectionKind::WentWell | SectionKind::WentWrong | SectionKind::Lucky)
                    )
                });
            lessons.other.extend(
                items
                    .iter()
                    .map(|it| lesson_text(&it.text))
                    .filter(|t| !t.is_empty()),
            );
            if items.is_empty() && !has_sub_kinds {
                lessons.other.extend(
                    between(&self.doc.paragraphs, |p| p.line, s.line, s.end_line)
                        .iter()
                        .map(|p| p.text.clone()),
                );
            }
        }
        lessons
    }

    /// Lesson entries of a section: its top-level items, else its paragraphs.
    fn entries(&self, from: usize, to: usize) -> Vec<String> {
        let items = self.top_items(from, to);
        if items.is_empty() {
            between(&self.doc.paragraphs, |p| p.line, from, to)
                .iter()
                .map(|p| p.text.clone())
                .collect()
        } else {
            items
                .iter()
                .map(|it| lesson_text(&it.text))
                .filter(|t| !t.is_empty())
                .collect()
        }
    }

    fn related(&self, f: &mut BodyFacts) {
        for i in self.sections.of_kind(SectionKind::Related) {
            let s = &self.sections.list[i];
            let all: Vec<&Item> = between(&self.blocks.items, |i| i.line, s.line, s.end_line)
                .iter()
                .collect();
            let min = all.iter().map(|i| i.indent).min().unwrap_or(0);
            for (k, item) in all
                .iter()
                .enumerate()
                .filter(|(_, it)| it.indent == min && !is_placeholder(&it.text))
            {
                let children: Vec<&str> = all[k + 1..]
                    .iter()
                    .take_while(|c| c.indent > min)
                    .map(|c| c.text.as_str())
                    .collect();
                f.related_refs
                    .push(related_item(item, &children, self.path));
            }
        }
        // Links to other post-mortems anywhere in the body (inline, reference-style and
        // `<file.md>`), with or without `.md`, URL decoded.
        for link in &self.doc.links {
            let Some(target) = tables::file_link(&link.dest, self.path) else {
                continue;
            };
            if let Some(r) = f
                .related_refs
                .iter_mut()
                .find(|r| r.path.as_deref() == Some(target.path.as_str()))
            {
                // The same file linked again: strengthen, keep the first.
                r.weak &= target.weak;
                continue;
            }
            f.related_refs.push(RelatedRef {
                id: Some(target.id),
                date: None,
                title: Some(link.text.trim().to_string()).filter(|t| !t.is_empty()),
                note: String::new(),
                line: link.line,
                href: Some(link.dest.clone()),
                path: Some(target.path),
                weak: target.weak,
            });
        }
    }

    /// Timelines written as lists (or, in plain-text write-ups, as lines) under a
    /// Timeline heading or label (`sections::promote_labels`).
    fn list_timeline(&self, f: &mut BodyFacts) {
        if !f.timeline.is_empty() {
            return;
        }
        for i in self.sections.of_kind(SectionKind::Timeline) {
            let s = &self.sections.list[i];
            let mut rows: Vec<(usize, RawEvent, bool)> = Vec::new();
            // Items, and plain lines (`11:07pm first errors`) as plain-text write-ups
            // have them.
            let lines = between(&self.blocks.items, |i| i.line, s.line, s.end_line)
                .iter()
                .map(|i| (i.line, i.text.as_str()))
                .chain(
                    between(&self.blocks.text_lines, |t| t.line, s.line, s.end_line)
                        .iter()
                        .map(|t| (t.line, t.text.as_str())),
                );
            for (line, text) in lines {
                if let Some((time_text, rest)) = split_time_prefix(text) {
                    let event = TimelineEvent {
                        at: None,
                        time_text,
                        event: rest.to_string(),
                        actor: None,
                        line,
                    };
                    rows.push((line, RawEvent { event, zone: None }, false));
                }
            }
            // Lines that are only a date set the day for the rows below them.
            let dates = self
                .blocks
                .bold_lines
                .iter()
                .map(|b| (b.line, b.text.as_str()))
                .chain(
                    self.blocks
                        .text_lines
                        .iter()
                        .map(|t| (t.line, t.text.as_str())),
                );
            let row_lines: Vec<usize> = rows.iter().map(|(l, _, _)| *l).collect();
            for (line, text) in
                dates.filter(|(l, _)| *l > s.line && *l < s.end_line && !row_lines.contains(l))
            {
                if let DateRead::Date(_) = time::read_date(text) {
                    let event = TimelineEvent {
                        at: None,
                        time_text: text.to_string(),
                        event: String::new(),
                        actor: None,
                        line,
                    };
                    rows.push((line, RawEvent { event, zone: None }, true));
                }
            }
            rows.sort_by_key(|(l, _, _)| *l);
            f.timeline
                .extend(rows.into_iter().map(|(_, mut r, marker)| {
                    if marker {
                        r.event.event = DATE_MARKER.to_string();
                    }
                    r
                }));
        }
    }

    /// Checkbox items of action/recommendation sections, and plain items of action
    /// sections, when there is no action-items table.
    fn list_action_items(&self) -> Vec<ActionItem> {
        let mut out = Vec::new();
        for item in &self.blocks.items {
            let kinds: Vec<SectionKind> = self.sections.kinds_at(item.line).collect();
            if kinds.contains(&SectionKind::SignOff) {
                continue;
            }
            let in_actions = kinds.contains(&SectionKind::ActionItems);
            let in_recs = kinds.contains(&SectionKind::Recommendations);
            let top_level = item.indent == 0 || item.indent < 2;
            let take = match item.checked {
                Some(_) => in_actions || in_recs,
                None => in_actions && top_level,
            };
            if !take {
                continue;
            }
            // Only explicit markers give a status: the checkbox, else a status word or
            // emoji in a status position. Words in the sentence ("until issue fixed")
            // do not.
            let (status, status_text) = match item.checked {
                Some(true) => (ActionItemStatus::Done, "[x]".to_string()),
                Some(false) => (ActionItemStatus::Open, "[ ]".to_string()),
                None => tables::written_status(&item.text)
                    .unwrap_or((ActionItemStatus::Unknown, String::new())),
            };
            // A written status refines a bare unticked box: "- [ ] Fix (blocked)".
            let (status, status_text) = match tables::written_status(&item.text) {
                Some((written, text)) if item.checked == Some(false) => {
                    (written, format!("[ ] {text}"))
                }
                _ => (status, status_text),
            };
            let (action, owner, due) = inline_action(&item.text);
            out.push(ActionItem {
                number: None,
                action,
                kind: None,
                priority: None,
                owner,
                due,
                due_unreadable: false,
                status,
                status_text,
                details: Vec::new(),
                line: item.line,
            });
        }
        out
    }

    /// The first plain paragraph, not the title's line (`first_line_title`): the summary
    /// of a free-prose post-mortem.
    fn first_paragraph(&self, title_line: Option<usize>) -> Option<String> {
        self.doc
            .paragraphs
            .iter()
            .find(|p| {
                Some(p.line) != title_line
                    && !p.starts_bold
                    && !matches!(
                        time::read_date(&p.text),
                        DateRead::Date(_) | DateRead::Invalid(_)
                    )
                    && p.text.chars().filter(|c| c.is_alphabetic()).count() > 20
                    && self.sections.kinds_at(p.line).next().is_none()
            })
            .map(|p| p.text.clone())
    }
}

/// The elements of a line-sorted slice strictly between two lines, found by binary
/// search so that per-section lookups stay cheap on huge files.
fn between<T>(list: &[T], line_of: impl Fn(&T) -> usize, from: usize, to: usize) -> &[T] {
    let start = list.partition_point(|x| line_of(x) <= from);
    let end = list.partition_point(|x| line_of(x) < to).max(start);
    &list[start..end]
}

/// Event text that marks a date line of a list timeline (dropped after resolving).
pub(crate) const DATE_MARKER: &str = "\u{0}date";

fn lessons_slot(lessons: &mut Lessons, which: usize) -> &mut Vec<String> {
    match which {
        0 => &mut lessons.went_well,
        1 => &mut lessons.went_wrong,
        _ => &mut lessons.lucky,
    }
}

/// A lesson or list entry without its leading mark (✅, ❌, bullets).
fn lesson_text(text: &str) -> String {
    text.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '"' && c != '`')
        .trim()
        .to_string()
}

/// Names in `Jane Doe, Mike and Tom` or `[jane, mike]`.
fn names(value: &str) -> Vec<String> {
    value
        .trim_matches(['[', ']'])
        .split([',', ';', '\n'])
        .flat_map(|part| part.split(" and "))
        .map(|s| s.trim().trim_matches(['"', '\'']).trim())
        .filter(|s| !s.is_empty() && !is_placeholder(s))
        .map(str::to_string)
        .collect()
}

/// Template placeholders like `[Name]`, `YYYY-MM-DD`, `N minutes`, `TBD`.
pub(crate) fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with('[') && t.ends_with(']')) || t.eq_ignore_ascii_case("tbd") || t.contains("YYYY")
}

/// The service name in `Backend API (degraded - pool exhausted)`.
fn cut_name(text: &str) -> &str {
    let mut end = text.len();
    for sep in [" (", " - ", " – ", " — ", ": "] {
        if let Some(i) = text.find(sep) {
            end = end.min(i);
        }
    }
    text[..end].trim().trim_matches('*').trim()
}

fn strip_numbering(text: &str) -> &str {
    let t = text.trim();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = t[digits..].strip_prefix(['.', ')'])
    {
        return rest.trim();
    }
    t
}

fn clean_answer(text: &str) -> String {
    let t = text
        .trim()
        .trim_start_matches(['→', '-', '—', '–', '>', ':', ' '])
        .trim();
    let lower = t.to_lowercase();
    for prefix in ["a:", "answer:", "because:"] {
        if lower.starts_with(prefix) {
            return t[prefix.len()..].trim().to_string();
        }
    }
    t.to_string()
}

fn factor_kind(name: &str) -> String {
    let n = crate::content::sections::normalise(name);
    let n = n
        .trim_end_matches(" factors")
        .trim_end_matches(" factor")
        .trim_end_matches(" conditions")
        .trim();
    if n.is_empty() {
        "general".into()
    } else {
        n.to_string()
    }
}

/// One item of a Related Incidents list.
fn related_item(item: &Item, children: &[&str], from: &Path) -> RelatedRef {
    let mut r = RelatedRef {
        line: item.line,
        ..RelatedRef::default()
    };
    // A link to another post-mortem names it.
    if let Some(start) = item.raw.find("](")
        && let Some(end) = item.raw[start + 2..].find(')')
    {
        let dest = item.raw[start + 2..start + 2 + end].trim();
        let dest = dest
            .strip_prefix('<')
            .and_then(|d| d.strip_suffix('>'))
            .unwrap_or(dest);
        if let Some(target) = tables::file_link(dest, from).filter(|t| !t.weak) {
            r.id = Some(target.id);
            r.href = Some(dest.to_string());
            r.path = Some(target.path);
        }
    }
    let mut rest = item.text.as_str();
    if let Some((DateRead::Date(d), used)) = time::read_date_prefix(rest) {
        r.date = Some(d);
        rest = rest[used..].trim_start_matches([':', ' ', '-', '—', '–']);
    }
    let (title, note) = match rest.find(" (") {
        Some(i) if rest.ends_with(')') => (rest[..i].trim(), rest[i + 2..rest.len() - 1].trim()),
        _ => (rest.trim(), ""),
    };
    r.title = Some(title.to_string()).filter(|t| !t.is_empty());
    let mut notes: Vec<&str> = Vec::new();
    if !note.is_empty() {
        notes.push(note);
    }
    notes.extend(children.iter().copied().filter(|c| !c.is_empty()));
    r.note = notes.join("; ");
    r
}

/// `14:51 News reports…`, `2025-10-21 14:51 UTC: …`, `14:51 - …` → (time, rest).
fn split_time_prefix(text: &str) -> Option<(String, &str)> {
    let tokens: Vec<(usize, &str)> = text
        .split_whitespace()
        .take(5)
        .map(|t| (t.as_ptr() as usize - text.as_ptr() as usize, t))
        .collect();
    for k in (1..=tokens.len().min(4)).rev() {
        let (start, last) = tokens[k - 1];
        let end = start + last.len();
        let prefix = text[..end].trim_end_matches([':', ',', '-', '—']);
        let clean = tokens[..k].iter().enumerate().all(|(n, (_, t))| {
            let t = t.trim_end_matches([':', ',', '-']);
            n == 0
                || t.is_empty()
                || t.contains(':')
                || t.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == '/')
                || matches!(t.to_lowercase().as_str(), "am" | "pm" | "at")
                || crate::zone::at_start(t).is_some()
        });
        if !clean {
            continue;
        }
        // A date followed by a garbled time (`2025-08-07 14:7O`) is a row too: it is
        // kept without a time and reported, as in a timeline table, not dropped unseen.
        // A month and day without a year (`01-02 16:30`) date a row as well as a year
        // would; the year comes from the timeline when it is resolved.
        let utc = crate::zone::Zone::utc();
        let read = time::read_time(prefix, &utc).or_else(|| {
            let (_, _, end) = time::month_day(prefix)?;
            let rest = prefix[end..].trim_start_matches([' ', ',']);
            (end < prefix.len())
                .then(|| time::read_time(rest, &utc))
                .flatten()
                .filter(|r| matches!(r, TimeRead::TimeOfDay { .. }))
        });
        if matches!(read, Some(TimeRead::Full(..) | TimeRead::TimeOfDay { .. }))
            || k > 1 && matches!(read, Some(TimeRead::DateBadTime(_)))
        {
            let rest = text[end..].trim_start_matches([':', ' ', '-', '—', '–']);
            return Some((prefix.trim().to_string(), rest.trim()));
        }
    }
    None
}

/// A stated duration measured from something else than the start ("48 minutes after
/// the alert", "from detection"): not the figure hindsight means, so not used as one.
fn other_baseline(value: &str) -> bool {
    let lower = value.to_lowercase();
    ["after", "from", "since"].iter().any(|w| {
        lower.split_once(&format!("{w} ")).is_some_and(|(_, rest)| {
            let rest = rest.trim_start_matches("the ");
            ["alert", "detect", "page", "paging", "acknowledg", "ack"]
                .iter()
                .any(|b| rest.starts_with(b))
        })
    })
}

/// The action of a list item with the owner and due date written inline: `@alice`,
/// `owner: Alice Smith`, `assigned to bob`; `by 2024-03-01`, `due 2024-03-01`,
/// `due: March 1, 2024`, `before 2024-03-01`. The text is kept as written.
fn inline_action(text: &str) -> (String, Option<String>, Option<jiff::civil::Date>) {
    (
        text.trim().to_string(),
        tables::inline_owner(text),
        tables::inline_due(text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_prefixes() {
        assert_eq!(
            split_time_prefix("14:51 News reports start"),
            Some(("14:51".into(), "News reports start"))
        );
        assert_eq!(
            split_time_prefix("2025-10-21 14:51 UTC: paged"),
            Some(("2025-10-21 14:51 UTC".into(), "paged"))
        );
        assert_eq!(
            split_time_prefix("2:05 PM - rollback"),
            Some(("2:05 PM".into(), "rollback"))
        );
        assert_eq!(split_time_prefix("News at 14:51"), None);
    }

    #[test]
    fn related_items() {
        let item = Item {
            line: 3,
            indent: 0,
            raw: "**2025-09-15**: DB pool exhausted (similar issue)".into(),
            text: "2025-09-15: DB pool exhausted (similar issue)".into(),
            checked: None,
            ordered: false,
        };
        let r = related_item(&item, &["Same root cause"], Path::new("a.md"));
        assert_eq!(r.date, Some(jiff::civil::Date::constant(2025, 9, 15)));
        assert_eq!(r.title.as_deref(), Some("DB pool exhausted"));
        assert_eq!(r.note, "similar issue; Same root cause");
    }

    #[test]
    fn service_names() {
        assert_eq!(cut_name("Backend API (degraded - pool)"), "Backend API");
        assert_eq!(cut_name("**Auth** - fine"), "Auth");
    }
}
