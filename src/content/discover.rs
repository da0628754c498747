//! Finds the post-mortems: every `*.md` under the content folders, subfolders allowed,
//! except what is not a post-mortem. Skipped, always: hidden files and folders, the
//! output and cache folders (so `content_dir = "."` works at a repository root) and the
//! site's own `templates/` and `static/`. Skipped by name, with a note that lists them:
//! the `ignore` globs of site.toml and the built-in ones (README*, LICENSE*,
//! CONTRIBUTING*, CHANGELOG*, and the archive's template, named like
//! `PMyyyy-nnn - Postmortem template.md`). A file that looks like a post-mortem but lacks
//! the `.md` extension gets a note too. Problems (unreadable files, symlink loops,
//! non-UTF-8 text) become diagnostics; the rest of the archive is still read.
//!
//! [`Rules`] is the one definition of "a post-mortem of this site": `build`, `check`,
//! `search` (freshness) and `serve` (one changed file or folder) all ask it, so they agree.
//! It also gives every file its folder defaults (`[[cascade]]` in site.toml and
//! `_defaults.yaml` files in the folders).

use std::collections::BTreeMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Cascade, Config};
use crate::diagnostics::Diagnostic;
use crate::site::Site;
use crate::yaml::{self, Yaml};

/// One post-mortem file, read into memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path on disk.
    pub(crate) path: PathBuf,
    /// Path relative to the site root, for messages and the `source` field.
    pub rel: PathBuf,
    /// The text, with a leading BOM removed. Line endings are kept as written.
    pub text: String,
    /// Defaults of the folders it is in (`[[cascade]]`, `_defaults.yaml`), if any.
    pub(crate) defaults: Option<Arc<Cascade>>,
}

impl SourceFile {
    /// A file with no folder defaults.
    pub fn new(path: impl Into<PathBuf>, rel: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            rel: rel.into(),
            text: text.into(),
            defaults: None,
        }
    }
}

/// The name of the file that gives a folder's defaults.
pub(crate) const DEFAULTS_FILE: &str = "_defaults.yaml";

/// Ignore patterns that always apply (a `!pattern` in site.toml takes a file back).
pub(crate) const BUILT_IN_IGNORE: &[&str] = &[
    "README*",
    "LICENSE*",
    "LICENCE*",
    "CONTRIBUTING*",
    "CHANGELOG*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
];

/// What makes a file a post-mortem of a site, and where to look for them.
#[derive(Debug, Clone)]
pub struct Rules {
    root: PathBuf,
    content_dirs: Vec<PathBuf>,
    /// Folders never read, canonical: output, cache, the theme's folders.
    excluded: Vec<PathBuf>,
    /// `(pattern, takes back)`, in order; the last matching pattern decides.
    ignore: Vec<(String, bool)>,
    cascade: Vec<Cascade>,
}

impl Rules {
    pub(crate) fn of(site: &Site) -> Rules {
        Rules::new(&site.root, &site.config)
    }

    pub(crate) fn new(root: &Path, config: &Config) -> Rules {
        let mut content_dirs = vec![root.join(&config.content_dir)];
        content_dirs.extend(config.content_dirs.iter().map(|d| root.join(d)));
        let absolute_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let canonical = |p: PathBuf| {
            p.canonicalize()
                .unwrap_or_else(|_| absolute_root.join(p.strip_prefix(root).unwrap_or(&p)))
        };
        let content_canonical: Vec<PathBuf> =
            content_dirs.iter().map(|d| canonical(d.clone())).collect();
        let mut excluded: Vec<PathBuf> = [&config.output_dir, &config.cache_dir]
            .into_iter()
            .map(|d| canonical(root.join(d)))
            .collect();
        // The theme's folders, when a content folder holds them (content_dir = ".").
        for theme in ["templates", "static"] {
            let dir = canonical(root.join(theme));
            if !content_canonical.contains(&dir) {
                excluded.push(dir);
            }
        }
        excluded.retain(|d| !content_canonical.contains(d));
        let mut ignore: Vec<(String, bool)> = BUILT_IN_IGNORE
            .iter()
            .map(|p| (p.to_string(), false))
            .collect();
        for p in &config.ignore {
            match p.strip_prefix('!') {
                Some(back) => ignore.push((back.to_string(), true)),
                None => ignore.push((p.clone(), false)),
            }
        }
        Rules {
            root: root.to_path_buf(),
            content_dirs,
            excluded,
            ignore,
            cascade: config.cascade.clone(),
        }
    }

    /// The rules for a site with default settings but the given content folder (tests).
    pub fn for_folder(root: &Path, content_dir: &Path) -> Rules {
        let config = Config {
            content_dir: content_dir
                .strip_prefix(root)
                .unwrap_or(content_dir)
                .to_path_buf(),
            ..Config::default()
        };
        Rules::new(root, &config)
    }

    pub(crate) fn content_dirs(&self) -> &[PathBuf] {
        &self.content_dirs
    }

    /// The content folder `path` lies in, if any.
    fn content_dir_of(&self, path: &Path) -> Option<&Path> {
        self.content_dirs
            .iter()
            .filter(|d| path.starts_with(d))
            .max_by_key(|d| d.components().count())
            .map(PathBuf::as_path)
    }

    /// Why a `.md` file at `path` is not a post-mortem, when it is not: the ignore pattern
    /// or built-in rule that skips it.
    pub(crate) fn skip_reason(&self, path: &Path) -> Option<String> {
        let dir = self.content_dir_of(path).unwrap_or(&self.root);
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        let mut reason = None;
        for (pattern, back) in &self.ignore {
            if ignore_matches(pattern, &rel) {
                reason = (!back).then(|| format!("matches `{pattern}`"));
            }
        }
        if reason.is_none()
            && !self
                .ignore
                .iter()
                .any(|(p, back)| *back && ignore_matches(p, &rel))
            && let Some(name) = path.file_stem().and_then(|s| s.to_str())
            && is_template_name(name)
        {
            reason = Some("named like a template".to_string());
        }
        reason
    }

    /// Whether `path` (a file inside a content folder) is a post-mortem of the site: a
    /// `.md` file, not hidden, not in an excluded folder, not ignored.
    pub(crate) fn accepts(&self, path: &Path) -> bool {
        let Some(dir) = self.content_dir_of(path) else {
            return false;
        };
        let Ok(rel) = path.strip_prefix(dir) else {
            return false;
        };
        if rel
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
        {
            return false;
        }
        let mut folder = path.parent();
        while let Some(f) = folder {
            if !f.starts_with(dir) {
                break;
            }
            let canonical = f.canonicalize().unwrap_or_else(|_| f.to_path_buf());
            if self.excluded.contains(&canonical) {
                return false;
            }
            folder = f.parent();
        }
        is_post_mortem(path) && self.skip_reason(path).is_none()
    }

    /// Read one file as discovery does, with its folder defaults. `Ok(None)` when it is
    /// not a post-mortem of the site.
    pub(crate) fn read(&self, path: &Path) -> Result<Option<SourceFile>, Diagnostic> {
        if !self.accepts(path) {
            return Ok(None);
        }
        let rel = relative(&self.root, path);
        let text = read_source(path).map_err(|diag| diag(rel.clone()))?;
        let mut problems = Vec::new();
        let defaults = self.defaults_for(path, &mut |dir| {
            read_defaults(&self.root, &dir.join(DEFAULTS_FILE), &mut problems)
        });
        Ok(Some(SourceFile {
            path: path.to_path_buf(),
            rel,
            text,
            defaults,
        }))
    }

    /// The defaults of a file: the `_defaults.yaml` of its folder, then of the folders
    /// above it up to the content folder, then `[[cascade]]` entries in the order written;
    /// the first that gives a key wins.
    fn defaults_for(
        &self,
        path: &Path,
        folder_defaults: &mut dyn FnMut(&Path) -> Option<Arc<Cascade>>,
    ) -> Option<Arc<Cascade>> {
        let dir = self.content_dir_of(path)?;
        let mut merged = Cascade::default();
        let mut folder = path.parent();
        while let Some(f) = folder {
            if let Some(d) = folder_defaults(f) {
                merged = merged.or(&d);
            }
            if f == dir {
                break;
            }
            folder = f.parent();
        }
        if !self.cascade.is_empty() {
            let rel = path.strip_prefix(dir).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            for entry in &self.cascade {
                if entry.path.is_empty() || glob_matches(&entry.path, &rel) || {
                    // `payments` means everything under it, as `payments/**` does.
                    let folder = entry.path.trim_end_matches('/');
                    rel.to_lowercase()
                        .starts_with(&format!("{}/", folder.to_lowercase()))
                } {
                    merged = merged.or(entry);
                }
            }
        }
        (!merged.is_empty()).then(|| Arc::new(merged))
    }
}

/// Walk the content folders and read every post-mortem in them, in sorted path order,
/// each with its folder defaults.
pub fn discover(rules: &Rules) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    discover_in(rules, None)
}

/// `discover`, only under `folder` (a folder inside a content folder), as `serve` needs
/// when a folder appears.
pub(crate) fn discover_in(
    rules: &Rules,
    folder: Option<&Path>,
) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let walked = walk_in(rules, folder);
    let mut problems = walked.problems;
    let mut defaults_cache: BTreeMap<PathBuf, Option<Arc<Cascade>>> = walked
        .defaults
        .iter()
        .map(|path| {
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            (dir, read_defaults(&rules.root, path, &mut problems))
        })
        .collect();
    let read: Vec<(PathBuf, PathBuf, Result<String, DiagFor>)> = walked
        .files
        .into_par_iter()
        .map(|(path, _)| {
            let rel = relative(&rules.root, &path);
            let text = read_source(&path);
            (path, rel, text)
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for (path, rel, text) in read {
        match text {
            Ok(text) => {
                let defaults = rules
                    .defaults_for(&path, &mut |dir| defaults_cache.get(dir).cloned().flatten());
                files.push(SourceFile {
                    path,
                    rel,
                    text,
                    defaults,
                });
            }
            Err(diag) => problems.push(diag(rel)),
        }
    }
    defaults_cache.clear();
    (files, problems)
}

/// Whether `path` names a post-mortem by its extension alone: a `.md` file.
pub(crate) fn is_post_mortem(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
}

/// Symbolic links to folders are followed this deep at most.
const MAX_DEPTH: usize = 64;

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Every post-mortem file with its metadata, sorted by path.
    pub(crate) files: Vec<(PathBuf, Metadata)>,
    /// Problems, and the notes saying what was skipped.
    pub(crate) problems: Vec<Diagnostic>,
    /// `_defaults.yaml` files, sorted.
    pub(crate) defaults: Vec<PathBuf>,
    /// `.md` files skipped by name, with the reason, sorted.
    pub(crate) skipped: Vec<(PathBuf, String)>,
}

/// Every post-mortem file under the content folders with its metadata, sorted by path:
/// one `stat` per file (the entry type comes with the listing), sub-folders in parallel.
/// Hidden files and folders, the output and cache folders and ignored files are
/// skipped; symbolic links are followed, and a link back into its own folder is reported
/// once as a loop. Unreadable folders are reported. This is the one walk of the content
/// folders: `discover` reads what it finds and the search command compares sizes and
/// times with it.
pub(crate) fn walk(rules: &Rules) -> (Vec<(PathBuf, Metadata)>, Vec<Diagnostic>) {
    let walked = walk_in(rules, None);
    (walked.files, walked.problems)
}

/// `walk`, of every content folder or only of `folder`, with the defaults files found.
pub(crate) fn walk_in(rules: &Rules, folder: Option<&Path>) -> Walked {
    let mut out = Walk::default();
    let starts: Vec<&Path> = match folder {
        Some(f) => vec![f],
        None => rules.content_dirs.iter().map(PathBuf::as_path).collect(),
    };
    for start in starts {
        let canonical = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        walk_dir(rules, start, &canonical, 0, &mut out);
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.files.dedup_by(|a, b| a.0 == b.0);
    out.problems.sort_by(|a, b| a.path.cmp(&b.path));
    out.defaults.sort();
    let mut problems = out.problems;
    out.skipped.sort();
    if !out.skipped.is_empty() {
        problems.push(skipped_note(rules, folder, &out.skipped));
    }
    out.not_markdown.sort();
    for path in out.not_markdown {
        let rel = relative(&rules.root, &path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name
            .strip_suffix(&format!(
                ".{}",
                path.extension().and_then(|e| e.to_str()).unwrap_or("")
            ))
            .filter(|_| path.extension().is_some())
            .unwrap_or(&name)
            .to_string();
        problems.push(Diagnostic::note(
            "not-markdown",
            rel,
            0,
            0,
            format!("looks like a post-mortem but is not read: only `.md` files are; rename it to `{stem}.md` to publish it"),
        ));
    }
    Walked {
        files: out.files,
        problems,
        defaults: out.defaults,
        skipped: out.skipped,
    }
}

fn skipped_note(rules: &Rules, folder: Option<&Path>, skipped: &[(PathBuf, String)]) -> Diagnostic {
    let at = folder
        .or(rules.content_dirs.first().map(PathBuf::as_path))
        .unwrap_or(&rules.root);
    let mut at = relative(&rules.root, at);
    if at.as_os_str().is_empty() {
        at = PathBuf::from(".");
    }
    let listed: Vec<String> = skipped
        .iter()
        .map(|(p, why)| format!("`{}` ({why})", relative(&rules.root, p).display()))
        .collect();
    Diagnostic::note(
        "skipped",
        at,
        0,
        0,
        format!(
            "{} not post-mortems, skipped: {}; `ignore` in site.toml changes this (`!name` takes a file back)",
            crate::words::plural(skipped.len(), "file is", "files are"),
            listed.join(", ")
        ),
    )
}

#[derive(Default)]
struct Walk {
    files: Vec<(PathBuf, Metadata)>,
    problems: Vec<Diagnostic>,
    defaults: Vec<PathBuf>,
    skipped: Vec<(PathBuf, String)>,
    not_markdown: Vec<PathBuf>,
}

fn walk_dir(rules: &Rules, dir: &Path, canonical: &Path, depth: usize, out: &mut Walk) {
    let root = &rules.root;
    if rules.excluded.iter().any(|e| e == canonical) {
        return;
    }
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
                // A dangling link: say so only when it looks like a post-mortem.
                if !kind.is_symlink() || is_post_mortem(&path) {
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
        } else if meta.is_file() {
            if is_post_mortem(&path) {
                match rules.skip_reason(&path) {
                    Some(why) => out.skipped.push((path, why)),
                    None => out.files.push((path, meta)),
                }
            } else if entry.file_name() == DEFAULTS_FILE {
                out.defaults.push(path);
            } else if maybe_markdown(&path)
                && rules.skip_reason(&path).is_none()
                && looks_like_post_mortem(&path)
            {
                out.not_markdown.push(path);
            }
        }
    }
    let nested: Vec<Walk> = dirs
        .par_iter()
        .map(|(canonical, path)| {
            let mut found = Walk::default();
            walk_dir(rules, path, canonical, depth + 1, &mut found);
            found
        })
        .collect();
    for n in nested {
        out.files.extend(n.files);
        out.problems.extend(n.problems);
        out.defaults.extend(n.defaults);
        out.skipped.extend(n.skipped);
        out.not_markdown.extend(n.not_markdown);
    }
}

/// Extensions a post-mortem saved by mistake may have: none, or a text-ish one.
fn maybe_markdown(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        None => true,
        Some(e) => {
            let e = e.to_ascii_lowercase();
            matches!(
                e.as_str(),
                "txt" | "text" | "markdown" | "mdown" | "mkd" | "mkdn" | "mdx" | "rst" | "adoc"
            ) || e.chars().any(|c| c == ' ')
                // `PM2021-008 - Ingress configuration caused outage` has no extension,
                // though `Path` sees one after the last dot of a title.
                || e.len() > 8
        }
    }
}

/// Whether the start of a file reads like a post-mortem: front matter with a title, or
/// a heading with the words post-mortems use.
fn looks_like_post_mortem(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(4096);
    if file.take(4096).read_to_end(&mut head).is_err() || head.contains(&0) {
        return false;
    }
    let text = String::from_utf8_lossy(&head).to_lowercase();
    let text = text.trim_start_matches('\u{feff}');
    if text.starts_with("---") && text.contains("\ntitle:") {
        return true;
    }
    let has_heading = text
        .lines()
        .any(|l| l.starts_with("# ") || l.starts_with("## "));
    let words = [
        "post-mortem",
        "postmortem",
        "post mortem",
        "incident",
        "root cause",
        "timeline",
        "outage",
    ];
    has_heading && words.iter().filter(|w| text.contains(*w)).count() >= 2
}

/// Whether a file name (without extension) is the archive's template rather than a
/// post-mortem: an id still in placeholder form (`PMyyyy-nnn`, `YYYY-MM-DD`, `[Title]`),
/// or the word "template" with only words that name a post-mortem beside it
/// (`Postmortem template`, `incident-report-template`; not `template-engine-outage`).
pub(crate) fn is_template_name(stem: &str) -> bool {
    let lower = stem.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let placeholder_id = words.iter().any(|w| {
        w.contains("yyyy")
            || (w.len() >= 3 && w.chars().all(|c| c == 'n'))
            || (w.len() >= 3 && w.chars().all(|c| c == 'x'))
            || *w == "mm" && lower.contains("yyyy")
    }) || bracketed_words(stem);
    const GENERIC: &[&str] = &[
        "template",
        "templates",
        "postmortem",
        "postmortems",
        "post",
        "mortem",
        "mortems",
        "incident",
        "incidents",
        "report",
        "rca",
        "review",
        "blameless",
        "retro",
        "retrospective",
        "pir",
        "pm",
        "doc",
        "document",
        "the",
        "our",
        "team",
    ];
    let template_word = words.iter().any(|w| *w == "template" || *w == "templates");
    placeholder_id || (template_word && words.iter().all(|w| GENERIC.contains(w)))
}

/// Whether `text` holds a bracketed placeholder such as `[Title]`; tags in capitals
/// (`[DUBLIN]`, `[RESOLVED]`) are the author's own and do not count.
fn bracketed_words(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            return false;
        };
        if after[..close].chars().any(char::is_lowercase) {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

/// Whether an ignore pattern matches `rel` (a path relative to its content folder, `/`
/// separators): patterns without `/` match the name of the file or of any folder it is
/// in, like .gitignore; patterns with `/` match the whole relative path.
pub(crate) fn ignore_matches(pattern: &str, rel: &str) -> bool {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return false;
    }
    let anchored = pattern.trim_start_matches('/');
    if anchored.trim_end_matches('/').contains('/') {
        let p = anchored.trim_end_matches('/');
        return glob_matches(p, rel) || glob_matches(&format!("{p}/**"), rel);
    }
    let p = anchored.trim_end_matches('/');
    rel.split('/').any(|part| glob_matches(p, part))
}

/// A glob match, ignoring case: `*` any run of characters but `/`, `**` any run at all,
/// `?` one character, `[abc]`/`[a-z]`/`[!a]` one of a set.
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            // `**/` also matches no folder at all.
            if rest.first() == Some(&'/') && glob_at(&rest[1..], t) {
                return true;
            }
            (0..=t.len()).any(|i| glob_at(rest, &t[i..]))
        }
        Some('*') => {
            for i in 0..=t.len() {
                if glob_at(&p[1..], &t[i..]) {
                    return true;
                }
                if t.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => t.first().is_some_and(|&c| c != '/') && glob_at(&p[1..], &t[1..]),
        Some('[') => match (t.first(), class_at(p, t.first().copied().unwrap_or('/'))) {
            (Some(_), Some((true, len))) => glob_at(&p[len..], &t[1..]),
            (Some(&c), None) => c == '[' && glob_at(&p[1..], &t[1..]),
            _ => false,
        },
        Some(&c) => t.first() == Some(&c) && glob_at(&p[1..], &t[1..]),
    }
}

/// Whether `c` is in the class at the start of `p` (`[...]`), and the class's length.
fn class_at(p: &[char], c: char) -> Option<(bool, usize)> {
    let end = p.iter().skip(1).position(|&x| x == ']')? + 1;
    let body = &p[1..end];
    let (negate, body) = match body.first() {
        Some('!') | Some('^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut found = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == '-' {
            found |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            found |= body[i] == c;
            i += 1;
        }
    }
    Some((found != negate, end + 1))
}

/// A folder's `_defaults.yaml`: the keys of `[[cascade]]` without `path`. Problems are
/// `invalid-defaults` warnings; what could be read is kept.
fn read_defaults(root: &Path, path: &Path, problems: &mut Vec<Diagnostic>) -> Option<Arc<Cascade>> {
    let text = std::fs::read_to_string(path).ok()?;
    let rel = relative(root, path);
    let tree = match yaml::parse(&text) {
        Ok(tree) => tree,
        Err(e) => {
            problems.push(Diagnostic::warning(
                "invalid-defaults",
                rel,
                e.line,
                e.col,
                format!(
                    "folder defaults are not valid YAML: {}; the file is not used",
                    e.message
                ),
            ));
            return None;
        }
    };
    let Yaml::Map(entries) = tree else {
        return None;
    };
    let mut c = Cascade::default();
    for (key, value) in entries {
        let (line, col) = yaml::value_position(&text, &key).unwrap_or((0, 0));
        let list = || -> Vec<String> {
            match &value {
                Yaml::List(items) => items.iter().filter_map(Yaml::as_scalar_text).collect(),
                other => other.as_scalar_text().into_iter().collect(),
            }
        };
        let scalar = || value.as_scalar_text();
        match key.trim().to_lowercase().replace('-', "_").as_str() {
            "teams" | "team" => c.teams = list(),
            "services" | "service" => c.services = list(),
            "tags" | "tag" => c.tags = list(),
            "causes" | "cause" | "root_cause" => c.causes = list(),
            "authors" | "author" => c.authors = list(),
            "severity" => c.severity = scalar(),
            "status" => c.status = scalar(),
            "kind" | "type" => c.kind = scalar(),
            "visibility" => c.visibility = scalar(),
            _ => problems.push(Diagnostic::warning(
                "invalid-defaults",
                rel.clone(),
                line,
                col.saturating_sub(key.len() + 2).max(1),
                format!("unknown key `{key}` in folder defaults, ignored; known keys: teams, services, tags, causes, authors, severity, status, kind, visibility"),
            )),
        }
    }
    Some(Arc::new(c))
}

type DiagFor = Box<dyn FnOnce(PathBuf) -> Diagnostic + Send>;

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
pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(rel.to_string_lossy().replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("README*", "readme.md"));
        assert!(glob_matches("*.md", "a.md"));
        assert!(!glob_matches("*.md", "x/a.md"));
        assert!(glob_matches("**/*.md", "x/y/a.md"));
        assert!(glob_matches("**/*.md", "a.md"));
        assert!(glob_matches("drafts/**", "drafts/x/a.md"));
        assert!(glob_matches("PM20[0-1]?-*", "pm2019-009 - x.md"));
        assert!(!glob_matches("PM20[!0-1]?-*", "pm2019-009 - x.md"));
        assert!(ignore_matches("drafts", "team/drafts/a.md"));
        assert!(ignore_matches("team/drafts", "team/drafts/a.md"));
        assert!(!ignore_matches("team/drafts", "other/team/drafts/a.md"));
        assert!(ignore_matches("/old/*.md", "old/a.md"));
    }

    #[test]
    fn template_names() {
        for name in [
            "PMyyyy-nnn - Postmortem template",
            "postmortem-template",
            "TEMPLATE",
            "incident_report_template",
            "YYYY-MM-DD-title",
            "[Incident Title]",
        ] {
            assert!(is_template_name(name), "{name}");
        }
        for name in [
            "PM2021-008 - Ingress configuration caused outage",
            "2025-03-01-template-rendering-crash",
            "template engine outage in checkout",
            "template-engine-outage",
            "xenon",
            "annual-report",
        ] {
            assert!(!is_template_name(name), "{name}");
        }
    }
}
