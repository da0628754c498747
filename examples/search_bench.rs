//! Search benchmark: how much the search indexes add to a build, how fast queries are
//! in-process, and how big the static browser index is.
//!
//! `cargo run --release --example search_bench -- SITE_DIR [QUERY...]`
//! (generate a site with `cargo run --release --example gen_corpus -- --count 10000
//! --out SITE_DIR/content`). Uses a temporary cache folder, never the site's own.

use std::time::Instant;

use hindsight::config::Config;
use hindsight::pipeline::{self, Site};
use hindsight::search::{index, query, static_index};

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

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::PathBuf::from(args.first().map(String::as_str).unwrap_or("."));
    let queries: Vec<String> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        DEFAULT_QUERIES.iter().map(|q| q.to_string()).collect()
    };
    let config = Config::load(&root)?;
    let site = Site {
        root: root.clone(),
        config,
        as_of: jiff::civil::Date::constant(2026, 1, 1),
        include_drafts: false,
    };

    let t = Instant::now();
    let (archive, _) = pipeline::load(&site);
    let load = t.elapsed();
    let (insights, _) = pipeline::analyse(&site, &archive);
    let t = Instant::now();
    let files = hindsight::render::render_site(&site, &archive, &insights)?;
    let render = t.elapsed();
    let t = Instant::now();
    let search_files = hindsight::search::index_files(&archive);
    let static_time = t.elapsed();
    let cache = tempfile::tempdir()?;
    let t = Instant::now();
    let stats = index::update(cache.path(), &archive)?;
    let tantivy_full = t.elapsed();
    let t = Instant::now();
    let again = index::update(cache.path(), &archive)?;
    let tantivy_noop = t.elapsed();

    let n = archive.incidents.len();
    println!(
        "{n} post-mortems; {} site files without search",
        files.len()
    );
    println!("load+parse {load:.2?}, render {render:.2?}");
    println!(
        "static index {static_time:.2?}; tantivy full {tantivy_full:.2?} ({stats:?}); unchanged {tantivy_noop:.2?} ({again:?})"
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
        ("fragments", "d"),
        ("facets", "f-"),
        ("entry", "entry"),
        ("dates", "dates"),
    ] {
        let (count, bytes, max) = of(prefix);
        println!("  {name}: {count} files, {bytes} bytes, largest {max}");
    }
    let _ = static_index::SHARD_TARGET_BYTES;

    let searcher = index::SearchIndex::open(cache.path())?.expect("index");
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
