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
//! The rules only read and change the last few bytes of a word, and only ever put back
//! a short ending (`-y`, `-ize`, `-ate`), so a stem is a prefix of the word plus such an
//! ending: [`stem_cow`] borrows it from the word whenever it is a prefix (nearly always),
//! [`stem_in_place`] truncates a buffer, and neither copies the word.

use std::borrow::Cow;

/// A word being stemmed: its first `len` bytes followed by `tail` (an ending a rule put
/// back, or what is left of it).
struct Stem<'w> {
    word: &'w [u8],
    len: usize,
    tail: &'static str,
}

impl Stem<'_> {
    /// The whole stem's length.
    #[inline]
    fn n(&self) -> usize {
        self.len + self.tail.len()
    }

    /// The byte `k` places from the end (0: the last one); `k < n()`.
    #[inline]
    fn at(&self, k: usize) -> u8 {
        let t = self.tail.as_bytes();
        if k < t.len() {
            t[t.len() - 1 - k]
        } else {
            self.word[self.len - 1 - (k - t.len())]
        }
    }

    /// Whether the stem ends with `suffix` (byte by byte: endings are short).
    #[inline]
    fn ends<const N: usize>(&self, suffix: &[u8; N]) -> bool {
        N <= self.n() && (0..N).all(|k| self.at(k) == suffix[N - 1 - k])
    }

    #[inline]
    fn cut(&mut self, k: usize) {
        let t = self.tail.len();
        if k <= t {
            self.tail = &self.tail[..t - k];
        } else {
            self.len -= k - t;
            self.tail = "";
        }
    }

    /// Put an ending back (only ever right after a cut that took the whole tail).
    #[inline]
    fn push(&mut self, ending: &'static str) {
        if !ending.is_empty() {
            debug_assert!(self.tail.is_empty());
            self.tail = ending;
        }
    }
}

/// Whether a byte is a consonant (a lower-case ASCII letter other than a vowel or `y`).
#[inline]
fn consonant(b: u8) -> bool {
    b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Step 2 on `w` (at least 3 letters): how many bytes to cut and what to put instead.
/// Each arm holds the endings of one last letter, in the order of the rules above.
#[inline]
fn ending(w: &Stem<'_>) -> Option<(usize, &'static str)> {
    let n = w.n();
    // Letters left by an ending of `len` bytes: at least `min`.
    let room = |len: usize, min: usize| n >= len + min;
    match w.at(0) {
        b'n' => {
            if w.ends(b"ization") {
                Some((7, "ize"))
            } else if (w.ends(b"ation") || w.ends(b"ition")) && room(5, 3) {
                Some((5, ""))
            } else if w.ends(b"ion") && room(3, 3) && matches!(w.at(3), b't' | b's' | b'x') {
                Some((3, ""))
            } else {
                None
            }
        }
        b'l' if w.ends(b"ational") => Some((7, "ate")),
        b's' if w.ends(b"ness") && room(4, 3) => Some((4, "")),
        b't' if w.ends(b"ment") && room(4, 3) => Some((4, "")),
        b'g' if w.ends(b"ing") && room(3, 3) => Some((3, "")),
        b'd' if w.ends(b"ed") && room(2, 3) && w.at(2) != b'e' => Some((2, "")),
        b'y' => {
            if w.ends(b"ly") && room(2, 4) {
                Some((2, ""))
            } else if w.ends(b"ity") && room(3, 3) {
                Some((3, ""))
            } else if room(1, 4) && consonant(w.at(1)) {
                Some((1, ""))
            } else {
                None
            }
        }
        b'e' => {
            if w.ends(b"ive") && room(3, 3) {
                Some((3, ""))
            } else if room(1, 4) {
                Some((1, ""))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The rules on a word that has more than 3 bytes, all lower-case ASCII letters.
#[inline]
fn rules(word: &[u8]) -> Stem<'_> {
    let mut t = Stem {
        word,
        len: word.len(),
        tail: "",
    };
    // 1. Plurals (and `-ied`, the past of the same `-y` verbs).
    if (t.ends(b"ies") || t.ends(b"ied")) && t.n() > 4 {
        t.cut(3);
        t.push("y");
    } else if t.ends(b"sses") {
        t.cut(2);
    } else if t.at(0) == b's' && !matches!(t.at(1), b's' | b'u' | b'i') {
        t.cut(1);
    }
    // 2. Derivational and inflectional endings; after `-ing` or `-ed`, once more for
    //    the word it was made from (partitioned → partition → part, retrying → retry
    //    → retr, incrementing → increment → incr).
    if let Some((cut, replacement)) = ending(&t) {
        let inflected = (cut == 3 && t.ends(b"ing")) || (cut == 2 && t.ends(b"ed"));
        t.cut(cut);
        t.push(replacement);
        if inflected
            && matches!(t.at(0), b'n' | b't' | b'y')
            && let Some((cut, replacement)) = ending(&t)
        {
            t.cut(cut);
            t.push(replacement);
        }
    }
    // 3. "stopped" → "stopp" → "stop", but keep "ll"/"ss"/"zz" (fall, pass, buzz).
    if t.n() > 3
        && t.at(0) == t.at(1)
        && !matches!(
            t.at(0),
            b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u'
        )
    {
        t.cut(1);
    }
    // 4.
    if t.n() > 3 && t.at(0) == b'e' && t.at(1) != b'e' {
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
pub(crate) fn stem(word: &str) -> String {
    stem_cow(word).into_owned()
}

/// [`stem`] borrowed from `word` when the stem is a prefix of it, which it is unless a
/// rule put letters back (`flies` → `fly`).
#[inline]
pub(crate) fn stem_cow(word: &str) -> Cow<'_, str> {
    if !stemmable(word) {
        return Cow::Borrowed(word);
    }
    let t = rules(word.as_bytes());
    let rest = &word.as_bytes()[t.len..];
    let tail = t.tail.as_bytes();
    if rest.len() >= tail.len() && (0..tail.len()).all(|i| rest[i] == tail[i]) {
        Cow::Borrowed(&word[..t.n()])
    } else {
        let mut out = String::with_capacity(t.n());
        out.push_str(&word[..t.len]);
        out.push_str(t.tail);
        Cow::Owned(out)
    }
}

/// [`stem`] without allocating: `word` becomes its stem.
#[inline]
pub(crate) fn stem_in_place(w: &mut String) {
    if !stemmable(w) {
        return;
    }
    let t = rules(w.as_bytes());
    let (len, tail) = (t.len, t.tail);
    w.truncate(len);
    w.push_str(tail);
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
