//! The light suffix-stripping stemmer: folds plurals and the common verb and noun endings
//! (leaks/leaked/leaking → leak, connections/connection → connect, expired/expiry →
//! expir, retries/retried/retry → retr) without Porter's full rule set. Words of 3
//! letters or fewer, and words with a digit or a non-ASCII letter, are left alone (so
//! `2022` and `5000` stay numbers).
//!
//! Rules, on a lower-cased word, in order:
//! 1. Plurals: `-ies` and `-ied` → `-y` (more than 4 letters), `-sses` → `-ss`, else a
//!    final `-s` unless after `s`, `u` or `i`.
//! 2. The first of these endings that leaves enough letters (3, or 4 for `-ly`, `-y`
//!    and `-e`): `-ization`→`-ize`, `-ational`→`-ate`, `-ation`, `-ition`, `-ness`,
//!    `-ment`, `-ing`, `-ion` (after `t`, `s` or `x` only), `-ed` (not `-eed`: exceed,
//!    speed), `-ly`, `-ity`, `-ive`, `-y` (after a consonant only: deploy, delay and key
//!    keep it), `-e`. After `-ing` or `-ed`, an `-ion`, `-ment` or `-y` ending of what
//!    is left goes too (partitioned → part, retrying → retr).
//! 3. A doubled final consonant other than `l`, `s`, `z` is undoubled (stopp → stop),
//!    when more than 3 letters remain.
//! 4. A final `-e` (not `-ee`) goes when more than 3 letters remain (code, coded and
//!    coding → cod).
//!
//! The rules only read and change the last few bytes of a word, so they run on a copy of
//! its last [`WINDOW`] bytes: [`stem_cow`] then borrows the stem from the word whenever
//! it is a prefix of it (nearly always), and [`stem_in_place`] rewrites a buffer.

use std::borrow::Cow;

/// Bytes of a word's end the rules work on: step 1 cuts at most 3 and adds 1, step 2
/// reads at most 7 more (`-ization`) and the byte 4 from the end, steps 3–4 the last 2.
const WINDOW: usize = 16;

/// The end of a word being stemmed: the word is its first `base` bytes, unchanged,
/// followed by `buf[..len]`.
struct Tail {
    buf: [u8; WINDOW],
    len: usize,
    base: usize,
}

impl Tail {
    #[inline]
    fn of(word: &[u8]) -> Tail {
        let base = word.len().saturating_sub(WINDOW);
        let mut buf = [0u8; WINDOW];
        let len = word.len() - base;
        buf[..len].copy_from_slice(&word[base..]);
        Tail { buf, len, base }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The whole word's length.
    #[inline]
    fn n(&self) -> usize {
        self.base + self.len
    }

    #[inline]
    fn cut(&mut self, k: usize) {
        self.len -= k;
    }

    #[inline]
    fn push(&mut self, s: &[u8]) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }
}

/// Whether `w` ends with `suffix` (a fixed-size compare, no call to `memcmp`).
#[inline]
fn ends<const N: usize>(w: &[u8], suffix: &[u8; N]) -> bool {
    w.last_chunk::<N>() == Some(suffix)
}

/// Whether a byte is a consonant (a lower-case ASCII letter other than a vowel or `y`).
#[inline]
fn consonant(b: u8) -> bool {
    b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Step 2 on the end `w` of a word of `n` bytes (at least 3): how many bytes to cut and
/// what to put instead. Each arm holds the endings of one last letter, in the order of
/// the rules above.
#[inline]
fn ending(w: &[u8], n: usize) -> Option<(usize, &'static [u8])> {
    let k = w.len();
    // Letters left by an ending of `len` bytes: at least 3, or 4 after a 1–2 byte ending.
    let room = |len: usize, min: usize| n >= len + min;
    match w[k - 1] {
        b'n' => {
            if ends(w, b"ization") {
                Some((7, b"ize"))
            } else if (ends(w, b"ation") || ends(w, b"ition")) && room(5, 3) {
                Some((5, b""))
            } else if ends(w, b"ion") && room(3, 3) && matches!(w[k - 4], b't' | b's' | b'x') {
                Some((3, b""))
            } else {
                None
            }
        }
        b'l' if ends(w, b"ational") => Some((7, b"ate")),
        b's' if ends(w, b"ness") && room(4, 3) => Some((4, b"")),
        b't' if ends(w, b"ment") && room(4, 3) => Some((4, b"")),
        b'g' if ends(w, b"ing") && room(3, 3) => Some((3, b"")),
        b'd' if ends(w, b"ed") && room(2, 3) && w[k - 3] != b'e' => Some((2, b"")),
        b'y' => {
            if ends(w, b"ly") && room(2, 4) {
                Some((2, b""))
            } else if ends(w, b"ity") && room(3, 3) {
                Some((3, b""))
            } else if room(1, 4) && consonant(w[k - 2]) {
                Some((1, b""))
            } else {
                None
            }
        }
        b'e' => {
            if ends(w, b"ive") && room(3, 3) {
                Some((3, b""))
            } else if room(1, 4) {
                Some((1, b""))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The rules on a word that has more than 3 bytes, all lower-case ASCII letters.
#[inline]
fn rules(word: &[u8]) -> Tail {
    let mut t = Tail::of(word);
    // 1. Plurals (and `-ied`, the past of the same `-y` verbs).
    let w = t.bytes();
    if (ends(w, b"ies") || ends(w, b"ied")) && t.n() > 4 {
        t.cut(3);
        t.push(b"y");
    } else if ends(w, b"sses") {
        t.cut(2);
    } else if w[w.len() - 1] == b's' && !matches!(w[w.len() - 2], b's' | b'u' | b'i') {
        t.cut(1);
    }
    // 2. Derivational and inflectional endings; after `-ing` or `-ed`, once more for
    //    the word it was made from (partitioned → partition → part, retrying → retry
    //    → retr, incrementing → increment → incr).
    if let Some((cut, replacement)) = ending(t.bytes(), t.n()) {
        let w = t.bytes();
        let inflected = (cut == 3 && ends(w, b"ing")) || (cut == 2 && ends(w, b"ed"));
        t.cut(cut);
        t.push(replacement);
        if inflected
            && matches!(t.bytes().last(), Some(b'n' | b't' | b'y'))
            && let Some((cut, replacement)) = ending(t.bytes(), t.n())
        {
            t.cut(cut);
            t.push(replacement);
        }
    }
    // 3. "stopped" → "stopp" → "stop", but keep "ll"/"ss"/"zz" (fall, pass, buzz).
    let w = t.bytes();
    let k = w.len();
    if t.n() > 3
        && w[k - 1] == w[k - 2]
        && !matches!(
            w[k - 1],
            b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u'
        )
    {
        t.cut(1);
    }
    // 4.
    if t.n() > 3 && t.bytes().last() == Some(&b'e') && !ends(t.bytes(), b"ee") {
        t.cut(1);
    }
    t
}

/// Whether the rules apply to `w` at all.
#[inline]
fn stemmable(w: &str) -> bool {
    w.len() > 3 && w.bytes().all(|b| b.is_ascii_lowercase())
}

/// The stem of a lower-cased word.
pub fn stem(word: &str) -> String {
    stem_cow(word).into_owned()
}

/// [`stem`] borrowed from `word` when the stem is a prefix of it, which it is unless a
/// rule put letters back (`flies` → `fly`).
#[inline]
pub fn stem_cow(word: &str) -> Cow<'_, str> {
    if !stemmable(word) {
        return Cow::Borrowed(word);
    }
    let t = rules(word.as_bytes());
    let rest = &word.as_bytes()[t.base..];
    if rest.starts_with(t.bytes()) {
        Cow::Borrowed(&word[..t.n()])
    } else {
        let mut out = String::with_capacity(t.n());
        out.push_str(&word[..t.base]);
        out.extend(t.bytes().iter().map(|&b| char::from(b)));
        Cow::Owned(out)
    }
}

/// [`stem`] without allocating: `word` becomes its stem.
#[inline]
pub fn stem_in_place(w: &mut String) {
    if !stemmable(w) {
        return;
    }
    let t = rules(w.as_bytes());
    w.truncate(t.base);
    w.extend(t.bytes().iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_and_derivations_fold_together() {
        for group in [
            &["leak", "leaks", "leaked", "leaking"][..],
            &["connection", "connections", "connected"],
            &["expire", "expired", "expiring", "expiry", "expires"],
            &["exhausted", "exhaustion", "exhaust"],
            &["stopped", "stop", "stops"],
            &["configuration", "configured", "configure"],
            &["certificates", "certificate"],
            &["caching", "cached", "caches"],
            &["filling", "filled", "fills"],
            &["retry", "retries", "retried"],
            &["deploy", "deploys", "deployed", "deploying", "deployment"],
            &["delay", "delays", "delayed"],
            &["proxy", "proxies"],
            &["fix", "fixed", "fixes", "fixing"],
            &["code", "codes", "coded", "coding"],
            &["page", "paged", "paging", "pages"],
            &["partition", "partitions", "partitioned", "partitioning"],
            &["exceed", "exceeds", "exceeded", "exceeding"],
            &["query", "queries", "querying", "queried"],
            &["add", "added", "adding", "adds"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.iter().all(|s| s == &stems[0]),
                "{group:?} → {stems:?}"
            );
        }
    }

    #[test]
    fn stems_as_written() {
        for (word, want) in [
            ("certificates", "certificat"),
            ("connections", "connect"),
            ("queries", "quer"),
            ("running", "run"),
            ("buzzing", "buzz"),
            ("processes", "process"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("motion", "mot"),
            ("dns", "dns"),
            ("größe", "größe"),
            ("café", "café"),
            ("2022", "2022"),
            ("5000", "5000"),
            ("ec2s", "ec2s"),
        ] {
            assert_eq!(stem(word), want, "{word}");
        }
        assert_ne!(stem("pool"), stem("poll"));
    }

    #[test]
    fn the_stem_is_borrowed_when_it_is_a_prefix_and_long_words_stem_alike() {
        assert!(matches!(stem_cow("connections"), Cow::Borrowed("connect")));
        assert!(matches!(stem_cow("dns"), Cow::Borrowed("dns")));
        assert!(matches!(stem_cow("Leaks"), Cow::Borrowed("Leaks")));
        assert_eq!(stem_cow("flies"), Cow::<str>::Owned("fly".into()));
        // Longer than the window the rules run on: the head is kept as it is.
        assert_eq!(stem("internationalizations"), "internationaliz");
        assert_eq!(stem("counterrevolutionaries"), "counterrevolutionar");
        for word in [
            "misconfigurations",
            "internationalization",
            "flies",
            "status",
            "ab",
        ] {
            let mut w = word.to_string();
            stem_in_place(&mut w);
            assert_eq!(w, stem(word), "{word}");
            assert_eq!(stem_cow(word), stem(word), "{word}");
        }
    }
}
