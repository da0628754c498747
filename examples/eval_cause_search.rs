//! Evaluate search by cause in plain words: for each cause class, a few everyday
//! queries ("lost power", "bad rollout"), and the incidents whose true causes include
//! that class as the relevant ones.
//!
//! `cargo run --release --example eval_cause_search -- SITE_DIR TRUTH.json QUERIES.json`
//!
//! SITE_DIR is a site root or a folder of post-mortems; TRUTH maps a path relative to it
//! (or an id) to `{"causes": [...]}`; QUERIES maps a class id to its queries. Cause
//! labels are cleared after loading, as in an unlabelled archive, so the method only
//! has the causes it infers. Prints, for hindsight's search (CLI index) and for the
//! plain-BM25 baseline (`search::baseline`: one field, English stemmer, any word):
//! recall@10 (relevant found in the top 10, over min(relevant, 10)) and MRR (1 / rank of
//! the first relevant result, 0 when none is in the top 10), and how many queries read
//! as their own cause class; `--show` prints each query with the classes it read as.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use hindsight::analysis::eval;
use hindsight::config::Config;
use hindsight::pipeline;
use hindsight::search::baseline;
use hindsight::search::causes::Causes;
use hindsight::search::query;
use hindsight::search::searcher::SearchIndex;
use hindsight::search::store;
use hindsight::site::Site;
use hindsight::taxonomy::Taxonomy;

/// A part of the set to report: its name and which incidents it keeps (by whether they
/// are in the development half).
type Part = (&'static str, fn(bool) -> bool);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [root, truth_path, queries_path] = positional[..] else {
        eprintln!("usage: eval_cause_search SITE_DIR TRUTH.json QUERIES.json [--show]");
        return ExitCode::from(2);
    };
    let root = PathBuf::from(root);
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let (truth, queries) = match (read(truth_path), read(queries_path)) {
        (Ok(t), Ok(q)) => (t, q),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let truth = match eval::parse_truth(&truth) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let queries: std::collections::BTreeMap<String, Vec<String>> =
        match serde_json::from_str(&queries) {
            Ok(q) => q,
            Err(e) => {
                eprintln!("{queries_path}: {e}");
                return ExitCode::from(2);
            }
        };
    let site = Site::new(root, config, jiff::civil::date(2030, 1, 1)).with_drafts(true);
    let (mut archive, _) = pipeline::load(&site);
    for incident in &mut archive.incidents {
        incident.causes.clear();
    }
    let truth = eval::key_by_id(truth, &archive);
    let taxonomy = Taxonomy::builtin_ref();

    let cache = tempfile::tempdir().expect("a temporary folder");
    let causes = Causes::new(taxonomy);
    if let Err(e) = store::update_with_files(cache.path(), &archive, Default::default(), &causes) {
        eprintln!("indexing: {e:#}");
        return ExitCode::FAILURE;
    }
    let index = SearchIndex::open(cache.path())
        .ok()
        .flatten()
        .expect("the index just built");
    let all: Vec<(&String, &String)> = queries
        .iter()
        .flat_map(|(class, qs)| qs.iter().map(move |q| (class, q)))
        .collect();
    let texts: Vec<&str> = all.iter().map(|(_, q)| q.as_str()).collect();
    // Ranked deep enough that each half of the set still has ten results of its own.
    let depth = archive.incidents.len();
    let base = baseline::rank(&archive, &texts, depth).expect("the baseline ranks");
    let dev = common::dev_ids(&archive);

    // Per part of the set (all, dev, held-out): sums of recall and RR for hindsight and
    // BM25, and the number of queries with relevant incidents in that part.
    let parts: [Part; 3] = [
        ("all", |_| true),
        ("dev (even hash)", |d| d),
        ("held-out (odd hash)", |d| !d),
    ];
    let mut part_sums = [[[0.0f64; 2]; 2]; 3];
    let mut part_counted = [0usize; 3];
    let mut read_right = 0usize;
    for (k, (class, q)) in all.iter().enumerate() {
        let relevant: Vec<&String> = truth
            .iter()
            .filter(|(_, causes)| {
                causes
                    .iter()
                    .any(|c| taxonomy.resolve(c).is_some_and(|r| r.id == **class))
            })
            .map(|(id, _)| id)
            .collect();
        if relevant.is_empty() {
            continue;
        }
        if hindsight::search::causes::classes_described(taxonomy, q)
            .first()
            .is_some_and(|c| c.0 == **class)
        {
            read_right += 1;
        }
        let ours: Vec<String> = match query::parse(q) {
            Ok(parsed) => index
                .search(&parsed, depth)
                .map(|r| r.hits.into_iter().map(|h| h.id).collect())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let read: Vec<String> = hindsight::search::causes::classes_described(taxonomy, q)
            .into_iter()
            .map(|(c, _, s)| format!("{c}:{s:.2}"))
            .collect();
        let mut line = format!("{class:24} {q:40} {:32}", read.join(","));
        for (p, (_, keep)) in parts.iter().enumerate() {
            let in_part = |id: &String| keep(dev.contains(id.as_str()));
            let relevant: Vec<&String> =
                relevant.iter().copied().filter(|id| in_part(id)).collect();
            if relevant.is_empty() {
                continue;
            }
            part_counted[p] += 1;
            for (m, ranked) in [&ours, &base[k]].into_iter().enumerate() {
                // The part's own top ten: the other half's incidents are skipped.
                let top: Vec<&String> = ranked.iter().filter(|id| in_part(id)).take(10).collect();
                let found = top.iter().filter(|id| relevant.contains(id)).count();
                let recall = found as f64 / relevant.len().min(10) as f64;
                let rr = top
                    .iter()
                    .position(|id| relevant.contains(id))
                    .map_or(0.0, |p| 1.0 / (p + 1) as f64);
                part_sums[p][m][0] += recall;
                part_sums[p][m][1] += rr;
                if p == 0 {
                    line.push_str(&format!("  R@10 {recall:.2} RR {rr:.2}"));
                }
            }
        }
        if show {
            println!("{line}");
        }
    }
    let counted = part_counted[0];
    let sums = part_sums[0];
    let n = counted.max(1) as f64;
    println!(
        "{} incidents, {counted} queries with relevant incidents",
        archive.incidents.len()
    );
    println!("{read_right} of {counted} queries read as their own cause class first");
    println!("{:10} {:>9} {:>6}", "method", "recall@10", "MRR");
    for (name, s) in ["hindsight", "BM25"].iter().zip(sums) {
        println!("{name:10} {:>9.3} {:>6.3}", s[0] / n, s[1] / n);
    }
    println!("by half (relevant incidents and ranking within the half):");
    for (p, (part, _)) in parts.iter().enumerate().skip(1) {
        let n = part_counted[p].max(1) as f64;
        let s = part_sums[p];
        println!(
            "  {part:<20} hindsight R@10 {:.3} MRR {:.3}   BM25 R@10 {:.3} MRR {:.3}   ({} queries)",
            s[0][0] / n,
            s[0][1] / n,
            s[1][0] / n,
            s[1][1] / n,
            part_counted[p]
        );
    }
    ExitCode::SUCCESS
}
