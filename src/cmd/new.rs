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
    write_schema(root)?;
    println!("{}", path.display());
    Ok(())
}

/// The skeleton of a new post-mortem, in the template's shape, its front matter ending
/// with the yaml-language-server comment that points editors at the schema.
pub fn template(title: &str, date: Date, config: &Config) -> String {
    let severity = config.severities.last().cloned().unwrap_or_default();
    let text = include_str!("../../themes/default/new-post-mortem.md")
        .replace("{{title}}", &title.replace('"', "'"))
        .replace("{{date}}", &date.to_string())
        .replace("{{severity}}", &severity);
    let modeline = format!(
        "# yaml-language-server: $schema={}\n",
        schema_ref(&config.content_dir)
    );
    // After the front matter's last line, before its closing `---`.
    match text[4..].find("\n---\n") {
        Some(i) => format!("{}{modeline}{}", &text[..4 + i + 1], &text[4 + i + 1..]),
        None => text,
    }
}

/// The front-matter schema as seen from a file directly in `content_dir`: the site's
/// copy in `schemas/`, relative when the content folder is.
pub fn schema_ref(content_dir: &Path) -> String {
    let file = crate::schema::file_name("front-matter").expect("bundled");
    let depth = content_dir
        .components()
        .map(|c| match c {
            std::path::Component::Normal(_) => Some(1),
            std::path::Component::CurDir => Some(0),
            _ => None,
        })
        .sum::<Option<usize>>();
    match depth {
        Some(depth) => format!(
            "{}{}/{file}",
            "../".repeat(depth),
            crate::schema::SITE_COPY_DIR
        ),
        None => format!("{}/{file}", crate::schema::SITE_COPY_DIR),
    }
}

/// Write (or bring up to date) the site's copy of the front-matter schema in
/// `schemas/`, which the comment of every new post-mortem points at.
pub fn write_schema(root: &Path) -> Result<(), Failure> {
    let dir = root.join(crate::schema::SITE_COPY_DIR);
    let path = dir.join(crate::schema::file_name("front-matter").expect("bundled"));
    let text = crate::schema::get("front-matter").expect("bundled");
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}
