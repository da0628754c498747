//! `hindsight search QUERY`: answer from the tantivy index in the cache folder, building
//! it first when there is none and bringing it up to date with edits made since the
//! last build (see `fresh`). Results go to stdout (human or `--json`); progress and
//! the result count go to stderr, so `hindsight search x | head` stays clean.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::Failure;
use crate::pipeline;
use crate::search::causes::Causes;
use crate::search::searcher::{Hit, SearchIndex};
use crate::search::{self, fresh, query};
use crate::site::Site;
use crate::taxonomy::Taxonomy;

/// The `--json` shape (the README's output contract).
#[derive(Debug, Serialize)]
pub(crate) struct JsonOutput<'a> {
    pub(crate) query: &'a str,
    pub(crate) total: usize,
    pub(crate) results: Vec<JsonResult>,
    /// What the search read into the query: causes it searched by, words found nowhere
    /// and the nearest ones ("did you mean").
    pub(crate) notices: &'a [String],
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonResult {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) date: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) score: f64,
    pub(crate) snippet: String,
    pub(crate) url: String,
    /// The post-mortem's file, relative to the site root.
    pub(crate) source: String,
}

/// Answer `words` on `site`'s archive: at most `limit` results, as JSON or text.
pub(crate) fn run(site: &Site, words: &[String], json: bool, limit: usize) -> Result<(), Failure> {
    let text = words.join(" ");
    let query = query::parse(&text).map_err(|e| Failure::Usage(e.to_string()))?;
    if limit == 0 {
        return Err(Failure::Usage(
            "--limit 0 shows nothing; expected a number of results of at least 1".into(),
        ));
    }
    // Edits since the last build are indexed before answering; if that fails (another
    // hindsight holds the index), answer from the index as it is and say so. While the
    // content folder is checked, the query already runs on the index as it is: when
    // nothing changed (the usual case) those are the results.
    let cache_dir = site.cache_dir();
    let taxonomy = Taxonomy::for_config(&site.config).map_err(Failure::Usage)?;
    let open = |dir: &std::path::Path| -> anyhow::Result<Option<SearchIndex>> {
        Ok(SearchIndex::open(dir)?.map(|index| index.with_taxonomy(taxonomy.clone())))
    };
    let (refreshed, early) = std::thread::scope(|s| {
        let early = s.spawn(|| {
            open(&cache_dir)
                .ok()
                .flatten()
                .and_then(|index| index.search(&query, limit).ok())
        });
        let refreshed = fresh::refresh(site);
        (refreshed, early.join().ok().flatten())
    });
    let (fresh, unchanged) = match refreshed {
        Ok(Some(r)) => (true, r.files_changed == 0),
        Ok(None) => (false, false),
        Err(e) => {
            eprintln!("warning: search index not brought up to date: {e:#}");
            (true, true)
        }
    };
    let results = match early {
        Some(results) if fresh && unchanged => results,
        _ => {
            let index = match open(&cache_dir)? {
                Some(index) if fresh => index,
                _ => build_index(site)?.with_taxonomy(taxonomy.clone()),
            };
            index.search(&query, limit)?
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        let output = JsonOutput {
            query: &text,
            total: results.total,
            results: results.hits.iter().map(json_result).collect(),
            notices: &results.notices,
        };
        serde_json::to_writer_pretty(&mut out, &output).map_err(anyhow::Error::from)?;
        writeln!(out).map_err(anyhow::Error::from)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let (bold, plain) = if color {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("", "")
        };
        for (n, hit) in results.hits.iter().enumerate() {
            if n > 0 {
                writeln!(out).map_err(anyhow::Error::from)?;
            }
            write_hit(&mut out, hit, &site.config.output_dir, bold, plain)
                .map_err(anyhow::Error::from)?;
        }
        out.flush().map_err(anyhow::Error::from)?;
        for notice in &results.notices {
            eprintln!("note: {notice}");
        }
        if results.total == 0 {
            eprintln!("no post-mortem matches `{text}`");
        } else {
            eprintln!(
                "{} of {} matching post-mortem{}",
                results.hits.len(),
                results.total,
                if results.total == 1 { "" } else { "s" }
            );
        }
    }
    out.flush().map_err(anyhow::Error::from)?;
    Ok(())
}

fn json_result(hit: &Hit) -> JsonResult {
    JsonResult {
        id: hit.id.clone(),
        title: hit.title.clone(),
        date: hit.date.clone(),
        severity: hit.severity.clone(),
        score: (f64::from(hit.score) * 10_000.0).round() / 10_000.0,
        snippet: hit.snippet.plain(),
        url: crate::render::urls::incident(&hit.id),
        source: hit.source.clone(),
    }
}

fn write_hit(
    out: &mut impl Write,
    hit: &Hit,
    output_dir: &std::path::Path,
    bold: &str,
    plain: &str,
) -> std::io::Result<()> {
    writeln!(out, "{bold}{}{plain}", hit.title)?;
    let mut meta: Vec<String> = Vec::new();
    meta.extend(hit.date.clone());
    meta.extend(hit.severity.clone());
    if !hit.services.is_empty() {
        meta.push(hit.services.join(", "));
    }
    meta.push(hit.id.clone());
    writeln!(out, "  {}", meta.join(" · "))?;
    writeln!(out, "  {}", location(hit, output_dir))?;
    let snippet = hit.snippet.marked(bold, plain);
    if !snippet.is_empty() {
        writeln!(out, "  {snippet}")?;
    }
    Ok(())
}

/// Where to read the result: its file, and its page in the built site.
fn location(hit: &Hit, output_dir: &std::path::Path) -> String {
    let page = output_dir
        .join(crate::render::urls::incident(&hit.id))
        .to_string_lossy()
        .replace('\\', "/");
    if hit.source.is_empty() {
        page
    } else {
        format!("{} → {page}", hit.source)
    }
}

/// Build the index from the content, telling a person at a terminal why they wait.
fn build_index(site: &Site) -> Result<SearchIndex, Failure> {
    if !site.content_dir().is_dir() {
        return Err(Failure::Usage(format!(
            "no search index and no content folder at {}; expected a site folder (use --root DIR)",
            site.content_dir().display()
        )));
    }
    let progress = std::io::stderr().is_terminal();
    if progress {
        eprintln!(
            "building the search index in {} (first search)…",
            site.cache_dir().display()
        );
    }
    let (archive, _diagnostics) = pipeline::load(site);
    let taxonomy = Taxonomy::for_config(&site.config).map_err(Failure::Usage)?;
    let stats = search::update_cache(site, &archive, &Causes::new(&taxonomy))?;
    if progress {
        eprintln!("indexed {} post-mortems", stats.added);
    }
    SearchIndex::open(&site.cache_dir())?.ok_or_else(|| {
        Failure::Other(anyhow::anyhow!(
            "the search index in {} could not be opened after building it",
            site.cache_dir().display()
        ))
    })
}
