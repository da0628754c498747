//! Hostile post-mortems: script tags, `javascript:` links, event-handler attributes and
//! iframes in the body and in every front-matter value must reach the published site
//! only as inert text. The checks read the output with the same tag scanner the link
//! checker uses, so escaped text (`&lt;script&gt;`) is not mistaken for a tag.

use std::path::Path;

use crate::links::tags;
use crate::util::run;

const HOSTILE: &str = r#"---
title: "<script>alert('title')</script> Pool <img src=x onerror=alert(1)>"
date: 2025-04-01
severity: SEV2
services: ["<img src=x onerror=alert('svc')>", "api"]
teams: ["\" onmouseover=\"alert('team')"]
authors: ["<iframe src=\"https://evil.example/\"></iframe>"]
causes: ["javascript:alert('cause')"]
tags: ["<svg onload=alert('tag')>"]
summary: "<script>alert('summary')</script>"
---
# Post-Mortem: hostile

## Executive Summary

**What Happened**: <script>alert('body')</script> then <img src=x onerror="alert('img')"> and
<a href="javascript:alert('link')">click</a> and <iframe src="https://evil.example/"></iframe>.

[markdown link](javascript:alert('md')) and <a href="JaVaScRiPt:alert('case')" onclick="x()">case</a>
<div onmouseover="alert('div')" style="color:red">hover</div>
<object data="x.swf"></object><embed src="x.swf">

## Incident Details

### Timeline

| Time (UTC) | Event | Actor |
|------------|-------|-------|
| 10:00 | <script>alert('timeline')</script> | <img src=x onerror=alert('actor')> |

## Action Items

| # | Action | Priority | Owner | Due Date | Status |
|---|--------|----------|-------|----------|--------|
| 1 | <script>alert('action')</script> | P1 | <img src=x onerror=alert('owner')> | 2025-05-01 | 📅 Planned |
| 2 | [owner link](javascript:alert('cell')) | P1 | "><script>alert('q')</script> | 2025-05-02 | ⏳ In Progress |
"#;

fn build_hostile() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"Safe <b>site</b>\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/2025-04-01-hostile.md"), HOSTILE).unwrap();
    std::fs::write(
        dir.path().join("content/2025-03-01-plain.md"),
        "---\ntitle: Plain neighbour\ndate: 2025-03-01\nseverity: SEV3\nservices: [api]\n---\n# Plain neighbour\n\nNothing odd here.\n",
    )
    .unwrap();
    let (code, _, err) = run(
        dir.path(),
        &["build", "--root", ".", "--as-of", "2025-06-01"],
    );
    assert_eq!(code, 0, "{err}");
    let public = dir.path().join("public");
    (dir, public)
}

fn files_with(public: &Path, extensions: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(public).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file()
            && e.path()
                .extension()
                .is_some_and(|x| extensions.iter().any(|w| x == *w))
        {
            let rel = e
                .path()
                .strip_prefix(public)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read_to_string(e.path()).unwrap()));
        }
    }
    out
}

/// Every live danger in a document: scripts that are not the theme's own files, event
/// handlers, `javascript:` URLs and embedding elements.
fn live_dangers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (tag, attrs) in tags(html) {
        if tag == "script" {
            let theme_file = attrs
                .iter()
                .any(|(a, v)| a == "src" && v.contains("static/") && v.ends_with(".js"));
            if !theme_file {
                found.push(format!("<script> {attrs:?}"));
            }
        }
        let embeds = matches!(
            tag.as_str(),
            "iframe" | "object" | "embed" | "frame" | "frameset" | "applet"
        );
        let refresh = tag == "meta" && attrs.iter().any(|(a, _)| a == "http-equiv");
        if embeds || refresh {
            found.push(format!("<{tag}>"));
        }
        for (attr, value) in &attrs {
            if attr.starts_with("on") {
                found.push(format!("<{tag} {attr}=\"{value}\">"));
            }
            let squashed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if squashed.contains("javascript:")
                || squashed.contains("vbscript:")
                || (squashed.starts_with("data:") && attr != "content")
            {
                found.push(format!("<{tag} {attr}=\"{value}\">"));
            }
        }
    }
    found
}

#[test]
fn hostile_values_are_inert_everywhere() {
    let (_dir, public) = build_hostile();
    let docs = files_with(&public, &["html", "xml", "svg"]);
    assert!(docs.len() > 10);
    let mut problems = Vec::new();
    for (path, text) in &docs {
        for d in live_dangers(text) {
            problems.push(format!("{path}: {d}"));
        }
        // The scanner would miss a tag written with odd case or spacing; be blunt too.
        let lower = text.to_ascii_lowercase();
        for needle in [
            "<script>alert",
            "<iframe",
            "<img src=x",
            "<svg onload",
            "href=\"javascript:",
        ] {
            if lower.contains(needle) {
                problems.push(format!("{path}: contains `{needle}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn hostile_front_matter_is_shown_escaped_not_dropped() {
    let (_dir, public) = build_hostile();
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(
        home.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Pool"),
        "title escaped: {}",
        &home[home.find("<tbody>").unwrap()..]
    );
    assert!(
        home.contains("Safe &lt;b&gt;site&lt;/b&gt;"),
        "site title escaped too"
    );
    let incident =
        std::fs::read_to_string(public.join("incidents/2025-04-01-hostile/index.html")).unwrap();
    assert!(
        incident.contains("&lt;img src=x onerror=alert(&#39;svc&#39;)&gt;"),
        "service name shown as text"
    );
    // The hostile cause name becomes a harmless slug in its page path.
    assert!(
        public
            .join("causes/javascript-alert-cause/index.html")
            .is_file()
    );
    // Values in the JSON export are data: they stay as written, and the file parses.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("api/incidents.json")).unwrap())
            .unwrap();
    let hostile = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "2025-04-01-hostile")
        .unwrap();
    assert_eq!(hostile["services"][0], "<img src=x onerror=alert('svc')>");
}
