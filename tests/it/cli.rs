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
        .find_map(|l| l.strip_suffix(" notes (suggestions); `hindsight check` lists them"))
        .expect("build counts the notes")
        .parse()
        .unwrap();
    assert!(notes > 0);
    let (code, _, err) = run(site.path(), &["check", "--strict", "--as-of", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("note[cause-suggestion]").count() + err.matches("note[inferred-cause]").count(),
        notes,
        "{err}"
    );
    assert!(
        err.ends_with(&format!("0 errors, 0 warnings, {notes} notes\n")),
        "{err}"
    );
}
