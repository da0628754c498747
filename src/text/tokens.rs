//! What a word is: a maximal run of letters and digits (`char::is_alphanumeric`),
//! lower-cased, [`MIN_CHARS`] to [`MAX_CHARS`] characters long. Offsets are byte ranges
//! of the text, so a reader can mark the words it matched.

/// Shorter runs (single letters and digits) are not tokens.
pub(crate) const MIN_CHARS: usize = 2;
/// Longer runs (hashes, encoded blobs) are not tokens.
pub(crate) const MAX_CHARS: usize = 40;

/// The tokens of a text as a pull iterator that writes each lower-cased token into a
/// buffer the caller reuses (every word of the archive passes through here).
pub(crate) struct Tokens<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Tokens { text, pos: 0 }
    }

    /// The byte range of the next token, its lower-cased form written into `buf`;
    /// `None` at the end of the text.
    #[inline]
    pub(crate) fn next_into(&mut self, buf: &mut String) -> Option<(usize, usize)> {
        let (s, e, ascii) = self.next_span()?;
        let word = &self.text[s..e];
        buf.clear();
        if ascii {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            buf.push_str(&word.to_lowercase());
        }
        Some((s, e))
    }

    /// The byte range of the next token and whether it is all ASCII, without
    /// lower-casing it: for a reader that lower-cases the whole text once and borrows
    /// each token from that copy (`str::to_ascii_lowercase` keeps the offsets).
    #[inline]
    pub(crate) fn next_span(&mut self) -> Option<(usize, usize, bool)> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            // The next run of letters and digits, bytewise while the text is ASCII.
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
            let chars = if ascii {
                e - s
            } else {
                text[s..e].chars().count()
            };
            if (MIN_CHARS..=MAX_CHARS).contains(&chars) {
                return Some((s, e, ascii));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut buf = String::new();
        let mut it = Tokens::new(text);
        while let Some((s, e)) = it.next_into(&mut buf) {
            out.push((s, e, buf.clone()));
        }
        out
    }

    #[test]
    fn runs_of_letters_and_digits_lower_cased_with_byte_offsets() {
        let text = "The pool's Größe at 10:32, x ÇA";
        let t = all(text);
        let words: Vec<&str> = t.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(words, ["the", "pool", "größe", "at", "10", "32", "ça"]);
        assert_eq!(&text[t[2].0..t[2].1], "Größe");
    }

    #[test]
    fn length_counts_characters() {
        let long = "a".repeat(MAX_CHARS);
        assert_eq!(all(&long).len(), 1);
        assert!(all(&format!("{long}b")).is_empty());
        // Two characters, four bytes: a token; one character of two bytes: not.
        assert_eq!(all("éé é").len(), 1);
    }
}
