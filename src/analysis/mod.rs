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
    let timed = crate::progress::timed;
    let t = timed("analysing: references");
    let references::Resolved {
        links,
        mut diagnostics,
        file_links,
    } = references::resolve_all(incidents);
    drop(t);
    let t = timed("analysing: text features");
    let model = text::TextModel::build_cached(incidents, cache);
    drop(t);
    let t = timed("analysing: inferred causes");
    // The site opened with a checked `[causes]`; a config that was not (a library caller)
    // falls back to the builtin taxonomy.
    let taxonomy = Taxonomy::for_config(config)
        .unwrap_or_else(|_| std::borrow::Cow::Borrowed(Taxonomy::builtin_ref()));
    let (inferred, possible) = causes::infer_all_cached(incidents, &taxonomy, cache);
    let classes = causes::class_sets(incidents, &inferred);
    drop(t);
    let t = timed("analysing: neighbours");
    let pairs = related::neighbours(incidents, &model, &links, params, &classes);
    drop(t);
    let t = timed("analysing: related lists, suggestions, repeats");
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
    drop(t);
    (
        Insights {
            related,
            repeat_of,
            cause_suggestions,
            inferred_causes: causes::by_id(incidents, inferred),
            possible_causes: causes::by_id(incidents, possible),
            file_links,
        },
        diagnostics,
    )
}

/// Layout of a features entry ([`text::DocFeatures::encode`]); part of the salt.
const FEATURES_FORMAT: &[u8] = b"features 2";

/// [`analyse`], with each incident's words and inferred causes read back from the build
/// cache in `dir` when an earlier build computed them (see [`crate::store`]), and the
/// ones computed here left there. `keys` gives each incident's key: the key of the file
/// it was parsed from, since its words and causes depend on that file alone (and on
/// the configuration and executable, in the salt). The result is `analyse`'s. Also
/// says how many incidents were read back, and why the cache was not used in part.
pub(crate) fn analyse_stored(
    config: &Config,
    archive: &Archive,
    keys: &std::collections::HashMap<String, crate::store::Key>,
    dir: &std::path::Path,
) -> (Insights, Vec<Diagnostic>, usize, Option<String>) {
    use std::sync::Arc;
    let salt = crate::store::executable_id().and_then(|exe| {
        let mut salt = FEATURES_FORMAT.to_vec();
        salt.extend(exe);
        salt.extend(serde_json::to_vec(config).ok()?);
        Some(salt)
    });
    // Analysis keeps words by incident id: an archive whose ids are not unique (a
    // `duplicate-id` error, so nothing is published) is analysed without the cache, so
    // that `check` says exactly what it says without one.
    let mut ids = std::collections::HashSet::with_capacity(archive.incidents.len());
    let unique = archive.incidents.iter().all(|i| ids.insert(i.id.as_str()));
    let Some(salt) = salt.filter(|_| unique) else {
        let (insights, diagnostics) = analyse(config, archive);
        return (insights, diagnostics, 0, None);
    };
    let key_of = |id: &str| keys.get(id).copied();
    let wanted: std::collections::HashSet<crate::store::Key> = archive
        .incidents
        .iter()
        .filter_map(|i| key_of(&i.id))
        .collect();
    let t = crate::progress::timed("analysing: reading the build cache");
    let mut table =
        crate::store::Table::open(dir, "features", &salt, &wanted, text::DocFeatures::decode);
    let mut cache = text::FeatureCache::default();
    for incident in &archive.incidents {
        if let Some(features) = key_of(&incident.id).and_then(|k| table.take(&k)) {
            cache.insert(incident.id.clone(), Arc::new(features));
        }
    }
    drop(t);
    let reused: std::collections::HashSet<String> = cache.keys().cloned().collect();
    let (insights, diagnostics) =
        analyse_cached(config, archive, &related::Params::default(), &mut cache);
    let _timed = crate::progress::timed("analysing: saving the build cache");
    let fresh: std::collections::HashSet<crate::store::Key> = archive
        .incidents
        .iter()
        .filter(|i| !reused.contains(&i.id))
        .filter_map(|i| key_of(&i.id))
        .collect();
    let by_key: std::collections::HashMap<crate::store::Key, &str> = archive
        .incidents
        .iter()
        .filter_map(|i| Some((key_of(&i.id)?, i.id.as_str())))
        .collect();
    // Encoded shard by shard as each is written, never all at once.
    let encode = |key: &crate::store::Key| Some(cache.get(*by_key.get(key)?)?.encode());
    let notice = match table.save(&wanted, &fresh, encode) {
        Ok(_) => table.notice,
        Err(e) => Some(format!(
            "build cache not saved in {} ({e}); the next build analyses everything again",
            dir.display()
        )),
    };
    (insights, diagnostics, reused.len(), notice)
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

    /// The build cache's words and causes give what a fresh analysis gives: read back
    /// whole, and after one incident changed (its file's key with it).
    #[test]
    fn a_stored_analysis_equals_a_fresh_one() {
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::new(vec![
            incident("a", "The TLS certificate on the gateway expired."),
            incident("b", "A DNS zone push removed the records."),
            incident("c", "The data centre lost power when the generator failed."),
        ]);
        let key = |i: &Incident| {
            crate::store::key(&[
                i.id.as_bytes(),
                i.root_cause.as_deref().unwrap_or("").as_bytes(),
            ])
        };
        let keys = |archive: &Archive| -> std::collections::HashMap<String, crate::store::Key> {
            archive
                .incidents
                .iter()
                .map(|i| (i.id.clone(), key(i)))
                .collect()
        };
        let fresh = analyse(&config, &archive);
        let first = analyse_stored(&config, &archive, &keys(&archive), dir.path());
        assert_eq!(
            (first.0, first.1, first.2, first.3),
            (fresh.0.clone(), fresh.1.clone(), 0, None)
        );
        let second = analyse_stored(&config, &archive, &keys(&archive), dir.path());
        assert_eq!(
            (second.0, second.1, second.2, second.3),
            (fresh.0, fresh.1, 3, None)
        );

        let c = archive.incidents.iter_mut().find(|i| i.id == "c").unwrap();
        c.root_cause = Some("Name resolution failed: the DNS resolvers stopped answering.".into());
        let fresh = analyse(&config, &archive);
        let third = analyse_stored(&config, &archive, &keys(&archive), dir.path());
        assert_eq!(third.2, 2, "the changed incident is analysed again");
        assert_eq!((third.0, third.1), fresh);
        assert_eq!(
            analyse_stored(&config, &archive, &keys(&archive), dir.path())
                .0
                .inferred_causes["c"][0]
                .class,
            "dns"
        );
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
