//! The module graph of src/ points down: no module imports from a module that calls it.
//! Layers, bottom first: the shared types (`site`, `model`, `config`, `diagnostics`,
//! `slug`, `words`, `yaml`, `text`, `redact`, `taxonomy`), then `content`, `analysis`,
//! `search` and `render`, `pipeline` and `audience`, `cmd`, `cli`. A reference from a file to a module of a higher
//! layer, or any cycle between files, fails here with the files named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layer of each top-level module; a module may use its own layer and those below.
const LAYERS: &[(&str, u8)] = &[
    ("site", 0),
    ("model", 0),
    ("config", 0),
    ("diagnostics", 0),
    ("slug", 0),
    ("words", 0),
    ("yaml", 0),
    ("text", 0),
    ("schema", 0),
    ("zone", 0),
    ("redact", 0),
    ("publish", 0),
    ("progress", 0),
    ("store", 0),
    ("taxonomy", 1),
    ("content", 1),
    ("analysis", 2),
    ("search", 3),
    ("render", 3),
    ("pipeline", 4),
    ("audience", 4),
    ("uptodate", 4),
    ("cmd", 5),
    ("cli", 6),
];

type Module = Vec<String>;

fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let mut segs: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if segs.last().is_some_and(|s| s == "mod") {
            segs.pop();
        }
        if segs == ["lib"] || segs == ["main"] {
            segs.clear();
        }
        out.insert(segs, path.to_path_buf());
    }
    out
}

/// The code without comments, string literals and its test module (`#[cfg(test)] mod`,
/// last in a file by convention), so none of them counts as a reference: tests may use
/// their neighbours' test helpers.
fn strip(code: &str) -> String {
    let code = match code.find("#[cfg(test)]\nmod ") {
        Some(at) => &code[..at],
        None => code,
    };
    let mut out = String::with_capacity(code.len());
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if code[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if code[i..].starts_with("/*") {
            i += code[i..].find("*/").map_or(bytes.len() - i, |e| e + 2);
        } else if bytes[i] == b'"' && !code[..i].ends_with('\'') {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            let c = code[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Paths named in `code` that start with `crate`, `super` or `self`, with `use` groups
/// expanded one level (`crate::a::{b, c::d}` → `crate::a::b`, `crate::a::c::d`).
fn references(code: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        let starts_word = k == 0 || !ident(chars[k - 1].1);
        if !(starts_word && ident(c)) {
            k += 1;
            continue;
        }
        let rest = &code[i..];
        let Some(head) = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|h| rest.starts_with(h))
        else {
            k += 1;
            continue;
        };
        let mut path = vec![head.trim_end_matches("::").to_string()];
        let mut j = i + head.len();
        loop {
            let seg: String = code[j..].chars().take_while(|&c| ident(c)).collect();
            if !seg.is_empty() {
                j += seg.len();
                path.push(seg);
                if code[j..].starts_with("::") {
                    j += 2;
                    continue;
                }
            } else if code[j..].starts_with('{') {
                let mut depth = 0;
                let mut end = j;
                for (n, c) in code[j..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = j + n;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner = &code[j + 1..end];
                let mut depth = 0;
                let mut part = String::new();
                let mut parts = Vec::new();
                for c in inner.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            parts.push(std::mem::take(&mut part));
                            continue;
                        }
                        _ => {}
                    }
                    part.push(c);
                }
                parts.push(part);
                for p in parts {
                    let segs: Vec<String> = p
                        .split("::")
                        .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
                        .map(|s| s.trim_matches(|c: char| !ident(c)).to_string())
                        .take_while(|s| !s.is_empty())
                        .filter(|s| s != "self")
                        .take(2)
                        .collect();
                    let mut full = path.clone();
                    full.extend(segs);
                    out.push(full);
                }
                j = end + 1;
                path.clear();
            }
            break;
        }
        if !path.is_empty() {
            out.push(path);
        }
        while k < chars.len() && chars[k].0 < j {
            k += 1;
        }
    }
    out
}

/// The module a path names, as far as it names one that exists.
fn resolve(current: &Module, path: &[String], mods: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let (mut segs, rest): (Module, &[String]) = if path[0] == "crate" {
        (Vec::new(), &path[1..])
    } else {
        let mut segs = current.clone();
        let mut rest = path;
        while let Some(first) = rest.first() {
            match first.as_str() {
                "super" => {
                    segs.pop();
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
        (segs, rest)
    };
    let mut best = mods.contains_key(&segs).then(|| segs.clone());
    for s in rest {
        segs.push(s.clone());
        if mods.contains_key(&segs) {
            best = Some(segs.clone());
        } else {
            break;
        }
    }
    best
}

/// Every strongly connected set of more than one node (Tarjan).
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(v: &'a PathBuf, st: &mut State<'a>) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        st.on.insert(v);
        if let Some(ws) = st.edges.get(v) {
            for w in ws {
                if !st.index.contains_key(w) {
                    visit(w, st);
                    let lw = st.low[w];
                    let lv = st.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if st.on.contains(w) {
                    let iw = st.index[w];
                    let lv = st.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if st.low[v] == st.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                st.out.push(comp);
            }
        }
    }
    let mut st = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !st.index.contains_key(v) {
            visit(v, &mut st);
        }
    }
    st.out
}

struct Graph {
    /// file → files it references.
    edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    /// (from file, to top-level module) references that point up a layer.
    upward: Vec<String>,
    unknown: BTreeSet<String>,
}

fn graph(src: &Path) -> Graph {
    let mods = modules(src);
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut g = Graph {
        edges: BTreeMap::new(),
        upward: Vec::new(),
        unknown: BTreeSet::new(),
    };
    for (module, file) in &mods {
        let code = strip(&std::fs::read_to_string(file).unwrap());
        for path in references(&code) {
            let Some(target) = resolve(module, &path, &mods) else {
                continue;
            };
            if &target == module || target.is_empty() {
                continue;
            }
            g.edges
                .entry(file.clone())
                .or_default()
                .insert(mods[&target].clone());
            let (Some(from), Some(to)) = (module.first(), target.first()) else {
                continue;
            };
            for m in [from, to] {
                if !layer.contains_key(m.as_str()) {
                    g.unknown.insert(m.clone());
                }
            }
            if let (Some(a), Some(b)) = (layer.get(from.as_str()), layer.get(to.as_str()))
                && b > a
            {
                g.upward.push(format!(
                    "{} uses crate::{} (layer {b} above {a})",
                    file.display(),
                    target.join("::")
                ));
            }
        }
    }
    g.upward.sort();
    g.upward.dedup();
    g
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn modules_only_point_down_and_no_files_form_a_cycle() {
    let g = graph(&src_dir());
    assert!(
        g.unknown.is_empty(),
        "top-level modules without a layer (add them to LAYERS): {:?}",
        g.unknown
    );
    assert!(
        g.upward.is_empty(),
        "references that point up a layer:\n{}",
        g.upward.join("\n")
    );
    let cycles = cycles(&g.edges);
    assert!(
        cycles.is_empty(),
        "import cycles between files:\n{}",
        cycles
            .iter()
            .map(|c| c
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" <-> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_checker_finds_an_upward_reference_and_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("content")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod content; pub mod render;").unwrap();
    // content (layer 1) calls render (layer 3): upward.
    std::fs::write(
        src.join("content/mod.rs"),
        "mod a; mod b;\n// crate::cli in a comment is not a reference\nuse crate::render::{urls::slug, Renderer};",
    )
    .unwrap();
    std::fs::write(src.join("content/a.rs"), "use super::b::B; pub struct A;").unwrap();
    std::fs::write(
        src.join("content/b.rs"),
        "pub struct B(crate::content::a::A);",
    )
    .unwrap();
    std::fs::write(src.join("render.rs"), "let s = \"crate::cli::x\";").unwrap();
    let g = graph(src);
    assert_eq!(g.upward.len(), 1, "{:?}", g.upward);
    assert!(
        g.upward[0].contains("uses crate::render (layer 3 above 1)"),
        "{:?}",
        g.upward
    );
    let found = cycles(&g.edges);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0],
        vec![src.join("content/a.rs"), src.join("content/b.rs")]
    );
}
