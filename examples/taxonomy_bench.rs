//! Time cause inference on a folder of post-mortems.
//!
//! `cargo run --release --example taxonomy_bench -- DIR [--docs N]`
//!
//! Reads every `.md` file under DIR, splits each at its Markdown headings into
//! `(section kind, text, first line)` triples (kind from the heading, as `infer` does for
//! bodies) and runs `taxonomy::infer_texts` on each, cycling through the files until N
//! documents (default 10,000) have been processed. Reports the taxonomy compile time and
//! ms per 1,000 documents on one thread and on all rayon threads (`RAYON_NUM_THREADS=2`
//! for two cores). Parsing Markdown is not timed: only inference.

mod common;
use common::cpu_seconds;

use std::path::PathBuf;
use std::time::Instant;

use hindsight::taxonomy::{SectionKind, Taxonomy, infer_texts};
use rayon::prelude::*;

fn sections(doc: &str) -> Vec<(SectionKind, String, Option<usize>)> {
    let mut out = Vec::new();
    let mut kind = SectionKind::Summary;
    let mut current = String::new();
    let mut first = 1;
    for (i, line) in doc.lines().enumerate() {
        if let Some(h) = line.strip_prefix('#') {
            if !current.trim().is_empty() {
                out.push((kind, std::mem::take(&mut current), Some(first)));
            }
            current.clear();
            kind = SectionKind::from_heading(h.trim_start_matches('#').trim());
            first = i + 2;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        out.push((kind, current, Some(first)));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: taxonomy_bench DIR [--docs N]");
        std::process::exit(2);
    };
    let n: usize = args
        .iter()
        .position(|a| a == "--docs")
        .and_then(|p| args.get(p + 1)?.parse().ok())
        .unwrap_or(10_000);
    let started = Instant::now();
    let taxonomy = Taxonomy::builtin();
    let compile = started.elapsed();
    let mut docs: Vec<Vec<(SectionKind, String, Option<usize>)>> = Vec::new();
    let mut bytes = 0usize;
    for entry in walkdir::WalkDir::new(PathBuf::from(dir))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
    {
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            bytes += text.len();
            docs.push(sections(&text));
        }
    }
    if docs.is_empty() {
        eprintln!("no .md files under {dir}");
        std::process::exit(2);
    }
    println!(
        "taxonomy: {} classes, {} compiled phrases, built in {:.1} ms; {} files, {:.1} KB on average",
        taxonomy.classes.len(),
        taxonomy.phrase_count(),
        compile.as_secs_f64() * 1000.0,
        docs.len(),
        bytes as f64 / docs.len() as f64 / 1024.0
    );
    let run = |i: usize| -> usize {
        let doc = &docs[i % docs.len()];
        let triples: Vec<(SectionKind, &str, Option<usize>)> =
            doc.iter().map(|(k, t, l)| (*k, t.as_str(), *l)).collect();
        infer_texts(&triples, &taxonomy).len()
    };
    let (started, cpu0) = (Instant::now(), cpu_seconds());
    let found: usize = (0..n).map(run).sum();
    let (one, one_cpu) = (started.elapsed(), cpu_seconds() - cpu0);
    let started = Instant::now();
    let found_par: usize = (0..n).into_par_iter().map(run).sum();
    let par = started.elapsed();
    assert_eq!(found, found_par);
    println!(
        "{n} documents, 1 thread: {:.1} ms of CPU per 1,000 docs",
        one_cpu * 1e6 / n as f64
    );
    println!(
        "{n} documents: 1 thread {:.1} ms per 1,000 docs ({:.2} s in all); {} threads {:.1} ms per 1,000 docs ({:.2} s); {:.2} causes per doc",
        one.as_secs_f64() * 1e6 / n as f64,
        one.as_secs_f64(),
        rayon::current_num_threads(),
        par.as_secs_f64() * 1e6 / n as f64,
        par.as_secs_f64(),
        found as f64 / n as f64
    );
}
