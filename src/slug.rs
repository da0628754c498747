//! Slugs: the URL-safe names of incidents, labels and headings. Every layer that makes
//! a name for a URL or an anchor calls this one function, so links always agree.

/// Lower-case ASCII letters and digits, other runs of characters become one `-`.
/// Never empty: a term with no letters or digits becomes `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "-".to_string()
    } else {
        out.to_string()
    }
}
