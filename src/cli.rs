//! Command-line interface: parse flags, open the site, dispatch to a command in `cmd`,
//! map the result to an exit code. 0 ok, 1 content errors (all listed), 2 usage or
//! configuration error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cmd::{self, Failure};
use crate::config::Config;
use crate::site::Site;

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version = crate::cmd::ci_formats::VERSION,
    about = "Build a browsable, searchable site from a folder of Markdown post-mortems"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, clap::Args, Clone)]
pub(crate) struct SiteArgs {
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Date that overdue action items and ages are measured against (YYYY-MM-DD).
    /// Defaults to SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) as_of: Option<String>,
    /// Include post-mortems with `status: draft`.
    #[arg(long)]
    pub(crate) drafts: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
        /// List every warning (by default a kind seen more than 10 times shows 3).
        #[arg(long, short)]
        verbose: bool,
        /// Print only problems: no progress line, no summary.
        #[arg(long, short, conflicts_with = "verbose")]
        quiet: bool,
        /// Who the site is for: `public` leaves out every internal post-mortem, section
        /// and field and applies [redact] of site.toml.
        #[arg(long, value_enum, default_value_t = AudienceArg::Internal)]
        audience: AudienceArg,
    },
    /// Report every problem in the archive without publishing.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Output: text for people, JSON, GitHub Actions annotations, a GitLab Code
        /// Quality report, or SARIF 2.1.0.
        /// `json` always lists every diagnostic.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// List every warning (by default a kind seen more than 10 times shows 3).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Write a new post-mortem the way the archive names and fills them, dated today.
    New {
        /// Title of the incident.
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Incident date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Create a site in DIR that builds at once, or adopt the post-mortems already there.
    ///
    /// In a folder that holds post-mortems it reports what would be published and why,
    /// then writes a site.toml for them and adds public/ and the cache to .gitignore.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only report what would be done.
        #[arg(long)]
        dry_run: bool,
    },
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
    /// Print a JSON Schema (draft 2020-12): front matter, site.toml, or the incidents.json
    /// and trends.json exports.
    Schema {
        #[arg(value_enum)]
        name: SchemaName,
    },
    /// Print a shell completion script, e.g. `hindsight completions bash`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), e.g. `hindsight man | man -l -`.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaName {
    FrontMatter,
    Site,
    Incidents,
    Trends,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AudienceArg {
    Internal,
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Github,
    Gitlab,
    Sarif,
}

/// Run the command line: parse the flags, run one command, and return its exit code (0
/// success, 1 content errors, 2 usage or configuration error).
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

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Build {
            site,
            output,
            strict,
            force,
            verbose,
            quiet,
            audience,
        } => cmd::build::run(
            &open_site(&site)?.for_audience(match audience {
                AudienceArg::Internal => crate::config::Audience::Internal,
                AudienceArg::Public => crate::config::Audience::Public,
            }),
            cmd::build::Options {
                output,
                strict,
                force,
                verbose,
                quiet,
            },
        ),
        Command::Check {
            site,
            strict,
            format,
            verbose,
        } => cmd::check::run(&open_site(&site)?, strict, format.into(), verbose),
        Command::New { title, root, date } => {
            let config = Config::load(&root).map_err(|e| Failure::Usage(e.to_string()))?;
            let date = as_of_date(date.as_deref(), "--date")?;
            cmd::new::run(&root, &config, &title, date)
        }
        Command::Init { dir, dry_run } => {
            cmd::init::run(&dir, as_of_date(None, "--as-of")?, dry_run)
        }
        Command::Search {
            query,
            json,
            limit,
            root,
        } => {
            let (query, SearchFlags { root, json, limit }) =
                split_flags(&query, SearchFlags { root, json, limit })?;
            let site = Site::open(&root, as_of_date(None, "--as-of")?)
                .map_err(|e| Failure::Usage(e.to_string()))?;
            cmd::search::run(&site, &query, json, limit)
        }
        Command::Serve {
            site,
            watch,
            port,
            bind,
            open,
        } => cmd::serve::run(
            open_site(&site)?,
            cmd::serve::Options {
                watch,
                port,
                bind,
                open,
            },
        ),
        Command::Schema { name } => {
            let name = name.to_possible_value().expect("no skipped names");
            cmd::docs::schema(name.get_name())
        }
        Command::Completions { shell } => cmd::docs::completions(Cli::command(), shell),
        Command::Man => cmd::docs::man(Cli::command()),
    }
}

/// Load site.toml and settle the as-of date.
fn open_site(args: &SiteArgs) -> Result<Site, Failure> {
    let as_of = as_of_date(args.as_of.as_deref(), "--as-of")?;
    let mut site = Site::open(&args.root, as_of)
        .map_err(|e| Failure::Usage(e.to_string()))?
        .with_drafts(args.drafts);
    crate::taxonomy::settle_config(&mut site.config, &site.root).map_err(Failure::Usage)?;
    Ok(site)
}

fn as_of_date(flag: Option<&str>, name: &str) -> Result<jiff::civil::Date, Failure> {
    crate::site::as_of_date(flag, name).map_err(Failure::Usage)
}

impl From<Format> for cmd::check::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => cmd::check::Format::Human,
            Format::Json => cmd::check::Format::Json,
            Format::Github => cmd::check::Format::Github,
            Format::Gitlab => cmd::check::Format::Gitlab,
            Format::Sarif => cmd::check::Format::Sarif,
        }
    }
}

/// Flags of the search command.
#[derive(Debug, Clone, PartialEq)]
struct SearchFlags {
    root: PathBuf,
    json: bool,
    limit: usize,
}

/// The query takes hyphen values (so `-cause:dns` is an exclusion, not a flag), which
/// makes clap treat flags after it as query words; take them back out here.
fn split_flags(
    words: &[String],
    mut options: SearchFlags,
) -> Result<(Vec<String>, SearchFlags), Failure> {
    let mut query = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        match flag {
            "--json" if inline.is_none() => options.json = true,
            "--limit" | "--root" => {
                let value = inline
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))?;
                if flag == "--root" {
                    options.root = PathBuf::from(value);
                } else {
                    options.limit = value.parse().map_err(|_| {
                        Failure::Usage(format!(
                            "--limit `{value}`: expected a whole number of results"
                        ))
                    })?;
                }
            }
            _ => query.push(w.clone()),
        }
    }
    Ok((query, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_after_the_query_are_taken_out_of_it() {
        let words: Vec<String> = [
            "-cause:dns",
            "timeout",
            "--limit",
            "3",
            "--json",
            "--root=site",
        ]
        .map(String::from)
        .to_vec();
        let (query, options) = split_flags(
            &words,
            SearchFlags {
                root: ".".into(),
                json: false,
                limit: 10,
            },
        )
        .unwrap();
        assert_eq!(query, ["-cause:dns", "timeout"]);
        assert_eq!(
            options,
            SearchFlags {
                root: "site".into(),
                json: true,
                limit: 3
            }
        );
        let bad: Vec<String> = ["x", "--limit", "many"].map(String::from).to_vec();
        assert!(
            matches!(split_flags(&bad, options), Err(Failure::Usage(m)) if m.contains("--limit `many`"))
        );
    }
}
