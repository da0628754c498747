//! Slugs: the URL-safe names of incidents, labels and headings. Every layer that makes
//! a name for a URL or an anchor calls this one function, so links always agree.

/// Lower-case ASCII letters and digits; letters outside ASCII are transliterated
/// (`Ünïcödé` → `unicode`, `Zürich` → `zurich`); other runs of characters (spaces,
/// punctuation, symbols, emoji) become one `-`. Never empty: a term with no letters or
/// digits becomes `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let push = |c: char, out: &mut String| {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    };
    for c in s.chars() {
        if c.is_ascii() || !c.is_alphanumeric() {
            push(c, &mut out);
        } else {
            match deunicode::deunicode_char(c) {
                Some(ascii) => ascii.chars().for_each(|a| push(a, &mut out)),
                None => push(' ', &mut out),
            }
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "-".to_string()
    } else {
        out.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_ascii_and_transliterated() {
        assert_eq!(slug("Ünïcödé / slashes: & co"), "unicode-slashes-co");
        assert_eq!(
            slug("PM2021-008 - Ingress configuration caused outage"),
            "pm2021-008-ingress-configuration-caused-outage"
        );
        assert_eq!(slug("Zürich DC — Straße"), "zurich-dc-strasse");
        assert_eq!(slug("🔥"), "-");
        assert_eq!(slug("a 🔥 b"), "a-b");
        assert_eq!(slug("../../x"), "x");
    }
}
