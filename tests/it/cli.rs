//! The command line: exit codes, init/new, output-folder safety, configuration errors.

use crate::util::run;

fn write(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const GOOD: &str = "---\ntitle: Cache stampede after deploy\ndate: 2025-03-04\nseverity: SEV2\n---\n\n# Cache stampede after deploy\n\nThe cache emptied.\n";

#[test]
fn init_creates_a_site_that_builds_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("new-site");
    let (code, _, err) = run(tmp.path(), &["init", "new-site"]);
    assert_eq!(code, 0, "{err}");
    assert!(site.join("site.toml").is_file());
    let examples: Vec<_> = std::fs::read_dir(site.join("content")).unwrap().collect();
    assert_eq!(examples.len(), 1);
    let (code, _, err) = run(&site, &["build", "--as-of", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(site.join("public/index.html").is_file(), "{err}");
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(
        home.contains("Example: checkout latency after a config push"),
        "the example is listed"
    );
    // A second init must not overwrite the site.
    let (code, _, err) = run(tmp.path(), &["init", "new-site"]);
    assert_eq!(code, 2);
    assert!(err.contains("already holds a site.toml"), "{err}");
}

#[test]
fn new_writes_a_dated_slugged_post_mortem_from_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        tmp.path(),
        &[
            "new",
            "DNS outage: resolver timeouts!",
            "--date",
            "2026-02-03",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let path = tmp
        .path()
        .join("content/2026-02-03-dns-outage-resolver-timeouts.md");
    assert!(
        out.trim()
            .ends_with("content/2026-02-03-dns-outage-resolver-timeouts.md"),
        "{out}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"DNS outage: resolver timeouts!\"\ndate: 2026-02-03\n"),
        "{text}"
    );
    assert!(text.contains("| Time (UTC) | Event | Actor |"));
    // The same title twice is refused rather than overwritten.
    let (code, _, err) = run(
        tmp.path(),
        &[
            "new",
            "DNS outage: resolver timeouts!",
            "--date",
            "2026-02-03",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn unknown_config_key_is_a_usage_error_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("site.toml"),
        "title = \"x\"\noutput_dri = \"out\"\n",
    );
    write(&tmp.path().join("content/a.md"), GOOD);
    let (code, _, err) = run(tmp.path(), &["build"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("site.toml: 2:1: unknown field `output_dri`"),
        "{err}"
    );
    assert!(err.contains("output_dir"), "lists the allowed keys: {err}");
}

#[test]
fn output_folder_that_would_destroy_the_site_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("content/a.md"), GOOD);
    for (args, expected) in [
        (vec!["build", "--output", "."], "is the site root"),
        (vec!["build", "--output", "content/.."], "is the site root"),
        (
            vec!["build", "--output", "content"],
            "contains the content folder",
        ),
    ] {
        let (code, _, err) = run(tmp.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("site-out");
    let (code, _, err) = run(tmp.path(), &["build", "--output", target.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("lies outside the site") && err.contains("--force"),
        "{err}"
    );
    assert!(!target.exists());
    let (code, _, err) = run(
        tmp.path(),
        &["build", "--force", "--output", target.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(target.join("incidents/a/index.html").is_file());
    assert!(
        tmp.path().join("content/a.md").is_file(),
        "content untouched"
    );
}

#[test]
fn missing_content_folder_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["build"]);
    assert_eq!(code, 2);
    assert!(err.contains("no content folder"), "{err}");
}

#[test]
fn bad_as_of_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("content/a.md"), GOOD);
    let (code, _, err) = run(tmp.path(), &["build", "--as-of", "2025-13-01"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: --as-of `2025-13-01`: there is no month 13; expected a month from 01 to 12"
    );
}

#[test]
fn bad_new_date_names_the_date_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["new", "Disk full", "--date", "2025-13-01"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: --date `2025-13-01`: there is no month 13; expected a month from 01 to 12"
    );
    let (code, _, err) = run(tmp.path(), &["new", "Disk full", "--date", "2025-02-29"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: --date `2025-02-29`: 2025-02 has no day 29; expected a day from 01 to 28"
    );
    assert!(!tmp.path().join("content").exists());
}

#[test]
fn unknown_subcommand_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, _) = run(tmp.path(), &["publish"]);
    assert_eq!(code, 2);
}

#[test]
fn build_replaces_the_previous_output_and_leaves_no_temporary_folders() {
    let site = tempfile::tempdir().unwrap();
    write(&site.path().join("content/a.md"), GOOD);
    write(
        &site.path().join("content/b.md"),
        &GOOD.replace("Cache stampede", "Queue backlog"),
    );
    let (code, _, err) = run(site.path(), &["build", "--as-of", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(site.path().join("public/incidents/b/index.html").is_file());
    std::fs::remove_file(site.path().join("content/b.md")).unwrap();
    let (code, _, err) = run(site.path(), &["build", "--as-of", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !site.path().join("public/incidents/b").exists(),
        "stale pages are removed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn check_json_lists_every_diagnostic_with_position() {
    let site = tempfile::tempdir().unwrap();
    write(&site.path().join("content/a.md"), GOOD);
    write(&site.path().join("content/sub/a.md"), GOOD);
    let (code, out, err) = run(site.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["errors"], 1);
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["level"] == "error")
        .unwrap();
    assert_eq!(d["code"], "duplicate-id");
    assert_eq!(d["level"], "error");
    assert_eq!(d["path"], "content/sub/a.md");
    assert!(d["message"].as_str().unwrap().contains("content/a.md"));
}

#[test]
fn checks_table_in_site_toml_demotes_an_error_to_a_warning() {
    let site = tempfile::tempdir().unwrap();
    write(
        &site.path().join("site.toml"),
        "[checks]\nduplicate-id = \"warning\"\n",
    );
    write(&site.path().join("content/a.md"), GOOD);
    write(&site.path().join("content/sub/a.md"), GOOD);
    let (code, _, err) = run(site.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[duplicate-id]"), "{err}");
    let (code, _, _) = run(site.path(), &["check", "--strict"]);
    assert_eq!(code, 1, "--strict fails on warnings");
}

/// The bundled sample archive builds cleanly even with `--strict`: cause suggestions are
/// notes, counted by `build` and listed by `check`, and never fail either.
#[test]
fn sample_archive_builds_strictly_and_notes_are_listed_only_by_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&root.join("content"), &site.path().join("content"));
    std::fs::copy(root.join("site.toml"), site.path().join("site.toml")).unwrap();
    let (code, _, err) = run(site.path(), &["build", "--strict", "--as-of", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("note[cause-suggestion]"), "{err}");
    let notes: usize = err
        .lines()
        .find_map(|l| {
            l.strip_suffix(
                " notes (suggestions and remarks for authors); `hindsight check` lists them",
            )
        })
        .expect("build counts the notes")
        .parse()
        .unwrap();
    assert!(notes > 0);
    let (code, _, err) = run(site.path(), &["check", "--strict", "--as-of", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("note[cause-suggestion]").count()
            + err.matches("note[inferred-cause]").count()
            + err.matches("note[duration-disagrees]").count(),
        notes,
        "{err}"
    );
    assert!(
        err.ends_with(&format!("0 errors, 0 warnings, {notes} notes\n")),
        "{err}"
    );
}

/// A site whose one post-mortem, in a file whose name needs escaping in a workflow
/// command property (`%`, `,`, `:`), has an invalid date (an error with line and column)
/// and a duplicate (an error on the second file).
fn site_with_problems() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    write(
        &site.path().join("content/50%, odd: name.md"),
        &GOOD.replace("2025-03-04", "2025-02-30"),
    );
    write(&site.path().join("content/a.md"), GOOD);
    write(&site.path().join("content/sub/a.md"), GOOD);
    site
}

/// GitHub workflow commands: `::error file=F,line=L,col=C,title=T::message`, with `%`,
/// CR and LF escaped in the message and also `:` and `,` in properties.
#[test]
fn check_format_github_prints_workflow_commands_with_escaping() {
    let site = site_with_problems();
    let (code, out, err) = run(site.path(), &["check", "--format", "github"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 2, "{out}");
    for line in &lines {
        let rest = ["::error ", "::warning ", "::notice "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (props, message) = rest.split_once("::").expect("properties::message");
        assert!(!message.is_empty() && !message.contains(['\r', '\n']));
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').expect("key=value").0)
            .collect();
        assert_eq!(keys.first(), Some(&"file"), "{line}");
        assert_eq!(keys.last(), Some(&"title"), "{line}");
        for (key, value) in props.split(',').filter_map(|p| p.split_once('=')) {
            assert!(!value.contains(':') && !value.contains(','), "{line}");
            if key == "line" || key == "col" {
                assert!(value.parse::<usize>().unwrap() >= 1, "{line}");
            }
        }
    }
    let bad_date = lines
        .iter()
        .find(|l| l.contains("invalid-date") || l.contains("date"))
        .unwrap();
    assert!(
        bad_date.starts_with("::error file=content/50%25%2C odd%3A name.md,line=3,col=7,title="),
        "{bad_date}"
    );
    assert!(out.contains("::error file=content/sub/a.md,"), "{out}");
    assert!(err.contains("errors"), "a summary on stderr: {err}");
}

/// GitLab Code Quality: a JSON array of issues with description, check_name, a unique
/// and stable fingerprint, a severity from GitLab's list and location.path/lines.begin.
#[test]
fn check_format_gitlab_writes_a_code_quality_report() {
    let site = site_with_problems();
    let (code, out, err) = run(site.path(), &["check", "--format", "gitlab"]);
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = report.as_array().unwrap();
    assert!(issues.len() >= 2);
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in issues {
        assert!(issue["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(issue["check_name"].as_str().is_some_and(|s| !s.is_empty()));
        let fp = issue["fingerprint"].as_str().unwrap();
        assert!(fingerprints.insert(fp.to_string()), "unique: {fp}");
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
        assert!(
            issue["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("content/")
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let dup = issues
        .iter()
        .find(|i| i["check_name"] == "duplicate-id")
        .unwrap();
    assert_eq!(dup["severity"], "major");
    assert_eq!(dup["location"]["path"], "content/sub/a.md");
    let (_, again, _) = run(site.path(), &["check", "--format", "gitlab"]);
    assert_eq!(out, again, "fingerprints are stable");
}

/// SARIF 2.1.0: version, runs[0].tool.driver {name, version, rules}, and results with
/// ruleId (one of the rules), level, message.text and a physical location.
#[test]
fn check_format_sarif_writes_a_minimal_sarif_log() {
    let site = site_with_problems();
    let (code, out, err) = run(site.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "hindsight");
    assert!(driver["version"].as_str().is_some());
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 2);
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        assert!(rules.contains(&rule), "{rule} is a rule");
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], rule);
        assert!(["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].as_str().is_some_and(|s| !s.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("content/")
        );
        if let Some(region) = loc.get("region") {
            assert!(region["startLine"].as_u64().unwrap() >= 1);
        }
    }
    let dated = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "content/50%25%2C%20odd%3A%20name.md"
                && r["level"] == "error"
        })
        .unwrap();
    assert_eq!(dated["level"], "error");
    assert_eq!(
        dated["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        dated["locations"][0]["physicalLocation"]["region"]["startColumn"],
        7
    );
}

#[test]
fn version_names_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, _) = run(tmp.path(), &["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("hindsight 0."), "{out}");
    assert!(out.trim_end().ends_with(')') && out.contains(" ("), "{out}");
}
