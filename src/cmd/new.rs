//! `hindsight new "Title"`: write a new post-mortem the way the archive writes them.
//!
//! - Name: `[new] name` of site.toml, else the pattern the existing files show
//!   (`PM2021-008 - Title.md` → `PM{yyyy}-{nnn} - {title}.md`, numbered on from the
//!   highest number of the year; `2025-10-26-slug.md` → `{date}-{slug}.md`), else
//!   `{date}-{slug}.md`. Slugs are ASCII (`Ünïcödé` → `unicode`).
//! - Folder: `[new] folder`, else the folder the newest post-mortems sit in (a year
//!   folder becomes the new date's year), else the content folder.
//! - Text: `[new] template`, else the archive's own template file (the one discovery
//!   skips as a template), else the built-in template; placeholders are filled.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::Failure;
use crate::config::Config;
use crate::content::discover::{self, Rules};

pub(crate) fn run(root: &Path, config: &Config, title: &str, date: Date) -> Result<(), Failure> {
    let slug = crate::slug::slug(title);
    if slug == "-" {
        return Err(Failure::Usage(format!(
            "title `{title}` has no letters or digits to make a file name from"
        )));
    }
    let plan = plan(root, config, title, date)?;
    std::fs::create_dir_all(&plan.folder)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", plan.folder.display()))?;
    let path = plan.folder.join(&plan.file_name);
    if path.exists() {
        return Err(Failure::Usage(format!(
            "{} already exists; choose another title or edit that file",
            shown(&path).display()
        )));
    }
    std::fs::write(&path, &plan.text)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    // hindsight's own skeleton points editors at the schema; give it one to find. An
    // archive's own template is left as the archive wrote it.
    if plan.text.contains("yaml-language-server: $schema=") {
        write_schema(root)?;
    }
    println!("{}", shown(&path).display());
    Ok(())
}

/// `path` without `./` components, as people write it.
fn shown(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// Where the new post-mortem goes and what it says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) folder: PathBuf,
    pub(crate) file_name: String,
    pub(crate) text: String,
}

/// Work out the file name, folder and text of a new post-mortem.
pub(crate) fn plan(root: &Path, config: &Config, title: &str, date: Date) -> Result<Plan, Failure> {
    let rules = Rules::new(root, config);
    let walked = discover::walk_in(&rules, None);
    let existing: Vec<&Path> = walked.files.iter().map(|(p, _)| p.as_path()).collect();
    let content_dir = root.join(&config.content_dir);

    let pattern = if config.new.name.is_empty() {
        infer_pattern(&existing)
    } else {
        config.new.name.clone()
    };
    let folder = if config.new.folder.is_empty() {
        newest_folder(&existing, date).unwrap_or(content_dir)
    } else {
        root.join(&config.new.folder)
    };
    let (file_name, number_id) = fill_name(&pattern, title, date, &existing);

    let template_path = if config.new.template.is_empty() {
        walked
            .skipped
            .iter()
            .find(|(_, why)| why.contains("template"))
            .map(|(p, _)| p.clone())
    } else {
        Some(root.join(&config.new.template))
    };
    let text = match template_path {
        Some(path) => {
            let written = std::fs::read_to_string(&path)
                .map_err(|e| Failure::Usage(format!("template {}: {e}", shown(&path).display())))?;
            fill_template(&written, title, date, number_id.as_deref())
        }
        None => builtin_template(title, date, config),
    };
    Ok(Plan {
        folder,
        file_name,
        text,
    })
}

/// The file name pattern the existing post-mortems follow.
pub(crate) fn infer_pattern(existing: &[&Path]) -> String {
    let stems: Vec<String> = existing
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let numbered: Vec<Numbered> = stems.iter().filter_map(|s| numbered(s)).collect();
    if !numbered.is_empty() && numbered.len() * 2 >= stems.len() {
        // The most common prefix, separator and width.
        let most = |f: &dyn Fn(&Numbered) -> String| -> String {
            let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
            for n in &numbered {
                *counts.entry(f(n)).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by_key(|(_, c)| *c)
                .map(|(v, _)| v)
                .unwrap_or_default()
        };
        let prefix = most(&|n| n.prefix.clone());
        let separator = most(&|n| n.separator.clone());
        let width: usize = most(&|n| n.width.to_string()).parse().unwrap_or(3);
        let rest = if separator.contains(' ') {
            "{title}"
        } else {
            "{slug}"
        };
        return format!(
            "{prefix}{{yyyy}}-{}{separator}{rest}.md",
            "{".to_string() + &"n".repeat(width) + "}"
        );
    }
    "{date}-{slug}.md".to_string()
}

/// A name like `PM2021-008 - Title`: prefix, year, number, separator.
#[derive(Debug, Clone, PartialEq)]
struct Numbered {
    prefix: String,
    year: i32,
    number: u32,
    width: usize,
    separator: String,
}

fn numbered(stem: &str) -> Option<Numbered> {
    let letters = stem
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(stem.len());
    let prefix = &stem[..letters];
    let rest = &stem[letters..];
    let year_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if prefix.is_empty() || year_len != 4 || !rest[4..].starts_with('-') {
        return None;
    }
    let after = &rest[5..];
    let width = after.bytes().take_while(u8::is_ascii_digit).count();
    if width == 0 || width > 6 {
        return None;
    }
    let tail = &after[width..];
    let sep_len = tail
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(tail.len());
    Some(Numbered {
        prefix: prefix.to_string(),
        year: rest[..4].parse().ok()?,
        number: after[..width].parse().ok()?,
        width,
        separator: tail[..sep_len].to_string(),
    })
}

/// The file name for `pattern`, and the id part (`PM2026-004`) when numbered.
fn fill_name(
    pattern: &str,
    title: &str,
    date: Date,
    existing: &[&Path],
) -> (String, Option<String>) {
    let mut name = pattern
        .replace("{date}", &date.to_string())
        .replace("{yyyy}", &format!("{:04}", date.year()))
        .replace("{mm}", &format!("{:02}", date.month()))
        .replace("{dd}", &format!("{:02}", date.day()))
        .replace("{slug}", &crate::slug::slug(title))
        .replace("{title}", &file_safe(title));
    let mut id = None;
    if let Some(start) = name.find("{n")
        && let Some(len) = name[start..].find('}')
        && name[start + 1..start + len].chars().all(|c| c == 'n')
    {
        let width = len - 1;
        // The id before the number: `PM2026-` of `PM2026-{nnn} - Title.md`.
        let lead = &name[..start];
        let highest = existing
            .iter()
            .filter_map(|p| p.file_stem()?.to_str())
            .filter(|s| s.to_lowercase().starts_with(&lead.to_lowercase()))
            .filter_map(|s| {
                let digits: String = s[lead.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse::<u32>().ok()
            })
            .max()
            .unwrap_or(0);
        let number = format!("{:0width$}", highest + 1);
        id = Some(format!("{lead}{number}"));
        name.replace_range(start..=start + len, &number);
    }
    (name, id)
}

/// A title as a file name: path separators and characters Windows refuses become `-`.
fn file_safe(title: &str) -> String {
    let cleaned: String = title
        .trim()
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    words.join(" ").trim_matches(['.', '-', ' ']).to_string()
}

/// The folder of the newest post-mortem (by the date or number in its name, else its
/// path); a year folder (`2025/`) becomes the year of `date`.
fn newest_folder(existing: &[&Path], date: Date) -> Option<PathBuf> {
    let key = |p: &Path| -> (String, PathBuf) {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let k = match numbered(&stem) {
            Some(n) => format!("{:04}-{:09}", n.year, n.number),
            None => stem.chars().take(10).collect(),
        };
        (k, p.to_path_buf())
    };
    // The folder most of the five newest sit in (the newest's on a tie).
    let mut by_age: Vec<(String, PathBuf)> = existing.iter().map(|p| key(p)).collect();
    by_age.sort();
    by_age.reverse();
    let newest: Vec<PathBuf> = by_age
        .iter()
        .take(5)
        .filter_map(|(_, p)| p.parent().map(Path::to_path_buf))
        .collect();
    let folder = newest
        .iter()
        .max_by_key(|f| {
            let count = newest.iter().filter(|g| g == f).count();
            let recency = newest.len() - newest.iter().position(|g| g == *f).unwrap_or(0);
            (count, recency)
        })?
        .clone();
    let is_year = |name: &str| name.len() == 4 && name.chars().all(|c| c.is_ascii_digit());
    match folder.file_name().and_then(|n| n.to_str()) {
        Some(name) if is_year(name) && name != format!("{:04}", date.year()) => {
            Some(folder.with_file_name(format!("{:04}", date.year())))
        }
        _ => Some(folder),
    }
}

/// The archive's template with its placeholders filled: the id (`PMyyyy-nnn`), dates
/// (`YYYY-MM-DD`), the title (`[Incident Title]`, `[Title]`, or the rest of the first
/// heading) and the `{{title}}`/`{{date}}` of hindsight's own template.
pub(crate) fn fill_template(text: &str, title: &str, date: Date, id: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() + title.len());
    let mut heading_done = false;
    let mut in_front_matter = text.starts_with("---");
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let mut l = line.to_string();
        if let Some(id) = id {
            l = replace_id_placeholder(&l, id);
        }
        l = l
            .replace("{{title}}", &title.replace('"', "'"))
            .replace("{{date}}", &date.to_string())
            .replace("YYYY-MM-DD", &date.to_string())
            .replace("yyyy-mm-dd", &date.to_string());
        for placeholder in [
            "[Incident Title]",
            "[Title]",
            "[Incident title]",
            "[title]",
            "<Title>",
        ] {
            l = l.replace(placeholder, title);
        }
        if in_front_matter {
            if n > 0 && l.trim_end() == "---" {
                in_front_matter = false;
            } else if let Some(rest) = l.strip_prefix("title:")
                && !rest.contains(title)
            {
                l = format!("title: \"{}\"\n", title.replace('"', "'"));
            }
        } else if !heading_done && l.starts_with("# ") {
            heading_done = true;
            let heading = l[2..].trim_end();
            if !heading.contains(title) {
                // `# PM2026-004 - Postmortem template` → `# PM2026-004 - Title`.
                l = match id.filter(|id| heading.starts_with(id)) {
                    Some(id) => format!("# {id} - {title}\n"),
                    None => format!("# {title}\n"),
                };
            }
        }
        out.push_str(&l);
    }
    out
}

/// `PMyyyy-nnn` (any case, any number of n) → the new id.
fn replace_id_placeholder(line: &str, id: &str) -> String {
    let lower = line.to_lowercase();
    let Some(y) = lower.find("yyyy-n") else {
        return line.to_string();
    };
    let prefix_start = lower[..y]
        .rfind(|c: char| !c.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let end = y + 5 + lower[y + 5..].chars().take_while(|&c| c == 'n').count();
    format!("{}{id}{}", &line[..prefix_start], &line[end..])
}

/// hindsight's own skeleton of a new post-mortem.
pub fn builtin_template(title: &str, date: Date, config: &Config) -> String {
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
pub(crate) fn schema_ref(content_dir: &Path) -> String {
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
pub(crate) fn write_schema(root: &Path) -> Result<(), Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_the_archive() {
        let files = [
            "PM2021-008 - Ingress configuration caused outage.md",
            "PM2021-011 - Queue backlog.md",
            "PM2020-002 - Disk full.md",
        ];
        let paths: Vec<&Path> = files.iter().map(Path::new).collect();
        let pattern = infer_pattern(&paths);
        assert_eq!(pattern, "PM{yyyy}-{nnn} - {title}.md");
        let date = jiff::civil::date(2021, 12, 1);
        assert_eq!(
            fill_name(&pattern, "Ünïcödé / slashes: & co", date, &paths),
            (
                "PM2021-012 - Ünïcödé - slashes- & co.md".to_string(),
                Some("PM2021-012".to_string())
            )
        );
        let dated = [Path::new("content/2025/2025-10-26-db-pool.md")];
        assert_eq!(infer_pattern(&dated), "{date}-{slug}.md");
        assert_eq!(
            newest_folder(&dated, jiff::civil::date(2026, 1, 2)),
            Some(PathBuf::from("content/2026"))
        );
    }

    #[test]
    fn templates_are_filled() {
        let template =
            "# PMyyyy-nnn - Postmortem template\n\n- Date: YYYY-MM-DD\n- Owner: [Name]\n";
        assert_eq!(
            fill_template(
                template,
                "Queue backlog",
                jiff::civil::date(2026, 3, 4),
                Some("PM2026-001")
            ),
            "# PM2026-001 - Queue backlog\n\n- Date: 2026-03-04\n- Owner: [Name]\n"
        );
    }
}
