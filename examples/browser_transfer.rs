//! How many bytes of the static search index a browser loads per query: a benchmark, not
//! a check. Opens `SITE/search/index.html` from disk in headless Chromium (Debian's
//! chromium and chromium-driver), types each query in turn and prints the bytes of the
//! index files each one made the page load (the first one also counts static/search.js).
//!
//! `cargo run --release --example browser_transfer -- PUBLIC_DIR ["q1|q2|…"]`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "../tests/it/webdriver.rs"]
mod webdriver;

use webdriver::{Browser, file_url};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(public) = args.next().map(PathBuf::from) else {
        eprintln!("usage: browser_transfer PUBLIC_DIR [\"query|query|…\"]");
        std::process::exit(2);
    };
    let queries = args.next().unwrap_or_else(|| {
        "connection pool exhausted|expired certificate|dns timeout|memory leak|disk full".into()
    });
    let Some(browser) = Browser::start() else {
        std::process::exit(2);
    };
    let page = public.join("search/index.html");
    browser.open(&file_url(&page));
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut seen: Vec<String> = Vec::new();
    for (n, q) in queries.split('|').enumerate() {
        let input = browser.element("#search-q");
        browser.call("POST", &format!("/element/{input}/clear"), json!({}));
        browser.type_into("#search-q", &format!("{q} "));
        let start = Instant::now();
        let mut last = 0;
        // Wait until no new script appears for half a second.
        let mut stable_since = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            let count = browser
                .script(
                    "return document.querySelectorAll('script[src*=\"idx/\"]').length;",
                    json!([]),
                )
                .as_u64()
                .unwrap_or(0);
            if count != last {
                last = count;
                stable_since = Instant::now();
            } else if stable_since.elapsed() > Duration::from_millis(500) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let srcs: Vec<String> = serde_json::from_value(browser.script("return Array.from(document.querySelectorAll('script[src*=\"idx/\"]')).map(s => s.getAttribute('src'));", json!([]))).unwrap();
        let fresh: Vec<String> = srcs.into_iter().filter(|s| !seen.contains(s)).collect();
        let mut bytes: u64 = fresh
            .iter()
            .map(|s| size(&public.join("search").join(s)))
            .sum();
        if n == 0 {
            bytes += size(&public.join("static/search.js"));
        }
        let results = browser.results(None).len();
        println!(
            "query {q:?}: {} new files, {bytes} bytes{}; {results} results shown; {}",
            fresh.len(),
            if n == 0 { " incl. search.js" } else { "" },
            browser.status_text()
        );
        seen.extend(fresh);
    }
}
