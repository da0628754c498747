//! The light suffix-stripping stemmer: folds plurals and the common verb and noun endings
//! (leaks/leaked/leaking → leak, connections/connection → connect, expired/expiry →
//! expir) without Porter's full rule set. Words of 3 letters or fewer, and words with a
//! digit or a non-ASCII letter, are left alone (so `2022` and `5000` stay numbers).
//!
//! Rules, on a lower-cased word, in order:
//! 1. Plurals: `-ies` → `-y` (more than 4 letters), `-sses` → `-ss`, else a final `-s`
//!    unless after `s`, `u` or `i`.
//! 2. The first of these endings that leaves enough letters (3, or 4 for a 1–2 letter
//!    ending): `-ization`→`-ize`, `-ational`→`-ate`, `-ation`, `-ition`, `-ness`,
//!    `-ment`, `-ing`, `-ion` (after `t`, `s` or `x` only), `-ed`, `-ly`, `-ity`,
//!    `-ive`, `-y`, `-e`.
//! 3. A doubled final consonant other than `l`, `s`, `z` is undoubled (stopp → stop),
//!    when more than 3 letters remain.
//! 4. A final `-e` goes when more than 4 letters remain.

/// Whether `w` ends with `suffix` (a fixed-size compare, no call to `memcmp`).
#[inline]
fn ends<const N: usize>(w: &[u8], suffix: &[u8; N]) -> bool {
    w.last_chunk::<N>() == Some(suffix)
}

/// Step 2 on `w` (at least 3 letters): how many bytes to cut and what to put instead.
/// Each arm holds the endings of one last letter, in the order of the rules above.
#[inline]
fn ending(w: &[u8]) -> Option<(usize, &'static str)> {
    let n = w.len();
    // Letters left by an ending of `len` bytes: at least 3, or 4 after a 1–2 byte ending.
    let room = |len: usize, min: usize| n >= len + min;
    match w[n - 1] {
        b'n' => {
            if ends(w, b"ization") {
                Some((7, "ize"))
            } else if (ends(w, b"ation") || ends(w, b"ition")) && room(5, 3) {
                Some((5, ""))
            } else if ends(w, b"ion") && room(3, 3) && matches!(w[n - 4], b't' | b's' | b'x') {
                Some((3, ""))
            } else {
                None
            }
        }
        b'l' if ends(w, b"ational") => Some((7, "ate")),
        b's' if ends(w, b"ness") && room(4, 3) => Some((4, "")),
        b't' if ends(w, b"ment") && room(4, 3) => Some((4, "")),
        b'g' if ends(w, b"ing") && room(3, 3) => Some((3, "")),
        b'd' if ends(w, b"ed") && room(2, 4) => Some((2, "")),
        b'y' => {
            if ends(w, b"ly") && room(2, 4) {
                Some((2, ""))
            } else if ends(w, b"ity") && room(3, 3) {
                Some((3, ""))
            } else if room(1, 4) {
                Some((1, ""))
            } else {
                None
            }
        }
        b'e' => {
            if ends(w, b"ive") && room(3, 3) {
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

/// The stem of a lower-cased word.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    stem_in_place(&mut w);
    w
}

/// [`stem`] without allocating: `word` becomes its stem.
pub fn stem_in_place(w: &mut String) {
    if w.len() <= 3 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    // 1. Plurals.
    let b = w.as_bytes();
    let n = b.len();
    if ends(b, b"ies") && n > 4 {
        w.truncate(n - 3);
        w.push('y');
    } else if ends(b, b"sses") {
        w.truncate(n - 2);
    } else if b[n - 1] == b's' && !matches!(b[n - 2], b's' | b'u' | b'i') {
        w.pop();
    }
    // 2. Derivational and inflectional endings.
    if let Some((cut, replacement)) = ending(w.as_bytes()) {
        w.truncate(w.len() - cut);
        w.push_str(replacement);
    }
    // 3. "stopped" → "stopp" → "stop", but keep "ll"/"ss"/"zz" (fall, pass, buzz).
    let b = w.as_bytes();
    let n = b.len();
    if n > 3
        && b[n - 1] == b[n - 2]
        && !matches!(
            b[n - 1],
            b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u'
        )
    {
        w.pop();
    }
    // 4.
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
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
}
