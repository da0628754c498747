//! Rebuilds write only what changed: unchanged files keep their modification time, the
//! published tree is byte for byte what a clean build gives after edits, additions,
//! deletions and renames, and the build says how many files it wrote.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use crate::util::{bin, copy_dir, fixture_copy, run};

const AS_OF: &str = "2026-01-15";

/// Every file under `dir`: relative path → (bytes, modification time).
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(e.path()).unwrap();
            let mtime = e.metadata().unwrap().modified().unwrap();
            (rel, (bytes, mtime))
        })
        .collect()
}

/// The numbers of the summary line: (files, written, unchanged).
fn counts(stderr: &str) -> (usize, usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("published "))
        .unwrap_or_else(|| panic!("no summary line in {stderr}"));
    let number = |after: &str| -> usize {
        let (head, _) = line
            .split_once(after)
            .unwrap_or_else(|| panic!("{after} in {line}"));
        head.rsplit(' ').next().unwrap().parse().unwrap()
    };
    (number(" files"), number(" written"), number(" unchanged"))
}

fn build(site: &Path) -> String {
    let (code, _, err) = run(site, &["build", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    err
}

#[test]
fn a_rebuild_with_nothing_changed_writes_nothing_and_keeps_every_time() {
    let site = fixture_copy("site");
    let first = build(site.path());
    let (files, written, unchanged) = counts(&first);
    assert_eq!((written, unchanged), (files, 0), "{first}");
    let before = tree(&site.path().join("public"));
    assert_eq!(before.len(), files, "the count is the files on disk");
    std::thread::sleep(std::time::Duration::from_millis(30));

    let again = build(site.path());
    assert_eq!(counts(&again), (files, 0, files), "{again}");
    assert_eq!(
        tree(&site.path().join("public")),
        before,
        "same bytes, same times"
    );
}

#[test]
fn edits_additions_deletions_and_renames_give_the_clean_build_and_spare_the_rest() {
    let site = fixture_copy("site");
    build(site.path());
    let public = site.path().join("public");
    let before = tree(&public);
    std::thread::sleep(std::time::Duration::from_millis(30));

    let content = site.path().join("content");
    // An edit to one post-mortem's body.
    let edited = content.join("2024/2024-03-10-dns-resolver.md");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(
        &edited,
        format!("{text}\nA late addition to the write-up.\n"),
    )
    .unwrap();
    // A new post-mortem, a copy under another name and title.
    let added = std::fs::read_to_string(content.join("2025/2025-08-20-queue-near-miss.md"))
        .unwrap()
        .replacen("title:", "title: Second", 1);
    std::fs::write(content.join("2025/2025-08-21-queue-again.md"), added).unwrap();
    // One deleted, one renamed.
    std::fs::remove_file(content.join("2024/2024-09-03-search-config-push.md")).unwrap();
    std::fs::rename(
        content.join("2025/2025-06-14-edge-cert-expired.md"),
        content.join("2025/2025-06-14-edge-certificate.md"),
    )
    .unwrap();

    let err = build(site.path());
    let (files, written, unchanged) = counts(&err);
    let after = tree(&public);
    // Every file but the edited, added and renamed ones was read back from the build
    // cache, not parsed again.
    let sources = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    assert!(
        err.contains(&format!(
            "; {} of {sources} files read back from the build cache",
            sources - 3
        )),
        "{err}"
    );

    // The clean build of the same content, in a fresh copy without cache or output.
    let clean = tempfile::tempdir().unwrap();
    copy_dir(&content, &clean.path().join("content"));
    std::fs::copy(
        site.path().join("site.toml"),
        clean.path().join("site.toml"),
    )
    .unwrap();
    build(clean.path());
    let clean_tree = tree(&clean.path().join("public"));
    let bytes = |t: &BTreeMap<String, (Vec<u8>, SystemTime)>| -> BTreeMap<String, Vec<u8>> {
        t.iter().map(|(k, (b, _))| (k.clone(), b.clone())).collect()
    };
    assert_eq!(
        bytes(&after),
        bytes(&clean_tree),
        "incremental and clean builds differ"
    );

    // Files whose bytes did not change kept their time; the others were written.
    let same: Vec<&String> = after
        .iter()
        .filter(|(k, (b, _))| before.get(*k).is_some_and(|(old, _)| old == b))
        .map(|(k, _)| k)
        .collect();
    for path in &same {
        assert_eq!(
            after[*path].1, before[*path].1,
            "{path} was rewritten unchanged"
        );
    }
    assert_eq!(files, after.len());
    assert_eq!(unchanged, same.len(), "{err}");
    assert_eq!(written, files - same.len());
    assert!(written > 0 && unchanged > 0, "{err}");
    assert!(!after.contains_key("incidents/2024-09-03-search-config-push/index.html"));
}

/// Build `site` and a fresh copy of its content and site.toml (no cache, no output),
/// and assert that both sites are the same bytes.
fn assert_same_as_clean_build(site: &Path) {
    let clean = tempfile::tempdir().unwrap();
    copy_dir(&site.join("content"), &clean.path().join("content"));
    std::fs::copy(site.join("site.toml"), clean.path().join("site.toml")).unwrap();
    build(clean.path());
    let bytes = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        tree(dir).into_iter().map(|(k, (b, _))| (k, b)).collect()
    };
    assert_eq!(
        bytes(&site.join("public")),
        bytes(&clean.path().join("public")),
        "a build through the cache differs from a clean build"
    );
}

/// The build cache's files (`.hindsight/build/`), by table.
fn cache_files(site: &Path, table: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(site.join(".hindsight/build"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{table}-"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_damaged_or_foreign_build_cache_is_ignored_with_a_note_and_never_changes_the_site() {
    let site = fixture_copy("site");
    let first = build(site.path());
    assert!(
        !first.contains("build cache"),
        "a first build says nothing of it: {first}"
    );
    let parsed = cache_files(site.path(), "parsed");
    let features = cache_files(site.path(), "features");
    assert!(
        parsed.len() > 3 && features.len() > 3,
        "{parsed:?} {features:?}"
    );

    // One file damaged, another cut short, a third replaced by something else; and a
    // post-mortem edited so that the build is not skipped as unchanged.
    let mut bytes = std::fs::read(&parsed[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&parsed[0], &bytes).unwrap();
    let bytes = std::fs::read(&features[1]).unwrap();
    std::fs::write(&features[1], &bytes[..bytes.len() - 7]).unwrap();
    std::fs::write(&parsed[2], "not a cache file").unwrap();
    let edited = site.path().join("content/2024/2024-03-10-dns-resolver.md");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}\nOne more line.\n")).unwrap();
    let err = build(site.path());
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("build cache")).collect();
    assert_eq!(notes.len(), 3, "a note per table, then the summary: {err}");
    assert!(
        notes[0].starts_with("note: build cache file ")
            && notes[0].contains(&parsed[0].file_name().unwrap().to_string_lossy().to_string())
            && notes[0].contains("is damaged or cut short (its checksum does not match) (and 1 more file); it is ignored"),
        "{}",
        notes[0]
    );
    assert!(
        notes[1].contains(
            &features[1]
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string()
        ),
        "{}",
        notes[1]
    );
    assert_same_as_clean_build(site.path());
    // The damaged files were saved anew: the next build reads them without a note.
    std::fs::write(&edited, format!("{text}\nAnother line.\n")).unwrap();
    let err = build(site.path());
    assert!(!err.contains("note: "), "{err}");

    // Another configuration: the cache is not used (one note for both tables), the
    // site is the clean build's of that configuration.
    let toml = site.path().join("site.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{config}\n[related]\nmax = 2\n")).unwrap();
    let err = build(site.path());
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(
        notes[0].contains(
            "was written by another hindsight or for another configuration; it is not used"
        ),
        "{}",
        notes[0]
    );
    assert!(!err.contains("read back from the build cache"), "{err}");
    assert_same_as_clean_build(site.path());
}

/// "N not rendered again" of the summary line, 0 when it says nothing of it.
fn carried(stderr: &str) -> usize {
    stderr
        .lines()
        .find(|l| l.starts_with("published "))
        .and_then(|l| l.split_once(" not rendered again"))
        .map_or(0, |(head, _)| {
            head.rsplit('(').next().unwrap().parse().unwrap()
        })
}

#[test]
fn incident_pages_whose_inputs_did_not_change_are_carried_over_unrendered() {
    let site = fixture_copy("site");
    let first = build(site.path());
    assert_eq!(carried(&first), 0, "{first}");
    let pages = std::fs::read_dir(site.path().join("public/incidents"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
        .count();
    assert!(pages >= 5, "{pages} incident pages");

    // One post-mortem's text changes: its page is rendered, and so is any page that
    // shows something of it; other incident pages are carried over.
    let edited = site.path().join("content/2024/2024-03-10-dns-resolver.md");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}\nA closing remark.\n")).unwrap();
    let err = build(site.path());
    let n = carried(&err);
    assert!(n >= 1, "{n} carried: {err}");
    assert!(
        !err.contains(" 0 written"),
        "the edited post-mortem's page is written: {err}"
    );
    assert_same_as_clean_build(site.path());

    // A file saved again with a blank line at its end changes nothing a page shows:
    // every incident page is carried over.
    let file = site
        .path()
        .join("content/2025/2025-08-20-queue-near-miss.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let err = build(site.path());
    let terms: usize = ["causes", "services", "severities", "tags", "teams", "years"]
        .iter()
        .map(|folder| {
            std::fs::read_dir(site.path().join("public").join(folder)).map_or(0, |d| {
                d.filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
                    .count()
            })
        })
        .sum();
    assert!(terms > 5, "{terms} term pages");
    // The search index's document files (texts compressed, in fours) too.
    let docs: usize = std::fs::read_dir(site.path().join("public/search/idx/x"))
        .unwrap()
        .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum();
    assert_eq!(docs, pages.div_ceil(4), "{docs} search document files");
    // And every dashboard page and drill-down list.
    let dashboards = walkdir::WalkDir::new(site.path().join("public/dashboard"))
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_name() == "index.html")
        .count();
    assert!(dashboards > 5, "{dashboards} dashboard pages");
    assert_eq!(carried(&err), pages + terms + docs + dashboards, "{err}");
    assert_same_as_clean_build(site.path());

    // The site's incident template is overridden: no page is carried (templates
    // include one another, so any template change renders every page).
    let template = include_str!("../../themes/default/templates/incident.html");
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/incident.html"),
        template.replacen(
            "</article>",
            "<p class=\"local\">Reviewed weekly.</p></article>",
            1,
        ),
    )
    .unwrap();
    let err = build(site.path());
    assert_eq!(carried(&err), 0, "{err}");
    let page = std::fs::read_to_string(
        site.path()
            .join("public/incidents/2024-03-10-dns-resolver/index.html"),
    )
    .unwrap();
    assert!(page.contains("Reviewed weekly."));

    // The site's title is on every page: nothing is carried.
    let toml = site.path().join("site.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    let retitled = config.replacen("title = \"", "title = \"Renamed ", 1);
    assert_ne!(retitled, config, "the fixture sets a title");
    std::fs::write(&toml, retitled).unwrap();
    let err = build(site.path());
    assert_eq!(carried(&err), 0, "{err}");
}

#[test]
fn check_reads_the_build_cache_and_says_the_same() {
    let site = fixture_copy("site");
    let check = || {
        let (code, out, err) = run(
            site.path(),
            &["check", "--format", "json", "--as-of", AS_OF],
        );
        assert!(code == 0 || code == 1, "{err}");
        (out, err)
    };
    let (first, _) = check();
    assert!(
        site.path().join(".hindsight/build").is_dir(),
        "check fills the cache"
    );
    let (second, err) = check();
    assert_eq!(first, second);
    assert!(!err.contains("note: "), "{err}");
    // A build after the check reads everything back.
    let err = build(site.path());
    assert!(err.contains("read back from the build cache"), "{err}");
}

#[test]
fn quiet_builds_print_nothing_and_piped_output_holds_no_progress_line() {
    let site = fixture_copy("site");
    let (code, out, err) = run(site.path(), &["build", "--quiet", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    let (code, _, err) = run(site.path(), &["build", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains('\r') && !err.contains('\u{1b}'),
        "no terminal control characters when stderr is not a terminal: {err:?}"
    );
}

#[test]
fn hindsight_timings_prints_one_line_per_stage_and_nothing_else_changes() {
    let site = fixture_copy("site");
    let out = std::process::Command::new(bin())
        .args(["build", "--quiet", "--as-of", AS_OF])
        .current_dir(site.path())
        .env("HINDSIGHT_TIMINGS", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // Indented lines break a parallel stage down by kind of work.
    let (parts, lines): (Vec<&str>, Vec<&str>) =
        err.lines().partition(|l| l.starts_with("timing:   "));
    assert!(
        parts
            .iter()
            .any(|l| l.starts_with("timing:   incident pages: ") && l.ends_with(" task(s)")),
        "{err}"
    );
    let stages: Vec<&str> = lines
        .into_iter()
        .map(|l| {
            let rest = l
                .strip_prefix("timing: ")
                .unwrap_or_else(|| panic!("not a timing: {l}"));
            let (name, figures) = rest
                .split_once(char::is_numeric)
                .map_or((rest, ""), |(n, _)| (n, rest));
            assert!(
                figures.contains(" s wall, ") && figures.contains(" s CPU"),
                "{l}"
            );
            name.trim()
        })
        .collect();
    for stage in [
        "reading",
        "parsing",
        "analysing",
        "rendering",
        "indexing (CLI search, beside rendering)",
        "swapping in the new site",
    ] {
        assert!(stages.contains(&stage), "no timing for {stage}: {err}");
    }
    // The site is the same with and without timings.
    let timed = std::fs::read(site.path().join("public/api/incidents.json")).unwrap();
    let plain = fixture_copy("site");
    let (code, _, err) = run(plain.path(), &["build", "--quiet", "--as-of", AS_OF]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        std::fs::read(plain.path().join("public/api/incidents.json")).unwrap(),
        timed
    );
}

/// The stderr of a build without its summary line (which holds the time taken).
fn report_of(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("published "))
        .map(|l| format!("{l}\n"))
        .collect()
}

const SHORTCUT: &str = "nothing changed since the last build";

#[test]
fn an_unchanged_archive_is_not_built_again_and_its_report_is_said_again() {
    let site = fixture_copy("site");
    // A warning to be reported again: an unreadable time in a timeline.
    let path = site
        .path()
        .join("content/2025/2025-08-20-queue-near-miss.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{text}\n## Timeline\n\n| Time | Event |\n|---|---|\n| 14:7O | Paged |\n"),
    )
    .unwrap();
    let first = build(site.path());
    assert!(!first.contains(SHORTCUT));
    assert!(
        first.contains("warning["),
        "the fixture has a warning: {first}"
    );
    let public = site.path().join("public");
    let before = tree(&public);

    let again = build(site.path());
    assert!(again.contains(SHORTCUT), "{again}");
    assert_eq!(
        report_of(&again),
        report_of(&first),
        "the same problems, said the same way"
    );
    assert_eq!(tree(&public), before);

    // `--strict` refuses what a plain build accepted, from the record too.
    let (code, _, err) = run(site.path(), &["build", "--strict", "--as-of", AS_OF]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not published"), "{err}");
    assert_eq!(tree(&public), before, "the previous site is left as it was");
}

#[test]
fn any_change_to_an_input_or_to_the_output_builds_again() {
    let site = fixture_copy("site");
    let public = site.path().join("public");
    build(site.path());
    let shortcut = |args: &[&str]| -> bool {
        let (code, _, err) = run(site.path(), args);
        assert_eq!(code, 0, "{err}");
        err.contains(SHORTCUT)
    };
    let plain = ["build", "--as-of", AS_OF];
    assert!(shortcut(&plain));

    // Another as-of date (overdue items move).
    assert!(!shortcut(&["build", "--as-of", "2026-02-01"]));
    assert!(
        !shortcut(&plain),
        "back to the first date: its record was replaced"
    );
    assert!(shortcut(&plain));

    // A post-mortem edited, with its time kept: content is compared, not times.
    let md = site.path().join("content/2024/2024-03-10-dns-resolver.md");
    let mtime = std::fs::metadata(&md).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replacen("DNS", "Dns", 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&md)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert!(!shortcut(&plain));
    assert!(shortcut(&plain));

    // site.toml and a template override.
    let toml = site.path().join("site.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, config.replace("Acme post-mortems", "Acme reviews")).unwrap();
    assert!(!shortcut(&plain));
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    std::fs::write(site.path().join("static/extra.css"), "p{}").unwrap();
    assert!(!shortcut(&plain));
    assert!(public.join("static/extra.css").is_file());
    assert!(shortcut(&plain));

    // The output touched: a page edited, a file added, a file removed.
    let home = public.join("index.html");
    let page = std::fs::read(&home).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&home, b"edited by hand").unwrap();
    assert!(!shortcut(&plain));
    assert_eq!(std::fs::read(&home).unwrap(), page, "the page is put right");
    std::fs::write(public.join("stray.html"), b"x").unwrap();
    assert!(!shortcut(&plain));
    assert!(!public.join("stray.html").exists());
    std::fs::remove_file(public.join("404.html")).unwrap();
    assert!(!shortcut(&plain));
    assert!(public.join("404.html").is_file());
    assert!(shortcut(&plain));

    // A damaged record is noted and ignored.
    let cache = site.path().join(".hindsight");
    let record = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "build"))
        .expect("a build record in the cache");
    std::fs::write(&record, b"{ not json").unwrap();
    let (code, _, err) = run(site.path(), &plain);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not used") && !err.contains(SHORTCUT), "{err}");
    assert!(shortcut(&plain));
}

#[test]
fn an_output_folder_restored_from_a_ci_cache_is_trusted() {
    // A CI cache restores files with their times but as new files (new inodes).
    let site = fixture_copy("site");
    build(site.path());
    let public = site.path().join("public");
    let saved = site.path().join("saved");
    std::fs::rename(&public, &saved).unwrap();
    for e in walkdir::WalkDir::new(&saved) {
        let e = e.unwrap();
        let target = public.join(e.path().strip_prefix(&saved).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
            let mtime = e.metadata().unwrap().modified().unwrap();
            let f = std::fs::File::options().write(true).open(&target).unwrap();
            f.set_modified(mtime).unwrap();
        }
    }
    std::fs::remove_dir_all(&saved).unwrap();
    let err = build(site.path());
    assert!(err.contains(SHORTCUT), "{err}");
}
