//! The text pipeline every reader shares: what a word is (`tokens`), which words carry
//! nothing ([`stop`]) and how the forms of a word meet (`stem`). Related-incident
//! features (`analysis::text`), the CLI's tantivy index and the browser index
//! (`search::text`, `search::static_index`) and the failure-mode taxonomy's phrases and
//! inferred causes (`taxonomy`, with its own negations over these words) read text only
//! through it, and
//! `themes/default/static/search.js` repeats it rule for rule for browser queries
//! (`tests/it/browser.rs` compares the two over [`AGREEMENT_SAMPLE`]). Depends on std
//! only.

pub(crate) mod stem;
pub mod stop;
pub(crate) mod tokens;

pub(crate) use stem::{stem, stem_cow, stem_in_place};
pub(crate) use stop::{Tier, is_stop};
pub(crate) use tokens::Tokens;

/// Search terms: tokens that are not [`Tier::Core`] stop words, stemmed. Each call writes
/// the next term into a buffer the caller reuses.
pub(crate) struct Terms<'a> {
    tokens: Tokens<'a>,
}

impl<'a> Terms<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Terms {
            tokens: Tokens::new(text),
        }
    }

    /// The byte range of the next term in the text, the term written into `buf`.
    #[inline]
    pub(crate) fn next_into(&mut self, buf: &mut String) -> Option<(usize, usize)> {
        loop {
            let range = self.tokens.next_into(buf)?;
            if !is_stop(buf, Tier::Core) {
                stem_in_place(buf);
                return Some(range);
            }
        }
    }
}

/// Call `f(start, end, term)` for every search term of `text`.
pub(crate) fn for_each_term(text: &str, mut f: impl FnMut(usize, usize, &str)) {
    let mut buf = String::new();
    let mut it = Terms::new(text);
    while let Some((start, end)) = it.next_into(&mut buf) {
        f(start, end, &buf);
    }
}

/// The search terms of `text` (of a query, a synonym, a phrase).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |_, _, term| out.push(term.to_string()));
    out
}

/// Words the browser test turns into terms in JavaScript and compares with [`terms`].
pub const AGREEMENT_SAMPLE: &str = "Certificates certificate expired expires expiring expiry queries retried retries running stopped \
     caches cached caching processes status analysis DNS pods failed failures timeouts degraded exhausted \
     pool's don't Größe Ünïcödé naïve ÇA 10:32 v2 x 2025-10-26 connection-pool A the and rolling rolled \
     misconfigured misconfiguration deployed deploys deploying deployment leaks leaking leaked hosts hosting fixes fixing \
     fizzes buzzing filled filling sees agreed ties dies is us bus gas gases classes address addressed \
     connection connections exhaustion rotation sessions version lion motion station mixing axes \
     organization relational conditional happiness payment quickly activity massive nearly syncs v2s 3ds \
     deploy deploys delays delayed keys proxies proxy retried applied denied flies dies we'll didn't wasn’t";

/// A digest of how this pipeline reads text: the stop words with their tiers and the
/// terms of [`AGREEMENT_SAMPLE`]. An index in the cache records it, so a hindsight whose
/// tokenizer, stop list or stemmer reads differently rebuilds the index instead of
/// searching old terms with new ones.
pub(crate) fn digest() -> String {
    let mut h = blake3::Hasher::new();
    for (word, tier) in stop::STOP_WORDS {
        h.update(word.as_bytes());
        h.update(&[0, *tier as u8, 0]);
    }
    for term in terms(AGREEMENT_SAMPLE) {
        h.update(term.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_follows_the_stemmer() {
        assert_eq!(digest(), digest());
        assert_eq!(digest().len(), 16);
        // The sample holds words whose stems the digest must see.
        let terms = terms(AGREEMENT_SAMPLE);
        assert!(terms.contains(&stem("certificates")) && terms.contains(&stem("deployed")));
    }

    #[test]
    fn terms_drop_core_stop_words_and_stem() {
        let text = "The pool's Größe at 10:32, x; outage after connections";
        let mut found = Vec::new();
        for_each_term(text, |s, e, t| found.push((&text[s..e], t.to_string())));
        let terms: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            terms,
            ["pool", "größe", "10", "32", "outag", "after", "connect"]
        );
        assert_eq!(found[1].0, "Größe");
        assert_eq!(found[6].0, "connections");
    }
}
