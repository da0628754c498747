//! `[redact]` of site.toml, compiled: the literals (customer names), the built-in
//! patterns (e-mail, IPv4 and IPv6 addresses, host names under given domains) and the
//! site's own regular expressions, found in one pass over a text and replaced by one
//! replacement text.
//!
//! A public build runs every text of a post-mortem through here before anything else
//! reads it (`content::visibility`), so titles, ids, bodies, tables and front-matter
//! values, and everything derived from them, only ever see the redacted text. `check`
//! uses `find` to warn about what a public post-mortem would lose.
//!
//! Matches of different rules that overlap or touch are merged into one span, so a host
//! name inside an e-mail address gives one replacement, not two.

use std::borrow::Cow;
use std::net::Ipv6Addr;
use std::sync::{Arc, Mutex};

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// `[redact]`: the rules a public build applies to every text of a post-mortem it
/// publishes (title, body, front-matter values, file name).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct RedactConfig {
    /// What a redacted span is replaced with.
    pub(crate) replacement: String,
    /// Words and names (customers, partners), matched whole, in any case, with any run
    /// of spaces, hyphens or underscores where the literal has a space.
    pub(crate) literals: Vec<String>,
    /// E-mail addresses.
    pub(crate) emails: bool,
    /// IPv4 addresses (with an optional `/prefix`).
    pub(crate) ipv4: bool,
    /// IPv6 addresses (with an optional `/prefix`).
    pub(crate) ipv6: bool,
    /// Host names under these domains, and the domains themselves.
    pub(crate) domains: Vec<String>,
    /// Regular expressions (Rust `regex` syntax) of anything else.
    pub(crate) patterns: Vec<String>,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            replacement: "[redacted]".into(),
            literals: Vec::new(),
            emails: false,
            ipv4: false,
            ipv6: false,
            domains: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

/// Which rule found a span, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Literal,
    Email,
    Ipv4,
    Ipv6,
    Domain,
    Pattern,
}

impl Rule {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Rule::Literal => "a name from [redact] literals",
            Rule::Email => "an e-mail address",
            Rule::Ipv4 => "an IPv4 address",
            Rule::Ipv6 => "an IPv6 address",
            Rule::Domain => "a host name under [redact] domains",
            Rule::Pattern => "text matching a [redact] pattern",
        }
    }
}

/// A span of a text the rules redact (byte offsets), with the first rule that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) rule: Rule,
}

/// The compiled rules.
#[derive(Debug)]
pub(crate) struct Redactor {
    rules: Vec<(Rule, Regex)>,
    replacement: String,
}

const EMAIL: &str = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}";
const IPV4: &str = r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:/[0-9]{1,2})?\b";
/// Candidates only: hex groups and colons (an IPv4 tail allowed), checked by `is_ipv6`.
const IPV6: &str =
    r"(?i)(?:[0-9a-f]{1,4}|:)?(?::[0-9a-f]{0,4}){2,7}(?:(?:\.[0-9]{1,3}){3})?(?:/[0-9]{1,3})?";

impl Redactor {
    /// Compile `config`. An error gives the offending value as written and what is
    /// wrong with it.
    pub(crate) fn new(config: &RedactConfig) -> Result<Redactor, (String, String)> {
        let mut rules = Vec::new();
        let build = |pattern: &str| {
            RegexBuilder::new(pattern)
                .size_limit(1 << 24)
                .build()
                .map_err(|e| e.to_string())
        };
        if !config.literals.is_empty() {
            let mut literals: Vec<&String> = config.literals.iter().collect();
            if let Some(empty) = literals.iter().find(|l| l.trim().is_empty()) {
                return Err((
                    format!("\"{empty}\""),
                    "an empty literal would redact nothing; expected a name such as \"Acme Corp\""
                        .into(),
                ));
            }
            // Longest first, so "Acme Corp" wins over "Acme" where both match.
            literals.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            let alternatives: Vec<String> = literals.iter().map(|l| literal_pattern(l)).collect();
            let pattern = format!("(?i)(?:{})", alternatives.join("|"));
            rules.push((
                Rule::Literal,
                build(&pattern).map_err(|e| (config.literals[0].clone(), e))?,
            ));
        }
        if config.emails {
            rules.push((
                Rule::Email,
                build(EMAIL).map_err(|e| ("emails".to_string(), e))?,
            ));
        }
        if config.ipv4 {
            rules.push((
                Rule::Ipv4,
                build(IPV4).map_err(|e| ("ipv4".to_string(), e))?,
            ));
        }
        if config.ipv6 {
            rules.push((
                Rule::Ipv6,
                build(IPV6).map_err(|e| ("ipv6".to_string(), e))?,
            ));
        }
        if !config.domains.is_empty() {
            let mut names = Vec::new();
            for written in &config.domains {
                let domain = written
                    .trim()
                    .trim_start_matches("*.")
                    .trim_start_matches('.');
                let valid = domain.contains('.')
                    && domain.split('.').all(|label| {
                        !label.is_empty()
                            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    });
                if !valid {
                    return Err((
                        format!("\"{written}\""),
                        format!(
                            "`{written}` is not a domain; expected a name such as \"corp.example.com\""
                        ),
                    ));
                }
                names.push(regex::escape(domain));
            }
            let pattern = format!(
                r"(?i)\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*(?:{})\b",
                names.join("|")
            );
            rules.push((
                Rule::Domain,
                build(&pattern).map_err(|e| (config.domains[0].clone(), e))?,
            ));
        }
        for pattern in &config.patterns {
            let regex = build(pattern).map_err(|e| {
                (
                    pattern.clone(),
                    format!(
                        "pattern `{pattern}` is not a regular expression: {}",
                        e.lines().last().unwrap_or_default()
                    ),
                )
            })?;
            if regex.is_match("") {
                return Err((
                    pattern.clone(),
                    format!(
                        "pattern `{pattern}` matches the empty text; expected one that needs at least one character"
                    ),
                ));
            }
            rules.push((Rule::Pattern, regex));
        }
        Ok(Redactor {
            rules,
            replacement: config.replacement.clone(),
        })
    }

    /// The compiled rules of `config`, compiled once per process for the last config
    /// asked for (every file of a build asks with the same one).
    pub(crate) fn shared(config: &RedactConfig) -> Result<Arc<Redactor>, String> {
        static CACHE: Mutex<Option<(RedactConfig, Arc<Redactor>)>> = Mutex::new(None);
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached, redactor)) = cache.as_ref()
            && cached == config
        {
            return Ok(redactor.clone());
        }
        let redactor = Arc::new(
            Redactor::new(config).map_err(|(value, message)| format!("{value}: {message}"))?,
        );
        *cache = Some((config.clone(), redactor.clone()));
        Ok(redactor)
    }

    /// No rule at all: nothing is ever redacted.
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every span the rules find in `text`, in order, overlapping and touching spans
    /// merged.
    pub(crate) fn find(&self, text: &str) -> Vec<Found> {
        let mut found: Vec<Found> = Vec::new();
        for (rule, regex) in &self.rules {
            for m in regex.find_iter(text) {
                let (start, end) = match rule {
                    Rule::Ipv6 => match ipv6_span(text, m.start(), m.end()) {
                        Some(span) => span,
                        None => continue,
                    },
                    _ => (m.start(), m.end()),
                };
                if start < end {
                    found.push(Found {
                        start,
                        end,
                        rule: *rule,
                    });
                }
            }
        }
        found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
        let mut merged: Vec<Found> = Vec::with_capacity(found.len());
        for f in found {
            match merged.last_mut() {
                Some(last) if f.start <= last.end => last.end = last.end.max(f.end),
                _ => merged.push(f),
            }
        }
        merged
    }

    /// `text` with every span replaced by the replacement text.
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.replace(text, &self.replacement)
    }

    /// `text` (Markdown) with every span replaced by the replacement text, its
    /// punctuation escaped so that it reads as written (`[redacted]` is no link, a `|`
    /// splits no table cell).
    pub(crate) fn redact_markdown<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut escaped = String::with_capacity(self.replacement.len() * 2);
        for c in self.replacement.chars() {
            if c.is_ascii_punctuation() {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        self.replace(text, &escaped)
    }

    fn replace<'a>(&self, text: &'a str, replacement: &str) -> Cow<'a, str> {
        if self.rules.is_empty() {
            return Cow::Borrowed(text);
        }
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in found {
            out.push_str(&text[at..f.start]);
            // A line break inside a span (a name wrapped across lines) is kept, so the
            // text keeps its line numbers.
            out.push_str(replacement);
            out.extend(text[f.start..f.end].chars().filter(|&c| c == '\n'));
            at = f.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }
}

/// A literal as a pattern: escaped, any run of spaces, hyphens or underscores where it
/// has a space, and whole words at its ends.
fn literal_pattern(literal: &str) -> String {
    let words: Vec<String> = literal.split_whitespace().map(regex::escape).collect();
    let mut pattern = words.join(r"[\s_-]+");
    if literal
        .trim()
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
    {
        pattern.insert_str(0, r"\b");
    }
    if literal
        .trim()
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
    {
        pattern.push_str(r"\b");
    }
    pattern
}

/// The span of a real IPv6 address in a candidate: not part of a longer word, parses
/// as an address, and has a digit (so `std::fs` or a clock time `14:02:00` is none).
fn ipv6_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    if text[..start].chars().next_back().is_some_and(word)
        || text[end..].chars().next().is_some_and(word)
    {
        return None;
    }
    let candidate = &text[start..end];
    let address = candidate.split('/').next().unwrap_or(candidate);
    address.parse::<Ipv6Addr>().ok()?;
    address
        .chars()
        .any(|c| c.is_ascii_digit())
        .then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(toml_text: &str) -> Redactor {
        let config: RedactConfig = toml::from_str(toml_text).unwrap();
        Redactor::new(&config).unwrap()
    }

    #[test]
    fn literals_match_whole_words_in_any_case_and_spacing() {
        let r = redactor(r#"literals = ["Acme Corp", "Globex"]"#);
        assert_eq!(
            r.redact("ACME corp and acme-corp, acme_corp, Acme\nCorp; Globexes; globex."),
            "[redacted] and [redacted], [redacted], [redacted]\n; Globexes; [redacted]."
        );
        assert_eq!(
            r.redact("2025-03-01-acme-corp-outage.md"),
            "2025-03-01-[redacted]-outage.md"
        );
    }

    #[test]
    fn emails_and_hosts_under_domains() {
        let r = redactor(
            r#"emails = true
domains = ["corp.example.com"]
replacement = "X""#,
        );
        assert_eq!(
            r.redact(
                "mail jane.doe+oncall@corp.example.com or db-1.eu.corp.example.com, not example.com"
            ),
            "mail X or X, not example.com"
        );
        assert_eq!(r.redact("see corp.example.com."), "see X.");
    }

    #[test]
    fn ip_addresses_but_not_times_versions_or_paths() {
        let r = redactor("ipv4 = true\nipv6 = true\nreplacement = \"IP\"");
        assert_eq!(
            r.redact("10.0.12.7 and 192.168.0.0/16 at 14:02:00, v1.2.3 and 256.1.1.1"),
            "IP and IP at 14:02:00, v1.2.3 and 256.1.1.1"
        );
        assert_eq!(
            r.redact(
                "fe80::1, 2001:db8:85a3::8a2e:370:7334/64 and ::ffff:10.0.0.1 but std::fs and a::b"
            ),
            "IP, IP and IP but std::fs and a::b"
        );
    }

    #[test]
    fn patterns_and_markdown_escaping() {
        let r = redactor(r#"patterns = ['TICKET-\d+']"#);
        assert_eq!(r.redact_markdown("see TICKET-42|x"), r"see \[redacted\]|x");
        assert_eq!(
            r.find("a TICKET-1 b"),
            vec![Found {
                start: 2,
                end: 10,
                rule: Rule::Pattern
            }]
        );
        assert!(redactor("").is_empty());
    }

    #[test]
    fn bad_rules_are_errors_naming_them() {
        let bad = |t: &str| Redactor::new(&toml::from_str(t).unwrap()).unwrap_err();
        assert_eq!(bad(r#"patterns = ["(unclosed"]"#).0, "(unclosed");
        assert!(
            bad(r#"patterns = ["x*"]"#)
                .1
                .contains("matches the empty text")
        );
        assert!(
            bad(r#"domains = ["not a domain"]"#)
                .1
                .contains("is not a domain")
        );
        assert!(bad(r#"literals = [" "]"#).1.contains("empty literal"));
    }
}
