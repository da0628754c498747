//! The corpus generator (examples/gen_corpus.rs, compiled here as a module) and the
//! bundled sample archive in content/.

#[path = "../../examples/gen_corpus.rs"]
mod generator;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn options(out: &Path, seed: u64, hide_causes: bool, truth: Option<PathBuf>) -> generator::Options {
    generator::Options {
        count: 30,
        out: out.to_path_buf(),
        seed,
        hide_causes,
        truth,
        unresolved: 0,
    }
}

/// Every file under `root`, relative path → bytes.
fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn markdown_files(tree: &BTreeMap<String, Vec<u8>>) -> Vec<(&String, String)> {
    tree.iter()
        .filter(|(path, _)| path.ends_with(".md"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes.clone()).unwrap()))
        .collect()
}

#[test]
fn same_seed_gives_byte_identical_corpus_and_truth() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let truth_a = a.path().join("truth.json");
    let truth_b = b.path().join("truth.json");
    let summary_a = generator::generate(&options(
        &a.path().join("site"),
        7,
        false,
        Some(truth_a.clone()),
    ))
    .unwrap();
    let summary_b = generator::generate(&options(
        &b.path().join("site"),
        7,
        false,
        Some(truth_b.clone()),
    ))
    .unwrap();
    assert_eq!(summary_a, summary_b);
    let tree_a = read_tree(&a.path().join("site"));
    assert_eq!(tree_a, read_tree(&b.path().join("site")));
    assert_eq!(
        std::fs::read(&truth_a).unwrap(),
        std::fs::read(&truth_b).unwrap()
    );

    let other = tempfile::tempdir().unwrap();
    generator::generate(&options(other.path(), 8, false, None)).unwrap();
    assert_ne!(
        tree_a,
        read_tree(other.path()),
        "a different seed gives a different corpus"
    );
}

#[test]
fn writes_the_requested_count_in_year_folders_with_site_toml() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generator::generate(&options(dir.path(), 1, false, None)).unwrap();
    assert_eq!(summary.files, 30);
    let tree = read_tree(dir.path());
    let docs = markdown_files(&tree);
    assert_eq!(docs.len(), 30);
    assert_eq!(
        summary.bytes,
        docs.iter().map(|(_, text)| text.len() as u64).sum::<u64>()
    );
    for (path, _) in &docs {
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts.len(), 3, "{path}");
        assert_eq!(parts[0], "content");
        assert!(
            parts[2].starts_with(parts[1]),
            "{path} is in the folder of its year"
        );
    }
    let config = String::from_utf8(tree["site.toml"].clone()).unwrap();
    hindsight::config::Config::parse(&config).expect("generated site.toml is valid");
    let average = summary.bytes / 30;
    assert!(
        (6_000..14_000).contains(&average),
        "about 9-10 KB per post-mortem, got {average}"
    );
}

#[test]
fn truth_file_matches_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let truth_path = dir.path().join("labels/truth.json");
    generator::generate(&options(
        &dir.path().join("site"),
        3,
        false,
        Some(truth_path.clone()),
    ))
    .unwrap();
    let truth: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&truth_path).unwrap()).unwrap();
    let tree = read_tree(&dir.path().join("site"));
    let docs = markdown_files(&tree);
    let stems: BTreeSet<String> = docs
        .iter()
        .map(|(path, _)| {
            Path::new(path.as_str())
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        stems,
        truth.keys().cloned().collect::<BTreeSet<_>>(),
        "one truth entry per file, keyed by id"
    );
    let known_causes: BTreeSet<&str> = generator::CAUSES.iter().map(|c| c.slug).collect();
    for (path, text) in &docs {
        let id = Path::new(path.as_str())
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let entry = &truth[&id];
        let title = entry["title"].as_str().unwrap();
        assert!(
            text.contains(title),
            "{id}: the title appears in the document"
        );
        let causes: Vec<&str> = entry["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(!causes.is_empty() && causes.len() <= 2, "{id}: {causes:?}");
        assert!(
            causes.iter().all(|c| known_causes.contains(c)),
            "{id}: {causes:?}"
        );
        assert!(!entry["services"].as_array().unwrap().is_empty());
        // Where the document labels its causes, the labels are the true ones.
        if let Some(line) = text.lines().find(|l| l.starts_with("causes: ")) {
            assert_eq!(line, format!("causes: [{}]", causes.join(", ")), "{id}");
        }
    }
}

#[test]
fn hide_causes_removes_every_cause_label() {
    let dir = tempfile::tempdir().unwrap();
    generator::generate(&options(dir.path(), 5, true, None)).unwrap();
    let tree = read_tree(dir.path());
    let docs = markdown_files(&tree);
    assert_eq!(docs.len(), 30);
    for (path, text) in &docs {
        assert!(!text.contains("causes:"), "{path} still has a cause label");
        assert!(!text.contains("root_cause:"), "{path}");
    }
    // The same corpus with labels does have them, so the check above means something.
    let labelled = tempfile::tempdir().unwrap();
    generator::generate(&options(labelled.path(), 5, false, None)).unwrap();
    assert!(
        markdown_files(&read_tree(labelled.path()))
            .iter()
            .any(|(_, text)| text.contains("\ncauses: ["))
    );
}

#[test]
fn timestamps_in_front_matter_are_in_order() {
    let dir = tempfile::tempdir().unwrap();
    generator::generate(&generator::Options {
        count: 200,
        out: dir.path().to_path_buf(),
        seed: 11,
        hide_causes: false,
        truth: None,
        unresolved: 0,
    })
    .unwrap();
    let order = [
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
    ];
    let mut checked = 0;
    for (path, text) in markdown_files(&read_tree(dir.path())) {
        let stamps: Vec<&str> = order
            .iter()
            .filter_map(|key| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}: ")[..]))
            })
            .collect();
        if stamps.len() == order.len() {
            checked += 1;
            assert!(
                stamps.windows(2).all(|w| w[0] <= w[1]),
                "{path}: {stamps:?}"
            );
        }
        // Timeline rows of the template table: times of day strictly increasing.
        let times: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.len() > 8
                    && l.starts_with("| ")
                    && l.as_bytes()[4] == b':'
                    && l.as_bytes()[7] == b' '
            })
            .map(|l| &l[2..7])
            .collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "{path}: {times:?}");
    }
    assert!(
        checked > 50,
        "most documents carry explicit timestamps ({checked})"
    );
}

/// `YYYY-MM-DD**`: the bold date that opens a Related Incidents entry.
fn is_reference_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 12
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 | 11 => *c == b'*',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn related_incidents_name_an_earlier_incident_by_date_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let truth_path = dir.path().join("truth.json");
    generator::generate(&generator::Options {
        count: 300,
        out: dir.path().join("site"),
        seed: 2,
        hide_causes: false,
        truth: Some(truth_path.clone()),
        unresolved: 0,
    })
    .unwrap();
    let truth: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&truth_path).unwrap()).unwrap();
    let by_date_title: BTreeSet<(String, String)> = truth
        .iter()
        .map(|(id, v)| {
            (
                id[..10].to_string(),
                v["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut references = 0;
    for (path, text) in markdown_files(&read_tree(&dir.path().join("site"))) {
        let own_date = &Path::new(path.as_str())
            .file_stem()
            .unwrap()
            .to_string_lossy()[..10]
            .to_string();
        for line in text
            .lines()
            .filter(|l| l.starts_with("- **") && is_reference_date(l.get(4..16).unwrap_or("")))
        {
            let date = line[4..14].to_string();
            let title = line[18..].to_string();
            assert!(
                by_date_title.contains(&(date.clone(), title.clone())),
                "{path}: unresolved reference {line}"
            );
            assert!(date < *own_date, "{path}: references an earlier incident");
            references += 1;
        }
    }
    assert!(
        references >= 10,
        "repeats reference their earlier incident ({references})"
    );
}

#[test]
fn bad_arguments_are_reported() {
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let parsed = generator::parse_args(&args(&[
        "--count",
        "5",
        "--out",
        "x",
        "--seed",
        "9",
        "--hide-causes",
        "--truth",
        "t.json",
    ]))
    .unwrap();
    assert_eq!(
        parsed,
        generator::Options {
            count: 5,
            out: "x".into(),
            seed: 9,
            hide_causes: true,
            truth: Some("t.json".into()),
            unresolved: 0,
        }
    );
    assert!(
        generator::parse_args(&args(&["--out", "x"]))
            .unwrap_err()
            .contains("--count is required")
    );
    assert!(
        generator::parse_args(&args(&["--count", "ten", "--out", "x"]))
            .unwrap_err()
            .contains("`ten`")
    );
    assert!(
        generator::parse_args(&args(&["--count", "1", "--out", "x", "--colour"]))
            .unwrap_err()
            .contains("`--colour`")
    );
    assert!(
        generator::parse_args(&args(&["--count"]))
            .unwrap_err()
            .contains("needs a value")
    );
}

#[test]
fn date_conversion_round_trips() {
    for days in [-1, 0, 59, 60, 365, 10_957, 19_782, 20_418, 20_513] {
        let (y, m, d) = generator::civil_from_days(days);
        assert_eq!(generator::days_from_civil(y, m, d), days);
    }
    assert_eq!(
        generator::civil_from_days(generator::days_from_civil(2024, 2, 29)),
        (2024, 2, 29)
    );
    assert_eq!(generator::days_from_civil(1970, 1, 1), 0);
}

#[test]
fn sample_archive_is_filed_by_year_with_unique_stems() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut stems = BTreeSet::new();
    let mut count = 0;
    for entry in walkdir::WalkDir::new(&content)
        .into_iter()
        .map(|e| e.unwrap())
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&content).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            parts.len(),
            2,
            "{} is directly in a year folder",
            rel.display()
        );
        let (year, file) = (&parts[0], &parts[1]);
        assert!(file.ends_with(".md"), "{}", rel.display());
        assert!(
            matches!(year.as_str(), "2025" | "2026"),
            "{}",
            rel.display()
        );
        assert!(
            file.starts_with(&format!("{year}-")),
            "{} is filed under its year",
            rel.display()
        );
        let stem = file.trim_end_matches(".md").to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let date = &stem[..10];
        assert!(
            text.contains(&format!("date: {date}"))
                || text.contains(&format!("**Date of Incident**: {date}")),
            "{stem}: the file name's date is the incident date"
        );
        assert!(stems.insert(stem.clone()), "duplicate stem {stem}");
        count += 1;
    }
    assert!(count >= 18, "at least 18 sample post-mortems ({count})");
}
