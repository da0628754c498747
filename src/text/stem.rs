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

/// Endings of step 2, longest first, with their replacements.
const ENDINGS: [(&str, &str); 14] = [
    ("ization", "ize"),
    ("ational", "ate"),
    ("ation", ""),
    ("ition", ""),
    ("ness", ""),
    ("ment", ""),
    ("ing", ""),
    ("ion", ""),
    ("ed", ""),
    ("ly", ""),
    ("ity", ""),
    ("ive", ""),
    ("y", ""),
    ("e", ""),
];

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
    if w.ends_with("ies") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    // 2. Derivational and inflectional endings.
    for (ending, replacement) in ENDINGS {
        if let Some(base) = w.strip_suffix(ending)
            && base.len() + replacement.len() >= if ending.len() <= 2 { 4 } else { 3 }
        {
            if ending == "ion" && !base.ends_with(['t', 's', 'x']) {
                continue;
            }
            let keep = base.len();
            w.truncate(keep);
            w.push_str(replacement);
            break;
        }
    }
    // 3. "stopped" → "stopp" → "stop", but keep "ll"/"ss"/"zz" (fall, pass, buzz).
    let bytes = w.as_bytes();
    if bytes.len() > 3 {
        let (a, b) = (bytes[bytes.len() - 1], bytes[bytes.len() - 2]);
        if a == b && !matches!(a, b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u') {
            w.pop();
        }
    }
    // 4.
    if w.ends_with('e') && w.len() > 4 {
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
