//! `hindsight new "Title"`: write a new post-mortem from the template into the content
//! folder, named `<date>-<slug>.md`.

use std::path::Path;

use jiff::civil::Date;

use super::Failure;
use crate::config::Config;

pub fn run(root: &Path, config: &Config, title: &str, date: Date) -> Result<(), Failure> {
    let slug = crate::slug::slug(title);
    if slug == "-" {
        return Err(Failure::Usage(format!(
            "title `{title}` has no letters or digits to make a file name from"
        )));
    }
    let dir = root.join(&config.content_dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    let path = dir.join(format!("{date}-{slug}.md"));
    if path.exists() {
        return Err(Failure::Usage(format!(
            "{} already exists; choose another title or edit that file",
            path.display()
        )));
    }
    let text = template(title, date, config);
    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

/// The skeleton of a new post-mortem, in the template's shape.
pub fn template(title: &str, date: Date, config: &Config) -> String {
    let severity = config.severities.last().cloned().unwrap_or_default();
    include_str!("../../themes/default/new-post-mortem.md")
        .replace("{{title}}", &title.replace('"', "'"))
        .replace("{{date}}", &date.to_string())
        .replace("{{severity}}", &severity)
}
