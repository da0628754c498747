//! Every internal link of a built site resolves: `check_links` reads each HTML file's
//! `href`, `src` and form `action`, resolves it like a browser opening the files from
//! disk, and checks that the file exists and that a `#fragment` names an `id` in it.
//! Run over the fixture site and over the bundled sample archive. Also: the theme
//! loads nothing from other hosts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::util::run;

/// Attribute values of every start tag in `html`, as (tag, attribute, value) with
/// character references in the value decoded. Comments are skipped; text never
/// yields tags because a literal `<` in text is always escaped by the renderer.
pub fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let mut j = start + 1;
        if j >= bytes.len() || !bytes[j].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let a = j;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let q = bytes[j];
                    let v = j + 1;
                    j = v;
                    while j < bytes.len() && bytes[j] != q {
                        j += 1;
                    }
                    value = decode_entities(&html[v..j.min(bytes.len())]);
                    j += 1;
                } else {
                    let v = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[v..j]);
                }
            }
            if a == j {
                j += 1;
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
        i = j.min(bytes.len());
    }
    out
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Ids (and legacy `name` anchors) of an HTML document.
fn ids(html: &str) -> BTreeSet<String> {
    tags(html)
        .into_iter()
        .flat_map(|(_, attrs)| attrs.into_iter().filter(|(a, _)| a == "id").map(|(_, v)| v))
        .collect()
}

fn is_external(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:", "data:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Every broken internal link in the HTML files under `public`, as
/// `page: attribute="value" (why)`. Empty when all resolve.
pub fn check_links(public: &Path) -> Vec<String> {
    let mut pages: BTreeMap<PathBuf, String> = BTreeMap::new();
    for e in walkdir::WalkDir::new(public).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html") {
            pages.insert(
                e.path().strip_prefix(public).unwrap().to_path_buf(),
                std::fs::read_to_string(e.path()).unwrap(),
            );
        }
    }
    let mut id_cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (page, html) in &pages {
        let all = tags(html);
        // A `<base href>` to the published site (404.html) makes links resolve from the root.
        let base_is_root = all.iter().any(|(t, attrs)| {
            t == "base" && attrs.iter().any(|(a, v)| a == "href" && is_external(v))
        });
        let dir = if base_is_root {
            PathBuf::new()
        } else {
            page.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        for (tag, attrs) in &all {
            for (attr, value) in attrs {
                let is_link =
                    matches!(attr.as_str(), "href" | "src") || (tag == "form" && attr == "action");
                if !is_link || (tag == "base" && attr == "href") {
                    continue;
                }
                let report = |why: &str| format!("{}: {attr}=\"{value}\" ({why})", page.display());
                let v = value.trim();
                if v.to_ascii_lowercase().starts_with("javascript:") {
                    problems.push(report("javascript: link"));
                    continue;
                }
                if is_external(v) {
                    continue;
                }
                if v.starts_with('/') {
                    problems.push(report(
                        "absolute path: breaks when the site is opened from disk",
                    ));
                    continue;
                }
                let (path_part, fragment) = match v.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (v, None),
                };
                let path_part = path_part.split('?').next().unwrap_or("");
                let target = if path_part.is_empty() {
                    page.clone()
                } else {
                    let mut t = dir.clone();
                    let mut escaped = false;
                    for c in Path::new(&percent_decode(path_part)).components() {
                        match c {
                            Component::ParentDir => escaped |= !t.pop(),
                            Component::Normal(n) => t.push(n),
                            _ => {}
                        }
                    }
                    if escaped {
                        problems.push(report("points outside the site"));
                        continue;
                    }
                    if path_part.ends_with('/') || public.join(&t).is_dir() {
                        t.push("index.html");
                    }
                    t
                };
                if !public.join(&target).is_file() {
                    problems.push(report(&format!("no file {}", target.display())));
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let Some(target_html) = pages.get(&target) else {
                        problems.push(report("fragment into a file that is not HTML"));
                        continue;
                    };
                    let ids = id_cache
                        .entry(target.clone())
                        .or_insert_with(|| ids(target_html));
                    if !ids.contains(&percent_decode(fragment)) {
                        problems.push(report(&format!(
                            "no id=\"{fragment}\" in {}",
                            target.display()
                        )));
                    }
                }
            }
        }
    }
    problems
}

fn assert_links_resolve(public: &Path) {
    let problems = check_links(public);
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn checker_finds_broken_links_and_missing_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("a")).unwrap();
    std::fs::write(p.join("index.html"), r##"<h1 id="top">x</h1><a href="a/index.html#here">ok</a><a href="#top">ok</a><a href="b/index.html">missing</a><a href="#nope">bad</a><img src="/abs.png"><a href="https://example.com/">ext</a>"##).unwrap();
    std::fs::write(p.join("a/index.html"), r##"<p id="here"></p><a href="../index.html#top">ok</a><a href="../index.html#gone">bad</a><a href="../../up.html">out</a><a href="a%20b.html">sp</a>"##).unwrap();
    std::fs::write(p.join("a/a b.html"), "<p>ok</p>").unwrap();
    let problems = check_links(p);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(
        problems
            .iter()
            .any(|m| m.contains("href=\"b/index.html\" (no file b/index.html)"))
    );
    assert!(
        problems
            .iter()
            .any(|m| m.contains("href=\"#nope\" (no id=\"nope\""))
    );
    assert!(
        problems
            .iter()
            .any(|m| m.contains("src=\"/abs.png\" (absolute path"))
    );
    assert!(problems.iter().any(|m| m.contains("#gone")));
    assert!(
        problems
            .iter()
            .any(|m| m.contains("points outside the site"))
    );
}

#[test]
fn fixture_site_links_all_resolve() {
    let (_dir, public) = crate::render::build_fixture("site");
    assert!(
        public
            .join("incidents/2025-10-26-checkout-db-pool/index.html")
            .is_file()
    );
    assert_links_resolve(&public);
}

#[test]
fn sample_archive_links_all_resolve() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = repo.join("content");
    let has_posts = walkdir::WalkDir::new(&content)
        .into_iter()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "md"));
    if !has_posts {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).unwrap();
    crate::util::copy_dir(&content, &dir.path().join("content"));
    let (code, _, err) = run(
        dir.path(),
        &["build", "--root", ".", "--as-of", "2026-12-31"],
    );
    assert_eq!(code, 0, "{err}");
    let public = dir.path().join("public");
    let pages = walkdir::WalkDir::new(public.join("incidents"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_name() == "index.html")
        .count();
    assert!(pages >= 15, "{pages} incident pages");
    assert_links_resolve(&public);
}

/// Theme files may name the SVG/XML namespaces, but load nothing from another host.
#[test]
fn theme_loads_nothing_from_other_hosts() {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let allowed = ["http://www.w3.org/", "http://www.sitemaps.org/"];
    let mut offenders = Vec::new();
    for e in walkdir::WalkDir::new(&theme).sort_by_file_name() {
        let e = e.unwrap();
        if !e.file_type().is_file() || e.path().extension().is_some_and(|x| x == "md") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
        for (at, _) in text.match_indices("http") {
            let rest = &text[at..];
            if (rest.starts_with("http://") || rest.starts_with("https://"))
                && !allowed.iter().any(|a| rest.starts_with(a))
            {
                offenders.push(format!(
                    "{}: {}",
                    e.path().display(),
                    rest.chars().take(60).collect::<String>()
                ));
            }
        }
        if text.contains("@import") || text.contains("fonts.googleapis") {
            offenders.push(format!("{}: imports", e.path().display()));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
