//! Words too common in ordinary English to say anything about a cause ("different",
//! "seen", "major", "another"): a background prior of English word frequency
//! (`common_english.txt`, see scripts/gen-common-english.py), minus the words the
//! failure-mode taxonomy uses in its phrases ("power", "data", "memory" stay telling).
//! Related incidents never show such a word as a reason, and weigh it less as a feature.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::taxonomy::Taxonomy;

const COMMON: &str = include_str!("common_english.txt");

/// Words at least this common (Zipf) are generic even when a taxonomy phrase uses them
/// ("major upgrade", "routed via another path"), unless listed in `TELLING`.
const VERY_COMMON: f32 = 5.0;

/// Very common English words that still name what failed in a post-mortem.
const TELLING: &[&str] = &[
    "access",
    "account",
    "attack",
    "build",
    "card",
    "change",
    "changed",
    "changes",
    "code",
    "control",
    "data",
    "date",
    "drive",
    "fire",
    "key",
    "killed",
    "loss",
    "lost",
    "network",
    "policy",
    "power",
    "pressure",
    "process",
    "production",
    "region",
    "release",
    "released",
    "security",
    "service",
    "services",
    "space",
    "store",
    "system",
    "systems",
    "table",
    "test",
    "version",
    "wrong",
];

fn generic_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let vocabulary = taxonomy_vocabulary();
        COMMON
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (word, zipf) = l.split_once(' ')?;
                let zipf: f32 = zipf.parse().ok()?;
                let telling = if zipf >= VERY_COMMON {
                    TELLING.contains(&word)
                } else {
                    vocabulary.contains(word)
                };
                (!telling).then_some(word)
            })
            .collect()
    })
}

/// Every word written in the builtin taxonomy's phrases and aliases.
fn taxonomy_vocabulary() -> HashSet<String> {
    let taxonomy = Taxonomy::builtin_ref();
    let mut words = HashSet::new();
    for class in &taxonomy.classes {
        for text in class
            .phrases
            .iter()
            .chain(&class.weak)
            .chain(&class.aliases)
        {
            for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
                if word.len() > 1 {
                    words.insert(word.to_ascii_lowercase());
                }
            }
        }
    }
    words
}

/// Whether `word` (any case) is an ordinary English word that says nothing about a cause.
pub(crate) fn is_generic(word: &str) -> bool {
    let lower = word.to_lowercase();
    generic_words().contains(lower.as_str())
}

/// Whether every word of `phrase` is generic (a phrase with one telling word is not).
pub fn all_generic(phrase: &str) -> bool {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(is_generic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_words_are_generic_and_cause_words_are_not() {
        for word in [
            "different",
            "seen",
            "major",
            "another",
            "typically",
            "Groups",
        ] {
            assert!(is_generic(word), "{word}");
        }
        for word in [
            "power",
            "certificate",
            "memory",
            "disk",
            "dns",
            "namespace",
            "expired",
            "data",
        ] {
            assert!(!is_generic(word), "{word}");
        }
        assert!(all_generic("major groups"));
        assert!(!all_generic("connection pool"));
        assert!(!all_generic("another certificate"));
    }
}
