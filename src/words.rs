//! Words for people, shared by every layer that writes them: counted nouns, HTML
//! escaping and the edit distance behind every "did you mean". One of each, so the CLI,
//! the pages and serve's overlay say things alike.

/// Escape text for HTML and SVG (content and attribute values), as tera's autoescape
/// does: the one HTML escaper (pages through tera, charts, serve's overlay).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

/// `esc` appended to `out`.
pub(crate) fn esc_into(out: &mut String, s: &str) {
    escape_runs(s, |part| out.push_str(part));
}

/// `esc` as tera's escape function (`render::Renderer` registers it): the same output as
/// tera's own, but plain runs are written in one go rather than byte by byte, which
/// matters for pages with thousands of marks and rows.
pub(crate) fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    escape_runs(input, |part| {
        if result.is_ok() {
            result = out.write_all(part.as_bytes());
        }
    });
    result
}

/// Hand `s` to `put` in pieces: runs without special characters whole, entities for
/// `& < > " '`.
fn escape_runs(s: &str, mut put: impl FnMut(&str)) {
    let mut rest = s;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        put(&rest[..at]);
        put(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    put(rest);
}

/// Edits (insert, delete, substitute, or swap two neighbours) between `a` and `b`, in
/// characters: the optimal-string-alignment distance, so `promethues` is one edit from
/// `prometheus`, as typists count.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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

/// `count` followed by `one` or `many`: "1 error", "3 errors".
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The plural ending of `count`: "" for one, "s" otherwise.
pub(crate) fn s(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// A duration in minutes as every page, dashboard and tooltip writes it. One rule:
/// under an hour, whole minutes (`45 min`); under two days, hours and minutes, the
/// minutes left out when there are none (`1 h 28 min`, `22 h`); from two days on, days
/// and hours, rounded to the hour (`3 d 4 h`, `5 d`). Medians and percentiles are
/// rounded to the minute first. Negative durations keep their sign (`-5 min`).
pub(crate) fn duration(minutes: f64) -> String {
    if !minutes.is_finite() {
        return "unknown".to_string();
    }
    let sign = if minutes.round() < 0.0 { "-" } else { "" };
    let m = minutes.abs().round().min(1e15) as u64;
    if m < 60 {
        format!("{sign}{m} min")
    } else if m < 48 * 60 {
        match m % 60 {
            0 => format!("{sign}{} h", m / 60),
            rest => format!("{sign}{} h {rest} min", m / 60),
        }
    } else {
        let hours = (m + 30) / 60;
        match hours % 24 {
            0 => format!("{sign}{} d", hours / 24),
            rest => format!("{sign}{} d {rest} h", hours / 24),
        }
    }
}

/// `text` trimmed to at most `max` characters, cut at a word and ended with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
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
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("certif", "certifc"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(
            edit_distance("promethues", "prometheus"),
            1,
            "a swap is one edit"
        );
    }

    #[test]
    fn durations_follow_one_rule() {
        for (minutes, text) in [
            (0.0, "0 min"),
            (22.5, "23 min"),
            (59.0, "59 min"),
            (60.0, "1 h"),
            (88.0, "1 h 28 min"),
            (22.0 * 60.0, "22 h"),
            (47.0 * 60.0 + 59.0, "47 h 59 min"),
            (48.0 * 60.0, "2 d"),
            (3.0 * 1440.0 + 4.0 * 60.0 + 7.0, "3 d 4 h"),
            (3.0 * 1440.0 + 4.0 * 60.0 + 31.0, "3 d 5 h"),
            (8876.0, "6 d 4 h"),
            (-5.0, "-5 min"),
            (f64::NAN, "unknown"),
        ] {
            assert_eq!(duration(minutes), text, "{minutes}");
        }
    }

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
