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
    // phrase), and one document file per result shown.
    let loaded = browser.script("return Array.from(document.querySelectorAll('script[src*=\"idx/\"]')).map(s => s.getAttribute('src').replace(/^idx\\//, ''));", json!([]));
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    assert!(
        loaded
            .iter()
            .all(|n| !n.starts_with("f-") && !n.starts_with('p')),
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
