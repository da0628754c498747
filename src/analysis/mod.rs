//! Analysis over the whole archive: related incidents, repeats, cause suggestions, trends.
pub mod causes;
pub mod eval;
pub mod generic;
pub mod references;
pub mod related;
pub mod repeats;
pub mod suggest;
pub mod text;
pub mod trends;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{Archive, Insights};
use crate::taxonomy::Taxonomy;

/// Related incidents, repeats and cause suggestions for the whole archive, with the
/// `unresolved-reference` and `possible-repeat` warnings and `cause-suggestion` notes.
pub(crate) fn analyse(config: &Config, archive: &Archive) -> (Insights, Vec<Diagnostic>) {
    analyse_with(config, archive, &related::Params::default())
}

/// `analyse` with explicit neighbour-search parameters (used by the evaluation).
pub fn analyse_with(
    config: &Config,
    archive: &Archive,
    params: &related::Params,
) -> (Insights, Vec<Diagnostic>) {
    analyse_cached(config, archive, params, &mut text::FeatureCache::default())
}

/// `analyse_with`, reusing the tokenised texts in `cache` (see `text::FeatureCache`):
/// `serve` keeps one between rebuilds. Same result as without a cache.
pub(crate) fn analyse_cached(
    config: &Config,
    archive: &Archive,
    params: &related::Params,
    cache: &mut text::FeatureCache,
) -> (Insights, Vec<Diagnostic>) {
    let incidents = &archive.incidents;
    let references::Resolved {
        links,
        mut diagnostics,
        file_links,
    } = references::resolve_all(incidents);
    let model = text::TextModel::build_cached(incidents, cache);
    // The site opened with a checked `[causes]`; a config that was not (a library caller)
    // falls back to the builtin taxonomy.
    let taxonomy = Taxonomy::for_config(config)
        .unwrap_or_else(|_| std::borrow::Cow::Borrowed(Taxonomy::builtin_ref()));
    let inferred = causes::infer_all_cached(incidents, &taxonomy, cache);
    let classes = causes::class_sets(incidents, &inferred);
    let pairs = related::neighbours(incidents, &model, &links, params, &classes);
    let related = related::related_lists(
        incidents,
        &model,
        &pairs,
        config.related.max,
        config.related.min_score,
        &inferred,
    );
    let cause_suggestions = suggest::suggest(incidents, &pairs);
    for (id, suggestions) in &cause_suggestions {
        let Some(incident) = archive.get(id) else {
            continue;
        };
        let listed: Vec<String> = suggestions
            .iter()
            .map(|s| {
                format!(
                    "{} ({:.0}%, like {})",
                    s.cause,
                    s.score * 100.0,
                    s.from.join(", ")
                )
            })
            .collect();
        diagnostics.push(Diagnostic::note(
            "cause-suggestion",
            incident.source.clone(),
            0,
            0,
            format!(
                "no cause category; similar post-mortems suggest: {} — add `causes:` if one fits",
                listed.join("; ")
            ),
        ));
    }
    diagnostics.extend(causes::notes(incidents, &inferred));
    let mut repeat_of = repeats::repeats(incidents, &config.repeats);
    repeat_of.extend(repeats::inferred_repeats(
        incidents,
        &classes,
        &pairs,
        &config.repeats,
    ));
    diagnostics.extend(repeats::possible_repeats(
        incidents,
        &pairs,
        &links,
        &config.repeats,
    ));
    (
        Insights {
            related,
            repeat_of,
            cause_suggestions,
            inferred_causes: causes::by_id(incidents, inferred),
            file_links,
        },
        diagnostics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Incident;

    fn incident(id: &str, root_cause: &str) -> Incident {
        Incident {
            id: id.into(),
            title: format!("Outage {id}"),
            date: Some(jiff::civil::date(2025, 1, 1)),
            root_cause: Some(root_cause.into()),
            ..Default::default()
        }
    }

    /// serve's cache (features and inferred causes) gives what a fresh analysis gives,
    /// after an edit whose id the owner removed from the cache.
    #[test]
    fn a_cached_analysis_equals_a_fresh_one_after_an_edit() {
        let config = Config::default();
        let params = related::Params::default();
        let mut archive = Archive::new(vec![
            incident("a", "The TLS certificate on the gateway expired."),
            incident("b", "A DNS zone push removed the records."),
            incident("c", "The data centre lost power when the generator failed."),
        ]);
        let mut cache = text::FeatureCache::default();
        let first = analyse_cached(&config, &archive, &params, &mut cache);
        assert_eq!(first.0, analyse(&config, &archive).0);
        assert!(cache["c"].inferred.get().is_some(), "causes are cached");
        assert_eq!(first.0.inferred_causes["c"][0].class, "power-failure");
        archive.incidents[2].root_cause =
            Some("Name resolution failed: the DNS resolvers stopped answering lookups.".into());
        cache.remove("c");
        let second = analyse_cached(&config, &archive, &params, &mut cache);
        assert_eq!(second.0, analyse(&config, &archive).0);
        assert_eq!(second.0.inferred_causes["c"][0].class, "dns");
    }
}
