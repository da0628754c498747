//! Trend figures for the dashboards: counts per month or quarter by severity, response
//! time distributions, causes, repeat rate, a service heat map and action-item follow-
//! through, for the whole organisation and for every team and service, over three
//! periods (all time, the last 365 days, the last 90 days).
//!
//! `compute` is a pure function of the archive, the insights, the as-of date and the
//! config: no clock, no I/O, and every map is a `BTreeMap`, so the same input always
//! serialises to the same `api/trends.json`. The rules that make the figures honest:
//! - durations are summarised by median, quartiles and p90 (linear interpolation between
//!   closest ranks, the "type 7" method of R and NumPy), never a bare mean, and every
//!   summary carries `n` (incidents it rests on) and `missing` (incidents without the data);
//! - near misses are counted on their own and kept out of every incident figure
//!   (counts by severity, durations, causes, repeats, heat map);
//! - negative durations (a milestone recorded before the start) count as missing;
//! - figures the parser found implausible (`Incident::excluded`: out of order, over
//!   `[durations] max_days`) are in neither `n` nor `missing` but counted as `excluded`,
//!   so a page can say how many were left out;
//! - a period resting on fewer than `dashboard.min_incidents` incidents gets no trend and
//!   no comparison (`enough_data` / `Comparison::comparable` are false; pages say so).
//!
//! Periods end at the as-of date and include it: the last 90 days of 2025-10-31 are
//! 2025-08-03..=2025-10-31, and the previous period is the 90 days before that.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{ActionItemStatus, Archive, Durations, Incident, Insights};

/// How percentiles are computed, exported with the figures.
pub(crate) const PERCENTILE_METHOD: &str =
    "linear interpolation between closest ranks (type 7: h = (n-1)p)";

/// Overdue action items listed by name per period.
pub(crate) const OLDEST_OVERDUE_LISTED: usize = 10;

/// Every dashboard figure of the archive.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    pub(crate) as_of: Date,
    pub(crate) min_incidents: usize,
    pub(crate) percentile_method: &'static str,
    /// Severity levels, most severe first, then `unknown` for incidents without one.
    pub(crate) severities: Vec<String>,
    /// Heat-map weight of each severity (see `severity_weight`).
    pub(crate) severity_weights: BTreeMap<String, u32>,
    pub(crate) org: ScopeTrends,
    pub(crate) teams: BTreeMap<String, ScopeTrends>,
    pub(crate) services: BTreeMap<String, ScopeTrends>,
}

/// Whose dashboard: the organisation's, a team's or a service's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// The whole organisation.
    Org,
    /// One team.
    Team,
    /// One service.
    Service,
}

impl ScopeKind {
    /// `org`, `team` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Org => "org",
            ScopeKind::Team => "team",
            ScopeKind::Service => "service",
        }
    }
}

/// The figures of one scope: the organisation, a team or a service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScopeTrends {
    pub(crate) kind: ScopeKind,
    /// Empty for the organisation.
    pub(crate) name: String,
    /// Post-mortems in the scope, near misses and undated ones included.
    pub(crate) post_mortems: usize,
    pub(crate) periods: Vec<PeriodTrends>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PeriodKind {
    All,
    LastYear,
    #[serde(rename = "last-90-days")]
    Last90Days,
}

impl PeriodKind {
    pub(crate) const EVERY: [PeriodKind; 3] = [
        PeriodKind::All,
        PeriodKind::LastYear,
        PeriodKind::Last90Days,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            PeriodKind::All => "all",
            PeriodKind::LastYear => "last-year",
            PeriodKind::Last90Days => "last-90-days",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            PeriodKind::All => "All time",
            PeriodKind::LastYear => "Last year",
            PeriodKind::Last90Days => "Last 90 days",
        }
    }

    /// Length of the window in days; `None` for all time.
    pub(crate) fn days(self) -> Option<i64> {
        match self {
            PeriodKind::All => None,
            PeriodKind::LastYear => Some(365),
            PeriodKind::Last90Days => Some(90),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Granularity {
    Month,
    Quarter,
}

/// A calendar month or quarter, clipped to the period it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Bin {
    /// `2025-10` or `2025-Q4`.
    pub(crate) key: String,
    /// `Oct 2025` or `Q4 2025`.
    pub(crate) label: String,
    pub(crate) start: Date,
    pub(crate) end: Date,
}

/// Median, quartiles and p90 of a set of durations in minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Stats {
    /// Incidents the figures rest on.
    pub(crate) n: usize,
    /// Incidents in scope without this duration (or with a negative one).
    pub(crate) missing: usize,
    /// Incidents in scope whose figure was implausible and left out.
    pub(crate) excluded: usize,
    pub(crate) median: Option<f64>,
    pub(crate) p25: Option<f64>,
    pub(crate) p75: Option<f64>,
    pub(crate) p90: Option<f64>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[expect(
    clippy::enum_variant_names,
    reason = "the names are the export's keys (time_to_detect, ...) and the figures' names"
)]
pub(crate) enum Metric {
    TimeToDetect,
    TimeToAcknowledge,
    TimeToMitigate,
    TimeToResolve,
}

impl Metric {
    pub(crate) const EVERY: [Metric; 4] = [
        Metric::TimeToDetect,
        Metric::TimeToAcknowledge,
        Metric::TimeToMitigate,
        Metric::TimeToResolve,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Metric::TimeToDetect => "time_to_detect",
            Metric::TimeToAcknowledge => "time_to_acknowledge",
            Metric::TimeToMitigate => "time_to_mitigate",
            Metric::TimeToResolve => "time_to_resolve",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Metric::TimeToDetect => "Time to detect",
            Metric::TimeToAcknowledge => "Time to acknowledge",
            Metric::TimeToMitigate => "Time to mitigate",
            Metric::TimeToResolve => "Time to resolve",
        }
    }

    /// Whether `incident` had a figure for this metric that was excluded as implausible.
    pub(crate) fn excluded(self, incident: &Incident) -> bool {
        incident.excluded.iter().any(|e| e.duration == self.key())
    }

    /// The duration in minutes, or `None` when unknown or negative (inconsistent data).
    pub(crate) fn minutes(self, d: &Durations) -> Option<i64> {
        let value = match self {
            Metric::TimeToDetect => d.time_to_detect,
            Metric::TimeToAcknowledge => d.time_to_acknowledge,
            Metric::TimeToMitigate => d.time_to_mitigate,
            Metric::TimeToResolve => d.time_to_resolve,
        };
        value.filter(|m| *m >= 0)
    }
}

/// Incidents and near misses of one bin.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CountBin {
    #[serde(flatten)]
    pub(crate) bin: Bin,
    pub(crate) incidents: usize,
    pub(crate) near_misses: usize,
    /// Incidents by severity key (`unknown` when none was given); zero counts omitted.
    pub(crate) by_severity: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuarterStats {
    #[serde(flatten)]
    pub(crate) bin: Bin,
    #[serde(flatten)]
    pub(crate) stats: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MetricTrend {
    pub(crate) metric: Metric,
    pub(crate) overall: Stats,
    pub(crate) by_quarter: Vec<QuarterStats>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ParetoEntry {
    pub(crate) cause: String,
    /// Incidents naming this cause.
    pub(crate) count: usize,
    /// `count` over all cause mentions in the period (an incident may name several).
    pub(crate) share: f64,
    pub(crate) cumulative_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CauseQuarter {
    #[serde(flatten)]
    pub(crate) bin: Bin,
    pub(crate) counts: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CauseTrends {
    /// Most frequent first; ties by name.
    pub(crate) pareto: Vec<ParetoEntry>,
    pub(crate) mentions: usize,
    pub(crate) incidents_without_cause: usize,
    pub(crate) by_quarter: Vec<CauseQuarter>,
    /// Causes inferred from the text (`Insights::inferred_causes`) of the incidents
    /// without a labelled cause, most frequent first: recorded, but by inference.
    pub(crate) inferred: Vec<InferredEntry>,
}

/// A taxonomy class inferred for some incidents without a cause label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InferredEntry {
    pub(crate) class: String,
    pub(crate) title: String,
    /// Incidents without a cause label for which it is inferred.
    pub(crate) count: usize,
}

/// Share of incidents that repeat an earlier incident's cause (`Insights::repeat_of`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct RepeatRate {
    pub(crate) repeats: usize,
    pub(crate) incidents: usize,
    /// `repeats / incidents`, rounded to 3 decimals; `None` without incidents.
    pub(crate) rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeatCell {
    /// Sum of the severity weights of the incidents in the cell.
    pub(crate) weight: u32,
    pub(crate) count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeatRow {
    pub(crate) service: String,
    pub(crate) weight: u32,
    pub(crate) count: usize,
    /// One per bin of the period, in order.
    pub(crate) cells: Vec<HeatCell>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeatMap {
    /// Heaviest service first; ties by name.
    pub(crate) rows: Vec<HeatRow>,
    pub(crate) max_weight: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct ActionCounts {
    pub(crate) total: usize,
    pub(crate) done: usize,
    /// Open (not done, not declined) and not overdue, including open items without a due date.
    pub(crate) open: usize,
    /// Open with a due date before the as-of date.
    pub(crate) overdue: usize,
    pub(crate) not_doing: usize,
    pub(crate) open_without_due: usize,
    /// Items whose post-mortem gives no status: in `total`, in no other figure.
    pub(crate) unknown: usize,
}

impl ActionCounts {
    fn add(&mut self, status: ActionState) {
        self.total += 1;
        match status {
            ActionState::Done => self.done += 1,
            ActionState::NotDoing => self.not_doing += 1,
            ActionState::Overdue => self.overdue += 1,
            ActionState::Unknown => self.unknown += 1,
            ActionState::Open { has_due } => {
                self.open += 1;
                if !has_due {
                    self.open_without_due += 1;
                }
            }
        }
    }

    /// Items with a status: what open, overdue and completion figures rest on.
    pub(crate) fn with_status(&self) -> usize {
        self.total - self.unknown
    }

    /// Done over the items with a status that were not declined; `None` when nothing
    /// is left to count. Items without a status are in neither part of the fraction.
    pub(crate) fn completion_rate(&self) -> Option<f64> {
        let counted = self.with_status() - self.not_doing;
        (counted > 0).then(|| round(self.done as f64 / counted as f64, 3))
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionCohort {
    #[serde(flatten)]
    pub(crate) bin: Bin,
    #[serde(flatten)]
    pub(crate) counts: ActionCounts,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionGroup {
    pub(crate) name: String,
    #[serde(flatten)]
    pub(crate) counts: ActionCounts,
    pub(crate) completion_rate: Option<f64>,
    /// Median days since the incident date of the open and overdue items.
    pub(crate) median_open_age_days: Option<f64>,
    /// Open items whose incident has no date, so no age.
    pub(crate) open_age_missing: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OverdueItem {
    pub(crate) incident: String,
    pub(crate) incident_title: String,
    pub(crate) number: Option<String>,
    pub(crate) action: String,
    pub(crate) owner: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) due: Date,
    pub(crate) days_overdue: i64,
}

/// Follow-through on the action items of the period's post-mortems (by incident date).
/// Completion dates are not recorded, so statuses are as of now: cohorts group items by
/// the month (or quarter) of their incident and show how many are done, open and overdue
/// today.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionTrends {
    #[serde(flatten)]
    pub(crate) counts: ActionCounts,
    pub(crate) completion_rate: Option<f64>,
    pub(crate) median_open_age_days: Option<f64>,
    pub(crate) open_age_missing: usize,
    pub(crate) cohorts: Vec<ActionCohort>,
    /// By the teams of each item's incident (`no team` when it names none).
    pub(crate) by_team: Vec<ActionGroup>,
    /// By the priority column as written, upper-cased (`unset` when empty).
    pub(crate) by_priority: Vec<ActionGroup>,
    /// Most overdue first, at most `OLDEST_OVERDUE_LISTED`.
    pub(crate) oldest_overdue: Vec<OverdueItem>,
}

/// Figures the header shows, with the previous period's for comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Headline {
    pub(crate) incidents: usize,
    pub(crate) near_misses: usize,
    /// Incidents at one of the two most severe levels.
    pub(crate) high_severity: usize,
    /// Incidents that record a severity: when none does, `high_severity` says nothing.
    pub(crate) with_severity: usize,
    pub(crate) time_to_mitigate: Stats,
    pub(crate) time_to_resolve: Stats,
    pub(crate) repeat_rate: RepeatRate,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Comparison {
    pub(crate) start: Date,
    pub(crate) end: Date,
    pub(crate) previous: Headline,
    /// Both periods rest on at least `min_incidents` incidents.
    pub(crate) comparable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeriodTrends {
    pub(crate) period: PeriodKind,
    pub(crate) start: Date,
    pub(crate) end: Date,
    pub(crate) granularity: Granularity,
    /// At least `min_incidents` incidents: trends may be drawn.
    pub(crate) enough_data: bool,
    pub(crate) headline: Headline,
    /// `None` for all time (there is no previous period).
    pub(crate) comparison: Option<Comparison>,
    /// Post-mortems without a date (all time only): on no chart, but counted.
    pub(crate) undated: usize,
    pub(crate) counts: Vec<CountBin>,
    pub(crate) durations: Vec<MetricTrend>,
    pub(crate) causes: CauseTrends,
    pub(crate) heatmap: HeatMap,
    pub(crate) action_items: ActionTrends,
    /// Archive indices of the dated post-mortems in the period (near misses included),
    /// for drill-down lists; not exported.
    #[serde(skip)]
    pub(crate) members: Vec<usize>,
    /// Archive indices of the undated post-mortems (all time only); not exported.
    #[serde(skip)]
    pub(crate) undated_members: Vec<usize>,
}

/// Compute every figure. `as_of` ends the windowed periods and decides what is overdue.
/// Scopes are computed in parallel; the result does not depend on the order.
pub fn compute(archive: &Archive, insights: &Insights, as_of: Date, config: &Config) -> Trends {
    let prepared = Prepared::new(archive, insights, as_of, config);
    let names = ScopeNames::of(archive);
    let keys: Vec<(ScopeKind, &str)> = [(ScopeKind::Org, "")]
        .into_iter()
        .chain(names.teams.iter().map(|n| (ScopeKind::Team, n.as_str())))
        .chain(
            names
                .services
                .iter()
                .map(|n| (ScopeKind::Service, n.as_str())),
        )
        .collect();
    let computed: Vec<ScopeTrends> = keys
        .par_iter()
        .map(|&(kind, name)| prepared.scope(kind, name))
        .collect();
    let mut computed = computed.into_iter();
    let org = computed.next().expect("the organisation comes first");
    let (mut teams, mut services) = (BTreeMap::new(), BTreeMap::new());
    for scope in computed {
        match scope.kind {
            ScopeKind::Team => teams.insert(scope.name.clone(), scope),
            _ => services.insert(scope.name.clone(), scope),
        };
    }
    let mut severities = config.severities.clone();
    severities.push(UNKNOWN_SEVERITY.to_string());
    Trends {
        as_of,
        min_incidents: config.dashboard.min_incidents,
        percentile_method: PERCENTILE_METHOD,
        severity_weights: severities
            .iter()
            .map(|s| (s.clone(), severity_weight(config, s)))
            .collect(),
        severities,
        org,
        teams,
        services,
    }
}

/// The names of the teams and services the archive's post-mortems name (trimmed,
/// sorted, each once): the scopes `compute` covers besides the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ScopeNames {
    pub(crate) teams: BTreeSet<String>,
    pub(crate) services: BTreeSet<String>,
}

impl ScopeNames {
    pub(crate) fn of(archive: &Archive) -> ScopeNames {
        let mut names = ScopeNames::default();
        let add = |set: &mut BTreeSet<String>, values: &[String]| {
            for v in values.iter().map(|v| v.trim()) {
                if !v.is_empty() && !set.contains(v) {
                    set.insert(v.to_string());
                }
            }
        };
        for incident in &archive.incidents {
            add(&mut names.teams, &incident.teams);
            add(&mut names.services, &incident.services);
        }
        names
    }
}

/// Post-mortems per team and per service (trimmed names; a post-mortem naming one twice
/// counts once), from the archive alone: the sizes of the scopes without their figures.
pub(crate) fn scope_sizes(archive: &Archive) -> BTreeMap<(ScopeKind, &str), usize> {
    let mut counts: BTreeMap<(ScopeKind, &str), usize> = BTreeMap::new();
    for incident in &archive.incidents {
        for (kind, values) in [
            (ScopeKind::Team, &incident.teams),
            (ScopeKind::Service, &incident.services),
        ] {
            for v in unique(values) {
                *counts.entry((kind, v)).or_default() += 1;
            }
        }
    }
    counts
}

/// The severity series of a period, as its charts and lists show them: the configured
/// levels, then other values its incidents give (sorted), then `unknown` when some
/// give none.
pub(crate) fn severity_keys(config: &Config, period: &PeriodTrends) -> Vec<String> {
    let mut keys = config.severities.clone();
    let mut extra: Vec<String> = period
        .counts
        .iter()
        .flat_map(|c| c.by_severity.keys())
        .filter(|k| !keys.contains(k) && *k != UNKNOWN_SEVERITY)
        .cloned()
        .collect();
    extra.sort();
    extra.dedup();
    keys.extend(extra);
    if period
        .counts
        .iter()
        .any(|c| c.by_severity.contains_key(UNKNOWN_SEVERITY))
    {
        keys.push(UNKNOWN_SEVERITY.to_string());
    }
    keys
}

/// The figures of one scope alone, equal to its entry in `compute`'s result.
pub(crate) fn scope(
    archive: &Archive,
    insights: &Insights,
    as_of: Date,
    config: &Config,
    kind: ScopeKind,
    name: &str,
) -> ScopeTrends {
    Prepared::new(archive, insights, as_of, config).scope(kind, name)
}

/// The inputs of the figures with what every scope needs of each post-mortem worked
/// out once (severity, weight, trimmed labels), so that scopes can be computed one at
/// a time (`scope`) or all together without redoing it.
pub(crate) struct Prepared<'a> {
    archive: &'a Archive,
    insights: &'a Insights,
    as_of: Date,
    config: &'a Config,
    facts: Vec<Facts<'a>>,
}

/// What the figures need of one post-mortem.
struct Facts<'a> {
    severity: &'a str,
    /// One of the two most severe levels.
    high: bool,
    weight: u32,
    /// Trimmed, non-empty, each once, sorted.
    causes: Vec<&'a str>,
    services: Vec<&'a str>,
    teams: Vec<&'a str>,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        archive: &'a Archive,
        insights: &'a Insights,
        as_of: Date,
        config: &'a Config,
    ) -> Prepared<'a> {
        let facts = archive
            .incidents
            .par_iter()
            .map(|i| {
                let severity = severity_ref(config, i);
                Facts {
                    severity,
                    high: config.severity_rank(severity) < 2,
                    weight: severity_weight(config, severity),
                    causes: unique(&i.causes).into_iter().collect(),
                    services: unique(&i.services).into_iter().collect(),
                    teams: unique(&i.teams).into_iter().collect(),
                }
            })
            .collect();
        Prepared {
            archive,
            insights,
            as_of,
            config,
            facts,
        }
    }

    /// The figures of one scope (`name` is ignored for the organisation).
    pub(crate) fn scope(&self, kind: ScopeKind, name: &str) -> ScopeTrends {
        let members: Vec<usize> = match kind {
            ScopeKind::Org => (0..self.facts.len()).collect(),
            ScopeKind::Team => self.members(|f| f.teams.contains(&name)),
            ScopeKind::Service => self.members(|f| f.services.contains(&name)),
        };
        let name = if kind == ScopeKind::Org { "" } else { name };
        self.scope_of(kind, name, &members)
    }

    fn members(&self, named: impl Fn(&Facts) -> bool) -> Vec<usize> {
        (0..self.facts.len())
            .filter(|&i| named(&self.facts[i]))
            .collect()
    }
}

/// Severity key of incidents that give none.
pub(crate) const UNKNOWN_SEVERITY: &str = "unknown";

/// The configured spelling of the incident's severity, the text as written when it is
/// not a configured level, or `unknown`.
pub(crate) fn severity_ref<'a>(config: &'a Config, incident: &'a Incident) -> &'a str {
    match incident
        .severity
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => UNKNOWN_SEVERITY,
        Some(s) => config
            .severities
            .iter()
            .find(|c| c.eq_ignore_ascii_case(s))
            .map(String::as_str)
            .unwrap_or(s),
    }
}

/// Heat-map weight: doubling per level, least severe = 1. With the default four levels
/// SEV1 = 8, SEV2 = 4, SEV3 = 2, SEV4 = 1; unknown or unconfigured severities weigh 1.
pub(crate) fn severity_weight(config: &Config, severity: &str) -> u32 {
    let levels = config.severities.len();
    match config
        .severities
        .iter()
        .position(|s| s.eq_ignore_ascii_case(severity))
    {
        Some(rank) => 1u32 << (levels - 1 - rank).min(20),
        None => 1,
    }
}

/// The `p`-quantile (0..=1) of sorted values by linear interpolation between closest
/// ranks: h = (n-1)·p, x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1]-x[⌊h⌋]). `None` for no values.
/// E.g. for [1, 2, 3, 4]: median 2.5, p90 3.7, p25 1.75.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Summarise the durations of `incidents` for `metric`: values, missing, excluded.
fn metric_stats(metric: Metric, incidents: &[&Incident]) -> Stats {
    let values: Vec<i64> = incidents
        .iter()
        .filter_map(|i| metric.minutes(&i.durations))
        .collect();
    let excluded = incidents
        .iter()
        .filter(|i| metric.minutes(&i.durations).is_none() && metric.excluded(i))
        .count();
    let missing = incidents.len() - values.len() - excluded;
    Stats {
        excluded,
        ..stats(values, missing)
    }
}

/// Summarise durations (minutes); figures rounded to one decimal.
pub(crate) fn stats(mut values: Vec<i64>, missing: usize) -> Stats {
    values.sort_unstable();
    let sorted: Vec<f64> = values.iter().map(|v| *v as f64).collect();
    let q = |p| percentile(&sorted, p).map(|v| round(v, 1));
    Stats {
        n: sorted.len(),
        missing,
        excluded: 0,
        median: q(0.5),
        p25: q(0.25),
        p75: q(0.75),
        p90: q(0.9),
        min: sorted.first().copied(),
        max: sorted.last().copied(),
    }
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

fn unique(values: &[String]) -> BTreeSet<&str> {
    values
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Calendar bins covering `start..=end`, clipped to it.
pub(crate) fn bins(start: Date, end: Date, granularity: Granularity) -> Vec<Bin> {
    let months = match granularity {
        Granularity::Month => 1,
        Granularity::Quarter => 3,
    };
    let mut out = Vec::new();
    let mut index = month_index(start) / months * months;
    while index <= month_index(end) {
        let first = month_start(index);
        let last = month_start(index + months - 1).last_of_month();
        let (year, month) = (first.year(), first.month());
        let (key, label) = match granularity {
            Granularity::Month => (
                format!("{year:04}-{month:02}"),
                format!("{} {year}", MONTHS[(month - 1) as usize]),
            ),
            Granularity::Quarter => {
                let q = (month - 1) / 3 + 1;
                (format!("{year:04}-Q{q}"), format!("Q{q} {year}"))
            }
        };
        out.push(Bin {
            key,
            label,
            start: first.max(start),
            end: last.min(end),
        });
        index += months;
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_index(d: Date) -> i32 {
    d.year() as i32 * 12 + d.month() as i32 - 1
}

fn month_start(index: i32) -> Date {
    Date::new(
        (index.div_euclid(12)) as i16,
        (index.rem_euclid(12) + 1) as i8,
        1,
    )
    .expect("valid month")
}

/// The bin holding `date`, if any.
pub(crate) fn bin_of(bins: &[Bin], date: Date) -> Option<usize> {
    let i = bins.partition_point(|b| b.end < date);
    (i < bins.len() && bins[i].start <= date).then_some(i)
}

/// Whole days from `from` to `to`.
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs().div_euclid(86_400)
}

/// All time uses months up to this many; quarters beyond.
pub(crate) const MAX_MONTH_BINS: i32 = 24;

#[derive(Clone, Copy)]
enum ActionState {
    Done,
    NotDoing,
    Overdue,
    Open {
        has_due: bool,
    },
    /// No status written: counted, but neither open nor done.
    Unknown,
}

impl Prepared<'_> {
    fn incident(&self, idx: usize) -> &Incident {
        &self.archive.incidents[idx]
    }

    fn scope_of(&self, kind: ScopeKind, name: &str, members: &[usize]) -> ScopeTrends {
        let dated: Vec<(usize, Date)> = members
            .iter()
            .filter_map(|&i| self.incident(i).date.map(|d| (i, d)))
            .collect();
        let undated: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| self.incident(i).date.is_none())
            .collect();
        let periods = PeriodKind::EVERY
            .iter()
            .map(|&p| {
                self.period(
                    p,
                    &dated,
                    &undated,
                    (kind == ScopeKind::Service).then_some(name),
                )
            })
            .collect();
        ScopeTrends {
            kind,
            name: name.to_string(),
            post_mortems: members.len(),
            periods,
        }
    }

    fn period(
        &self,
        period: PeriodKind,
        dated: &[(usize, Date)],
        undated: &[usize],
        only_service: Option<&str>,
    ) -> PeriodTrends {
        let as_of = self.as_of;
        let (start, end, granularity, comparison_window) = match period.days() {
            None => {
                let first = dated.iter().map(|(_, d)| *d).min().unwrap_or(as_of);
                let last = dated
                    .iter()
                    .map(|(_, d)| *d)
                    .max()
                    .unwrap_or(as_of)
                    .max(as_of);
                let span = month_index(last) - month_index(first) + 1;
                let granularity = if span > MAX_MONTH_BINS {
                    Granularity::Quarter
                } else {
                    Granularity::Month
                };
                (first.min(as_of), last, granularity, None)
            }
            Some(days) => {
                let start = as_of.saturating_sub((days - 1).days());
                let prev_end = start.saturating_sub(1.days());
                let prev_start = prev_end.saturating_sub((days - 1).days());
                (
                    start,
                    as_of,
                    Granularity::Month,
                    Some((prev_start, prev_end)),
                )
            }
        };
        let in_window = |from: Date, to: Date| -> Vec<usize> {
            dated
                .iter()
                .filter(|(_, d)| *d >= from && *d <= to)
                .map(|(i, _)| *i)
                .collect()
        };
        let members = in_window(start, end);
        let undated_members = if period == PeriodKind::All {
            undated.to_vec()
        } else {
            Vec::new()
        };
        let headline = self.headline(&members);
        let min = self.config.dashboard.min_incidents;
        let enough_data = headline.incidents >= min;
        let comparison = comparison_window.map(|(prev_start, prev_end)| {
            let previous = self.headline(&in_window(prev_start, prev_end));
            let comparable = enough_data && previous.incidents >= min;
            Comparison {
                start: prev_start,
                end: prev_end,
                previous,
                comparable,
            }
        });
        let bins = bins(start, end, granularity);
        let quarters = bins_for_quarters(start, end);
        let incidents: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| !self.incident(i).is_near_miss())
            .collect();
        let mut with_undated = members.clone();
        with_undated.extend(&undated_members);
        PeriodTrends {
            period,
            start,
            end,
            granularity,
            enough_data,
            comparison,
            undated: undated_members.len(),
            counts: self.counts(&members, &bins),
            durations: Metric::EVERY
                .iter()
                .map(|&m| self.metric(m, &incidents, &quarters))
                .collect(),
            causes: self.causes(&incidents, &quarters),
            heatmap: self.heatmap(&incidents, &bins, only_service),
            action_items: self.actions(&with_undated, &bins),
            headline,
            members,
            undated_members,
        }
    }

    fn headline(&self, members: &[usize]) -> Headline {
        let incidents: Vec<&Incident> = members
            .iter()
            .map(|&i| self.incident(i))
            .filter(|i| !i.is_near_miss())
            .collect();
        let high_severity = members
            .iter()
            .filter(|&&i| self.facts[i].high && !self.incident(i).is_near_miss())
            .count();
        let metric = |m: Metric| metric_stats(m, &incidents);
        let with_severity = members
            .iter()
            .filter(|&&i| {
                !self.incident(i).is_near_miss() && self.facts[i].severity != UNKNOWN_SEVERITY
            })
            .count();
        Headline {
            incidents: incidents.len(),
            near_misses: members.len() - incidents.len(),
            high_severity,
            with_severity,
            time_to_mitigate: metric(Metric::TimeToMitigate),
            time_to_resolve: metric(Metric::TimeToResolve),
            repeat_rate: self.repeat_rate(&incidents),
        }
    }

    fn repeat_rate(&self, incidents: &[&Incident]) -> RepeatRate {
        let repeats = incidents
            .iter()
            .filter(|i| self.insights.repeat_of.contains_key(&i.id))
            .count();
        let n = incidents.len();
        RepeatRate {
            repeats,
            incidents: n,
            rate: (n > 0).then(|| round(repeats as f64 / n as f64, 3)),
        }
    }

    fn counts(&self, members: &[usize], bins: &[Bin]) -> Vec<CountBin> {
        let mut out: Vec<CountBin> = bins
            .iter()
            .map(|b| CountBin {
                bin: b.clone(),
                incidents: 0,
                near_misses: 0,
                by_severity: BTreeMap::new(),
            })
            .collect();
        for &idx in members {
            let incident = self.incident(idx);
            let Some(b) = incident.date.and_then(|d| bin_of(bins, d)) else {
                continue;
            };
            if incident.is_near_miss() {
                out[b].near_misses += 1;
            } else {
                out[b].incidents += 1;
                let severity = self.facts[idx].severity;
                match out[b].by_severity.get_mut(severity) {
                    Some(count) => *count += 1,
                    None => {
                        out[b].by_severity.insert(severity.to_string(), 1);
                    }
                }
            }
        }
        out
    }

    fn metric(&self, metric: Metric, incidents: &[usize], quarters: &[Bin]) -> MetricTrend {
        let mut per_quarter: Vec<Vec<&Incident>> = vec![Vec::new(); quarters.len()];
        let mut all = Vec::new();
        for &idx in incidents {
            let incident = self.incident(idx);
            all.push(incident);
            if let Some(q) = incident.date.and_then(|d| bin_of(quarters, d)) {
                per_quarter[q].push(incident);
            }
        }
        let by_quarter = quarters
            .iter()
            .zip(per_quarter)
            .map(|(bin, members)| QuarterStats {
                bin: bin.clone(),
                stats: metric_stats(metric, &members),
            })
            .collect();
        MetricTrend {
            metric,
            overall: metric_stats(metric, &all),
            by_quarter,
        }
    }

    fn causes(&self, incidents: &[usize], quarters: &[Bin]) -> CauseTrends {
        let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
        let mut by_quarter: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); quarters.len()];
        let mut without = 0;
        for &idx in incidents {
            let incident = self.incident(idx);
            let causes = &self.facts[idx].causes;
            if causes.is_empty() {
                without += 1;
            }
            let q = incident.date.and_then(|d| bin_of(quarters, d));
            for &cause in causes {
                *totals.entry(cause).or_default() += 1;
                if let Some(q) = q {
                    match by_quarter[q].get_mut(cause) {
                        Some(count) => *count += 1,
                        None => {
                            by_quarter[q].insert(cause.to_string(), 1);
                        }
                    }
                }
            }
        }
        let mentions: usize = totals.values().sum();
        let inferred = self.inferred(incidents);
        let mut ranked: Vec<(&str, usize)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut running = 0;
        let pareto = ranked
            .into_iter()
            .map(|(cause, count)| {
                running += count;
                ParetoEntry {
                    cause: cause.to_string(),
                    count,
                    share: round(count as f64 / mentions as f64, 3),
                    cumulative_share: round(running as f64 / mentions as f64, 3),
                }
            })
            .collect();
        let by_quarter = quarters
            .iter()
            .zip(by_quarter)
            .map(|(bin, counts)| CauseQuarter {
                bin: bin.clone(),
                counts,
            })
            .collect();
        CauseTrends {
            pareto,
            mentions,
            incidents_without_cause: without,
            by_quarter,
            inferred,
        }
    }

    /// The inferred causes of the incidents that name no cause, by how many incidents
    /// each is inferred for.
    fn inferred(&self, incidents: &[usize]) -> Vec<InferredEntry> {
        let mut counts: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for &idx in incidents {
            if !self.facts[idx].causes.is_empty() {
                continue;
            }
            let id = &self.incident(idx).id;
            for c in self.insights.inferred_causes.get(id).into_iter().flatten() {
                counts.entry(&c.class).or_insert((&c.title, 0)).1 += 1;
            }
        }
        let mut out: Vec<InferredEntry> = counts
            .into_iter()
            .map(|(class, (title, count))| InferredEntry {
                class: class.to_string(),
                title: title.to_string(),
                count,
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.class.cmp(&b.class)));
        out
    }

    /// Services × bins. A service's own dashboard shows its row alone (co-affected
    /// services are on the organisation's and the teams' maps).
    fn heatmap(&self, incidents: &[usize], bins: &[Bin], only_service: Option<&str>) -> HeatMap {
        let mut rows: BTreeMap<&str, Vec<HeatCell>> = BTreeMap::new();
        for &idx in incidents {
            let incident = self.incident(idx);
            let Some(b) = incident.date.and_then(|d| bin_of(bins, d)) else {
                continue;
            };
            let weight = self.facts[idx].weight;
            for &service in &self.facts[idx].services {
                if only_service.is_some_and(|only| only != service) {
                    continue;
                }
                let cells = rows.entry(service).or_insert_with(|| {
                    bins.iter()
                        .map(|_| HeatCell {
                            weight: 0,
                            count: 0,
                        })
                        .collect()
                });
                cells[b].weight += weight;
                cells[b].count += 1;
            }
        }
        let mut rows: Vec<HeatRow> = rows
            .into_iter()
            .map(|(service, cells)| HeatRow {
                service: service.to_string(),
                weight: cells.iter().map(|c| c.weight).sum(),
                count: cells.iter().map(|c| c.count).sum(),
                cells,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.weight
                .cmp(&a.weight)
                .then_with(|| a.service.cmp(&b.service))
        });
        let max_weight = rows
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.weight))
            .max()
            .unwrap_or(0);
        HeatMap { rows, max_weight }
    }

    fn state(&self, status: ActionItemStatus, due: Option<Date>) -> ActionState {
        match status {
            ActionItemStatus::Done => ActionState::Done,
            ActionItemStatus::NotDoing => ActionState::NotDoing,
            ActionItemStatus::Unknown => ActionState::Unknown,
            _ if due.is_some_and(|d| d < self.as_of) => ActionState::Overdue,
            _ => ActionState::Open {
                has_due: due.is_some(),
            },
        }
    }

    fn actions(&self, members: &[usize], bins: &[Bin]) -> ActionTrends {
        let mut counts = ActionCounts::default();
        let mut cohorts: Vec<ActionCounts> = vec![ActionCounts::default(); bins.len()];
        let mut teams: BTreeMap<&str, (ActionCounts, Vec<i64>, usize)> = BTreeMap::new();
        let mut priorities: BTreeMap<String, (ActionCounts, Vec<i64>, usize)> = BTreeMap::new();
        let (mut ages, mut age_missing) = (Vec::new(), 0);
        let mut overdue = Vec::new();
        for &idx in members {
            let incident = self.incident(idx);
            let bin = incident.date.and_then(|d| bin_of(bins, d));
            let incident_teams: &[&str] = match self.facts[idx].teams.as_slice() {
                [] => &["no team"],
                teams => teams,
            };
            for item in &incident.action_items {
                let state = self.state(item.status, item.due);
                let open = matches!(state, ActionState::Overdue | ActionState::Open { .. });
                let age = incident.date.map(|d| days_between(d, self.as_of));
                if let (ActionState::Overdue, Some(due)) = (&state, item.due) {
                    // Cheap keys now; only the listed few become `OverdueItem`s.
                    overdue.push((due, incident, item));
                }
                let priority = item
                    .priority
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_uppercase)
                    .unwrap_or_else(|| "unset".to_string());
                for &team in incident_teams {
                    add_to_group(teams.entry(team).or_default(), state, open, age);
                }
                add_to_group(priorities.entry(priority).or_default(), state, open, age);
                if open {
                    match age {
                        Some(a) => ages.push(a),
                        None => age_missing += 1,
                    }
                }
                if let Some(b) = bin {
                    cohorts[b].add(state);
                }
                counts.add(state);
            }
        }
        overdue.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.id.cmp(&b.1.id))
                .then_with(|| a.2.number.cmp(&b.2.number))
                .then_with(|| a.2.action.cmp(&b.2.action))
        });
        let overdue: Vec<OverdueItem> = overdue
            .into_iter()
            .take(OLDEST_OVERDUE_LISTED)
            .map(|(due, incident, item)| OverdueItem {
                incident: incident.id.clone(),
                incident_title: incident.title.clone(),
                number: item.number.clone(),
                action: item.action.clone(),
                owner: item.owner.clone(),
                priority: item.priority.clone(),
                due,
                days_overdue: days_between(due, self.as_of),
            })
            .collect();
        let group = |(name, (counts, ages, missing)): (String, (ActionCounts, Vec<i64>, usize))| {
            ActionGroup {
                name,
                completion_rate: counts.completion_rate(),
                counts,
                median_open_age_days: stats(ages, 0).median,
                open_age_missing: missing,
            }
        };
        ActionTrends {
            completion_rate: counts.completion_rate(),
            counts,
            median_open_age_days: stats(ages, 0).median,
            open_age_missing: age_missing,
            cohorts: bins
                .iter()
                .zip(cohorts)
                .map(|(bin, counts)| ActionCohort {
                    bin: bin.clone(),
                    counts,
                })
                .collect(),
            by_team: teams
                .into_iter()
                .map(|(name, g)| group((name.to_string(), g)))
                .collect(),
            by_priority: priorities.into_iter().map(group).collect(),
            oldest_overdue: overdue,
        }
    }
}

fn add_to_group(
    group: &mut (ActionCounts, Vec<i64>, usize),
    state: ActionState,
    open: bool,
    age: Option<i64>,
) {
    group.0.add(state);
    if open {
        match age {
            Some(a) => group.1.push(a),
            None => group.2 += 1,
        }
    }
}

/// Quarter bins of a period (durations and causes are always by quarter).
pub(crate) fn bins_for_quarters(start: Date, end: Date) -> Vec<Bin> {
    bins(start, end, Granularity::Quarter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn percentile_interpolates_linearly_between_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.5), Some(2.5));
        // h = 3 * 0.9 = 2.7 → 3 + 0.7 * (4 - 3)
        assert!((percentile(&v, 0.9).unwrap() - 3.7).abs() < 1e-9);
        assert_eq!(percentile(&v, 0.25), Some(1.75));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn stats_count_missing_and_round() {
        let s = stats(vec![30, 10, 20], 2);
        assert_eq!(
            (s.n, s.missing, s.median, s.p90),
            (3, 2, Some(20.0), Some(28.0))
        );
        assert_eq!((s.min, s.max), (Some(10.0), Some(30.0)));
    }

    #[test]
    fn bins_are_clipped_calendar_months_and_quarters() {
        let b = bins(d("2025-08-03"), d("2025-10-31"), Granularity::Month);
        let keys: Vec<_> = b.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["2025-08", "2025-09", "2025-10"]);
        assert_eq!(b[0].start, d("2025-08-03"));
        assert_eq!(b[1].end, d("2025-09-30"));
        let q = bins(d("2024-12-31"), d("2025-04-01"), Granularity::Quarter);
        let keys: Vec<_> = q.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(keys, ["Q4 2024", "Q1 2025", "Q2 2025"]);
        assert_eq!(bin_of(&q, d("2025-02-10")), Some(1));
        assert_eq!(bin_of(&q, d("2025-04-02")), None);
        assert_eq!(bin_of(&q, d("2024-12-30")), None);
    }

    #[test]
    fn weights_double_per_level() {
        let config = Config::default();
        let w: Vec<u32> = ["SEV1", "sev2", "SEV3", "SEV4", "SEV9"]
            .iter()
            .map(|s| severity_weight(&config, s))
            .collect();
        assert_eq!(w, [8, 4, 2, 1, 1]);
    }
}
