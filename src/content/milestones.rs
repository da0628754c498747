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
//! detection); time to mitigate and time to resolve are measured from the start. When a
//! duration cannot be computed from timestamps, the duration stated in words ("Time to
//! mitigate: 15 minutes", Kehoe TTD/TTM/TTR) is used. Anything else stays unknown.

use jiff::Timestamp;

use crate::content::time::minutes_between;
use crate::model::{Durations, TimelineEvent};

/// The five milestones with the line that gave each, in the order started, detected,
/// acknowledged, mitigated, resolved.
pub type Milestones = [Option<(Timestamp, usize)>; 5];

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
pub fn from_timeline(events: &[TimelineEvent]) -> Milestones {
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

/// Durations from the final milestones, falling back to durations stated in words.
pub fn durations(at: &[Option<Timestamp>; 5], stated: Durations) -> Durations {
    let [started, detected, acknowledged, mitigated, resolved] = *at;
    Durations {
        time_to_detect: minutes_between(started, detected).or(stated.time_to_detect),
        time_to_acknowledge: minutes_between(detected, acknowledged).or(stated.time_to_acknowledge),
        time_to_mitigate: minutes_between(started, mitigated).or(stated.time_to_mitigate),
        time_to_resolve: minutes_between(started, resolved).or(stated.time_to_resolve),
    }
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
        let mins: Vec<Option<usize>> = m.iter().map(|x| x.map(|(_, l)| l)).collect();
        assert_eq!(mins, [Some(0), Some(7), Some(9), Some(20), Some(40)]);
        let at = m.map(|x| x.map(|(t, _)| t));
        let d = durations(
            &at,
            Durations {
                time_to_detect: Some(99),
                ..Default::default()
            },
        );
        assert_eq!(
            d,
            Durations {
                time_to_detect: Some(7),
                time_to_acknowledge: Some(2),
                time_to_mitigate: Some(20),
                time_to_resolve: Some(40)
            }
        );
    }

    #[test]
    fn stated_durations_fill_gaps_only() {
        let stated = Durations {
            time_to_mitigate: Some(15),
            ..Default::default()
        };
        assert_eq!(durations(&[None; 5], stated), stated);
    }
}
