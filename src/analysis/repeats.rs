//! Repeat incidents, and the `possible-repeat` check.
//!
//! An incident repeats an earlier one when they share a cause category (and, with
//! `repeats.require_same_service`, a service) and the earlier one started at most
//! `repeats.window_days` before. "Earlier" is by date, and on the same date by
//! `started_at` when both are known; two same-day incidents with no start times are not
//! ordered, so neither repeats the other. `repeat_of` names the most recent earlier
//! match, so repeats form chains (C → B → A) rather than stars.
//!
//! Near misses take part on both sides: a near miss is the cause coming back (caught in
//! time), and an incident after a near miss of the same cause is exactly the "we were
//! warned" case the archive should surface. Consumers that count only real incidents
//! can filter on `Incident::kind`.
//!
//! Post-mortems without cause labels repeat one another when both texts state the same
//! cause (an inferred taxonomy class, see `causes`) and their titles or root-cause texts
//! are alike, within the same window (`inferred_repeats`): the same chains and
//! banners, marked as inferred.
//!
//! `possible-repeat` warns when a post-mortem strongly resembles an earlier one that
//! neither references: labelled pairs need a shared cause, a shared service and similar
//! root-cause text; unlabelled pairs need a shared service and very similar text.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::references::Links;
use super::related::Pair;
use crate::config::RepeatsConfig;
use crate::diagnostics::Diagnostic;
use crate::model::{Incident, RepeatOf};

/// Cause-text cosine for a labelled possible repeat (shared cause and service): some
/// shared root-cause vocabulary (TF-IDF cosines of short texts are small; 0.04 is the
/// level where the terms shared are more than filler).
const LABELLED_TEXT_MIN: f32 = 0.04;
/// Cause-text cosine for a possible repeat when either incident has no cause label.
const UNLABELLED_TEXT_MIN: f32 = 0.25;

fn days_between(earlier: Date, later: Date) -> i64 {
    earlier
        .until(later)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(i64::MAX)
}

/// Is `a` strictly before `b`?
fn before(a: &Incident, b: &Incident) -> bool {
    match (a.date, b.date) {
        (Some(da), Some(db)) if da != db => da < db,
        (Some(_), Some(_)) => {
            matches!((a.started_at, b.started_at), (Some(sa), Some(sb)) if sa < sb)
        }
        _ => false,
    }
}

/// The order of incidents in time: date, start, then id so that it is total.
fn when(i: &Incident) -> (Option<Date>, Option<jiff::Timestamp>, &str) {
    (i.date, i.started_at, &i.id)
}

fn shares(a: &[String], b: &[String]) -> Option<String> {
    a.iter().find(|x| b.contains(x)).cloned()
}

/// `repeat_of` for every incident that repeats an earlier one.
pub fn repeats(incidents: &[Incident], config: &RepeatsConfig) -> BTreeMap<String, RepeatOf> {
    // Per cause, the dated incidents that have it, oldest first.
    let mut by_cause: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, incident) in incidents.iter().enumerate() {
        if incident.date.is_none() {
            continue;
        }
        let mut causes: Vec<&str> = incident.causes.iter().map(String::as_str).collect();
        causes.sort_unstable();
        causes.dedup();
        for cause in causes {
            by_cause.entry(cause).or_default().push(i);
        }
    }
    let chronological = |&a: &usize, &b: &usize| when(&incidents[a]).cmp(&when(&incidents[b]));
    for list in by_cause.values_mut() {
        list.sort_by(chronological);
    }
    let mut out = BTreeMap::new();
    for incident in incidents {
        let Some(date) = incident.date else { continue };
        let mut best: Option<usize> = None;
        for cause in &incident.causes {
            let Some(list) = by_cause.get(cause.as_str()) else {
                continue;
            };
            for &j in list.iter().rev() {
                let other = &incidents[j];
                let Some(other_date) = other.date else {
                    continue;
                };
                if other_date > date || !before(other, incident) {
                    continue;
                }
                if days_between(other_date, date) > config.window_days {
                    break;
                }
                if config.require_same_service
                    && shares(&incident.services, &other.services).is_none()
                {
                    continue;
                }
                if best.is_none_or(|b| chronological(&b, &j).is_lt()) {
                    best = Some(j);
                }
                break;
            }
        }
        if let Some(j) = best {
            let other = &incidents[j];
            let cause = shares(&incident.causes, &other.causes).unwrap_or_default();
            let days = days_between(other.date.unwrap_or(date), date);
            out.insert(
                incident.id.clone(),
                RepeatOf {
                    id: other.id.clone(),
                    cause,
                    days_between: days,
                    inferred: false,
                },
            );
        }
    }
    out
}

/// Title overlap (rarity-weighted, 0..1) that makes two unlabelled post-mortems of one
/// inferred cause a repeat: most of their telling title words are shared.
const INFERRED_TITLE_MIN: f64 = 0.5;
/// Title overlap of two post-mortems with (nearly) one title: enough when only one text
/// states a cause.
const SAME_TITLE: f64 = 0.9;

/// Repeats among post-mortems without cause labels: the most recent earlier one within
/// the window that states the same cause (`classes`: inferred classes per incident, as
/// related incidents compare them) and whose title or root-cause text is alike (its
/// neighbour pair in `pairs`); or that has one and the same title when only one of the
/// two texts states a cause. Labelled post-mortems are left to [`repeats`].
pub(crate) fn inferred_repeats(
    incidents: &[Incident],
    classes: &[Vec<(String, f64)>],
    pairs: &[Vec<Pair>],
    config: &RepeatsConfig,
) -> BTreeMap<String, RepeatOf> {
    let mut out = BTreeMap::new();
    for (i, incident) in incidents.iter().enumerate() {
        let Some(date) = incident.date else { continue };
        if !incident.causes.is_empty() {
            continue;
        }
        let mut best: Option<(usize, &str)> = None;
        for p in &pairs[i] {
            let other = &incidents[p.other];
            let Some(other_date) = other.date else {
                continue;
            };
            if !other.causes.is_empty()
                || !before(other, incident)
                || days_between(other_date, date) > config.window_days
            {
                continue;
            }
            if config.require_same_service && shares(&incident.services, &other.services).is_none()
            {
                continue;
            }
            let alike = p.title_sim >= INFERRED_TITLE_MIN || p.cause_sim >= UNLABELLED_TEXT_MIN;
            let shared = classes[i]
                .iter()
                .find(|(c, _)| classes[p.other].iter().any(|(o, _)| o == c))
                .or_else(|| {
                    // One and the same title, a cause stated in only one of the texts.
                    (p.title_sim >= SAME_TITLE
                        && (classes[i].is_empty() || classes[p.other].is_empty()))
                    .then(|| classes[p.other].first().or(classes[i].first()))
                    .flatten()
                });
            let (true, Some((class, _))) = (alike, shared) else {
                continue;
            };
            if best.is_none_or(|(b, _)| when(other) > when(&incidents[b])) {
                best = Some((p.other, class));
            }
        }
        if let Some((j, class)) = best {
            let other = &incidents[j];
            out.insert(
                incident.id.clone(),
                RepeatOf {
                    id: other.id.clone(),
                    cause: class.to_string(),
                    days_between: days_between(other.date.unwrap_or(date), date),
                    inferred: true,
                },
            );
        }
    }
    out
}

/// `possible-repeat` warnings: an earlier, strongly similar incident that the
/// post-mortem does not reference (nor is referenced by), within `warn_within_days`.
pub fn possible_repeats(
    incidents: &[Incident],
    pairs: &[Vec<Pair>],
    links: &Links,
    config: &RepeatsConfig,
) -> Vec<Diagnostic> {
    if config.warn_within_days <= 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, incident) in incidents.iter().enumerate() {
        let Some(date) = incident.date else { continue };
        let found = pairs[i].iter().find(|p| {
            let other = &incidents[p.other];
            if p.explicit() || links.contains(&(i, p.other)) || !before(other, incident) {
                return false;
            }
            if other
                .date
                .is_none_or(|d| days_between(d, date) > config.warn_within_days)
            {
                return false;
            }
            let service = shares(&incident.services, &other.services).is_some();
            let labelled = !incident.causes.is_empty() && !other.causes.is_empty();
            if labelled {
                service
                    && shares(&incident.causes, &other.causes).is_some()
                    && p.cause_sim >= LABELLED_TEXT_MIN
            } else {
                service && p.cause_sim >= UNLABELLED_TEXT_MIN
            }
        });
        let Some(p) = found else { continue };
        let other = &incidents[p.other];
        let mut evidence = Vec::new();
        if let Some(cause) = shares(&incident.causes, &other.causes) {
            evidence.push(format!("same cause {cause}"));
        }
        if let Some(service) = shares(&incident.services, &other.services) {
            evidence.push(format!("same service {service}"));
        }
        evidence.push("similar root cause text".to_string());
        let when = other.date.map(|d| d.to_string()).unwrap_or_default();
        out.push(Diagnostic::warning(
            "possible-repeat",
            incident.source.clone(),
            0,
            0,
            format!(
                "looks like a repeat of {} ({when}, {}): {} — add it under Related Incidents?",
                other.id,
                other.title,
                evidence.join(", ")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(id: &str, date: &str, causes: &[&str], services: &[&str]) -> Incident {
        Incident {
            id: id.into(),
            date: Some(date.parse().unwrap()),
            causes: causes.iter().map(|s| s.to_string()).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn config(window_days: i64, require_same_service: bool) -> RepeatsConfig {
        RepeatsConfig {
            window_days,
            require_same_service,
            ..Default::default()
        }
    }

    #[test]
    fn chains_point_to_the_most_recent_earlier_match() {
        let incidents = vec![
            incident("c", "2025-03-01", &["leak"], &["api"]),
            incident("b", "2025-02-01", &["leak", "dns"], &["db"]),
            incident("a", "2025-01-01", &["leak"], &["api"]),
            incident("d", "2024-06-01", &["leak"], &["api"]),
        ];
        let r = repeats(&incidents, &config(90, false));
        assert_eq!(
            r["c"],
            RepeatOf {
                id: "b".into(),
                cause: "leak".into(),
                days_between: 28,
                inferred: false
            }
        );
        assert_eq!(
            r["b"],
            RepeatOf {
                id: "a".into(),
                cause: "leak".into(),
                days_between: 31,
                inferred: false
            }
        );
        assert!(
            !r.contains_key("a"),
            "d is 214 days before a: outside the window"
        );
        assert!(!r.contains_key("d"));
        let r = repeats(&incidents, &config(90, true));
        assert_eq!(r["c"].id, "a", "b shares no service with c");
        assert!(!r.contains_key("b"));
        assert_eq!(r["c"].days_between, 59);
    }

    #[test]
    fn same_day_needs_start_times_to_order() {
        let mut incidents = vec![
            incident("x", "2025-01-01", &["leak"], &[]),
            incident("y", "2025-01-01", &["leak"], &[]),
        ];
        assert!(repeats(&incidents, &config(90, false)).is_empty());
        incidents[0].started_at = Some("2025-01-01T10:00:00Z".parse().unwrap());
        incidents[1].started_at = Some("2025-01-01T08:00:00Z".parse().unwrap());
        let r = repeats(&incidents, &config(90, false));
        assert_eq!(
            r["x"],
            RepeatOf {
                id: "y".into(),
                cause: "leak".into(),
                days_between: 0,
                inferred: false
            }
        );
        assert_eq!(r.len(), 1);
    }
}
