//! Writing a rendered site into its output folder: atomically, and only what changed.
//!
//! The new site is assembled in a temporary sibling of the output folder and swapped in
//! whole, so a failed build leaves the previous site exactly as it was. A file whose bytes
//! are the same as last time is not written again: it is hard-linked from the previous
//! site into the new one, so it keeps its modification time (and inode), and `rsync`,
//! CDN uploads and `make`-like tools see it unchanged.
//!
//! "The same as last time" is read from a manifest in the cache folder, one per output
//! folder: each file's BLAKE3 hash and size, and the modification time it had when
//! written (what `rsync` compares too; not the inode, which a cache restored in CI
//! changes). A previous file is reused only when its hash equals the new bytes' and
//! its size and time on disk still match the manifest, so a file edited by hand
//! in the output is rewritten. A missing manifest (first build), one of another version
//! or a damaged one costs nothing but writing every file: it can never make the site
//! wrong.

use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;

use crate::site::OutputFile;

/// First line of a manifest; another first line means another format.
const HEADER: &str = "hindsight output manifest 2";

/// What a write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Files written anew (new or changed).
    pub(crate) written: usize,
    /// Files carried over from the previous site untouched.
    pub(crate) unchanged: usize,
    /// Of those, pages carried over without being rendered again (their inputs were
    /// the same; see [`Staging::carry`]).
    pub(crate) carried: usize,
    /// Files of the previous site (as the manifest knew it) that are gone.
    pub(crate) removed: usize,
    /// Why the previous manifest was not used, when it existed but could not be.
    pub(crate) notice: Option<String>,
}

impl Written {
    /// Files of the new site.
    pub(crate) fn files(&self) -> usize {
        self.written + self.unchanged
    }
}

/// One output file as it was written: enough to recognise it on disk later.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    hash: String,
    len: u64,
    mtime_ns: u128,
    /// A digest of everything the file was rendered from, for a page whose renderer
    /// can tell (see [`Staging::carry`]).
    input: Option<String>,
}

impl Entry {
    /// Whether `meta` is of the file this entry describes (size and time).
    fn describes(&self, meta: &Metadata) -> bool {
        let now = entry(String::new(), meta);
        meta.is_file() && now.len == self.len && now.mtime_ns == self.mtime_ns
    }
}

/// Write `files` into `out_dir` atomically, reusing unchanged files of the previous
/// site. `cache_dir` holds the manifest; without one every file is written.
pub(crate) fn write(
    out_dir: &Path,
    files: &[OutputFile],
    cache_dir: Option<&Path>,
) -> Result<Written> {
    let staging = Staging::new(out_dir, cache_dir)?;
    let stage = crate::progress::stage("writing", Some(files.len()), "files");
    files.par_iter().try_for_each(|f| {
        stage.inc(1);
        staging.add(f)
    })?;
    staging.commit()
}

/// A new site being assembled beside the output folder. Files are added from any
/// thread as they are rendered (so the whole site never sits in memory), and
/// [`Staging::commit`] swaps it in. Dropped without a commit, it leaves no trace and
/// the previous site untouched.
pub(crate) struct Staging {
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    dir: tempfile::TempDir,
    previous: HashMap<String, Entry>,
    notice: Option<String>,
    manifest_path: Option<PathBuf>,
    /// Folders already made in the staging folder.
    dirs: Mutex<HashSet<String>>,
    /// What was added: path → (entry as written, reused from the previous site).
    added: Mutex<Vec<(String, Entry, bool)>>,
    /// Pages carried over unrendered.
    carried: std::sync::atomic::AtomicUsize,
    /// Where previous sites go to be deleted, and the thread deleting the last ones.
    trash: Option<PathBuf>,
    emptying: Option<std::thread::JoinHandle<()>>,
}

/// The manifest of the site last published to an output folder, read once: `build`
/// checks with it whether the folder is untouched ([`Previous::intact`]) and then hands
/// it to [`Staging::with_previous`] to reuse unchanged files.
#[derive(Default)]
pub(crate) struct Previous {
    entries: HashMap<String, Entry>,
    /// Why a manifest that exists could not be used.
    notice: Option<String>,
}

impl Previous {
    /// The manifest of `out_dir` kept in `cache_dir`; empty when there is no output
    /// folder or no usable manifest.
    pub(crate) fn read(out_dir: &Path, cache_dir: &Path) -> Previous {
        let (entries, notice) = if out_dir.is_dir() {
            read_manifest(&manifest_path(cache_dir, out_dir))
        } else {
            (HashMap::new(), None)
        };
        Previous { entries, notice }
    }

    /// Whether `out_dir` holds exactly the files of the manifest, each still as it was
    /// written (size, modification time): nothing edited, added or removed since.
    pub(crate) fn intact(&self, out_dir: &Path) -> bool {
        if self.notice.is_some() || self.entries.is_empty() {
            return false;
        }
        let mut seen = 0;
        for file in walkdir::WalkDir::new(out_dir) {
            let Ok(file) = file else {
                return false;
            };
            if file.file_type().is_dir() {
                continue;
            }
            let Ok(rel) = file.path().strip_prefix(out_dir) else {
                return false;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let (Some(recorded), Ok(meta)) = (self.entries.get(&rel), file.metadata()) else {
                return false;
            };
            if !recorded.describes(&meta) {
                return false;
            }
            seen += 1;
        }
        seen == self.entries.len()
    }
}

impl Staging {
    /// Start a new site for `out_dir`, reading the previous manifest from `cache_dir`.
    pub(crate) fn new(out_dir: &Path, cache_dir: Option<&Path>) -> Result<Staging> {
        let previous = cache_dir.map(|c| Previous::read(out_dir, c));
        Self::with_previous(out_dir, cache_dir, previous)
    }

    /// [`Staging::new`] with the previous manifest already read (`None`: no cache).
    pub(crate) fn with_previous(
        out_dir: &Path,
        cache_dir: Option<&Path>,
        previous: Option<Previous>,
    ) -> Result<Staging> {
        let parent = out_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = out_dir
            .file_name()
            .context("output directory has no name")?
            .to_string_lossy()
            .into_owned();
        let manifest_path = cache_dir.map(|c| manifest_path(c, out_dir));
        let trash = cache_dir.map(|c| c.join("trash"));
        let Previous {
            entries: previous,
            notice,
        } = previous.unwrap_or_default();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.tmp-"))
            .tempdir_in(&parent)
            .with_context(|| format!("creating a temporary folder in {}", parent.display()))?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            dir,
            previous,
            notice,
            manifest_path,
            dirs: Mutex::new(HashSet::new()),
            added: Mutex::new(Vec::new()),
            carried: std::sync::atomic::AtomicUsize::new(0),
            emptying: empty_trash(trash.clone()),
            trash,
        })
    }

    /// Add one file: linked from the previous site when its bytes are the same,
    /// written otherwise.
    pub(crate) fn add(&self, f: &OutputFile) -> Result<()> {
        if f.path.split('/').any(|c| c == ".." || c.is_empty()) || f.path.starts_with('/') {
            bail!(
                "refusing to write output file with unsafe path `{}`",
                f.path
            );
        }
        self.make_folder_of(&f.path)?;
        let hash = hash(&f.bytes);
        let target = self.dir.path().join(&f.path);
        let reused = self
            .previous
            .get(f.path.as_str())
            .filter(|e| e.hash == hash)
            .filter(|e| reuse(&self.out_dir.join(&f.path), e, &target));
        // A reused file has the size and time its entry records; a new one is read back.
        let (mut entry, reused) = match reused {
            Some(recorded) => (recorded.clone(), true),
            None => {
                std::fs::write(&target, &f.bytes).with_context(|| format!("writing {}", f.path))?;
                let meta = std::fs::symlink_metadata(&target)
                    .with_context(|| format!("reading back {}", f.path))?;
                (entry(hash, &meta), false)
            }
        };
        entry.input = f.input.map(|i| hex(&i));
        if let Ok(mut added) = self.added.lock() {
            added.push((f.path.clone(), entry, reused));
        }
        Ok(())
    }

    /// Make the folder `path` (relative to the site) goes in, once per folder.
    fn make_folder_of(&self, path: &str) -> Result<()> {
        let Some((dir, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        if !self.dirs.lock().is_ok_and(|d| d.contains(dir)) {
            std::fs::create_dir_all(self.dir.path().join(dir))
                .with_context(|| format!("creating {dir}"))?;
            if let Ok(mut d) = self.dirs.lock() {
                d.insert(dir.to_string());
            }
        }
        Ok(())
    }

    /// Carry the previous site's file at `path` into the new one without rendering it,
    /// when it was rendered from the very inputs whose digest is `input` and is still
    /// the file the manifest describes. False when it must be rendered.
    ///
    /// Safe across a build that stopped half-way: the manifest is written after the
    /// new site is swapped in, and a file is carried only if its size and time are the
    /// ones recorded with its input digest, so the digest always belongs to its bytes.
    pub(crate) fn carry(&self, path: &str, input: &[u8; 16]) -> bool {
        let input = hex(input);
        let Some(recorded) = self
            .previous
            .get(path)
            .filter(|e| e.input.as_deref() == Some(input.as_str()))
        else {
            return false;
        };
        if self.make_folder_of(path).is_err() {
            return false;
        }
        if !reuse(
            &self.out_dir.join(path),
            recorded,
            &self.dir.path().join(path),
        ) {
            return false;
        }
        if let Ok(mut added) = self.added.lock() {
            added.push((path.to_string(), recorded.clone(), true));
        }
        self.carried
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    }

    /// Swap the new site in and record what it holds.
    pub(crate) fn commit(self) -> Result<Written> {
        let mut added = self
            .added
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a writer thread stopped while writing the site"))?;
        added.sort_by(|a, b| a.0.cmp(&b.0));
        added.dedup_by(|a, b| a.0 == b.0);
        let unchanged = added.iter().filter(|(_, _, reused)| *reused).count();
        let kept: HashSet<&str> = added.iter().map(|(p, _, _)| p.as_str()).collect();
        let removed = self
            .previous
            .keys()
            .filter(|p| !kept.contains(p.as_str()))
            .count();
        if let Some(emptying) = self.emptying {
            let _ = emptying.join();
        }
        swap(
            self.dir,
            &self.parent,
            &self.name,
            &self.out_dir,
            self.trash.as_deref(),
        )?;
        if let Some(path) = &self.manifest_path {
            // The site is published; a manifest that cannot be saved only means the
            // next build writes every file again.
            let _ = write_manifest(path, &self.out_dir, &added);
        }
        Ok(Written {
            written: added.len() - unchanged,
            unchanged,
            carried: self.carried.into_inner(),
            removed,
            notice: self.notice,
        })
    }
}

/// Move the finished staging folder into place, keeping the previous site until the
/// new one is there. The previous site then goes to `trash` (in the cache folder) when
/// given, to be deleted while the next build renders: deleting thousands of files costs
/// seconds of waiting on some file systems, more than the rest of a small rebuild.
fn swap(
    staging: tempfile::TempDir,
    parent: &Path,
    name: &str,
    out_dir: &Path,
    trash: Option<&Path>,
) -> Result<()> {
    let staged = staging.keep();
    let old = parent.join(format!(".{name}.old"));
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    if out_dir.exists() {
        std::fs::rename(out_dir, &old)
            .with_context(|| format!("moving the previous {} aside", out_dir.display()))?;
    }
    if let Err(e) = std::fs::rename(&staged, out_dir) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&old, out_dir);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e).with_context(|| format!("moving the new site into {}", out_dir.display()));
    }
    if old.exists() {
        let binned = trash.is_some_and(|trash| {
            std::fs::create_dir_all(trash).is_ok()
                && tempfile::Builder::new()
                    .prefix("site-")
                    .tempdir_in(trash)
                    .map(|slot| slot.keep())
                    .is_ok_and(|slot| std::fs::rename(&old, slot.join(name)).is_ok())
        });
        if !binned {
            std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
        }
    }
    Ok(())
}

/// Delete what earlier builds left in `trash`, on a thread of its own.
fn empty_trash(trash: Option<PathBuf>) -> Option<std::thread::JoinHandle<()>> {
    let trash = trash.filter(|t| t.is_dir())?;
    Some(std::thread::spawn(move || {
        if let Ok(entries) = std::fs::read_dir(&trash) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }))
}

/// Carry the previous file at `old` into the new site at `target`, if it is still the
/// file the manifest describes. A hard link keeps it as it is; where links are not
/// possible, a copy gets the previous modification time.
fn reuse(old: &Path, recorded: &Entry, target: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else {
        return false;
    };
    if !recorded.describes(&meta) {
        return false;
    }
    if std::fs::hard_link(old, target).is_ok() {
        return true;
    }
    let copied = std::fs::copy(old, target).is_ok()
        && meta.modified().is_ok_and(|t| {
            std::fs::File::options()
                .write(true)
                .open(target)
                .and_then(|f| f.set_modified(t))
                .is_ok()
        });
    if !copied {
        let _ = std::fs::remove_file(target);
    }
    copied
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file's content hash: 128 bits of BLAKE3, in hex.
fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

fn entry(hash: String, meta: &Metadata) -> Entry {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Entry {
        hash,
        len: meta.len(),
        mtime_ns,
        input: None,
    }
}

/// Where the manifest of `out_dir` lives: one file per output folder, named by a hash
/// of its absolute path, so `--output elsewhere` never reuses another folder's record.
pub(crate) fn manifest_path(cache_dir: &Path, out_dir: &Path) -> PathBuf {
    let abs = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let key = hash(abs.to_string_lossy().as_bytes());
    cache_dir.join(format!("output-{}.manifest", &key[..16]))
}

/// The previous manifest, or nothing with the reason when it exists but cannot be used.
fn read_manifest(path: &Path) -> (HashMap<String, Entry>, Option<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (HashMap::new(), None),
        Err(e) => return (HashMap::new(), Some(unusable(path, &e.to_string()))),
    };
    match parse_manifest(&text) {
        Ok(entries) => (entries, None),
        Err(why) => (HashMap::new(), Some(unusable(path, &why))),
    }
}

fn unusable(path: &Path, why: &str) -> String {
    format!(
        "output manifest {} not used ({why}); every file was written",
        path.display()
    )
}

/// Lines after the header and the output folder: `hash len mtime_ns input path`
/// (`input` is `-` for a file rendered without an input digest); the
/// last line is `end N` with the number of entries, so a cut-off file is recognised.
fn parse_manifest(text: &str) -> Result<HashMap<String, Entry>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err("another version of hindsight wrote it".into());
    }
    let _out = lines.next().ok_or("it is cut short")?;
    let mut entries = HashMap::new();
    for (n, line) in lines.enumerate() {
        if let Some(count) = line.strip_prefix("end ") {
            return if count.parse() == Ok(n) && entries.len() == n {
                Ok(entries)
            } else {
                Err("its entry count does not match".into())
            };
        }
        let bad = || format!("line {} is malformed", n + 3);
        let mut parts = line.splitn(5, ' ');
        let mut field = || parts.next().ok_or_else(bad);
        let hash = field()?;
        let len = field()?.parse().map_err(|_| bad())?;
        let mtime_ns = field()?.parse().map_err(|_| bad())?;
        let input = field()?;
        let path = field()?;
        let hex = |h: &str| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(hash) || !(input == "-" || hex(input)) {
            return Err(bad());
        }
        entries.insert(
            path.to_string(),
            Entry {
                hash: hash.to_string(),
                len,
                mtime_ns,
                input: (input != "-").then(|| input.to_string()),
            },
        );
    }
    Err("it is cut short".into())
}

fn write_manifest(path: &Path, out_dir: &Path, added: &[(String, Entry, bool)]) -> Result<()> {
    use std::fmt::Write as _;
    let dir = path.parent().context("manifest path has no folder")?;
    std::fs::create_dir_all(dir)?;
    let mut text = format!("{HEADER}\nout {}\n", out_dir.display());
    let mut n = 0;
    for (path, e, _) in added {
        if path.contains('\n') {
            continue;
        }
        let input = e.input.as_deref().unwrap_or("-");
        let _ = writeln!(text, "{} {} {} {input} {path}", e.hash, e.len, e.mtime_ns);
        n += 1;
    }
    let _ = writeln!(text, "end {n}");
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.persist(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<OutputFile> {
        list.iter().map(|(p, b)| OutputFile::new(*p, *b)).collect()
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn unchanged_files_keep_their_time_and_changed_ones_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let (out, cache) = (dir.path().join("public"), dir.path().join(".cache"));
        let first = files(&[
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("b.txt", "b"),
        ]);
        let w = write(&out, &first, Some(&cache)).unwrap();
        assert_eq!((w.written, w.unchanged, w.removed), (3, 0, 0));
        let before = mtime(&out.join("a/index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        let second = files(&[
            ("index.html", "home v2"),
            ("a/index.html", "a"),
            ("c.txt", "c"),
        ]);
        let w = write(&out, &second, Some(&cache)).unwrap();
        assert_eq!((w.written, w.unchanged, w.removed), (2, 1, 1));
        assert_eq!(w.notice, None);
        assert_eq!(mtime(&out.join("a/index.html")), before);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home v2"
        );
        assert_eq!(std::fs::read_to_string(out.join("c.txt")).unwrap(), "c");
        assert!(
            !out.join("b.txt").exists(),
            "a file no longer built is gone"
        );
    }

    #[test]
    fn the_previous_site_is_deleted_during_the_next_write_not_left_beside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let (out, cache) = (dir.path().join("public"), dir.path().join(".cache"));
        let trash = |n: usize| {
            let entries: Vec<_> = std::fs::read_dir(cache.join("trash"))
                .map(|d| d.flatten().collect())
                .unwrap_or_default();
            assert_eq!(entries.len(), n, "{entries:?}");
        };
        write(&out, &files(&[("index.html", "1")]), Some(&cache)).unwrap();
        trash(0);
        write(&out, &files(&[("index.html", "2")]), Some(&cache)).unwrap();
        trash(1);
        write(&out, &files(&[("index.html", "3")]), Some(&cache)).unwrap();
        trash(1);
        let beside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(beside.len(), 2, "only public and the cache: {beside:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "3"
        );
    }

    #[test]
    fn a_file_edited_in_the_output_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let (out, cache) = (dir.path().join("public"), dir.path().join(".cache"));
        let site = files(&[("index.html", "home"), ("x.css", "body{}")]);
        write(&out, &site, Some(&cache)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("index.html"), "edited by hand").unwrap();
        let w = write(&out, &site, Some(&cache)).unwrap();
        assert_eq!((w.written, w.unchanged), (1, 1));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home"
        );
    }

    #[test]
    fn a_damaged_or_foreign_manifest_is_ignored_with_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let (out, cache) = (dir.path().join("public"), dir.path().join(".cache"));
        let site = files(&[("index.html", "home"), ("a/b.html", "b")]);
        write(&out, &site, Some(&cache)).unwrap();
        let manifest = manifest_path(&cache, &out);
        let text = std::fs::read_to_string(&manifest).unwrap();

        // Cut short: the `end` line is missing.
        let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        std::fs::write(&manifest, cut).unwrap();
        let w = write(&out, &site, Some(&cache)).unwrap();
        assert_eq!((w.written, w.unchanged), (2, 0));
        assert!(w.notice.unwrap().contains("cut short"));

        // Another version's format.
        std::fs::write(&manifest, "hindsight output manifest 0\n").unwrap();
        let w = write(&out, &site, Some(&cache)).unwrap();
        assert_eq!(w.written, 2);
        assert!(w.notice.unwrap().contains("another version"));

        // A lying hash is harmless: the bytes on disk are what the site says.
        let text = std::fs::read_to_string(&manifest).unwrap();
        let lying = text.replace(&hash(b"home"), &hash(b"other"));
        std::fs::write(&manifest, lying).unwrap();
        let w = write(&out, &site, Some(&cache)).unwrap();
        assert_eq!(
            w.unchanged, 1,
            "only the file whose hash still matches is reused"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home"
        );
    }

    #[test]
    fn another_output_folder_does_not_reuse_this_ones_record() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(".cache");
        let site = files(&[("index.html", "home")]);
        write(&dir.path().join("public"), &site, Some(&cache)).unwrap();
        let w = write(&dir.path().join("preview"), &site, Some(&cache)).unwrap();
        assert_eq!((w.written, w.unchanged), (1, 0));
    }

    #[test]
    fn unsafe_paths_are_refused_and_leave_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &files(&[("index.html", "home")]), None).unwrap();
        let err = write(&out, &files(&[("../escape.html", "x")]), None).unwrap_err();
        assert!(err.to_string().contains("unsafe path"));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home"
        );
    }
}
