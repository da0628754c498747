//! The tokenizer and light English stemmer of the browser search, implemented twice:
//! here (to build the static index) and in `themes/default/static/search.js` (to read
//! queries). The two must agree word for word, so both are deliberately small and
//! rule-based; `tests/it/browser.rs` runs the JavaScript copy in Chromium over
//! [`AGREEMENT_SAMPLE`] and compares.
//!
//! Rules: a token is a maximal run of letters and digits, lower-cased, 2 to 40
//! characters, not a stop word. Pure-ASCII tokens longer than 3 letters lose plural and
//! verb endings (`-sses`→`-ss`, `-ies`/`-ied`→`-y`, `-s` except after s/u/i, then `-ing`/`-ed`
//! when at least 3 letters with a vowel remain, undoubling a final consonant except l/s/z)
//! and finally a trailing `-e` when more than 4 letters remain. So `certificates`,
//! `certificate` → `certificat`; `expired`, `expires`, `expiring` → `expir`.

/// Words too common to index (sorted: looked up by binary search).
pub const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "in", "into", "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "their",
    "this", "to", "was", "were", "with",
];

const MAX_TOKEN_CHARS: usize = 40;

/// A token: byte range in the text and its normalised (stemmed) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub term: String,
}

/// Split `text` into normalised tokens, stop words dropped.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |start, end, term| {
        out.push(Token {
            start,
            end,
            term: term.to_string(),
        })
    });
    out
}

/// Normalised terms of `text` (for queries).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |_, _, term| out.push(term.to_string()));
    out
}

/// Call `f(start, end, term)` for every token, reusing one buffer (the index builder
/// runs this over every word of the archive).
pub fn for_each_token(text: &str, mut f: impl FnMut(usize, usize, &str)) {
    let mut buf = String::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            let word = &text[s..i];
            let chars = if word.is_ascii() {
                word.len()
            } else {
                word.chars().count()
            };
            if !(2..=MAX_TOKEN_CHARS).contains(&chars) {
                continue;
            }
            buf.clear();
            if word.is_ascii() {
                buf.push_str(word);
                buf.make_ascii_lowercase();
            } else {
                buf.push_str(&word.to_lowercase());
            }
            if STOP_WORDS.binary_search(&buf.as_str()).is_ok() {
                continue;
            }
            stem_in_place(&mut buf);
            f(s, i, &buf);
        }
    }
}

/// The light stemmer, on a lower-cased word.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    stem_in_place(&mut w);
    w
}

fn stem_in_place(w: &mut String) {
    if w.len() <= 3 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if (w.ends_with("ies") || w.ends_with("ied")) && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
        return;
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    for suffix in ["ing", "ed"] {
        if let Some(rest) = w.strip_suffix(suffix)
            && rest.len() >= 3
            && rest.bytes().any(|b| b"aeiouy".contains(&b))
        {
            let mut keep = rest.len();
            let b = rest.as_bytes();
            if b[keep - 1] == b[keep - 2] && !b"aeioulsz".contains(&b[keep - 1]) {
                keep -= 1;
            }
            w.truncate(keep);
            break;
        }
    }
    if w.ends_with('e') && w.len() > 4 {
        w.pop();
    }
}

/// Words the browser test stems in JavaScript and compares with [`stem`]/[`terms`].
pub const AGREEMENT_SAMPLE: &str = "Certificates certificate expired expires expiring expiry queries retried retries running stopped \
     caches cached caching processes status analysis DNS pods failed failures timeouts degraded exhausted \
     pool's don't Größe Ünïcödé naïve ÇA 10:32 v2 x 2025-10-26 connection-pool A the and rolling rolled \
     misconfigured misconfiguration deployed deploys deploying leaks leaking leaked hosts hosting fixes fixing \
     fizzes buzzing filled filling sees agreed ties dies is us bus gas gases classes address addressed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_fold_plurals_and_verb_forms() {
        let cases = [
            ("certificates", "certificat"),
            ("certificate", "certificat"),
            ("expired", "expir"),
            ("expires", "expir"),
            ("expiring", "expir"),
            ("queries", "query"),
            ("retried", "retry"),
            ("running", "run"),
            ("stopped", "stop"),
            ("caching", "cach"),
            ("cached", "cach"),
            ("processes", "process"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("filling", "fill"),
            ("buzzing", "buzz"),
            ("dns", "dns"),
            ("größe", "größe"),
        ];
        for (word, want) in cases {
            assert_eq!(stem(word), want, "{word}");
        }
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tokens_keep_offsets_and_drop_stop_words() {
        let text = "The pool's Größe at 10:32, x";
        let t = tokens(text);
        let terms: Vec<&str> = t.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, ["pool", "größe", "10", "32"]);
        assert_eq!(&text[t[1].start..t[1].end], "Größe");
    }
}
