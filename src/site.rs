//! The opened site every stage reads from: its root folder, its configuration and the
//! as-of date, plus the one rule for which post-mortems are published (drafts), and
//! `OutputFile`, the unit every renderer produces and every sink (disk, or serve's
//! memory) consumes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::Config;
use crate::model::{DocStatus, Incident};

/// A site on disk: its root folder and its configuration.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site's root folder (where site.toml is).
    pub root: PathBuf,
    /// Its site.toml.
    pub config: Config,
    /// The date overdue action items and ages are measured against.
    pub as_of: Date,
    /// Publish drafts even when site.toml does not.
    pub include_drafts: bool,
}

impl Site {
    /// A site with an already loaded configuration.
    pub fn new(root: impl Into<PathBuf>, config: Config, as_of: Date) -> Site {
        Site {
            root: root.into(),
            config,
            as_of,
            include_drafts: false,
        }
    }

    /// Load `root/site.toml` (defaults when there is none).
    pub fn open(root: &Path, as_of: Date) -> Result<Site, crate::config::ConfigError> {
        Ok(Site::new(root, Config::load(root)?, as_of))
    }

    /// The same site, publishing drafts too when `drafts` is set.
    pub fn with_drafts(mut self, drafts: bool) -> Site {
        self.include_drafts = drafts;
        self
    }

    /// The same site, built for `audience`.
    pub fn for_audience(mut self, audience: crate::config::Audience) -> Site {
        self.config.audience = audience;
        self
    }

    pub(crate) fn content_dir(&self) -> PathBuf {
        self.root.join(&self.config.content_dir)
    }

    pub(crate) fn output_dir(&self) -> PathBuf {
        self.root.join(&self.config.output_dir)
    }

    /// The cache folder. A public build keeps its own search index in `public/` under
    /// it, so an internal `hindsight search` never answers from a public index, nor a
    /// public build's index hold anything internal.
    pub(crate) fn cache_dir(&self) -> PathBuf {
        let dir = self.root.join(&self.config.cache_dir);
        match self.config.audience {
            crate::config::Audience::Internal => dir,
            crate::config::Audience::Public => dir.join("public"),
        }
    }

    /// Whether drafts are published: the site says so, or the command asked for them.
    pub(crate) fn publishes_drafts(&self) -> bool {
        self.config.publish_drafts || self.include_drafts
    }

    /// The draft rule: whether `incident` is published on this site.
    pub(crate) fn publishes(&self, incident: &Incident) -> bool {
        self.publishes_drafts() || incident.status != DocStatus::Draft
    }

    /// The incidents that are published, in the order given: drafts only when the site
    /// or the command asks for them, and the first of several with the same id (a
    /// duplicate id is an error, so a site with one is not published anyway).
    pub(crate) fn published<I>(&self, incidents: impl IntoIterator<Item = I>) -> Vec<I>
    where
        I: std::borrow::Borrow<Incident>,
    {
        let mut seen = BTreeSet::new();
        incidents
            .into_iter()
            .filter(|i| {
                let i = i.borrow();
                self.publishes(i) && seen.insert(i.id.clone())
            })
            .collect()
    }
}

/// The as-of date: `flag` (YYYY-MM-DD), else `SOURCE_DATE_EPOCH`, else today (UTC).
/// Nothing else in hindsight reads the clock. `flag_name` names the flag in errors.
pub(crate) fn as_of_date(flag: Option<&str>, flag_name: &str) -> Result<Date, String> {
    if let Some(s) = flag {
        return parse_date(s).map_err(|e| format!("{flag_name} `{s}`: {e}"));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"))?;
        let ts = jiff::Timestamp::from_second(secs)
            .map_err(|_| format!("SOURCE_DATE_EPOCH `{epoch}` is out of range"))?;
        return Ok(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    }
    Ok(jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date())
}

/// A calendar date written YYYY-MM-DD, with an error worded for people.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let numbers: Option<Vec<i64>> = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            [y, m, d].iter().map(|p| p.parse::<i64>().ok()).collect()
        }
        _ => None,
    };
    let Some([year, month, day]) = numbers.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        return Err("not a date; expected YYYY-MM-DD, e.g. 2025-03-14".into());
    };
    if !(1..=12).contains(&month) {
        return Err(format!(
            "there is no month {month}; expected a month from 01 to 12"
        ));
    }
    Date::new(year as i16, month as i8, day as i8).map_err(|_| {
        let last = Date::new(year as i16, month as i8, 1)
            .map(|d| d.days_in_month())
            .unwrap_or(31);
        format!("{year:04}-{month:02} has no day {day}; expected a day from 01 to {last:02}")
    })
}

/// One file of the published site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output root, `/` separators, e.g. `incidents/x/index.html`.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// A digest of everything the file was rendered from, when its renderer computed
    /// one: the next build carries the file over unrendered if the digest is the same
    /// (`publish::Staging::carry`).
    pub(crate) input: Option<[u8; 16]>,
}

impl OutputFile {
    pub(crate) fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
            input: None,
        }
    }
}

/// Where a renderer asks whether the previous site's file at a path, rendered from
/// inputs of this digest, can be carried over instead of rendered (true: it was).
pub(crate) type Carry<'a> = &'a (dyn Fn(&str, &[u8; 16]) -> bool + Sync);

/// A [`Carry`] with the key its digests are made under (the renderer's salt: the
/// executable, the templates and the site's variables), for producers that digest
/// their own inputs.
#[derive(Clone, Copy)]
pub(crate) struct Carrier<'a> {
    pub(crate) carry: Carry<'a>,
    pub(crate) salt: [u8; 32],
}

impl Carrier<'_> {
    /// A hasher keyed with the salt, for the digest of one file's inputs.
    pub(crate) fn hasher(&self) -> blake3::Hasher {
        blake3::Hasher::new_keyed(&self.salt)
    }
}

/// The first 16 bytes of a digest: what the output manifest keeps per file.
pub(crate) fn digest16(hasher: &blake3::Hasher) -> [u8; 16] {
    let mut input = [0; 16];
    input.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    input
}

/// Where a producer hands each file as soon as it is made, from any thread.
pub(crate) type Emit<'a> = &'a (dyn Fn(OutputFile) -> anyhow::Result<()> + Sync);

/// Run `produce` with an [`Emit`] that keeps every file, and return them sorted by path:
/// the files in memory, for tests, tools and callers that want them all.
pub(crate) fn collect<T>(
    produce: impl FnOnce(Emit<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<(T, Vec<OutputFile>)> {
    let stopped = || anyhow::anyhow!("a thread stopped while producing files");
    let files = std::sync::Mutex::new(Vec::new());
    let value = produce(&|f| {
        files.lock().map_err(|_| stopped())?.push(f);
        Ok(())
    })?;
    let mut files = files.into_inner().map_err(|_| stopped())?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((value, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_and_mistakes_worded_for_people() {
        assert_eq!(parse_date("2025-03-14"), Ok(jiff::civil::date(2025, 3, 14)));
        assert_eq!(
            parse_date("2025-13-01").unwrap_err(),
            "there is no month 13; expected a month from 01 to 12"
        );
        assert_eq!(
            parse_date("2025-02-30").unwrap_err(),
            "2025-02 has no day 30; expected a day from 01 to 28"
        );
        assert_eq!(
            parse_date("14/03/2025").unwrap_err(),
            "not a date; expected YYYY-MM-DD, e.g. 2025-03-14"
        );
        assert_eq!(
            as_of_date(Some("2025-13-01"), "--date").unwrap_err(),
            "--date `2025-13-01`: there is no month 13; expected a month from 01 to 12"
        );
    }
}
