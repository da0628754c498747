use super::infer::{SectionText, infer_sections, infer_sections_with};
use super::*;
use crate::model::InferredCause;
use crate::text::stem_cow as stem;

fn tax() -> &'static Taxonomy {
    use std::sync::OnceLock;
    static T: OnceLock<Taxonomy> = OnceLock::new();
    T.get_or_init(Taxonomy::builtin)
}

/// Classes found in one root-cause sentence, any confidence.
fn found(text: &str) -> Vec<String> {
    let texts = [SectionText {
        kind: SectionKind::RootCause,
        text,
        first_line: None,
        heading: None,
    }];
    infer_sections(&texts, tax(), 0.0)
        .into_iter()
        .map(|c| c.class)
        .collect()
}

fn finds(text: &str, class: &str) -> bool {
    found(text).iter().any(|c| c == class)
}

#[test]
fn taxonomy_builtin_has_every_listed_class() {
    let t = tax();
    let listed = [
        ("change", "config-change"),
        ("change", "deploy-regression"),
        ("change", "version-upgrade"),
        ("change", "feature-flag"),
        ("change", "schema-migration"),
        ("dependency", "third-party-failure"),
        ("dependency", "cloud-provider-failure"),
        ("network", "certificate-expiry"),
        ("network", "dns"),
        ("network", "bgp-routing"),
        ("network", "load-balancer"),
        ("network", "network-partition"),
        ("resource-exhaustion", "disk-full"),
        ("resource-exhaustion", "memory-exhaustion"),
        ("resource-exhaustion", "cpu-exhaustion"),
        ("resource-exhaustion", "connection-exhaustion"),
        ("resource-exhaustion", "file-handle-exhaustion"),
        ("resource-exhaustion", "ip-exhaustion"),
        ("resource-exhaustion", "id-overflow"),
        ("load", "capacity-overload"),
        ("load", "retry-storm"),
        ("load", "rate-limit-quota"),
        ("load", "queue-backlog"),
        ("data", "database-failover"),
        ("data", "replication"),
        ("data", "database-lock"),
        ("data", "cache-failure"),
        ("data", "data-deletion"),
        ("data", "data-corruption"),
        ("data", "backup-failure"),
        ("access", "auth-failure"),
        ("access", "secret-credential"),
        ("time", "clock-skew"),
        ("time", "leap-second"),
        ("time", "dst-timezone"),
        ("time", "date-arithmetic"),
        ("physical", "hardware-failure"),
        ("physical", "power-failure"),
        ("physical", "cooling-failure"),
        ("people", "human-error"),
        ("observability", "monitoring-gap"),
        ("observability", "logging-pipeline"),
        ("security", "security-breach"),
        ("security", "ddos-abuse"),
        ("software", "software-bug"),
        ("software", "regex-backtracking"),
    ];
    for (family, id) in listed {
        let c = t.resolve(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(c.id, id);
        assert_eq!(c.family, family, "{id}");
        assert!(!c.title.is_empty() && !c.description.is_empty(), "{id}");
        assert!(
            c.phrases.len() + c.weak.len() >= 5,
            "{id} has only {} phrases",
            c.phrases.len()
        );
    }
    assert_eq!(t.classes.len(), listed.len());
    assert_eq!(t.families.len(), 13);
    assert!(t.phrase_count() > 900, "{}", t.phrase_count());
}

#[test]
fn taxonomy_stems_fold_inflections() {
    for (a, b) in [
        ("expired", "expire"),
        ("expires", "expire"),
        ("expiring", "expire"),
        ("retries", "retry"),
        ("retried", "retry"),
        ("filled", "fill"),
        ("filling", "fills"),
        ("stopped", "stop"),
        ("running", "run"),
        ("caches", "cached"),
        ("routes", "route"),
        ("certificates", "certificate"),
    ] {
        assert_eq!(stem(a), stem(b), "{a} vs {b}");
    }
    assert_ne!(stem("lost"), stem("list"));
    // The taxonomy's stemmer is the shared one.
    for w in [
        "deployments",
        "retried",
        "configuration",
        "exhaustion",
        "expiry",
    ] {
        assert_eq!(stem(w), crate::text::stem(w), "{w}");
    }
}

#[test]
fn taxonomy_words_are_the_shared_tokens_with_negations_over_them() {
    let text = "We didn't see it: the DB wasn’t full, a pool's 5 conns can't, OOM-killed.";
    let words = tokenize(text);
    let mut shared = Vec::new();
    crate::text::for_each_term(text, |s, e, _| shared.push((s, e)));
    // The same word boundaries as search (stop words aside).
    let content: Vec<(usize, usize)> = words
        .iter()
        .filter(|w| !crate::text::is_stop(&w.lower, crate::text::Tier::Core))
        .map(|w| (w.start, w.end))
        .collect();
    assert_eq!(content, shared);
    let read: Vec<(&str, bool, bool)> = words.iter().map(|w| (&*w.lower, w.stop, w.neg)).collect();
    assert_eq!(
        read,
        [
            ("we", true, false),
            ("didn", false, true),
            ("see", false, false),
            ("it", true, false),
            ("the", true, false),
            ("db", false, false),
            ("wasn", false, true),
            ("full", false, false),
            ("pool", false, false),
            ("conns", false, false),
            ("can", false, true),
            ("oom", false, false),
            ("killed", false, false),
        ]
    );
    assert_eq!(words[1].spoken(), "didn't");
    assert_eq!(words[6].spoken(), "wasn't");
    assert_eq!(words[2].spoken(), "see");
    // Lower-case forms and stems borrow from the lower-cased text.
    let lowered = text.to_ascii_lowercase();
    for w in tokenize_lowered(text, &lowered) {
        assert!(matches!(w.lower, Cow::Borrowed(_)), "{w:?}");
        assert!(matches!(w.stem, Cow::Borrowed(_)), "{w:?}");
    }
}

#[test]
fn taxonomy_phrases_skip_phrase_tier_words_and_single_letters() {
    // "we", "all", "still" are skipped in text ("ran out of disk space").
    assert!(finds(
        "We still ran out of all the disk space.",
        "disk-full"
    ));
    // A single letter in a phrase is no word, as in text: `(version|v|build)` compiles.
    let (slots, _) = parse_phrase("deploy (version|v|build)", 1.0).unwrap();
    assert_eq!(slots.len(), 2);
    assert!(parse_phrase("a", 1.0).is_err(), "a phrase of no words");
    // Contractions in phrases read as in text.
    assert!(finds(
        "The certificate wasn't renewed before it lapsed.",
        "certificate-expiry"
    ));
    assert!(!finds("The disk wasn't full.", "disk-full"));
    // Conjunctions stay words: a phrase does not reach across "so" into the next clause.
    let phrases = |text: &str| -> Vec<String> {
        let texts = [SectionText {
            kind: SectionKind::RootCause,
            text,
            first_line: None,
            heading: None,
        }];
        infer_sections(&texts, tax(), 0.0)
            .into_iter()
            .flat_map(|c| c.evidence.into_iter().map(|e| e.phrase))
            .collect()
    };
    let invalid_cert = |found: Vec<String>| found.iter().any(|p| p.starts_with("(expired|invalid"));
    assert!(invalid_cert(phrases("It served an invalid certificate.")));
    assert!(!invalid_cert(phrases(
        "The date was invalid, so certificate creation failed."
    )));
    assert!(!tokenize("and or but so").iter().any(|w| w.stop));
}

#[test]
fn taxonomy_phrases_match_inflections_and_paraphrases() {
    let cases = [
        ("The certificate had expired.", "certificate-expiry"),
        ("A cert expired on the edge.", "certificate-expiry"),
        (
            "It was caused by the expiry of the intermediate.",
            "certificate-expiry",
        ),
        (
            "Certificates expiring silently took the API down.",
            "certificate-expiry",
        ),
        ("The database host ran out of disk space.", "disk-full"),
        ("The volume filled up overnight.", "disk-full"),
        ("Writes failed with No space left on device.", "disk-full"),
        ("The worker was OOM-killed repeatedly.", "memory-exhaustion"),
        ("The JVM ran out of memory.", "memory-exhaustion"),
        ("Utility power was lost at the site.", "power-failure"),
        ("A generator failed to start.", "power-failure"),
        ("A bad config was pushed to every proxy.", "config-change"),
        (
            "A configuration change to the rate limiter.",
            "config-change",
        ),
        ("We rolled back the deploy at 14:10.", "deploy-regression"),
        ("A BGP session reset.", "bgp-routing"),
        (
            "The router withdrew routes for our prefixes.",
            "bgp-routing",
        ),
        ("A leap second was inserted.", "leap-second"),
        ("Clock drift on two hosts broke token checks.", "clock-skew"),
        (
            "A thundering herd of clients reconnected.",
            "capacity-overload",
        ),
        ("Client retries amplified the load tenfold.", "retry-storm"),
        ("Every inode was used.", "file-handle-exhaustion"),
        ("The DNS provider returned SERVFAIL.", "dns"),
        (
            "An engineer accidentally ran the command against the wrong cluster.",
            "human-error",
        ),
        ("The primary failed over to a replica.", "database-failover"),
        ("Replication lag reached 40 minutes.", "replication"),
        (
            "A catastrophic regex backtracking pinned CPU.",
            "regex-backtracking",
        ),
        (
            "Black Friday traffic doubled our peak.",
            "capacity-overload",
        ),
        (
            "A long-standing race condition in the scheduler.",
            "software-bug",
        ),
        (
            "Clocks went back an hour at the end of daylight saving time.",
            "dst-timezone",
        ),
        (
            "The leap year made February 29 an invalid date.",
            "date-arithmetic",
        ),
    ];
    for (text, class) in cases {
        assert!(
            finds(text, class),
            "{text:?} → {:?}, expected {class}",
            found(text)
        );
    }
}

#[test]
fn taxonomy_negation_and_ruling_out() {
    let cases = [
        ("DNS was not the cause.", "dns"),
        ("We ruled out a network issue early.", "network-partition"),
        ("No data was lost.", "data-deletion"),
        ("There was no evidence of an attack.", "ddos-abuse"),
        ("There was no evidence of an attack.", "security-breach"),
        (
            "The failure was unrelated to the certificate renewal.",
            "certificate-expiry",
        ),
        ("The outage was not caused by a DNS failure.", "dns"),
        ("The disk was not full.", "disk-full"),
        ("The network was ruled out by 10:00.", "network-partition"),
        (
            "The restart happened without a config change.",
            "config-change",
        ),
    ];
    for (text, class) in cases {
        assert!(
            !finds(text, class),
            "{text:?} should not give {class}: {:?}",
            found(text)
        );
    }
    // A negation that describes the failure is kept.
    assert!(finds(
        "The certificate was not renewed in time.",
        "certificate-expiry"
    ));
    assert!(finds("The resolver could not resolve the hostname.", "dns"));
    // The ruling-out is scoped to its clause.
    let mixed = found("DNS was not the cause; the certificate had expired.");
    assert!(
        mixed.contains(&"certificate-expiry".to_string()),
        "{mixed:?}"
    );
    assert!(!mixed.contains(&"dns".to_string()), "{mixed:?}");
}

#[test]
fn taxonomy_hedges_weaken_evidence() {
    let strong = infer_sections(
        &[SectionText {
            kind: SectionKind::Description,
            text: "A memory leak in the worker.",
            first_line: None,
            heading: None,
        }],
        tax(),
        0.0,
    );
    let hedged = infer_sections(
        &[SectionText {
            kind: SectionKind::Description,
            text: "We first suspected a memory leak in the worker.",
            first_line: None,
            heading: None,
        }],
        tax(),
        0.0,
    );
    let conf = |v: &[InferredCause]| {
        v.iter()
            .find(|c| c.class == "memory-exhaustion")
            .map_or(0.0, |c| c.confidence)
    };
    assert!(conf(&hedged) < conf(&strong) * 0.6, "{hedged:?} {strong:?}");
    // A counterfactual or a misreading is no statement of the cause either.
    assert_weaker_than_stated(
        "config-change",
        "The bad policy was pushed to every router.",
        "Behind a canary, the bad policy would have been caught early.",
    );
    assert_weaker_than_stated(
        "hardware-failure",
        "The disk had a hardware fault.",
        "The agent interpreted three failed starts as a hardware fault.",
    );
    assert_weaker_than_stated(
        "ddos-abuse",
        "A DDoS attack saturated the links.",
        "The routers take filtering rules, for example to block DDoS attacks.",
    );
}

#[test]
fn taxonomy_evidence_positions() {
    let text = "Customers saw errors.\nThe root cause was simple. The volume filled up at 02:00 because logs were not rotated.\n";
    let causes = infer_texts(&[(SectionKind::RootCause, text, Some(40))], tax());
    let disk = causes
        .iter()
        .find(|c| c.class == "disk-full")
        .expect("disk-full");
    let e = &disk.evidence[0];
    assert_eq!(e.section, SectionKind::RootCause);
    assert_eq!(
        e.sentence,
        "The volume filled up at 02:00 because logs were not rotated."
    );
    assert_eq!(&text[e.start..e.end], e.sentence);
    assert_eq!(&text[e.match_start..e.match_end], "volume filled");
    assert_eq!(e.line, Some(41));
    assert_eq!(disk.family, "resource-exhaustion");
    assert_eq!(disk.title, "Disk full");
    // Serialises under stable names.
    let json = serde_json::to_value(&causes).unwrap();
    assert_eq!(json[0]["evidence"][0]["section"], "root-cause");
}

#[test]
fn taxonomy_sentences_split_sensibly() {
    let text =
        "We saw errors, e.g. timeouts. Then it stopped! Version 1.2.3 was fine.\n- item one\n";
    let spans: Vec<&str> = infer::sentences(text)
        .into_iter()
        .map(|(a, b)| &text[a..b])
        .collect();
    assert_eq!(
        spans,
        [
            "We saw errors, e.g. timeouts.",
            "Then it stopped!",
            "Version 1.2.3 was fine.",
            "- item one"
        ]
    );
}

#[test]
fn taxonomy_root_cause_outweighs_action_items() {
    let causes = infer_texts(
        &[
            (
                SectionKind::RootCause,
                "A bad config was pushed to the proxies.",
                None,
            ),
            (SectionKind::ActionItems, "Add disk space alerts.", Some(90)),
        ],
        tax(),
    );
    let ids: Vec<&str> = causes.iter().map(|c| c.class.as_str()).collect();
    assert_eq!(ids.first(), Some(&"config-change"), "{causes:?}");
    assert!(!ids.contains(&"disk-full"), "{ids:?}");
    // Alone, an action item is still weak evidence.
    let alone = infer_sections(
        &[SectionText {
            kind: SectionKind::ActionItems,
            text: "Add alerting on disk usage.",
            first_line: None,
            heading: None,
        }],
        tax(),
        0.0,
    );
    assert!(alone.iter().all(|c| c.confidence < 0.2), "{alone:?}");
}

#[test]
fn taxonomy_resolve_names() {
    let t = tax();
    for (name, id) in [
        ("tls", "certificate-expiry"),
        ("Cert_Expiry", "certificate-expiry"),
        ("Certificate expiry", "certificate-expiry"),
        ("OOM", "memory-exhaustion"),
        ("dns-failure", "dns"),
        ("DNS", "dns"),
        ("power failure", "power-failure"),
        ("ssl", "certificate-expiry"),
    ] {
        assert_eq!(t.resolve(name).map(|c| c.id.as_str()), Some(id), "{name}");
    }
    assert!(t.resolve("no-such-cause").is_none());
    assert_eq!(t.family("Network").map(|f| f.id.as_str()), Some("network"));
}

#[test]
fn taxonomy_query_matching() {
    let t = tax();
    for (q, id) in [
        ("lost power", "power-failure"),
        ("bad rollout", "deploy-regression"),
        ("disk filled up", "disk-full"),
        ("tls", "certificate-expiry"),
        ("cert expired", "certificate-expiry"),
        ("out of memory", "memory-exhaustion"),
        ("retry storm", "retry-storm"),
        ("certificate", "certificate-expiry"),
        ("leap second", "leap-second"),
    ] {
        let got = t.match_query(q);
        assert_eq!(
            got.first().map(|(c, _)| c.id.as_str()),
            Some(id),
            "{q}: {:?}",
            got.iter().map(|(c, s)| (&c.id, s)).collect::<Vec<_>>()
        );
    }
    assert!(t.match_query("quarterly roadmap").is_empty());
}

#[test]
fn taxonomy_site_config_maps_adds_and_extends() {
    let config: TaxonomyConfig = toml::from_str(
        r#"
        map = { "tls-expiry" = "certificate-expiry", "Bad Push" = "config-change" }
        min_confidence = 0.4
        [phrases]
        "disk-full" = ["scratch (area|space) exhausted"]
        [[classes]]
        id = "license-expiry"
        family = "dependency"
        title = "Licence expiry"
        phrases = ["licen* ..2 expired"]
        "#,
    )
    .unwrap();
    let t = tax().with_config(&config).unwrap();
    assert_eq!(t.resolve("tls-expiry").unwrap().id, "certificate-expiry");
    assert_eq!(t.resolve("bad-push").unwrap().id, "config-change");
    assert_eq!(t.min_confidence, 0.4);
    let site = |text: &str| -> Vec<String> {
        infer_sections(
            &[SectionText {
                kind: SectionKind::RootCause,
                text,
                first_line: None,
                heading: None,
            }],
            &t,
            0.0,
        )
        .into_iter()
        .map(|c| c.class)
        .collect()
    };
    assert_eq!(site("The build scratch space exhausted."), ["disk-full"]);
    assert_eq!(site("The vendor license had expired."), ["license-expiry"]);
    assert_eq!(t.resolve("Licence expiry").unwrap().family, "dependency");
    // The built-in taxonomy is unchanged.
    assert!(tax().resolve("license-expiry").is_none());
}

#[test]
fn taxonomy_site_config_errors_are_clear() {
    let err = |toml_text: &str| -> String {
        let config: TaxonomyConfig = toml::from_str(toml_text).unwrap();
        tax().with_config(&config).unwrap_err()
    };
    let e = err(r#"map = { "tls-expiry" = "certificate-expired" }"#);
    assert!(e.contains("`certificate-expired`"), "{e}");
    assert!(e.contains("certificate-expiry"), "{e}");
    let e = err(r#"map = { "dns" = "certificate-expiry" }"#);
    assert!(e.contains("already a name of class `dns`"), "{e}");
    let e = err(r#"[[classes]]
        id = "tls"
        family = "network"
        title = "x""#);
    assert!(e.contains("certificate-expiry"), "{e}");
    let e = err(r#"[[classes]]
        id = "new-thing"
        family = "nope"
        title = "x""#);
    assert!(e.contains("unknown family `nope`"), "{e}");
    let e = err(r#"phrases = { "disk-full" = ["(broken"] }"#);
    assert!(e.contains("disk-full") && e.contains("(broken"), "{e}");
    let e = err(r#"phrases = { "disk-ful" = ["x"] }"#);
    assert!(e.contains("closest known: disk-full"), "{e}");
    // Unknown keys are refused.
    assert!(toml::from_str::<TaxonomyConfig>("mapping = {}").is_err());
}

#[test]
fn taxonomy_config_file_is_merged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("causes.toml"),
        "map = { \"cert\" = \"certificate-expiry\", \"x509-expired\" = \"certificate-expiry\" }\n",
    )
    .unwrap();
    let config = TaxonomyConfig {
        file: Some("causes.toml".into()),
        map: [("pager-gap".to_string(), "monitoring-gap".to_string())].into(),
        ..Default::default()
    };
    let merged = config.resolve_file(dir.path()).unwrap();
    assert_eq!(merged.map.len(), 3);
    let t = tax().with_config(&merged).unwrap();
    assert_eq!(t.resolve("x509 expired").unwrap().id, "certificate-expiry");
    assert_eq!(t.resolve("pager gap").unwrap().id, "monitoring-gap");
}

#[test]
fn taxonomy_phrase_syntax_errors() {
    for bad in ["(a|b", "a ..", ".. a", "x? (y)", "a @2", "(|a)", "a ..x b"] {
        let r = expand_phrase(bad).and_then(|vs| {
            vs.iter()
                .map(|v| parse_phrase(v, 1.0).map(|_| ()))
                .collect::<Result<Vec<_>, _>>()
        });
        assert!(r.is_err(), "{bad} should be refused");
    }
    assert_eq!(
        expand_phrase("(black friday|launch) traffic @0.5").unwrap(),
        ["black friday traffic @0.5", "(launch) traffic @0.5"]
    );
}

#[test]
fn taxonomy_infer_on_incident_uses_sections() {
    use crate::model::{ActionItem, Incident, TocEntry};
    let incident = Incident {
        id: "x".into(),
        title: "Checkout errors".into(),
        root_cause: Some("An expired intermediate certificate on the checkout servers.".into()),
        action_items: vec![ActionItem {
            action: "Alert when disk usage exceeds 80%.".into(),
            line: 57,
            ..Default::default()
        }],
        toc: vec![
            TocEntry {
                level: 2,
                title: "Root cause".into(),
                anchor: "root-cause".into(),
            },
            TocEntry {
                level: 2,
                title: "Action items".into(),
                anchor: "action-items".into(),
            },
        ],
        body_text: "Root cause\nAn expired intermediate certificate on the checkout servers.\nAction items\nAlert when disk usage exceeds 80%.\n".into(),
        ..Default::default()
    };
    let causes = infer(&incident, tax());
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert_eq!(causes[0].class, "certificate-expiry");
    // The same sentence in the field and the body counts once.
    assert_eq!(causes[0].evidence.len(), 1);
    assert_eq!(causes[0].evidence[0].section, SectionKind::RootCause);
}

#[test]
fn settle_config_merges_the_named_file_and_refuses_unknown_classes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("causes.toml"),
        "map = { \"tls-expiry\" = \"certificate-expiry\" }\n",
    )
    .unwrap();
    let mut config =
        crate::config::Config::parse("[causes]\nfile = \"causes.toml\"\nmin_confidence = 0.7\n")
            .unwrap();
    settle_config(&mut config, dir.path()).unwrap();
    let taxonomy = Taxonomy::for_config(&config).unwrap();
    assert_eq!(
        taxonomy.resolve("tls-expiry").unwrap().id,
        "certificate-expiry"
    );
    assert_eq!(taxonomy.min_confidence, 0.7);

    let mut bad =
        crate::config::Config::parse("[causes]\nmap = { \"x\" = \"certificate-expired\" }\n")
            .unwrap();
    let err = settle_config(&mut bad, dir.path()).unwrap_err();
    assert!(err.contains("certificate-expired"), "{err}");
    assert!(err.contains("certificate-expiry"), "{err}");

    // No `[causes]`: the builtin taxonomy, not a copy.
    let plain = crate::config::Config::default();
    assert!(matches!(
        Taxonomy::for_config(&plain).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
}

/// Confidence of `class` in one section of `kind`, 0 when not inferred at all.
/// `class` is inferred from `stated` (a root-cause sentence) above 0.5, and from
/// `other`, which names it without stating it as this incident's cause, at under 0.6
/// of that.
fn assert_weaker_than_stated(class: &str, stated: &str, other: &str) {
    let stated = confidence_in(SectionKind::RootCause, stated, class);
    let other = confidence_in(SectionKind::RootCause, other, class);
    assert!(
        stated > 0.5 && other < stated * 0.6,
        "{class}: {other} vs {stated}"
    );
}

fn confidence_in(kind: SectionKind, text: &str, class: &str) -> f64 {
    infer_sections(
        &[SectionText {
            kind,
            text,
            first_line: None,
            heading: None,
        }],
        tax(),
        0.0,
    )
    .into_iter()
    .find(|c| c.class == class)
    .map_or(0.0, |c| c.confidence)
}

#[test]
fn taxonomy_a_more_specific_reading_of_the_same_words_wins() {
    // "disk capacity" is a full disk; the overload reading of the same words yields.
    let text = "The system stopped because of insufficient disk capacity on the database servers.";
    let causes = infer_texts(&[(SectionKind::RootCause, text, Some(7))], tax());
    let disk = causes
        .iter()
        .find(|c| c.class == "disk-full")
        .expect("disk-full");
    let e = &disk.evidence[0];
    assert_eq!(&text[e.match_start..e.match_end], "disk capacity");
    assert_eq!(e.line, Some(7));
    assert!(
        confidence_in(SectionKind::RootCause, text, "capacity-overload") == 0.0,
        "{causes:?}"
    );
    // Without the specific reading the same phrase still means an overload.
    assert!(
        confidence_in(
            SectionKind::RootCause,
            "The system stopped because of insufficient capacity in the web tier.",
            "capacity-overload"
        ) > 0.5
    );
    // Only overlapping words yield: a full disk and an overload in one sentence are both
    // read.
    let both = found("The disk filled up, and a traffic surge overloaded the web tier.");
    assert!(
        both.contains(&"disk-full".to_string()) && both.contains(&"capacity-overload".to_string()),
        "{both:?}"
    );
}

#[test]
fn taxonomy_yields_to_names_classes_or_families() {
    let bad = r#"
[[family]]
id = "f"
title = "F"

[[class]]
id = "a"
family = "f"
title = "A"
phrases = ["alpha"]
yields_to = ["nothing-of-the-kind"]
"#;
    let e = Taxonomy::from_toml(bad).unwrap_err();
    assert!(e.contains("`a` yields to `nothing-of-the-kind`"), "{e}");
    let own = bad.replace("nothing-of-the-kind", "a");
    assert!(
        Taxonomy::from_toml(&own)
            .unwrap_err()
            .contains("yields to itself")
    );
    let family = format!(
        "{}\n[[class]]\nid = \"b\"\nfamily = \"f\"\ntitle = \"B\"\nphrases = [\"alpha beta\"]\n",
        bad.replace("nothing-of-the-kind", "f")
    );
    let t = Taxonomy::from_toml(&family).unwrap();
    let texts = [SectionText {
        kind: SectionKind::RootCause,
        text: "The alpha beta broke.",
        first_line: None,
        heading: None,
    }];
    let classes: Vec<String> = infer_sections(&texts, &t, 0.0)
        .into_iter()
        .map(|c| c.class)
        .collect();
    assert_eq!(classes, ["b"], "`a` yields to its family's `b`");
}

#[test]
fn taxonomy_purpose_contingency_and_claims_are_not_the_case_at_hand() {
    assert_weaker_than_stated(
        "capacity-overload",
        "A single tenant overloaded the cluster.",
        "Per-tenant limits protect the other tenants and the cluster from overload.",
    );
    assert_weaker_than_stated(
        "cloud-provider-failure",
        "A regional outage at the cloud provider took our service down.",
        "In case of a regional outage at the cloud provider, traffic moves to another region.",
    );
    // A claim is no finding.
    assert_weaker_than_stated(
        "ddos-abuse",
        "A DDoS attack took the DNS servers down.",
        "Someone claiming to be from a hacking group said their DDoS attack took the DNS servers down.",
    );
}

#[test]
fn taxonomy_a_remedy_that_did_not_help_is_not_a_cause() {
    for text in [
        "Switching to the backup did not help.",
        "The failover didn't help either, since the standby had the same problem.",
    ] {
        let classes = found(text);
        assert!(
            !classes.contains(&"backup-failure".to_string())
                && !classes.contains(&"database-failover".to_string()),
            "{text:?}: {classes:?}"
        );
    }
    // A backup that failed is still a backup failure.
    assert!(finds(
        "The nightly backups had silently failed for weeks.",
        "backup-failure"
    ));
}

#[test]
fn taxonomy_reads_paraphrases_of_clock_drift_and_retries() {
    let text = "After 100 hours the calculated time was off by about 0.34 seconds.";
    let texts = [SectionText {
        kind: SectionKind::RootCause,
        text,
        first_line: None,
        heading: None,
    }];
    let causes = infer_sections(&texts, tax(), 0.0);
    let clock = causes
        .iter()
        .find(|c| c.class == "clock-skew")
        .expect("clock-skew");
    let e = &clock.evidence[0];
    // `by` is a function word: the match ends at `off`.
    assert_eq!(&text[e.match_start..e.match_end], "time was off");
    assert!(finds(
        "Servers timed out and retried, adding yet more load to the metadata service.",
        "retry-storm"
    ));
    assert!(finds(
        "The retries kept it overloaded, which kept the responses slow.",
        "retry-storm"
    ));
    assert!(finds(
        "Every replica reconnects and asks for a full resynchronisation at the same time.",
        "retry-storm"
    ));
    // Web pages are not paging.
    assert!(!finds(
        "Pages failed to load and many fans never got to buy.",
        "monitoring-gap"
    ));
    assert!(finds(
        "Paging never fired for the disk alert.",
        "monitoring-gap"
    ));
}

#[test]
fn section_kinds_from_the_headings_engineers_write() {
    use SectionKind::*;
    let cases = [
        ("Root Cause Analysis", RootCause),
        ("Why", RootCause),
        ("Why?", RootCause),
        ("How it happened", RootCause),
        ("How they got in", RootCause),
        ("What broke", RootCause),
        ("Why it got so much worse", ContributingFactors),
        ("Why it wasn't stopped", ContributingFactors),
        ("Why it took so long", Resolution),
        ("How we got back", Resolution),
        ("Response", Resolution),
        ("What we're changing", ActionItems),
        ("What we changed", ActionItems),
        ("Changes", ActionItems),
        ("Long term", ActionItems),
        ("What customers saw", Impact),
        ("Who noticed", Detection),
        ("What Happend", Description),
        ("Stats", Other),
        ("Database setup", Other),
    ];
    for (heading, kind) in cases {
        assert_eq!(SectionKind::from_heading(heading), kind, "{heading:?}");
    }
}

#[test]
fn taxonomy_a_recovery_step_is_weaker_evidence_than_a_cause() {
    let conf = |text| confidence_in(SectionKind::Summary, text, "database-failover");
    let event = conf("The primary database failed over to its replica.");
    // The failover that brought service back is how it was fixed, not why it broke.
    let recovery = conf("To recover, the primary database was failed over to its replica.");
    let restored = conf("Service was restored once the primary database failed over.");
    assert!(event > 0.3, "{event}");
    for weaker in [recovery, restored] {
        assert!(weaker > 0.0 && weaker < event * 0.7, "{weaker} vs {event}");
    }
    // A sentence that also says why is a cause, recovery words or not.
    let causal =
        conf("The recovery stalled because the primary database failed over to a stale replica.");
    assert!(causal >= event, "{causal} vs {event}");
}

#[test]
fn taxonomy_a_class_far_below_the_strongest_is_scaled_down() {
    let texts = [
        SectionText {
            kind: SectionKind::RootCause,
            text: "A utility power outage took the whole data centre down.",
            first_line: None,
            heading: None,
        },
        SectionText {
            kind: SectionKind::Summary,
            text: "DNS lookups failed for internal names.",
            first_line: None,
            heading: None,
        },
    ];
    let flat = Params {
        relative_power: 0.0,
        ..Params::default()
    };
    let conf = |v: &[InferredCause], class: &str| {
        v.iter()
            .find(|c| c.class == class)
            .map_or(0.0, |c| c.confidence)
    };
    let before = infer_sections_with(&texts, tax(), 0.0, &flat);
    let after = infer_sections(&texts, tax(), 0.0);
    let (top, dns) = (conf(&before, "power-failure"), conf(&before, "dns"));
    assert!(top > dns && dns > 0.0, "{before:?}");
    // The strongest class keeps its confidence; a weaker one is scaled by its share of it.
    assert_eq!(conf(&after, "power-failure"), top);
    let expected = dns * (dns / top).powf(Params::default().relative_power);
    assert!(
        (conf(&after, "dns") - expected).abs() < 0.001 && conf(&after, "dns") < dns,
        "{after:?}"
    );
}

#[test]
fn taxonomy_a_sentence_naming_the_root_cause_weighs_as_the_root_cause_section() {
    // Write-ups put "Root cause: …" under any heading; the label says what it is.
    let labelled = "Root cause: the log volume filled up with old debug files.";
    let plain = "The log volume filled up with old debug files.";
    let under_resolution = confidence_in(SectionKind::Resolution, labelled, "disk-full");
    assert_eq!(
        under_resolution,
        confidence_in(SectionKind::RootCause, labelled, "disk-full")
    );
    assert!(
        under_resolution >= DEFAULT_MIN_CONFIDENCE
            && confidence_in(SectionKind::Resolution, plain, "disk-full") < DEFAULT_MIN_CONFIDENCE,
        "{under_resolution}"
    );
    let the_cause_was = "The cause was a log volume that filled up with old debug files.";
    assert_eq!(
        confidence_in(SectionKind::Timeline, the_cause_was, "disk-full"),
        confidence_in(SectionKind::RootCause, the_cause_was, "disk-full")
    );
    // An action item that names a root cause to look for stays an action item.
    let todo = "Find the root cause of the log volume filling up.";
    assert!(
        confidence_in(SectionKind::ActionItems, todo, "disk-full")
            < confidence_in(SectionKind::RootCause, todo, "disk-full") * 0.5
    );
}

#[test]
fn taxonomy_how_things_normally_work_and_first_readings_are_not_findings() {
    assert_weaker_than_stated(
        "feature-flag",
        "A feature flag was switched on for every region at once.",
        "Feature flags are normally switched on one region at a time.",
    );
    assert_weaker_than_stated(
        "hardware-failure",
        "A faulty optic on the core switch dropped traffic.",
        "The first diagnosis suggested a faulty optic on the core switch.",
    );
}

#[test]
fn taxonomy_a_purpose_inside_or_right_after_the_match_is_not_the_case_at_hand() {
    assert_weaker_than_stated(
        "cloud-provider-failure",
        "A Google Cloud outage took our service down.",
        "We ran in two Google Cloud regions to protect against an outage.",
    );
    assert_weaker_than_stated(
        "capacity-overload",
        "A flood of traffic overloaded the edge routers.",
        "The edge routers' overload protection did not trigger.",
    );
    // Plans: corrective steps and follow-ups say what to add, not what broke.
    assert_weaker_than_stated(
        "disk-full",
        "The log volume filled up with old debug files.",
        "Follow-up: alert before the log volume fills up.",
    );
    assert_weaker_than_stated(
        "disk-full",
        "The log volume filled up with old debug files.",
        "Corrective steps: alert before the log volume fills up.",
    );
}

#[test]
fn taxonomy_code_words_and_numbers_are_not_read_as_failures() {
    // SQL's CASCADE is a keyword, not failures spreading.
    assert!(!finds(
        "The migration ran TRUNCATE on the accounts table with CASCADE.",
        "retry-storm"
    ));
    assert!(finds(
        "Timeouts cascaded from the database to every service that called it.",
        "retry-storm"
    ));
    assert!(finds(
        "A cascade of failures took the region down.",
        "retry-storm"
    ));
    // A truncated number and its rounding error are no deleted data.
    assert!(!finds(
        "The stored constant was truncated, and the small error grew with every tick.",
        "data-deletion"
    ));
    assert!(finds(
        "The customer records were deleted in error by a cleanup job.",
        "data-deletion"
    ));
    // A loop that never ends is a bug; spinning on the CPU is CPU exhaustion.
    assert!(!finds(
        "On the last day of a leap year the date loop kept looping forever.",
        "cpu-exhaustion"
    ));
    assert!(finds(
        "Every worker thread was spinning on the CPU.",
        "cpu-exhaustion"
    ));
    // An API layer is not a load balancer.
    assert!(!finds(
        "The API layer maxed out under the extra calls.",
        "load-balancer"
    ));
}

#[test]
fn taxonomy_backup_power_failed_over_links_and_time_sync_read_as_what_they_are() {
    // Backup power is power; lost backups are still lost backups.
    let power = found("The switch to backup power failed to carry the load.");
    assert!(
        power.contains(&"power-failure".to_string())
            && !power.contains(&"backup-failure".to_string()),
        "{power:?}"
    );
    assert_weaker_than_stated(
        "database-failover",
        "The primary database crashed and failed over to the replica.",
        "The primary link was cut and traffic failed over to the backup link.",
    );
    // A synchronisation problem between databases is replication; between clocks it is
    // time.
    assert!(finds(
        "A synchronisation problem between the primary and the standby database left them apart.",
        "replication"
    ));
    let clocks = found("A time synchronisation problem left the clocks apart.");
    assert!(
        !clocks.contains(&"replication".to_string()) && clocks.contains(&"clock-skew".to_string()),
        "{clocks:?}"
    );
}

#[test]
fn taxonomy_reads_the_ways_write_ups_say_monitoring_missed_it() {
    for text in [
        "Nothing alerted us as the volume crept toward its limit.",
        "The queue grew for hours without anyone noticing.",
        "The slow growth went unnoticed for weeks.",
        "We were not graphing the age of the oldest transaction.",
        "The monitoring for the sync job had been broken for months.",
        "We had deferred the alerting work to a later quarter.",
        "We did not have good monitoring on memory per shard.",
        "We had no warning that the counter was close to its limit.",
    ] {
        assert!(finds(text, "monitoring-gap"), "{text:?}: {:?}", found(text));
    }
}

#[test]
fn taxonomy_reads_the_ways_write_ups_say_a_program_had_a_bug() {
    for text in [
        "The cleanup script had a bug nobody had hit before.",
        "The update triggered a bug in the DNS server.",
        "On the last day of a leap year the date loop kept looping forever.",
    ] {
        assert!(finds(text, "software-bug"), "{text:?}: {:?}", found(text));
    }
    // A firmware bug of a device is the hardware's.
    let firmware = found("The traffic exposed a firmware bug on the storage array.");
    assert!(
        firmware.contains(&"hardware-failure".to_string())
            && !firmware.contains(&"software-bug".to_string()),
        "{firmware:?}"
    );
}

#[test]
fn taxonomy_reads_a_step_done_wrongly_as_human_error() {
    for text in [
        "That step of the runbook was done wrongly.",
        "The engineer performed the traffic shift incorrectly.",
    ] {
        assert!(finds(text, "human-error"), "{text:?}: {:?}", found(text));
    }
}
