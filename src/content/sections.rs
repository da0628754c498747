//! The heading tree of a post-mortem and what each section is about.
//!
//! Headings are matched by alias, loosely: case-insensitive, leading numbering (`3.`,
//! `3.1`, `IV.`) and emoji stripped, a trailing colon, question mark or parenthesis
//! (`Timeline (UTC)`) dropped, `(s)` plurals and `&` folded. The alias table below is the
//! whole mapping from the templates in use (the reference template, Google SRE book,
//! Atlassian, Kehoe, Practice of Cloud System Administration, CCADB) to the model;
//! headings it does not know are still rendered, just not mined for fields.

use crate::content::markdown::Heading;

/// What a section holds, as far as the model is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectionKind {
    Summary,
    /// Practice of Cloud Sysadmin "Outage description": a summary when there is no other.
    OutageDescription,
    Impact,
    RootCause,
    /// Atlassian "Fault": a root cause when there is no other.
    Fault,
    Trigger,
    /// Atlassian "Leadup": a trigger when there is no other.
    Leadup,
    Resolution,
    Detection,
    Timeline,
    /// Key/value timing facts: Kehoe "Incident Timing", "Start/End", "Duration".
    Timing,
    ActionItems,
    Recommendations,
    Lessons,
    WentWell,
    WentWrong,
    Lucky,
    FiveWhys,
    ContributingFactors,
    /// CCADB `Contributing Factor #N` block.
    FactorBlock,
    Related,
    ServicesAffected,
    Date,
    Authors,
    /// Kehoe "What caused the incident?": parent of trigger and root cause.
    Causes,
    /// A section never mined for action items (sign-off checklists and the like).
    SignOff,
    /// Facts about the incident as `Key: value` list items: "Stats", "Metadata",
    /// "Details". Labels (category, services, team, severity, tags, cause category) and
    /// dates written there are read even without bold.
    Metadata,
}

/// Normalised heading text: lower case, numbering/emoji/trailing punctuation removed.
pub(crate) fn normalise(text: &str) -> String {
    let mut s = text.trim().to_lowercase();
    // Leading numbering: `3.`, `3.1`, `3)`, `iv.`, `a)`; and leading symbols/emoji.
    let t = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    let numbering = t.find(char::is_whitespace).map(|i| &t[..i]).filter(|w| {
        let core = w.trim_end_matches(['.', ')', ':']);
        let punctuated = core.len() < w.len();
        let numeric = core.chars().all(|c| c.is_ascii_digit() || c == '.');
        let roman = core.len() <= 4 && core.chars().all(|c| "ivxlc".contains(c));
        !core.is_empty()
            && ((numeric && (punctuated || core.contains('.')))
                || (punctuated && (roman || core.len() == 1)))
    });
    let t = match numbering {
        Some(n) => t[n.len()..].trim_start(),
        None => t,
    };
    s = t
        .replace("(s)", "s")
        .replace('&', " and ")
        .replace(['-', '_', '/'], " ");
    // Trailing parenthetical (`timeline (utc)`), colon, question mark.
    loop {
        let trimmed = s.trim_end().trim_end_matches([':', '?', '.', '!']);
        if trimmed.ends_with(')')
            && let Some(open) = trimmed.rfind('(')
        {
            s = trimmed[..open].to_string();
            continue;
        }
        s = trimmed.to_string();
        break;
    }
    let s = s.trim_end_matches(|c: char| !c.is_alphanumeric());
    let words: Vec<&str> = s.split_whitespace().collect();
    let joined = words.join(" ");
    joined
        .strip_prefix("the ")
        .map(str::to_string)
        .unwrap_or(joined)
}

/// The kind of a heading, by alias.
pub(crate) fn kind_of(normalised: &str) -> Option<SectionKind> {
    use SectionKind::*;
    let n = normalised;
    if n.starts_with("contributing factor ") && n.len() > "contributing factor ".len() {
        let rest = &n["contributing factor ".len()..];
        if rest.starts_with(|c: char| c == '#' || c.is_ascii_digit()) {
            return Some(FactorBlock);
        }
    }
    let kind = match n {
        "summary" | "executive summary" | "incident summary" | "overview" | "what happened"
        | "tl;dr" | "tldr" | "synopsis" | "incident overview" => Summary,
        "outage description" | "description" | "incident description" => OutageDescription,
        "impact"
        | "customer impact"
        | "user impact"
        | "affected users"
        | "impact assessment"
        | "impact and severity" => Impact,
        "root cause"
        | "root causes"
        | "root cause analysis"
        | "root cause and analysis"
        | "causes"
        | "cause"
        | "rca" => RootCause,
        "fault" => Fault,
        "trigger" | "triggers" => Trigger,
        "leadup" | "lead up" => Leadup,
        "resolution"
        | "recovery"
        | "mitigation"
        | "resolution and recovery"
        | "mitigation and resolution"
        | "recovery and resolution" => Resolution,
        "detection" | "how was it detected" | "how it was detected" => Detection,
        "timeline" | "incident timeline" | "detailed timeline" | "timeline of events"
        | "event timeline" | "sequence of events" => Timeline,
        "incident timing" | "timing" | "key timestamps" | "start end" | "start and end"
        | "duration" | "start" | "end" | "start time" | "end time" => Timing,
        "action items"
        | "action items and followups"
        | "action items and follow ups"
        | "follow ups"
        | "followups"
        | "follow up actions"
        | "follow up items"
        | "corrective actions"
        | "corrective and preventative measures"
        | "corrective and preventive actions"
        | "corrective and preventative actions"
        | "remediation items"
        | "next steps" => ActionItems,
        "recommendations" | "recommendation" => Recommendations,
        "lessons learned" | "lessons learnt" | "lessons" | "learnings" | "what we learned" => {
            Lessons
        }
        "what went well" | "what worked well" | "things that went well" | "went well" => WentWell,
        "what went wrong"
        | "what went poorly"
        | "what didn t go well"
        | "what didn't go well"
        | "what did not go well"
        | "what could be better"
        | "what could be improved"
        | "things that went wrong"
        | "what went badly" => WentWrong,
        "where we got lucky"
        | "what we got lucky"
        | "where we were lucky"
        | "lucky"
        | "what we got lucky with" => Lucky,
        "five whys" | "5 whys" | "whys" => FiveWhys,
        "contributing factors"
        | "contributing conditions analysis"
        | "contributing conditions"
        | "contributing causes" => ContributingFactors,
        "related incidents" | "related" | "previous incidents" | "similar incidents"
        | "related issues" => Related,
        "services affected" | "affected services" => ServicesAffected,
        "date" | "incident date" | "date of incident" => Date,
        "authors" | "author" => Authors,
        "what caused the incident" | "causes of the incident" => Causes,
        "sign off" | "signoff" | "approval" | "approvals" | "review" => SignOff,
        "stats"
        | "statistics"
        | "incident stats"
        | "incident statistics"
        | "metadata"
        | "meta"
        | "incident metadata"
        | "details"
        | "incident details"
        | "key facts"
        | "facts"
        | "info"
        | "information"
        | "incident information"
        | "incident info"
        | "properties"
        | "classification"
        | "labels"
        | "key information" => Metadata,
        _ => return None,
    };
    Some(kind)
}

/// Longest line read as a section label (`Summary`, `Root cause`, `Timeline (UTC)`).
const LABEL_MAX_CHARS: usize = 40;

/// Write-ups kept as plain text (pasted from a chat, an email or a document) start their
/// sections with a line that is only the section's name, `Summary` or `Root cause:`,
/// where Markdown would have `## Summary`. Such a line, at the start of a paragraph and
/// outside code, lists, quotes and tables, is made a level-2 heading, so the sections
/// are read (and shown) as the author meant. Line numbers do not change. `None` when no
/// line is a label.
pub(crate) fn promote_labels(body: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut fence: Option<&str> = None;
    let mut previous_blank = true;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim_start();
        let starts = at;
        at += line.len();
        let label = match fence {
            Some(f) => {
                if trimmed.starts_with(f) {
                    fence = None;
                }
                false
            }
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                fence = Some(&trimmed[..3]);
                false
            }
            None => {
                previous_blank
                    && text == trimmed
                    && !trimmed.is_empty()
                    && trimmed.chars().count() <= LABEL_MAX_CHARS
                    && trimmed.starts_with(|c: char| c.is_alphabetic())
                    && !trimmed
                        .trim_end_matches(':')
                        .contains([':', '|', '*', '_', '`', '[', '.'])
                    && kind_of(&normalise(trimmed)).is_some()
            }
        };
        previous_blank = fence.is_none() && trimmed.is_empty();
        if label {
            out.get_or_insert_with(|| body[..starts].to_string())
                .push_str("## ");
        }
        if let Some(out) = out.as_mut() {
            out.push_str(line);
        }
    }
    out
}

/// One section: a heading and the lines up to the next heading of the same or a higher
/// level.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    pub(crate) level: u8,
    pub(crate) title: String,
    pub(crate) normalised: String,
    pub(crate) kind: Option<SectionKind>,
    pub(crate) line: usize,
    /// First line after the whole section (subsections included).
    pub(crate) end_line: usize,
    /// Index of the enclosing section, if any.
    pub(crate) parent: Option<usize>,
}

/// The section tree of a body, in document order. Section `i` corresponds to
/// `MdDoc::section_text[i + 1]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sections {
    pub(crate) list: Vec<Section>,
}

impl Sections {
    pub(crate) fn new(headings: &[Heading], end_line: usize) -> Sections {
        let mut list: Vec<Section> = Vec::with_capacity(headings.len());
        let mut stack: Vec<usize> = Vec::new();
        for (i, h) in headings.iter().enumerate() {
            while let Some(&top) = stack.last() {
                if list[top].level >= h.level {
                    list[top].end_line = h.line;
                    stack.pop();
                } else {
                    break;
                }
            }
            let normalised = normalise(&h.text);
            list.push(Section {
                level: h.level,
                title: h.text.clone(),
                kind: kind_of(&normalised),
                normalised,
                line: h.line,
                end_line,
                parent: stack.last().copied(),
            });
            stack.push(i);
        }
        Sections { list }
    }

    /// Index of the innermost section containing `line`.
    pub(crate) fn at(&self, line: usize) -> Option<usize> {
        let i = self.list.partition_point(|s| s.line <= line);
        i.checked_sub(1)
    }

    /// Kinds of the section at `line` and its ancestors, innermost first.
    pub(crate) fn kinds_at(&self, line: usize) -> impl Iterator<Item = SectionKind> + '_ {
        let mut cur = self.at(line);
        std::iter::from_fn(move || {
            loop {
                let i = cur?;
                cur = self.list[i].parent;
                if let Some(k) = self.list[i].kind {
                    return Some(k);
                }
            }
        })
    }

    /// Whether `line` lies in a section of `kind` (or one nested in it).
    pub(crate) fn within(&self, line: usize, kind: SectionKind) -> bool {
        self.kinds_at(line).any(|k| k == kind)
    }

    /// Indices of the sections of `kind`, in document order.
    pub(crate) fn of_kind(&self, kind: SectionKind) -> impl Iterator<Item = usize> + '_ {
        self.list
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.kind == Some(kind))
            .map(|(i, _)| i)
    }

    /// Section `i` and its subsections: indices `i..end`.
    pub(crate) fn subtree(&self, i: usize) -> std::ops::Range<usize> {
        let end_line = self.list[i].end_line;
        let end = self.list[i + 1..]
            .iter()
            .position(|s| s.line >= end_line)
            .map_or(self.list.len(), |p| i + 1 + p);
        i..end
    }

    /// The text of section `i` including subsections, from `section_text`.
    pub(crate) fn text(&self, i: usize, section_text: &[String]) -> String {
        let mut out = String::new();
        let mut skip_until = 0;
        for j in self.subtree(i) {
            // CCADB factor blocks are read as contributing factors, not as prose.
            if self.list[j].line < skip_until {
                continue;
            }
            if j != i && self.list[j].kind == Some(SectionKind::FactorBlock) {
                skip_until = self.list[j].end_line;
                continue;
            }
            let t = section_text.get(j + 1).map_or("", |s| s.trim());
            if !t.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(t);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn lines_that_are_only_a_section_name_become_headings_outside_code_and_lists() {
        let body = "Outage — 3 July 2019\n\nSummary\nThe API failed.\n\nRoot cause:\n\nA bad push.\n\n- Summary\n\n```\n\nTimeline\n```\n\n  Impact\n\nSummary of the call. Impact\n\nTimeline (UTC)\n11:07 first errors\n";
        assert_eq!(
            promote_labels(body).as_deref(),
            Some(
                "Outage — 3 July 2019\n\n## Summary\nThe API failed.\n\n## Root cause:\n\nA bad push.\n\n- Summary\n\n```\n\nTimeline\n```\n\n  Impact\n\nSummary of the call. Impact\n\n## Timeline (UTC)\n11:07 first errors\n"
            )
        );
        // Under a line of prose it is prose; a body without labels is not copied.
        assert_eq!(promote_labels("We met.\nSummary\n"), None);
        assert_eq!(promote_labels("## Summary\n\nAll fine.\n"), None);
    }

    use super::*;

    #[test]
    fn headings_normalise_to_aliases() {
        assert_eq!(normalise("3.1 Root Cause(s):"), "root causes");
        assert_eq!(normalise("## 🔥 Timeline (UTC)"), "timeline");
        assert_eq!(
            normalise("IV. Action Items & Followups"),
            "action items and followups"
        );
        assert_eq!(
            normalise("What caused the incident?"),
            "what caused the incident"
        );
        assert_eq!(normalise("The Five Whys"), "five whys");
        assert_eq!(normalise("5-Whys"), "5 whys");
        assert_eq!(normalise("2024 review"), "2024 review");
        assert_eq!(
            kind_of(&normalise("Contributing Factor #2: stale cache")),
            Some(SectionKind::FactorBlock)
        );
        assert_eq!(
            kind_of(&normalise("What Went Well")),
            Some(SectionKind::WentWell)
        );
        assert_eq!(kind_of(&normalise("Start/End")), Some(SectionKind::Timing));
        assert_eq!(kind_of(&normalise("Acknowledgments")), None);
    }
}
