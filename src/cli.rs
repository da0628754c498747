//! Command-line interface: parse flags, dispatch to a command, map the result to an exit
//! code. 0 ok, 1 content errors (all listed), 2 usage or configuration error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::{Diagnostics, Level};
use crate::pipeline::{self, Site};

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version,
    about = "Build a browsable, searchable site from a folder of Markdown post-mortems"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args, Clone)]
pub struct SiteArgs {
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Date that overdue action items and ages are measured against (YYYY-MM-DD).
    /// Defaults to SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Include post-mortems with `status: draft`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every post-mortem and publish the site.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder (default: output_dir of site.toml, `public`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Allow an output folder outside the site root.
        #[arg(long)]
        force: bool,
    },
    /// Report every problem in the archive without publishing.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Write a new post-mortem from the template, dated today.
    New {
        /// Title of the incident.
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Incident date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Create a new site in DIR that builds at once.
    Init { dir: PathBuf },
    /// Search the archive: words, "phrases", cause:, service:, team:, severity:, tag:,
    /// status:, after:YYYY-MM-DD, before:YYYY-MM-DD, and -item to exclude.
    Search {
        /// The query, e.g. `expired certificate cause:tls -service:staging`.
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
        query: Vec<String>,
        /// Print results as JSON.
        #[arg(long)]
        json: bool,
        /// Show at most N results.
        #[arg(long, default_value_t = 10, value_name = "N")]
        limit: usize,
        /// The site folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Preview the site over HTTP (from memory), rebuilding and reloading on changes.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Rebuild when post-mortems, templates, static files or site.toml change, and
        /// reload open pages.
        #[arg(long)]
        watch: bool,
        /// Port to listen on; 0 picks a free one (the address is printed on stdout).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; the default keeps the preview on this machine.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// A failure that ends the command with a given exit code.
#[derive(Debug)]
pub enum Failure {
    /// Content errors: exit 1 (they have been printed already).
    Content,
    /// Usage or configuration: exit 2.
    Usage(String),
    /// Anything else (I/O and the like): exit 1 with the message chain.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Content) => ExitCode::from(1),
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Build {
            site,
            output,
            strict,
            force,
        } => build(&site, output, strict, force),
        Command::Check {
            site,
            strict,
            format,
        } => check(&site, strict, format),
        Command::New { title, root, date } => new_post_mortem(&root, &title, date.as_deref()),
        Command::Init { dir } => init(&dir),
        Command::Search {
            query,
            json,
            limit,
            root,
        } => crate::search::command::run(
            &query,
            crate::search::command::Options { root, json, limit },
        ),
        Command::Serve {
            site,
            watch,
            port,
            bind,
            open,
        } => crate::serve::command(
            &site,
            crate::serve::Options {
                watch,
                port,
                bind,
                open,
            },
        ),
    }
}

/// Load site.toml and settle the as-of date.
pub fn open_site(args: &SiteArgs) -> Result<Site, Failure> {
    let config = Config::load(&args.root).map_err(|e| Failure::Usage(e.to_string()))?;
    let as_of = as_of_date(args.as_of.as_deref())?;
    Ok(Site {
        root: args.root.clone(),
        config,
        as_of,
        include_drafts: args.drafts,
    })
}

/// `--as-of`, else SOURCE_DATE_EPOCH, else today (UTC).
pub fn as_of_date(flag: Option<&str>) -> Result<Date, Failure> {
    if let Some(s) = flag {
        return s
            .parse::<Date>()
            .map_err(|e| Failure::Usage(format!("--as-of `{s}`: {e}; expected YYYY-MM-DD")));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch.trim().parse().map_err(|_| {
            Failure::Usage(format!(
                "SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"
            ))
        })?;
        let ts = jiff::Timestamp::from_second(secs)
            .map_err(|e| Failure::Usage(format!("SOURCE_DATE_EPOCH `{epoch}`: {e}")))?;
        return Ok(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    }
    Ok(jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date())
}

/// Print diagnostics to stderr, sorted, with a summary line.
pub fn report(diagnostics: &Diagnostics) {
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    for d in &diagnostics.items {
        let _ = writeln!(out, "{d}");
    }
    let (errors, warnings, notes) = (
        diagnostics.error_count(),
        diagnostics.warning_count(),
        diagnostics.note_count(),
    );
    if errors + warnings + notes > 0 {
        let _ = writeln!(
            out,
            "{errors} error{}, {warnings} warning{}, {notes} note{}",
            plural(errors),
            plural(warnings),
            plural(notes)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn fails(diagnostics: &Diagnostics, strict: bool) -> bool {
    diagnostics
        .items
        .iter()
        .any(|d| d.level == Level::Error || strict && d.level == Level::Warning)
}

fn build(
    args: &SiteArgs,
    output: Option<PathBuf>,
    strict: bool,
    force: bool,
) -> Result<(), Failure> {
    let site = open_site(args)?;
    let out_dir = output
        .map(|o| {
            if o.is_absolute() {
                o
            } else {
                std::env::current_dir().unwrap_or_default().join(o)
            }
        })
        .unwrap_or_else(|| site.output_dir());
    pipeline::check_output_dir(&site.root, &site.content_dir(), &out_dir, force)
        .map_err(Failure::Usage)?;
    if !site.content_dir().is_dir() {
        return Err(Failure::Usage(format!(
            "no content folder at {}; expected post-mortems there (or set content_dir in site.toml)",
            site.content_dir().display()
        )));
    }
    let started = std::time::Instant::now();
    let result = pipeline::build(&site)?;
    // Notes (suggestions) are for authors at `check` time; a build only counts them.
    let mut problems = result.diagnostics.clone();
    problems.items.retain(|d| d.level != Level::Note);
    report(&problems);
    let notes = result.diagnostics.note_count();
    if notes > 0 {
        eprintln!(
            "{notes} note{} (suggestions); `hindsight check` lists them",
            plural(notes)
        );
    }
    if fails(&result.diagnostics, strict) {
        eprintln!(
            "not published: fix the errors above; the previous site in {} is unchanged",
            out_dir.display()
        );
        return Err(Failure::Content);
    }
    pipeline::write_site(&out_dir, &result.files)?;
    eprintln!(
        "published {} post-mortems ({} files) to {} in {:.2?}",
        result.archive.incidents.len(),
        result.files.len(),
        out_dir.display(),
        started.elapsed()
    );
    Ok(())
}

fn check(args: &SiteArgs, strict: bool, format: Format) -> Result<(), Failure> {
    let site = open_site(args)?;
    if !site.content_dir().is_dir() {
        return Err(Failure::Usage(format!(
            "no content folder at {}",
            site.content_dir().display()
        )));
    }
    let (archive, mut diagnostics) = pipeline::load(&site);
    let (_insights, more) = pipeline::analyse(&site, &archive);
    diagnostics.extend(more);
    diagnostics.apply_levels(&site.config.checks);
    diagnostics.finish();
    match format {
        Format::Human => {
            report(&diagnostics);
            if diagnostics.items.is_empty() {
                eprintln!(
                    "{} post-mortems checked, no problems",
                    archive.incidents.len()
                );
            }
        }
        Format::Json => {
            let json = serde_json::json!({
                "incidents": archive.incidents.len(),
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
                "notes": diagnostics.note_count(),
                "diagnostics": diagnostics.items,
            });
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &json).map_err(anyhow::Error::from)?;
            writeln!(stdout).map_err(anyhow::Error::from)?;
        }
    }
    if fails(&diagnostics, strict) {
        Err(Failure::Content)
    } else {
        Ok(())
    }
}

fn new_post_mortem(root: &Path, title: &str, date: Option<&str>) -> Result<(), Failure> {
    let config = Config::load(root).map_err(|e| Failure::Usage(e.to_string()))?;
    let date = match date {
        Some(d) => as_of_date(Some(d))?,
        None => as_of_date(None)?,
    };
    let slug = crate::render::urls::slug(title);
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
    let text = new_template(title, date, &config);
    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

/// The skeleton of a new post-mortem, in the template's shape.
pub fn new_template(title: &str, date: Date, config: &Config) -> String {
    let severity = config.severities.last().cloned().unwrap_or_default();
    include_str!("../themes/default/new-post-mortem.md")
        .replace("{{title}}", &title.replace('"', "'"))
        .replace("{{date}}", &date.to_string())
        .replace("{{severity}}", &severity)
}

fn init(dir: &Path) -> Result<(), Failure> {
    if dir.join("site.toml").exists() {
        return Err(Failure::Usage(format!(
            "{} already holds a site.toml; refusing to overwrite it",
            dir.display()
        )));
    }
    let content = dir.join("content");
    std::fs::create_dir_all(&content)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", content.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Post-mortems".into());
    let site_toml = format!(
        "# hindsight site configuration; every key is optional (see README).\ntitle = \"{}\"\ncontent_dir = \"content\"\noutput_dir = \"public\"\nseverities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n",
        name.replace('"', "'")
    );
    std::fs::write(dir.join("site.toml"), site_toml)
        .map_err(|e| anyhow::anyhow!("writing site.toml: {e}"))?;
    let today = as_of_date(None)?;
    // The example is published (not a draft) so the new site shows something at once.
    let example = new_template(
        "Example: checkout latency after a config push",
        today,
        &Config::default(),
    )
    .replacen("status: draft", "status: final", 1);
    let path = content.join(format!("{today}-example-checkout-latency.md"));
    std::fs::write(&path, example)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    eprintln!(
        "created a new site in {}; run `hindsight build --root {}`",
        dir.display(),
        dir.display()
    );
    Ok(())
}
