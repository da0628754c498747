//! Discovery: which files are post-mortems, and that problems with some files are
//! reported without stopping the rest of the archive.

use std::path::Path;

use hindsight::content::discover::{self as disc, Rules};

fn discover(
    root: &Path,
    content: &Path,
) -> (
    Vec<hindsight::content::SourceFile>,
    Vec<hindsight::diagnostics::Diagnostic>,
) {
    disc::discover(&Rules::for_folder(root, content))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const DOC: &str = "---\ntitle: A\ndate: 2025-01-02\nseverity: SEV3\n---\nBody.\n";

#[test]
fn walks_subfolders_skips_hidden_and_non_markdown_in_sorted_order() {
    let site = tempfile::tempdir().unwrap();
    let content = site.path().join("content");
    write(&content.join("2025/b.md"), DOC);
    write(&content.join("2025/a.md"), DOC);
    write(&content.join("team-x/2026/c.md"), DOC);
    write(&content.join(".drafts/hidden.md"), DOC);
    write(&content.join(".hidden.md"), DOC);
    write(&content.join("notes.txt"), DOC);
    write(&content.join("image.png"), "not markdown");
    let (files, problems) = discover(site.path(), &content);
    // A post-mortem saved as .txt is not read, and said so.
    let problems: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "content/notes.txt: note[not-markdown]: looks like a post-mortem but is not read: only `.md` files are; rename it to `notes.md` to publish it"
        ]
    );
    let rel: Vec<String> = files.iter().map(|f| f.rel.display().to_string()).collect();
    assert_eq!(
        rel,
        [
            "content/2025/a.md",
            "content/2025/b.md",
            "content/team-x/2026/c.md"
        ]
    );
}

#[test]
fn bom_is_dropped_and_non_utf8_is_reported_at_its_line() {
    let site = tempfile::tempdir().unwrap();
    let content = site.path().join("content");
    write(&content.join("bom.md"), &format!("\u{feff}{DOC}"));
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(
        content.join("latin1.md"),
        b"---\ntitle: Caf\xe9 outage\n---\n",
    )
    .unwrap();
    let (files, problems) = discover(site.path(), &content);
    assert_eq!(files.len(), 1);
    assert!(files[0].text.starts_with("---\ntitle: A"));
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].to_string(),
        "content/latin1.md:2:11: error[not-utf8]: invalid UTF-8 byte 0xE9; expected the file to be saved as UTF-8"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_unreadable_file_are_reported_and_the_rest_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let site = tempfile::tempdir().unwrap();
    let content = site.path().join("content");
    write(&content.join("ok.md"), DOC);
    write(&content.join("loop/inner.md"), DOC);
    std::os::unix::fs::symlink(&content, content.join("loop/back")).unwrap();
    let (files, problems) = discover(site.path(), &content);
    let rel: Vec<String> = files.iter().map(|f| f.rel.display().to_string()).collect();
    assert_eq!(rel, ["content/loop/inner.md", "content/ok.md"]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code, "unreadable");
    assert_eq!(problems[0].path, Path::new("content/loop/back"));
    assert!(
        problems[0].message.contains("symbolic link loop"),
        "{}",
        problems[0].message
    );

    // An unreadable file (permissions do not stop root, so only check as another user).
    let secret = content.join("secret.md");
    write(&secret, DOC);
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&secret).is_err() {
        let (files, problems) = discover(site.path(), &content);
        assert_eq!(files.len(), 2);
        assert!(
            problems
                .iter()
                .any(|p| p.path == Path::new("content/secret.md") && p.code == "unreadable"),
            "{problems:?}"
        );
    }
}
