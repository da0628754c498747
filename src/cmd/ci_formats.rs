//! `check` output for CI systems: GitHub Actions workflow commands, a GitLab Code
//! Quality report and SARIF 2.1.0. Each takes the sorted diagnostics and returns the text
//! to print; positions are the same 1-based `path:line:col` as the human output.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, Level};

/// The tool version written into reports: the crate version and the commit.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("HINDSIGHT_COMMIT"),
    ")"
);

fn path_of(d: &Diagnostic) -> String {
    d.path.to_string_lossy().replace('\\', "/")
}

/// A workflow command's message (data): `%`, CR and LF are escaped.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as data, plus `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=…,line=…,col=…,title=…::message` line per diagnostic (notes are
/// `::notice`); line and col are left out when unknown (0).
pub(crate) fn github(items: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in items {
        let command = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let mut props = vec![format!("file={}", escape_property(&path_of(d)))];
        if d.line > 0 {
            props.push(format!("line={}", d.line));
            if d.col > 0 {
                props.push(format!("col={}", d.col));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("hindsight {}", d.code))
        ));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&d.message)
        ));
    }
    out
}

/// 64-bit FNV-1a, hex: stable across runs, platforms and versions of Rust.
pub(crate) fn fnv1a_hex(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A GitLab Code Quality report: a JSON array of issues. The fingerprint hashes the
/// check, the file, the message and the occurrence number (not the line), so an issue
/// keeps its fingerprint when lines above it move.
pub(crate) fn gitlab(items: &[Diagnostic]) -> Value {
    let mut seen: BTreeMap<(String, &str, &str), usize> = BTreeMap::new();
    let issues: Vec<Value> = items
        .iter()
        .map(|d| {
            let path = path_of(d);
            let n = seen
                .entry((path.clone(), d.code, d.message.as_str()))
                .or_default();
            *n += 1;
            let fingerprint = fnv1a_hex(&[d.code, &path, &d.message, &n.to_string()]);
            json!({
                "type": "issue",
                "description": d.message,
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": match d.level {
                    Level::Error => "major",
                    Level::Warning => "minor",
                    Level::Note => "info",
                },
                "location": { "path": path, "lines": { "begin": d.line.max(1) } },
            })
        })
        .collect();
    Value::Array(issues)
}

/// A relative path as a URI reference: every byte but unreserved ones and `/` is
/// percent-encoded.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A minimal SARIF 2.1.0 log: one run, one rule per check code that occurs.
pub(crate) fn sarif(items: &[Diagnostic]) -> Value {
    let mut codes: Vec<&str> = items.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| json!({ "id": c, "name": c, "shortDescription": { "text": c } }))
        .collect();
    let results: Vec<Value> = items
        .iter()
        .map(|d| {
            let uri = uri_path(&path_of(d));
            let mut physical = json!({ "artifactLocation": { "uri": uri } });
            if d.line > 0 {
                let mut region = json!({ "startLine": d.line });
                if d.col > 0 {
                    region["startColumn"] = json!(d.col);
                }
                physical["region"] = region;
            }
            json!({
                "ruleId": d.code,
                "ruleIndex": codes.binary_search(&d.code).unwrap_or(0),
                "level": match d.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Note => "note",
                },
                "message": { "text": d.message },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "hindsight",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_data_and_properties() {
        let d = Diagnostic::error("invalid-date", "content/a,b:c%.md", 2, 7, "50% off\r\nnext");
        assert_eq!(
            github(&[d]),
            "::error file=content/a%2Cb%3Ac%25.md,line=2,col=7,title=hindsight invalid-date::50%25 off%0D%0Anext\n"
        );
        let whole = Diagnostic::note("x", "a.md", 0, 0, "m: n, o");
        assert_eq!(
            github(&[whole]),
            "::notice file=a.md,title=hindsight x::m: n, o\n"
        );
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_unique() {
        let a = Diagnostic::warning("w", "a.md", 3, 1, "same");
        let b = Diagnostic::warning("w", "a.md", 9, 1, "same");
        let report = gitlab(&[a.clone(), b]);
        let moved = gitlab(&[Diagnostic { line: 4, ..a }]);
        assert_ne!(report[0]["fingerprint"], report[1]["fingerprint"]);
        assert_eq!(report[0]["fingerprint"], moved[0]["fingerprint"]);
        assert_eq!(report[0]["severity"], "minor");
        assert_eq!(report[1]["location"]["lines"]["begin"], 9);
    }
}
