//! Finds the post-mortems: every `*.md` under the content folder, hidden files and
//! folders skipped, subfolders allowed. Problems (unreadable files, symlink loops,
//! non-UTF-8 text) become diagnostics; the rest of the archive is still read.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// One post-mortem file, read into memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the site root, for messages and the `source` field.
    pub rel: PathBuf,
    /// The text, with a leading BOM removed. Line endings are kept as written.
    pub text: String,
}

/// Walk `content_dir` and read every post-mortem in it, in sorted path order.
pub fn discover(site_root: &Path, content_dir: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(site_root, p))
                    .unwrap_or_else(|| relative(site_root, content_dir));
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop, skipped; expected links to point outside their own folder"
                        .to_string()
                } else {
                    format!(
                        "cannot read: {}",
                        err.io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string())
                    )
                };
                problems.push(Diagnostic::error("unreadable", path, 0, 0, message));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let rel = relative(site_root, entry.path());
        match read_source(entry.path()) {
            Ok(text) => files.push(SourceFile {
                path: entry.path().to_path_buf(),
                rel,
                text,
            }),
            Err(diag) => problems.push(diag(rel)),
        }
    }
    (files, problems)
}

type DiagFor = Box<dyn FnOnce(PathBuf) -> Diagnostic>;

/// Read a file as UTF-8, dropping a BOM. Invalid bytes are reported at their line.
pub fn read_source(path: &Path) -> Result<String, DiagFor> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Err(Box::new(move |rel| {
                Diagnostic::error("unreadable", rel, 0, 0, format!("cannot read: {e}"))
            }));
        }
    };
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let prefix = &e.as_bytes()[..valid_up_to];
        let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = prefix
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&prefix[line_start..])
            .chars()
            .count()
            + 1;
        let byte = e.as_bytes()[valid_up_to];
        Box::new(move |rel| {
            Diagnostic::error(
                "not-utf8",
                rel,
                line,
                col,
                format!("invalid UTF-8 byte 0x{byte:02X}; expected the file to be saved as UTF-8"),
            )
        }) as DiagFor
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|s| s.starts_with('.'))
}

/// `path` relative to `root` when it lies inside it, else as given; `/` separators.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(rel.to_string_lossy().replace('\\', "/"))
}
