//! The tokenizer and light English stemmer of both searches, implemented twice: here
//! (for the static browser index, and for tantivy through [`TantivyTokenizer`], so the
//! CLI and the browser agree on words and phrases) and in
//! `themes/default/static/search.js` (to read queries in the browser). The two must agree word for word, so both are deliberately small and
//! rule-based; `tests/it/browser.rs` runs the JavaScript copy in Chromium over
//! [`AGREEMENT_SAMPLE`] and compares.
//!
//! Rules: a token is a maximal run of letters and digits, lower-cased, 2 to 40
//! characters, not a stop word. Pure-ASCII tokens longer than 3 letters lose plural and
//! verb endings (`-sses`→`-ss`, `-ies`/`-ied`→`-y`, `-s` except after s/u/i, then `-ing`/`-ed`
//! when at least 3 letters with a vowel remain, undoubling a final consonant except l/s/z),
//! then `-ion` after t/s when 4 letters remain (`connection` → `connect`), else a
//! trailing `-e` when more than 4 letters remain. So `certificates`,
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
    let mut it = TokenIter::new(text);
    while let Some((start, end)) = it.next_into(&mut buf) {
        f(start, end, &buf);
    }
}

/// The tokenizer as a pull iterator: each call writes the next term into a reused buffer.
pub struct TokenIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> TokenIter<'a> {
    pub fn new(text: &'a str) -> Self {
        TokenIter { text, pos: 0 }
    }

    /// The byte range of the next token, its term written into `buf`; `None` at the end.
    pub fn next_into(&mut self, buf: &mut String) -> Option<(usize, usize)> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            // Find the next run of letters and digits, bytewise while the text is ASCII.
            let mut i = self.pos;
            let s = loop {
                let &b = bytes.get(i)?;
                if b < 0x80 {
                    if b.is_ascii_alphanumeric() {
                        break i;
                    }
                    i += 1;
                } else {
                    let c = text[i..].chars().next()?;
                    if c.is_alphanumeric() {
                        break i;
                    }
                    i += c.len_utf8();
                }
            };
            let mut e = s;
            let mut ascii = true;
            while let Some(&b) = bytes.get(e) {
                if b < 0x80 {
                    if !b.is_ascii_alphanumeric() {
                        break;
                    }
                    e += 1;
                } else {
                    let Some(c) = text[e..].chars().next() else {
                        break;
                    };
                    if !c.is_alphanumeric() {
                        break;
                    }
                    ascii = false;
                    e += c.len_utf8();
                }
            }
            self.pos = e;
            let word = &text[s..e];
            let chars = if ascii {
                word.len()
            } else {
                word.chars().count()
            };
            if !(2..=MAX_TOKEN_CHARS).contains(&chars) {
                continue;
            }
            buf.clear();
            if ascii {
                buf.push_str(word);
                buf.make_ascii_lowercase();
            } else {
                buf.push_str(&word.to_lowercase());
            }
            if is_stop_word(buf) {
                continue;
            }
            stem_in_place(buf);
            return Some((s, e));
        }
    }
}

/// Whether `word` (lower-cased) is one of [`STOP_WORDS`]; most words are longer than
/// any stop word and are let through without a lookup, the rest are compared as one
/// integer each (this runs for every word of the archive, twice).
fn is_stop_word(word: &str) -> bool {
    word.len() <= STOP_WORD_MAX_BYTES && STOP_PACKED.binary_search(&pack(word.as_bytes())).is_ok()
}

/// Up to 8 bytes as one integer, ordered like the byte strings (shorter first on a tie).
const fn pack(bytes: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < 8 {
        v <<= 8;
        if i < bytes.len() {
            v |= bytes[i] as u64;
        }
        i += 1;
    }
    v
}

/// [`STOP_WORDS`] packed; sorted because packing keeps the order of sorted words.
const STOP_PACKED: [u64; STOP_WORDS.len()] = {
    let mut out = [0u64; STOP_WORDS.len()];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        out[i] = pack(STOP_WORDS[i].as_bytes());
        i += 1;
    }
    out
};

/// The longest stop word, in bytes.
const STOP_WORD_MAX_BYTES: usize = 5;

/// The same tokenizer for tantivy, so `hindsight search` and the browser agree on what
/// a word is. Positions count kept tokens only, so a phrase skips stop words the same
/// way in both (`"pool of connections"` matches `pool connections`).
#[derive(Clone, Default)]
pub struct TantivyTokenizer {
    token: tantivy::tokenizer::Token,
}

/// A running [`TantivyTokenizer`] over one text.
pub struct TantivyTokenStream<'a> {
    iter: TokenIter<'a>,
    token: &'a mut tantivy::tokenizer::Token,
    position: usize,
}

impl tantivy::tokenizer::Tokenizer for TantivyTokenizer {
    type TokenStream<'a> = TantivyTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TantivyTokenStream<'a> {
        self.token.reset();
        TantivyTokenStream {
            iter: TokenIter::new(text),
            token: &mut self.token,
            position: 0,
        }
    }
}

impl tantivy::tokenizer::TokenStream for TantivyTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.iter.next_into(&mut self.token.text) {
            Some((start, end)) => {
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.position = self.position;
                self.token.position_length = 1;
                self.position += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.token
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
    // Nouns in -tion/-sion meet their verbs: connection → connect, exhaustion → exhaust.
    if (w.ends_with("tion") || w.ends_with("sion")) && w.len() >= 7 {
        w.truncate(w.len() - 3);
        return;
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
     fizzes buzzing filled filling sees agreed ties dies is us bus gas gases classes address addressed \
     connection connections exhaustion rotation sessions version lion motion";

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
            ("connection", "connect"),
            ("connections", "connect"),
            ("exhaustion", "exhaust"),
            ("exhausted", "exhaust"),
            ("rotation", "rotat"),
            ("rotated", "rotat"),
            ("motion", "motion"),
        ];
        for (word, want) in cases {
            assert_eq!(stem(word), want, "{word}");
        }
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            STOP_WORDS.iter().map(|w| w.len()).max(),
            Some(STOP_WORD_MAX_BYTES)
        );
        assert!(STOP_PACKED.windows(2).all(|w| w[0] < w[1]));
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        for w in ["", "x", "ab", "thee", "tha", "withs", "zz", "connection"] {
            assert!(!is_stop_word(w), "{w}");
        }
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
