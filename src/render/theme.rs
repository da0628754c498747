//! The theme: templates and static files embedded from themes/default/, each replaceable
//! by a file of the same name in the site's own `templates/` or `static/` folder.
//!
//! Stylesheets and scripts are also published under a name that carries a hash of their
//! bytes (`static/style.1f2e3d4c.css`), and the theme's pages link those (`site.assets`
//! in templates), so a browser or CDN may keep them for good: new bytes get a new name.
//! The plain names stay, for templates of a site that link them.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

/// Templates (by name, e.g. `base.html`) and static files (by output path, e.g.
/// `static/style.css`) after applying the site's overrides.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name → source, the site's overrides applied.
    pub templates: BTreeMap<String, String>,
    pub(crate) statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded theme with `root/templates/*` and `root/static/**` laid over it.
    pub fn load(root: &Path) -> Result<Theme> {
        let mut theme = Theme::default();
        for (path, bytes) in THEME_FILES {
            if let Some(name) = path.strip_prefix("templates/") {
                theme.templates.insert(
                    name.to_string(),
                    String::from_utf8_lossy(bytes).into_owned(),
                );
            } else if path.starts_with("static/") {
                theme.statics.insert(path.to_string(), bytes.to_vec());
            }
        }
        let overrides = root.join("templates");
        if overrides.is_dir() {
            for entry in walkdir::WalkDir::new(&overrides).sort_by_file_name() {
                let entry = entry.with_context(|| format!("reading {}", overrides.display()))?;
                if entry.file_type().is_file() {
                    let name = entry
                        .path()
                        .strip_prefix(&overrides)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    let text = std::fs::read_to_string(entry.path())
                        .with_context(|| format!("reading {}", entry.path().display()))?;
                    theme.templates.insert(name, text);
                }
            }
        }
        let statics = root.join("static");
        if statics.is_dir() {
            for entry in walkdir::WalkDir::new(&statics).sort_by_file_name() {
                let entry = entry.with_context(|| format!("reading {}", statics.display()))?;
                if entry.file_type().is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    let bytes = std::fs::read(entry.path())
                        .with_context(|| format!("reading {}", entry.path().display()))?;
                    theme.statics.insert(rel, bytes);
                }
            }
        }
        Ok(theme)
    }

    /// Every stylesheet and script by its name under `static/` (`style.css`), with the
    /// path it is published at under its fingerprinted name.
    pub(crate) fn asset_paths(&self) -> BTreeMap<String, String> {
        self.statics
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("static/")?;
                Some((name.to_string(), fingerprinted(path, bytes)?))
            })
            .collect()
    }

    /// The static files to publish: each under its own path and, for stylesheets and
    /// scripts, under its fingerprinted name too.
    pub(crate) fn static_files(&self) -> Vec<(String, &[u8])> {
        let mut files = Vec::new();
        for (path, bytes) in &self.statics {
            files.push((path.clone(), bytes.as_slice()));
            if let Some(named) = fingerprinted(path, bytes) {
                files.push((named, bytes.as_slice()));
            }
        }
        files
    }
}

/// `static/style.css` with these bytes → `static/style.<8 hex digits of their hash>.css`;
/// `None` for what is neither a stylesheet nor a script.
fn fingerprinted(path: &str, bytes: &[u8]) -> Option<String> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let (stem, ext) = path.rsplit_once('.')?;
    if file.starts_with('.') || !matches!(ext, "css" | "js") {
        return None;
    }
    let hash = blake3::hash(bytes).to_hex();
    Some(format!("{stem}.{}.{ext}", &hash[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheets_and_scripts_get_a_name_from_their_bytes() {
        let mut theme = Theme::default();
        for (path, bytes) in [
            ("static/style.css", &b"body{}"[..]),
            ("static/js/app.js", b"x()"),
            ("static/logo.svg", b"<svg/>"),
        ] {
            theme.statics.insert(path.into(), bytes.to_vec());
        }
        let assets = theme.asset_paths();
        let hash = |b: &[u8]| blake3::hash(b).to_hex()[..8].to_string();
        assert_eq!(
            assets["style.css"],
            format!("static/style.{}.css", hash(b"body{}"))
        );
        assert_eq!(
            assets["js/app.js"],
            format!("static/js/app.{}.js", hash(b"x()"))
        );
        assert!(!assets.contains_key("logo.svg"));
        let files: Vec<String> = theme.static_files().into_iter().map(|(p, _)| p).collect();
        assert_eq!(files.len(), 5, "{files:?}");
        assert!(
            files.contains(&"static/style.css".to_string()) && files.contains(&assets["style.css"])
        );
        // New bytes, new name.
        theme
            .statics
            .insert("static/style.css".into(), b"body{color:red}".to_vec());
        assert_ne!(theme.asset_paths()["style.css"], assets["style.css"]);
    }
}
