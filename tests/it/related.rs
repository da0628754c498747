//! Related incidents, explicit references, repeats, cause suggestions and the analysis
//! warnings, on the `related` fixture (whose right answers are known) and on the
//! handwritten evaluation archive in tests/eval/related.

use std::path::Path;

use hindsight::analysis::eval;
use hindsight::config::Config;
use hindsight::model::{Archive, Insights, Related, RepeatOf};
use hindsight::pipeline;
use hindsight::site::Site;

const A: &str = "2025-01-10-payments-pool-exhausted";
const B: &str = "2025-02-20-payments-pool-again";
const C: &str = "2025-04-01-orders-pool-leak";
const D: &str = "2025-12-01-payments-pool-leak-december";
const EDGE: &str = "2025-03-05-edge-cert-expired";
const EDGE_AGAIN: &str = "2025-05-20-edge-cert-expired-again";
const LEDGER: &str = "2025-06-15-ledger-writes-stalled";
const SEARCH: &str = "2025-07-01-search-slow";
const LEAKS: [&str; 4] = [A, B, C, D];

fn site_at(root: &Path, config: Config) -> Site {
    Site {
        root: root.to_path_buf(),
        config,
        as_of: jiff::civil::date(2026, 1, 1),
        include_drafts: false,
    }
}

fn fixture_root() -> std::path::PathBuf {
    crate::util::fixtures().join("related")
}

/// Load and analyse the fixture with `config`; returns the warnings as displayed.
fn analyse_fixture(config: Config) -> (Archive, Insights, Vec<String>) {
    let site = site_at(&fixture_root(), config);
    let (archive, diagnostics) = pipeline::load(&site);
    assert_eq!(diagnostics.error_count(), 0, "{:?}", diagnostics.items);
    assert_eq!(archive.incidents.len(), 8);
    let (insights, warnings) = pipeline::analyse(&site, &archive);
    let warnings = warnings.iter().map(|d| d.to_string()).collect();
    (archive, insights, warnings)
}

fn related<'a>(insights: &'a Insights, id: &str) -> &'a [Related] {
    insights.related.get(id).map(Vec::as_slice).unwrap_or(&[])
}

fn find<'a>(insights: &'a Insights, from: &str, to: &str) -> &'a Related {
    related(insights, from)
        .iter()
        .find(|r| r.id == to)
        .unwrap_or_else(|| panic!("{to} not related to {from}: {:?}", related(insights, from)))
}

#[test]
fn nearest_neighbours_share_the_cause() {
    let (_, insights, _) = analyse_fixture(Config::default());
    for leak in LEAKS {
        let top: Vec<&str> = related(&insights, leak)
            .iter()
            .take(3)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(top.len(), 3, "{leak}: {top:?}");
        for id in &top {
            assert!(
                LEAKS.contains(id) || *id == LEDGER,
                "{leak} → {id} is not a leak incident: {top:?}"
            );
        }
    }
    assert_eq!(related(&insights, EDGE_AGAIN)[0].id, EDGE);
    // Unlabelled free prose about a leak is found by text alone.
    let ledger: Vec<&str> = related(&insights, LEDGER)
        .iter()
        .take(3)
        .map(|r| r.id.as_str())
        .collect();
    assert!(ledger.iter().all(|id| LEAKS.contains(id)), "{ledger:?}");
    // Best first, scores in range.
    for list in insights.related.values() {
        assert!(
            list.windows(2).all(|w| w[0].score >= w[1].score),
            "{list:?}"
        );
        assert!(list.iter().all(|r| (0.0..=1.0).contains(&r.score)));
    }
    let ad = find(&insights, D, A);
    assert!(
        ad.reasons
            .contains(&"same cause: connection-leak".to_string()),
        "{:?}",
        ad.reasons
    );
    assert!(
        ad.reasons.contains(&"same service: payments".to_string()),
        "{:?}",
        ad.reasons
    );
    assert!(
        ad.reasons
            .iter()
            .any(|r| r.starts_with("similar root cause: ")),
        "{:?}",
        ad.reasons
    );
    assert!(!ad.explicit);
}

#[test]
fn explicit_references_are_linked_both_ways_and_always_shown() {
    let mut config = Config::default();
    config.related.max = 0;
    let (_, insights, _) = analyse_fixture(config);
    // B lists A under Related Incidents by date + title "(similar issue)".
    let ba = find(&insights, B, A);
    assert!(ba.explicit);
    assert_eq!(ba.reasons[0], "referenced by author");
    let ab = find(&insights, A, B);
    assert!(ab.explicit);
    assert_eq!(ab.reasons[0], "references this incident");
    // EDGE_AGAIN names EDGE by id in front matter.
    assert!(find(&insights, EDGE_AGAIN, EDGE).explicit);
    assert!(find(&insights, EDGE, EDGE_AGAIN).explicit);
    // SEARCH names EDGE by date + title though they share nothing else.
    assert!(find(&insights, SEARCH, EDGE).explicit);
    assert!(find(&insights, EDGE, SEARCH).explicit);
    // With max = 0 only explicit links remain.
    assert!(insights.related.values().flatten().all(|r| r.explicit));
    assert_eq!(related(&insights, EDGE).len(), 2);
    assert!(related(&insights, D).is_empty());
}

#[test]
fn unresolved_references_warn_with_file_line_and_closest_candidate() {
    let (_, _, warnings) = analyse_fixture(Config::default());
    let unresolved: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("[unresolved-reference]"))
        .collect();
    assert_eq!(unresolved.len(), 3, "{unresolved:#?}");
    assert!(unresolved.contains(&&format!(
        "content/{C}.md:20: warning[unresolved-reference]: related incident \"Payments pool exhausted again\" (2025-02-25) not found: no incident is dated 2025-02-25; closest is `{B}` (2025-02-20, Payments pool exhausted again)"
    )), "{unresolved:#?}");
    assert!(unresolved.contains(&&format!(
        "content/{SEARCH}.md:19: warning[unresolved-reference]: related incident \"Search cluster melted during reindex\" (2024-06-01) not found: no incident is dated 2024-06-01"
    )), "{unresolved:#?}");
    assert!(
        unresolved.iter().any(|w| w.starts_with(&format!(
            "content/{SEARCH}.md:6: warning[unresolved-reference]: related incident `no-such-incident` not found: no incident has that id"
        ))),
        "{unresolved:#?}"
    );
}

#[test]
fn repeats_form_chains_within_the_window() {
    let (_, insights, _) = analyse_fixture(Config::default());
    let leak = |id: &str, days| RepeatOf {
        id: id.into(),
        cause: "connection-leak".into(),
        days_between: days,
        inferred: false,
    };
    assert_eq!(insights.repeat_of.get(B), Some(&leak(A, 41)));
    assert_eq!(insights.repeat_of.get(C), Some(&leak(B, 40)));
    assert_eq!(
        insights.repeat_of.get(D),
        None,
        "244 days after C: outside 90 days"
    );
    assert_eq!(insights.repeat_of.get(A), None);
    assert_eq!(
        insights.repeat_of[EDGE_AGAIN],
        RepeatOf {
            id: EDGE.into(),
            cause: "cert-expiry".into(),
            days_between: 76,
            inferred: false
        }
    );
    assert_eq!(
        insights.repeat_of.get(LEDGER),
        None,
        "unlabelled incidents are never repeats"
    );
    assert_eq!(insights.repeat_of.len(), 3);

    let mut config = Config::default();
    config.repeats.require_same_service = true;
    let (_, insights, _) = analyse_fixture(config);
    assert_eq!(insights.repeat_of.get(B), Some(&leak(A, 41)));
    assert_eq!(
        insights.repeat_of.get(C),
        None,
        "orders shares no service with the payments incidents"
    );

    let mut config = Config::default();
    config.repeats.window_days = 300;
    config.repeats.require_same_service = true;
    let (_, insights, _) = analyse_fixture(config);
    assert_eq!(
        insights.repeat_of.get(D),
        Some(&leak(B, 284)),
        "most recent earlier match with the same service"
    );
}

#[test]
fn unlabelled_incident_gets_cause_suggestions_not_causes() {
    let (archive, insights, warnings) = analyse_fixture(Config::default());
    assert!(archive.get(LEDGER).unwrap().causes.is_empty());
    let suggestions = &insights.cause_suggestions[LEDGER];
    assert_eq!(suggestions[0].cause, "connection-leak");
    assert!(suggestions[0].score > 0.5, "{suggestions:?}");
    assert!(
        suggestions[0]
            .from
            .iter()
            .all(|id| LEAKS.contains(&id.as_str())),
        "{suggestions:?}"
    );
    assert_eq!(
        insights.cause_suggestions.len(),
        1,
        "labelled incidents get none"
    );
    let warning = warnings
        .iter()
        .find(|w| w.contains("[cause-suggestion]"))
        .expect("a cause-suggestion note");
    assert!(
        warning.starts_with(&format!(
            "content/{LEDGER}.md: note[cause-suggestion]: no cause category; similar post-mortems suggest: connection-leak ("
        )),
        "{warning}"
    );
}

#[test]
fn possible_repeat_warns_only_for_unreferenced_strong_matches() {
    let (_, _, warnings) = analyse_fixture(Config::default());
    let repeats: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("[possible-repeat]"))
        .collect();
    assert_eq!(repeats.len(), 1, "{repeats:#?}");
    let w = repeats[0];
    assert!(
        w.starts_with(&format!(
            "content/{D}.md: warning[possible-repeat]: looks like a repeat of "
        )),
        "{w}"
    );
    assert!(
        w.contains(&format!("{B} (2025-02-20, Payments pool exhausted again)"))
            || w.contains(&format!("{A} (2025-01-10, ")),
        "{w}"
    );
    assert!(
        w.contains("same cause connection-leak, same service payments, similar root cause text"),
        "{w}"
    );
    assert!(w.ends_with("— add it under Related Incidents?"), "{w}");

    let mut config = Config::default();
    config.repeats.warn_within_days = 0;
    let (_, _, warnings) = analyse_fixture(config);
    assert!(!warnings.iter().any(|w| w.contains("[possible-repeat]")));
}

#[test]
fn analysis_is_deterministic() {
    let first = analyse_fixture(Config::default());
    let second = analyse_fixture(Config::default());
    assert_eq!(format!("{:?}", first.1), format!("{:?}", second.1));
    assert_eq!(first.2, second.2);
    // `build` also updates the search cache inside the site: use a copy.
    let copy = crate::util::fixture_copy("related");
    let site = site_at(copy.path(), Config::default());
    let mut warnings = pipeline::build(&site).unwrap().items;
    warnings.retain(|d| d.code == "possible-repeat");
    assert_eq!(warnings.len(), 1, "build reports analysis warnings too");
}

/// On the handwritten archive (27 post-mortems in three template shapes and free prose,
/// causes hidden), the method must beat plain whole-text TF-IDF at precision@3 and stay
/// above 0.5: with four incidents per cause, three right neighbours exist for every
/// query, and a random ranking would score about 3/26 ≈ 0.12.
#[test]
fn handwritten_set_beats_tf_idf_baseline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/related");
    let site = site_at(&root, Config::load(&root).unwrap());
    let (archive, _) = pipeline::load(&site);
    assert_eq!(archive.incidents.len(), 27);
    assert!(
        archive.incidents.iter().all(|i| i.causes.is_empty()),
        "the evaluation files carry no causes"
    );
    let truth =
        eval::parse_truth(&std::fs::read_to_string(root.join("truth.json")).unwrap()).unwrap();
    let report = eval::evaluate(&archive, &truth, &site.config, None);
    assert_eq!(report.method.queries, 24);
    assert!(
        report.method.at3 > report.baseline.at3,
        "method {:?} vs baseline {:?}",
        report.method,
        report.baseline
    );
    assert!(report.method.at3 >= 0.5, "{:?}", report.method);
}

/// The held-out set (tests/eval/related-prose): 36 post-mortems in the style of public
/// write-ups, prose only, no labels, 11 causes worded differently each time and
/// distractors sharing symptoms. Written to check that the method is not fitted to the
/// first set: it must beat whole-text TF-IDF at precision@1 and @3 here too. (With
/// three incidents per cause, the best possible precision@3 is 0.717.)
#[test]
fn held_out_prose_set_beats_tf_idf_baseline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/related-prose");
    let site = site_at(&root, Config::load(&root).unwrap());
    let (archive, diagnostics) = pipeline::load(&site);
    assert_eq!(diagnostics.error_count(), 0, "{diagnostics:?}");
    assert_eq!(archive.incidents.len(), 36);
    assert!(
        archive
            .incidents
            .iter()
            .all(|i| i.causes.is_empty() && i.services.is_empty()),
        "the held-out files carry no labels"
    );
    let truth =
        eval::parse_truth(&std::fs::read_to_string(root.join("truth.json")).unwrap()).unwrap();
    let report = eval::evaluate(&archive, &truth, &site.config, None);
    assert_eq!(report.method.queries, 33);
    assert!(
        report.method.at1 > report.baseline.at1 && report.method.at3 > report.baseline.at3,
        "method {:?} vs baseline {:?}",
        report.method,
        report.baseline
    );
}

/// The real-derived evaluation archive (tests/eval/real), analysed with the defaults.
fn real_archive() -> (Archive, Insights) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/real");
    let config = Config {
        content_dir: ".".into(),
        ..Config::default()
    };
    let site = site_at(&root, config);
    let (archive, _) = pipeline::load(&site);
    let (insights, _) = pipeline::analyse(&site, &archive);
    (archive, insights)
}

#[test]
fn no_generic_english_word_is_shown_as_a_reason_on_the_real_derived_set() {
    let (archive, insights) = real_archive();
    assert!(archive.incidents.len() >= 150);
    let mut quoted = 0;
    for (id, list) in &insights.related {
        for r in list {
            for reason in &r.reasons {
                let Some((kind, terms)) = reason.split_once(": ") else {
                    continue;
                };
                if !kind.starts_with("similar") {
                    continue;
                }
                for term in terms.split(", ") {
                    quoted += 1;
                    assert!(
                        !hindsight::analysis::generic::all_generic(term),
                        "{id} → {}: generic reason term `{term}` in `{reason}`",
                        r.id
                    );
                }
            }
        }
    }
    assert!(
        quoted > 50,
        "only {quoted} terms quoted: the test would prove nothing"
    );
}

#[test]
fn most_real_incidents_with_a_same_cause_neighbour_show_one() {
    let (archive, insights) = real_archive();
    let truth_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/real-truth/truth.json"),
    )
    .unwrap();
    let truth = eval::key_by_id(eval::parse_truth(&truth_text).unwrap(), &archive);
    let shares = |a: &str, b: &str| {
        truth
            .get(a)
            .zip(truth.get(b))
            .is_some_and(|(x, y)| x.iter().any(|c| y.contains(c)))
    };
    let queries: Vec<&str> = archive
        .incidents
        .iter()
        .map(|i| i.id.as_str())
        .filter(|a| {
            archive
                .incidents
                .iter()
                .any(|b| b.id != *a && shares(a, &b.id))
        })
        .collect();
    let covered = queries
        .iter()
        .filter(|a| {
            insights
                .related
                .get(**a)
                .is_some_and(|list| list.iter().any(|r| shares(a, &r.id)))
        })
        .count();
    let coverage = covered as f64 / queries.len() as f64;
    // Measured 0.89 on 153 files when this test was written (0.17 before inferred
    // causes); 0.90 on 196 files once every page showed its best neighbour.
    assert!(
        coverage >= 0.85,
        "coverage {coverage:.3} ({covered} of {})",
        queries.len()
    );
}

#[test]
fn three_unlabelled_post_mortems_of_one_symptom_link_to_one_another() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "2021-03-02 - All services returning 503.md",
        "# All services returning 503\n\nDate: 2021-03-02\n\n## Summary\n\nEvery service behind the ingress answered HTTP 503 for 40 minutes after the ingress controller lost its backends.\n\n## Contributing Factors\n\nThe ingress controller configuration was reloaded with an empty upstream list.\n",
    );
    write(
        "2021-03-23 - All services returning 503.md",
        "# All services returning 503\n\nDate: 2021-03-23\n\n## Summary\n\nAgain every public endpoint returned 503 Service Unavailable; the load balancer had no healthy targets.\n\n## Contributing Factors\n\nA health check path changed, so the load balancer marked every target unhealthy.\n",
    );
    write(
        "2021-04-13 - All services returning 503.md",
        "# All services returning 503\n\nDate: 2021-04-13\n\n## Summary\n\nFor twenty minutes the ingress returned 503 to all traffic.\n\n## Contributing Factors\n\nThe ingress pods were rescheduled onto nodes without the ingress class, leaving no backend.\n",
    );
    write(
        "2021-05-01 - Nightly backup missing.md",
        "# Nightly backup missing\n\nDate: 2021-05-01\n\n## Summary\n\nThe nightly database backup job did not run; no customer impact.\n\n## Contributing Factors\n\nThe backup cron job was removed during a host migration.\n",
    );
    write(
        "2021-06-01 - Disk full on build agents.md",
        "# Disk full on build agents\n\nDate: 2021-06-01\n\n## Summary\n\nBuilds failed for two hours because the build agents ran out of disk space.\n\n## Contributing Factors\n\nDocker images were never pruned.\n",
    );
    let config = Config {
        content_dir: ".".into(),
        ..Config::default()
    };
    let site = site_at(dir.path(), config);
    let (archive, diagnostics) = pipeline::load(&site);
    assert_eq!(archive.incidents.len(), 5, "{:?}", diagnostics.items);
    let (insights, _) = pipeline::analyse(&site, &archive);
    let same: Vec<&str> = archive
        .incidents
        .iter()
        .filter(|i| i.title == "All services returning 503")
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(same.len(), 3);
    for a in &same {
        let shown: Vec<&str> = insights
            .related
            .get(*a)
            .map(|l| l.iter().map(|r| r.id.as_str()).collect())
            .unwrap_or_default();
        for b in &same {
            if a != b {
                assert!(shown.contains(b), "{a} does not show {b}: {shown:?}");
            }
        }
        assert!(
            !shown
                .iter()
                .any(|s| s.contains("backup") || s.contains("disk")),
            "{a} shows an unrelated incident: {shown:?}"
        );
    }
    // Three weeks apart, same title, same inferred cause: a repeat chain, marked inferred.
    let mut dated: Vec<&hindsight::model::Incident> = archive
        .incidents
        .iter()
        .filter(|i| i.title == "All services returning 503")
        .collect();
    dated.sort_by_key(|i| i.date);
    for pair in dated.windows(2) {
        let r = insights
            .repeat_of
            .get(&pair[1].id)
            .unwrap_or_else(|| panic!("{} repeats nothing: {:?}", pair[1].id, insights.repeat_of));
        assert_eq!(r.id, pair[0].id);
        assert!(r.inferred);
        assert_eq!(r.days_between, 21);
        let states = |id: &str| {
            insights
                .inferred_causes
                .get(id)
                .is_some_and(|causes| causes.iter().any(|c| c.class == r.cause))
        };
        assert!(
            states(&pair[0].id) || states(&pair[1].id),
            "the repeat's cause is one a text states"
        );
    }
    assert!(!insights.repeat_of.contains_key(&dated[0].id));
    assert_eq!(insights.repeat_of.len(), 2, "{:?}", insights.repeat_of);
    // The page shows the banner with the cause marked inferred (no cause page to link);
    // the export says so.
    let files = hindsight::render::render_site(&site, &archive, &insights).unwrap();
    let page = |path: &str| {
        String::from_utf8(files.iter().find(|f| f.path == path).unwrap().bytes.clone()).unwrap()
    };
    let second = page(&format!("incidents/{}/index.html", dated[1].id));
    let banner = &second[second.find("Repeat of").expect("a repeat banner")..];
    let banner = &banner[..banner.find("</p>").unwrap()];
    assert!(banner.contains(&dated[0].title), "{banner}");
    assert!(
        banner.contains(r#"<span class="chip inferred""#) && banner.contains("(inferred)</span>"),
        "{banner}"
    );
    assert!(banner.contains("21 days later"), "{banner}");
    let export: serde_json::Value = serde_json::from_str(&page("api/incidents.json")).unwrap();
    let entry = export["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == dated[2].id.as_str())
        .unwrap();
    assert_eq!(entry["repeat_of"]["id"], dated[1].id.as_str());
    assert_eq!(entry["repeat_of"]["inferred"], true);
}

#[test]
fn inferred_repeats_on_the_real_derived_set_share_a_true_cause() {
    // Its incidents are years apart (real ones from many organisations): a ten-year
    // window puts the rule to work on every pair.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/real");
    let mut config = Config {
        content_dir: ".".into(),
        ..Config::default()
    };
    config.repeats.window_days = 3650;
    let site = site_at(&root, config);
    let (archive, _) = pipeline::load(&site);
    let (insights, _) = pipeline::analyse(&site, &archive);
    let truth_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/real-truth/truth.json"),
    )
    .unwrap();
    let truth = eval::key_by_id(eval::parse_truth(&truth_text).unwrap(), &archive);
    let repeats: Vec<(&String, &RepeatOf)> = insights.repeat_of.iter().collect();
    let right = repeats
        .iter()
        .filter(|(later, r)| {
            truth
                .get(*later)
                .zip(truth.get(&r.id))
                .is_some_and(|(x, y)| x.iter().any(|c| y.contains(c)))
        })
        .count();
    eprintln!(
        "inferred repeats: {} ({right} share a true cause): {repeats:?}",
        repeats.len()
    );
    assert!(
        repeats.iter().all(|(_, r)| r.inferred),
        "the set has no labels"
    );
    // Different organisations' incidents of one cause are not repeats of one another:
    // the rule also wants alike titles or root-cause texts, which the set has only within
    // one organisation (measured: 1 pair, Azure's DNS delegation and DNS surge).
    assert!(!repeats.is_empty());
    assert_eq!(
        right,
        repeats.len(),
        "every inferred repeat shares a true cause"
    );
}
