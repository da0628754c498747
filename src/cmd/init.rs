//! `hindsight init [DIR]`: make DIR a site that builds at once.
//!
//! In a folder that already holds post-mortems (an archive kept in a repository, with a
//! README, a LICENSE and the team's template beside them), it first reports what a build
//! would publish and skip, and why; then writes a `site.toml` that reads them where they
//! are (`content_dir = "."`, or `content` when they are there) and adds the output and
//! cache folders to `.gitignore`. It never adds an example there. In an empty folder it
//! creates `content/` with one example post-mortem. `--dry-run` only reports.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::Failure;
use crate::config::Config;
use crate::content::archive;
use crate::diagnostics::Level;
use crate::site::Site;
use crate::words::plural;

pub(crate) fn run(dir: &Path, today: Date, dry_run: bool) -> Result<(), Failure> {
    if dir.join("site.toml").exists() {
        return Err(Failure::Usage(format!(
            "{} already holds a site.toml; refusing to overwrite it",
            dir.display()
        )));
    }
    match survey(dir, today) {
        Some(found) => adopt(dir, &found, dry_run),
        None if dry_run => {
            eprintln!(
                "no post-mortems in {}: `hindsight init` would create content/ with one example and a site.toml",
                dir.display()
            );
            Ok(())
        }
        None => create(dir, today),
    }
}

/// What a build of the existing files would do.
struct Survey {
    content_dir: PathBuf,
    report: String,
    published: usize,
}

/// Look for post-mortems already in `dir` (in `content/`, else in `dir` itself); `None`
/// when there are none.
fn survey(dir: &Path, today: Date) -> Option<Survey> {
    if !dir.is_dir() {
        return None;
    }
    for content_dir in ["content", "."] {
        let config = Config {
            content_dir: content_dir.into(),
            ..Config::default()
        };
        if !dir.join(content_dir).is_dir() {
            continue;
        }
        let site = Site::new(dir, config, today);
        let (sources, problems) = archive::read_all(&site);
        if sources.is_empty() {
            continue;
        }
        let parsed = archive::parse_all(&site, &sources);
        let diagnostics = archive::diagnostics(&site, &parsed, problems);
        let mut report = String::new();
        let mut published = 0;
        let mut held = 0;
        for (source, p) in sources.iter().zip(&parsed) {
            let errors: Vec<&str> = diagnostics
                .items
                .iter()
                .filter(|d| d.path == source.rel && d.level == Level::Error)
                .map(|d| d.message.as_str())
                .collect();
            let warnings = diagnostics
                .items
                .iter()
                .filter(|d| d.path == source.rel && d.level == Level::Warning)
                .count();
            let Some(incident) = &p.incident else {
                continue;
            };
            if !errors.is_empty() {
                held += 1;
                let _ = writeln!(
                    report,
                    "  not published  {}: {}",
                    source.rel.display(),
                    errors.join("; ")
                );
                continue;
            }
            if !site.publishes(incident) {
                let _ = writeln!(
                    report,
                    "  draft          {} (status: draft; `hindsight build --drafts` publishes it)",
                    source.rel.display()
                );
                continue;
            }
            published += 1;
            let date = incident.date.map(|d| d.to_string()).unwrap_or_default();
            let mut why = format!("\"{}\", {date}", incident.title);
            if warnings > 0 {
                let _ = write!(why, ", {}", plural(warnings, "warning", "warnings"));
            }
            let _ = writeln!(
                report,
                "  publish        {} → incidents/{}/ ({why})",
                source.rel.display(),
                incident.id
            );
        }
        // Files read but not post-mortems (templates), and files skipped by name.
        for d in diagnostics
            .items
            .iter()
            .filter(|d| matches!(d.code, "skipped" | "not-markdown"))
        {
            let _ = writeln!(
                report,
                "  skip           {}: {}",
                d.path.display(),
                d.message
            );
        }
        if published + held == 0 {
            continue;
        }
        let _ = writeln!(
            report,
            "{} would be published{}; `hindsight check` after init lists every warning",
            plural(published, "post-mortem", "post-mortems"),
            if held > 0 {
                format!(", {held} not until their errors are fixed")
            } else {
                String::new()
            }
        );
        return Some(Survey {
            content_dir: content_dir.into(),
            report,
            published,
        });
    }
    None
}

/// Write the site.toml and .gitignore entries for an existing archive.
fn adopt(dir: &Path, found: &Survey, dry_run: bool) -> Result<(), Failure> {
    let content = found.content_dir.display().to_string();
    eprintln!(
        "{} holds post-mortems (in {}); a build would do this:",
        dir.display(),
        if content == "." {
            "the folder itself".to_string()
        } else {
            format!("{content}/")
        }
    );
    eprint!("{}", found.report);
    let site_toml = site_toml(dir, &content);
    let gitignore = gitignore_entries(dir);
    if dry_run {
        eprintln!("--dry-run: would write site.toml:\n{site_toml}");
        if !gitignore.is_empty() {
            eprintln!("and add to .gitignore: {}", gitignore.join(" "));
        }
        return Ok(());
    }
    std::fs::write(dir.join("site.toml"), site_toml)
        .map_err(|e| anyhow::anyhow!("writing site.toml: {e}"))?;
    append_gitignore(dir, &gitignore)?;
    eprintln!(
        "wrote site.toml (content_dir = \"{content}\"){}; no example added. Run `hindsight build{}` to publish {}",
        if gitignore.is_empty() {
            String::new()
        } else {
            format!(" and added {} to .gitignore", gitignore.join(" "))
        },
        root_flag(dir),
        plural(found.published, "post-mortem", "post-mortems"),
    );
    Ok(())
}

fn root_flag(dir: &Path) -> String {
    if dir == Path::new(".") {
        String::new()
    } else {
        format!(" --root {}", dir.display())
    }
}

fn site_title(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Post-mortems".into());
    name.replace(['"', '\\'], "'")
}

fn site_toml(dir: &Path, content_dir: &str) -> String {
    format!(
        "# hindsight site configuration; every key is optional (see README).\n\
         title = \"{}\"\n\
         # Where the post-mortems are; \".\" reads the folder itself (the output and cache\n\
         # folders, hidden folders, README*, LICENSE*, CONTRIBUTING*, CHANGELOG* and the\n\
         # template are never read as post-mortems).\n\
         content_dir = \"{content_dir}\"\n\
         output_dir = \"public\"\n\
         severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n\
         # More files that are not post-mortems, as globs (`!name` takes one back):\n\
         # ignore = [\"drafts/**\"]\n",
        site_title(dir)
    )
}

/// The `.gitignore` lines missing for the output and cache folders.
fn gitignore_entries(dir: &Path) -> Vec<String> {
    let config = Config::default();
    let existing = std::fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    let has = |name: &str| {
        existing.lines().any(|l| {
            let l = l.trim().trim_start_matches('/').trim_end_matches('/');
            l == name
        })
    };
    [&config.output_dir, &config.cache_dir]
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|name| !has(name))
        .map(|name| format!("/{name}/"))
        .collect()
}

fn append_gitignore(dir: &Path, entries: &[String]) -> Result<(), Failure> {
    if entries.is_empty() {
        return Ok(());
    }
    let path = dir.join(".gitignore");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# hindsight: the published site and its caches\n");
    for e in entries {
        text.push_str(e);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("writing .gitignore: {e}"))?;
    Ok(())
}

/// A new, empty site: site.toml, .gitignore and one example post-mortem.
fn create(dir: &Path, today: Date) -> Result<(), Failure> {
    let content = dir.join("content");
    std::fs::create_dir_all(&content)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", content.display()))?;
    std::fs::write(dir.join("site.toml"), site_toml(dir, "content"))
        .map_err(|e| anyhow::anyhow!("writing site.toml: {e}"))?;
    append_gitignore(dir, &gitignore_entries(dir))?;
    // The example is published (not a draft) so the new site shows something at once.
    let example = super::new::builtin_template(
        "Example: checkout latency after a config push",
        today,
        &Config::default(),
    )
    .replacen("status: draft", "status: final", 1);
    let path = content.join(format!("{today}-example-checkout-latency.md"));
    std::fs::write(&path, example)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    super::new::write_schema(dir)?;
    eprintln!(
        "created a new site in {}; run `hindsight build{}`",
        dir.display(),
        root_flag(dir)
    );
    Ok(())
}
