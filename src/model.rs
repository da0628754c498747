//! The data model every stage shares: a parsed post-mortem (`Incident`), the validated
//! `Archive` of them, and the `Insights` analysis derives from the archive.
//!
//! Values here are plain data. Anything unknown stays `None` or empty: the parser never
//! invents a timestamp, an owner or a cause. Every collection is kept in a deterministic
//! order so that rendering the same archive twice gives byte-identical output.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub(crate) use crate::config::Visibility;
use crate::zone::Zone;

/// Whether a post-mortem records an incident or a near miss. Near misses are searchable
/// and linkable but kept out of duration statistics.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// An incident: something went wrong for users or systems.
    #[default]
    Incident,
    /// A near miss: caught before it did harm.
    NearMiss,
}

/// Review status of the post-mortem document itself.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum DocStatus {
    /// Being written; published only with `--drafts` or `publish_drafts`.
    Draft,
    /// Written, under review.
    InReview,
    /// Reviewed and final (also when no status is given).
    #[default]
    Final,
}

impl DocStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::InReview => "in-review",
            DocStatus::Final => "final",
        }
    }
}

/// Normalised status of an action item, whatever words or emoji the author used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum ActionItemStatus {
    /// Done.
    Done,
    /// Being worked on.
    InProgress,
    /// Agreed, not started.
    Planned,
    /// Late or postponed.
    Delayed,
    /// Decided against (won't fix).
    NotDoing,
    /// Not done, and nothing more said: an unticked task-list box (`- [ ]`).
    Open,
    /// No status written: the item is counted as such, never as open or done.
    #[default]
    Unknown,
}

impl ActionItemStatus {
    /// The status as exported and shown: `done`, `in-progress`, `planned`, `delayed`, `not-
    /// doing`, `open` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionItemStatus::Done => "done",
            ActionItemStatus::InProgress => "in-progress",
            ActionItemStatus::Planned => "planned",
            ActionItemStatus::Delayed => "delayed",
            ActionItemStatus::NotDoing => "not-doing",
            ActionItemStatus::Open => "open",
            ActionItemStatus::Unknown => "unknown",
        }
    }

    /// Open items are known to need work: a status was written and it is neither done
    /// nor not-doing. An item without a status is not open (nor done): open, overdue and
    /// completion figures rest only on items with a status.
    pub(crate) fn is_open(self) -> bool {
        !matches!(
            self,
            ActionItemStatus::Done | ActionItemStatus::NotDoing | ActionItemStatus::Unknown
        )
    }

    /// Whether the post-mortem gives the item a status at all.
    pub(crate) fn is_known(self) -> bool {
        self != ActionItemStatus::Unknown
    }
}

/// One row of the incident timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TimelineEvent {
    /// Absolute time when the row's time (of day, or full) could be resolved.
    pub at: Option<Timestamp>,
    /// The time cell as written, e.g. `14:02` or `2025-10-26 14:02 UTC`.
    pub time_text: String,
    /// What happened, as written.
    pub event: String,
    /// Who acted, when the timeline names them.
    pub actor: Option<String>,
    /// 1-based line in the source file.
    pub line: usize,
}

/// One follow-up action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ActionItem {
    /// The `#` column when present.
    pub number: Option<String>,
    /// What is to be done.
    pub action: String,
    /// Free kind/type column: prevent, mitigate, detect, process...
    pub kind: Option<String>,
    /// The priority as written (`P1`, `high`...).
    pub priority: Option<String>,
    /// Who owns the item, as written.
    pub owner: Option<String>,
    /// The due date, when one could be read.
    pub due: Option<Date>,
    /// A due date was written but could not be read (reported as `invalid-date` where it
    /// was read), so the item is not also said to have none.
    #[serde(skip)]
    pub due_unreadable: bool,
    /// The status, normalised.
    pub status: ActionItemStatus,
    /// The status cell as written.
    pub status_text: String,
    /// The row's other columns (a ticket, evaluation criteria...): header and cell as
    /// written, non-empty cells only.
    pub details: Vec<(String, String)>,
    /// 1-based line in the source file.
    pub line: usize,
}

/// One question → answer pair of the five whys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Why {
    /// The question ("Why did ...?").
    pub question: String,
    /// Its answer.
    pub answer: String,
}

/// A contributing factor, grouped by kind (technical, process, human, or
/// `Contributing Factor #N` blocks of the CCADB report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ContributingFactor {
    /// `technical`, `process`, `human` or the heading it was under.
    pub kind: String,
    /// The factor, as written.
    pub text: String,
}

/// A reference to another incident as written in the post-mortem, resolved later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RelatedRef {
    /// An id given directly (front matter `related:` or a link to an incident).
    pub id: Option<String>,
    /// The date of the incident referred to, when written instead of an id.
    pub date: Option<Date>,
    /// The title of the incident referred to, when written instead of an id.
    pub title: Option<String>,
    /// Free text the author wrote about the relation.
    pub note: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// For a link to another file: the link as written (`PM2019-009%20-%20x.md`), which
    /// the page's link is rewritten from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// For a link to another file: the file it names, relative to the site root, URL
    /// decoded, `/` separators (`PM2019-009 - Network address starvation.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A link without `.md` that names a post-mortem only if one has that name: when
    /// nothing matches it is an ordinary link, not an unresolved reference.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub weak: bool,
}

/// Lessons learned, by the headings the common templates use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Lessons {
    /// What went well.
    pub went_well: Vec<String>,
    /// What went wrong.
    pub went_wrong: Vec<String>,
    /// Where we got lucky.
    pub lucky: Vec<String>,
    /// Lessons not under one of the three headings.
    pub other: Vec<String>,
}

/// An entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    pub level: u8,
    /// The heading as plain text.
    pub title: String,
    /// The heading's `id` on the page.
    pub anchor: String,
}

/// Minutes from start (or detection) to each milestone; `None` where unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Durations {
    /// Started to detected.
    pub time_to_detect: Option<i64>,
    /// Detected to acknowledged.
    pub time_to_acknowledge: Option<i64>,
    /// Started to mitigated.
    pub time_to_mitigate: Option<i64>,
    /// Started to resolved.
    pub time_to_resolve: Option<i64>,
}

/// A duration kept out of the incident's durations and of every statistic because it
/// cannot be right (a warning at `line` says why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedFigure {
    /// `time_to_detect`, `time_to_acknowledge`, `time_to_mitigate` or `time_to_resolve`.
    pub(crate) duration: &'static str,
    /// The figure as found (negative when a milestone is recorded before the one it is
    /// measured from).
    pub(crate) minutes: i64,
    /// E.g. `mitigated after it was resolved (time to resolve 30 min)`.
    pub(crate) reason: String,
    pub(crate) line: usize,
}

/// The four durations by name, in milestone order.
pub(crate) const DURATION_NAMES: [&str; 4] = [
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_mitigate",
    "time_to_resolve",
];

/// Read back from the build cache; the duration is one of the four `DURATION_NAMES`.
impl<'de> Deserialize<'de> for ExcludedFigure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Written {
            duration: String,
            minutes: i64,
            reason: String,
            line: usize,
        }
        let w = Written::deserialize(d)?;
        let duration = DURATION_NAMES
            .iter()
            .find(|k| **k == w.duration)
            .copied()
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown duration `{}`", w.duration))
            })?;
        Ok(ExcludedFigure {
            duration,
            minutes: w.minutes,
            reason: w.reason,
            line: w.line,
        })
    }
}

/// A parsed post-mortem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Incident {
    /// URL-safe page id: front matter `slug:`, else the file name made a slug (lower
    /// case ASCII, hyphens). Unique in the archive.
    pub id: String,
    /// Other names references may use: the file name as written, the `slug:` as written.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
    /// Path relative to the site root, with `/` separators.
    pub source: PathBuf,
    /// The title: front matter, else the template's title heading, else the file name.
    pub title: String,
    /// The incident date, `None` when none could be read.
    pub date: Option<Date>,
    /// Incident or near miss.
    pub kind: IncidentKind,
    /// The severity, spelled as in the site's `severities`; `None` when unknown.
    pub severity: Option<String>,
    /// Review status of the document.
    pub status: DocStatus,
    /// Where the incident itself stands when the post-mortem says so with a lifecycle
    /// word (`resolved`, `monitoring`, `action-items-open`), or a status not understood,
    /// as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_status: Option<String>,
    /// Affected services.
    pub services: Vec<String>,
    /// Services the post-mortem explicitly lists as not affected (❌).
    pub services_unaffected: Vec<String>,
    /// Owning or responding teams.
    pub teams: Vec<String>,
    /// Authors of the post-mortem.
    pub authors: Vec<String>,
    /// Reviewers of the post-mortem.
    pub reviewers: Vec<String>,
    /// Root-cause categories, as slugs. Multi-valued.
    pub causes: Vec<String>,
    /// Free tags, as written.
    pub tags: Vec<String>,
    /// When the incident started.
    pub started_at: Option<Timestamp>,
    /// When it was detected.
    pub detected_at: Option<Timestamp>,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<Timestamp>,
    /// When the impact was mitigated.
    pub mitigated_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// Plausible durations only: figures in `excluded` are `None` here.
    pub durations: Durations,
    /// Durations found but implausible (negative, out of order, over the bound).
    pub excluded: Vec<ExcludedFigure>,
    /// The zone the author wrote times in ("All times in CET", a `Time (PDT)` column),
    /// else site.toml's `timezone`, else UTC. Pages show times in it; exports use UTC.
    pub timezone: Zone,
    /// Where the incident date was written (line, column), 0 when it was not.
    #[serde(skip)]
    pub date_at: (usize, usize),
    /// The summary section or field, as plain text.
    pub summary: Option<String>,
    /// The impact section, as plain text.
    pub impact: Option<String>,
    /// The root cause, as plain text.
    pub root_cause: Option<String>,
    /// The trigger, as plain text.
    pub trigger: Option<String>,
    /// How it was resolved, as plain text.
    pub resolution: Option<String>,
    /// How it was detected, as plain text.
    pub detection: Option<String>,
    /// The five whys, in order.
    pub five_whys: Vec<Why>,
    /// Contributing factors, in order.
    pub contributing_factors: Vec<ContributingFactor>,
    /// The timeline, in the order written.
    pub timeline: Vec<TimelineEvent>,
    /// Follow-up actions, in the order written.
    pub action_items: Vec<ActionItem>,
    /// Lessons learned.
    pub lessons: Lessons,
    /// References to other incidents, resolved in `analysis::references`.
    pub related_refs: Vec<RelatedRef>,
    /// The table of contents of the body.
    pub toc: Vec<TocEntry>,
    /// The body rendered to HTML (headings carry `id` anchors), sanitised, less the
    /// blocks the page shows in structured form (summary, timeline, action items; see
    /// `content::held`).
    pub body_html: String,
    /// The body as plain text, for search and similarity.
    pub body_text: String,
    /// Unknown front-matter keys, kept for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Whether a public build publishes it (`visibility:`, folder defaults, site.toml).
    pub visibility: Visibility,
}

impl Incident {
    /// Text that explains why it happened: root cause sentence, trigger, five whys and
    /// contributing factors. Used by search weighting and related-incident similarity.
    pub(crate) fn root_cause_text(&self) -> String {
        let mut out = String::new();
        for part in [&self.root_cause, &self.trigger].into_iter().flatten() {
            out.push_str(part);
            out.push('\n');
        }
        for why in &self.five_whys {
            out.push_str(&why.question);
            out.push(' ');
            out.push_str(&why.answer);
            out.push('\n');
        }
        for factor in &self.contributing_factors {
            out.push_str(&factor.text);
            out.push('\n');
        }
        out
    }

    pub(crate) fn is_near_miss(&self) -> bool {
        self.kind == IncidentKind::NearMiss
    }
}

/// All published incidents, validated: ids unique, sorted newest first (date desc, then id).
#[derive(Debug, Clone, Default)]
pub struct Archive {
    /// Newest first (date desc, then id).
    pub incidents: Vec<Incident>,
}

impl Archive {
    /// The archive of `incidents`, sorted.
    pub fn new(incidents: Vec<Incident>) -> Archive {
        let mut archive = Archive { incidents };
        archive.sort();
        archive
    }

    /// Newest first, then by id. Call after changing `incidents` in place.
    pub(crate) fn sort(&mut self) {
        self.incidents
            .sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    }

    /// The incident with this id.
    pub fn get(&self, id: &str) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.id == id)
    }
}

/// One related incident, as shown on a page and exported in incidents.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    /// The related incident's id.
    pub id: String,
    /// Similarity, higher is closer.
    pub score: f64,
    /// Human-readable, e.g. "same cause: connection-leak", "referenced by author".
    pub reasons: Vec<String>,
    /// True when either post-mortem names the other explicitly.
    pub explicit: bool,
    /// `related`, or `possible` for a weaker link shown so the page is not empty.
    pub strength: &'static str,
}

/// A suggested cause for an incident that has none, never shown as fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseSuggestion {
    /// The suggested cause label (a slug).
    pub cause: String,
    /// How strongly the neighbours agree, higher is surer.
    pub score: f64,
    /// Labelled neighbours the suggestion comes from.
    pub from: Vec<String>,
}

/// The part of a post-mortem a text comes from; it sets how much a match there counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    /// The title.
    Title,
    /// The root cause section or field.
    RootCause,
    /// The trigger.
    Trigger,
    /// The five whys.
    FiveWhys,
    /// Contributing factors.
    ContributingFactors,
    /// The summary.
    Summary,
    /// Free prose: "What happened", "Details", text under a heading of no known kind.
    Description,
    /// Resolution and recovery.
    Resolution,
    /// Detection.
    Detection,
    /// Impact.
    Impact,
    /// Timeline rows.
    Timeline,
    /// Lessons learned.
    Lessons,
    /// Action items.
    ActionItems,
    /// Anything else.
    Other,
}

/// A sentence that supports an inferred cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The sentence, as written (trimmed).
    pub sentence: String,
    /// The part of the post-mortem the sentence is in.
    pub section: SectionKind,
    /// The heading the text was under, when the text came from the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) heading: Option<String>,
    /// 1-based line in the source file, when the model knows where the text starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
    /// Byte offsets of the sentence within the section text.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Byte offsets of the matched phrase within the section text.
    pub(crate) match_start: usize,
    pub(crate) match_end: usize,
    /// The phrase of the taxonomy that matched, as written there.
    pub phrase: String,
    /// This evidence's weight in 0..1 (phrase × section × sentence cues).
    pub(crate) weight: f64,
}

/// One inferred cause of an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferredCause {
    /// Taxonomy class id.
    pub class: String,
    pub(crate) family: String,
    pub(crate) title: String,
    /// 0..1.
    pub confidence: f64,
    /// Strongest evidence first, at most `taxonomy::infer::MAX_EVIDENCE`.
    pub evidence: Vec<Evidence>,
}

/// What analysis derives from the whole archive. Maps are keyed by incident id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Insights {
    /// Related incidents of each incident, closest first.
    pub related: BTreeMap<String, Vec<Related>>,
    /// Id of the earlier incident this one repeats, with the shared cause.
    pub repeat_of: BTreeMap<String, RepeatOf>,
    /// Suggested causes of incidents that name none.
    pub cause_suggestions: BTreeMap<String, Vec<CauseSuggestion>>,
    /// Causes inferred from each post-mortem's text (taxonomy classes), strongest first,
    /// with the sentences they rest on. Never merged into `Incident::causes`.
    pub inferred_causes: BTreeMap<String, Vec<InferredCause>>,
    /// Classes each post-mortem's text suggests below the cut-off of `inferred_causes`
    /// (`taxonomy::POSSIBLE_CONFIDENCE` and up), strongest first: never shown or compared
    /// as causes, only searched by, for less.
    pub possible_causes: BTreeMap<String, Vec<String>>,
    /// Links between files resolved to incidents: incident id → link as written → the
    /// id of the incident it names. Pages rewrite these links to the incident's page.
    pub(crate) file_links: BTreeMap<String, BTreeMap<String, String>>,
}

/// An incident that repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatOf {
    /// The earlier incident's id.
    pub id: String,
    /// The cause label both share or, when `inferred`, the taxonomy class both texts state.
    pub cause: String,
    /// Days from the earlier incident to this one.
    pub days_between: i64,
    /// Found from inferred causes (neither post-mortem is labelled), not from labels.
    pub inferred: bool,
}
