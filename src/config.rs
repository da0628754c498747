//! `site.toml` → `Config`. Every key has a default, so an empty file is a valid site;
//! unknown keys are errors that name the key and the allowed ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::diagnostics::CheckLevel;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title shown in the header, feed and page titles.
    pub title: String,
    pub description: String,
    /// Absolute URL the site is published at, used only in feed.xml and sitemap.xml
    /// (pages link relatively so the site works from files). Empty: relative there too.
    pub base_url: String,
    pub content_dir: PathBuf,
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
    pub related: RelatedConfig,
    pub repeats: RepeatsConfig,
    pub dashboard: DashboardConfig,
    /// `[causes]`: the site's extension of the failure-mode taxonomy (label mappings,
    /// phrases, classes). Read by `taxonomy::Taxonomy::from_site_table`, which checks it.
    pub causes: Option<toml::Table>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RelatedConfig {
    /// Related incidents shown per incident (explicit references are always shown).
    pub max: usize,
    /// Minimum score for a computed (non-explicit) relation.
    pub min_score: f64,
}

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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// No trend or comparison is drawn for a period resting on fewer incidents.
    pub min_incidents: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Post-mortems".into(),
            description: "Incident reviews".into(),
            base_url: String::new(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            cache_dir: ".hindsight".into(),
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
            publish_drafts: false,
            sanitize_html: true,
            checks: BTreeMap::new(),
            related: RelatedConfig::default(),
            repeats: RepeatsConfig::default(),
            dashboard: DashboardConfig::default(),
            causes: None,
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
    pub path: String,
    pub message: String,
}

impl Config {
    /// Read `site.toml` in `root`. A missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("site.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(ConfigError {
                    path: path.display().to_string(),
                    message: format!("cannot read: {e}"),
                });
            }
        };
        Config::parse(&text).map_err(|message| ConfigError {
            path: path.display().to_string(),
            message,
        })
    }

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
        if config.severities.is_empty() {
            return Err(
                "`severities` must list at least one level, e.g. [\"SEV1\", \"SEV2\"]".into(),
            );
        }
        Ok(config)
    }

    /// Rank of a severity (0 = most severe); unknown severities sort last.
    pub fn severity_rank(&self, severity: &str) -> usize {
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
}
