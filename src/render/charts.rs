//! Hand-written SVG charts for the dashboards, inlined in the page at build time.
//!
//! No charting crate: the charts need per-mark `<title>` tooltips, a link around every
//! mark, CSS classes instead of colours (so they follow light, dark and print styles
//! through `currentColor` and CSS variables in `static/dashboard.css`) and byte-identical
//! output; a few hundred lines of careful string building give all of that.
//! Guarantees: every bar, point, box and cell is an `<a href>` whose first child is a
//! `<title>` (the tooltip and accessible name of the mark); every text from a post-mortem
//! is escaped; numbers are formatted with fixed precision; nothing depends on anything
//! but the input. Each chart comes with a `Table`, rendered as a `<details>` data table
//! for screen readers and for reading exact values.
//! The markup is kept small because a large archive has thousands of marks per page:
//! classes sit on a `<g>` around marks that share them, text alignment and sizes come
//! from the stylesheet, and coordinates have one decimal.

use std::fmt::Write as _;

/// A row label cut to 26 characters (with an ellipsis) so it fits left of the plot;
/// the full text stays in the tooltip and the data table.
fn short_label(label: &str) -> String {
    if label.chars().count() > 26 {
        label.chars().take(25).chain(['…']).collect()
    } else {
        label.to_string()
    }
}

/// Escape text for HTML and SVG (content and attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

/// `esc` appended to `out`; text without special characters is copied in one go.
pub fn esc_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Fixed one-decimal coordinates (a tenth of a unit is under 0.15 px at the widest
/// layout): enough precision, identical on every platform. Written straight into the
/// output (a chart has thousands of them): `12`, `12.5`, `-0.3`, never `-0`.
fn n(v: f64) -> N {
    N(v)
}

#[derive(Clone, Copy)]
struct N(f64);

impl std::fmt::Display for N {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        let tenths = if tenths.is_finite() { tenths as i64 } else { 0 };
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        if t % 10 == 0 {
            write!(f, "{sign}{}", t / 10)
        } else {
            write!(f, "{sign}{}.{}", t / 10, t % 10)
        }
    }
}

const WIDTH: f64 = 720.0;

/// A series of a stacked chart; `class` picks its colour in the stylesheet.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub class: String,
}

/// One linked mark: its size, where it links and its tooltip.
#[derive(Debug, Clone)]
pub struct Mark {
    pub value: f64,
    pub href: String,
    pub title: String,
}

/// One column of a stacked bar chart: a segment per series (zero values are skipped).
#[derive(Debug, Clone)]
pub struct BarGroup {
    pub label: String,
    pub segments: Vec<Option<Mark>>,
}

#[derive(Debug, Clone)]
pub struct StackedBars {
    /// Accessible name of the chart.
    pub title: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub groups: Vec<BarGroup>,
}

/// A 1-2-5 step giving at most five gridlines up to `max`.
fn nice_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    step.max(1.0)
}

fn svg_open(out: &mut String, title: &str, height: f64) {
    let title = esc(title);
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {} {}" role="group" aria-label="{title}"><title>{title}</title>"#,
        n(WIDTH),
        n(height),
    );
}

/// A link around `shape` (a self-closing element), its tooltip first.
fn linked(out: &mut String, href: &str, class: Option<&str>, title: &str, shape: &str) {
    out.push_str("<a href=\"");
    esc_into(out, href);
    if let Some(class) = class {
        out.push_str("\" class=\"");
        esc_into(out, class);
    }
    out.push_str("\"><title>");
    esc_into(out, title);
    out.push_str("</title>");
    out.push_str(shape);
    out.push_str("</a>");
}

/// A horizontal gridline with its value at the left of the plot.
fn y_tick(out: &mut String, left: f64, right: f64, y: f64, label: &str) {
    let _ = write!(
        out,
        r#"<path class="grid" d="M{} {y}H{}"/><text class="yt" x="{}" y="{}">{label}</text>"#,
        n(left),
        n(right),
        n(left - 6.0),
        n(y + 4.0),
        y = n(y)
    );
}

fn y_label(out: &mut String, middle: f64, label: &str) {
    let _ = write!(
        out,
        r#"<text class="axis-label" transform="translate(12 {}) rotate(-90)">{}</text>"#,
        n(middle),
        esc(label)
    );
}

fn x_axis(out: &mut String, left: f64, right: f64, y: f64) {
    let _ = write!(
        out,
        r#"<path class="axis" d="M{} {}H{}"/>"#,
        n(left),
        n(y),
        n(right)
    );
}

/// Labels every `k`-th column so that labels never overlap.
fn label_stride(columns: usize, plot_width: f64, label_width: f64) -> usize {
    ((columns as f64 * label_width / plot_width).ceil() as usize).max(1)
}

impl StackedBars {
    pub fn svg(&self) -> String {
        let (left, right, top, bottom) = (44.0, 10.0, 12.0, 40.0);
        let height = 240.0;
        let plot_w = WIDTH - left - right;
        let plot_h = height - top - bottom;
        let max = self
            .groups
            .iter()
            .map(|g| g.segments.iter().flatten().map(|m| m.value).sum::<f64>())
            .fold(0.0, f64::max);
        let step = nice_step(max);
        let top_value = ((max / step).ceil() * step).max(step);
        let y = |v: f64| top + plot_h - v / top_value * plot_h;
        let mut out = String::new();
        svg_open(&mut out, &self.title, height);
        let mut tick = 0.0;
        while tick <= top_value + 1e-9 {
            y_tick(&mut out, left, WIDTH - right, y(tick), &n(tick).to_string());
            tick += step;
        }
        y_label(&mut out, top + plot_h / 2.0, &self.y_label);
        let slot = plot_w / self.groups.len().max(1) as f64;
        let bar_w = (slot * 0.72).min(48.0);
        let stride = label_stride(self.groups.len(), plot_w, 52.0);
        // Segments are drawn series by series so that each series' class is written
        // once, on a group; `bases` holds where the next segment of each bar starts.
        let mut bases = vec![0.0; self.groups.len()];
        let segments = self.series.len().max(
            self.groups
                .iter()
                .map(|g| g.segments.len())
                .max()
                .unwrap_or(0),
        );
        for si in 0..segments {
            let class = self.series.get(si).map(|s| s.class.as_str()).unwrap_or("");
            let mut opened = false;
            for (gi, group) in self.groups.iter().enumerate() {
                let Some(Some(mark)) = group.segments.get(si) else {
                    continue;
                };
                if mark.value <= 0.0 {
                    continue;
                }
                if !opened {
                    out.push_str("<g class=\"bar ");
                    esc_into(&mut out, class);
                    out.push_str("\">");
                    opened = true;
                }
                let x = left + slot * gi as f64 + (slot - bar_w) / 2.0;
                let (y0, y1) = (y(bases[gi]), y(bases[gi] + mark.value));
                let shape = format!(
                    r#"<rect x="{}" y="{}" width="{}" height="{}"/>"#,
                    n(x),
                    n(y1),
                    n(bar_w),
                    n(y0 - y1)
                );
                linked(&mut out, &mark.href, None, &mark.title, &shape);
                bases[gi] += mark.value;
            }
            if opened {
                out.push_str("</g>");
            }
        }
        for (gi, group) in self.groups.iter().enumerate() {
            if gi % stride == 0 {
                let _ = write!(
                    out,
                    r#"<text class="tick" x="{}" y="{}">{}</text>"#,
                    n(left + slot * (gi as f64 + 0.5)),
                    n(top + plot_h + 16.0),
                    esc(&group.label)
                );
            }
        }
        x_axis(&mut out, left, WIDTH - right, top + plot_h);
        out.push_str("</svg>");
        out
    }

    /// The colour key as an HTML list (readable in print, no JavaScript).
    pub fn legend(&self) -> String {
        legend(&self.series)
    }
}

/// A colour key for `series`.
pub fn legend(series: &[Series]) -> String {
    let mut out = String::from(r#"<ul class="legend">"#);
    for s in series {
        let _ = write!(
            out,
            r#"<li><span class="swatch {}"></span>{}</li>"#,
            esc(&s.class),
            esc(&s.name)
        );
    }
    out.push_str("</ul>");
    out
}

/// Median, quartiles and p90 of one group, drawn as a box.
#[derive(Debug, Clone)]
pub struct BoxSummary {
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
    pub href: String,
    pub title: String,
}

/// One column of a distribution chart.
#[derive(Debug, Clone)]
pub struct DistGroup {
    pub label: String,
    /// Shown under the label, e.g. `n=4 · 1 missing`.
    pub note: String,
    /// `None` when too few values rest on the group to summarise (points only).
    pub summary: Option<BoxSummary>,
    pub points: Vec<Mark>,
}

/// Durations on a log axis: per group a box (IQR), a median bar, a p90 whisker and the
/// individual values as points; the medians of neighbouring summarised groups are
/// joined by a line.
#[derive(Debug, Clone)]
pub struct Distribution {
    pub title: String,
    pub groups: Vec<DistGroup>,
    /// Groups with more values than this draw the box only (the page says so).
    pub max_points: usize,
}

/// Log-axis ticks in minutes and their labels.
const TIME_TICKS: [(f64, &str); 9] = [
    (1.0, "1m"),
    (5.0, "5m"),
    (15.0, "15m"),
    (60.0, "1h"),
    (240.0, "4h"),
    (1440.0, "1d"),
    (10080.0, "1w"),
    (43200.0, "30d"),
    (525600.0, "1y"),
];

impl Distribution {
    pub fn svg(&self) -> String {
        let (left, right, top, bottom) = (44.0, 10.0, 12.0, 44.0);
        let height = 260.0;
        let plot_w = WIDTH - left - right;
        let plot_h = height - top - bottom;
        let max = self
            .groups
            .iter()
            .flat_map(|g| {
                g.points
                    .iter()
                    .map(|p| p.value)
                    .chain(g.summary.iter().map(|s| s.p90))
            })
            .fold(1.0, f64::max);
        let lo = 0.0f64; // log10(1 minute); values below one minute sit on the floor
        let hi = TIME_TICKS
            .iter()
            .map(|t| t.0)
            .find(|t| *t >= max)
            .unwrap_or(max)
            .log10()
            .max(1.0);
        let y = |v: f64| top + plot_h - (v.max(1.0).log10() - lo) / (hi - lo) * plot_h;
        let mut out = String::new();
        svg_open(&mut out, &self.title, height);
        for (value, label) in TIME_TICKS.iter().filter(|t| t.0.log10() <= hi + 1e-9) {
            y_tick(&mut out, left, WIDTH - right, y(*value), label);
        }
        y_label(&mut out, top + plot_h / 2.0, "minutes (log scale)");
        let slot = plot_w / self.groups.len().max(1) as f64;
        let box_w = (slot * 0.5).min(40.0);
        let stride = label_stride(self.groups.len(), plot_w, 64.0);
        let mut median_path: Vec<Option<(f64, f64)>> = Vec::new();
        for (gi, group) in self.groups.iter().enumerate() {
            let cx = left + slot * (gi as f64 + 0.5);
            match &group.summary {
                Some(s) => {
                    // One link for the box (IQR), its median bar and the p90 whisker.
                    let shape = format!(
                        r#"<rect x="{}" y="{}" width="{}" height="{}"/><path class="w" d="M{x} {p75}V{p90}M{wl} {p90}H{wr}"/><path class="m" d="M{bl} {m}H{br}"/>"#,
                        n(cx - box_w / 2.0),
                        n(y(s.p75)),
                        n(box_w),
                        n((y(s.p25) - y(s.p75)).max(1.0)),
                        x = n(cx),
                        p75 = n(y(s.p75)),
                        p90 = n(y(s.p90)),
                        wl = n(cx - box_w / 4.0),
                        wr = n(cx + box_w / 4.0),
                        bl = n(cx - box_w / 2.0),
                        br = n(cx + box_w / 2.0),
                        m = n(y(s.median)),
                    );
                    linked(&mut out, &s.href, Some("box"), &s.title, &shape);
                    median_path.push(Some((cx, y(s.median))));
                }
                None => median_path.push(None),
            }
            if !group.points.is_empty() && group.points.len() <= self.max_points {
                out.push_str(r#"<g class="point">"#);
                for (pi, p) in group.points.iter().enumerate() {
                    // Deterministic spread so that equal values stay visible.
                    let jitter = ((pi * 7) % 11) as f64 / 10.0 - 0.5;
                    let shape = format!(
                        r#"<circle cx="{}" cy="{}" r="3"/>"#,
                        n(cx + jitter * box_w * 0.9),
                        n(y(p.value))
                    );
                    linked(&mut out, &p.href, None, &p.title, &shape);
                }
                out.push_str("</g>");
            }
            if gi % stride == 0 {
                let _ = write!(
                    out,
                    r#"<text class="tick" x="{x}" y="{}">{}</text><text class="note" x="{x}" y="{}">{}</text>"#,
                    n(top + plot_h + 16.0),
                    esc(&group.label),
                    n(top + plot_h + 30.0),
                    esc(&group.note),
                    x = n(cx),
                );
            }
        }
        // The median line only joins neighbouring summarised groups: no line is drawn
        // across a group that rests on too few incidents.
        for pair in median_path.windows(2) {
            if let [Some((x1, y1)), Some((x2, y2))] = pair {
                let _ = write!(
                    out,
                    r#"<path class="trend" d="M{} {}L{} {}"/>"#,
                    n(*x1),
                    n(*y1),
                    n(*x2),
                    n(*y2)
                );
            }
        }
        x_axis(&mut out, left, WIDTH - right, top + plot_h);
        out.push_str("</svg>");
        out
    }
}

/// One row of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct HBar {
    pub label: String,
    /// Text after the bar, e.g. `5 · 33%`.
    pub text: String,
    pub mark: Mark,
    /// Running share 0..=1 drawn as the Pareto line, when given.
    pub cumulative: Option<f64>,
}

/// Horizontal bars, longest first as given; with `cumulative` values a Pareto chart,
/// whose bar values must then be shares (0..=1) like the cumulative ones.
#[derive(Debug, Clone)]
pub struct HBars {
    pub title: String,
    pub class: String,
    pub rows: Vec<HBar>,
}

impl HBars {
    pub fn svg(&self) -> String {
        let (label_w, text_w, top) = (170.0, 120.0, 22.0);
        let row_h = 22.0;
        let height = top + row_h * self.rows.len() as f64 + 8.0;
        let plot_w = WIDTH - label_w - text_w;
        let has_cumulative = self.rows.iter().any(|r| r.cumulative.is_some());
        // A Pareto chart draws bars and the running share on one 0-100% axis (its bar
        // values are shares); plain bars scale to the largest value.
        let max = if has_cumulative {
            1.0
        } else {
            self.rows
                .iter()
                .map(|r| r.mark.value)
                .fold(0.0, f64::max)
                .max(1.0)
        };
        let mut out = String::new();
        svg_open(&mut out, &self.title, height);
        if has_cumulative {
            for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let x = label_w + pct * plot_w;
                let _ = write!(
                    out,
                    r#"<path class="grid" d="M{x} {}V{}"/><text class="tick" x="{x}" y="12">{}%</text>"#,
                    n(top - 4.0),
                    n(height - 8.0),
                    n(pct * 100.0),
                    x = n(x)
                );
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y0 = top + row_h * i as f64;
            let _ = write!(
                out,
                r#"<text class="label" x="{}" y="{}">{}</text>"#,
                n(label_w - 6.0),
                n(y0 + 15.0),
                esc(&short_label(&row.label))
            );
        }
        let _ = write!(out, r#"<g class="bar {}">"#, esc(&self.class));
        let mut line = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let y0 = top + row_h * i as f64;
            let w = (row.mark.value / max * plot_w).max(1.0);
            let shape = format!(
                r#"<rect x="{}" y="{}" width="{}" height="{}"/>"#,
                n(label_w),
                n(y0 + 3.0),
                n(w),
                n(row_h - 6.0)
            );
            linked(&mut out, &row.mark.href, None, &row.mark.title, &shape);
            if let Some(c) = row.cumulative {
                line.push((label_w + c * plot_w, y0 + row_h / 2.0));
            }
        }
        out.push_str("</g>");
        for (i, row) in self.rows.iter().enumerate() {
            let y0 = top + row_h * i as f64;
            let w = (row.mark.value / max * plot_w).max(1.0);
            let _ = write!(
                out,
                r#"<text class="value" x="{}" y="{}">{}</text>"#,
                // Pareto values sit right of the 100% line, clear of the cumulative line.
                n(if has_cumulative {
                    label_w + plot_w + 10.0
                } else {
                    label_w + w + 6.0
                }),
                n(y0 + 15.0),
                esc(&row.text)
            );
        }
        if line.len() > 1 {
            let points: Vec<String> = line
                .iter()
                .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
                .collect();
            let _ = write!(
                out,
                r#"<polyline class="trend" points="{}"/>"#,
                points.join(" ")
            );
        }
        for (x, y) in &line {
            let _ = write!(
                out,
                r#"<circle class="cumulative" cx="{}" cy="{}" r="2.5"/>"#,
                n(*x),
                n(*y)
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// One cell of a grid; its value sets the shade.
#[derive(Debug, Clone)]
pub struct GridCell {
    pub text: String,
    pub mark: Mark,
}

#[derive(Debug, Clone)]
pub struct GridRow {
    pub label: String,
    /// One per column; `None` where there is nothing (drawn as background, no link).
    pub cells: Vec<Option<GridCell>>,
}

/// Rows × columns of shaded, labelled cells (heat maps, causes by quarter).
#[derive(Debug, Clone)]
pub struct Grid {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<GridRow>,
}

impl Grid {
    pub fn svg(&self) -> String {
        let (label_w, top) = (170.0, 30.0);
        let row_h = 20.0;
        let cols = self.columns.len().max(1);
        let cell_w = ((WIDTH - label_w - 6.0) / cols as f64).min(60.0);
        let height = top + row_h * self.rows.len() as f64 + 6.0;
        let max = self
            .rows
            .iter()
            .flat_map(|r| r.cells.iter().flatten().map(|c| c.mark.value))
            .fold(0.0, f64::max);
        let mut out = String::new();
        svg_open(&mut out, &self.title, height);
        let stride = label_stride(cols, cell_w * cols as f64, 52.0);
        for (ci, column) in self.columns.iter().enumerate() {
            if ci % stride == 0 {
                let _ = write!(
                    out,
                    r#"<text class="tick" x="{}" y="{}">{}</text>"#,
                    n(label_w + cell_w * (ci as f64 + 0.5)),
                    n(top - 10.0),
                    esc(column)
                );
            }
        }
        for (ri, row) in self.rows.iter().enumerate() {
            let y0 = top + row_h * ri as f64;
            let _ = write!(
                out,
                r#"<text class="label" x="{}" y="{}">{}</text><rect class="row-bg" x="{}" y="{}" width="{}" height="{}"/>"#,
                n(label_w - 6.0),
                n(y0 + 14.0),
                esc(&short_label(&row.label)),
                n(label_w),
                n(y0 + 1.0),
                n(cell_w * cols as f64),
                n(row_h - 2.0)
            );
        }
        let show_text = cell_w >= 18.0;
        let (w, h) = (n(cell_w - 2.0), n(row_h - 2.0));
        out.push_str(r#"<g class="cell">"#);
        for (ri, row) in self.rows.iter().enumerate() {
            let y0 = top + row_h * ri as f64;
            for (ci, cell) in row.cells.iter().enumerate() {
                let Some(cell) = cell else { continue };
                let level = if max > 0.0 {
                    ((cell.mark.value / max) * 5.0).ceil().clamp(1.0, 5.0) as u8
                } else {
                    1
                };
                let x = label_w + cell_w * ci as f64;
                let mut shape = format!(
                    r#"<rect x="{}" y="{}" width="{w}" height="{h}"/>"#,
                    n(x + 1.0),
                    n(y0 + 1.0),
                );
                if show_text {
                    let _ = write!(
                        shape,
                        r#"<text x="{}" y="{}">{}</text>"#,
                        n(x + cell_w / 2.0),
                        n(y0 + 14.0),
                        esc(&cell.text)
                    );
                }
                linked(
                    &mut out,
                    &cell.mark.href,
                    Some(&format!("h{level}")),
                    &cell.mark.title,
                    &shape,
                );
            }
        }
        out.push_str("</g></svg>");
        out
    }
}

/// A cell of a data table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    /// Right-aligned.
    Num(String),
    Link {
        text: String,
        href: String,
    },
    /// A right-aligned number linking to what it counts.
    NumLink {
        text: String,
        href: String,
    },
}

/// The data behind a chart, as a table.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Body cells (`td`) are numbers, right-aligned by the stylesheet, unless marked
    /// `class="t"` (text); the first cell of a row is its header (`th`).
    pub fn html(&self) -> String {
        let mut out = String::from(r#"<div class="table-wrap"><table class="data">"#);
        let _ = write!(out, "<caption>{}</caption><thead><tr>", esc(&self.caption));
        for h in &self.head {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, esc(h));
        }
        out.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let header = i == 0;
                let (tag, attrs) = match (header, cell) {
                    (true, Cell::Num(_) | Cell::NumLink { .. }) => {
                        ("th", r#" scope="row" class="num""#)
                    }
                    (true, _) => ("th", r#" scope="row""#),
                    (false, Cell::Text(_) | Cell::Link { .. }) => ("td", r#" class="t""#),
                    (false, _) => ("td", ""),
                };
                let _ = write!(out, "<{tag}{attrs}>");
                match cell {
                    Cell::Text(t) | Cell::Num(t) => esc_into(&mut out, t),
                    Cell::Link { text, href } | Cell::NumLink { text, href } => {
                        let _ = write!(out, r#"<a href="{}">{}</a>"#, esc(href), esc(text));
                    }
                }
                let _ = write!(out, "</{tag}>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
        out
    }
}

/// A chart with its heading, explanation, key and data table.
pub fn figure(
    id: &str,
    heading: &str,
    explanation: &str,
    chart: &str,
    legend: &str,
    table: &Table,
) -> String {
    format!(
        r#"<figure class="dash-figure" id="{id}"><figcaption><h3>{heading}</h3><p>{explanation}</p></figcaption>{chart}{legend}<details class="data-table"><summary>Data table: {heading}</summary>{table}</details></figure>"#,
        id = esc(id),
        heading = esc(heading),
        explanation = explanation,
        table = table.html(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(v: f64) -> Mark {
        Mark {
            value: v,
            href: "x/index.html".into(),
            title: "t <1>".into(),
        }
    }

    #[test]
    fn every_bar_is_a_link_with_a_title() {
        let chart = StackedBars {
            title: "c".into(),
            y_label: "incidents".into(),
            series: vec![Series {
                name: "SEV1".into(),
                class: "sev0".into(),
            }],
            groups: vec![
                BarGroup {
                    label: "Oct".into(),
                    segments: vec![Some(mark(2.0))],
                },
                BarGroup {
                    label: "Nov".into(),
                    segments: vec![None],
                },
            ],
        }
        .svg();
        assert_eq!(chart.matches("<rect").count(), 1);
        assert!(
            chart.contains(
                r#"<g class="bar sev0"><a href="x/index.html"><title>t &lt;1&gt;</title><rect"#
            ),
            "{chart}"
        );
        // Value 2 of a 0–2 axis fills the plot height (240 − 12 − 40).
        assert!(chart.contains(r#"height="188"/></a></g>"#), "{chart}");
    }

    #[test]
    fn escaping_copies_plain_runs_and_replaces_specials() {
        assert_eq!(esc("plain text"), "plain text");
        assert_eq!(esc(r#"a<b>&"c'd"#), "a&lt;b&gt;&amp;&quot;c&#39;d");
        assert_eq!(esc("é & ü"), "é &amp; ü");
    }

    #[test]
    fn grid_cells_link_with_title_first_and_shade_class() {
        let cell = |v: f64| {
            Some(GridCell {
                text: format!("{v}"),
                mark: mark(v),
            })
        };
        let svg = Grid {
            title: "g".into(),
            columns: vec!["Q1".into(), "Q2".into()],
            rows: vec![
                GridRow {
                    label: "api".into(),
                    cells: vec![cell(1.0), None],
                },
                GridRow {
                    label: "db".into(),
                    cells: vec![cell(5.0), cell(3.0)],
                },
            ],
        }
        .svg();
        assert_eq!(
            svg.matches("<a href").count(),
            3,
            "one link per non-empty cell"
        );
        // 1 of max 5 → level 1; 3 of 5 → level 3; 5 → level 5.
        for level in ["h1", "h3", "h5"] {
            assert!(
                svg.contains(&format!(
                    r#"class="{level}"><title>t &lt;1&gt;</title><rect"#
                )),
                "{level}: {svg}"
            );
        }
        assert!(svg.contains(r#"<g class="cell">"#));
    }

    #[test]
    fn nice_steps_are_1_2_5() {
        assert_eq!(nice_step(3.0), 1.0);
        assert_eq!(nice_step(9.0), 5.0);
        assert_eq!(nice_step(40.0), 10.0);
        assert_eq!(nice_step(70.0), 20.0);
    }

    #[test]
    fn coordinates_have_fixed_precision() {
        let n = |v: f64| n(v).to_string();
        assert_eq!(n(1.0 / 3.0), "0.3");
        assert_eq!(n(2.0), "2");
        assert_eq!(n(2.96), "3");
        assert_eq!(n(-0.001), "0");
        assert_eq!(n(-1.26), "-1.3");
        assert_eq!(n(188.04), "188");
    }

    #[test]
    fn median_line_skips_groups_without_summary() {
        let summary = |v: f64| {
            Some(BoxSummary {
                p25: v,
                median: v,
                p75: v,
                p90: v,
                href: "l/index.html".into(),
                title: "s".into(),
            })
        };
        let group = |s| DistGroup {
            label: "Q".into(),
            note: "n".into(),
            summary: s,
            points: vec![mark(5.0)],
        };
        let svg = Distribution {
            title: "d".into(),
            groups: vec![group(summary(5.0)), group(None), group(summary(9.0))],
            max_points: 10,
        }
        .svg();
        assert_eq!(
            svg.matches(r#"class="trend""#).count(),
            0,
            "no line across the gap"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        // One link per box, holding the box, the whisker and the median bar.
        assert_eq!(
            svg.matches(r#"<a href="l/index.html" class="box"><title>s</title><rect"#)
                .count(),
            2
        );
    }
}
