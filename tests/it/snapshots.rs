//! What a user reads, verbatim: `--help`, `check` on the bad-input fixtures, and search
//! results on the bundled sample. A changed message shows up here as a snapshot diff
//! (insta; `INSTA_UPDATE=always cargo test snapshots` rewrites them after a review).

use crate::util::{copy_dir, fixture_copy, run};

#[test]
fn help_texts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("help", &["--help"][..]),
        ("help_build", &["build", "--help"]),
        ("help_check", &["check", "--help"]),
        ("help_search", &["search", "--help"]),
        ("help_serve", &["serve", "--help"]),
        ("help_new", &["new", "--help"]),
    ] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 0, "{name}: {stderr}");
        insta::assert_snapshot!(name, stdout);
    }
}

#[test]
fn check_output_on_the_bad_input_fixtures() {
    let site = fixture_copy("bad");
    let (code, stdout, stderr) = run(site.path(), &["check", "--as-of", "2025-12-01"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    insta::assert_snapshot!("check_bad", stderr);
}

#[test]
fn search_results_on_the_sample() {
    let site = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("content"), &site.path().join("content"));
    std::fs::copy(root.join("site.toml"), site.path().join("site.toml")).unwrap();
    for (name, query) in [
        ("search_pool", "connection pool exhausted"),
        ("search_cause_dns", "cause:dns"),
        ("search_phrase", "\"certificate expired\""),
    ] {
        let (code, stdout, stderr) = run(site.path(), &["search", query, "--limit", "5"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        insta::assert_snapshot!(
            name,
            format!(
                "$ hindsight search '{query}' --limit 5\n{stdout}--- stderr\n{}",
                last_line(&stderr)
            )
        );
    }
}

/// The result count; a first search also says it built the index, which is not the
/// point here.
fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}
