//! Bad input never panics, and every problem is reported at its file, line and column:
//! the fixtures in tests/fixtures/bad/content plus a generated 5 MB post-mortem and a file
//! with a 2 MB line, through the real binary (`hindsight check`) and `content::parse`.
//! Also: a failed `hindsight build` leaves the previously published site byte-identical.

use std::collections::BTreeMap;
use std::path::Path;

use hindsight::config::Config;
use hindsight::content::{self, SourceFile};

use crate::util::{fixture_copy, fixtures, run};

/// (file, level, code, line, col) of every diagnostic the bad archive must produce.
const EXPECTED: &[(&str, &str, &str, usize, usize)] = &[
    ("bad-values.md", "warning", "unknown-status", 4, 9),
    ("bad-values.md", "warning", "invalid-value", 5, 7),
    ("bad-values.md", "warning", "invalid-timestamp", 6, 13),
    ("bad-values.md", "warning", "invalid-timestamp", 7, 14),
    ("binary-invalid.md", "error", "not-utf8", 1, 5),
    ("binary-junk.md", "warning", "missing-title", 1, 0),
    ("binary-junk.md", "error", "missing-date", 1, 0),
    ("bom-only.md", "warning", "missing-title", 1, 0),
    ("bom-only.md", "error", "missing-date", 1, 0),
    ("broken-yaml.md", "error", "yaml-syntax", 3, 11),
    ("conflict.md", "warning", "front-matter-conflict", 2, 8),
    ("conflict.md", "warning", "front-matter-conflict", 3, 7),
    ("crlf-severity.md", "warning", "unknown-severity", 4, 11),
    ("duplicate-b.md", "error", "duplicate-id", 0, 0),
    ("empty.md", "warning", "missing-title", 1, 0),
    ("empty.md", "error", "missing-date", 1, 0),
    ("impossible-date.md", "error", "invalid-date", 3, 23),
    ("missing-cells.md", "warning", "table-missing-cells", 10, 10),
    ("missing-cells.md", "warning", "table-missing-cells", 11, 24),
    ("no-headings.md", "warning", "missing-title", 1, 0),
    ("not-utf8.md", "error", "not-utf8", 3, 4),
    (
        "out-of-order.md",
        "warning",
        "timestamps-out-of-order",
        5,
        14,
    ),
    ("table-only.md", "warning", "missing-title", 1, 0),
    ("table-only.md", "error", "missing-date", 1, 0),
    ("table-only.md", "warning", "table-missing-cells", 3, 6),
    ("unknown-severity.md", "warning", "unknown-severity", 4, 11),
    (
        "unterminated.md",
        "error",
        "unterminated-front-matter",
        1,
        1,
    ),
    ("wrong-types.md", "warning", "front-matter-type", 2, 8),
    ("wrong-types.md", "error", "invalid-date", 3, 7),
    ("wrong-types.md", "warning", "front-matter-type", 4, 11),
];

fn location(file: &str, line: usize, col: usize) -> String {
    match (line, col) {
        (0, _) => format!("content/{file}"),
        (l, 0) => format!("content/{file}:{l}"),
        (l, c) => format!("content/{file}:{l}:{c}"),
    }
}

/// A 5 MB post-mortem: the template fixture repeated, with a growing timeline and
/// thousands of equal headings.
fn write_huge_files(content: &Path) {
    let chunk = std::fs::read_to_string(
        fixtures().join("parse/content/2025-03-14-checkout-redis-storm.md"),
    )
    .unwrap();
    let mut big = String::with_capacity(5_300_000);
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&chunk);
        big.push('\n');
    }
    std::fs::write(content.join("huge-5mb.md"), &big).unwrap();
    let line: String = "pool exhausted again ".repeat(100_000);
    std::fs::write(
        content.join("huge-line.md"),
        format!("# Huge line\n\n**Date of Incident**: 2025-01-02\n\n{line}\n"),
    )
    .unwrap();
}

fn read_lossy(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_reports_every_problem_with_its_position_and_never_panics() {
    let site = fixture_copy("bad");
    // The JSON format carries the same positions.
    let (code, stdout, _) = run(
        site.path(),
        &["check", "--as-of", "2025-12-01", "--format", "json"],
    );
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let unknown = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-severity" && d["path"] == "content/crlf-severity.md")
        .unwrap();
    assert_eq!(
        (unknown["line"].as_u64(), unknown["col"].as_u64()),
        (Some(4), Some(11))
    );
    assert_eq!(
        unknown["source_line"], "severity: SEV9",
        "the CR of a CRLF line is not shown"
    );

    write_huge_files(&site.path().join("content"));
    // `--verbose`: every warning of the huge files, not the first few of each kind.
    let (code, stdout, stderr) = run(
        site.path(),
        &["check", "--verbose", "--as-of", "2025-12-01"],
    );
    assert_eq!(code, 1, "content errors exit 1\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    for (file, level, code, line, col) in EXPECTED {
        let prefix = format!("{}: {level}[{code}]", location(file, *line, *col));
        assert!(
            stderr.lines().any(|l| l.starts_with(&prefix)),
            "missing `{prefix}` in\n{stderr}"
        );
    }
    // Nothing else: every reported problem is one of the expected ones, and the huge
    // files (the template repeated) only repeat its warnings.
    // Notes (inferred causes) are information for reviewers, not problems.
    let reported: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("content/") && !l.contains(": note["))
        .collect();
    let (huge, rest): (Vec<&str>, Vec<&str>) = reported
        .iter()
        .partition(|l| l.starts_with("content/huge-"));
    assert_eq!(rest.len(), EXPECTED.len(), "{stderr}");
    assert!(
        huge.len() > 1000 && huge.iter().all(|l| l.contains(": warning[")),
        "{} {:?}",
        huge.len(),
        huge.iter().find(|l| !l.contains(": warning["))
    );
    let errors = EXPECTED.iter().filter(|e| e.1 == "error").count();
    let warnings = EXPECTED.len() - errors + huge.len();
    let notes = stderr
        .lines()
        .filter(|l| l.starts_with("content/") && l.contains(": note[inferred-cause]"))
        .count();
    assert!(
        stderr.ends_with(&format!(
            "{errors} errors, {warnings} warnings, {notes} note{}\n",
            if notes == 1 { "" } else { "s" }
        )),
        "{}",
        &stderr[stderr.len() - 200..]
    );
}

#[test]
fn parse_never_panics_and_reports_positions() {
    let site = fixture_copy("bad");
    let content_dir = site.path().join("content");
    write_huge_files(&content_dir);
    let config = Config::default();
    let mut names: Vec<String> = std::fs::read_dir(&content_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let mut seen = Vec::new();
    for name in &names {
        let path = content_dir.join(name);
        let rel = format!("content/{name}");
        let source = SourceFile::new(path.clone(), rel.clone(), read_lossy(&path));
        let parsed = content::parse(&source, &config);
        let incident = parsed
            .incident
            .unwrap_or_else(|| panic!("{name}: an incident, even from bad input"));
        assert!(!incident.id.is_empty(), "{name}");
        for d in parsed.diagnostics {
            assert!(d.path == Path::new(&rel), "{name}: {d}");
            seen.push((name.clone(), d.code, d.line, d.col));
        }
        if name == "huge-5mb.md" {
            assert_eq!(
                incident.title,
                "Checkout outage from Redis connection storm"
            );
            assert!(
                incident.timeline.len() > 7000,
                "{}",
                incident.timeline.len()
            );
            assert!(
                incident.timeline.windows(2).all(|w| w[0].at <= w[1].at),
                "times keep rolling forward"
            );
            assert!(incident.toc.iter().any(|t| t.anchor == "timeline-900"));
        }
        if name == "huge-line.md" {
            assert_eq!(incident.date, Some(jiff::civil::Date::constant(2025, 1, 2)));
            assert!(incident.summary.unwrap().len() > 2_000_000);
        }
        if name == "deep-nesting.md" {
            assert_eq!(incident.title, "Deep nesting");
        }
    }
    // Discovery reports non-UTF-8 files and duplicate ids belong to the archive; every
    // other expected diagnostic comes from parse itself.
    for (file, _, code, line, col) in EXPECTED
        .iter()
        .filter(|e| !matches!(e.2, "not-utf8" | "duplicate-id"))
    {
        assert!(
            seen.iter()
                .any(|(f, c, l, k)| f == file && c == code && l == line && k == col),
            "{file}: {code} at {line}:{col} in {seen:?}"
        );
    }
}

#[test]
fn messages_read_as_written() {
    let site = fixture_copy("bad");
    let (_, _, stderr) = run(site.path(), &["check", "--as-of", "2025-12-01"]);
    let block = |prefix: &str| -> String {
        let start = stderr
            .find(prefix)
            .unwrap_or_else(|| panic!("{prefix} in {stderr}"));
        let rest = &stderr[start..];
        let end = rest[1..].find("\ncontent/").map_or(rest.len(), |i| i + 1);
        rest[..end].trim_end().to_string()
    };
    assert_eq!(
        block("content/broken-yaml.md:3:11"),
        "content/broken-yaml.md:3:11: error[yaml-syntax]: front matter is not valid YAML: did not find expected ',' or ']' on line 4, while parsing a flow sequence that starts here\n 3 | services: [api, db\n   |           ^"
    );
    assert_eq!(
        block("content/impossible-date.md:3:23"),
        "content/impossible-date.md:3:23: error[invalid-date]: date of incident: invalid date `2025-02-30`: February 2025 has 28 days\n 3 | **Date of Incident**: 2025-02-30\n   |                       ^"
    );
    assert_eq!(
        block("content/wrong-types.md:2:8"),
        "content/wrong-types.md:2:8: warning[front-matter-type]: `title` must be a string, found a list; the value is ignored\n 2 | title: [Disk, full]\n   |        ^"
    );
    assert_eq!(
        block("content/unterminated.md:1:1"),
        "content/unterminated.md:1:1: error[unterminated-front-matter]: front matter opened with `---` on line 1 is never closed; expected a line `---` after the YAML (the file is read as Markdown without front matter)\n 1 | ---\n   | ^"
    );
    assert_eq!(
        block("content/unknown-severity.md:4:11"),
        "content/unknown-severity.md:4:11: warning[unknown-severity]: unknown severity `Critical`, left without a severity; expected one of SEV1, SEV2, SEV3, SEV4 (site.toml `severities`)\n 4 | severity: Critical\n   |           ^"
    );
    assert_eq!(
        block("content/out-of-order.md:5:14"),
        "content/out-of-order.md:5:14: warning[timestamps-out-of-order]: detected_at 2025-09-09T09:50:00Z is before started_at 2025-09-09T10:00:00Z, so the time to detect is unknown; expected detected_at not to come before started_at\n 5 | detected_at: 2025-09-09T09:50:00Z\n   |              ^"
    );
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

#[test]
fn failed_build_leaves_the_published_site_byte_identical() {
    let site = fixture_copy("parse");
    let (code, _, stderr) = run(site.path(), &["build", "--as-of", "2025-12-01"]);
    assert_eq!(code, 0, "{stderr}");
    let public = site.path().join("public");
    let before = snapshot(&public);
    assert!(
        before.contains_key("index.html") && before.len() > 10,
        "{:?}",
        before.keys().collect::<Vec<_>>()
    );

    for name in ["broken-yaml.md", "impossible-date.md", "binary-invalid.md"] {
        std::fs::copy(
            fixtures().join("bad/content").join(name),
            site.path().join("content").join(name),
        )
        .unwrap();
    }
    let (code, _, stderr) = run(site.path(), &["build", "--as-of", "2025-12-01"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/broken-yaml.md:3:11: error[yaml-syntax]"),
        "{stderr}"
    );
    assert!(stderr.contains("not published"), "{stderr}");
    assert_eq!(snapshot(&public), before, "the previous site is untouched");
    let leftovers: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
