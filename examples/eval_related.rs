//! Evaluate related incidents and cause suggestions against known causes.
//!
//! `cargo run --release --example eval_related -- SITE_DIR TRUTH.json [--sample N] [--show]`
//!
//! SITE_DIR is a site root (site.toml + content/) or a folder of post-mortems; TRUTH is
//! `{"<id or path relative to SITE_DIR>": {"causes": [...]}}`, as written by
//! `gen_corpus --hide-causes --truth FILE` or kept beside an evaluation archive.
//! Causes found in the files are hidden from the method either way. Prints
//! precision@1/3/5 of the related links (a link is right when it shares a true cause)
//! for hindsight's method and for a plain whole-text TF-IDF cosine, cause-suggestion
//! accuracy, and the in-process time of the whole `analyse` stage. Set
//! `RAYON_NUM_THREADS=2` to measure on two cores.

mod common;
use common::cpu_seconds;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hindsight::analysis::eval::{self, Precision};
use hindsight::config::Config;
use hindsight::pipeline;
use hindsight::site::Site;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: eval_related SITE_DIR TRUTH.json [--sample N] [--show]";
    let (Some(dir), Some(truth_path)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let sample = match args
        .iter()
        .position(|a| a == "--sample")
        .map(|p| args.get(p + 1).and_then(|v| v.parse::<usize>().ok()))
    {
        None => None,
        Some(Some(n)) => Some(n),
        Some(None) => {
            eprintln!("--sample expects a whole number\n{usage}");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from(dir);
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let truth = match std::fs::read_to_string(truth_path)
        .map_err(|e| format!("{truth_path}: {e}"))
        .and_then(|t| eval::parse_truth(&t))
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let site = Site::new(root, config, jiff::civil::date(2030, 1, 1)).with_drafts(true);
    let started = Instant::now();
    let (archive, _) = pipeline::load(&site);
    let load_time = started.elapsed();
    let truth = eval::key_by_id(truth, &archive);
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let (_, _) = hindsight::analysis::analyse_with(&site.config, &archive, &Default::default());
    let (analyse_wall, analyse_cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    stage_times(&archive, &site.config);
    let started = Instant::now();
    let report = eval::evaluate(&archive, &truth, &site.config, sample);
    let eval_time = started.elapsed();

    let labelled = archive
        .incidents
        .iter()
        .filter(|i| truth.contains_key(&i.id))
        .count();
    println!(
        "archive: {} post-mortems ({labelled} with a true cause), {} threads",
        report.incidents,
        rayon::current_num_threads()
    );
    println!(
        "load: {:.3}s   analyse: {:.3}s wall, {:.3}s CPU (all threads)   analyse with causes hidden: {:.3}s wall   whole evaluation: {:.1}s",
        load_time.as_secs_f64(),
        analyse_wall.as_secs_f64(),
        analyse_cpu,
        report.analyse_time.as_secs_f64(),
        eval_time.as_secs_f64()
    );
    let row = |name: &str, p: &Precision| {
        println!(
            "{name:<38} P@1 {:.3}   P@3 {:.3}   P@5 {:.3}   ({} queries)",
            p.at1, p.at3, p.at5, p.queries
        )
    };
    row("hindsight related", &report.method);
    row(
        "hindsight, author references removed",
        &report.method_without_references,
    );
    row("baseline: whole-text TF-IDF cosine", &report.baseline);
    println!(
        "cause suggestions: top-1 accuracy {:.3}, coverage {:.3} ({} incidents with causes hidden, 4 in 5 labelled)",
        report.suggestion_accuracy, report.suggestion_coverage, report.suggestion_queries
    );
    println!(
        "coverage with the site's display rule: {:.3} of queries show a same-cause link ({:.2} links shown per incident)",
        report.coverage, report.shown_per_incident
    );
    // The same figures on each half of the set (queries split by their own file; their
    // neighbours come from the whole archive).
    let dev = common::dev_ids(&archive);
    println!(
        "by half (query's file):           method P@1/3/5          TF-IDF P@1/3/5         coverage"
    );
    for (name, want_dev) in [("dev (even hash)", true), ("held-out (odd hash)", false)] {
        let (m, b, coverage) = eval::Outcome::summarise(
            report
                .outcomes
                .iter()
                .filter(|o| dev.contains(o.id.as_str()) == want_dev),
        );
        println!(
            "  {name:<30} {:.3} {:.3} {:.3}     {:.3} {:.3} {:.3}     {coverage:.3}   ({} queries)",
            m.at1, m.at3, m.at5, b.at1, b.at3, b.at5, m.queries
        );
    }
    if args.iter().any(|a| a == "--show") {
        show(&archive, &truth, &site.config);
    }
    ExitCode::SUCCESS
}

/// CPU seconds of each analysis stage, to see where the time goes.
fn stage_times(archive: &hindsight::model::Archive, config: &Config) {
    use hindsight::analysis::{references, related, repeats, suggest, text};
    let incidents = &archive.incidents;
    let mut last = cpu_seconds();
    let mut lap = |name: &str| {
        let now = cpu_seconds();
        print!("{name} {:.2}s  ", now - last);
        last = now;
    };
    let (links, _) = references::resolve(incidents);
    lap("CPU: references");
    let model = text::TextModel::build(incidents);
    lap("vectors");
    let taxonomy = hindsight::taxonomy::Taxonomy::for_config(config)
        .unwrap_or_else(|e| panic!("[causes]: {e}"));
    let inferred = hindsight::analysis::causes::infer_all(incidents, &taxonomy);
    let classes = hindsight::analysis::causes::class_sets(incidents, &inferred);
    lap("inferred causes");
    let pairs = related::neighbours(
        incidents,
        &model,
        &links,
        &related::Params::default(),
        &classes,
    );
    lap("neighbours");
    let _ = related::related_lists(
        incidents,
        &model,
        &pairs,
        config.related.max,
        config.related.min_score,
        &inferred,
    );
    lap("lists+reasons");
    let _ = suggest::suggest(incidents, &pairs);
    let _ = repeats::repeats(incidents, &config.repeats);
    let _ = repeats::possible_repeats(incidents, &pairs, &links, &config.repeats);
    lap("suggestions+repeats");
    println!();
}

/// Print each labelled incident's top three links, marking right (+) and wrong (-) ones.
fn show(archive: &hindsight::model::Archive, truth: &eval::Truth, config: &Config) {
    let hidden = hindsight::model::Archive {
        incidents: archive
            .incidents
            .iter()
            .cloned()
            .map(|i| hindsight::model::Incident {
                causes: Vec::new(),
                ..i
            })
            .collect(),
    };
    let mut config = config.clone();
    config.related.min_score = 0.0;
    let (insights, _) = hindsight::analysis::analyse_with(&config, &hidden, &Default::default());
    for incident in &hidden.incidents {
        let Some(own) = truth.get(&incident.id) else {
            continue;
        };
        println!("{} [{}]", incident.id, own.join(", "));
        for r in insights
            .related
            .get(&incident.id)
            .into_iter()
            .flatten()
            .take(3)
        {
            let right = truth
                .get(&r.id)
                .is_some_and(|c| c.iter().any(|c| own.contains(c)));
            println!(
                "  {} {:.3} {} — {}",
                if right { '+' } else { '-' },
                r.score,
                r.id,
                r.reasons.join("; ")
            );
        }
    }
}
