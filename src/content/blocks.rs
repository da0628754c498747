//! Line scanning of the body for the template's line-shaped constructs: bold fields
//! (`**Field**: value`, also `**Field:** value` and inside list items), bold-only lines
//! (`**1. Why …?**`), and list items (bullets, numbers, `[x]`/`[ ]` checkboxes) with their
//! indentation and continuation lines.
//!
//! Code blocks, HTML blocks, tables and headings (known from the Markdown pass) are never
//! scanned, so a field inside a code example is not a field. Each line is visited once.

use crate::content::markdown::MdDoc;

/// A `**Name**: value` field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The name as written, without the bold markers and colon.
    pub(crate) name: String,
    /// Normalised name: lower case, single spaces, `(s)` folded.
    pub(crate) key: String,
    /// The value, inline Markdown removed; may continue over following lines.
    pub(crate) value: String,
    pub(crate) line: usize,
    /// 1-based column of the value's first character.
    pub(crate) col: usize,
    /// Index into `Blocks::items` when the field is a list item.
    pub(crate) item: Option<usize>,
    /// List items right below the field (a field whose value is a list).
    pub(crate) items: Vec<usize>,
}

/// A list item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub(crate) line: usize,
    pub(crate) indent: usize,
    /// The content after the marker (and checkbox), as written, continuation lines joined.
    pub(crate) raw: String,
    /// `raw` with inline Markdown removed.
    pub(crate) text: String,
    pub(crate) checked: Option<bool>,
    pub(crate) ordered: bool,
}

/// A line that is bold and nothing else, e.g. `**1. Why did the site go down?**`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BoldLine {
    pub(crate) text: String,
    pub(crate) line: usize,
}

/// A plain text line (not a list item, field or bold line).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextLine {
    pub(crate) text: String,
    pub(crate) line: usize,
}

/// Everything the scan found, in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocks {
    pub(crate) fields: Vec<Field>,
    pub(crate) items: Vec<Item>,
    pub(crate) bold_lines: Vec<BoldLine>,
    pub(crate) text_lines: Vec<TextLine>,
}

/// Scan `body` (first line = `first_line`), skipping what `doc` marks as verbatim,
/// tables and headings.
pub(crate) fn scan(body: &str, first_line: usize, doc: &MdDoc) -> Blocks {
    let mut skip: Vec<(usize, usize)> = doc.verbatim_lines.clone();
    skip.extend(doc.table_lines.iter().copied());
    skip.extend(doc.headings.iter().map(|h| (h.line, h.last_line)));
    skip.sort_unstable();
    let mut skip_i = 0;

    let mut blocks = Blocks::default();
    // The field or item that following lines may continue.
    enum Open {
        None,
        Field(usize),
        Item(usize),
    }
    let mut open = Open::None;
    let mut list_field: Option<usize> = None;
    let mut blank_before = false;

    for (i, raw) in body.split('\n').enumerate() {
        let no = first_line + i;
        while skip_i < skip.len() && skip[skip_i].1 < no {
            skip_i += 1;
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if skip_i < skip.len() && skip[skip_i].0 <= no {
            open = Open::None;
            list_field = None;
            continue;
        }
        if line.trim().is_empty() {
            blank_before = true;
            if let Open::Field(_) = open {
                open = Open::None;
            }
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some((marker_end, ordered)) = list_marker(line) {
            let mut content = &line[marker_end..];
            let mut checked = None;
            for (mark, state) in [("[ ] ", false), ("[x] ", true), ("[X] ", true)] {
                if let Some(rest) = content.strip_prefix(mark) {
                    checked = Some(state);
                    content = rest;
                }
            }
            let item_index = blocks.items.len();
            blocks.items.push(Item {
                line: no,
                indent,
                raw: content.trim().to_string(),
                text: String::new(),
                checked,
                ordered,
            });
            let col = line.len() - content.len();
            if let Some(mut field) = field_at(content, line, col, no) {
                field.item = Some(item_index);
                blocks.fields.push(field);
            }
            match list_field {
                Some(f) if indent >= field_indent(&blocks, f) => {
                    blocks.fields[f].items.push(item_index)
                }
                _ => list_field = None,
            }
            open = Open::Item(item_index);
            blank_before = false;
            continue;
        }
        // Continuation of an item: indented, or a lazy line right after it.
        if let Open::Item(idx) = open {
            let item = &blocks.items[idx];
            if indent > item.indent || !blank_before {
                let joined = format!("{} {}", blocks.items[idx].raw, line.trim());
                blocks.items[idx].raw = joined;
                blank_before = false;
                continue;
            }
        }
        list_field = None;
        let trimmed = line.trim();
        if let Some(field) = field_at(trimmed, line, indent, no) {
            let idx = blocks.fields.len();
            if field.value.is_empty() {
                list_field = Some(idx);
            }
            blocks.fields.push(field);
            open = Open::Field(idx);
        } else if let Some(bold) = bold_line(trimmed) {
            blocks.bold_lines.push(BoldLine {
                text: bold,
                line: no,
            });
            open = Open::None;
        } else if let Open::Field(idx) = open {
            let f = &mut blocks.fields[idx];
            let more = plain(trimmed);
            if f.value.is_empty() {
                f.value = more;
            } else {
                f.value.push(' ');
                f.value.push_str(&more);
            }
        } else {
            blocks.text_lines.push(TextLine {
                text: plain(trimmed),
                line: no,
            });
        }
        blank_before = false;
    }
    for item in &mut blocks.items {
        item.text = plain(&item.raw);
    }
    blocks
}

fn field_indent(blocks: &Blocks, field: usize) -> usize {
    blocks.fields[field]
        .item
        .map_or(0, |i| blocks.items[i].indent + 1)
}

/// End of the list marker (and following space) when `line` is a list item.
fn list_marker(line: &str) -> Option<(usize, bool)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let b = rest.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'-' | b'*' | b'+') && (b[1] == b' ' || b[1] == b'\t') {
        // `**bold**` at line start is not a bullet; `* ` is.
        return Some((indent + 2, false));
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && b.len() > digits + 1
        && matches!(b[digits], b'.' | b')')
        && (b[digits + 1] == b' ' || b[digits + 1] == b'\t')
    {
        return Some((indent + digits + 2, true));
    }
    None
}

/// A field at the start of `content` (which sits at byte `col_base` of `line`).
fn field_at(content: &str, line: &str, col_base: usize, no: usize) -> Option<Field> {
    let inner = content.strip_prefix("**")?;
    let close = inner.find("**")?;
    let name = &inner[..close];
    let after = &inner[close + 2..];
    let (name, value) = if let Some(n) = name.strip_suffix(':') {
        (n, after)
    } else {
        (name, after.trim_start().strip_prefix(':')?)
    };
    let name = name.trim();
    if name.is_empty() || name.len() > 80 {
        return None;
    }
    let value_start = value.len() - value.trim_start().len();
    let value_byte = col_base + (content.len() - value.len()) + value_start;
    let col = line
        .get(..value_byte.min(line.len()))
        .map_or(1, |p| p.chars().count() + 1);
    Some(Field {
        name: plain(name),
        key: field_key(name),
        value: plain(value.trim()),
        line: no,
        col,
        item: None,
        items: Vec::new(),
    })
}

/// Normalised field name.
pub(crate) fn field_key(name: &str) -> String {
    let lower = plain(name)
        .to_lowercase()
        .replace("(s)", "s")
        .replace(['-', '_'], " ");
    lower
        .trim_end_matches([':', '?'])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a line that is entirely bold.
fn bold_line(trimmed: &str) -> Option<String> {
    let inner = trimmed.strip_prefix("**")?.strip_suffix("**")?;
    (!inner.is_empty() && !inner.contains("**")).then(|| plain(inner))
}

/// Inline Markdown removed: emphasis markers, code ticks, links and images reduced to
/// their text, autolinks to their URL. Not a full parser; good for field values.
pub(crate) fn plain(s: &str) -> String {
    // Most lines have no inline markup: skip the character walk.
    if !s.contains(['*', '`', '_', '~', '[', '<', '!']) {
        return s.trim().to_string();
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' | '`' => {}
            '_' if (i + 1 < chars.len() && chars[i + 1] == '_')
                || (i > 0 && chars[i - 1] == '_') => {}
            '~' if i + 1 < chars.len() && chars[i + 1] == '~' => i += 1,
            '!' if chars.get(i + 1) == Some(&'[') => {}
            '[' => {
                // `[text](url)` → text; `[text]` stays.
                if let Some(close) = chars[i + 1..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| i + 1 + p)
                    && chars.get(close + 1) == Some(&'(')
                    && let Some(end) = chars[close + 2..]
                        .iter()
                        .position(|&c| c == ')')
                        .map(|p| close + 2 + p)
                {
                    let text: String = chars[i + 1..close].iter().collect();
                    out.push_str(&plain(&text));
                    i = end + 1;
                    continue;
                }
                out.push(c);
            }
            '<' => {
                if let Some(close) = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '>')
                    .map(|p| i + 1 + p)
                {
                    let inner: String = chars[i + 1..close].iter().collect();
                    if inner.contains("://") || inner.starts_with("mailto:") {
                        out.push_str(&inner);
                        i = close + 1;
                        continue;
                    }
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown::analyse;

    fn blocks(body: &str) -> Blocks {
        scan(body, 1, &analyse(body, 1, true))
    }

    #[test]
    fn fields_items_and_bold_lines() {
        let body = "# T\n\n**Date of Incident**: 2025-10-26\n**Severity:** SEV2\n\n**What Happened**: It broke\nand stayed broken.\n\n**Services Affected**:\n- ✅ API (down)\n  - detail\n- ❌ Auth\n\n**1. Why did it break?**\n→ Because.\n\n```\n**Not**: a field\n```\n- [x] **Owner**: [Jane](x.md) done\n";
        let b = blocks(body);
        let keys: Vec<(&str, &str, usize, usize)> = b
            .fields
            .iter()
            .map(|f| (f.key.as_str(), f.value.as_str(), f.line, f.col))
            .collect();
        assert_eq!(
            keys,
            [
                ("date of incident", "2025-10-26", 3, 23),
                ("severity", "SEV2", 4, 15),
                ("what happened", "It broke and stayed broken.", 6, 20),
                ("services affected", "", 9, 23),
                ("owner", "Jane done", 20, 18),
            ]
        );
        assert_eq!(b.fields[3].items, [0, 1, 2]);
        assert_eq!(b.items[0].text, "✅ API (down)");
        assert_eq!(b.items[1].indent, 2);
        assert_eq!(
            b.bold_lines,
            [BoldLine {
                text: "1. Why did it break?".into(),
                line: 14
            }]
        );
        assert_eq!(b.text_lines[0].text, "→ Because.");
        assert_eq!(b.items[3].checked, Some(true));
    }

    #[test]
    fn plain_strips_inline_markdown() {
        assert_eq!(
            plain("**Bold** and `code` [link](http://x) ~~old~~ <https://a.b>"),
            "Bold and code link old https://a.b"
        );
        assert_eq!(plain("snake_case stays"), "snake_case stays");
    }
}
