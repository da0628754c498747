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
