//! Words for people, shared by every layer that writes them: counted nouns, HTML
//! escaping and the edit distance behind every "did you mean". One of each, so the CLI,
//! the pages and serve's overlay say things alike.

/// `count` followed by `one` or `many`: "1 error", "3 errors".
/// Edits (insert, delete, substitute, or swap two neighbours) between `a` and `b`, in
/// characters: the optimal-string-alignment distance, so `promethues` is one edit from
/// `prometheus`, as typists count.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![(0..=b.len()).collect::<Vec<usize>>()];
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let substitute = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            row[j] = substitute.min(rows[i - 1][j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(rows[i - 2][j - 2] + 1);
            }
        }
        rows.push(row);
    }
    rows[a.len()][b.len()]
}

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
