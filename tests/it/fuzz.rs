//! A property test of parsing on stable Rust: random post-mortems built from the pieces
//! real ones are made of (front matter of every type, YAML tags, template headings,
//! timeline and action-item tables with unreadable times, Stats lists, links written
//! every way, placeholders, Unicode, CRLF, control characters), then mutated, are
//! parsed, and every result must hold:
//!
//! - `content::parse` does not panic and gives the same result twice;
//! - every diagnostic points inside the file (line ≤ lines + 1; a column only with a line);
//! - the page id is a URL-safe slug (`[a-z0-9-]`, never empty);
//! - an incident without a date comes with an error or broken front matter;
//! - no duration is negative (timestamps out of order leave durations unknown);
//! - the rendered body never carries a `<script` or `javascript:` link.
//!
//! It runs for `HINDSIGHT_FUZZ_SECS` seconds (default 3); `HINDSIGHT_FUZZ_SEED` picks
//! the first seed. `scripts/fuzz.sh` runs it longer in release mode. A failure prints
//! the seed and writes the input to `target/fuzz-failure.md`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hindsight::config::Config;
use hindsight::content::{self, SourceFile};
use hindsight::diagnostics::Level;

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "title",
    "date",
    "severity",
    "status",
    "kind",
    "slug",
    "services",
    "teams",
    "authors",
    "causes",
    "root_cause",
    "tags",
    "related",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "summary",
    "id",
    "type",
    "extra_key",
];

const VALUES: &[&str] = &[
    "Database pool exhausted",
    "2025-10-26",
    "2025-02-30",
    "20202-01-16",
    "SEV1",
    "sev 2",
    "Critical",
    "resolved",
    "action-items-open",
    "draft",
    "in progress",
    "archived",
    "42",
    "3.5",
    "true",
    "null",
    "~",
    "[api, db]",
    "[a, [b]]",
    "{x: 1}",
    "!include /etc/passwd",
    "!!binary aGk=",
    "\"/etc/x\"",
    "../../x",
    "2025-10-26T14:00:00Z",
    "2025-10-26 14:05",
    "14:05",
    "25:99",
    "noon",
    "\"\"",
    "'quoted: colon'",
    "[Incident Title]",
    "YYYY-MM-DD",
    "Ünïcödé / slashes: & co",
    "near-miss",
    "🔥",
    "\"\\u0000\"",
    "|\n  block\n  text",
    "- a\n  - b",
    "&anchor value",
    "*anchor",
    "[unclosed",
    "{unclosed: 1",
];

const HEADINGS: &[&str] = &[
    "# Post-Mortem: Checkout outage",
    "# PM2021-008 - Ingress configuration caused outage",
    "# PMyyyy-nnn - [Incident Title]",
    "## Stats",
    "## Metadata",
    "## Executive Summary",
    "## Timeline",
    "## Timeline (UTC)",
    "### Root Cause Analysis",
    "## Action Items",
    "## Related Incidents",
    "## Lessons Learned",
    "### What Went Well",
    "## Five Whys",
    "## Contributing Factor #1",
    "## Incident Timing",
    "## Services Affected",
    "##",
    "Setext heading\n===",
    "## 3.1 Impact:",
];

const TIMES: &[&str] = &[
    "14:05",
    "2:05 PM",
    "2025-10-26 14:05",
    "2025-10-26T14:05:00Z",
    "20202-01-16 12:00",
    "25:99",
    "noon",
    "",
    "YYYY-MM-DD HH:MM",
    "23:59",
    "00:00",
    "14:05 PDT",
    "2025-02-30 10:00",
    "99999999999999999999:00",
    "-1:00",
    "Oct 26, 2025 14:05",
    "🔥",
];

const EVENTS: &[&str] = &[
    "Deploy begins",
    "Alert fired; on-call paged",
    "Jane acknowledged",
    "Rolled back",
    "Incident resolved",
    "Impact started",
    "[What happened]",
    "a | b",
    "`code | pipe`",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
];

const LINES: &[&str] = &[
    "- Category: Platform",
    "- Service(s): ingress, api",
    "- Team: [Team Name]",
    "- Severity: SEV2",
    "- Tags: dns, tls",
    "- Root cause category: config-change",
    "- Time to detection: 64 minutes",
    "- Date: 2020-06-16",
    "**Date of Incident**: 2025-03-14",
    "**Severity**: Sev-1 (critical)",
    "**Status**: Mitigated, monitoring",
    "**Root Cause**: A leaked connection.",
    "- **2025-09-15**: Database pool exhausted (similar)",
    "[PM2019-009]: PM2019-009%20-%20Network%20address%20starvation.md",
    "See [PM2019-009] and [the other](../PM2020-003%20-%20Cert.md#timeline).",
    "<PM2020-014%20-%20Queue%20consumers%20stalled.md>",
    "<a b.md>",
    "<x.md",
    "[runbook](runbook)",
    "[img](diagram.png)",
    "- [x] Fix it @jane due 2025-11-01",
    "- [ ] Owner: [Name], due YYYY-MM-DD",
    "1. **Why did it fail?**",
    "→ Because.",
    "```\n| Time | Event |\n```",
    "<div onclick=\"x()\">raw</div>",
    "> quoted [Name]",
    "Plain prose about the incident that went on for quite a while, with words.",
    "\u{0}\u{7}\u{1b}[31m",
    "\r",
    "\t\ttabs",
    "[^1]: footnote",
    "| a | b |",
    "---",
    "...",
];

fn scalar(rng: &mut Rng) -> String {
    rng.pick(VALUES).to_string()
}

fn front_matter(rng: &mut Rng) -> String {
    let mut out = String::from("---\n");
    for _ in 0..rng.below(8) {
        let key = rng.pick(KEYS);
        match rng.below(4) {
            0 => out.push_str(&format!(
                "{key}:\n  - {}\n  - {}\n",
                scalar(rng),
                scalar(rng)
            )),
            _ => out.push_str(&format!("{key}: {}\n", scalar(rng))),
        }
    }
    if !rng.chance(5) {
        out.push_str(rng.pick(&["---\n", "...\n", "---\r\n"]));
    }
    out
}

fn table(rng: &mut Rng) -> String {
    let header = rng.pick(&[
        "| Time | Event |",
        "| Time (UTC) | Event | Actor |",
        "| Action | Owner | Due | Status |",
        "| # | Action | Priority | Owner | Due Date | Status |",
        "| Bug | Date | How related |",
        "| Key | Value |",
    ]);
    let columns = header.matches('|').count().saturating_sub(1);
    let mut out = format!("{header}\n|{}\n", "---|".repeat(columns));
    for _ in 0..rng.below(6) {
        let mut row = String::from("|");
        for c in 0..rng.below(columns + 2) {
            let cell = if c == 0 {
                rng.pick(TIMES)
            } else {
                rng.pick(EVENTS)
            };
            row.push_str(&format!(" {cell} |"));
        }
        out.push_str(&row);
        out.push('\n');
    }
    out
}

fn document(rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.chance(5) {
        out.push('\u{feff}');
    }
    if rng.chance(60) {
        out.push_str(&front_matter(rng));
    }
    for _ in 0..rng.below(14) {
        match rng.below(5) {
            0 => out.push_str(rng.pick(HEADINGS)),
            1 => out.push_str(&table(rng)),
            2 => out.push_str(&format!("- {} {}", rng.pick(TIMES), rng.pick(EVENTS))),
            _ => out.push_str(rng.pick(LINES)),
        }
        out.push_str(if rng.chance(10) { "\r\n" } else { "\n" });
        if rng.chance(30) {
            out.push('\n');
        }
    }
    // Mutations: cut, duplicate or insert odd characters at random places.
    for _ in 0..rng.below(4) {
        if out.is_empty() {
            break;
        }
        let mut at = rng.below(out.len());
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 => {
                let mut end = (at + rng.below(40)).min(out.len());
                while !out.is_char_boundary(end) {
                    end -= 1;
                }
                out.replace_range(at..end, "");
            }
            1 => {
                let mut end = (at + rng.below(80)).min(out.len());
                while !out.is_char_boundary(end) {
                    end -= 1;
                }
                let piece = out[at..end].to_string();
                out.insert_str(at, &piece);
            }
            2 => out.insert_str(
                at,
                rng.pick(&["|", "**", "[", "]", "(", "`", "\n", "---\n", ":", "%", "#"]),
            ),
            _ => out.insert(at, char::from_u32(rng.below(0x3000) as u32).unwrap_or('?')),
        }
    }
    out
}

fn check(text: &str, config: &Config) -> Result<(), String> {
    let name = "content/PM2021-008 - Fuzzed post-mortem.md";
    let source = SourceFile::new(PathBuf::from(name), PathBuf::from(name), text);
    let parsed = content::parse(&source, config);
    let again = content::parse(&source, config);
    if parsed.incident != again.incident || parsed.diagnostics != again.diagnostics {
        return Err("parsing twice gave different results".into());
    }
    let lines = text.split('\n').count();
    for d in &parsed.diagnostics {
        if d.line > lines + 1 || (d.col > 0 && d.line == 0) {
            return Err(format!("diagnostic outside the file ({lines} lines): {d}"));
        }
    }
    let Some(incident) = &parsed.incident else {
        return Ok(()); // a template, skipped with a note
    };
    if incident.id.is_empty()
        || !incident
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("id `{}` is not a URL-safe slug", incident.id));
    }
    let has_error = parsed.diagnostics.iter().any(|d| d.level == Level::Error);
    if incident.date.is_none() && !has_error {
        return Err("no date and no error".into());
    }
    let d = &incident.durations;
    for (name, v) in [
        ("time to detect", d.time_to_detect),
        ("time to acknowledge", d.time_to_acknowledge),
        ("time to mitigate", d.time_to_mitigate),
        ("time to resolve", d.time_to_resolve),
    ] {
        if v.is_some_and(|m| m < 0) {
            return Err(format!("{name} is negative: {v:?}"));
        }
    }
    let html = incident.body_html.to_lowercase();
    if html.contains("<script") || html.contains("href=\"javascript:") {
        return Err("unsafe HTML in the body".into());
    }
    Ok(())
}

/// Run the property for `secs` seconds from `seed`; the number of documents parsed.
pub fn run(secs: f64, seed: u64) -> usize {
    let config = Config::default();
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut n = 0usize;
    while Instant::now() < deadline {
        let case_seed = seed.wrapping_add(n as u64).max(1);
        let mut rng = Rng(case_seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let text = document(&mut rng);
        let outcome = std::panic::catch_unwind(|| check(&text, &config)).unwrap_or_else(|p| {
            Err(format!(
                "panicked: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ))
        });
        if let Err(why) = outcome {
            let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failure.md");
            let _ = std::fs::create_dir_all(out.parent().unwrap());
            let _ = std::fs::write(&out, &text);
            panic!(
                "seed {case_seed}: {why}\ninput written to {}:\n{text:?}",
                out.display()
            );
        }
        n += 1;
    }
    n
}

#[test]
fn parsing_holds_its_properties_on_random_post_mortems() {
    let secs: f64 = std::env::var("HINDSIGHT_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let seed: u64 = std::env::var("HINDSIGHT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let n = run(secs, seed);
    eprintln!(
        "fuzz: {n} random post-mortems parsed in {secs} s from seed {seed}, no property broken"
    );
    assert!(n > 0);
}
