//! The cause classes both searches record for each incident, so that `cause:dns` and a
//! plain-word query such as "lost power" find post-mortems by cause whether their
//! authors labelled it or hindsight inferred it from the text.
//!
//! An incident's classes are its cause labels that the taxonomy knows (by id, alias or a
//! site's `[causes] map`) or, when its authors wrote no cause label, the causes inferred
//! from its text (`crate::taxonomy::infer`) at or above the taxonomy's
//! `min_confidence`. Labels the taxonomy does not know stay searchable as labels
//! (`cause:` compares them exactly).

use std::collections::HashMap;

use crate::model::{Incident, InferredCause};
use crate::taxonomy::Taxonomy;

/// Where an incident's inferred causes come from: already inferred by the build's
/// analysis, or inferred on demand (for the few files `hindsight search` re-reads).
pub struct Causes<'a> {
    taxonomy: &'a Taxonomy,
    known: Option<HashMap<&'a str, &'a [InferredCause]>>,
}

impl<'a> Causes<'a> {
    /// Infer on demand with `taxonomy`.
    pub fn new(taxonomy: &'a Taxonomy) -> Self {
        Causes {
            taxonomy,
            known: None,
        }
    }

    /// Use the causes already inferred for `incidents` (in the same order); an incident
    /// not among them has none.
    #[cfg(test)]
    pub(crate) fn inferred(
        taxonomy: &'a Taxonomy,
        incidents: &'a [Incident],
        inferred: &'a [Vec<InferredCause>],
    ) -> Self {
        let known = incidents
            .iter()
            .zip(inferred)
            .map(|(i, causes)| (i.id.as_str(), causes.as_slice()))
            .collect();
        Causes {
            taxonomy,
            known: Some(known),
        }
    }

    /// Use the causes analysis inferred ([`crate::model::Insights::inferred_causes`]).
    pub fn from_insights(
        taxonomy: &'a Taxonomy,
        inferred: &'a std::collections::BTreeMap<String, Vec<InferredCause>>,
    ) -> Self {
        Causes {
            taxonomy,
            known: Some(
                inferred
                    .iter()
                    .map(|(id, causes)| (id.as_str(), causes.as_slice()))
                    .collect(),
            ),
        }
    }

    pub(crate) fn taxonomy(&self) -> &'a Taxonomy {
        self.taxonomy
    }

    /// The incident's class ids, sorted and without repeats.
    pub(crate) fn classes(&self, incident: &Incident) -> Vec<String> {
        let mut out: Vec<String> = incident
            .causes
            .iter()
            .filter_map(|label| self.taxonomy.resolve(label))
            .map(|class| class.id.clone())
            .collect();
        // Labels the authors wrote are facts: a labelled post-mortem is found by them
        // alone (as related incidents compare it), an unlabelled one by what its text says.
        if !incident.causes.is_empty() {
            out.sort();
            out.dedup();
            return out;
        }
        let min = self.taxonomy.min_confidence;
        let mut add = |inferred: &[InferredCause]| {
            out.extend(
                inferred
                    .iter()
                    .filter(|c| c.confidence >= min)
                    .map(|c| c.class.clone()),
            );
        };
        match &self.known {
            Some(known) => add(known.get(incident.id.as_str()).copied().unwrap_or_default()),
            None => add(&crate::taxonomy::infer(incident, self.taxonomy)),
        }
        out.sort();
        out.dedup();
        out
    }

    /// A stable digest of the taxonomy (classes, names, phrases, cut-off): an index made
    /// with another taxonomy is rebuilt.
    pub(crate) fn fingerprint(&self) -> String {
        fingerprint(self.taxonomy)
    }
}

/// See [`Causes::fingerprint`].
pub(crate) fn fingerprint(taxonomy: &Taxonomy) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&serde_json::to_vec(&taxonomy.families).unwrap_or_default());
    eat(&serde_json::to_vec(&taxonomy.classes).unwrap_or_default());
    eat(taxonomy.min_confidence.to_string().as_bytes());
    format!("{h:016x}")
}

/// What a `cause:` value names: a class or a family of the taxonomy (the class ids it
/// stands for), or nothing the taxonomy knows.
pub(crate) fn classes_named(taxonomy: &Taxonomy, name: &str) -> Vec<String> {
    if let Some(class) = taxonomy.resolve(name) {
        return vec![class.id.clone()];
    }
    match taxonomy.family(name) {
        Some(family) => taxonomy
            .classes_of(&family.id)
            .map(|c| c.id.clone())
            .collect(),
        None => Vec::new(),
    }
}

/// A query's free text matched against the taxonomy: the classes it names or describes
/// clearly enough to search by ("lost power", "bad rollout", "dns broken"), with their
/// score. A word that is only part of a class's name ("space") is not enough: it stays a
/// word search.
pub fn classes_described(taxonomy: &Taxonomy, text: &str) -> Vec<(String, String, f64)> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    taxonomy
        .match_query(text)
        .into_iter()
        .filter(|(_, score)| *score >= DESCRIBED_MIN)
        .take(MAX_DESCRIBED)
        .map(|(class, score)| (class.id.clone(), class.title.clone(), score))
        .collect()
}

/// Least `match_query` score for a query to search by a class: a phrase of the class
/// (0.95 × its weight) or one of its names, not a weak phrase or a part of a name.
pub(crate) const DESCRIBED_MIN: f64 = 0.6;
/// At most this many classes from one query.
pub(crate) const MAX_DESCRIBED: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_and_inferred_causes_count_above_the_cut_off() {
        let taxonomy = Taxonomy::builtin_ref();
        let incident = Incident {
            id: "a".into(),
            title: "Checkout down".into(),
            causes: vec!["DNS".into(), "our-own-label".into()],
            root_cause: Some(
                "The data centre lost power when both utility feeds failed and the generators did not start."
                    .into(),
            ),
            ..Default::default()
        };
        // Labelled: the labels the taxonomy knows, nothing inferred.
        assert_eq!(Causes::new(taxonomy).classes(&incident), ["dns"]);
        let mut unlabelled = incident.clone();
        unlabelled.causes.clear();
        assert_eq!(
            Causes::new(taxonomy).classes(&unlabelled),
            ["power-failure"],
            "the root cause states a power loss"
        );
        // Known inferred causes are used as given, below the cut-off left out.
        let known = vec![vec![
            InferredCause {
                class: "cache".into(),
                family: "data".into(),
                title: "Cache".into(),
                confidence: 0.9,
                evidence: Vec::new(),
            },
            InferredCause {
                class: "clock-skew".into(),
                family: "time".into(),
                title: "Clock skew".into(),
                confidence: 0.1,
                evidence: Vec::new(),
            },
        ]];
        let incidents = [unlabelled.clone()];
        assert_eq!(
            Causes::inferred(taxonomy, &incidents, &known).classes(&unlabelled),
            ["cache"]
        );
    }

    #[test]
    fn plain_words_describe_classes_and_names_resolve() {
        let taxonomy = Taxonomy::builtin_ref();
        let top = |q: &str| classes_described(taxonomy, q).first().map(|c| c.0.clone());
        assert_eq!(top("dns").as_deref(), Some("dns"));
        assert!(top("lost power").is_some_and(|c| c.starts_with("power")));
        assert_eq!(
            top("dns broken").as_deref(),
            Some("dns"),
            "a name among other words"
        );
        assert_eq!(
            top("payments"),
            None,
            "a word that names no cause stays a word search"
        );
        assert_eq!(classes_named(taxonomy, "DNS"), ["dns"]);
        assert_eq!(
            classes_named(taxonomy, "physical"),
            ["hardware-failure", "power-failure", "cooling-failure"],
            "a family names its classes"
        );
        assert!(classes_named(taxonomy, "no-such-cause").is_empty());
        assert_eq!(fingerprint(taxonomy), fingerprint(Taxonomy::builtin_ref()));
    }
}
