//! Which blocks of the body the incident page already shows in structured form, so that
//! each part of an incident appears once on its page.
//!
//! The page shows the summary (as its lede), the timeline and the action items from the
//! model. A block of the body is left out of the page's report only when that structure
//! holds all of it: a timeline or action-item table whose every cell is in a column the
//! structure reads and which links nowhere; a list whose every item is an action item or
//! a timeline row, without links or sub-items; a paragraph that is the summary (or a
//! line of it, or its `Summary:` field); the first-level heading the title was read
//! from. Everything else stays: a note such as "All
//! times in UTC" under the timeline heading, a table column the structure does not
//! read, a link. A heading goes when every block under it went and no sub-heading
//! follows; its table-of-contents entry then points at the structured section instead.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::blocks::Blocks;
use crate::content::markdown::{BlockKind, MdDoc};
use crate::content::sections::Sections;
use crate::content::tables::{self, Role};
use crate::model::TocEntry;

/// What the page shows in structured form, by source line.
pub(crate) struct Shown<'a> {
    /// Lines of the timeline rows and of the action items.
    pub(crate) timeline_lines: BTreeSet<usize>,
    pub(crate) action_lines: BTreeSet<usize>,
    /// The summary the page shows as its lede.
    pub(crate) summary: Option<&'a str>,
    /// The line of the heading the page's title comes from (its own `<h1>`).
    pub(crate) title_line: Option<usize>,
}

/// Where a left-out heading's table-of-contents entry points instead.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Timeline,
    Actions,
    Summary,
}

/// Per block of `doc.blocks`: whether the page leaves it out. With the table of
/// contents fixed to match: entries of left-out headings point at the structured
/// section (`hs-timeline`, `hs-actions`, `hs-summary`, `hs-title` on the page).
pub(crate) fn held(
    doc: &MdDoc,
    items: &Blocks,
    sections: &Sections,
    shown: &Shown,
    toc: &mut [TocEntry],
) -> Vec<bool> {
    let mut drop = vec![false; doc.blocks.len()];
    let mut target: Vec<Option<Target>> = vec![None; doc.blocks.len()];
    let summary_lines: Vec<String> = shown
        .summary
        .map(|s| s.split('\n').map(norm).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default();
    let whole_summary = shown.summary.map(norm).unwrap_or_default();
    // Sorted lines, searched per block: huge files stay linear.
    let mut link_lines: Vec<usize> = doc.links.iter().map(|l| l.line).collect();
    link_lines.sort_unstable();
    for (b, block) in doc.blocks.iter().enumerate() {
        let (first, last) = (block.first_line, block.last_line);
        let from = link_lines.partition_point(|&l| l < first);
        let links_here = link_lines.get(from).is_some_and(|&l| l <= last);
        match block.kind {
            BlockKind::Table => {
                let at = doc.tables.partition_point(|t| t.line < first);
                let Some(table) = doc.tables.get(at).filter(|t| t.line == first) else {
                    continue;
                };
                let rows: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
                let role = tables::role(table, sections);
                let (lines, t) = match role {
                    Role::Timeline => (&shown.timeline_lines, Target::Timeline),
                    Role::ActionItems => (&shown.action_lines, Target::Actions),
                    _ => continue,
                };
                if !rows.is_empty()
                    && rows.iter().all(|r| lines.contains(r))
                    && tables::fully_read(table, role)
                {
                    drop[b] = true;
                    target[b] = Some(t);
                }
            }
            BlockKind::List if !links_here => {
                let start = items.items.partition_point(|i| i.line < first);
                let end = items.items.partition_point(|i| i.line <= last).max(start);
                let list = &items.items[start..end];
                let top = list.iter().map(|i| i.indent).min().unwrap_or(0);
                let plain = |raw: &str| !raw.contains("](") && !raw.contains("://");
                let all_in = |lines: &BTreeSet<usize>| {
                    !list.is_empty()
                        && list
                            .iter()
                            .all(|i| i.indent == top && lines.contains(&i.line) && plain(&i.raw))
                };
                if all_in(&shown.action_lines) {
                    drop[b] = true;
                    target[b] = Some(Target::Actions);
                } else if all_in(&shown.timeline_lines) {
                    drop[b] = true;
                    target[b] = Some(Target::Timeline);
                }
            }
            BlockKind::Paragraph if !links_here && !whole_summary.is_empty() => {
                let at = doc.paragraphs.partition_point(|p| p.line < first);
                let Some(p) = doc.paragraphs.get(at).filter(|p| p.line == first) else {
                    continue;
                };
                let text = norm(&p.text);
                let field = text.split_once(':').is_some_and(|(key, value)| {
                    SUMMARY_KEYS.contains(&key.trim().to_lowercase().as_str())
                        && norm(value) == whole_summary
                });
                if text == whole_summary || field || summary_lines.contains(&text) {
                    drop[b] = true;
                    target[b] = Some(Target::Summary);
                }
            }
            _ => {}
        }
    }
    let mut heading_targets: BTreeMap<usize, Option<Target>> = BTreeMap::new();
    // The heading the page's title was read from: the page has it as its own heading.
    if let Some(line) = shown.title_line
        && let Some(b) = doc
            .blocks
            .iter()
            .position(|b| b.kind == BlockKind::Heading(1) && b.first_line == line)
    {
        drop[b] = true;
        heading_targets.insert(line, None);
    }
    // Headings whose own blocks all went, with no sub-heading below them.
    for (b, block) in doc.blocks.iter().enumerate() {
        let BlockKind::Heading(level) = block.kind else {
            continue;
        };
        if drop[b] {
            continue;
        }
        let own: Vec<usize> = (b + 1..doc.blocks.len())
            .take_while(|&k| !matches!(doc.blocks[k].kind, BlockKind::Heading(_)))
            .collect();
        let next = own.last().map_or(b + 1, |k| k + 1);
        let next_is_child = doc
            .blocks
            .get(next)
            .is_some_and(|n| matches!(n.kind, BlockKind::Heading(l) if l > level));
        if !own.is_empty() && own.iter().all(|&k| drop[k]) && !next_is_child {
            drop[b] = true;
            heading_targets.insert(block.first_line, own.iter().find_map(|&k| target[k]));
        }
    }
    // Entries of left-out headings point at what the page shows instead. Titles and
    // levels stay as written: the cause inference splits the body text by them.
    for (entry, heading) in toc.iter_mut().zip(&doc.headings) {
        if let Some(target) = heading_targets.get(&heading.line) {
            entry.anchor = match target {
                Some(Target::Timeline) => "hs-timeline",
                Some(Target::Actions) => "hs-actions",
                Some(Target::Summary) => "hs-summary",
                None => "hs-title",
            }
            .to_string();
        }
    }
    drop
}

/// Field names a summary is written under (`**Summary**: …`).
const SUMMARY_KEYS: &[&str] = &[
    "summary",
    "executive summary",
    "incident summary",
    "what happened",
    "tl;dr",
    "tldr",
];

/// Single-spaced, trimmed.
fn norm(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
