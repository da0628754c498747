//! End-to-end browser search: build the `search` fixture, open `public/search/index.html`
//! from disk (file://, no server) in headless Chromium driven by chromedriver over the
//! WebDriver protocol, type queries and read the results. Also checks that the
//! JavaScript tokenizer agrees with `hindsight::text`.
//!
//! Chromium and chromedriver come from Debian (`.ci/run` installs them). Without them
//! the tests fail, naming the packages to install, unless `HINDSIGHT_SKIP_BROWSER=1`
//! says to skip them on purpose (each skip is then printed on stderr).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{fixture_copy, run};
pub(crate) use crate::webdriver::{Browser, ELEMENT_KEY, file_url};

fn built_fixture() -> (tempfile::TempDir, PathBuf) {
    let site = fixture_copy("search");
    let (code, _, stderr) = run(site.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let page = site.path().join("public/search/index.html");
    assert!(page.is_file());
    (site, page)
}

#[test]
fn typing_a_query_on_the_built_site_shows_the_expected_results() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (_site, page) = built_fixture();
    browser.open(&file_url(&page));

    // The JavaScript tokenizer, stop words and stemmer agree with the Rust ones that built
    // the index (src/text/), on the sample and on every stop word of either tier.
    let stop_words: Vec<&str> = hindsight::text::stop::STOP_WORDS
        .iter()
        .map(|(w, _)| *w)
        .collect();
    for sample in [hindsight::text::AGREEMENT_SAMPLE, &stop_words.join(" ")] {
        let js = browser.script(
            "return window.hindsightSearch.terms(arguments[0]);",
            json!([sample]),
        );
        let js: Vec<String> = serde_json::from_value(js).unwrap();
        assert_eq!(js, hindsight::text::terms(sample));
    }

    // Type a symptom: the pool exhaustion comes first, its snippet marks the words.
    browser.type_into("#search-q", "connection pool exhausted");
    let results = browser.results(Some("Payments API exhausted its database connection pool"));
    assert_eq!(
        results[0],
        (
            "Payments API exhausted its database connection pool".to_string(),
            "../incidents/2025-10-26-payments-db-connection-pool-exhausted/index.html".to_string()
        )
    );
    let marks = browser.script("return Array.from(document.querySelectorAll('#search-results li:first-child mark')).map(m => m.textContent.toLowerCase());", json!([]));
    let marks: Vec<String> = serde_json::from_value(marks).unwrap();
    for word in ["connection", "pool", "exhausted"] {
        assert!(
            marks.iter().any(|m| m == word),
            "{word} not marked in {marks:?}"
        );
    }
    let meta = browser.script(
        "return document.querySelector('#search-results .search-meta').textContent;",
        json!([]),
    );
    assert!(
        meta.as_str().unwrap().contains("2025-10-26") && meta.as_str().unwrap().contains("SEV1"),
        "{meta}"
    );
    // Only the index pieces this query needs were loaded: no facet, no word pairs (no
    // phrase), and at most one document file per result shown.
    let loaded = browser.script("return Array.from(document.querySelectorAll('script[src*=\"idx/\"]')).map(s => s.getAttribute('src').replace(/^idx\\//, ''));", json!([]));
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    // "connection pool exhausted" also reads as a cause (connection exhaustion): the
    // taxonomy and the class lists come too, but no other facet and no word pairs.
    assert!(
        loaded
            .iter()
            .all(|n| (!n.starts_with("f-") || n == "f-class.js") && !n.starts_with('p')),
        "no facet or pair file without a filter or phrase: {loaded:?}"
    );
    assert!(
        loaded.contains(&"entry.js".to_string()) && loaded.iter().any(|n| n.starts_with('t')),
        "{loaded:?}"
    );
    let shown = browser.results(None).len();
    let documents = loaded.iter().filter(|n| n.starts_with("x/")).count();
    assert!(
        (1..=shown).contains(&documents) && shown <= 5,
        "at most one document file per result shown: {loaded:?}"
    );

    // Arrow down moves to the first result, Enter opens it.
    let input = browser.element("#search-q");
    browser.call(
        "POST",
        &format!("/element/{input}/value"),
        json!({ "text": "\u{E015}" }),
    );
    let focused = browser.script("return document.activeElement.textContent;", json!([]));
    assert_eq!(
        focused,
        "Payments API exhausted its database connection pool"
    );
    let link = browser.call("GET", "/element/active", json!({}));
    let link = link[ELEMENT_KEY].as_str().unwrap().to_string();
    browser.call(
        "POST",
        &format!("/element/{link}/value"),
        json!({ "text": "\u{E007}" }),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let url = loop {
        let url = browser
            .call("GET", "/url", json!({}))
            .as_str()
            .unwrap()
            .to_string();
        if url.contains("/incidents/") || Instant::now() > deadline {
            break url;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        url.ends_with("/incidents/2025-10-26-payments-db-connection-pool-exhausted/index.html"),
        "{url}"
    );
}

#[test]
fn url_queries_filters_stems_typos_and_errors_in_the_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (_site, page) = built_fixture();
    let url = file_url(&page);

    // ?q= from the header search form; field filters alone list newest first.
    browser.open(&format!("{url}?q=cause%3Adns"));
    let titles: Vec<String> = browser
        .results(Some("Internal DNS zone push removed service records"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        titles,
        [
            "Internal DNS zone push removed service records",
            "Search latency spikes from resolver timeouts in the cluster"
        ]
    );

    // A stem and an exclusion.
    browser.open(&format!("{url}?q=certificates%20-android"));
    let mut titles: Vec<String> = browser.results(None).into_iter().map(|r| r.0).collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Checkout down after the gateway TLS certificate expired",
            "Service-to-service mTLS failures after the internal CA intermediate expired"
        ]
    );

    // A typo finds its neighbour in the same shard.
    browser.open(&format!("{url}?q=webhook%20backog"));
    assert_eq!(
        browser.results(Some("Payment webhooks delayed by a stuck queue consumer"))[0].0,
        "Payment webhooks delayed by a stuck queue consumer"
    );

    // The year filter (a select) narrows a query; severity too.
    browser.open(&format!("{url}?q=certificate&year=2024"));
    let titles: Vec<String> = browser
        .results(Some(
            "Service-to-service mTLS failures after the internal CA intermediate expired",
        ))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        titles,
        ["Service-to-service mTLS failures after the internal CA intermediate expired"]
    );
    browser.open(&format!("{url}?q=payments&severity=sev3"));
    let titles: Vec<String> = browser
        .results(Some("Payment webhooks delayed by a stuck queue consumer"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        titles,
        ["Payment webhooks delayed by a stuck queue consumer"]
    );
    browser.open(&format!("{url}?q=after%3A2025-09-01"));
    let titles: Vec<String> = browser
        .results(Some(
            "Nightly report jobs overlapped and starved the warehouse",
        ))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(titles.len(), 4, "newest first: {titles:?}");

    // A query the parser cannot read says what was expected.
    browser.open(&format!("{url}?q=colour%3Ared"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser.status_text().starts_with("query:") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        browser
            .status_text()
            .starts_with("query:1: unknown field `colour`"),
        "{}",
        browser.status_text()
    );
}

/// Wait until the status line says how many post-mortems match, then read the titles.
fn settled_titles(browser: &Browser) -> (String, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = browser.status_text();
        if status.contains("match") || Instant::now() > deadline {
            let expected = if status.starts_with("No ") { 0 } else { 1 };
            let titles: Vec<String> = if expected == 0 {
                Vec::new()
            } else {
                browser.results(None).into_iter().map(|r| r.0).collect()
            };
            return (status, titles);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn phrases_status_deep_snippets_and_the_slash_key_in_the_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (site, page) = built_fixture();
    let url = file_url(&page);
    const DISK_FULL: &str = "Log shipping stopped when the logging volume filled up";
    const NIGHTLY: &str = "Nightly report jobs overlapped and starved the warehouse";

    // Typed words match anywhere; typed as a phrase, only in order and side by side
    // (the batch post-mortem has "the full backup ... filled the scratch disk").
    browser.open(&url);
    browser.type_into("#search-q", "disk full ");
    let (_, mut titles) = settled_titles(&browser);
    titles.sort();
    assert_eq!(titles, [DISK_FULL, NIGHTLY]);
    let input = browser.element("#search-q");
    browser.call("POST", &format!("/element/{input}/clear"), json!({}));
    browser.type_into("#search-q", "\"disk full\"");
    let deadline = Instant::now() + Duration::from_secs(15);
    while browser.status_text() != "1 post-mortem matches." && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(settled_titles(&browser).1, [DISK_FULL]);
    let loaded = browser.script(
        "return Array.from(document.querySelectorAll('script[src*=\"idx/\"]')).map(s => s.getAttribute('src'));",
        json!([]),
    );
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    assert!(
        loaded.contains(&"idx/pairs.js".to_string())
            && loaded.iter().any(|s| s.starts_with("idx/p")),
        "a phrase loads word pairs: {loaded:?}"
    );
    browser.open(&format!("{url}?q=%22full%20disk%22"));
    assert_eq!(
        settled_titles(&browser),
        ("No post-mortems match.".to_string(), vec![])
    );

    // status: like the CLI, alone or excluded.
    browser.open(&format!("{url}?q=status%3Ain-review"));
    assert_eq!(settled_titles(&browser).1, [NIGHTLY]);
    browser.open(&format!("{url}?q=warehouse%20-status%3Ain-review"));
    assert_eq!(settled_titles(&browser).0, "No post-mortems match.");

    // A word found only deep in a long post-mortem (past the first 3,000 characters):
    // its snippet shows that passage.
    browser.open(&format!("{url}?q=lighthouse"));
    assert_eq!(settled_titles(&browser).1, [NIGHTLY]);
    let snippet = browser
        .script(
            "return document.querySelector('#search-results .search-snippet').textContent;",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        snippet.contains("A forgotten lighthouse cron entry on the old reporting host"),
        "{snippet}"
    );
    let marks = browser.script(
        "return Array.from(document.querySelectorAll('#search-results mark')).map(m => m.textContent);",
        json!([]),
    );
    assert_eq!(marks, json!(["lighthouse"]));
    // `/` on an incident page focuses the header's search box (without typing a slash).
    let incident = site
        .path()
        .join("public/incidents/2025-12-04-nightly-report-jobs-overlapped/index.html");
    browser.open(&file_url(&incident));
    let before = browser.script("return document.activeElement.id;", json!([]));
    assert_ne!(before, json!("site-search-q"));
    browser.call(
        "POST",
        "/actions",
        json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": "/"}, {"type": "keyUp", "value": "/"}
        ]}]}),
    );
    let focused = browser.script(
        "return [document.activeElement.id, document.activeElement.value];",
        json!([]),
    );
    assert_eq!(focused, json!(["site-search-q", ""]));
    // Typed inside a box, `/` is just a character.
    browser.type_into("#site-search-q", "a/b");
    let value = browser.script(
        "return document.getElementById('site-search-q').value;",
        json!([]),
    );
    assert_eq!(value, json!("a/b"));
}

/// A post-mortem whose text only suggests a cause (a *possible* class, below the cut-off
/// of inferred causes) is found by words that describe it after the post-mortems of that
/// cause, in the browser as in the CLI.
#[test]
fn possible_causes_rank_after_inferred_ones_in_the_browser_as_in_the_cli() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let write = |name: &str, title: &str, date: &str, summary: &str, cause: &str| {
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join(name),
            format!(
                "---\ntitle: {title}\ndate: {date}\n---\n\n{summary}\n\n## Root cause\n\n{cause}\n"
            ),
        )
        .unwrap();
    };
    const POWER: &str = "Racks offline in the east hall";
    const BLIP: &str = "Internal names stopped resolving again";
    write(
        "power.md",
        POWER,
        "2025-02-03",
        "Forty racks went dark for two hours.",
        "Both utility feeds dropped and the generator failed to start, so the data centre lost power.",
    );
    write(
        "scrape.md",
        "Prometheus stopped scraping the payment pods",
        "2024-06-10",
        "Dashboards went blank; alerts stayed silent.",
        "A relabelling rule dropped every target of the payments namespace.",
    );
    // A DNS outage that also mentions a power loss, far below its cause.
    write(
        "blip.md",
        BLIP,
        "2025-05-06",
        "The data centre had also lost power briefly that morning.",
        "A bad zone push removed the records; DNS lookups failed across the fleet.",
    );
    let (code, _, stderr) = run(&root, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    // No word of the query is in either text.
    let (code, cli_out, stderr) = run(&root, &["search", "electricity outage", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&cli_out).unwrap();
    let cli: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(cli, [POWER, BLIP]);
    browser.open(&format!(
        "{}?q=electricity%20outage",
        file_url(&root.join("public/search/index.html"))
    ));
    let (status, titles) = settled_titles(&browser);
    assert_eq!(titles, cli, "{status}");
    // `cause:` filters by the causes inferred, never by the possible ones.
    browser.open(&format!(
        "{}?q=cause%3Apower-failure",
        file_url(&root.join("public/search/index.html"))
    ));
    assert_eq!(settled_titles(&browser).1, [POWER]);
}

/// The browser reads causes as the CLI does, on an archive kept the way teams keep them
/// (the real-derived evaluation set: a repository root, no front matter, no labels).
#[test]
fn cause_queries_or_and_did_you_mean_in_the_browser_match_the_cli() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    crate::util::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/real"),
        &root,
    );
    let (code, _, stderr) = run(&root, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let url = file_url(&root.join("public/search/index.html"));

    // Every plain-word cause query of the evaluation set reads as the same classes, with
    // the same scores, in search.js as in the CLI.
    browser.open(&url);
    let queries: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/eval/real-truth/queries.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let taxonomy = hindsight::taxonomy::Taxonomy::builtin_ref();

    // The taxonomy reads words as search does (the shared words, stems and stop-word
    // tiers), with its negations: the same in search.js.
    let stop_words: Vec<&str> = hindsight::text::stop::STOP_WORDS
        .iter()
        .map(|(w, _)| *w)
        .collect();
    let negations =
        "It wasn't the disk; we didn’t see it, nor did DNS. Can't, WON'T, don'tx isn't.";
    for sample in [
        hindsight::text::AGREEMENT_SAMPLE,
        &stop_words.join(" "),
        negations,
    ] {
        let js = browser.script(
            "return window.hindsightSearch.causeWords(arguments[0]);",
            json!([sample]),
        );
        let js: Vec<(String, String, bool, bool)> = serde_json::from_value(js).unwrap();
        let rust: Vec<(String, String, bool, bool)> = hindsight::taxonomy::tokenize(sample)
            .into_iter()
            .map(|w| (w.lower.into_owned(), w.stem.into_owned(), w.stop, w.neg))
            .collect();
        assert_eq!(js, rust);
    }
    let negated: Vec<String> = hindsight::taxonomy::tokenize(negations)
        .into_iter()
        .filter(|w| w.neg)
        .map(|w| w.lower.into_owned())
        .collect();
    assert_eq!(negated, ["wasn", "didn", "nor", "can", "won", "isn"]);

    for q in queries
        .values()
        .flatten()
        .chain(&["dns broken".to_string()])
    {
        let js = browser.script(
            "return window.hindsightSearch.describedClasses(arguments[0]);",
            json!([q]),
        );
        let js: Vec<(String, f64)> = serde_json::from_value(js).unwrap();
        let rust: Vec<(String, f64)> = hindsight::search::causes::classes_described(taxonomy, q)
            .into_iter()
            .map(|(c, _, s)| (c, s))
            .collect();
        assert_eq!(js.len(), rust.len(), "{q}: {js:?} vs {rust:?}");
        for ((jc, js), (rc, rs)) in js.iter().zip(&rust) {
            assert_eq!(jc, rc, "{q}");
            assert!((js - rs).abs() < 0.01, "{q}: {js} vs {rs}");
        }
    }

    let cli_ids = |q: &str| -> Vec<String> {
        let (code, stdout, stderr) = run(&root, &["search", q, "--json", "--limit", "200"]);
        assert_eq!(code, 0, "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let mut ids: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let browser_ids = |q: &str| -> Vec<String> {
        browser.open(&format!(
            "{url}?q={}",
            q.replace(' ', "%20").replace(':', "%3A")
        ));
        let status = settled_titles(&browser).0;
        // Show every result, then read their ids from the links.
        loop {
            let more = browser.script("var b = document.getElementById('search-more'); if (!b.hidden) { b.click(); return true; } return false;", json!([]));
            if more != json!(true) {
                break;
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        std::thread::sleep(Duration::from_millis(300));
        let mut ids: Vec<String> = browser
            .results(None)
            .into_iter()
            .map(|(_, href)| href.split('/').nth(2).unwrap().to_string())
            .collect();
        ids.sort();
        assert!(
            status.contains(&format!("{} post-mortem", ids.len())) || ids.len() == 1,
            "{status} vs {ids:?}"
        );
        ids
    };
    let notices = |browser: &Browser| -> Vec<String> {
        serde_json::from_value(browser.script(
            "return Array.from(document.querySelectorAll('#search-notices li')).map(l => l.textContent);",
            json!([]),
        ))
        .unwrap()
    };

    // `cause:` with a taxonomy name on an archive without labels: the inferred causes,
    // said so; the same incidents as the CLI. `OR` joins two causes.
    let dns = browser_ids("cause:dns");
    assert!(!dns.is_empty());
    assert_eq!(dns, cli_ids("cause:dns"));
    assert!(
        notices(&browser)
            .iter()
            .any(|n| n.starts_with("no post-mortem of this archive has a cause label")),
        "{:?}",
        notices(&browser)
    );
    let either = browser_ids("cause:dns OR cause:bgp");
    assert_eq!(either, cli_ids("cause:dns OR cause:bgp"));
    assert!(either.len() > dns.len());

    // Plain words that describe a cause: the power failures come first, as in the CLI.
    let (_, titles) = {
        browser.open(&format!("{url}?q=lost%20power"));
        settled_titles(&browser)
    };
    let (_, cli_out, _) = run(&root, &["search", "lost power", "--limit", "1"]);
    assert_eq!(
        Some(titles[0].as_str()),
        cli_out.lines().next(),
        "{titles:?}"
    );
    assert!(
        notices(&browser)
            .iter()
            .any(|n| n.contains("“Power failure” (power-failure)")),
        "{:?}",
        notices(&browser)
    );

    // A word found nowhere offers the archive's nearest words; following one searches it.
    browser.open(&format!("{url}?q=reslover"));
    let deadline = Instant::now() + Duration::from_secs(15);
    let suggestion = loop {
        let v = browser.script(
            "var a = document.querySelector('#search-notices a.search-suggestion'); return a ? a.textContent : null;",
            json!([]),
        );
        if !v.is_null() || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(suggestion, json!("resolver"));
    browser.script(
        "document.querySelector('#search-notices a.search-suggestion').click(); return null;",
        json!([]),
    );
    let (status, _) = settled_titles(&browser);
    assert!(
        status.ends_with("match.") && !status.starts_with("No"),
        "{status}"
    );
    let value = browser.script(
        "return document.getElementById('search-q').value;",
        json!([]),
    );
    assert_eq!(value, json!("resolver"));
}

/// List tables carry sort keys only where a cell's text would sort otherwise: sorting by
/// title reads the link alone (not the badges after it), by date the dates (undated
/// last), and the badges get their fixed explanations from hindsight.js.
#[test]
fn list_tables_sort_by_title_and_date_and_badges_are_explained() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (site, _) = built_fixture();
    browser.open(&file_url(&site.path().join("public/index.html")));
    let column = |n: usize| -> Vec<String> {
        let v = browser.script(
            "return Array.from(document.querySelectorAll('table.incidents tbody tr')).map(r => r.cells[arguments[0]].textContent.trim());",
            json!([n]),
        );
        serde_json::from_value(v).unwrap()
    };
    let titles = || -> Vec<String> {
        let v = browser.script(
            "return Array.from(document.querySelectorAll('table.incidents tbody tr td:nth-child(2) > a')).map(a => a.textContent);",
            json!([]),
        );
        serde_json::from_value(v).unwrap()
    };
    // A title cell with a badge: its text is more than the title.
    let cells = column(1);
    assert!(
        cells.iter().any(|c| c.ends_with("repeat")),
        "the fixture has a repeat: {cells:?}"
    );
    let repeat_title = browser.script(
        "return document.querySelector('table.incidents .badge.repeat').title;",
        json!([]),
    );
    assert_eq!(
        repeat_title,
        "Repeats an earlier incident with the same cause"
    );

    // Two titles where the badge decides: by the whole cell "zeta repeat" would come
    // after "zeta again"; by title "zeta" comes first.
    browser.script(
        "var rows = document.querySelectorAll('table.incidents tbody tr'); \
         var repeat = document.querySelector('table.incidents .badge.repeat').closest('tr'); \
         repeat.querySelector('td:nth-child(2) > a').textContent = 'Zeta'; \
         var other = rows[0] === repeat ? rows[1] : rows[0]; \
         other.querySelector('td:nth-child(2) > a').textContent = 'Zeta again'; return null;",
        json!([]),
    );
    browser.script(
        "document.querySelector('th[data-sort-key] button.sort').click(); return null;",
        json!([]),
    );
    let sorted = titles();
    assert_eq!(sorted[sorted.len() - 2..], ["Zeta", "Zeta again"]);
    let mut expected = sorted.clone();
    expected.sort_by_key(|t| t.to_lowercase());
    assert_eq!(sorted, expected, "by title alone");
    assert!(sorted.len() > 10);

    browser.script(
        "document.querySelector('table.incidents thead th button.sort').click(); return null;",
        json!([]),
    );
    let dates = column(0);
    let mut expected = dates.clone();
    expected.sort();
    assert_eq!(dates, expected, "by date, oldest first");
    assert!(dates[0].starts_with("2023-09-12"), "{dates:?}");
}

/// An incident page sends its milestones once, as a list; hindsight.js draws the bar
/// from it: a dot per milestone, at the list's place along the bar, with the list's
/// words as its tooltip.
#[test]
fn the_milestone_bar_is_drawn_from_the_list() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (site, _) = built_fixture();
    let page = site
        .path()
        .join("public/incidents/2025-10-26-payments-db-connection-pool-exhausted/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<dl class=\"milestone-list\">") && !html.contains("class=\"milestones\"")
    );
    browser.open(&file_url(&page));
    let drawn = browser.script(
        "var bar = document.querySelector('.milestones'); if (!bar) return null; \
         var list = bar.nextElementSibling; \
         return { list: list.className, hidden: bar.getAttribute('aria-hidden'), \
           marks: Array.from(bar.querySelectorAll('.milestone')).map(m => [m.className, parseFloat(m.style.left), m.style.left.slice(-1), m.title]), \
           items: Array.from(list.children).map(d => [d.querySelector('.dot').className, parseFloat(d.dataset.pct), '%', \
             d.querySelector('dt').textContent + ': ' + d.querySelector('dd').textContent]) };",
        json!([]),
    );
    assert_eq!(drawn["list"], "milestone-list", "{drawn}");
    assert_eq!(drawn["hidden"], "true");
    let marks = drawn["marks"].as_array().unwrap();
    let items = drawn["items"].as_array().unwrap();
    assert!(marks.len() >= 2, "{drawn}");
    assert_eq!(marks.len(), items.len());
    for (mark, item) in marks.iter().zip(items) {
        let class = item[0].as_str().unwrap().replace("dot", "milestone");
        assert_eq!(mark[0], class.as_str(), "{drawn}");
        assert_eq!(mark[1], item[1], "{drawn}");
        assert_eq!(mark[2], item[2], "{drawn}");
        assert_eq!(mark[3], item[3], "{drawn}");
    }
    assert_eq!(marks[0][1], 0.0, "the first milestone starts the bar");
    assert_eq!(marks[marks.len() - 1][1], 100.0, "the last ends it");
}

/// The documents' texts come compressed; a browser that cannot inflate them (no
/// DecompressionStream) still lists every result with its title, date and severity,
/// only without snippets, where one that can shows them.
#[test]
fn results_without_decompression_have_no_snippets_but_are_all_there() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let (_site, page) = built_fixture();
    const POOL: &str = "Payments API exhausted its database connection pool";
    let shown = |browser: &Browser| {
        let results = browser.results(Some(POOL));
        let snippets = browser.script(
            "return document.querySelectorAll('#search-results .search-snippet').length;",
            json!([]),
        );
        let meta = browser.script(
            "return document.querySelector('#search-results .search-meta').textContent;",
            json!([]),
        );
        (results, snippets, meta)
    };
    browser.open(&file_url(&page));
    browser.type_into("#search-q", "connection pool exhausted");
    let (with, snippets, _) = shown(&browser);
    assert_eq!(snippets, json!(with.len()), "one snippet a result");

    browser.open(&file_url(&page));
    browser.script(
        "window.DecompressionStream = undefined; return null;",
        json!([]),
    );
    browser.type_into("#search-q", "connection pool exhausted");
    let (without, snippets, meta) = shown(&browser);
    assert_eq!(without, with, "the same results, titles and links");
    assert_eq!(snippets, json!(0));
    assert!(
        meta.as_str().unwrap().contains("2025-10-26") && meta.as_str().unwrap().contains("SEV1"),
        "{meta}"
    );
}
