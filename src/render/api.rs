//! `api/incidents.json`: the archive as data for other tools, in the shape the README's
//! output contract fixes. Keys come out in a fixed order (struct field order), scores are
//! rounded to three decimals, `related` is best first, and unknown values are `null`
//! rather than left out, so consumers can rely on every key being present.
//!
//! The taxonomy phrase behind each piece of inferred-cause evidence is written once, in
//! the top-level `phrases`, and evidence names it by its index there: a pattern such as
//! `(acquire|acquired|…) ..3 (lock|locks)` repeated in every evidence entry was about
//! a sixth of the file at 10,000 post-mortems.

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

use super::urls;
use crate::model::{Archive, Durations, ExcludedFigure, Incident, Insights};
use crate::site::{OutputFile, Site};

pub(crate) const PATH: &str = "api/incidents.json";

#[derive(Serialize)]
struct Export<'a> {
    as_of: String,
    incidents: Vec<IncidentJson<'a>>,
    /// Every phrase some evidence matched, sorted; evidence's `phrase` indexes it.
    phrases: Vec<&'a str>,
}

/// The distinct phrases of all evidence, sorted, each with its index.
type Phrases<'a> = std::collections::BTreeMap<&'a str, usize>;

#[derive(Serialize)]
struct IncidentJson<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    date: Option<String>,
    severity: Option<&'a str>,
    status: &'static str,
    /// The incident's lifecycle word as the post-mortem gives it (`resolved`), if any.
    incident_status: Option<&'a str>,
    kind: &'static str,
    services: &'a [String],
    teams: &'a [String],
    causes: &'a [String],
    tags: &'a [String],
    started_at: Option<Timestamp>,
    detected_at: Option<Timestamp>,
    acknowledged_at: Option<Timestamp>,
    mitigated_at: Option<Timestamp>,
    resolved_at: Option<Timestamp>,
    /// The zone the author wrote times in; the timestamps above are UTC.
    timezone: &'a str,
    durations: Durations,
    /// Figures left out of `durations` as implausible, with the reason.
    excluded_durations: &'a [ExcludedFigure],
    summary: Option<&'a str>,
    action_items: Vec<ActionJson<'a>>,
    related: Vec<RelatedJson<'a>>,
    repeat_of: Option<RepeatJson<'a>>,
    cause_suggestions: Vec<SuggestionJson<'a>>,
    /// Causes inferred from the text (taxonomy classes), never merged into `causes`.
    inferred_causes: Vec<InferredJson<'a>>,
}

#[derive(Serialize)]
struct InferredJson<'a> {
    class: &'a str,
    family: &'a str,
    title: &'a str,
    confidence: f64,
    evidence: Vec<EvidenceJson<'a>>,
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    sentence: &'a str,
    section: &'static str,
    line: Option<usize>,
    /// Index into the export's `phrases`.
    phrase: usize,
}

#[derive(Serialize)]
struct ActionJson<'a> {
    number: Option<&'a str>,
    action: &'a str,
    kind: Option<&'a str>,
    priority: Option<&'a str>,
    owner: Option<&'a str>,
    due: Option<String>,
    status: &'static str,
    status_text: &'a str,
    overdue: bool,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    id: &'a str,
    score: f64,
    reasons: &'a [String],
    explicit: bool,
    strength: &'static str,
}

#[derive(Serialize)]
struct RepeatJson<'a> {
    id: &'a str,
    cause: &'a str,
    days_between: i64,
    /// Both post-mortems unlabelled; `cause` is the taxonomy class both texts state.
    inferred: bool,
}

#[derive(Serialize)]
struct SuggestionJson<'a> {
    cause: &'a str,
    score: f64,
    from: &'a [String],
}

/// Round to three decimals; non-finite scores (which analysis should never produce)
/// become 0 so the file stays valid JSON.
pub(crate) fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

fn incident_json<'a>(
    site: &Site,
    insights: &'a Insights,
    phrases: &Phrases,
    i: &'a Incident,
) -> IncidentJson<'a> {
    let mut related: Vec<_> = insights
        .related
        .get(&i.id)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    related.sort_by(|a: &&crate::model::Related, b| {
        b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id))
    });
    IncidentJson {
        id: &i.id,
        url: urls::href(&urls::incident(&i.id)),
        title: &i.title,
        date: i.date.map(|d| d.to_string()),
        severity: i.severity.as_deref(),
        status: i.status.as_str(),
        incident_status: i.incident_status.as_deref(),
        kind: if i.is_near_miss() {
            "near-miss"
        } else {
            "incident"
        },
        services: &i.services,
        teams: &i.teams,
        causes: &i.causes,
        tags: &i.tags,
        started_at: i.started_at,
        detected_at: i.detected_at,
        acknowledged_at: i.acknowledged_at,
        mitigated_at: i.mitigated_at,
        resolved_at: i.resolved_at,
        timezone: i.timezone.written(),
        durations: i.durations,
        excluded_durations: &i.excluded,
        summary: i.summary.as_deref(),
        action_items: i
            .action_items
            .iter()
            .map(|a| ActionJson {
                number: a.number.as_deref(),
                action: &a.action,
                kind: a.kind.as_deref(),
                priority: a.priority.as_deref(),
                owner: a.owner.as_deref(),
                due: a.due.map(|d| d.to_string()),
                status: a.status.as_str(),
                status_text: &a.status_text,
                overdue: a.status.is_open() && a.due.is_some_and(|d| d < site.as_of),
            })
            .collect(),
        related: related
            .into_iter()
            .map(|r| RelatedJson {
                id: &r.id,
                score: round3(r.score),
                reasons: &r.reasons,
                explicit: r.explicit,
                strength: r.strength,
            })
            .collect(),
        repeat_of: insights.repeat_of.get(&i.id).map(|r| RepeatJson {
            id: &r.id,
            cause: &r.cause,
            days_between: r.days_between,
            inferred: r.inferred,
        }),
        cause_suggestions: insights
            .cause_suggestions
            .get(&i.id)
            .map(|v| {
                v.iter()
                    .map(|s| SuggestionJson {
                        cause: &s.cause,
                        score: round3(s.score),
                        from: &s.from,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        inferred_causes: insights
            .inferred_causes
            .get(&i.id)
            .map(|v| {
                v.iter()
                    .map(|c| InferredJson {
                        class: &c.class,
                        family: &c.family,
                        title: &c.title,
                        confidence: round3(c.confidence),
                        evidence: c
                            .evidence
                            .iter()
                            .map(|e| EvidenceJson {
                                sentence: &e.sentence,
                                section: e.section.as_str(),
                                line: e.line,
                                phrase: phrases[e.phrase.as_str()],
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The export, incidents in archive order (newest first).
pub(crate) fn incidents_json(
    site: &Site,
    archive: &Archive,
    insights: &Insights,
) -> Result<OutputFile> {
    let mut phrases: Phrases = archive
        .incidents
        .iter()
        .filter_map(|i| insights.inferred_causes.get(&i.id))
        .flatten()
        .flat_map(|c| &c.evidence)
        .map(|e| (e.phrase.as_str(), 0))
        .collect();
    for (index, slot) in phrases.values_mut().enumerate() {
        *slot = index;
    }
    let export = Export {
        as_of: site.as_of.to_string(),
        incidents: archive
            .incidents
            .iter()
            .map(|i| incident_json(site, insights, &phrases, i))
            .collect(),
        phrases: phrases.keys().copied().collect(),
    };
    // Compact, like every export: they are read by programs (`jq .` prints them for
    // people), and indentation was a third of the bytes at 10,000 post-mortems.
    let mut bytes = serde_json::to_vec(&export)?;
    bytes.push(b'\n');
    Ok(OutputFile::new(PATH, bytes))
}
