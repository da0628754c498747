//! The shared tokenizer ([`crate::text::Terms`]) as a tantivy tokenizer, so `hindsight
//! search`, the browser index and `search.js` agree on words and phrases. Positions
//! count kept terms only, so a phrase skips core stop words the same way everywhere
//! (`"pool of connections"` matches `pool connections`).

use crate::text::Terms;

/// The tokenizer registered on the CLI's tantivy index.
#[derive(Clone, Default)]
pub(crate) struct TantivyTokenizer {
    token: tantivy::tokenizer::Token,
}

/// A running [`TantivyTokenizer`] over one text.
pub(crate) struct TantivyTokenStream<'a> {
    terms: Terms<'a>,
    token: &'a mut tantivy::tokenizer::Token,
    position: usize,
}

impl tantivy::tokenizer::Tokenizer for TantivyTokenizer {
    type TokenStream<'a> = TantivyTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TantivyTokenStream<'a> {
        self.token.reset();
        TantivyTokenStream {
            terms: Terms::new(text),
            token: &mut self.token,
            position: 0,
        }
    }
}

impl tantivy::tokenizer::TokenStream for TantivyTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.terms.next_into(&mut self.token.text) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    #[test]
    fn tantivy_sees_the_shared_terms_with_offsets_and_kept_positions() {
        let text = "Pool of Connections exhausted";
        let mut tokenizer = TantivyTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((
                t.text.clone(),
                &text[t.offset_from..t.offset_to],
                t.position,
            ));
        }
        assert_eq!(
            seen,
            [
                ("pool".to_string(), "Pool", 0),
                ("connect".to_string(), "Connections", 1),
                ("exhaust".to_string(), "exhausted", 2),
            ]
        );
        assert_eq!(
            crate::text::terms(text),
            seen.iter().map(|s| s.0.clone()).collect::<Vec<_>>()
        );
    }
}
