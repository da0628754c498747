//! Finds the post-mortems: every `*.md` under the content folder, hidden files and
//! folders skipped, subfolders allowed. Problems (unreadable files, symlink loops,
//! non-UTF-8 text) become diagnostics; the rest of the archive is still read.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
    let (found, mut problems) = walk(site_root, content_dir);
    let mut files = Vec::with_capacity(found.len());
    for (path, _) in found {
        let rel = relative(site_root, &path);
        match read_source(&path) {
            Ok(text) => files.push(SourceFile { path, rel, text }),
            Err(diag) => problems.push(diag(rel)),
        }
    }
    (files, problems)
}

/// Whether `path` names a post-mortem by its name alone: a `.md` file.
pub fn is_post_mortem(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
}

/// Symbolic links to folders are followed this deep at most.
const MAX_DEPTH: usize = 64;

/// Every post-mortem file under `content_dir` with its metadata, sorted by path: one
/// `stat` per file (the entry type comes with the listing), sub-folders in parallel.
/// Hidden files and folders are skipped; symbolic links are followed, and a link back
/// into its own folder is reported once as a loop. Unreadable folders are reported.
/// This is the one walk of the content folder: `discover` reads what it finds and the
/// search command compares sizes and times with it.
pub fn walk(site_root: &Path, content_dir: &Path) -> (Vec<(PathBuf, Metadata)>, Vec<Diagnostic>) {
    let canonical = content_dir
        .canonicalize()
        .unwrap_or_else(|_| content_dir.to_path_buf());
    let mut out = Walk::default();
    walk_dir(site_root, content_dir, &canonical, 0, &mut out);
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.problems.sort_by(|a, b| a.path.cmp(&b.path));
    (out.files, out.problems)
}

#[derive(Default)]
struct Walk {
    files: Vec<(PathBuf, Metadata)>,
    problems: Vec<Diagnostic>,
}

fn walk_dir(root: &Path, dir: &Path, canonical: &Path, depth: usize, out: &mut Walk) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.problems.push(Diagnostic::error(
                "unreadable",
                relative(root, dir),
                0,
                0,
                format!("cannot read: {e}"),
            ));
            return;
        }
    };
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        if is_hidden(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            dirs.push((canonical.join(entry.file_name()), path));
            continue;
        }
        let meta = if kind.is_symlink() {
            std::fs::metadata(&path)
        } else if kind.is_file() {
            entry.metadata()
        } else {
            continue;
        };
        let meta = match meta {
            Ok(meta) => meta,
            Err(e) => {
                if kind.is_symlink() {
                    // A dangling link: say so only when it looks like a post-mortem.
                    if is_post_mortem(&path) {
                        out.problems.push(Diagnostic::error(
                            "unreadable",
                            relative(root, &path),
                            0,
                            0,
                            format!("cannot read: {e}"),
                        ));
                    }
                } else {
                    out.problems.push(Diagnostic::error(
                        "unreadable",
                        relative(root, &path),
                        0,
                        0,
                        format!("cannot read: {e}"),
                    ));
                }
                continue;
            }
        };
        if meta.is_dir() {
            let target = path.canonicalize().unwrap_or_else(|_| path.clone());
            if canonical.starts_with(&target) || depth >= MAX_DEPTH {
                out.problems.push(Diagnostic::error(
                    "unreadable",
                    relative(root, &path),
                    0,
                    0,
                    "symbolic link loop, skipped; expected links to point outside their own folder",
                ));
                continue;
            }
            dirs.push((target, path));
        } else if meta.is_file() && is_post_mortem(&path) {
            out.files.push((path, meta));
        }
    }
    let nested: Vec<Walk> = dirs
        .par_iter()
        .map(|(canonical, path)| {
            let mut found = Walk::default();
            walk_dir(root, path, canonical, depth + 1, &mut found);
            found
        })
        .collect();
    for n in nested {
        out.files.extend(n.files);
        out.problems.extend(n.problems);
    }
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
