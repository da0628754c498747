//! Causes inferred from each post-mortem's text with the failure-mode taxonomy
//! (`taxonomy`), kept apart from the causes authors wrote: they are shown as inferred,
//! with the sentence they rest on, and feed related incidents as a feature of their own.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Incident, InferredCause};
use crate::taxonomy::{self, Taxonomy};
use crate::words::clip;

/// The inferred causes of every incident, in archive order.
pub fn infer_all(incidents: &[Incident], taxonomy: &Taxonomy) -> Vec<Vec<InferredCause>> {
    incidents
        .par_iter()
        .map(|incident| taxonomy::infer(incident, taxonomy))
        .collect()
}

/// What analysis infers for every incident when nothing is cached
/// ([`infer_all_cached`] with an empty cache): its causes ([`infer_all`]'s) and the
/// classes of its *possible* ones, from one reading of its text.
pub fn infer_all_possible(
    incidents: &[Incident],
    taxonomy: &Taxonomy,
) -> (Vec<Vec<InferredCause>>, Vec<Vec<String>>) {
    infer_all_cached(incidents, taxonomy, &super::text::FeatureCache::new())
}

/// Each incident's inferred causes (`infer_all`) and the classes of its *possible*
/// ones, below the cut-off (`taxonomy::infer_possible`), taking both from its cached
/// features when they were inferred before (see `text::DocFeatures::inferred`): one
/// reading of the text serves both.
pub(crate) fn infer_all_cached(
    incidents: &[Incident],
    taxonomy: &Taxonomy,
    cache: &super::text::FeatureCache,
) -> (Vec<Vec<InferredCause>>, Vec<Vec<String>>) {
    incidents
        .par_iter()
        .map(|incident| {
            let all = match cache.get(&incident.id) {
                Some(doc) => doc
                    .inferred
                    .get_or_init(|| taxonomy::infer_possible(incident, taxonomy))
                    .clone(),
                None => taxonomy::infer_possible(incident, taxonomy),
            };
            split_possible(all, taxonomy.min_confidence)
        })
        .unzip()
}

/// Causes at or above `min` (kept whole), and the classes of the rest.
pub(crate) fn split_possible(
    mut all: Vec<InferredCause>,
    min: f64,
) -> (Vec<InferredCause>, Vec<String>) {
    // Strongest first, so the causes above the cut-off are a prefix.
    let sure = all.iter().take_while(|c| c.confidence >= min).count();
    let possible = all.split_off(sure).into_iter().map(|c| c.class).collect();
    (all, possible)
}

/// What related incidents compare: each incident's inferred classes with their
/// confidence. A post-mortem whose authors labelled its causes is compared by its
/// labels instead, so its inferred classes are left out here.
pub fn class_sets(
    incidents: &[Incident],
    inferred: &[Vec<InferredCause>],
) -> Vec<Vec<(String, f64)>> {
    incidents
        .iter()
        .zip(inferred)
        .map(|(incident, causes)| {
            if incident.causes.is_empty() {
                causes
                    .iter()
                    .map(|c| (c.class.clone(), c.confidence))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Keyed by incident id, leaving out incidents with none.
pub(crate) fn by_id<T>(incidents: &[Incident], inferred: Vec<Vec<T>>) -> BTreeMap<String, Vec<T>> {
    incidents
        .iter()
        .zip(inferred)
        .filter(|(_, causes)| !causes.is_empty())
        .map(|(incident, causes)| (incident.id.clone(), causes))
        .collect()
}

/// An `inferred-cause` note for every unlabelled post-mortem whose text states a cause,
/// at the line of the strongest evidence when it is known: what a reviewer could label.
pub(crate) fn notes(incidents: &[Incident], inferred: &[Vec<InferredCause>]) -> Vec<Diagnostic> {
    incidents
        .iter()
        .zip(inferred)
        .filter(|(incident, causes)| incident.causes.is_empty() && !causes.is_empty())
        .map(|(incident, causes)| {
            let line = causes[0].evidence.first().and_then(|e| e.line).unwrap_or(0);
            let listed: Vec<String> = causes
                .iter()
                .map(|c| match c.evidence.first() {
                    Some(e) => format!(
                        "{} ({:.0}%, {}: “{}”)",
                        c.class,
                        c.confidence * 100.0,
                        e.section.as_str(),
                        clip(&e.sentence, 80)
                    ),
                    None => format!("{} ({:.0}%)", c.class, c.confidence * 100.0),
                })
                .collect();
            Diagnostic::note(
                "inferred-cause",
                incident.source.clone(),
                line,
                0,
                format!(
                    "no cause label; the text states: {} — add `causes: [{}]` if it fits",
                    listed.join("; "),
                    causes[0].class
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_inferred_with_the_possible_ones_are_the_reported_causes_and_the_rest() {
        let taxonomy = Taxonomy::builtin_ref();
        let incident = Incident {
            id: "a".into(),
            title: "Checkout down".into(),
            root_cause: Some(
                "Both utility feeds failed and the generators did not start, so the data centre lost power."
                    .into(),
            ),
            summary: Some("DNS lookups failed for internal names.".into()),
            ..Default::default()
        };
        let incidents = [incident];
        let (reported, possible) = infer_all_possible(&incidents, taxonomy);
        assert_eq!(reported, infer_all(&incidents, taxonomy));
        assert_eq!(reported[0][0].class, "power-failure");
        assert_eq!(possible, [vec!["dns".to_string()]]);
    }
}
