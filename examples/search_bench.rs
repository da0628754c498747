//! Search benchmark: how much the search indexes add to a build, how fast queries are
//! in-process, and how big the static browser index is.
//!
//! `cargo run --release --example search_bench -- SITE_DIR [QUERY...]`
//! (generate a site with `cargo run --release --example gen_corpus -- --count 10000
//! --out SITE_DIR`). Uses a temporary cache folder, never the site's own.
//!
//! `search_bench --no-search SITE_DIR` instead times what `hindsight build` does minus
//! the two search indexes (load, analyse, render, write to `SITE_DIR/public-nosearch`),
//! the reference the search overhead is measured against.

use std::time::Instant;

use hindsight::config::Config;
use hindsight::pipeline;
use hindsight::search::{fresh, query, searcher, static_index, store};
use hindsight::site::Site;

const DEFAULT_QUERIES: [&str; 8] = [
    "connection pool exhausted",
    "expired certificate",
    "\"disk full\"",
    "dns timeout cause:dns",
    "certifcate renewal",
    "memory leak -service:search",
    "after:2024-01-01 replication lag",
    "severity:sev1 deploy rollback",
];

/// (user, system) CPU seconds of this process so far, from /proc (zeros elsewhere).
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 100.0
    };
    (ticks(11), ticks(12))
}

/// CPU seconds (user, system) spent since `from`.
fn cpu_since(from: (f64, f64)) -> String {
    let now = cpu();
    format!("cpu {:.2}u+{:.2}s", now.0 - from.0, now.1 - from.1)
}

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--no-search") {
        args.remove(0);
        return build_without_search(args.first().map(String::as_str).unwrap_or("."));
    }
    let root = std::path::PathBuf::from(args.first().map(String::as_str).unwrap_or("."));
    let queries: Vec<String> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        DEFAULT_QUERIES.iter().map(|q| q.to_string()).collect()
    };
    let site = site_at(&root)?;

    let t = Instant::now();
    let (archive, _) = pipeline::load(&site);
    let load = t.elapsed();
    let (insights, _) = pipeline::analyse(&site, &archive);
    let t = Instant::now();
    let files = hindsight::render::render_site(&site, &archive, &insights)?;
    let render = t.elapsed();
    let c = cpu();
    let t = Instant::now();
    let taxonomy = hindsight::taxonomy::Taxonomy::builtin_ref();
    let causes = hindsight::search::causes::Causes::from_insights(taxonomy, &insights);
    let search_files = hindsight::search::index_files(&archive, &causes);
    let static_time = t.elapsed();
    let static_cpu = cpu_since(c);
    let out = tempfile::tempdir_in(&root)?;
    let c = cpu();
    let t = Instant::now();
    pipeline::write_site(&out.path().join("public"), &search_files, None)?;
    let write_static = t.elapsed();
    let write_cpu = cpu_since(c);
    drop(out);
    let cache = tempfile::tempdir()?;
    let c = cpu();
    let t = Instant::now();
    let stats = store::update(cache.path(), &archive)?;
    let tantivy_full = t.elapsed();
    let tantivy_cpu = cpu_since(c);
    let t = Instant::now();
    let again = store::update(cache.path(), &archive)?;
    let tantivy_noop = t.elapsed();

    let n = archive.incidents.len();
    println!(
        "{n} post-mortems; {} site files without search",
        files.len()
    );
    println!("load+parse {load:.2?}, render {render:.2?}");
    println!(
        "static index {static_time:.2?} {static_cpu} (writing it {write_static:.2?} {write_cpu}); tantivy full {tantivy_full:.2?} {tantivy_cpu} ({stats:?}); unchanged {tantivy_noop:.2?} ({again:?})"
    );

    let idx: Vec<_> = search_files
        .iter()
        .filter(|f| f.path.starts_with("search/idx/"))
        .collect();
    let total: usize = idx.iter().map(|f| f.bytes.len()).sum();
    let of = |prefix: &str| -> (usize, usize, usize) {
        let sel: Vec<_> = idx
            .iter()
            .filter(|f| f.path.trim_start_matches("search/idx/").starts_with(prefix))
            .collect();
        (
            sel.len(),
            sel.iter().map(|f| f.bytes.len()).sum(),
            sel.iter().map(|f| f.bytes.len()).max().unwrap_or(0),
        )
    };
    println!("static index: {} files, {} bytes", idx.len(), total);
    for (name, prefix) in [
        ("term shards", "t"),
        ("pair shards", "p"),
        ("pair starts", "pairs"),
        ("documents (pairs)", "x/"),
        ("facets", "f-"),
        ("entry", "entry"),
        ("dates", "dates"),
    ] {
        let (count, bytes, max) = of(prefix);
        println!("  {name}: {count} files, {bytes} bytes, largest {max}");
    }
    println!("(shard target {} bytes)", static_index::SHARD_TARGET_BYTES);

    // What `hindsight search` does before answering, on an unchanged archive.
    let site_with_cache = Site {
        config: Config {
            cache_dir: cache.path().to_path_buf(),
            ..site.config.clone()
        },
        ..site.clone()
    };
    store::update_with_files(
        cache.path(),
        &archive,
        fresh::stamps_of(&site_with_cache, &archive),
        &hindsight::search::causes::Causes::new(hindsight::taxonomy::Taxonomy::builtin_ref()),
    )?;
    let t = Instant::now();
    let manifest = store::read_manifest(cache.path());
    let read_manifest = t.elapsed();
    let t = Instant::now();
    let stamps = fresh::stamps(&site_with_cache);
    let walk = t.elapsed();
    let t = Instant::now();
    let refresh = fresh::refresh(&site_with_cache)?;
    let refresh_time = t.elapsed();
    let t = Instant::now();
    let searcher = searcher::SearchIndex::open(cache.path())?.expect("index");
    let open = t.elapsed();
    println!(
        "CLI freshness: manifest of {} files read in {read_manifest:.2?}, walk of {} files {walk:.2?}, whole check {refresh_time:.2?} ({refresh:?}); opening the index {open:.2?}",
        manifest.files.len(),
        stamps.len()
    );
    for q in &queries {
        let parsed = query::parse(q).map_err(|e| anyhow::anyhow!("{e}"))?;
        let t = Instant::now();
        let mut r = searcher.search(&parsed, 10)?;
        let first = t.elapsed();
        let t = Instant::now();
        for _ in 0..20 {
            r = searcher.search(&parsed, 10)?;
        }
        let warm = t.elapsed() / 20;
        println!(
            "query {q:?}: {} matches, first {first:.2?}, warm {warm:.2?}, top {:?}",
            r.total,
            r.hits.first().map(|h| &h.title)
        );
    }
    Ok(())
}

/// The build minus search: the same stages as `pipeline::build` and `write_site`.
fn build_without_search(root: &str) -> anyhow::Result<()> {
    let root = std::path::PathBuf::from(root);
    // Written like `hindsight build` into a fresh folder, left in place (removing it is
    // not part of a build): `<site>/public-nosearch`.
    let out = root.join("public-nosearch");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let started = Instant::now();
    let site = site_at(&root)?;
    let (archive, _) = pipeline::load(&site);
    let (insights, _) = pipeline::analyse(&site, &archive);
    // `render_site` minus its search-index unit.
    use hindsight::render::{self, Unit, pages};
    use rayon::prelude::*;
    let renderer = render::Renderer::new(&site)?;
    let data = pages::PageData::new(&site, &archive, &insights);
    let model = pages::SiteModel::new(&site, &archive, &insights, &data);
    let units: Vec<Unit> = render::units(&archive, &data)
        .into_iter()
        .filter(|u| !matches!(u, Unit::SearchIndex))
        .collect();
    let (last, rest) = units.split_last().expect("units");
    let parts: Vec<Vec<hindsight::site::OutputFile>> = rest
        .par_iter()
        .map(|u| render::render_unit(&renderer, &model, u, &[]))
        .collect::<anyhow::Result<_>>()?;
    let mut files: Vec<_> = parts.into_iter().flatten().collect();
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let sitemap = render::render_unit(&renderer, &model, last, &paths)?;
    files.extend(sitemap);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    pipeline::write_site(&out, &files, None)?;
    println!(
        "build without search: {} post-mortems, {} files in {:.2?}",
        archive.incidents.len(),
        files.len(),
        started.elapsed()
    );
    Ok(())
}

/// The site at `root`, as of a fixed date (the figures must not depend on the clock).
fn site_at(root: &std::path::Path) -> anyhow::Result<Site> {
    Ok(Site {
        root: root.to_path_buf(),
        config: Config::load(root)?,
        as_of: jiff::civil::Date::constant(2026, 1, 1),
        include_drafts: false,
    })
}
