//! The cause classes both searches record for each incident, so that `cause:dns` and a
//! plain-word query such as "lost power" find post-mortems by cause whether their
//! authors labelled it or hindsight inferred it from the text.
//!
//! An incident's classes are its cause labels that the taxonomy knows (by id, alias or a
//! site's `[causes] map`) or, when its authors wrote no cause label, the causes inferred
//! from its text (`crate::taxonomy::infer`) at or above the taxonomy's
//! `min_confidence`. Labels the taxonomy does not know stay searchable as labels
//! (`cause:` compares them exactly).
//!
//! An unlabelled incident also has *possible* classes: those its text suggests below the
//! cut-off, down to `taxonomy::POSSIBLE_CONFIDENCE`. They are never shown as causes and
//! `cause:` does not filter by them; a query whose words describe a cause finds them
//! too, at `weights::CAUSE_POSSIBLE` of a class's score, so they rank after the incidents
//! of that cause and still make the first page when there are few of those.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Incident, InferredCause, Insights};
use crate::taxonomy::Taxonomy;

/// Where an incident's inferred causes come from: already inferred by the build's
/// analysis, or inferred on demand (for the few files `hindsight search` re-reads).
pub struct Causes<'a> {
    taxonomy: &'a Taxonomy,
    known: Option<Known<'a>>,
}

/// Causes analysis inferred, by incident id: above the cut-off, and the possible ones.
struct Known<'a> {
    inferred: HashMap<&'a str, &'a [InferredCause]>,
    possible: HashMap<&'a str, &'a [String]>,
}

impl<'a> Known<'a> {
    fn of(
        inferred: impl Iterator<Item = (&'a str, &'a [InferredCause])>,
        possible: &'a BTreeMap<String, Vec<String>>,
    ) -> Self {
        Known {
            inferred: inferred.collect(),
            possible: possible
                .iter()
                .map(|(id, classes)| (id.as_str(), classes.as_slice()))
                .collect(),
        }
    }
}

impl<'a> Causes<'a> {
    /// Infer on demand with `taxonomy`.
    pub fn new(taxonomy: &'a Taxonomy) -> Self {
        Causes {
            taxonomy,
            known: None,
        }
    }

    /// Use the causes already inferred for `incidents` (in the same order) and the
    /// possible ones by id; an incident not among them has none.
    #[cfg(test)]
    pub(crate) fn inferred(
        taxonomy: &'a Taxonomy,
        incidents: &'a [Incident],
        inferred: &'a [Vec<InferredCause>],
        possible: &'a BTreeMap<String, Vec<String>>,
    ) -> Self {
        let known = incidents
            .iter()
            .zip(inferred)
            .map(|(i, causes)| (i.id.as_str(), causes.as_slice()));
        Causes {
            taxonomy,
            known: Some(Known::of(known, possible)),
        }
    }

    /// Use the causes analysis inferred ([`Insights::inferred_causes`] and
    /// [`Insights::possible_causes`]).
    pub fn from_insights(taxonomy: &'a Taxonomy, insights: &'a Insights) -> Self {
        let known = insights
            .inferred_causes
            .iter()
            .map(|(id, causes)| (id.as_str(), causes.as_slice()));
        Causes {
            taxonomy,
            known: Some(Known::of(known, &insights.possible_causes)),
        }
    }

    pub(crate) fn taxonomy(&self) -> &'a Taxonomy {
        self.taxonomy
    }

    /// The incident's class ids and its possible ones (none of them a class), each
    /// sorted and without repeats.
    pub(crate) fn graded(&self, incident: &Incident) -> (Vec<String>, Vec<String>) {
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
            return (out, Vec::new());
        }
        let min = self.taxonomy.min_confidence;
        let floor = self.taxonomy.possible_floor();
        let mut possible: Vec<String> = Vec::new();
        let mut add = |inferred: &[InferredCause]| {
            for c in inferred {
                if c.confidence >= min {
                    out.push(c.class.clone());
                } else if c.confidence >= floor {
                    possible.push(c.class.clone());
                }
            }
        };
        match &self.known {
            Some(known) => {
                let id = incident.id.as_str();
                add(known.inferred.get(id).copied().unwrap_or_default());
                possible.extend(
                    known
                        .possible
                        .get(id)
                        .into_iter()
                        .flat_map(|p| p.iter().cloned()),
                );
            }
            None => add(&crate::taxonomy::infer_possible(incident, self.taxonomy)),
        }
        out.sort();
        out.dedup();
        possible.sort();
        possible.dedup();
        possible.retain(|c| out.binary_search(c).is_err());
        (out, possible)
    }

    /// A stable digest of the taxonomy (classes, names, phrases, cut-offs): an index made
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
    eat(taxonomy.possible_floor().to_string().as_bytes());
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
        assert_eq!(Causes::new(taxonomy).graded(&incident).0, ["dns"]);
        let mut unlabelled = incident.clone();
        unlabelled.causes.clear();
        assert_eq!(
            Causes::new(taxonomy).graded(&unlabelled).0,
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
        let possible = BTreeMap::from([("a".to_string(), vec!["dns".to_string()])]);
        let causes = Causes::inferred(taxonomy, &incidents, &known, &possible);
        assert_eq!(causes.graded(&unlabelled).0, ["cache"]);
        // The possible classes analysis found are kept apart.
        assert_eq!(
            causes.graded(&unlabelled),
            (vec!["cache".to_string()], vec!["dns".to_string()])
        );
    }

    #[test]
    fn causes_below_the_cut_off_are_possible_classes_of_unlabelled_post_mortems() {
        let taxonomy = Taxonomy::builtin_ref();
        // The root cause states a power loss; the summary mentions DNS lookups failing,
        // a symptom far below it.
        let mut incident = Incident {
            id: "a".into(),
            title: "Checkout down".into(),
            root_cause: Some(
                "The data centre lost power when both utility feeds failed and the generators did not start."
                    .into(),
            ),
            summary: Some("DNS lookups failed for internal names.".into()),
            ..Default::default()
        };
        let inferred = crate::taxonomy::infer_possible(&incident, taxonomy);
        let dns = inferred
            .iter()
            .find(|c| c.class == "dns")
            .map(|c| c.confidence);
        assert!(
            dns.is_some_and(|c| c < taxonomy.min_confidence && c >= taxonomy.possible_floor()),
            "{inferred:?}"
        );
        let (classes, possible) = Causes::new(taxonomy).graded(&incident);
        assert_eq!(
            (classes.as_slice(), possible.as_slice()),
            (&["power-failure".to_string()][..], &["dns".to_string()][..])
        );
        // Authors' labels are facts: nothing is possible beside them.
        incident.causes = vec!["power-failure".into()];
        assert_eq!(
            Causes::new(taxonomy).graded(&incident),
            (vec!["power-failure".to_string()], Vec::new())
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
