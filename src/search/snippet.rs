//! Result snippets: the passage of a post-mortem where the query's terms cluster, with
//! the matching words marked. Works on any tokenizer's output (byte offsets + normalised
//! token), so the CLI (tantivy's `en_stem`) and the static index share it.
//!
//! Guarantees: a snippet is at most about `max_chars` characters, whitespace runs are
//! folded to one space, cuts fall on character boundaries and are shown with `…`, and
//! marked parts are exactly the words whose normalised form matched.

/// A snippet as alternating plain and marked parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// `(text, marked)` parts in order.
    pub(crate) parts: Vec<(String, bool)>,
}

impl Snippet {
    /// The text without marks.
    pub(crate) fn plain(&self) -> String {
        self.parts.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// The text with marked parts between `open` and `close` (e.g. ANSI bold).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        for (text, marked) in &self.parts {
            if *marked {
                out.push_str(open);
                out.push_str(text);
                out.push_str(close);
            } else {
                out.push_str(text);
            }
        }
        out
    }
}

/// A token of the text: byte range and whether it matched the query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Which query term it matched (distinct terms count more than repeats).
    pub(crate) term: usize,
}

/// Build the snippet of `text` around the densest cluster of `hits` (sorted by start).
/// With no hits, the opening of the text.
pub(crate) fn make(text: &str, hits: &[TokenHit], max_chars: usize) -> Snippet {
    if text.trim().is_empty() {
        return Snippet::default();
    }
    let max_bytes = max_chars.max(20);
    // Best window: most distinct terms, then most hits, then earliest.
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, first hit index)
    for (i, first) in hits.iter().enumerate() {
        let mut terms: Vec<usize> = Vec::new();
        let mut count = 0;
        for h in &hits[i..] {
            if h.end - first.start > max_bytes {
                break;
            }
            count += 1;
            if !terms.contains(&h.term) {
                terms.push(h.term);
            }
        }
        let key = (terms.len(), count, i);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    let (start, end) = match best {
        Some((_, _, i)) => {
            let lead = (max_bytes / 5).min(hits[i].start);
            let start = word_start(text, hits[i].start - lead);
            (start, char_floor(text, (start + max_bytes).min(text.len())))
        }
        None => (0, char_floor(text, max_bytes.min(text.len()))),
    };
    let end = word_end(text, end, start);
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut push = |s: &str, marked: bool| {
        let folded = fold_spaces(s);
        if folded.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some((last, m)) if *m == marked => last.push_str(&folded),
            _ => parts.push((folded, marked)),
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut at = start;
    for h in hits.iter().filter(|h| h.start >= start && h.end <= end) {
        if h.start < at {
            continue;
        }
        push(&text[at..h.start], false);
        push(&text[h.start..h.end], true);
        at = h.end;
    }
    push(&text[at..end], false);
    if end < text.len() {
        push("…", false);
    }
    // Fold spaces across part borders and trim the ends.
    let mut snippet = Snippet { parts };
    dedupe_spaces(&mut snippet);
    snippet
}

fn fold_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn dedupe_spaces(snippet: &mut Snippet) {
    let mut prev_space = true;
    for (text, _) in snippet.parts.iter_mut() {
        if prev_space && text.starts_with(' ') {
            text.remove(0);
        }
        if !text.is_empty() {
            prev_space = text.ends_with(' ');
        }
    }
    if let Some((last, _)) = snippet.parts.last_mut() {
        let trimmed = last.trim_end().len();
        last.truncate(trimmed);
    }
    snippet.parts.retain(|(t, _)| !t.is_empty());
}

fn char_floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Move back to the start of the word containing `i`.
fn word_start(text: &str, i: usize) -> usize {
    let i = char_floor(text, i);
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) if i - ws < 24 => ws + text[ws..].chars().next().map_or(1, char::len_utf8),
        _ => i,
    }
}

/// Move back from `i` to the end of the last whole word, unless that loses too much.
fn word_end(text: &str, i: usize, start: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    match text[start..i].rfind(char::is_whitespace) {
        Some(ws) if i - (start + ws) < 24 => start + ws,
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits_for(text: &str, words: &[&str]) -> Vec<TokenHit> {
        let mut hits = Vec::new();
        let mut at = 0;
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            let start = text[at..].find(w).map(|i| at + i).unwrap_or(at);
            if let Some(term) = words
                .iter()
                .position(|x| !w.is_empty() && x.eq_ignore_ascii_case(w))
            {
                hits.push(TokenHit {
                    start,
                    end: start + w.len(),
                    term,
                });
            }
            at = start + w.len();
        }
        hits
    }

    #[test]
    fn picks_the_window_with_most_distinct_terms() {
        let text = "The pool was fine at first. Many unrelated words follow here to push things apart, \
                    and then    the connection pool was exhausted by a leak in the client.";
        let hits = hits_for(text, &["connection", "pool", "exhausted"]);
        let s = make(text, &hits, 80);
        assert!(s.plain().starts_with('…'), "{:?}", s.plain());
        assert!(
            s.plain()
                .contains("the connection pool was exhausted by a leak"),
            "{:?}",
            s.plain()
        );
        assert_eq!(s.marked("[", "]").matches('[').count(), 3);
        assert!(
            s.marked("[", "]")
                .contains("[connection] [pool] was [exhausted]")
        );
    }

    #[test]
    fn no_hits_gives_the_opening_and_multibyte_text_is_safe() {
        let text = "Größere Störung — ünïcödé everywhere, ".repeat(10);
        let s = make(&text, &[], 30);
        assert!(s.plain().starts_with("Größere"));
        assert!(s.plain().ends_with('…'));
        assert!(s.parts.iter().all(|(_, m)| !m));
        assert_eq!(make("   ", &[], 30), Snippet::default());
    }
}
