//! Cause suggestions for incidents that have no cause category: a weighted vote of the
//! labelled incidents whose texts are most similar. Suggestions are kept apart from
//! `Incident::causes` and are never written into them; they are shown as suggestions.
//!
//! Only text similarity votes (not shared services or links), so a suggestion says "the
//! post-mortems that read like this one were labelled X". A cause is suggested when it
//! gathers at least `MIN_SHARE` of the vote; at most `MAX_SUGGESTIONS` are given.

use std::collections::BTreeMap;

use super::related::{Pair, round3};
use crate::model::{CauseSuggestion, Incident};

/// Labelled neighbours that vote.
const VOTERS: usize = 7;
/// A neighbour below this text similarity does not vote.
const MIN_SIMILARITY: f64 = 0.05;
/// Share of the vote a cause needs to be suggested.
const MIN_SHARE: f64 = 0.25;
const MAX_SUGGESTIONS: usize = 3;
/// Neighbours named as the source of one suggestion.
const MAX_SOURCES: usize = 5;

/// Suggestions for every unlabelled incident that has labelled neighbours.
pub fn suggest(
    incidents: &[Incident],
    pairs: &[Vec<Pair>],
) -> BTreeMap<String, Vec<CauseSuggestion>> {
    let mut out = BTreeMap::new();
    for (i, incident) in incidents.iter().enumerate() {
        if !incident.causes.is_empty() {
            continue;
        }
        let suggestions = suggest_one(incidents, &pairs[i]);
        if !suggestions.is_empty() {
            out.insert(incident.id.clone(), suggestions);
        }
    }
    out
}

fn suggest_one(incidents: &[Incident], pairs: &[Pair]) -> Vec<CauseSuggestion> {
    let mut voters: Vec<(f64, usize)> = pairs
        .iter()
        .filter(|p| !incidents[p.other].causes.is_empty())
        .map(|p| (p.text_similarity(), p.other))
        .filter(|&(s, _)| s >= MIN_SIMILARITY)
        .collect();
    voters.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| incidents[a.1].id.cmp(&incidents[b.1].id))
    });
    voters.truncate(VOTERS);
    let total: f64 = voters.iter().map(|v| v.0).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut votes: BTreeMap<&str, (f64, Vec<usize>)> = BTreeMap::new();
    for &(weight, j) in &voters {
        let causes = &incidents[j].causes;
        let mut seen = std::collections::BTreeSet::new();
        for cause in causes.iter().filter(|c| seen.insert(c.as_str())) {
            // A neighbour with two causes gives each its full weight: both may apply.
            let entry = votes.entry(cause.as_str()).or_default();
            entry.0 += weight;
            entry.1.push(j);
        }
    }
    let mut suggestions: Vec<CauseSuggestion> = votes
        .into_iter()
        .map(|(cause, (weight, from))| CauseSuggestion {
            cause: cause.to_string(),
            score: round3(weight / total),
            from: from
                .into_iter()
                .take(MAX_SOURCES)
                .map(|j| incidents[j].id.clone())
                .collect(),
        })
        .filter(|s| s.score >= MIN_SHARE)
        .collect();
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.cause.cmp(&b.cause))
    });
    suggestions.truncate(MAX_SUGGESTIONS);
    suggestions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(other: usize, sim: f32) -> Pair {
        Pair {
            other,
            score: 0.0,
            cause_sim: sim,
            whole_sim: sim,
            inferred: None,
            title_sim: 0.0,
            refers: false,
            referred_by: false,
        }
    }

    #[test]
    fn weighted_vote_of_labelled_neighbours() {
        let mk = |id: &str, causes: &[&str]| Incident {
            id: id.into(),
            causes: causes.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        };
        let incidents = vec![
            mk("x", &[]),
            mk("a", &["leak"]),
            mk("b", &["leak"]),
            mk("c", &["cert"]),
            mk("d", &[]),
        ];
        let pairs = vec![
            vec![pair(1, 0.6), pair(4, 0.9), pair(2, 0.3), pair(3, 0.1)],
            vec![],
            vec![],
            vec![],
            vec![],
        ];
        let all = suggest(&incidents, &pairs);
        let s = &all["x"];
        assert_eq!(
            s.len(),
            1,
            "votes are √similarity: cert has √0.1 / (√0.6 + √0.3 + √0.1) ≈ 0.19 of the vote, below the share: {s:?}"
        );
        assert_eq!(s[0].cause, "leak");
        assert_eq!(s[0].score, 0.807, "(√0.6 + √0.3) / (√0.6 + √0.3 + √0.1)");
        assert_eq!(s[0].from, vec!["a", "b"]);
        assert!(
            !all.contains_key("a"),
            "labelled incidents get no suggestions"
        );
        assert!(
            !all.contains_key("d"),
            "no labelled neighbours, no suggestion"
        );
    }
}
