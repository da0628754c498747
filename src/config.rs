//! `site.toml` → `Config`. Every key has a default, so an empty file is a valid site;
//! unknown keys are errors that name the key and the allowed ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) use crate::diagnostics::CheckLevel;
pub(crate) use crate::redact::RedactConfig;
use crate::zone::Zone;

/// `site.toml`: every setting with its default; unknown keys are errors.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title shown in the header, feed and page titles.
    pub title: String,
    /// Site description, under the title and in the feed.
    pub description: String,
    /// Absolute URL the site is published at, used only in feed.xml and sitemap.xml
    /// (pages link relatively so the site works from files). Empty: relative there too.
    pub base_url: String,
    /// The folder of post-mortems, relative to the site root (`content`).
    pub content_dir: PathBuf,
    /// More content folders read beside `content_dir` (e.g. team repositories checked
    /// out side by side), relative to the site root.
    pub content_dirs: Vec<PathBuf>,
    /// Files under the content folders that are not post-mortems, as globs relative to
    /// the content folder (`*` within a name, `**` across folders, `!glob` takes a file
    /// back). Added to the built-in ones: README*, LICENSE*, CONTRIBUTING*, CHANGELOG*
    /// and the archive's template file.
    pub ignore: Vec<String>,
    /// Defaults for the post-mortems under a folder (`[[cascade]]`); front matter and
    /// the body win over them.
    pub cascade: Vec<Cascade>,
    /// Where `build` publishes the site, relative to the site root (`public`).
    pub output_dir: PathBuf,
    /// Where the search index and other caches live; never inside output_dir.
    pub cache_dir: PathBuf,
    /// Allowed severities, most severe first.
    pub severities: Vec<String>,
    /// Publish `status: draft` post-mortems too.
    pub publish_drafts: bool,
    /// Sanitise raw HTML inside post-mortems (ammonia). Turn off only for trusted archives.
    pub sanitize_html: bool,
    /// Check code → level, e.g. `action-item-no-owner = "error"`.
    pub checks: BTreeMap<String, CheckLevel>,
    /// `[related]`: related incidents.
    pub related: RelatedConfig,
    /// `[repeats]`: repeat detection.
    pub repeats: RepeatsConfig,
    /// `[dashboard]`: trend dashboards.
    pub dashboard: DashboardConfig,
    /// The zone of times written without one, for post-mortems that do not state theirs
    /// ("All times in CET"): an IANA name (`Europe/Berlin`), an abbreviation (`CET`,
    /// `PST`; see `zone`) or an offset (`UTC+2`). Empty: UTC.
    pub timezone: String,
    /// `[durations]`: plausible durations.
    pub durations: DurationsConfig,
    /// `[causes]`: the site's extension of the failure-mode taxonomy (label mappings,
    /// phrases, classes). Read by `taxonomy::Taxonomy::for_config`; `taxonomy::settle_config` checks it.
    pub causes: Option<toml::Table>,
    /// How `hindsight new` names and fills a new post-mortem.
    pub new: NewConfig,
    /// Visibility of a post-mortem that does not set one (front matter `visibility:` or
    /// folder defaults): only `public` ones are in a public build.
    pub visibility: Visibility,
    /// `[redact]`: what a public build replaces in every text it publishes.
    pub redact: RedactConfig,
    /// Who the build is for. Set by the command line (`--audience`), never by site.toml.
    #[serde(skip)]
    pub audience: Audience,
}

/// Whether a post-mortem (or a part of one) may leave the organisation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Only in internal builds. The default: nothing is public unless someone says so.
    #[default]
    Internal,
    /// In public builds too.
    Public,
}

impl Visibility {
    /// `internal` or `public`, any case.
    pub(crate) fn parse(s: &str) -> Option<Visibility> {
        match s.trim().to_ascii_lowercase().as_str() {
            "internal" => Some(Visibility::Internal),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }
}

/// Who a build is for: everyone inside the organisation (everything is published), or
/// the public (internal post-mortems, sections and fields left out, `[redact]` applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// Everyone inside the organisation: everything is published.
    #[default]
    Internal,
    /// The public: only public post-mortems, redacted.
    Public,
}

/// Defaults given to every post-mortem below a folder, by `[[cascade]]` in site.toml or
/// by a `_defaults.yaml` file in the folder itself (same keys, without `path`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Cascade {
    /// Glob of the post-mortems it applies to, relative to the content folder, e.g.
    /// `payments/**`. Only in site.toml.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) path: String,
    #[serde(alias = "team")]
    pub(crate) teams: Vec<String>,
    #[serde(alias = "service")]
    pub(crate) services: Vec<String>,
    #[serde(alias = "tag")]
    pub(crate) tags: Vec<String>,
    #[serde(alias = "cause")]
    pub(crate) causes: Vec<String>,
    #[serde(alias = "author")]
    pub(crate) authors: Vec<String>,
    pub(crate) severity: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) kind: Option<String>,
    /// `internal` or `public` (see `Config::visibility`).
    pub(crate) visibility: Option<String>,
}

impl Cascade {
    /// Fill what `self` leaves empty from `other` (a default further away).
    pub(crate) fn or(mut self, other: &Cascade) -> Cascade {
        for (mine, theirs) in [
            (&mut self.teams, &other.teams),
            (&mut self.services, &other.services),
            (&mut self.tags, &other.tags),
            (&mut self.causes, &other.causes),
            (&mut self.authors, &other.authors),
        ] {
            if mine.is_empty() {
                mine.clone_from(theirs);
            }
        }
        for (mine, theirs) in [
            (&mut self.severity, &other.severity),
            (&mut self.status, &other.status),
            (&mut self.kind, &other.kind),
            (&mut self.visibility, &other.visibility),
        ] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        *self
            == Cascade {
                path: self.path.clone(),
                ..Cascade::default()
            }
    }
}

/// `[new]`: how `hindsight new` names and fills a new post-mortem. Empty values are
/// worked out from the archive's own files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewConfig {
    /// File name pattern: `{date}` (YYYY-MM-DD), `{yyyy}`, `{mm}`, `{dd}`, `{nnn}` (the
    /// next number in the year, as many digits as there are n), `{slug}`, `{title}`.
    /// Default: what the newest files show, else `{date}-{slug}.md`.
    pub(crate) name: String,
    /// The archive's template, relative to the site root; placeholders in it are filled.
    /// Default: a file skipped as the template, else the built-in one.
    pub(crate) template: String,
    /// Folder for new files, relative to the site root. Default: the folder of the newest.
    pub(crate) folder: String,
}

/// `[related]`: how many related incidents a page shows, and how close they must be.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RelatedConfig {
    /// Related incidents shown per incident (explicit references are always shown).
    pub max: usize,
    /// Minimum score for a computed (non-explicit) relation.
    pub min_score: f64,
}

/// `[repeats]`: when an incident counts as a repeat of an earlier one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RepeatsConfig {
    /// An incident repeats an earlier one sharing a cause within this many days.
    pub window_days: i64,
    /// Also require a shared service.
    pub require_same_service: bool,
    /// `check` warns (`possible-repeat`) when a post-mortem strongly resembles an earlier
    /// one from at most this many days before that it does not reference; 0 turns it off.
    pub warn_within_days: i64,
}

/// `[dashboard]`: the trend dashboards.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// No trend or comparison is drawn for a period resting on fewer incidents.
    pub min_incidents: usize,
}

/// `[durations]`: when a duration is too long to be true.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DurationsConfig {
    /// A time to detect, acknowledge, mitigate or resolve longer than this many days is
    /// implausible: a warning, and kept out of the statistics.
    pub(crate) max_days: i64,
}

impl Default for DurationsConfig {
    fn default() -> Self {
        DurationsConfig { max_days: 30 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Post-mortems".into(),
            description: "Incident reviews".into(),
            base_url: String::new(),
            content_dir: "content".into(),
            content_dirs: Vec::new(),
            ignore: Vec::new(),
            cascade: Vec::new(),
            output_dir: "public".into(),
            cache_dir: ".hindsight".into(),
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
            publish_drafts: false,
            sanitize_html: true,
            checks: BTreeMap::new(),
            related: RelatedConfig::default(),
            repeats: RepeatsConfig::default(),
            dashboard: DashboardConfig::default(),
            timezone: String::new(),
            durations: DurationsConfig::default(),
            causes: None,
            new: NewConfig::default(),
            visibility: Visibility::default(),
            redact: RedactConfig::default(),
            audience: Audience::default(),
        }
    }
}

impl Default for RelatedConfig {
    fn default() -> Self {
        RelatedConfig {
            max: 5,
            min_score: 0.15,
        }
    }
}

impl Default for RepeatsConfig {
    fn default() -> Self {
        RepeatsConfig {
            window_days: 90,
            require_same_service: false,
            warn_within_days: 365,
        }
    }
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig { min_incidents: 3 }
    }
}

/// A configuration problem: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub(crate) path: String,
    pub(crate) message: String,
}

/// Whether `root` holds a Markdown file within three folder levels (hidden folders
/// aside): a repository of post-mortems rather than an empty or unrelated folder.
fn holds_markdown(root: &Path) -> bool {
    walkdir::WalkDir::new(root)
        .max_depth(3)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .any(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("md"))
        })
}

impl Config {
    /// Read `site.toml` in `root` (defaults when there is none). A site that does not
    /// say where its post-mortems are and has no `content/` folder is a repository
    /// whose post-mortems sit at its root, as teams usually keep them: `content_dir`
    /// becomes `.` (README, LICENSE, the template, the output and cache folders are
    /// never read as post-mortems).
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("site.toml");
        let (mut config, names_content) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let config = Config::parse(&text).map_err(|message| ConfigError {
                    path: path.display().to_string(),
                    message,
                })?;
                let names_content = text
                    .parse::<toml::Table>()
                    .is_ok_and(|t| t.contains_key("content_dir"));
                (config, names_content)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), false),
            Err(e) => {
                return Err(ConfigError {
                    path: path.display().to_string(),
                    message: format!("cannot read: {e}"),
                });
            }
        };
        if !names_content && !root.join(&config.content_dir).is_dir() && holds_markdown(root) {
            config.content_dir = ".".into();
        }
        Ok(config)
    }

    /// Parse the text of a `site.toml`; the error names the line and column, or the unknown
    /// keys.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let (line, col) = crate::diagnostics::line_col(text, span.start);
                    format!("{line}:{col}: {msg}")
                }
                None => msg,
            }
        })?;
        let unknown: Vec<&String> = config
            .checks
            .keys()
            .filter(|code| !crate::diagnostics::CODES.contains(&code.as_str()))
            .collect();
        if let Some(code) = unknown.first() {
            let (line, col) = text
                .find(code.as_str())
                .map_or((0, 0), |at| crate::diagnostics::line_col(text, at));
            let close = crate::diagnostics::closest_code(code)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            return Err(format!(
                "{line}:{col}: unknown check `{code}` under [checks]; {close}known checks: {}",
                crate::diagnostics::CODES.join(", ")
            ));
        }
        if !config.timezone.trim().is_empty() && Zone::named(&config.timezone).is_none() {
            let (line, col) = text
                .find("timezone")
                .map_or((0, 0), |at| crate::diagnostics::line_col(text, at));
            return Err(format!(
                "{line}:{col}: unknown `timezone` `{}`; expected an IANA name like Europe/Berlin, an abbreviation like CET or PST, or an offset like UTC+2",
                config.timezone
            ));
        }
        if config.durations.max_days <= 0 {
            return Err(format!(
                "`[durations] max_days` is {}; expected a positive number of days, e.g. 30",
                config.durations.max_days
            ));
        }
        if let Err((pattern, message)) = crate::redact::Redactor::new(&config.redact) {
            let (line, col) = text
                .find(pattern.as_str())
                .map_or((0, 0), |at| crate::diagnostics::line_col(text, at));
            return Err(format!("{line}:{col}: [redact] {message}"));
        }
        if config.severities.is_empty() {
            return Err(
                "`severities` must list at least one level, e.g. [\"SEV1\", \"SEV2\"]".into(),
            );
        }
        Ok(config)
    }

    /// The zone of times written without one (site.toml `timezone`, else UTC).
    pub(crate) fn zone(&self) -> Zone {
        Zone::named(&self.timezone).unwrap_or_default()
    }

    /// Rank of a severity (0 = most severe); unknown severities sort last.
    pub(crate) fn severity_rank(&self, severity: &str) -> usize {
        self.severities
            .iter()
            .position(|s| s.eq_ignore_ascii_case(severity))
            .unwrap_or(self.severities.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_an_error_naming_it() {
        let err = Config::parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert!(err.starts_with("2:1: "), "{err}");
        assert!(err.contains("titel"), "{err}");
        assert!(err.contains("title"), "names the allowed keys: {err}");
    }

    #[test]
    fn unknown_check_code_is_an_error_listing_the_known_ones() {
        let err = Config::parse("[checks]\naction-items-no-due-date = \"off\"\n").unwrap_err();
        assert!(
            err.starts_with("2:1: unknown check `action-items-no-due-date`"),
            "{err}"
        );
        assert!(
            err.contains("did you mean `action-item-no-due-date`?"),
            "{err}"
        );
        assert!(
            err.contains("missing-date"),
            "lists the known checks: {err}"
        );
        assert!(Config::parse("[checks]\naction-item-no-owner = \"error\"\n").is_ok());
    }

    #[test]
    fn timezone_and_duration_bound() {
        let config =
            Config::parse("timezone = \"Europe/Berlin\"\n[durations]\nmax_days = 7\n").unwrap();
        assert_eq!(config.zone().tz().iana_name(), Some("Europe/Berlin"));
        assert_eq!(config.durations.max_days, 7);
        assert!(Config::default().zone().is_utc());
        let err = Config::parse("title = \"x\"\ntimezone = \"Mars/Base\"\n").unwrap_err();
        assert!(
            err.starts_with("2:1: unknown `timezone` `Mars/Base`; expected an IANA name"),
            "{err}"
        );
        assert!(
            Config::parse("[durations]\nmax_day = 3\n")
                .unwrap_err()
                .contains("unknown field `max_day`")
        );
        assert!(Config::parse("[durations]\nmax_days = 0\n").is_err());
    }
}
