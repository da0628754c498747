//! Words for people, shared by every layer that writes them: counted nouns and HTML
//! escaping. One of each, so the CLI, the pages and serve's overlay say things alike.

/// `count` followed by `one` or `many`: "1 error", "3 errors".
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The plural ending of `count`: "" for one, "s" otherwise.
pub fn s(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// `text` trimmed to at most `max` characters, cut at a word and ended with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_at_a_word() {
        assert_eq!(clip("  short  ", 10), "short");
        assert_eq!(
            clip("the certificate had expired", 20),
            "the certificate had…"
        );
        assert_eq!(plural(1, "error", "errors"), "1 error");
        assert_eq!(plural(2, "error", "errors"), "2 errors");
    }
}
