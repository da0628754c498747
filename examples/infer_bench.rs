//! Time cause inference over a loaded archive, as analysis runs it, and write what it
//! inferred.
//!
//! `cargo run --release --example infer_bench -- SITE_DIR [--runs N] [--out FILE]`
//!
//! Loads SITE_DIR (a site root or a folder of post-mortems) with hindsight's own loader,
//! then per run times `analysis::causes::infer_all` (the causes reported) and
//! `analysis::causes::infer_all_possible` (those and the possible ones below the cut-off:
//! what analysis runs when its features cache is empty), each over every incident on all
//! rayon threads (`RAYON_NUM_THREADS=2` for two cores): wall time and the CPU time
//! (user + system) of the process. Loading is not timed. `--out FILE` writes, per source path, the causes
//! inferred at the taxonomy's cut-off (`"reported"`, what analysis keeps) and every
//! candidate at cut-off 0 (`"candidates"`), with evidence, as pretty JSON: two builds that
//! write the same file infer the same causes, evidence and scores.
//! (Generate a site with `cargo run --release --example gen_corpus -- --count 10000
//! --out SITE_DIR --seed 42`.)

mod common;
use common::cpu_seconds;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use hindsight::analysis::causes;
use hindsight::config::Config;
use hindsight::pipeline;
use hindsight::site::Site;
use hindsight::taxonomy::{self, Taxonomy};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut runs = 3usize;
    let mut out = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().unwrap_or_default().parse()?,
            "--out" => out = args.next().map(PathBuf::from),
            other => root = Some(PathBuf::from(other)),
        }
    }
    let Some(root) = root else {
        anyhow::bail!("usage: infer_bench SITE_DIR [--runs N] [--out FILE]");
    };
    let config = Config::load(&root)?;
    let site = Site::new(root, config, jiff::civil::date(2030, 1, 1)).with_drafts(true);
    let (archive, _) = pipeline::load(&site);
    let incidents = &archive.incidents;
    let taxonomy = Taxonomy::for_config(&site.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{} post-mortems; taxonomy of {} phrases; {} rayon threads",
        incidents.len(),
        taxonomy.phrase_count(),
        rayon::current_num_threads()
    );
    let mut reported = Vec::new();
    for run in 1..=runs {
        let (t, cpu) = (Instant::now(), cpu_seconds());
        reported = causes::infer_all(incidents, &taxonomy);
        let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        let found: usize = reported.iter().map(Vec::len).sum();
        let (t, cpu_possible) = (Instant::now(), cpu_seconds());
        let (_, possible) = causes::infer_all_possible(incidents, &taxonomy);
        let (wall_possible, cpu_possible) =
            (t.elapsed().as_secs_f64(), cpu_seconds() - cpu_possible);
        let possible: usize = possible.iter().map(Vec::len).sum();
        println!(
            "run {run}: infer_all {wall:.3} s wall, {cpu:.2} s CPU (user+sys), {found} causes; \
             infer_all_possible {wall_possible:.3} s wall, {cpu_possible:.2} s CPU, {possible} possible"
        );
    }
    if let Some(path) = out {
        let mut dump: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for (incident, reported) in incidents.iter().zip(&reported) {
            let candidates =
                taxonomy::infer_with(incident, &taxonomy, 0.0, &taxonomy::Params::default());
            dump.insert(
                incident.source.to_string_lossy().replace('\\', "/"),
                serde_json::json!({ "reported": reported, "candidates": candidates }),
            );
        }
        std::fs::write(&path, serde_json::to_string_pretty(&dump)?)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
