//! When the incident started, was detected, acknowledged, mitigated and resolved, and
//! the durations between.
//!
//! Each milestone comes from the first source that has it: explicit timestamps (front
//! matter, then facts written in the body such as Kehoe's timing table), else the
//! timeline. Timeline rules are deliberately conservative, matched on whole words of a
//! row's event text, and only rows at or after the start count for the later milestones:
//! - started: a row saying the impact/outage/incident/errors started or began (`began`,
//!   `start of …`), else the first row with a time;
//! - detected: the first row mentioning an alert/alarm, detection, paging (`paged`,
//!   `page`) or `noticed`;
//! - acknowledged: `acknowledged`/`ack`/`acked`;
//! - mitigated: `mitigated`, `restored`, `rolled back`, `recovered`, `failed over`;
//! - resolved: `resolved` or `incident closed` (not after `not`/`un-`).
//!
//! Durations, in whole minutes: time to detect = detected − started; time to acknowledge
//! = acknowledged − detected (acknowledging answers an alert, so it is measured from
//! detection); time to mitigate and time to resolve are measured from the start.
//!
//! Order of trust for each duration: explicit timestamps (front matter, or facts such as
//! Kehoe's timing table, at both ends), then the duration the author stated ("Time to
//! mitigate: 15 minutes", a Stats list, Kehoe's TTD/TTM/TTR), then the timeline. When a
//! stated figure and the timestamps or timeline differ by at least 5 minutes and at least
//! 5 % of the stated figure (15 against 20 minutes, 56 against 61), a
//! `duration-disagrees` note at the stated figure gives both values and says which is
//! used.
//!
//! Plausibility (`plausible`): a figure is excluded from the incident's durations, and so
//! from every statistic, when it rests on milestones out of order (negative, or with its
//! end before its start), when detection comes after mitigation or mitigation after
//! resolution, or when it exceeds `site.toml [durations] max_days` (30 by default). Of
//! two figures in conflict the less trusted one is excluded, both when equally trusted.
//! Each exclusion is an `implausible-duration` warning at the figure, except those already
//! reported as `timestamps-out-of-order`.

use jiff::Timestamp;

use crate::content::front_matter::Located;
use crate::model::{Durations, ExcludedFigure, TimelineEvent};

/// The five milestones with the line that gave each, in the order started, detected,
/// acknowledged, mitigated, resolved.
pub(crate) type Milestones = [Option<(Timestamp, usize)>; 5];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn has_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).enumerate().any(|(i, w)| {
        w.iter().zip(phrase).all(|(a, b)| a == b)
            && (i == 0 || !matches!(words[i - 1].as_str(), "not" | "no" | "never"))
    })
}

fn says(words: &[String], phrases: &[&[&str]]) -> bool {
    phrases.iter().any(|p| has_phrase(words, p))
}

fn says_started(w: &[String]) -> bool {
    let subject = [
        "impact",
        "outage",
        "incident",
        "errors",
        "error",
        "degradation",
        "issue",
        "problems",
        "latency",
    ];
    if says(w, &[&["began"], &["begins"], &["start", "of"], &["onset"]]) {
        return true;
    }
    w.iter()
        .any(|x| matches!(x.as_str(), "started" | "starts" | "start"))
        && w.iter().any(|x| subject.contains(&x.as_str()))
}

/// Milestones found in the timeline (rows without a resolved time are skipped).
pub(crate) fn from_timeline(events: &[TimelineEvent]) -> Milestones {
    let mut m: Milestones = Default::default();
    let timed: Vec<(Timestamp, usize, Vec<String>)> = events
        .iter()
        .filter_map(|e| {
            e.at.map(|at| {
                (
                    at,
                    e.line,
                    words(&format!("{} {}", e.event, e.actor.as_deref().unwrap_or(""))),
                )
            })
        })
        .collect();
    m[0] = timed
        .iter()
        .find(|(_, _, w)| says_started(w))
        .or(timed.first())
        .map(|(at, line, _)| (*at, *line));
    let Some((start, _)) = m[0] else { return m };
    let rules: [&[&[&str]]; 4] = [
        &[
            &["alert"],
            &["alerts"],
            &["alerted"],
            &["alerting"],
            &["alarm"],
            &["alarms"],
            &["detected"],
            &["detect"],
            &["detection"],
            &["paged"],
            &["page"],
            &["noticed"],
        ],
        &[
            &["acknowledged"],
            &["acknowledges"],
            &["ack"],
            &["acked"],
            &["acknowledge"],
        ],
        &[
            &["mitigated"],
            &["restored"],
            &["rolled", "back"],
            &["recovered"],
            &["failed", "over"],
        ],
        &[&["resolved"], &["incident", "closed"]],
    ];
    for (k, phrases) in rules.iter().enumerate() {
        m[k + 1] = timed
            .iter()
            .find(|(at, _, w)| *at >= start && says(w, phrases))
            .map(|(at, line, _)| (*at, *line));
    }
    m
}

/// Where a duration came from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Source {
    Timestamps,
    Stated,
    Timeline,
}

/// One duration and where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Figure {
    pub(crate) minutes: i64,
    pub(crate) source: Source,
    pub(crate) line: usize,
    pub(crate) col: usize,
}

/// The durations' keys (as in `model::Durations` and the exports) and names in prose.
pub(crate) const KEYS: [&str; 4] = crate::model::DURATION_NAMES;
const NAMES: [&str; 4] = [
    "time to detect",
    "time to acknowledge",
    "time to mitigate",
    "time to resolve",
];
const MILESTONE_NAMES: [&str; 5] = [
    "started",
    "detected",
    "acknowledged",
    "mitigated",
    "resolved",
];

/// The milestones (from, to) each duration is measured between.
pub(crate) const SPANS: [(usize, usize); 4] = [(0, 1), (1, 2), (0, 3), (0, 4)];

/// What is known of the milestones: when, whether the timeline gave it, where.
pub(crate) struct Known<'a> {
    pub(crate) at: &'a [Option<Timestamp>; 5],
    pub(crate) from_timeline: [bool; 5],
    pub(crate) pos: [(usize, usize); 5],
}

/// A diagnostic to raise: (line, col, message).
pub(crate) type Finding = (usize, usize, String);

/// Each duration by order of trust, and a note for every stated figure the timestamps
/// or the timeline contradict.
pub(crate) fn figures(
    known: &Known,
    stated: &[Option<Located<i64>>; 4],
    notes: &mut Vec<Finding>,
) -> [Option<Figure>; 4] {
    std::array::from_fn(|k| {
        let (a, b) = SPANS[k];
        let computed = match (known.at[a], known.at[b]) {
            (Some(x), Some(y)) => {
                let source = if known.from_timeline[a] || known.from_timeline[b] {
                    Source::Timeline
                } else {
                    Source::Timestamps
                };
                let (line, col) = known.pos[b];
                Some(Figure {
                    minutes: signed_minutes(x, y),
                    source,
                    line,
                    col,
                })
            }
            _ => None,
        };
        let stated = stated[k].as_ref().map(|s| Figure {
            minutes: s.value,
            source: Source::Stated,
            line: s.line,
            col: s.col,
        });
        if let (Some(c), Some(s)) = (computed, stated)
            && c.minutes >= 0
            && disagree(s.minutes, c.minutes)
        {
            let (from, used) = match c.source {
                Source::Timestamps => ("the timestamps give", c.minutes),
                _ => ("the timeline gives", s.minutes),
            };
            notes.push((
                s.line,
                s.col,
                format!(
                    "{} is stated as {} min, but {from} {} min ({} to {}, line {}); {} min is used",
                    NAMES[k],
                    s.minutes,
                    c.minutes,
                    MILESTONE_NAMES[a],
                    MILESTONE_NAMES[b],
                    c.line,
                    used
                ),
            ));
        }
        match (computed, stated) {
            (Some(c), _) if c.source == Source::Timestamps => Some(c),
            (_, Some(s)) => Some(s),
            (c, None) => c,
        }
    })
}

/// At least 5 minutes and at least 5 % of the stated figure apart: 15 against 20 and 56
/// against 61 minutes are worth a word, 600 against 605 is rounding.
fn disagree(stated: i64, computed: i64) -> bool {
    let diff = (stated - computed).abs();
    diff >= 5 && diff * 20 >= stated
}

fn signed_minutes(from: Timestamp, to: Timestamp) -> i64 {
    let secs = to.as_second() - from.as_second();
    (secs + 30).div_euclid(60)
}

/// Split `figures` into the plausible ones and the excluded ones (with the reason), and
/// the warnings to raise. `out_of_order` lists the milestone pairs already reported as
/// out of order; `max_minutes` is the bound.
pub(crate) fn plausible(
    figures: [Option<Figure>; 4],
    out_of_order: &[(usize, usize)],
    max_minutes: i64,
    warnings: &mut Vec<Finding>,
) -> (Durations, Vec<ExcludedFigure>) {
    let mut why: [Option<(String, bool)>; 4] = Default::default();
    let mut flag = |k: usize, reason: String, warn: bool| {
        if why[k].is_none() {
            why[k] = Some((reason, warn));
        }
    };
    for &(a, b) in out_of_order {
        for &k in super::validate::affected(a, b) {
            if figures[k].is_some_and(|f| f.source != Source::Stated || f.minutes < 0) {
                flag(
                    k,
                    format!(
                        "{} is recorded before {}",
                        MILESTONE_NAMES[b], MILESTONE_NAMES[a]
                    ),
                    false,
                );
            }
        }
    }
    for (k, f) in figures.iter().enumerate() {
        if let Some(f) = f
            && f.minutes < 0
        {
            flag(k, "it is negative".to_string(), false);
        }
    }
    // (earlier, later) durations both measured from the start.
    for (early, late, what) in [
        (0, 2, "detected after it was mitigated"),
        (2, 3, "mitigated after it was resolved"),
    ] {
        let (Some(e), Some(l)) = (figures[early], figures[late]) else {
            continue;
        };
        if e.minutes <= l.minutes {
            continue;
        }
        let because =
            |other: usize, f: Figure| format!("{what} ({} {} min)", NAMES[other], f.minutes);
        if e.source >= l.source {
            flag(early, because(late, l), true);
        }
        if l.source >= e.source {
            flag(late, because(early, e), true);
        }
    }
    for (k, f) in figures.iter().enumerate() {
        if let Some(f) = f
            && f.minutes > max_minutes
        {
            flag(
                k,
                format!(
                    "it is over the bound of {} days (site.toml `[durations] max_days`)",
                    max_minutes / 1440
                ),
                true,
            );
        }
    }
    let mut durations = Durations::default();
    let mut excluded = Vec::new();
    for k in 0..4 {
        let Some(f) = figures[k] else { continue };
        match &why[k] {
            None => {
                let slot = match k {
                    0 => &mut durations.time_to_detect,
                    1 => &mut durations.time_to_acknowledge,
                    2 => &mut durations.time_to_mitigate,
                    _ => &mut durations.time_to_resolve,
                };
                *slot = Some(f.minutes);
            }
            Some((reason, warn)) => {
                if *warn {
                    warnings.push((
                        f.line,
                        f.col,
                        format!(
                            "{} of {} min is implausible: {reason}; it is left out of the statistics (expected {})",
                            NAMES[k],
                            f.minutes,
                            if f.minutes > max_minutes {
                                "a figure within the bound, or the bound raised if such incidents happen"
                            } else {
                                "detected, mitigated and resolved in that order"
                            }
                        ),
                    ));
                }
                excluded.push(ExcludedFigure {
                    duration: KEYS[k],
                    minutes: f.minutes,
                    reason: reason.clone(),
                    line: f.line,
                });
            }
        }
    }
    (durations, excluded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(min: i64, text: &str) -> TimelineEvent {
        let base: Timestamp = "2025-10-26T14:00:00Z".parse().unwrap();
        TimelineEvent {
            at: Some(base + jiff::SignedDuration::from_mins(min)),
            event: text.into(),
            line: min as usize,
            ..Default::default()
        }
    }

    fn stated(k: usize, minutes: i64, line: usize) -> [Option<Located<i64>>; 4] {
        let mut s: [Option<Located<i64>>; 4] = Default::default();
        s[k] = Some(Located {
            value: minutes,
            line,
            col: 22,
        });
        s
    }

    fn minutes(f: &[Option<Figure>; 4]) -> [Option<(i64, Source)>; 4] {
        f.map(|f| f.map(|f| (f.minutes, f.source)))
    }

    #[test]
    fn timeline_rules() {
        let events = [
            ev(0, "Deploy of v2 begins rollout"),
            ev(5, "Error rate climbs"),
            ev(7, "Alert: 5xx rate high"),
            ev(9, "Jane acknowledged the page"),
            ev(20, "Rolled back to v1, traffic restored"),
            ev(25, "Issue not resolved yet, watching"),
            ev(40, "Incident resolved"),
        ];
        let m = from_timeline(&events);
        let lines: Vec<Option<usize>> = m.iter().map(|x| x.map(|(_, l)| l)).collect();
        assert_eq!(lines, [Some(0), Some(7), Some(9), Some(20), Some(40)]);
        let at = m.map(|x| x.map(|(t, _)| t));
        let known = Known {
            at: &at,
            from_timeline: [true; 5],
            pos: m.map(|x| (x.map_or(0, |(_, l)| l), 0)),
        };
        let mut notes = Vec::new();
        let f = figures(&known, &Default::default(), &mut notes);
        use Source::Timeline as T;
        assert_eq!(
            minutes(&f),
            [Some((7, T)), Some((2, T)), Some((20, T)), Some((40, T))]
        );
        assert!(notes.is_empty());
    }

    /// The reference template's case: the timeline gives 20 minutes to mitigate, the
    /// author states 15; the stated figure wins and a note gives both.
    #[test]
    fn stated_beats_the_timeline_and_a_disagreement_is_noted() {
        let events = [ev(0, "Impact began"), ev(20, "Traffic restored")];
        let m = from_timeline(&events);
        let at = m.map(|x| x.map(|(t, _)| t));
        let known = Known {
            at: &at,
            from_timeline: [true; 5],
            pos: m.map(|x| (x.map_or(0, |(_, l)| l), 1)),
        };
        let mut notes = Vec::new();
        let f = figures(&known, &stated(2, 15, 90), &mut notes);
        assert_eq!(
            f[2].map(|f| (f.minutes, f.source, f.line)),
            Some((15, Source::Stated, 90))
        );
        assert_eq!(
            notes,
            [(
                90,
                22,
                "time to mitigate is stated as 15 min, but the timeline gives 20 min (started to mitigated, line 20); 15 min is used".to_string()
            )]
        );
        // Less than 5 minutes, or less than 5 % of the figure apart: no note.
        let mut notes = Vec::new();
        figures(&known, &stated(2, 16, 90), &mut notes);
        assert!(notes.is_empty());
        assert!(disagree(56, 61) && !disagree(600, 605) && !disagree(16, 20));
    }

    #[test]
    fn explicit_timestamps_beat_a_stated_figure() {
        let at: [Option<Timestamp>; 5] = [
            Some("2025-10-26T14:00:00Z".parse().unwrap()),
            None,
            None,
            Some("2025-10-26T14:36:00Z".parse().unwrap()),
            None,
        ];
        let known = Known {
            at: &at,
            from_timeline: [false; 5],
            pos: [(3, 13), (0, 0), (0, 0), (6, 15), (0, 0)],
        };
        let mut notes = Vec::new();
        let f = figures(&known, &stated(2, 31, 40), &mut notes);
        assert_eq!(
            f[2].map(|f| (f.minutes, f.source)),
            Some((36, Source::Timestamps))
        );
        assert_eq!(
            notes[0].2,
            "time to mitigate is stated as 31 min, but the timestamps give 36 min (started to mitigated, line 6); 36 min is used"
        );
    }

    fn fig(minutes: i64, source: Source, line: usize) -> Option<Figure> {
        Some(Figure {
            minutes,
            source,
            line,
            col: 3,
        })
    }

    #[test]
    fn implausible_figures_are_excluded_with_a_warning() {
        // Mitigated after resolved: the timeline's 8876 loses to the stated 30.
        let mut warnings = Vec::new();
        let (d, excluded) = plausible(
            [
                None,
                None,
                fig(8876, Source::Timeline, 30),
                fig(30, Source::Stated, 12),
            ],
            &[],
            30 * 1440,
            &mut warnings,
        );
        assert_eq!(d.time_to_mitigate, None);
        assert_eq!(d.time_to_resolve, Some(30));
        assert_eq!(excluded.len(), 1);
        assert_eq!(excluded[0].duration, "time_to_mitigate");
        assert_eq!(excluded[0].minutes, 8876);
        assert_eq!(
            warnings,
            [(
                30,
                3,
                "time to mitigate of 8876 min is implausible: mitigated after it was resolved (time to resolve 30 min); it is left out of the statistics (expected detected, mitigated and resolved in that order)".to_string()
            )]
        );
        // Equally trusted: both go. Over the bound: excluded.
        let mut warnings = Vec::new();
        let (d, excluded) = plausible(
            [
                fig(50, Source::Stated, 1),
                None,
                fig(20, Source::Stated, 2),
                fig(31 * 1440, Source::Stated, 3),
            ],
            &[],
            30 * 1440,
            &mut warnings,
        );
        assert_eq!(d, Durations::default());
        let keys: Vec<&str> = excluded.iter().map(|e| e.duration).collect();
        assert_eq!(
            keys,
            ["time_to_detect", "time_to_mitigate", "time_to_resolve"]
        );
        assert!(
            warnings[2].2.contains("over the bound of 30 days"),
            "{:?}",
            warnings[2]
        );
        // Out of order milestones: excluded without a second warning.
        let mut warnings = Vec::new();
        let (d, excluded) = plausible(
            [fig(-10, Source::Timestamps, 4), None, None, None],
            &[(0, 1)],
            30 * 1440,
            &mut warnings,
        );
        assert_eq!(d, Durations::default());
        assert_eq!(excluded[0].reason, "detected is recorded before started");
        assert!(warnings.is_empty());
    }
}
