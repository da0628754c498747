//! The one stop-word list, in three tiers: [`Tier::Core`] words are dropped by every
//! reader (both searches, the taxonomy's phrases and related-incident features),
//! [`Tier::Phrases`] words by the taxonomy's phrase matcher and the features, and
//! [`Tier::Features`] words only from related-incident features.
//!
//! Why tiers: the feature vectors ask *which cause* two write-ups share, so they drop
//! function words and the vocabulary every post-mortem shares (incident, customers,
//! outage, root cause, weekdays, months). A reader searching for `outage`, `customer`,
//! `error` or `"went down"` means those words, so search drops only the core tier: the
//! articles, auxiliaries and prepositions that say nothing in a query either (a phrase
//! skips them, so `"pool of connections"` matches `pool connections`). The taxonomy's
//! phrases (`crate::taxonomy`) also skip pronouns, quantifiers and modal verbs ("we",
//! "all", "would"), so `ran out of disk space` matches "we ran out of all disk space";
//! negations (`no`, `not`, `nor`) are in no tier before [`Tier::Features`], since a
//! phrase must see them.
//!
//! Lookups compare each word as one integer against a table packed at compile time, and
//! a word longer than the longest stop word of its tier is let through by its length
//! alone (this runs for every word of the archive).

/// Which readers drop a stop word; a reader drops its tier and those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Dropped everywhere: search terms, phrases and features.
    Core,
    /// Dropped from the taxonomy's phrases and from features (and the core words too).
    Phrases,
    /// Dropped from related-incident features only (and the words of the tiers before).
    Features,
}

use Tier::{Core, Features, Phrases};

/// Every stop word and its tier, sorted (the packed tables depend on it).
pub const STOP_WORDS: &[(&str, Tier)] = &[
    ("about", Features),
    ("above", Features),
    ("access", Features),
    ("action", Features),
    ("actions", Features),
    ("affect", Features),
    ("affected", Features),
    ("after", Features),
    ("again", Features),
    ("against", Features),
    ("alert", Features),
    ("alerted", Features),
    ("all", Phrases),
    ("also", Phrases),
    ("am", Features),
    ("an", Core),
    ("analysis", Features),
    ("and", Core),
    ("any", Features),
    ("apologize", Features),
    ("apr", Features),
    ("april", Features),
    ("are", Core),
    ("around", Features),
    ("as", Core),
    ("at", Core),
    ("aug", Features),
    ("august", Features),
    ("be", Core),
    ("because", Features),
    ("been", Core),
    ("before", Features),
    ("being", Phrases),
    ("below", Features),
    ("between", Features),
    ("both", Phrases),
    ("but", Core),
    ("by", Core),
    ("can", Features),
    ("cannot", Features),
    ("caus", Features),
    ("cause", Features),
    ("caused", Features),
    ("causes", Features),
    ("could", Phrases),
    ("customer", Features),
    ("customers", Features),
    ("day", Features),
    ("dec", Features),
    ("december", Features),
    ("did", Phrases),
    ("do", Phrases),
    ("does", Phrases),
    ("doing", Features),
    ("down", Features),
    ("due", Features),
    ("during", Features),
    ("each", Phrases),
    ("engineer", Features),
    ("engineers", Features),
    ("error", Features),
    ("errors", Features),
    ("event", Features),
    ("ever", Features),
    ("feb", Features),
    ("february", Features),
    ("few", Features),
    ("for", Core),
    ("friday", Features),
    ("from", Core),
    ("further", Features),
    ("had", Core),
    ("has", Core),
    ("have", Core),
    ("having", Features),
    ("he", Features),
    ("her", Phrases),
    ("here", Features),
    ("hers", Features),
    ("him", Features),
    ("his", Phrases),
    ("hour", Features),
    ("hours", Features),
    ("how", Features),
    ("however", Features),
    ("if", Features),
    ("impact", Features),
    ("impacted", Features),
    ("in", Core),
    ("incident", Features),
    ("incidents", Features),
    ("into", Core),
    ("is", Core),
    ("issue", Features),
    ("issues", Features),
    ("it", Core),
    ("its", Core),
    ("itself", Phrases),
    ("jan", Features),
    ("january", Features),
    ("jul", Features),
    ("july", Features),
    ("jun", Features),
    ("june", Features),
    ("just", Phrases),
    ("led", Features),
    ("mar", Features),
    ("march", Features),
    ("may", Features),
    ("me", Features),
    ("minute", Features),
    ("minutes", Features),
    ("monday", Features),
    ("more", Features),
    ("most", Features),
    ("must", Features),
    ("my", Phrases),
    ("no", Features),
    ("nor", Features),
    ("not", Features),
    ("nov", Features),
    ("november", Features),
    ("now", Features),
    ("oct", Features),
    ("october", Features),
    ("of", Core),
    ("off", Features),
    ("on", Core),
    ("once", Features),
    ("one", Phrases),
    ("only", Features),
    ("onto", Phrases),
    ("or", Core),
    ("other", Features),
    ("our", Core),
    ("ours", Features),
    ("out", Features),
    ("outage", Features),
    ("over", Features),
    ("own", Features),
    ("pm", Features),
    ("postmortem", Features),
    ("problem", Features),
    ("resolved", Features),
    ("result", Features),
    ("resulted", Features),
    ("root", Features),
    ("same", Features),
    ("saturday", Features),
    ("sep", Features),
    ("sept", Features),
    ("september", Features),
    ("service", Features),
    ("services", Features),
    ("sev", Features),
    ("should", Phrases),
    ("since", Features),
    ("so", Core),
    ("some", Phrases),
    ("still", Phrases),
    ("such", Features),
    ("sunday", Features),
    ("team", Features),
    ("than", Features),
    ("that", Core),
    ("the", Core),
    ("their", Core),
    ("theirs", Features),
    ("them", Features),
    ("themselves", Phrases),
    ("then", Phrases),
    ("there", Features),
    ("these", Phrases),
    ("they", Phrases),
    ("this", Core),
    ("those", Phrases),
    ("through", Features),
    ("thursday", Features),
    ("time", Features),
    ("to", Core),
    ("too", Features),
    ("tuesday", Features),
    ("under", Features),
    ("until", Features),
    ("up", Features),
    ("us", Features),
    ("user", Features),
    ("users", Features),
    ("utc", Features),
    ("very", Phrases),
    ("was", Core),
    ("we", Phrases),
    ("wednesday", Features),
    ("were", Core),
    ("what", Features),
    ("when", Features),
    ("where", Features),
    ("which", Phrases),
    ("while", Features),
    ("who", Phrases),
    ("whom", Features),
    ("why", Features),
    ("will", Phrases),
    ("with", Core),
    ("within", Features),
    ("would", Phrases),
    ("yes", Features),
    ("you", Features),
    ("your", Phrases),
];

/// Whether `word` (lower-cased) is a stop word for a reader that drops `tier`.
#[inline]
pub(crate) fn is_stop(word: &str, tier: Tier) -> bool {
    let bytes = word.as_bytes();
    match tier {
        Core => {
            bytes.len() <= CORE_MAX_BYTES
                && CORE_PACKED
                    .binary_search(&((key(bytes) >> 64) as u64))
                    .is_ok()
        }
        Phrases => {
            bytes.len() <= PHRASES_MAX_BYTES && PHRASES_PACKED.binary_search(&key(bytes)).is_ok()
        }
        Features => bytes.len() <= ALL_MAX_BYTES && ALL_PACKED.binary_search(&key(bytes)).is_ok(),
    }
}

/// [`pack`] of up to 16 bytes at run time, a byte at a time (no call to `memcpy` for a
/// word of a few bytes).
#[inline]
fn key(bytes: &[u8]) -> u128 {
    let mut v = 0u128;
    for &b in bytes {
        v = (v << 8) | u128::from(b);
    }
    v.checked_shl(8 * (16 - bytes.len() as u32)).unwrap_or(0)
}

/// Up to 16 bytes as one integer, ordered like the byte strings (a prefix first): the
/// big-endian reading of the bytes padded with zeros.
const fn pack(word: &str) -> u128 {
    let bytes = word.as_bytes();
    let mut v = 0u128;
    let mut i = 0;
    while i < 16 {
        v <<= 8;
        if i < bytes.len() {
            v |= bytes[i] as u128;
        }
        i += 1;
    }
    v
}

const fn count(tier: Tier) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].1 as u8 <= tier as u8 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The words of `tier` and before, packed, in list order (so sorted).
const fn packed<const N: usize>(tier: Tier) -> [u128; N] {
    let mut out = [0u128; N];
    let (mut i, mut k) = (0, 0);
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].1 as u8 <= tier as u8 {
            out[k] = pack(STOP_WORDS[i].0);
            k += 1;
        }
        i += 1;
    }
    out
}

/// [`packed`] in 8 bytes (the same order), for a tier whose words all fit.
const fn packed8<const N: usize>(tier: Tier) -> [u64; N] {
    let wide: [u128; N] = packed(tier);
    let mut out = [0u64; N];
    let mut i = 0;
    while i < N {
        out[i] = (wide[i] >> 64) as u64;
        i += 1;
    }
    out
}

const fn max_bytes(tier: Tier) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < STOP_WORDS.len() {
        let len = STOP_WORDS[i].0.len();
        if STOP_WORDS[i].1 as u8 <= tier as u8 && len > max {
            max = len;
        }
        i += 1;
    }
    max
}

const CORE_PACKED: [u64; count(Core)] = packed8(Core);
const PHRASES_PACKED: [u128; count(Phrases)] = packed(Phrases);
const ALL_PACKED: [u128; count(Features)] = packed(Features);
const CORE_MAX_BYTES: usize = max_bytes(Core);
const PHRASES_MAX_BYTES: usize = max_bytes(Phrases);
const ALL_MAX_BYTES: usize = max_bytes(Features);
const _: () = assert!(ALL_MAX_BYTES <= 16, "stop words are packed in 16 bytes");
const _: () = assert!(CORE_MAX_BYTES <= 8, "core stop words are packed in 8 bytes");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_the_tables_match_it() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CORE_PACKED.windows(2).all(|w| w[0] < w[1]));
        assert!(PHRASES_PACKED.windows(2).all(|w| w[0] < w[1]));
        assert!(ALL_PACKED.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(CORE_MAX_BYTES, 5);
        assert_eq!(PHRASES_MAX_BYTES, 10);
        for &(word, tier) in STOP_WORDS {
            assert!(is_stop(word, Features), "{word}");
            assert_eq!(is_stop(word, Phrases), tier <= Phrases, "{word}");
            assert_eq!(is_stop(word, Core), tier == Core, "{word}");
        }
    }

    #[test]
    fn keys_are_packed_words() {
        for w in ["", "a", "the", "themselves", "abcdefghijklmnop"] {
            assert_eq!(key(w.as_bytes()), pack(w), "{w}");
        }
    }

    #[test]
    fn other_words_pass() {
        for w in [
            "",
            "x",
            "ab",
            "thee",
            "tha",
            "withs",
            "zz",
            "connection",
            "a",
        ] {
            assert!(!is_stop(w, Core) && !is_stop(w, Features), "{w}");
        }
        for w in ["outage", "customers", "after", "not"] {
            assert!(is_stop(w, Features) && !is_stop(w, Core), "{w}");
        }
        // Phrases see negations, and skip pronouns and modal verbs that search keeps.
        for w in ["not", "no", "nor", "never", "without", "outage", "down"] {
            assert!(!is_stop(w, Phrases), "{w}");
        }
        for w in ["we", "all", "would", "themselves", "the"] {
            assert!(is_stop(w, Phrases), "{w}");
        }
        assert!(is_stop("the", Core));
        assert!(!is_stop("postmortems", Features));
    }
}
