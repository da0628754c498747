//! The theme: templates and static files embedded from themes/default/, each replaceable
//! by a file of the same name in the site's own `templates/` or `static/` folder.

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
}
