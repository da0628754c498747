//! Public builds (`build --audience public`) on `tests/fixtures/audience`: marker
//! strings planted in every internal place (an internal post-mortem, a folder of them,
//! internal sections by class and by attribute, a nested section, an internal fence,
//! internal front-matter fields) and every redactable string (names, e-mail, IPv4,
//! IPv6, host names, a pattern, in the title, body, timeline, action items, front
//! matter and file name) are proved absent from every byte of the public site and of
//! every parsed value, while the internal build shows each of them.

use std::collections::BTreeMap;
use std::path::Path;

use hindsight::config::Audience;
use hindsight::site::Site;

use crate::util::{fixture_copy, run};

const AS_OF: &str = "2025-06-01";

/// Strings that exist only in internal places of the fixture.
const INTERNAL: &[&str] = &[
    "zqteamfieldzq",
    "zqcustomerfieldzq",
    "zqmanagerfieldzq",
    "zqinternalidzq",
    "zqsectionclasszq",
    "zqsubsectionzq",
    "zqfencezq",
    "zqsectionattrzq",
    "zqinternaltitlezq",
    "zqinternalservicezq",
    "zqinternalteamzq",
    "zqinternaltagzq",
    "zqinternalcausezq",
    "zqinternalbodyzq",
    "zqinternaltimelinezq",
    "zqinternalactionzq",
    "zqfolderteamzq",
    "zqfoldertitlezq",
    "zqfolderbodyzq",
    "Customer impact",
    "Contract notes",
];

/// Strings `[redact]` of the fixture replaces, written in public places.
const REDACTABLE: &[&str] = &[
    "Zorblax",
    "Quuxmart",
    "intra.example.net",
    "10.20.30.40",
    "fd00:1::7",
    "2001:db8::42",
    "CASE-1234",
    "192.168.7.1",
    "oncall@quuxmart.example.com",
];

/// What a marker may look like in the output: as written, in lower case, and as the
/// search indexes store its terms (stemmed).
fn forms(marker: &str) -> Vec<String> {
    let mut forms = vec![marker.to_lowercase()];
    if marker.chars().all(char::is_alphanumeric) {
        forms.extend(hindsight::text::terms(marker));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Every file under `dir`, path → lower-cased bytes as text; a browser search document
/// file with its compressed texts unpacked after it, so they are searched too.
fn files(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            if text.starts_with("hindsightDocs(") {
                let texts = crate::util::search_doc_texts(&text);
                assert!(!texts.is_empty(), "{}", e.path().display());
                text.push_str(&texts.join("\n"));
            }
            (e.path().display().to_string(), text.to_lowercase())
        })
        .collect()
}

fn leaks<'a>(files: &'a BTreeMap<String, String>, marker: &str) -> Vec<&'a str> {
    let forms = forms(marker);
    files
        .iter()
        .filter(|(_, text)| forms.iter().any(|f| text.contains(f.as_str())))
        .map(|(path, _)| path.as_str())
        .collect()
}

#[test]
fn no_byte_of_anything_internal_or_redactable_is_published() {
    let site = fixture_copy("audience");
    let (code, _, err) = run(site.path(), &["build", "--as-of", AS_OF, "-o", "internal"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        site.path(),
        &[
            "build",
            "--audience",
            "public",
            "--as-of",
            AS_OF,
            "-o",
            "public",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("published 2 post-mortems"), "{err}");
    // Named by the path the public build publishes it under (file names are redacted).
    assert!(
        err.contains(
            "content/2025-04-10-[withheld]-checkout-outage.md:13: warning[internal-reference]"
        ),
        "the reference to the internal post-mortem is reported: {err}"
    );

    let internal = files(&site.path().join("internal"));
    let public = files(&site.path().join("public"));
    assert!(
        public.keys().any(|p| p.contains("search/idx/x/"))
            && public.keys().any(|p| p.ends_with("api/incidents.json"))
            && public.keys().any(|p| p.ends_with("sitemap.xml"))
            && public.keys().any(|p| p.ends_with("feed.xml"))
            && public.keys().any(|p| p.contains("dashboard/")),
        "the walk covers search shards, exports, sitemap, feed and dashboards"
    );
    for marker in INTERNAL.iter().chain(REDACTABLE) {
        let leaked = leaks(&public, marker);
        assert!(leaked.is_empty(), "`{marker}` published in {leaked:?}");
    }
    // Each marker the pages can show is shown by the internal build, so the walk above
    // looks for strings that would be there if nothing were left out.
    for marker in INTERNAL.iter().chain(REDACTABLE) {
        if marker.contains("field") && !marker.contains("team") {
            continue; // unknown front-matter keys reach only templates; see below
        }
        assert!(
            !leaks(&internal, marker).is_empty(),
            "`{marker}` is not in the internal build"
        );
    }

    // What is public is published, redacted in place.
    let page = &public[&site
        .path()
        .join("public/incidents/2025-04-10-withheld-checkout-outage/index.html")
        .display()
        .to_string()];
    for kept in [
        "[withheld] checkout outage after a cache config push",
        "rolled back the push from [withheld]",
        "validate cache size before a push to [withheld] hosts",
        "for [withheld] shoppers",
    ] {
        assert!(page.contains(kept), "`{kept}` missing from the public page");
    }
    assert!(!page.contains("call the account team"), "an internal fence");
    assert!(
        page.contains("same failure as <a>the february flush</a>"),
        "the link to the internal post-mortem keeps its text, loses its address"
    );
    let incidents: serde_json::Value = serde_json::from_str(
        &public[&site
            .path()
            .join("public/api/incidents.json")
            .display()
            .to_string()],
    )
    .unwrap();
    let ids: Vec<&str> = incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "2025-05-20-search-latency",
            "2025-04-10-withheld-checkout-outage"
        ]
    );
    let trends: serde_json::Value = serde_json::from_str(
        &public[&site
            .path()
            .join("public/api/trends.json")
            .display()
            .to_string()],
    )
    .unwrap();
    // Dashboards are recomputed on what is public: two post-mortems, and no repeat
    // (the internal one of February shares the cause; the internal build counts it).
    assert_eq!(trends["org"]["post_mortems"], 2);
    let repeats = |trends: &serde_json::Value| {
        trends["org"]["periods"][0]["headline"]["repeat_rate"]["repeats"].as_u64()
    };
    assert_eq!(repeats(&trends), Some(0));
    let internal_trends: serde_json::Value = serde_json::from_str(
        &internal[&site
            .path()
            .join("internal/api/trends.json")
            .display()
            .to_string()],
    )
    .unwrap();
    assert_eq!(internal_trends["org"]["post_mortems"], 4);
    assert!(repeats(&internal_trends) > Some(0));

    // The CLI's index: a public build keeps its own, and it holds nothing internal.
    let search = |cache: &Path, q: &str| {
        let index = hindsight::search::searcher::SearchIndex::open(cache)
            .unwrap()
            .expect("an index");
        let query = hindsight::search::query::parse(q).unwrap();
        index.search(&query, 10).unwrap().total
    };
    let cache = site.path().join(".hindsight");
    assert_eq!(search(&cache, "zqinternalbodyzq"), 1);
    assert_eq!(search(&cache.join("public"), "zqinternalbodyzq"), 0);
    assert_eq!(search(&cache.join("public"), "quuxmart"), 0);
    assert_eq!(search(&cache.join("public"), "zqsectionclasszq"), 0);
    assert_eq!(search(&cache.join("public"), "rebuild"), 1);
}

/// Every value parsing keeps (unknown front-matter keys, aliases, the source path, the
/// text), not only what the default theme shows.
#[test]
fn no_parsed_value_of_a_public_build_holds_anything_internal() {
    let site = fixture_copy("audience");
    let open = |audience| {
        let as_of = hindsight::site::parse_date(AS_OF).unwrap();
        Site::open(site.path(), as_of)
            .unwrap()
            .for_audience(audience)
    };
    let dump = |audience| {
        let (archive, diagnostics) = hindsight::pipeline::load(&open(audience));
        assert_eq!(diagnostics.error_count(), 0, "{:?}", diagnostics.items);
        archive
            .incidents
            .iter()
            .map(|i| serde_json::to_string(i).unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let internal = dump(Audience::Internal);
    let public = dump(Audience::Public);
    for marker in INTERNAL.iter().chain(REDACTABLE) {
        let marker = marker.to_lowercase();
        assert!(internal.contains(&marker), "`{marker}` not parsed at all");
        assert!(!public.contains(&marker), "`{marker}` kept: {public}");
    }
    assert!(!public.contains("\"account_manager\""));
    assert!(public.contains("[withheld] checkout outage"));
}

#[test]
fn check_warns_where_a_public_post_mortem_has_what_would_be_redacted() {
    let site = fixture_copy("audience");
    let (code, out, err) = run(
        site.path(),
        &["check", "--format", "json", "--as-of", AS_OF],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "redactable")
        .map(|d| format!("{}:{}:{}", d["path"].as_str().unwrap(), d["line"], d["col"]))
        .collect();
    let file = "content/2025-04-10-quuxmart-checkout-outage.md";
    for at in [
        format!("{file}:0:0"),   // the file name
        format!("{file}:2:8"),   // title: Quuxmart
        format!("{file}:7:16"),  // tags: [config, Quuxmart]
        format!("{file}:9:30"),  // summary: ... Zorblax Industries
        format!("{file}:18:3"),  // # Quuxmart
        format!("{file}:20:34"), // cache-7.eu.intra.example.net
        format!("{file}:20:64"), // 10.20.30.40
        format!("{file}:20:77"), // fd00:1::7
        format!("{file}:21:51"), // Zorblax\nIndustries
        format!("{file}:22:45"), // CASE-1234
        format!("{file}:38:31"), // oncall@quuxmart.example.com
        format!("{file}:39:37"), // 2001:db8::42
        format!("{file}:40:24"), // a timeline cell
        format!("{file}:54:44"), // an action item
        format!("{file}:55:16"), // 192.168.7.1
    ] {
        assert!(found.contains(&at), "no warning at {at}: {found:?}");
    }
    // Internal parts and internal post-mortems are never published: no warning there.
    assert_eq!(found.len(), 15, "no more: {found:?}");
}

#[test]
fn bad_redact_rules_are_configuration_errors() {
    let site = fixture_copy("audience");
    std::fs::write(
        site.path().join("site.toml"),
        "[redact]\nemails = true\npatterns = ['(unclosed']\n",
    )
    .unwrap();
    let (code, _, err) = run(site.path(), &["build", "--audience", "public"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("site.toml: 3:14: [redact] pattern `(unclosed` is not a regular expression"),
        "{err}"
    );
    std::fs::write(site.path().join("site.toml"), "[redact]\nemail = true\n").unwrap();
    let (code, _, err) = run(site.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("site.toml: 2:1: unknown field `email`"),
        "{err}"
    );
}

#[test]
fn a_public_build_of_a_site_without_public_post_mortems_publishes_none() {
    let site = fixture_copy("audience");
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        toml.replace("visibility = \"public\"\n", ""),
    )
    .unwrap();
    let (code, _, err) = run(
        site.path(),
        &["build", "--audience", "public", "--as-of", AS_OF],
    );
    assert_eq!(code, 0, "{err}");
    // Only the one that says `visibility: public`... none does: the default is internal.
    assert!(err.contains("published 0 post-mortems"), "{err}");
}

#[test]
fn the_fixture_validates_against_the_site_and_front_matter_schemas() {
    let dir = crate::util::fixtures().join("audience");
    let schema = |name: &str| -> serde_json::Value {
        serde_json::from_str(hindsight::schema::get(name).unwrap()).unwrap()
    };
    let site: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("site.toml")).unwrap()).unwrap();
    let site = serde_json::to_value(site).unwrap();
    let validator = jsonschema::draft202012::new(&schema("site")).unwrap();
    assert!(
        validator.is_valid(&site),
        "{:?}",
        validator
            .iter_errors(&site)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let wrong = serde_json::json!({"redact": {"email": true}});
    assert!(
        !validator.is_valid(&wrong),
        "unknown [redact] keys are refused"
    );
    let validator = jsonschema::draft202012::new(&schema("front-matter")).unwrap();
    let text = std::fs::read_to_string(dir.join("content/2025-04-10-quuxmart-checkout-outage.md"))
        .unwrap();
    let yaml = text.split("---\n").nth(1).unwrap();
    let fm: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
    assert!(
        validator.is_valid(&fm),
        "{:?}",
        validator
            .iter_errors(&fm)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let wrong = serde_json::json!({"visibility": "secret"});
    assert!(!validator.is_valid(&wrong));
}

/// With every post-mortem public and nothing to redact, the public build is the internal
/// one, byte for byte: the audience changes nothing else.
#[test]
fn an_all_public_archive_builds_the_same_site_for_both_audiences() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&root.join("content"), &site.path().join("content"));
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        format!("visibility = \"public\"\n{toml}\n[redact]\nemails = true\nipv4 = true\n"),
    )
    .unwrap();
    for (audience, out) in [("internal", "internal"), ("public", "public")] {
        let (code, _, err) = run(
            site.path(),
            &["build", "--audience", audience, "--as-of", AS_OF, "-o", out],
        );
        assert_eq!(code, 0, "{err}");
    }
    let strip = |files: BTreeMap<String, String>, prefix: &str| -> BTreeMap<String, String> {
        files
            .into_iter()
            .map(|(p, t)| (p.split_once(prefix).unwrap().1.to_string(), t))
            .collect()
    };
    let internal = strip(files(&site.path().join("internal")), "/internal/");
    let public = strip(files(&site.path().join("public")), "/public/");
    assert!(internal.len() > 100);
    assert_eq!(
        internal.keys().collect::<Vec<_>>(),
        public.keys().collect::<Vec<_>>()
    );
    for (path, text) in &internal {
        assert!(public[path] == *text, "{path} differs");
    }
}
