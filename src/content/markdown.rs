//! The single Markdown pass over a post-mortem body.
//!
//! pulldown-cmark parses the body once (tables, strikethrough, task lists, footnotes);
//! from that one event stream this module derives everything the other parsers need:
//! headings with their lines and unique anchors (`toc`), tables with their rows' lines,
//! top-level paragraphs, the plain text of each section, links, the line ranges of code
//! blocks, the rendered HTML and the plain text.
//!
//! Guarantees: heading `id`s are the slug of the heading text, `-2`, `-3`… for repeats,
//! and equal the anchors in `toc`. Link and image URLs with a scheme other than http(s),
//! mailto, tel or ftp (e.g. `javascript:`) are replaced by `#`. Raw HTML is sanitised with
//! ammonia when asked; a body without raw HTML never needs it (pulldown-cmark escapes
//! text), which keeps the common case cheap. Output depends only on the input.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::model::TocEntry;

/// A heading of the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heading {
    pub(crate) level: u8,
    pub(crate) text: String,
    pub(crate) anchor: String,
    /// Absolute 1-based line of the heading.
    pub(crate) line: usize,
    /// Absolute line of the last line of the heading (setext headings use two).
    pub(crate) last_line: usize,
}

/// A table: header cells and rows, each cell as plain text.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Table {
    pub(crate) line: usize,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<TableRow>,
    /// Index of the section the table is in (see `MdDoc::section_text`).
    pub(crate) section: usize,
    pub(crate) last_line: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TableRow {
    pub(crate) line: usize,
    pub(crate) cells: Vec<String>,
    /// First link target in each cell, if any.
    pub(crate) links: Vec<Option<String>>,
}

/// A top-level paragraph (not inside a list, table or quote).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Paragraph {
    pub(crate) line: usize,
    pub(crate) text: String,
    /// True when the paragraph opens with bold text (`**Field**: value` lines).
    pub(crate) starts_bold: bool,
    pub(crate) section: usize,
}

/// A link in the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    pub(crate) dest: String,
    pub(crate) text: String,
    pub(crate) line: usize,
    pub(crate) section: usize,
}

/// What a top-level block of the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Heading(u8),
    Paragraph,
    List,
    Table,
    Other,
}

/// A top-level block of the body: its lines and where its HTML is in `MdDoc::raw_html`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) kind: BlockKind,
    /// Absolute lines, inclusive.
    pub(crate) first_line: usize,
    pub(crate) last_line: usize,
    /// Byte range of the block's HTML in `raw_html`.
    pub(crate) html: Range<usize>,
}

/// Everything derived from the Markdown pass.
#[derive(Debug, Clone, Default)]
pub(crate) struct MdDoc {
    /// The body as HTML before sanitising; `html_without` gives what a page may show.
    pub(crate) raw_html: String,
    /// The top-level blocks, in order; their HTML spans cover `raw_html`.
    pub(crate) blocks: Vec<Block>,
    /// Raw HTML is present and sanitising is on: `html_without` cleans its output.
    pub(crate) needs_sanitize: bool,
    pub(crate) text: String,
    pub(crate) toc: Vec<TocEntry>,
    pub(crate) headings: Vec<Heading>,
    pub(crate) tables: Vec<Table>,
    pub(crate) paragraphs: Vec<Paragraph>,
    /// Own text of each section: index 0 is the text before the first heading, index
    /// `i + 1` the text under heading `i` up to the next heading (paragraphs and list
    /// items; tables and code excluded).
    pub(crate) section_text: Vec<String>,
    pub(crate) links: Vec<Link>,
    /// Absolute line ranges (inclusive) of fenced/indented code and HTML blocks, which the
    /// line scanners skip.
    pub(crate) verbatim_lines: Vec<(usize, usize)>,
    /// Absolute line ranges (inclusive) of tables.
    pub(crate) table_lines: Vec<(usize, usize)>,
    /// Byte ranges of the body's inline code spans (`` `YYYY` ``), in order.
    pub(crate) code_spans: Vec<Range<usize>>,
}

/// Maps byte offsets of the body to absolute line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    pub(crate) fn new(body: &str, first_line: usize) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, first_line }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        let i = self.starts.partition_point(|&s| s <= offset);
        self.first_line + i.saturating_sub(1)
    }
}

/// The Markdown extensions every reading of a body uses. Heading attributes
/// (`## Customer impact {.internal}`) are read so that `visibility` can find internal
/// sections and the attribute never shows in a heading's text.
pub(super) fn options() -> Options {
    Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

/// Parse `body`, whose first line is line `first_line` of the file.
pub(crate) fn analyse(body: &str, first_line: usize, sanitize: bool) -> MdDoc {
    let index = LineIndex::new(body, first_line);
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    // Reference definitions (`[PM2019-009]: PM2019-009%20-%20x.md`) name other files
    // even when no text uses them.
    let mut definitions: Vec<(usize, String, String)> = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| (def.span.start, label.to_string(), def.dest.to_string()))
        .collect();
    definitions.sort();
    let events: Vec<(Event, Range<usize>)> = parser.collect();
    let mut events = angle_links(body, events);
    let mut doc = MdDoc {
        section_text: vec![String::new()],
        ..MdDoc::default()
    };

    assign_heading_anchors(&mut events, &index, &mut doc);

    let mut has_raw_html = false;
    let mut section = 0usize;
    // Nesting state.
    let mut in_heading = false;
    let mut list_depth = 0usize;
    let mut quote_depth = 0usize;
    let mut in_table = false;
    let mut in_code = false;
    let mut paragraph: Option<Paragraph> = None;
    let mut link_stack: Vec<Link> = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Option<TableRow> = None;
    let mut cell: Option<(String, Option<String>)> = None;
    let mut heading_no = 0usize;

    for (event, range) in &mut events {
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { .. } => {
                    in_heading = true;
                    heading_no += 1;
                    section = heading_no;
                    doc.section_text.push(String::new());
                }
                Tag::Paragraph if list_depth == 0 && quote_depth == 0 && !in_table => {
                    paragraph = Some(Paragraph {
                        line: index.line(range.start),
                        text: String::new(),
                        starts_bold: false,
                        section,
                    });
                }
                Tag::Strong => {
                    if let Some(p) = paragraph.as_mut().filter(|p| p.text.is_empty()) {
                        p.starts_bold = true;
                    }
                }
                Tag::List(_) => list_depth += 1,
                Tag::BlockQuote(_) => quote_depth += 1,
                Tag::CodeBlock(_) | Tag::HtmlBlock => {
                    in_code = true;
                    let last = index.line(range.end.saturating_sub(1).max(range.start));
                    doc.verbatim_lines.push((index.line(range.start), last));
                }
                Tag::Table(_) => {
                    in_table = true;
                    let last = index.line(range.end.saturating_sub(1).max(range.start));
                    doc.table_lines.push((index.line(range.start), last));
                    table = Some(Table {
                        line: index.line(range.start),
                        section,
                        last_line: last,
                        ..Table::default()
                    });
                }
                Tag::TableHead | Tag::TableRow => {
                    row = Some(TableRow {
                        line: index.line(range.start),
                        ..TableRow::default()
                    })
                }
                Tag::TableCell => cell = Some((String::new(), None)),
                Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                    if !url_is_safe(dest_url) {
                        *dest_url = CowStr::Borrowed("#");
                    }
                    if let Some((_, link)) = cell.as_mut().filter(|(_, l)| l.is_none()) {
                        *link = Some(dest_url.to_string());
                    }
                    link_stack.push(Link {
                        dest: dest_url.to_string(),
                        text: String::new(),
                        line: index.line(range.start),
                        section,
                    });
                }
                // A list item starts a new line of the plain text too: a nested list
                // right after an item's own words (`- pool` / `  - Same root cause`)
                // must not read as one word ("poolSame").
                Tag::Item if !in_heading => {
                    end_block(&mut doc.section_text[section]);
                    end_block(&mut doc.text);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    in_heading = false;
                    doc.text.push('\n');
                }
                TagEnd::Paragraph => {
                    if let Some(p) = paragraph.take() {
                        let text = p.text.trim().to_string();
                        if !text.is_empty() {
                            doc.paragraphs.push(Paragraph { text, ..p });
                        }
                    }
                    if !in_table {
                        end_block(&mut doc.section_text[section]);
                    }
                    end_block(&mut doc.text);
                }
                TagEnd::Item => {
                    end_block(&mut doc.section_text[section]);
                    end_block(&mut doc.text);
                }
                TagEnd::List(_) => list_depth = list_depth.saturating_sub(1),
                TagEnd::BlockQuote(_) => quote_depth = quote_depth.saturating_sub(1),
                TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                    in_code = false;
                    end_block(&mut doc.text);
                }
                TagEnd::TableCell => {
                    if let (Some(r), Some((text, link))) = (row.as_mut(), cell.take()) {
                        r.cells.push(text.trim().to_string());
                        r.links.push(link);
                    }
                    doc.text.push(' ');
                }
                TagEnd::TableHead => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.header = r.cells;
                    }
                    doc.text.push('\n');
                }
                TagEnd::TableRow => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.rows.push(r);
                    }
                    doc.text.push('\n');
                }
                TagEnd::Table => {
                    in_table = false;
                    if let Some(t) = table.take() {
                        doc.tables.push(t);
                    }
                }
                TagEnd::Link | TagEnd::Image => {
                    if let Some(link) = link_stack.pop() {
                        doc.links.push(link);
                    }
                }
                _ => {}
            },
            Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => {
                if let Event::Code(_) = event {
                    doc.code_spans.push(range.clone());
                }
                let text = match &event {
                    Event::Text(t) | Event::Code(t) => t.as_ref(),
                    _ => " ", // a line break inside a paragraph reads as a space
                };
                push_text(
                    text,
                    in_heading,
                    in_table,
                    in_code,
                    section,
                    &mut doc,
                    &mut paragraph,
                    &mut cell,
                    &mut link_stack,
                );
            }
            Event::Html(_) | Event::InlineHtml(_) => has_raw_html = true,
            Event::TaskListMarker(done) => {
                let mark = if *done { "[x] " } else { "[ ] " };
                doc.section_text[section].push_str(mark);
            }
            _ => {}
        }
    }

    for (start, label, dest) in definitions {
        if url_is_safe(&dest) && !doc.links.iter().any(|l| l.dest == dest) {
            let line = index.line(start);
            let section = doc.headings.partition_point(|h| h.line <= line);
            doc.links.push(Link {
                dest,
                text: label,
                line,
                section,
            });
        }
    }

    let (events, spans) = mark_blocks(events, &index);
    let mut sink = BlockSink {
        html: String::with_capacity(body.len() * 3 / 2),
        starts: Vec::with_capacity(spans.len()),
    };
    let _ = pulldown_cmark::html::write_html_fmt(&mut sink, events.into_iter().map(|(e, _)| e));
    // One span per block whose marker the writer passed (all of them, in order).
    let ends: Vec<usize> = sink
        .starts
        .iter()
        .skip(1)
        .copied()
        .chain([sink.html.len()])
        .collect();
    doc.blocks = spans
        .into_iter()
        .zip(sink.starts.iter().zip(ends))
        .map(|((kind, first_line, last_line), (&start, end))| Block {
            kind,
            first_line,
            last_line,
            html: start..end.max(start),
        })
        .collect();
    doc.raw_html = sink.html;
    doc.needs_sanitize = sanitize && has_raw_html;
    let trimmed = doc.text.trim_end().len();
    doc.text.truncate(trimmed);
    for text in &mut doc.section_text {
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
    }
    doc
}

/// Text of the `Html` event that marks where a top-level block starts. It ends in a
/// newline so that the HTML writer's own spacing is what it would be without it.
const BLOCK_MARK: &str = "\u{E000}hindsight-block\n";

/// A top-level block's kind, first and last line.
type BlockSpan = (BlockKind, usize, usize);

/// The events with a marker before every top-level block, and each block's kind and
/// lines.
fn mark_blocks<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    index: &LineIndex,
) -> (Vec<(Event<'a>, Range<usize>)>, Vec<BlockSpan>) {
    let mut out = Vec::with_capacity(events.len() + events.len() / 4);
    let mut spans = Vec::new();
    let mut depth = 0usize;
    for (event, range) in events {
        let opens_block = depth == 0 && !matches!(event, Event::End(_));
        if opens_block {
            let kind = match &event {
                Event::Start(Tag::Heading { level, .. }) => {
                    BlockKind::Heading(heading_level(*level))
                }
                Event::Start(Tag::Paragraph) => BlockKind::Paragraph,
                Event::Start(Tag::List(_)) => BlockKind::List,
                Event::Start(Tag::Table(_)) => BlockKind::Table,
                _ => BlockKind::Other,
            };
            let last = index.line(range.end.saturating_sub(1).max(range.start));
            spans.push((kind, index.line(range.start), last));
            out.push((Event::Html(CowStr::Borrowed(BLOCK_MARK)), range.clone()));
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push((event, range));
    }
    (out, spans)
}

/// The HTML writer's output, with the offset of every block marker instead of the
/// marker itself.
struct BlockSink {
    html: String,
    starts: Vec<usize>,
}

impl std::fmt::Write for BlockSink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if s == BLOCK_MARK {
            // The writer would have put a newline before the block's tag had the last
            // thing written not ended in one; the marker took its place.
            if !self.html.is_empty() && !self.html.ends_with('\n') {
                self.html.push('\n');
            }
            self.starts.push(self.html.len());
        } else {
            self.html.push_str(s);
        }
        Ok(())
    }
}

impl MdDoc {
    /// The body's HTML without the blocks `drop` names (by index into `blocks`),
    /// sanitised when it holds raw HTML and sanitising is on.
    pub(crate) fn html_without(&self, drop: &[bool]) -> String {
        let html = if drop.iter().any(|d| *d) {
            let mut out = String::with_capacity(self.raw_html.len());
            let first = self
                .blocks
                .first()
                .map_or(self.raw_html.len(), |b| b.html.start);
            out.push_str(&self.raw_html[..first]);
            for (i, block) in self.blocks.iter().enumerate() {
                if !drop.get(i).copied().unwrap_or(false) {
                    out.push_str(&self.raw_html[block.html.clone()]);
                }
            }
            out
        } else {
            self.raw_html.clone()
        };
        if self.needs_sanitize {
            SANITIZER.clean(&html).to_string()
        } else {
            html
        }
    }

    /// The whole body's HTML.
    #[cfg(test)]
    pub(crate) fn html(&self) -> String {
        self.html_without(&[])
    }
}

#[allow(clippy::too_many_arguments)]
fn push_text(
    t: &str,
    in_heading: bool,
    in_table: bool,
    in_code: bool,
    section: usize,
    doc: &mut MdDoc,
    paragraph: &mut Option<Paragraph>,
    cell: &mut Option<(String, Option<String>)>,
    link_stack: &mut [Link],
) {
    doc.text.push_str(t);
    if let Some(p) = paragraph.as_mut() {
        p.text.push_str(t);
    }
    if let Some((text, _)) = cell.as_mut() {
        text.push_str(t);
    }
    for link in link_stack.iter_mut() {
        link.text.push_str(t);
    }
    if !in_heading && !in_table && !in_code {
        doc.section_text[section].push_str(t);
    }
}

/// End a block of plain text with one newline.
fn end_block(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        let trimmed = text.trim_end_matches(' ').len();
        text.truncate(trimmed);
        text.push('\n');
    }
}

/// Give every heading a unique anchor, record it in `headings` and `toc`.
fn assign_heading_anchors(
    events: &mut [(Event, Range<usize>)],
    index: &LineIndex,
    doc: &mut MdDoc,
) {
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut i = 0;
    while i < events.len() {
        if let (Event::Start(Tag::Heading { level, .. }), range) = &events[i] {
            let level = heading_level(*level);
            let (line, last_line) = (
                index.line(range.start),
                index.line(range.end.saturating_sub(1).max(range.start)),
            );
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() {
                match &events[j].0 {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    Event::SoftBreak | Event::HardBreak => text.push(' '),
                    _ => {}
                }
                j += 1;
            }
            let text = text.trim().to_string();
            let anchor = unique_anchor(&text, &mut used);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i].0 {
                *id = Some(CowStr::from(anchor.clone()));
            }
            doc.toc.push(TocEntry {
                level,
                title: text.clone(),
                anchor: anchor.clone(),
            });
            doc.headings.push(Heading {
                level,
                text,
                anchor,
                line,
                last_line,
            });
            i = j;
        }
        i += 1;
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Slug of the heading text; `section` for text without letters or digits; `-2`, `-3`…
/// for repeats (skipping any suffix already taken by a heading literally named so).
/// `used` maps each anchor given out to the next suffix to try for that base, so a file
/// with thousands of equal headings stays linear.
fn unique_anchor(text: &str, used: &mut BTreeMap<String, usize>) -> String {
    let base = match crate::slug::slug(text) {
        s if s == "-" => "section".to_string(),
        s => s,
    };
    if !used.contains_key(&base) {
        used.insert(base.clone(), 2);
        return base;
    }
    let mut n = used[&base];
    let mut candidate = format!("{base}-{n}");
    while used.contains_key(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    used.insert(base, n + 1);
    used.insert(candidate.clone(), 2);
    candidate
}

/// Links written `<PM2019-009%20-%20x.md>`: CommonMark reads an autolink only with a
/// scheme, so a relative file in angle brackets arrives as text; it becomes a link here
/// (outside code, links and raw HTML), so it is rendered and resolved like the others.
fn angle_links<'a>(
    body: &'a str,
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    if !body.contains(".md>") && !body.contains(".MD>") {
        return events;
    }
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    let mut verbatim = 0usize;
    let mut pending: Option<(String, Range<usize>)> = None;
    let flush = |pending: &mut Option<(String, Range<usize>)>,
                 out: &mut Vec<(Event<'a>, Range<usize>)>| {
        if let Some((text, range)) = pending.take() {
            split_angle_links(&text, range, out);
        }
    };
    for (event, range) in events {
        match &event {
            Event::Start(
                Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. } | Tag::HtmlBlock,
            ) => verbatim += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image | TagEnd::HtmlBlock) => {
                verbatim = verbatim.saturating_sub(1)
            }
            _ => {}
        }
        match event {
            Event::Text(t) if verbatim == 0 => match pending.as_mut() {
                Some((text, r)) => {
                    text.push_str(&t);
                    r.end = range.end;
                }
                None => pending = Some((t.to_string(), range)),
            },
            other => {
                flush(&mut pending, &mut out);
                out.push((other, range));
            }
        }
    }
    flush(&mut pending, &mut out);
    out
}

fn split_angle_links<'a>(
    text: &str,
    range: Range<usize>,
    out: &mut Vec<(Event<'a>, Range<usize>)>,
) {
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(len) = rest[open + 1..].find(['>', '<', '\n']) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + len];
        let closes = rest[open + 1 + len..].starts_with('>');
        let path = inner.split('#').next().unwrap_or("");
        let is_file_link = closes
            && path.to_lowercase().ends_with(".md")
            && !path.contains("://")
            && !inner.trim().is_empty()
            && inner.trim() == inner;
        if !is_file_link {
            out.push((
                Event::Text(CowStr::from(rest[..open + 1].to_string())),
                range.clone(),
            ));
            rest = &rest[open + 1..];
            continue;
        }
        if open > 0 {
            out.push((
                Event::Text(CowStr::from(rest[..open].to_string())),
                range.clone(),
            ));
        }
        let dest = inner.replace(' ', "%20");
        out.push((
            Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Autolink,
                dest_url: CowStr::from(dest),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }),
            range.clone(),
        ));
        out.push((Event::Text(CowStr::from(inner.to_string())), range.clone()));
        out.push((Event::End(TagEnd::Link), range.clone()));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push((Event::Text(CowStr::from(rest.to_string())), range));
    }
}

/// URLs without a scheme (relative, `#anchor`) and with a known-safe scheme pass.
pub(crate) fn url_is_safe(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let Some(colon) = cleaned.find(':') else {
        return true;
    };
    let scheme = &cleaned[..colon];
    if scheme.contains(['/', '?', '#']) {
        return true; // the colon is in the path or query
    }
    matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "mailto" | "tel" | "ftp"
    )
}

/// The sanitiser for raw HTML: ammonia's defaults (no scripts, iframes, event handlers,
/// `javascript:` URLs) plus what pulldown-cmark's own output needs to survive: heading
/// `id`s, code `class`es (language), task-list checkboxes and footnote ids.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["input"]);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b.add_tag_attributes("code", ["class"]);
    b.add_tag_attributes("pre", ["class"]);
    b.add_tag_attributes("div", ["class", "id"]);
    b.add_tag_attributes("sup", ["class", "id"]);
    b.add_tag_attributes("input", ["type", "checked", "disabled"]);
    b
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_match_toc() {
        let doc = analyse(
            "# Title\n\n## Impact\n\ntext\n\n## Impact\n\n## 🔥\n\n## Impact 3\n\n## Impact\n\n## Impact\n",
            5,
            true,
        );
        let anchors: Vec<&str> = doc.toc.iter().map(|t| t.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            [
                "title", "impact", "impact-2", "section", "impact-3", "impact-4", "impact-5"
            ]
        );
        assert!(
            doc.html().contains("<h2 id=\"impact-2\">Impact</h2>"),
            "{}",
            doc.html()
        );
        assert_eq!(doc.headings[1].line, 7);
        assert_eq!(doc.section_text[2], "text");
    }

    #[test]
    fn unsafe_links_and_raw_html_are_neutralised() {
        let doc = analyse(
            "[x](javascript:alert(1)) <b onclick=\"x()\">b</b>\n\n<script>alert(1)</script>\n\n## H\n\n```rust\nfn main() {}\n```\n",
            1,
            true,
        );
        let html = doc.html();
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("<h2 id=\"h\">"), "{html}");
        assert!(html.contains("class=\"language-rust\""), "{html}");
        let raw = analyse("<b onclick=\"x()\">b</b>\n", 1, false);
        assert!(
            raw.html().contains("onclick"),
            "opt-out keeps raw HTML: {}",
            raw.html()
        );
    }

    #[test]
    fn nested_list_items_are_lines_of_their_own_in_the_plain_text() {
        let doc = analyse(
            "## Related\n\n- **2025-01-14**: the pool ran dry\n  - Same root cause\n  - Its audit missed this\n- Next\n",
            1,
            true,
        );
        let lines: Vec<&str> = doc.text.lines().collect();
        assert_eq!(
            lines,
            [
                "Related",
                "2025-01-14: the pool ran dry",
                "Same root cause",
                "Its audit missed this",
                "Next"
            ]
        );
    }

    #[test]
    fn tables_carry_lines_and_cells() {
        let doc = analyse(
            "| Time | Event |\n|---|---|\n| 14:00 | [Alert](a.md) fired |\n| 14:05 |\n",
            10,
            true,
        );
        let t = &doc.tables[0];
        assert_eq!(t.header, ["Time", "Event"]);
        assert_eq!(t.rows[0].line, 12);
        assert_eq!(t.rows[0].cells, ["14:00", "Alert fired"]);
        assert_eq!(t.rows[0].links[1].as_deref(), Some("a.md"));
        assert_eq!(t.rows[1].line, 13);
        assert_eq!(doc.table_lines, [(10, 13)]);
    }

    #[test]
    fn blocks_cover_the_html_and_can_be_left_out() {
        let body = "para one\nstill one\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n\n<div>raw</div>\nafter\n\n> quote\n\nlast[^1]\n\n[^1]: note\n";
        let doc = analyse(body, 3, false);
        let kinds: Vec<(BlockKind, usize, usize)> = doc
            .blocks
            .iter()
            .map(|b| (b.kind, b.first_line, b.last_line))
            .collect();
        assert_eq!(
            kinds[..4],
            [
                (BlockKind::Paragraph, 3, 4),
                (BlockKind::Table, 6, 8),
                (BlockKind::List, 10, 12), // a list span ends after its blank line
                (BlockKind::Other, 13, 14),
            ]
        );
        // The markers change nothing: the same HTML as pulldown-cmark's own.
        let mut plain = String::new();
        pulldown_cmark::html::push_html(&mut plain, Parser::new_ext(body, options()));
        assert_eq!(doc.html(), plain);
        // Leaving the table out removes it and nothing else.
        let mut drop = vec![false; doc.blocks.len()];
        drop[1] = true;
        let without = doc.html_without(&drop);
        assert!(!without.contains("<table"), "{without}");
        assert_eq!(
            without,
            plain.replace(&doc.raw_html[doc.blocks[1].html.clone()], "")
        );
        // Sanitising applies to what is left.
        let raw = analyse("<b onclick=\"x()\">b</b>\n\ntext\n", 1, true);
        assert!(!raw.html_without(&[false, true]).contains("onclick"));
    }
}
