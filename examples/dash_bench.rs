//! Dashboard benchmark: what the trend dashboards add to a build. Loads and analyses a
//! site root once, then per run times `trends::compute` alone, `render::dashboard::render`
//! (figures and pages, in memory) and writing its files to a fresh temporary folder with
//! `pipeline::write_site`, and reports file counts and bytes by kind of page, plus where
//! the bytes of the dashboard pages go (SVG charts, data tables, the rest); then times
//! `scope_keys` and `render_scope` for the organisation, a team and a service.
//!
//! `cargo run --release --example dash_bench -- SITE_DIR [--runs N] [--as-of YYYY-MM-DD]
//! [--out DIR]` (`--out` keeps the last run's files in DIR, replacing it)
//! (generate a site with `cargo run --release --example gen_corpus -- --count 10000
//! --out SITE_DIR --seed 42`). The as-of date defaults to 2026-11-26.

mod common;
use common::cpu_seconds;

use std::collections::BTreeMap;
use std::time::Instant;

use hindsight::analysis::trends;
use hindsight::config::Config;
use hindsight::pipeline;
use hindsight::render::{Renderer, dashboard};
use hindsight::site::{OutputFile, Site};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut runs = 3usize;
    let mut as_of = jiff::civil::Date::constant(2026, 11, 26);
    let mut keep = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().unwrap_or_default().parse()?,
            "--as-of" => as_of = args.next().unwrap_or_default().parse()?,
            "--out" => keep = args.next().map(std::path::PathBuf::from),
            other => root = Some(std::path::PathBuf::from(other)),
        }
    }
    let root = root.unwrap_or_else(|| ".".into());
    let site = Site {
        config: Config::load(&root)?,
        root,
        as_of,
        include_drafts: false,
    };
    let t = Instant::now();
    let (archive, _) = pipeline::load(&site);
    let (insights, _) = pipeline::analyse(&site, &archive);
    println!(
        "{} post-mortems loaded and analysed in {:.2} s; as of {as_of}",
        archive.incidents.len(),
        t.elapsed().as_secs_f64()
    );
    let renderer = Renderer::new(&site)?;
    let mut last = Vec::new();
    for run in 1..=runs {
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let figures = trends::compute(&archive, &insights, site.as_of, &site.config);
        let compute = t.elapsed().as_secs_f64();
        let compute_cpu = cpu_seconds() - cpu;
        drop(figures);
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let files = dashboard::render(&renderer, &site, &archive, &insights)?;
        let render = t.elapsed().as_secs_f64();
        let render_cpu = cpu_seconds() - cpu;
        let out = tempfile::tempdir()?;
        let t = Instant::now();
        pipeline::write_site(&out.path().join("public"), &files, None)?;
        let write = t.elapsed().as_secs_f64();
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        println!(
            "run {run}: trends::compute {compute:.3} s ({compute_cpu:.2} s CPU; inside render) · render {render:.3} s ({render_cpu:.2} s CPU) · write {write:.3} s · total {:.3} s · {} files, {:.1} MB",
            render + write,
            files.len(),
            bytes as f64 / 1e6
        );
        last = files;
    }
    // What `serve` pays for one dashboard on demand.
    let t = Instant::now();
    let keys = dashboard::scope_keys(&archive);
    println!(
        "scope_keys: {} scopes in {:.1} ms",
        keys.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    for key in keys.iter().take(2).chain(keys.last()) {
        let t = Instant::now();
        let files = dashboard::render_scope(&renderer, &site, &archive, &insights, key)?;
        println!(
            "render_scope {} {:?}: {:.3} s, {} files",
            key.kind.as_str(),
            key.name,
            t.elapsed().as_secs_f64(),
            files.len()
        );
    }
    if let Some(dir) = keep {
        pipeline::write_site(&dir, &last, None)?;
        println!("files kept in {}", dir.display());
    }
    report(&last);
    Ok(())
}

/// Files and bytes by kind of page, and the parts of the dashboard pages.
fn report(files: &[OutputFile]) {
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut svg, mut tables, mut pages) = (0, 0, 0);
    for f in files {
        let path = f.path.as_str();
        let scope = if path.starts_with("dashboard/teams/") {
            "team"
        } else if path.starts_with("dashboard/services/") {
            "service"
        } else if path.starts_with("dashboard/") {
            "org"
        } else {
            "other"
        };
        let kind = if !path.ends_with(".html") {
            path.to_string()
        } else if path.contains("/lists/") {
            format!("list {}", path.rsplit("/lists/").next().unwrap_or(""))
                .replace("/index.html", "")
        } else {
            pages += f.bytes.len();
            let html = String::from_utf8_lossy(&f.bytes);
            svg += spans(&html, "<svg", "</svg>");
            tables += spans(&html, r#"<details class="data-table">"#, "</details>");
            "dashboard page".to_string()
        };
        let e = kinds.entry(format!("{scope:<8} {kind}")).or_default();
        e.0 += 1;
        e.1 += f.bytes.len();
    }
    println!("{:<40} {:>6} {:>10}", "scope / kind", "files", "MB");
    for (k, (n, b)) in &kinds {
        println!("{k:<40} {n:>6} {:>10.2}", *b as f64 / 1e6);
    }
    println!(
        "dashboard pages {:.1} MB: SVG {:.1} MB, data tables {:.1} MB, rest {:.1} MB",
        pages as f64 / 1e6,
        svg as f64 / 1e6,
        tables as f64 / 1e6,
        (pages - svg - tables) as f64 / 1e6
    );
}

/// Bytes of `html` inside `open ... close` spans (not nested).
fn spans(html: &str, open: &str, close: &str) -> usize {
    let mut total = 0;
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        let Some(len) = rest[start..].find(close) else {
            break;
        };
        total += len + close.len();
        rest = &rest[start + len + close.len()..];
    }
    total
}
