//! A build whose inputs are exactly those of the last published build has nothing to
//! do: the site it would write is on disk already. This module recognises that case
//! cheaply, so an unchanged archive of 10,000 post-mortems rebuilds in a fraction of a
//! second (in CI with the cache restored, or a second `hindsight build` locally).
//!
//! The inputs are fingerprinted by content, never by modification time (a fresh CI
//! checkout gives every file a new time): every post-mortem as read (path, text and
//! folder defaults) with the problems met reading them, the effective configuration,
//! the audience, the as-of date and the draft rule, the theme overrides, the output
//! folder, and the hindsight executable (version, commit, size and time of its file), so a
//! new or rebuilt binary never trusts an old record. The record of the last published build keeps that fingerprint and
//! what the build reported, and is written only after the site was swapped in.
//!
//! The fast path is taken only when the fingerprint matches and the output folder
//! still holds exactly the files the output manifest lists, each with the size, time
//! it was written with (see [`crate::publish`]). Anything else (a damaged or
//! foreign record, a file edited, added or removed in the output) means a full build.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::discover::SourceFile;
use crate::diagnostics::Diagnostic;
use crate::site::Site;

/// Format of the record; another value means another layout.
const FORMAT: u32 = 1;

/// What the last published build said, to say it again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Record {
    format: u32,
    fingerprint: String,
    /// Post-mortems published.
    pub(crate) published: usize,
    /// Files of the site.
    pub(crate) files: usize,
    /// The diagnostics report as printed, grouped and with `--verbose`.
    pub(crate) report: String,
    pub(crate) report_verbose: String,
    /// Notes counted but not printed by a build.
    pub(crate) notes: usize,
    /// Whether `--strict` would have refused to publish (warnings present).
    pub(crate) fails_strict: bool,
}

/// The fingerprint of a build's inputs, or `None` when one of them cannot be read
/// (then there is no fast path; the build itself reports the problem).
pub(crate) fn fingerprint(
    site: &Site,
    sources: &[SourceFile],
    keys: &[crate::store::Key],
    problems: &[Diagnostic],
    out_dir: &Path,
) -> Option<String> {
    let mut h = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(&crate::store::executable_id()?);
    field(&serde_json::to_vec(&site.config).ok()?);
    field(format!("{:?}", site.config.audience).as_bytes());
    field(site.as_of.to_string().as_bytes());
    field(&[u8::from(site.publishes_drafts())]);
    field(
        std::path::absolute(out_dir)
            .ok()?
            .to_string_lossy()
            .as_bytes(),
    );
    let theme = crate::render::theme::Theme::load(&site.root).ok()?;
    for (name, text) in &theme.templates {
        field(name.as_bytes());
        field(text.as_bytes());
    }
    for (name, bytes) in &theme.statics {
        field(name.as_bytes());
        field(bytes);
    }
    field(&(sources.len() as u64).to_le_bytes());
    // A file's key covers its path in the site, text and folder defaults.
    for (s, key) in sources.iter().zip(keys) {
        field(s.path.to_string_lossy().as_bytes());
        field(key);
    }
    for p in problems {
        field(format!("{p:?}").as_bytes());
    }
    Some(h.finalize().to_hex().to_string())
}

/// Where the record of `out_dir`'s last build lives.
fn record_path(cache_dir: &Path, out_dir: &Path) -> PathBuf {
    crate::publish::manifest_path(cache_dir, out_dir).with_extension("build")
}

/// The record of the last build, when it was of these very inputs and the output
/// folder is untouched since (`output_intact`, from [`crate::publish::Previous::intact`],
/// which a build checks while it reads the post-mortems); otherwise why not, when that
/// is worth a note.
pub(crate) fn unchanged(
    cache_dir: &Path,
    out_dir: &Path,
    fingerprint: &str,
    output_intact: bool,
) -> Result<Record, Option<String>> {
    let path = record_path(cache_dir, out_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) => return Err(None),
    };
    let record: Record = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            return Err(Some(format!(
                "build record {} not used ({e}); building everything",
                path.display()
            )));
        }
    };
    if record.format != FORMAT || record.fingerprint != fingerprint {
        return Err(None);
    }
    if !output_intact {
        return Err(None);
    }
    Ok(record)
}

/// Keep the record of a build just published.
pub(crate) fn save(
    cache_dir: &Path,
    out_dir: &Path,
    fingerprint: &str,
    mut record: Record,
) -> std::io::Result<()> {
    record.fingerprint = fingerprint.to_string();
    let path = record_path(cache_dir, out_dir);
    std::fs::create_dir_all(cache_dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(cache_dir)?;
    std::io::Write::write_all(&mut tmp, &serde_json::to_vec(&record)?)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

impl Record {
    /// A record to [`save`]; the fingerprint is filled in there.
    pub(crate) fn new(
        published: usize,
        files: usize,
        report: String,
        report_verbose: String,
        notes: usize,
        fails_strict: bool,
    ) -> Record {
        Record {
            format: FORMAT,
            fingerprint: String::new(),
            published,
            files,
            report,
            report_verbose,
            notes,
            fails_strict,
        }
    }
}

/// Forget the record (before a build that may fail half-way through publishing).
pub(crate) fn forget(cache_dir: &Path, out_dir: &Path) {
    let _ = std::fs::remove_file(record_path(cache_dir, out_dir));
}
