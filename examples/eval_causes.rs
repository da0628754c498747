//! Evaluate inferred causes (`hindsight::taxonomy::infer`) against known causes.
//!
//! `cargo run --release --example eval_causes -- SITE_DIR TRUTH.json [TRUTH2.json…]
//! [--split all|dev|held-out] [--min C] [--show] [--queries QUERIES.json]`
//!
//! SITE_DIR is a site root (site.toml + content/) or a folder of post-mortems, loaded with
//! hindsight's own loader. TRUTH maps an incident id *or* a path relative to SITE_DIR to
//! `{"causes": [...]}` (or to a plain list). Truth labels are read through the taxonomy's
//! names (`Taxonomy::resolve`: ids, aliases, titles), plus a few umbrella labels that
//! accept any of several classes (`time-handling` → any class of the time family,
//! `database-failover-replication` → failover or replication, `capacity-limit` → overload,
//! connection exhaustion or quotas).
//!
//! Each incident falls in the dev half (tuning) or the held-out half by the parity of the
//! FNV-1a hash of its source path relative to SITE_DIR (even = dev). Prints micro
//! precision and recall at the taxonomy's default confidence cut-off and over a sweep of
//! cut-offs, for all, dev and held-out; then per class for the chosen `--split` (dev by
//! default). `--show` lists each incident of the chosen split with truth, inferred causes
//! and the top evidence. `--queries FILE` also scores `Taxonomy::match_query` on
//! `{"class": ["query", …]}` (top-1 accuracy). `--param NAME=VALUE` overrides a field of
//! `taxonomy::Params` (`evidence_scale`, `decay=a,b,c,d`, `strong_evidence`, `weak_only`,
//! `relative_floor`, `max_causes`, `causal_boost`, `plan_factor`, `hedge_factor`,
//! `recovery_factor`, `relative_power`). `--taxonomy FILE` reads the taxonomy from a file in
//! the format of `src/taxonomy/default.toml` instead of the built-in one (to try phrases
//! without rebuilding).
//!
//! A predicted class is right when it is accepted by one of the incident's true labels; a
//! true label is found when one of the classes it accepts is predicted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hindsight::config::Config;
use hindsight::model::Incident;
use hindsight::model::InferredCause;
use hindsight::pipeline;
use hindsight::site::Site;
use hindsight::taxonomy::{self, Taxonomy};

/// Labels that stand for several classes.
const UMBRELLAS: &[(&str, &[&str])] = &[
    (
        "time-handling",
        &[
            "clock-skew",
            "leap-second",
            "dst-timezone",
            "date-arithmetic",
        ],
    ),
    (
        "database-failover-replication",
        &["database-failover", "replication"],
    ),
    (
        "capacity-limit",
        &[
            "capacity-overload",
            "connection-exhaustion",
            "rate-limit-quota",
        ],
    ),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Split {
    All,
    Dev,
    HeldOut,
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Dev when the FNV-1a hash of the path relative to SITE_DIR is even.
fn is_dev(rel_path: &str) -> bool {
    fnv1a(rel_path).is_multiple_of(2)
}

struct Labelled<'a> {
    incident: &'a Incident,
    rel: String,
    /// Each true label with the classes it accepts.
    truth: Vec<(String, BTreeSet<String>)>,
    /// Every candidate with its confidence (cut-off 0).
    inferred: Vec<InferredCause>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    predicted: usize,
    correct: usize,
    truths: usize,
    found: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.truths == 0 {
            0.0
        } else {
            self.found as f64 / self.truths as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn score(items: &[&Labelled], cut: f64) -> Counts {
    let mut c = Counts::default();
    for item in items {
        let predicted: BTreeSet<&str> = item
            .inferred
            .iter()
            .filter(|i| i.confidence >= cut)
            .map(|i| i.class.as_str())
            .collect();
        let accepted: BTreeSet<&str> = item
            .truth
            .iter()
            .flat_map(|(_, set)| set.iter().map(String::as_str))
            .collect();
        c.predicted += predicted.len();
        c.correct += predicted.iter().filter(|p| accepted.contains(*p)).count();
        c.truths += item.truth.len();
        c.found += item
            .truth
            .iter()
            .filter(|(_, set)| set.iter().any(|s| predicted.contains(s.as_str())))
            .count();
    }
    c
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: eval_causes SITE_DIR TRUTH.json [TRUTH2.json…] [--split all|dev|held-out] [--min C] [--show] [--queries FILE] [--param NAME=VALUE]… [--taxonomy FILE]";
    let mut positional = Vec::new();
    let mut split = Split::Dev;
    let mut show = false;
    let mut min: Option<f64> = None;
    let mut queries: Option<String> = None;
    let mut taxonomy_file: Option<String> = None;
    let mut params = taxonomy::Params::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--show" => show = true,
            "--split" => {
                split = match it.next().map(String::as_str) {
                    Some("all") => Split::All,
                    Some("dev") => Split::Dev,
                    Some("held-out") => Split::HeldOut,
                    _ => {
                        eprintln!("--split expects all, dev or held-out\n{usage}");
                        return ExitCode::from(2);
                    }
                }
            }
            "--min" => match it.next().and_then(|v| v.parse().ok()) {
                Some(v) => min = Some(v),
                None => {
                    eprintln!("--min expects a number\n{usage}");
                    return ExitCode::from(2);
                }
            },
            "--queries" => queries = it.next().cloned(),
            "--taxonomy" => taxonomy_file = it.next().cloned(),
            "--param" => {
                let Some((k, v)) = it.next().and_then(|kv| kv.split_once('=')) else {
                    eprintln!("--param expects NAME=VALUE\n{usage}");
                    return ExitCode::from(2);
                };
                let num = |v: &str| v.parse::<f64>().unwrap_or(f64::NAN);
                match k {
                    "evidence_scale" => params.evidence_scale = num(v),
                    "strong_evidence" => params.strong_evidence = num(v),
                    "weak_only" => params.weak_only = num(v),
                    "relative_floor" => params.relative_floor = num(v),
                    "max_causes" => params.max_causes = v.parse().unwrap_or(5),
                    "causal_boost" => params.causal_boost = num(v),
                    "plan_factor" => params.plan_factor = num(v),
                    "hedge_factor" => params.hedge_factor = num(v),
                    "recovery_factor" => params.recovery_factor = num(v),
                    "relative_power" => params.relative_power = num(v),
                    "decay" => {
                        for (d, x) in params.decay.iter_mut().zip(v.split(',')) {
                            *d = num(x);
                        }
                    }
                    _ => {
                        eprintln!("unknown parameter {k}");
                        return ExitCode::from(2);
                    }
                }
            }
            _ => positional.push(a.clone()),
        }
    }
    if positional.len() < 2 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let taxonomy = match &taxonomy_file {
        None => Taxonomy::builtin(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| format!("{path}: {e}"))
            .and_then(|text| Taxonomy::from_toml(&text))
        {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    let cut = min.unwrap_or(taxonomy.min_confidence);
    let root = PathBuf::from(&positional[0]);
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Truth, keyed by id or relative path.
    let mut truth: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &positional[1..] {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let Some(object) = value.as_object() else {
            eprintln!("{path}: expected an object keyed by incident id or path");
            return ExitCode::from(2);
        };
        for (key, entry) in object {
            let list = entry.get("causes").unwrap_or(entry);
            let causes: Vec<String> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(String::from))
                .collect();
            truth.insert(key.clone(), causes);
        }
    }
    let accepts = |label: &str| -> Option<BTreeSet<String>> {
        if let Some((_, set)) = UMBRELLAS.iter().find(|(l, _)| *l == label) {
            return Some(set.iter().map(|s| s.to_string()).collect());
        }
        taxonomy
            .resolve(label)
            .map(|c| BTreeSet::from([c.id.clone()]))
    };
    let mut unknown: BTreeSet<String> = BTreeSet::new();

    let site = Site::new(root.clone(), config, jiff::civil::date(2030, 1, 1)).with_drafts(true);
    let started = Instant::now();
    let (archive, _) = pipeline::load(&site);
    let load_time = started.elapsed();
    let started = Instant::now();
    let mut labelled: Vec<Labelled> = Vec::new();
    let mut used_keys = BTreeSet::new();
    let mut all_inferred = 0usize;
    for incident in &archive.incidents {
        let rel = incident.source.to_string_lossy().replace('\\', "/");
        let key = if truth.contains_key(&rel) {
            rel.clone()
        } else if truth.contains_key(&incident.id) {
            incident.id.clone()
        } else {
            continue;
        };
        used_keys.insert(key.clone());
        let labels = &truth[&key];
        let mut t = Vec::new();
        for l in labels {
            match accepts(l) {
                Some(set) => t.push((l.clone(), set)),
                None => {
                    unknown.insert(l.clone());
                }
            }
        }
        let inferred = taxonomy::infer_with(incident, &taxonomy, 0.0, &params);
        all_inferred += 1;
        labelled.push(Labelled {
            incident,
            rel,
            truth: t,
            inferred,
        });
    }
    let infer_time = started.elapsed();
    let missing: Vec<&String> = truth.keys().filter(|k| !used_keys.contains(*k)).collect();
    println!(
        "archive: {} post-mortems loaded in {:.2}s; {} with truth; inference {:.1} ms in all ({:.2} ms/doc)",
        archive.incidents.len(),
        load_time.as_secs_f64(),
        labelled.len(),
        infer_time.as_secs_f64() * 1000.0,
        infer_time.as_secs_f64() * 1000.0 / all_inferred.max(1) as f64
    );
    if !missing.is_empty() {
        println!(
            "truth keys matching no loaded incident: {} (e.g. {})",
            missing.len(),
            missing
                .iter()
                .take(3)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !unknown.is_empty() {
        println!(
            "truth labels the taxonomy does not know (ignored): {}",
            unknown.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let part = |s: Split| -> Vec<&Labelled> {
        labelled
            .iter()
            .filter(|l| match s {
                Split::All => true,
                Split::Dev => is_dev(&l.rel),
                Split::HeldOut => !is_dev(&l.rel),
            })
            .collect()
    };
    println!("\nmicro precision / recall at cut-off {cut:.2}:");
    for (name, s) in [
        ("all", Split::All),
        ("dev (even hash)", Split::Dev),
        ("held-out (odd hash)", Split::HeldOut),
    ] {
        let items = part(s);
        let c = score(&items, cut);
        println!(
            "  {name:<20} P {:.3}  R {:.3}  F1 {:.3}   ({} incidents, {} true labels, {} predicted)",
            c.precision(),
            c.recall(),
            c.f1(),
            items.len(),
            c.truths,
            c.predicted
        );
    }
    println!("\nsweep (P/R):      all            dev            held-out");
    for step in 4..=16 {
        let x = step as f64 * 0.05;
        let row: Vec<String> = [Split::All, Split::Dev, Split::HeldOut]
            .iter()
            .map(|&s| {
                let c = score(&part(s), x);
                format!("{:.3}/{:.3}", c.precision(), c.recall())
            })
            .collect();
        println!("  cut {x:.2}      {}", row.join("    "));
    }

    let chosen = part(split);
    println!(
        "\nper class ({split:?}) at cut-off {cut:.2}: label support/found, class predicted/correct"
    );
    let mut per_label: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut per_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for item in &chosen {
        let predicted: BTreeSet<&str> = item
            .inferred
            .iter()
            .filter(|i| i.confidence >= cut)
            .map(|i| i.class.as_str())
            .collect();
        let accepted: BTreeSet<&str> = item
            .truth
            .iter()
            .flat_map(|(_, s)| s.iter().map(String::as_str))
            .collect();
        for (label, set) in &item.truth {
            let e = per_label.entry(label.clone()).or_default();
            e.0 += 1;
            if set.iter().any(|s| predicted.contains(s.as_str())) {
                e.1 += 1;
            }
        }
        for p in predicted {
            let e = per_class.entry(p.to_string()).or_default();
            e.0 += 1;
            if accepted.contains(p) {
                e.1 += 1;
            }
        }
    }
    let names: BTreeSet<&String> = per_label.keys().chain(per_class.keys()).collect();
    for n in names {
        let (support, found) = per_label.get(n).copied().unwrap_or_default();
        let (pred, correct) = per_class.get(n).copied().unwrap_or_default();
        let r = if support > 0 {
            format!("{:.2}", found as f64 / support as f64)
        } else {
            "  - ".into()
        };
        let p = if pred > 0 {
            format!("{:.2}", correct as f64 / pred as f64)
        } else {
            "  - ".into()
        };
        println!("  {n:<28} R {r} ({found}/{support})   P {p} ({correct}/{pred})");
    }

    if show {
        println!();
        for item in &chosen {
            let truth: Vec<&str> = item.truth.iter().map(|(l, _)| l.as_str()).collect();
            println!("{} [{}]", item.rel, truth.join(", "));
            let accepted: BTreeSet<&str> = item
                .truth
                .iter()
                .flat_map(|(_, s)| s.iter().map(String::as_str))
                .collect();
            for c in item.inferred.iter().filter(|c| c.confidence >= 0.15) {
                let mark = match (c.confidence >= cut, accepted.contains(c.class.as_str())) {
                    (true, true) => '+',
                    (true, false) => '-',
                    (false, true) => '?',
                    (false, false) => ' ',
                };
                let e = &c.evidence[0];
                let sentence: String = e.sentence.chars().take(140).collect();
                let sections: Vec<&str> = c.evidence.iter().map(|e| e.section.as_str()).collect();
                println!(
                    "  {mark} {:.2} {:<24} n={} ({}) [{} «{}»] {}",
                    c.confidence,
                    c.class,
                    c.evidence.len(),
                    sections.join(","),
                    e.section.as_str(),
                    e.phrase,
                    sentence
                );
            }
            let _ = item.incident;
        }
    }

    if let Some(path) = queries {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut total = 0;
        let mut right = 0;
        let mut wrong = Vec::new();
        for (class, list) in value.as_object().into_iter().flatten() {
            for q in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|q| q.as_str())
            {
                total += 1;
                let got = taxonomy.match_query(q);
                if got.first().is_some_and(|(c, _)| &c.id == class) {
                    right += 1;
                } else {
                    wrong.push(format!(
                        "{q:?} → {} (want {class})",
                        got.first().map_or("nothing", |(c, _)| c.id.as_str())
                    ));
                }
            }
        }
        println!(
            "\nqueries: top-1 accuracy {:.3} ({right}/{total})",
            right as f64 / total.max(1) as f64
        );
        for w in wrong {
            println!("  {w}");
        }
    }
    ExitCode::SUCCESS
}
