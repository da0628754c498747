//! Inferring an incident's causes from its text, with evidence.
//!
//! The text of each section is split into sentences; the taxonomy's [`Matcher`] finds
//! phrases in each sentence. A match is evidence for its class with a weight:
//!
//! * the phrase's weight (strong 1.0, weak 0.4, or its own `@w`, times its class's
//!   `prior`);
//! * × the section's weight: root cause 1.0, trigger 0.9, five whys 0.85, contributing
//!   factors 0.8, summary 0.75, free prose 0.7, title and other sections 0.6, resolution
//!   0.45, timeline 0.4, detection 0.35, impact and lessons 0.3, action items 0.15 (an
//!   action item "add disk alerts" is weak evidence of a full disk); a sentence that
//!   names itself the root cause ("Root cause: …", "the root cause was …", "the cause
//!   was …") weighs as the root cause section wherever it stands, except in the action
//!   items and lessons, because write-ups put such a line under any heading;
//! * × 1.25 when the sentence states a cause ("caused by", "root cause", "because",
//!   "due to", "triggered"…), × 0.5 when it reads as a plan ("to prevent", "we will",
//!   "going forward", "corrective steps", "follow-up"…), × 0.6 when it tells the recovery and states no cause ("to
//!   recover, we failed over…", "service was restored once…": a failover that brought
//!   service back is how it was fixed, not why it broke), × 0.4 when the match is hedged ("we first suspected",
//!   "initially", "hypothesis", "if", "whether", "risks", "interpreted … as", "the
//!   first diagnosis suggested"…), counterfactual ("… would have been caught"), an
//!   example ("for example", "such as"), a claim ("someone claiming to have attacked
//!   it"), how things normally work ("flags are normally used to enable features
//!   gradually"), a purpose ("limits protect the cluster from overload", "guard
//!   against", also inside or right after the match: "two regions to protect against
//!   outages", "overload protection") or a contingency ("in case of a regional
//!   outage");
//! * × 0 when the clause rules it out: a negation shortly before the match ("no data was
//!   lost", "not caused by DNS", "without a config change"), a ruling-out anywhere before
//!   it in the clause ("we ruled out a network issue", "there was no evidence of an
//!   attack", "unrelated to the certificate", "rather than"), a ruling-out right after
//!   it ("DNS was not the cause", "the network was ruled out", "the database was
//!   healthy"), or a remedy that was tried ("switching to the backup did not help").
//!   "could not", "did not", "failed to" describe failures, not negations;
//! * × 0 when a more specific reading of the same words wins (the class's `yields_to`
//!   in the taxonomy: "insufficient disk capacity" is a full disk, not an overload).
//!
//! A class's confidence combines its evidence, each distinct sentence once (the same
//! sentence found in a structured field and in the body counts at its best weight), the
//! best counting fully and the next ones less and less ([`Params::decay`]):
//! `1 - Π(1 - 0.75·wᵢ·decayᵢ)`, scaled by 0.6 when even the best evidence is weak (below
//! 0.5). Causes compete: each class's confidence is then scaled by the square root of its
//! share of the strongest class's (`c · √(c / top)`), because on real write-ups a second
//! or third class well below the first is most often a symptom or a side fact of the
//! incident (a failover, an overload, an alert that did not fire) rather than its cause.
//! Classes below 0.35 of the strongest class's confidence are dropped as incidental
//! mentions, and at most 4 are reported. The default cut-off
//! ([`super::DEFAULT_MIN_CONFIDENCE`], 0.55) sits where precision is 0.82 on the
//! development half of the real-derived evaluation set (`examples/eval_causes.rs`), where
//! these parameters were chosen too; on the held-out half it is lower (see
//! `tests/eval/real-truth/README.md`).

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::{FindScratch, PhraseMatch, Taxonomy, Word, tokenize_lowered_into};
use crate::model::Incident;

pub use crate::model::SectionKind;
pub(crate) use crate::model::{Evidence, InferredCause};

impl SectionKind {
    pub(crate) fn weight(self) -> f64 {
        use SectionKind::*;
        match self {
            RootCause => 1.0,
            Trigger => 0.9,
            FiveWhys => 0.85,
            ContributingFactors => 0.8,
            Title => 0.6,
            Summary => 0.75,
            Description => 0.7,
            Other => 0.6,
            Resolution => 0.45,
            Timeline => 0.4,
            Detection => 0.35,
            Impact | Lessons => 0.3,
            ActionItems => 0.15,
        }
    }

    /// Whether a sentence of this section that names itself the root cause ("Root
    /// cause: …", "the root cause was …") weighs as the root cause section: anywhere
    /// but in the action items and lessons, which name causes to look for or to learn
    /// from rather than the one found.
    fn states_findings(self) -> bool {
        !matches!(self, SectionKind::ActionItems | SectionKind::Lessons)
    }

    /// The section's name in evidence and the export (`root-cause`, `timeline`…).
    pub fn as_str(self) -> &'static str {
        use SectionKind::*;
        match self {
            Title => "title",
            RootCause => "root-cause",
            Trigger => "trigger",
            FiveWhys => "five-whys",
            ContributingFactors => "contributing-factors",
            Summary => "summary",
            Description => "description",
            Resolution => "resolution",
            Detection => "detection",
            Impact => "impact",
            Timeline => "timeline",
            Lessons => "lessons",
            ActionItems => "action-items",
            Other => "other",
        }
    }

    /// The kind of a section from its heading, loosely ("Root cause analysis", "Why did
    /// this happen?", "Follow-up actions", "What we're doing about it"…).
    pub fn from_heading(heading: &str) -> SectionKind {
        use SectionKind::*;
        let h = heading.to_lowercase();
        // A plain byte search: headings are short, so setting up `str::contains`'s
        // searcher for each of these words cost more than the search.
        let has = |words: &[&str]| {
            words
                .iter()
                .any(|w| h.as_bytes().windows(w.len()).any(|x| x == w.as_bytes()))
        };
        let bare = h.trim_matches(|c: char| !c.is_alphanumeric());
        if has(&[
            "contributing",
            "what went wrong",
            "what didn",
            "what did not go",
            // Why it spread or lasted: "Why it got so much worse", "Why it wasn't stopped".
            "why it got",
            "why it wasn",
            "why it was not",
            "why it hurt",
            "why it spread",
        ]) {
            ContributingFactors
        } else if has(&[
            "why it took",
            "how we got back",
            "how we responded",
            "how we recovered",
        ]) || bare == "response"
        {
            Resolution
        } else if bare == "why"
            || has(&[
                "how it happened",
                "how did this happen",
                "how did it happen",
                "how they got in",
                "how the attack",
                "what broke",
                "what changed",
                "actually going on",
            ])
        {
            RootCause
        } else if has(&[
            "what we're changing",
            "what we are changing",
            "what we changed",
            "what we've changed",
            "what we have changed",
            "what we've done",
            "what's next",
            "countermeasure",
            "short term",
            "long term",
        ]) || bare == "changes"
        {
            ActionItems
        } else if has(&[
            "what customers saw",
            "what users saw",
            "what we saw",
            "what people saw",
            "what people had to do",
        ]) {
            Impact
        } else if has(&["who noticed", "how we noticed", "how we found out"]) {
            Detection
        } else if has(&[
            "root cause",
            "cause",
            "why did",
            "why it happened",
            "fault",
            "rca",
        ]) {
            RootCause
        } else if has(&["five whys", "5 whys", "whys"]) {
            FiveWhys
        } else if has(&["trigger", "leadup", "lead-up", "lead up"]) {
            Trigger
        } else if has(&["timeline", "sequence of events", "timing", "chronology"]) {
            Timeline
        } else if has(&[
            "action",
            "follow",
            "remediation",
            "next step",
            "corrective",
            "prevent",
            "what we're doing",
            "what we are doing",
            "what we will",
            "what we'll",
            "improvement",
            "recommendation",
            "changes we",
            "moving forward",
            "going forward",
        ]) {
            ActionItems
        } else if has(&[
            "lesson",
            "learn",
            "went well",
            "lucky",
            "takeaway",
            "reflection",
        ]) {
            Lessons
        } else if has(&[
            "impact",
            "affected",
            "customer experience",
            "user experience",
        ]) {
            Impact
        } else if has(&["detect", "alert", "monitoring"]) {
            Detection
        } else if has(&[
            "resolution",
            "recovery",
            "mitigation",
            "how we fixed",
            "fix",
            "restor",
        ]) {
            Resolution
        } else if has(&[
            "summary",
            "overview",
            "tl;dr",
            "tldr",
            "introduction",
            "background",
        ]) {
            Summary
        } else if has(&[
            "what happen",
            "detail",
            "description",
            "incident",
            "analysis",
            "investigation",
            "issue",
            "problem",
            "outage",
        ]) {
            Description
        } else {
            Other
        }
    }
}

/// Evidence kept per inferred cause.
pub(crate) const MAX_EVIDENCE: usize = 5;

/// How evidence combines into a class's confidence and which classes are reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// How much one evidence of weight 1 contributes.
    pub evidence_scale: f64,
    /// How much the 1st, 2nd, 3rd… best evidence of a class count (others not at all).
    pub decay: [f64; 4],
    /// A class whose best evidence weighs less than this…
    pub strong_evidence: f64,
    /// …has its confidence scaled by this.
    pub weak_only: f64,
    /// Classes below this share of the strongest class's confidence are dropped.
    pub relative_floor: f64,
    /// At most this many causes are reported for one incident.
    pub max_causes: usize,
    /// Factor for a sentence that states a cause ("caused by", "root cause", "because").
    pub causal_boost: f64,
    /// Factor for a sentence that reads as a plan ("to prevent", "we will").
    pub plan_factor: f64,
    /// Factor for a hedged match ("we first suspected", "if", "whether").
    pub hedge_factor: f64,
    /// Factor for a sentence that tells the recovery and states no cause ("to recover we
    /// failed over", "service was restored").
    pub recovery_factor: f64,
    /// A class's confidence is scaled by its share of the strongest class's confidence
    /// raised to this power (0: no change).
    pub relative_power: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            evidence_scale: 0.75,
            decay: [1.0, 0.7, 0.5, 0.3],
            strong_evidence: 0.5,
            weak_only: 0.6,
            relative_floor: 0.35,
            max_causes: 4,
            causal_boost: 1.25,
            plan_factor: 0.5,
            hedge_factor: 0.4,
            recovery_factor: 0.6,
            relative_power: 0.5,
        }
    }
}

/// One text to read: its section kind, the text, the 1-based source line of its first
/// line (if known) and the heading it was under (if any).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SectionText<'a> {
    pub(crate) kind: SectionKind,
    pub(crate) text: &'a str,
    pub(crate) first_line: Option<usize>,
    pub(crate) heading: Option<String>,
}

/// Infer the causes of an incident, strongest first, above the taxonomy's
/// `min_confidence`.
pub(crate) fn infer(incident: &Incident, taxonomy: &Taxonomy) -> Vec<InferredCause> {
    infer_with(
        incident,
        taxonomy,
        taxonomy.min_confidence,
        &Params::default(),
    )
}

/// `infer` down to the *possible* causes: those above the cut-off first, then those at
/// or above [`super::POSSIBLE_CONFIDENCE`] (never above the cut-off).
pub(crate) fn infer_possible(incident: &Incident, taxonomy: &Taxonomy) -> Vec<InferredCause> {
    infer_with(
        incident,
        taxonomy,
        taxonomy.possible_floor(),
        &Params::default(),
    )
}

/// `infer` with another cut-off and other [`Params`].
pub fn infer_with(
    incident: &Incident,
    taxonomy: &Taxonomy,
    min_confidence: f64,
    params: &Params,
) -> Vec<InferredCause> {
    let owned = incident_texts(incident);
    let texts: Vec<SectionText> = owned
        .iter()
        .map(|(kind, text, line, heading)| SectionText {
            kind: *kind,
            text,
            first_line: *line,
            heading: heading.clone(),
        })
        .collect();
    infer_sections_with(&texts, taxonomy, min_confidence, params)
}

/// Infer causes from `(section kind, text, first line)` triples.
pub fn infer_texts(
    texts: &[(SectionKind, &str, Option<usize>)],
    taxonomy: &Taxonomy,
) -> Vec<InferredCause> {
    let texts: Vec<SectionText> = texts
        .iter()
        .map(|&(kind, text, first_line)| SectionText {
            kind,
            text,
            first_line,
            heading: None,
        })
        .collect();
    infer_sections(&texts, taxonomy, taxonomy.min_confidence)
}

/// Every inferred cause above `min_confidence` (use 0 to see all candidates).
pub(crate) fn infer_sections(
    texts: &[SectionText],
    taxonomy: &Taxonomy,
    min_confidence: f64,
) -> Vec<InferredCause> {
    infer_sections_with(texts, taxonomy, min_confidence, &Params::default())
}

/// [`infer_sections`] with other [`Params`] (for evaluation sweeps).
pub(crate) fn infer_sections_with(
    texts: &[SectionText],
    taxonomy: &Taxonomy,
    min_confidence: f64,
    params: &Params,
) -> Vec<InferredCause> {
    let matcher = taxonomy.matcher();
    // Per class: evidence keyed by the sentence's normalised text (best weight kept).
    // (Hash order never shows: classes and evidence are sorted below.)
    let mut per_class: FxHashMap<usize, FxHashMap<String, Evidence>> = FxHashMap::default();
    let mut matches = Vec::new();
    let mut scratch = FindScratch::default();
    for section in texts {
        let section_weight = section.kind.weight();
        // Lower-cased once for the whole section; words borrow from it.
        let lowered = section.text.to_ascii_lowercase();
        let mut words = Vec::new();
        for (s_start, s_end) in sentences(section.text) {
            let sentence = &section.text[s_start..s_end];
            tokenize_lowered_into(sentence, &lowered[s_start..s_end], &mut words);
            let content: Vec<&Word> = words.iter().filter(|w| !w.stop).collect();
            matches.clear();
            matcher.find_in_with(&content, &mut matches, &mut scratch);
            if matches.is_empty() {
                continue;
            }
            let cues = SentenceCues::of(&words);
            let sentence_weight = if cues.root_cause && section.kind.states_findings() {
                section_weight.max(SectionKind::RootCause.weight())
            } else {
                section_weight
            };
            let mut best: FxHashMap<usize, (f64, &PhraseMatch)> = FxHashMap::default();
            for m in &matches {
                let pattern = &matcher.patterns[m.pattern];
                // A more specific reading of the same words wins ("insufficient disk
                // capacity" is a full disk, not an overload).
                if matches.iter().any(|o| {
                    o.start < m.end
                        && m.start < o.end
                        && taxonomy.yields(pattern.class, matcher.patterns[o.pattern].class)
                }) {
                    continue;
                }
                let Some(factor) = clause_factor(sentence, &words, m, &cues, params) else {
                    continue;
                };
                let w = (pattern.weight as f64 * sentence_weight * factor).min(1.0);
                let entry = best.entry(pattern.class).or_insert((w, m));
                if w > entry.0
                    || (w == entry.0 && (m.end - m.start) > (entry.1.end - entry.1.start))
                {
                    *entry = (w, m);
                }
            }
            if best.values().all(|&(w, _)| w <= 0.0) {
                continue;
            }
            let key = normalise_sentence(sentence);
            let line = section
                .first_line
                .map(|l| l + section.text[..s_start].matches('\n').count());
            for (class, (w, m)) in best {
                if w <= 0.0 {
                    continue;
                }
                let evidence = Evidence {
                    sentence: sentence.to_string(),
                    section: section.kind,
                    heading: section.heading.clone(),
                    line,
                    start: s_start,
                    end: s_end,
                    match_start: s_start + m.start,
                    match_end: s_start + m.end,
                    phrase: matcher.patterns[m.pattern].source.clone(),
                    weight: round3(w),
                };
                let slot = per_class.entry(class).or_default();
                match slot.get(&key) {
                    Some(e) if e.weight >= w => {}
                    _ => {
                        slot.insert(key.clone(), evidence);
                    }
                }
            }
        }
    }
    let mut out: Vec<InferredCause> = per_class
        .into_iter()
        .map(|(class, evidence)| {
            let mut evidence: Vec<Evidence> = evidence.into_values().collect();
            evidence.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then_with(|| a.section.cmp(&b.section))
                    .then_with(|| a.line.cmp(&b.line))
                    .then_with(|| a.start.cmp(&b.start))
                    .then_with(|| a.sentence.cmp(&b.sentence))
                    .then_with(|| a.phrase.cmp(&b.phrase))
            });
            // The best evidence counts fully, the next ones less and less: repeating
            // an incidental mention must not add up to a cause.
            let miss: f64 = evidence
                .iter()
                .zip(params.decay)
                .map(|(e, d)| 1.0 - params.evidence_scale * e.weight * d)
                .product();
            let mut confidence = 1.0 - miss;
            if evidence[0].weight < params.strong_evidence {
                confidence *= params.weak_only;
            }
            evidence.truncate(MAX_EVIDENCE);
            let c = taxonomy.class(class);
            InferredCause {
                class: c.id.clone(),
                family: c.family.clone(),
                title: c.title.clone(),
                confidence: round3(confidence),
                evidence,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.class.cmp(&b.class))
    });
    let top = out.first().map_or(0.0, |c| c.confidence);
    if params.relative_power > 0.0 && top > 0.0 {
        for c in &mut out {
            c.confidence = round3(c.confidence * (c.confidence / top).powf(params.relative_power));
        }
    }
    out.retain(|c| c.confidence >= min_confidence && c.confidence >= params.relative_floor * top);
    out.truncate(params.max_causes);
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One section's text (borrowed from the incident where it can be), kind, first line
/// and heading.
type Section<'a> = (SectionKind, Cow<'a, str>, Option<usize>, Option<String>);

/// The texts of an incident by section: structured fields first (their kinds are
/// certain), then the body split at its headings. The same sentence found twice counts
/// once, at its best weight.
pub(crate) fn incident_texts<'a>(incident: &'a Incident) -> Vec<Section<'a>> {
    use SectionKind::*;
    let mut out: Vec<Section> = Vec::new();
    let mut push = |kind, text: Cow<'a, str>, line: Option<usize>| {
        if !text.trim().is_empty() {
            out.push((kind, text, line, None));
        }
    };
    push(Title, Cow::Borrowed(&incident.title), None);
    for (kind, field) in [
        (RootCause, &incident.root_cause),
        (Trigger, &incident.trigger),
        (Summary, &incident.summary),
        (Impact, &incident.impact),
        (Resolution, &incident.resolution),
        (Detection, &incident.detection),
    ] {
        if let Some(text) = field {
            push(kind, Cow::Borrowed(text), None);
        }
    }
    for why in &incident.five_whys {
        push(
            FiveWhys,
            Cow::Owned(format!("{} {}", why.question, why.answer)),
            None,
        );
    }
    for factor in &incident.contributing_factors {
        push(ContributingFactors, Cow::Borrowed(&factor.text), None);
    }
    for event in &incident.timeline {
        push(
            Timeline,
            Cow::Borrowed(&event.event),
            Some(event.line).filter(|&l| l > 0),
        );
    }
    for item in &incident.action_items {
        push(
            ActionItems,
            Cow::Borrowed(&item.action),
            Some(item.line).filter(|&l| l > 0),
        );
    }
    let lessons = &incident.lessons;
    for text in lessons
        .went_well
        .iter()
        .chain(&lessons.went_wrong)
        .chain(&lessons.lucky)
        .chain(&lessons.other)
    {
        push(Lessons, Cow::Borrowed(text), None);
    }
    out.extend(body_sections(&incident.body_text, &incident.toc));
    out
}

/// Split the body's plain text at its headings (the table of contents, in order).
/// Text before the first heading is the summary of a prose write-up. A section is its
/// lines, each ended by a newline: the slice of the body between two heading lines (the
/// last one gets the newline the body may not end with).
fn body_sections<'a>(body: &'a str, toc: &[crate::model::TocEntry]) -> Vec<Section<'a>> {
    let mut out = Vec::new();
    let mut kind = SectionKind::Summary;
    let mut heading: Option<String> = None;
    // Where the current section's text starts, and the start of the line being read.
    let mut from = 0;
    let mut at = 0;
    let mut next = 0;
    // A heading at level ≤ the one that set `kind` replaces it; deeper headings inherit
    // the kind of their parent when they have none of their own.
    let mut kind_level = 0u8;
    for line in body.split('\n') {
        let line_start = at;
        at = (at + line.len() + 1).min(body.len());
        if let Some(entry) = toc.get(next)
            && line.trim() == entry.title.trim()
        {
            next += 1;
            let current = &body[from..line_start];
            if !current.trim().is_empty() {
                out.push((kind, Cow::Borrowed(current), None, heading.clone()));
            }
            from = at;
            let own = SectionKind::from_heading(&entry.title);
            if own != SectionKind::Other || entry.level <= kind_level || kind_level == 0 {
                kind = if own == SectionKind::Other && entry.level == 1 {
                    SectionKind::Summary // the document title
                } else {
                    own
                };
                kind_level = entry.level;
            }
            heading = Some(entry.title.clone());
        }
    }
    let rest = &body[from..];
    if !rest.trim().is_empty() {
        out.push((kind, Cow::Owned(format!("{rest}\n")), None, heading));
    }
    out
}

/// The sentence's words (runs of letters and digits), lower-cased, joined by spaces:
/// the same sentence read twice (from a field and from the body) is one evidence.
fn normalise_sentence(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, w) in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push(' ');
        }
        if w.is_ascii() {
            let at = out.len();
            out.push_str(w);
            out[at..].make_ascii_lowercase();
        } else {
            out.push_str(&w.to_lowercase());
        }
    }
    out
}

/// Sentence spans of a text: lines are blocks (paragraphs, list items, table rows), and
/// within a line a sentence ends at `.`, `!` or `?` followed by a space and an upper-case
/// letter, a digit or an opening quote or bracket (so "e.g. the disk" stays whole).
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut start = line_start;
        let bytes = line.as_bytes();
        // Only `.`, `!` and `?` can end a sentence inside a line.
        for i in memchr::memchr3_iter(b'.', b'!', b'?', bytes) {
            if i + 1 < bytes.len() && bytes[i + 1] == b' ' {
                let rest = line[i + 1..].trim_start();
                let next = rest.chars().next();
                let before = &line[..i];
                let last_word = before
                    .rsplit(|c: char| !c.is_alphanumeric() && c != '.')
                    .next()
                    .unwrap_or("");
                let abbreviation = matches!(
                    last_word.to_ascii_lowercase().as_str(),
                    "e.g" | "i.e" | "etc" | "vs" | "approx" | "incl" | "mr" | "dr" | "st" | "no"
                ) || (last_word.len() == 1
                    && last_word.chars().all(|c| c.is_ascii_uppercase()));
                if !abbreviation
                    && next.is_some_and(|c| {
                        c.is_uppercase() || c.is_ascii_digit() || "\"'“‘([*`".contains(c)
                    })
                {
                    push_trimmed(text, start, line_start + i + 1, &mut out);
                    start = line_start + i + 1;
                }
            }
        }
        push_trimmed(text, start, line_start + line.len(), &mut out);
        line_start += line.len();
    }
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push((start + lead, end - trail));
    }
}

/// Sentence-wide cues, found once per sentence.
struct SentenceCues {
    causal: bool,
    plan: bool,
    recovery: bool,
    /// The sentence names itself the root cause ("Root cause: …", "the root cause was
    /// …", "the cause was …"), whatever section it stands in.
    root_cause: bool,
}

impl SentenceCues {
    fn of(words: &[Word<'_>]) -> SentenceCues {
        let w = |i: usize| words.get(i).map_or("", |w| w.spoken());
        let mut causal = false;
        let mut plan = false;
        let mut recovery = false;
        let mut root_cause = false;
        for i in 0..words.len() {
            match w(i) {
                "recover" | "recovered" | "recovering" | "restore" | "restored" | "restoring"
                | "restoration" | "mitigate" | "mitigated" | "mitigating" | "mitigation"
                | "workaround" | "remediate" | "remediated" | "remediation" => recovery = true,
                "because" | "culprit" | "caused" | "causing" | "triggered" | "resulted"
                | "stemmed" | "attributed" => causal = true,
                "cause" | "causes" if w(i.wrapping_sub(1)) == "root" => {
                    causal = true;
                    root_cause = true;
                }
                "cause" if matches!(w(i + 1), "was" | "is") => {
                    causal = true;
                    root_cause |= w(i.wrapping_sub(1)) == "the";
                }
                "due" if w(i + 1) == "to" => causal = true,
                "led" if w(i + 1) == "to" => causal = true,
                "prevent" | "avoid" | "ensure" | "going"
                    if w(i) != "going" || w(i + 1) == "forward" =>
                {
                    plan = true
                }
                "future" | "corrective" | "preventive" | "preventative" => plan = true,
                "follow" if w(i + 1) == "up" => plan = true,
                "ll" if w(i.wrapping_sub(1)) == "we" => plan = true, // we'll
                "will" if w(i.wrapping_sub(1)) == "we" => plan = true,
                "plan" | "planning" if w(i + 1) == "to" => plan = true,
                _ => {}
            }
        }
        SentenceCues {
            causal,
            plan,
            recovery: recovery && !causal,
            root_cause,
        }
    }
}

/// A purpose, not an event: "limits protect the cluster from overload".
fn is_purpose(w: &str) -> bool {
    matches!(
        w,
        "protect"
            | "protects"
            | "protected"
            | "protecting"
            | "protection"
            | "guard"
            | "guards"
            | "guarding"
            | "safeguard"
            | "safeguards"
    )
}

/// How things normally work, not what happened: "feature flags are normally used to
/// enable features gradually".
fn is_habitual(w: &str) -> bool {
    matches!(w, "normally" | "usually" | "typically" | "ordinarily")
}

/// Words that end a clause for negation scope.
fn is_clause_word(w: &str) -> bool {
    matches!(
        w,
        "but"
            | "however"
            | "although"
            | "though"
            | "whereas"
            | "because"
            | "since"
            | "instead"
            | "yet"
            | "so"
            | "which"
            | "while"
            | "when"
            | "after"
            | "until"
            | "once"
    )
}

/// Whether the text between two words separates clauses (`;`, `:`, a dash, a bracket).
fn hard_break(between: &str) -> bool {
    between.contains([';', ':', '(', ')', '—', '–', '[', ']']) || between.contains(" - ")
}

/// The factor a match's clause gives it: `None` when negated or ruled out, otherwise
/// the product of the causal, plan and hedge cues.
fn clause_factor(
    sentence: &str,
    words: &[Word<'_>],
    m: &PhraseMatch,
    cues: &SentenceCues,
    params: &Params,
) -> Option<f64> {
    // Index of the match's first and last word in `words` (all words).
    let first = words.iter().position(|w| w.start == m.start)?;
    let last = words.iter().rposition(|w| w.end == m.end)?;
    let lower = |i: usize| words[i].spoken();
    // Looking back from the match, within the clause.
    let mut hedged = false;
    let mut content_back = 0;
    let mut soft_boundary = false; // a comma or `and`/`or` has been crossed
    let mut i = first;
    while i > 0 {
        let prev = i - 1;
        let between = &sentence[words[prev].end..words[i].start];
        if hard_break(between) {
            break;
        }
        if between.contains(',') {
            soft_boundary = true;
        }
        let w = lower(prev);
        if is_clause_word(w) {
            break;
        }
        if matches!(w, "and" | "or") {
            soft_boundary = true;
        }
        if !words[prev].stop {
            content_back += 1;
        }
        // Strong cues: anywhere back in the clause.
        let next = if prev + 1 < words.len() {
            lower(prev + 1)
        } else {
            ""
        };
        let after_next = if prev + 2 < words.len() {
            lower(prev + 2)
        } else {
            ""
        };
        let strong = match w {
            "ruled" | "rule" | "ruling" | "rules" => next == "out",
            "unrelated" | "excluded" | "eliminated" | "exonerated" => true,
            "evidence" | "sign" | "signs" | "indication" | "indications" => {
                prev > 0 && matches!(lower(prev - 1), "no" | "any" | "not")
            }
            "rather" => next == "than",
            "instead" => next == "of",
            "not" => {
                matches!(next, "caused" | "due" | "related" | "because" | "triggered")
                    || (next == "by" && prev > 0)
            }
            "wasn't" | "isn't" | "weren't" | "aren't" => {
                matches!(next, "caused" | "due" | "related" | "because" | "triggered")
            }
            "independent" => next == "of",
            _ => false,
        };
        if strong {
            return None;
        }
        if !soft_boundary && content_back <= 3 {
            let weak = match w {
                "no" => !matches!(next, "longer" | "more") || after_next == "than",
                "not" => {
                    let before = if prev > 0 { lower(prev - 1) } else { "" };
                    !matches!(
                        before,
                        "could"
                            | "can"
                            | "would"
                            | "did"
                            | "does"
                            | "do"
                            | "will"
                            | "might"
                            | "may"
                            | "must"
                            | "should"
                            | "had"
                            | "have"
                            | "has"
                    ) && next != "only"
                }
                "never" | "without" | "nor" | "neither" | "none" | "wasn't" | "isn't"
                | "weren't" | "aren't" => true,
                _ => false,
            };
            if weak {
                return None;
            }
        }
        if matches!(
            w,
            "suspected"
                | "suspect"
                | "suspicion"
                | "theory"
                | "hypothesis"
                | "hypothesized"
                | "hypothesised"
                | "thought"
                | "assumed"
                | "initially"
                | "whether"
                | "if"
                | "unless"
                | "possibly"
                | "possible"
                | "perhaps"
                | "seemed"
                | "appeared"
                | "speculated"
                | "guess"
                | "investigated"
                | "checked"
                | "considered"
                | "risk"
                | "risks"
                | "risking"
                | "might"
                | "may"
                | "potentially"
                | "potential"
                | "would"
                | "hypothetical"
                | "hypothetically"
                | "interpreted"
                | "misinterpreted"
                | "mistook"
                | "misread"
                // A claim or a rumour, not a finding: "someone claiming to be from a
                // hacking group said they had done it".
                | "claim"
                | "claims"
                | "claimed"
                | "claiming"
                | "alleged"
                | "allegedly"
                | "speculation"
                | "rumour"
                | "rumours"
                | "rumor"
                | "rumors"
                | "supposedly"
                | "purportedly"
                // A first reading, not a finding: "the first diagnosis suggested
                // broken optics".
                | "suggested"
        ) || is_purpose(w)
            || is_habitual(w)
        {
            hedged = true;
        }
        // "in case of a regional outage": a contingency, not the case at hand.
        if w == "in" && next == "case" {
            hedged = true;
        }
        // An example, not the case at hand: "for example to block DDoS traffic".
        if matches!((w, next), ("for", "example" | "instance") | ("such", "as")) {
            hedged = true;
        }
        i = prev;
    }
    // A purpose or a habit inside the match's own words, or a purpose right after it:
    // "deployed across two regions to protect against outages" is what the regions
    // are for, "flags are normally used to enable features" how flags work, and
    // "overload protections" a safeguard; none of them is what happened.
    if words[first..=last]
        .iter()
        .any(|w| is_purpose(w.spoken()) || is_habitual(w.spoken()))
        || words.get(last + 1).is_some_and(|w| is_purpose(w.spoken()))
    {
        hedged = true;
    }
    // Looking forward from the match: "X was not the cause", "X was ruled out".
    let mut j = last + 1;
    let mut seen = 0;
    let mut negated_copula = false;
    while j < words.len() && seen < 8 {
        let between = &sentence[words[j - 1].end..words[j].start];
        if hard_break(between) || between.contains(',') {
            break;
        }
        let w = lower(j);
        if is_clause_word(w) || matches!(w, "and" | "or") {
            break;
        }
        // How things normally work: "feature flags are normally used to …".
        if seen <= 2 && is_habitual(w) {
            hedged = true;
        }
        match w {
            // A counterfactual: "the bad policy would have been caught".
            "have" if j > 0 && matches!(lower(j - 1), "would" | "could" | "might") => hedged = true,
            "wasn't" | "isn't" | "weren't" | "aren't" => negated_copula = true,
            "not" | "never"
                if j > 0 && matches!(lower(j - 1), "was" | "is" | "were" | "are" | "be") =>
            {
                negated_copula = true
            }
            "ruled" if j + 1 < words.len() && lower(j + 1) == "out" => return None,
            // A remedy that was tried: "switching to the backup did not help".
            "help" | "helped" | "helps"
                if j > 0
                    && matches!(
                        lower(j - 1),
                        "not" | "didn't" | "doesn't" | "wasn't" | "never" | "no" | "wouldn't"
                    ) =>
            {
                return None;
            }
            "excluded" | "eliminated" | "exonerated" | "unrelated" | "innocent" => return None,
            "herring" => return None,
            "played" if j + 1 < words.len() && lower(j + 1) == "no" => return None,
            "healthy" | "fine" | "unaffected" | "normal" | "nominal"
                if seen <= 3
                    && j > 0
                    && matches!(
                        lower(j - 1),
                        "was" | "were" | "is" | "are" | "remained" | "looked"
                    ) =>
            {
                return None;
            }
            "cause" | "culprit" | "issue" | "problem" | "factor" | "responsible" | "involved"
            | "related" | "blame" | "source" | "reason" | "root" | "contributor" | "at"
            | "affected" | "impacted" | "a" | "the" | "full" | "exhausted" | "saturated"
            | "overloaded" | "expired" | "down" | "broken" | "degraded" | "unavailable"
            | "lost" | "low" | "high" | "failing" | "implicated"
                if negated_copula && !matches!(w, "a" | "the") =>
            {
                return None;
            }
            _ => {}
        }
        seen += 1;
        j += 1;
    }
    let mut factor = 1.0;
    if cues.causal {
        factor *= params.causal_boost;
    }
    if cues.plan {
        factor *= params.plan_factor;
    }
    if cues.recovery {
        factor *= params.recovery_factor;
    }
    if hedged {
        factor *= params.hedge_factor;
    }
    Some(factor)
}
