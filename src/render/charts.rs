//! Chart geometry for the dashboards: what to draw and where, as view models that the
//! theme's `charts.html` components turn into inline SVG at build time.
//!
//! No charting crate: the charts need per-mark `<title>` tooltips, a link around every
//! mark, CSS classes instead of colours (so they follow light, dark and print styles
//! through `currentColor` and CSS variables in `static/dashboard.css`) and byte-identical
//! output. Rust lays a chart out (scales, ticks, label strides, jitter) and hands the
//! templates finished marks: position and size as fixed one-decimal strings (identical
//! on every platform), link and tooltip; the templates only write the markup, and
//! tera's autoescape escapes every text from a post-mortem. Each chart comes with a
//! `Table`, drawn as a `<details>` data table for screen readers and exact values.

use serde::Serialize;

/// A row label cut to 26 characters (with an ellipsis) so it fits left of the plot;
/// the full text stays in the tooltip and the data table.
fn short_label(label: &str) -> String {
    if label.chars().count() > 26 {
        label.chars().take(25).chain(['…']).collect()
    } else {
        label.to_string()
    }
}

pub(crate) use crate::words::escape_html;

/// A coordinate with one fixed decimal (a tenth of a unit is under 0.15 px at the widest
/// layout): enough precision, identical on every platform. Written as `12`, `12.5`,
/// `-0.3`, never `-0`, and handed to templates as such a string without allocating (a
/// chart has thousands of them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct N(f64);

fn n(v: f64) -> N {
    N(v)
}

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

impl Serialize for N {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use std::io::Write as _;
        // At most 21 characters: a sign, 19 digits, a point and a digit.
        let mut buf = [0u8; 24];
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        write!(cursor, "{self}").map_err(serde::ser::Error::custom)?;
        let len = cursor.position() as usize;
        serializer
            .serialize_str(std::str::from_utf8(&buf[..len]).map_err(serde::ser::Error::custom)?)
    }
}

const WIDTH: f64 = 720.0;

// ---- inputs -------------------------------------------------------------------------

/// A series of a stacked chart; `class` picks its colour in the stylesheet.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) class: String,
}

/// One linked mark: its size, where it links and its tooltip.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    pub(crate) value: f64,
    pub(crate) href: String,
    pub(crate) title: String,
}

/// One column of a stacked bar chart: a segment per series (zero values are skipped).
#[derive(Debug, Clone)]
pub(crate) struct BarGroup {
    pub(crate) label: String,
    pub(crate) segments: Vec<Option<Mark>>,
}

#[derive(Debug, Clone)]
pub(crate) struct StackedBars {
    /// Accessible name of the chart.
    pub(crate) title: String,
    pub(crate) y_label: String,
    pub(crate) series: Vec<Series>,
    pub(crate) groups: Vec<BarGroup>,
}

/// Median, quartiles and p90 of one group, drawn as a box.
#[derive(Debug, Clone)]
pub(crate) struct BoxSummary {
    pub(crate) p25: f64,
    pub(crate) median: f64,
    pub(crate) p75: f64,
    pub(crate) p90: f64,
    pub(crate) href: String,
    pub(crate) title: String,
}

/// One column of a distribution chart.
#[derive(Debug, Clone)]
pub(crate) struct DistGroup {
    pub(crate) label: String,
    /// Shown under the label, e.g. `n=4 · 1 missing`.
    pub(crate) note: String,
    /// The note where the full one would run into its neighbours, e.g. `4/5`; the
    /// full note stays in the tooltip and the data table.
    pub(crate) short_note: String,
    /// `None` when too few values rest on the group to summarise (points only).
    pub(crate) summary: Option<BoxSummary>,
    pub(crate) points: Vec<Mark>,
}

/// Durations on a log axis: per group a box (IQR), a median bar, a p90 whisker and the
/// individual values as points; the medians of neighbouring summarised groups are
/// joined by a line.
#[derive(Debug, Clone)]
pub(crate) struct Distribution {
    pub(crate) title: String,
    pub(crate) groups: Vec<DistGroup>,
    /// Groups with more values than this draw the box only (the page says so).
    pub(crate) max_points: usize,
}

/// One row of a horizontal bar chart.
#[derive(Debug, Clone)]
pub(crate) struct HBar {
    pub(crate) label: String,
    /// Text after the bar, e.g. `5 · 33%`.
    pub(crate) text: String,
    pub(crate) mark: Mark,
    /// Running share 0..=1 drawn as the Pareto line, when given.
    pub(crate) cumulative: Option<f64>,
}

/// Horizontal bars, longest first as given; with `cumulative` values a Pareto chart,
/// whose bar values must then be shares (0..=1) like the cumulative ones.
#[derive(Debug, Clone)]
pub(crate) struct HBars {
    pub(crate) title: String,
    pub(crate) class: String,
    pub(crate) rows: Vec<HBar>,
}

/// One cell of a grid; its value sets the shade.
#[derive(Debug, Clone)]
pub(crate) struct GridCell {
    pub(crate) text: String,
    pub(crate) mark: Mark,
}

#[derive(Debug, Clone)]
pub(crate) struct GridRow {
    pub(crate) label: String,
    /// One per column; `None` where there is nothing (drawn as background, no link).
    pub(crate) cells: Vec<Option<GridCell>>,
}

/// Rows × columns of shaded, labelled cells (heat maps, causes by quarter).
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub(crate) title: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<GridRow>,
}

/// A cell of a data table.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
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
pub(crate) struct Table {
    pub(crate) caption: String,
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

// ---- view models ----------------------------------------------------------------------

/// A linked rectangle (bar, cell): position, size, link and tooltip.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RectMark {
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) width: N,
    pub(crate) height: N,
    pub(crate) href: String,
    pub(crate) title: String,
}

/// Text at a point.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TextMark {
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) text: String,
}

/// A gridline of the value axis at `y`, labelled at `label_y` (and `Axes::tick_x`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct YTick {
    pub(crate) y: N,
    pub(crate) label_y: N,
    pub(crate) label: String,
}

/// What every chart with a value axis shares: its size, the left and right ends of
/// its plot, the x of the value labels, the gridlines, the rotated axis label (at
/// `y_label_x`, `y_label_y`) and the baseline `axis_y`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Axes {
    pub(crate) width: N,
    pub(crate) height: N,
    pub(crate) left: N,
    pub(crate) right: N,
    pub(crate) tick_x: N,
    pub(crate) ticks: Vec<YTick>,
    pub(crate) y_label_x: N,
    pub(crate) y_label_y: N,
    pub(crate) y_label: String,
    pub(crate) axis_y: N,
}

/// The bars of one series, drawn under its class.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BarLayer {
    pub(crate) class: String,
    pub(crate) marks: Vec<RectMark>,
}

/// A stacked bar chart: `chart.bars` in charts.html; `series` is its colour key.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BarChartView {
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) axes: Axes,
    pub(crate) layers: Vec<BarLayer>,
    pub(crate) labels: Vec<TextMark>,
    pub(crate) series: Vec<Series>,
}

/// A linked box (IQR) with its p90 whisker and median bar.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BoxMark {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) width: N,
    pub(crate) height: N,
    /// The centre line, where the whisker runs from `p75` up to `p90`.
    pub(crate) cx: N,
    pub(crate) p75: N,
    pub(crate) p90: N,
    /// The ends of the whisker's cap.
    pub(crate) cap_left: N,
    pub(crate) cap_right: N,
    /// The median bar from `x` to `right`.
    pub(crate) right: N,
    pub(crate) median: N,
}

/// A linked dot.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PointMark {
    pub(crate) cx: N,
    pub(crate) cy: N,
    pub(crate) href: String,
    pub(crate) title: String,
}

/// A group's label and its note below it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupLabel {
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) text: String,
    pub(crate) note_y: N,
    /// The note shown: the full one, or the short one when space is tight.
    pub(crate) note: String,
    /// The full note, as the shown note's tooltip.
    pub(crate) note_title: String,
}

/// One column of a duration chart: its box, its dots (empty when not drawn) and its
/// label (absent when the stride skips it).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DurationGroup {
    #[serde(rename = "box")]
    pub(crate) summary: Option<BoxMark>,
    pub(crate) points: Vec<PointMark>,
    pub(crate) label: Option<GroupLabel>,
}

/// A straight line.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Line {
    pub(crate) x1: N,
    pub(crate) y1: N,
    pub(crate) x2: N,
    pub(crate) y2: N,
}

/// Durations on a log axis: `chart.durations` in charts.html.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DurationChartView {
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) axes: Axes,
    pub(crate) groups: Vec<DurationGroup>,
    /// The median line, between neighbouring groups that both have a box.
    pub(crate) medians: Vec<Line>,
}

/// A vertical gridline of a Pareto chart from `y1` to `y2` at `x`, labelled `label`%
/// at `label_y`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct XTick {
    pub(crate) x: N,
    pub(crate) y1: N,
    pub(crate) y2: N,
    pub(crate) label_y: N,
    pub(crate) label: N,
}

/// A dot without a link.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dot {
    pub(crate) cx: N,
    pub(crate) cy: N,
}

/// Horizontal bars (a Pareto chart with `trend` and `cumulative`): `chart.hbars`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HBarChartView {
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) width: N,
    pub(crate) height: N,
    pub(crate) ticks: Vec<XTick>,
    pub(crate) labels: Vec<TextMark>,
    pub(crate) class: String,
    pub(crate) bars: Vec<RectMark>,
    pub(crate) values: Vec<TextMark>,
    /// The cumulative line's `points`, when it has two or more.
    pub(crate) trend: Option<String>,
    pub(crate) cumulative: Vec<Dot>,
}

/// A row of a grid: its label and background.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GridRowView {
    pub(crate) label: TextMark,
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) width: N,
    pub(crate) height: N,
}

/// A linked, shaded cell (`class` is `h1`..`h5`, lightest to darkest) with its value.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellMark {
    pub(crate) class: String,
    pub(crate) x: N,
    pub(crate) y: N,
    pub(crate) width: N,
    pub(crate) height: N,
    pub(crate) href: String,
    pub(crate) title: String,
    /// Absent when the cells are too narrow for text.
    pub(crate) text: Option<TextMark>,
}

/// Rows × columns of shaded cells: `chart.grid` in charts.html.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GridChartView {
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) width: N,
    pub(crate) height: N,
    pub(crate) columns: Vec<TextMark>,
    pub(crate) rows: Vec<GridRowView>,
    pub(crate) cells: Vec<CellMark>,
}

/// Any chart; its `kind` names the component that draws it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum ChartView {
    Bars(BarChartView),
    Durations(DurationChartView),
    HBars(HBarChartView),
    Grid(GridChartView),
}

/// A cell of a data table: numbers are right-aligned, `href` makes it a link.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellView {
    pub(crate) text: String,
    pub(crate) num: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) href: Option<String>,
}

/// A row of a data table: the cell that heads it, then the others.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView {
    pub(crate) head: CellView,
    pub(crate) cells: Vec<CellView>,
}

/// A data table: `chart.table` in charts.html.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TableView {
    pub(crate) caption: String,
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<RowView>,
}

/// A chart with its id, heading and data table: `chart.figure` in charts.html (the
/// page writes the explanation).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FigureView {
    pub(crate) id: String,
    pub(crate) heading: String,
    pub(crate) chart: ChartView,
    pub(crate) table: TableView,
}

impl FigureView {
    pub(crate) fn new(id: &str, heading: &str, chart: ChartView, table: Table) -> FigureView {
        FigureView {
            id: id.to_string(),
            heading: heading.to_string(),
            chart,
            table: table.view(),
        }
    }
}

// ---- layout ---------------------------------------------------------------------------

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

/// Labels every `k`-th column so that labels never overlap.
fn label_stride(columns: usize, plot_width: f64, label_width: f64) -> usize {
    ((columns as f64 * label_width / plot_width).ceil() as usize).max(1)
}

/// Font size (px) of axis ticks and notes under them (`.chart .tick, .chart .note` in
/// dashboard.css).
pub(crate) const TICK_FONT_PX: f64 = 10.0;

/// Average advance of a character as a share of the font size. Digits and lower-case
/// letters of system-ui fonts advance about 0.55 em; 0.62 leaves room for wider faces.
pub(crate) const CHAR_EM: f64 = 0.62;

/// Space kept between two neighbouring labels.
const LABEL_GAP: f64 = 6.0;

/// Estimated width of `text` in tick-sized type, plus the gap to its neighbour.
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * TICK_FONT_PX * CHAR_EM + LABEL_GAP
}

/// The axes of a plot from `left` to `WIDTH - right` whose baseline is at `bottom`.
fn axes(height: f64, left: f64, right: f64, middle: f64, bottom: f64, y_label: String) -> Axes {
    Axes {
        width: n(WIDTH),
        height: n(height),
        left: n(left),
        right: n(WIDTH - right),
        tick_x: n(left - 6.0),
        ticks: Vec::new(),
        y_label_x: n(12.0),
        y_label_y: n(middle),
        y_label,
        axis_y: n(bottom),
    }
}

fn tick(y: f64, label: String) -> YTick {
    YTick {
        y: n(y),
        label_y: n(y + 4.0),
        label,
    }
}

fn rect(x: f64, y: f64, width: f64, height: f64, mark: Mark) -> RectMark {
    RectMark {
        x: n(x),
        y: n(y),
        width: n(width),
        height: n(height),
        href: mark.href,
        title: mark.title,
    }
}

impl StackedBars {
    pub(crate) fn view(self) -> ChartView {
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
        let mut axes = axes(
            height,
            left,
            right,
            top + plot_h / 2.0,
            top + plot_h,
            self.y_label,
        );
        let mut value = 0.0;
        while value <= top_value + 1e-9 {
            axes.ticks.push(tick(y(value), n(value).to_string()));
            value += step;
        }
        let slot = plot_w / self.groups.len().max(1) as f64;
        let bar_w = (slot * 0.72).min(48.0);
        let stride = label_stride(self.groups.len(), plot_w, 52.0);
        let x = |gi: usize| left + slot * gi as f64 + (slot - bar_w) / 2.0;
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
        let mut layers: Vec<BarLayer> = (0..segments)
            .map(|si| BarLayer {
                class: self
                    .series
                    .get(si)
                    .map(|s| s.class.clone())
                    .unwrap_or_default(),
                marks: Vec::new(),
            })
            .collect();
        let mut labels = Vec::new();
        for (gi, group) in self.groups.into_iter().enumerate() {
            for (si, segment) in group.segments.into_iter().enumerate() {
                let Some(mark) = segment.filter(|m| m.value > 0.0) else {
                    continue;
                };
                let (y0, y1) = (y(bases[gi]), y(bases[gi] + mark.value));
                bases[gi] += mark.value;
                layers[si].marks.push(rect(x(gi), y1, bar_w, y0 - y1, mark));
            }
            if gi % stride == 0 {
                labels.push(TextMark {
                    x: n(left + slot * (gi as f64 + 0.5)),
                    y: n(top + plot_h + 16.0),
                    text: group.label,
                });
            }
        }
        layers.retain(|l| !l.marks.is_empty());
        ChartView::Bars(BarChartView {
            kind: "bars",
            title: self.title,
            axes,
            layers,
            labels,
            series: self.series,
        })
    }
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
    pub(crate) fn view(self) -> ChartView {
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
        let mut axes = axes(
            height,
            left,
            right,
            top + plot_h / 2.0,
            top + plot_h,
            "minutes (log scale)".to_string(),
        );
        axes.ticks = TIME_TICKS
            .iter()
            .filter(|t| t.0.log10() <= hi + 1e-9)
            .map(|(value, label)| tick(y(*value), label.to_string()))
            .collect();
        let slot = plot_w / self.groups.len().max(1) as f64;
        let box_w = (slot * 0.5).min(40.0);
        // Labels and the notes under them are laid out so that none runs into its
        // neighbour: full notes where every labelled column has room for them, else
        // the short ones, and only every `stride`-th column labelled when even those do
        // not fit (the data table lists every column).
        let widest = |f: fn(&DistGroup) -> &str| {
            self.groups
                .iter()
                .map(|g| label_width(f(g)))
                .fold(0.0, f64::max)
        };
        let (label_w, full_w, short_w) = (
            widest(|g| &g.label),
            widest(|g| &g.note),
            widest(|g| &g.short_note),
        );
        let columns = self.groups.len();
        let stride = label_stride(columns, plot_w, label_w);
        let (stride, use_short) = if full_w <= slot * stride as f64 {
            (stride, false)
        } else {
            (label_stride(columns, plot_w, label_w.max(short_w)), true)
        };
        let mut median_path: Vec<Option<(f64, f64)>> = Vec::new();
        let mut groups = Vec::with_capacity(self.groups.len());
        let max_points = self.max_points;
        for (gi, group) in self.groups.into_iter().enumerate() {
            let cx = left + slot * (gi as f64 + 0.5);
            let summary = group.summary.map(|s| {
                median_path.push(Some((cx, y(s.median))));
                // One link for the box (IQR), its median bar and the p90 whisker.
                BoxMark {
                    href: s.href,
                    title: s.title,
                    x: n(cx - box_w / 2.0),
                    y: n(y(s.p75)),
                    width: n(box_w),
                    height: n((y(s.p25) - y(s.p75)).max(1.0)),
                    cx: n(cx),
                    p75: n(y(s.p75)),
                    p90: n(y(s.p90)),
                    cap_left: n(cx - box_w / 4.0),
                    cap_right: n(cx + box_w / 4.0),
                    right: n(cx + box_w / 2.0),
                    median: n(y(s.median)),
                }
            });
            if summary.is_none() {
                median_path.push(None);
            }
            let points = if group.points.len() <= max_points {
                group
                    .points
                    .into_iter()
                    .enumerate()
                    .map(|(pi, p)| {
                        // Deterministic spread so that equal values stay visible.
                        let jitter = ((pi * 7) % 11) as f64 / 10.0 - 0.5;
                        PointMark {
                            cx: n(cx + jitter * box_w * 0.9),
                            cy: n(y(p.value)),
                            href: p.href,
                            title: p.title,
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let label = (gi % stride == 0).then(|| GroupLabel {
                x: n(cx),
                y: n(top + plot_h + 16.0),
                text: group.label,
                note_y: n(top + plot_h + 30.0),
                note: if use_short {
                    group.short_note
                } else {
                    group.note.clone()
                },
                note_title: group.note,
            });
            groups.push(DurationGroup {
                summary,
                points,
                label,
            });
        }
        // The median line only joins neighbouring summarised groups: no line is drawn
        // across a group that rests on too few incidents.
        let medians = median_path
            .windows(2)
            .filter_map(|pair| match pair {
                [Some((x1, y1)), Some((x2, y2))] => Some(Line {
                    x1: n(*x1),
                    y1: n(*y1),
                    x2: n(*x2),
                    y2: n(*y2),
                }),
                _ => None,
            })
            .collect();
        ChartView::Durations(DurationChartView {
            kind: "durations",
            title: self.title,
            axes,
            groups,
            medians,
        })
    }
}

impl HBars {
    pub(crate) fn view(self) -> ChartView {
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
        let ticks = if has_cumulative {
            [0.0, 0.25, 0.5, 0.75, 1.0]
                .into_iter()
                .map(|pct| XTick {
                    x: n(label_w + pct * plot_w),
                    y1: n(top - 4.0),
                    y2: n(height - 8.0),
                    label_y: n(12.0),
                    label: n(pct * 100.0),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut labels = Vec::new();
        let mut bars = Vec::new();
        let mut values = Vec::new();
        let mut line = Vec::new();
        for (i, row) in self.rows.into_iter().enumerate() {
            let y0 = top + row_h * i as f64;
            let w = (row.mark.value / max * plot_w).max(1.0);
            labels.push(TextMark {
                x: n(label_w - 6.0),
                y: n(y0 + 15.0),
                text: short_label(&row.label),
            });
            bars.push(rect(label_w, y0 + 3.0, w, row_h - 6.0, row.mark));
            if let Some(c) = row.cumulative {
                line.push((label_w + c * plot_w, y0 + row_h / 2.0));
            }
            values.push(TextMark {
                // Pareto values sit right of the 100% line, clear of the cumulative line.
                x: n(if has_cumulative {
                    label_w + plot_w + 10.0
                } else {
                    label_w + w + 6.0
                }),
                y: n(y0 + 15.0),
                text: row.text,
            });
        }
        let trend = (line.len() > 1).then(|| {
            line.iter()
                .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
                .collect::<Vec<_>>()
                .join(" ")
        });
        ChartView::HBars(HBarChartView {
            kind: "hbars",
            title: self.title,
            width: n(WIDTH),
            height: n(height),
            ticks,
            labels,
            class: self.class,
            bars,
            values,
            trend,
            cumulative: line
                .iter()
                .map(|(x, y)| Dot {
                    cx: n(*x),
                    cy: n(*y),
                })
                .collect(),
        })
    }
}

impl Grid {
    pub(crate) fn view(self) -> ChartView {
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
        let stride = label_stride(cols, cell_w * cols as f64, 52.0);
        let columns = self
            .columns
            .into_iter()
            .enumerate()
            .filter(|(ci, _)| ci % stride == 0)
            .map(|(ci, column)| TextMark {
                x: n(label_w + cell_w * (ci as f64 + 0.5)),
                y: n(top - 10.0),
                text: column,
            })
            .collect();
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(ri, row)| {
                let y0 = top + row_h * ri as f64;
                GridRowView {
                    label: TextMark {
                        x: n(label_w - 6.0),
                        y: n(y0 + 14.0),
                        text: short_label(&row.label),
                    },
                    x: n(label_w),
                    y: n(y0 + 1.0),
                    width: n(cell_w * cols as f64),
                    height: n(row_h - 2.0),
                }
            })
            .collect();
        let show_text = cell_w >= 18.0;
        let mut cells = Vec::new();
        for (ri, row) in self.rows.into_iter().enumerate() {
            let y0 = top + row_h * ri as f64;
            for (ci, cell) in row.cells.into_iter().enumerate() {
                let Some(cell) = cell else { continue };
                let level = if max > 0.0 {
                    ((cell.mark.value / max) * 5.0).ceil().clamp(1.0, 5.0) as u8
                } else {
                    1
                };
                let x = label_w + cell_w * ci as f64;
                cells.push(CellMark {
                    class: format!("h{level}"),
                    x: n(x + 1.0),
                    y: n(y0 + 1.0),
                    width: n(cell_w - 2.0),
                    height: n(row_h - 2.0),
                    href: cell.mark.href,
                    title: cell.mark.title,
                    text: show_text.then(|| TextMark {
                        x: n(x + cell_w / 2.0),
                        y: n(y0 + 14.0),
                        text: cell.text,
                    }),
                });
            }
        }
        ChartView::Grid(GridChartView {
            kind: "grid",
            title: self.title,
            width: n(WIDTH),
            height: n(height),
            columns,
            rows,
            cells,
        })
    }
}

impl Cell {
    fn view(self) -> CellView {
        let (text, num, href) = match self {
            Cell::Text(t) => (t, false, None),
            Cell::Num(t) => (t, true, None),
            Cell::Link { text, href } => (text, false, Some(href)),
            Cell::NumLink { text, href } => (text, true, Some(href)),
        };
        CellView { text, num, href }
    }
}

impl Table {
    pub(crate) fn view(self) -> TableView {
        TableView {
            caption: self.caption,
            head: self.head,
            rows: self
                .rows
                .into_iter()
                .map(|row| {
                    let mut cells = row.into_iter().map(Cell::view);
                    RowView {
                        head: cells
                            .next()
                            .unwrap_or_else(|| Cell::Text(String::new()).view()),
                        cells: cells.collect(),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::esc;

    fn mark(v: f64) -> Mark {
        Mark {
            value: v,
            href: "x/index.html".into(),
            title: "t <1>".into(),
        }
    }

    fn json<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn bars_keep_their_links_and_fill_the_plot() {
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
        };
        let ChartView::Bars(view) = chart.view() else {
            panic!("bars")
        };
        assert_eq!(view.layers.len(), 1);
        let layer = json(&view.layers[0]);
        assert_eq!(layer["class"], "sev0");
        assert_eq!(layer["marks"].as_array().unwrap().len(), 1);
        let bar = &layer["marks"][0];
        assert_eq!(
            (&bar["href"], &bar["title"]),
            (&"x/index.html".into(), &"t <1>".into())
        );
        // Value 2 of a 0–2 axis fills the plot height (240 − 12 − 40).
        assert_eq!(bar["height"], "188");
        assert_eq!(json(&view)["kind"], "bars");
    }

    #[test]
    fn escaping_copies_plain_runs_and_replaces_specials() {
        assert_eq!(esc("plain text"), "plain text");
        assert_eq!(esc(r#"a<b>&"c'd"#), "a&lt;b&gt;&amp;&quot;c&#39;d");
        assert_eq!(esc("é & ü"), "é &amp; ü");
        for s in ["plain", r#"a<b>&"c'd"#, "é & ü", ""] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(s, &mut ours).unwrap();
            tera::escape_html(s, &mut teras).unwrap();
            assert_eq!(ours, teras, "{s}");
            assert_eq!(String::from_utf8(ours).unwrap(), esc(s));
        }
    }

    #[test]
    fn grid_cells_are_shaded_by_value() {
        let cell = |v: f64| {
            Some(GridCell {
                text: format!("{v}"),
                mark: mark(v),
            })
        };
        let grid = Grid {
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
        };
        let ChartView::Grid(view) = grid.view() else {
            panic!("grid")
        };
        // One linked cell per non-empty cell: 1 of max 5 → level 1; 5 → 5; 3 → 3.
        let classes: Vec<&str> = view.cells.iter().map(|c| c.class.as_str()).collect();
        assert_eq!(classes, ["h1", "h5", "h3"]);
        assert!(view.cells.iter().all(|c| c.href == "x/index.html"));
        assert_eq!(view.rows.len(), 2);
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
        // Serialised as the same string, also at the extremes.
        assert_eq!(json(&super::n(-1.26)), "-1.3");
        assert_eq!(json(&super::n(-1e18)), super::n(-1e18).to_string());
        assert_eq!(json(&super::n(f64::NAN)), "0");
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
            short_note: "n".into(),
            summary: s,
            points: vec![mark(5.0)],
        };
        let chart = Distribution {
            title: "d".into(),
            groups: vec![group(summary(5.0)), group(None), group(summary(9.0))],
            max_points: 10,
        };
        let ChartView::Durations(view) = chart.view() else {
            panic!("durations")
        };
        assert!(view.medians.is_empty(), "no line across the gap");
        assert_eq!(view.groups.iter().map(|g| g.points.len()).sum::<usize>(), 3);
        let boxes: Vec<&BoxMark> = view
            .groups
            .iter()
            .filter_map(|g| g.summary.as_ref())
            .collect();
        assert_eq!(boxes.len(), 2);
        assert!(
            boxes
                .iter()
                .all(|b| b.href == "l/index.html" && b.title == "s")
        );
    }

    #[test]
    fn crowded_groups_draw_no_points() {
        let chart = Distribution {
            title: "d".into(),
            groups: vec![DistGroup {
                label: "Q".into(),
                note: "n".into(),
                short_note: "n".into(),
                summary: None,
                points: vec![mark(5.0), mark(6.0)],
            }],
            max_points: 1,
        };
        let ChartView::Durations(view) = chart.view() else {
            panic!("durations")
        };
        assert!(view.groups[0].points.is_empty());
    }

    /// The horizontal extent of a centred tick-sized text at `x`, by font size × chars.
    fn extent(x: f64, text: &str) -> (f64, f64) {
        let w = text.chars().count() as f64 * TICK_FONT_PX * 0.6;
        (x - w / 2.0, x + w / 2.0)
    }

    fn overlaps(row: &[(f64, f64)]) -> bool {
        row.windows(2).any(|p| p[0].1 > p[1].0)
    }

    fn quarters(count: usize, missing: usize) -> Distribution {
        Distribution {
            title: "d".into(),
            groups: (0..count)
                .map(|q| DistGroup {
                    label: format!("Q{} {}", q % 4 + 1, 2020 + q / 4),
                    note: format!("n={} · {missing} missing", q * 3),
                    short_note: format!("{}/{}", q * 3, q * 3 + missing),
                    summary: None,
                    points: Vec::new(),
                })
                .collect(),
            max_points: 10,
        }
    }

    #[test]
    fn duration_labels_and_notes_never_overlap() {
        for (count, missing) in [(1, 3), (3, 3), (6, 12), (8, 3), (12, 120), (24, 7), (60, 1)] {
            let ChartView::Durations(view) = quarters(count, missing).view() else {
                panic!("durations")
            };
            let labels: Vec<&GroupLabel> = view
                .groups
                .iter()
                .filter_map(|g| g.label.as_ref())
                .collect();
            assert!(!labels.is_empty(), "{count} quarters: some label is shown");
            let ticks: Vec<(f64, f64)> = labels.iter().map(|l| extent(l.x.0, &l.text)).collect();
            let notes: Vec<(f64, f64)> = labels.iter().map(|l| extent(l.x.0, &l.note)).collect();
            assert!(
                !overlaps(&ticks),
                "{count} quarters: labels overlap {ticks:?}"
            );
            assert!(
                !overlaps(&notes),
                "{count} quarters: notes overlap {notes:?}"
            );
            // Both lines stay inside the chart.
            let all = ticks.iter().chain(&notes);
            assert!(
                all.clone().all(|(a, b)| *a >= 0.0 && *b <= WIDTH),
                "{count}"
            );
            // The two lines are one line height apart, so they cannot touch.
            for l in &labels {
                assert!(l.note_y.0 - l.y.0 >= TICK_FONT_PX * 1.2, "{count}");
                assert!(l.note_title.contains("missing"));
            }
        }
        // With room, the full note is shown under every quarter.
        let ChartView::Durations(view) = quarters(3, 3).view() else {
            panic!("durations")
        };
        let notes: Vec<&str> = view
            .groups
            .iter()
            .map(|g| g.label.as_ref().unwrap().note.as_str())
            .collect();
        assert_eq!(
            notes,
            ["n=0 · 3 missing", "n=3 · 3 missing", "n=6 · 3 missing"]
        );
        // Eight quarters: too tight for the full notes, so the short ones, each quarter.
        let ChartView::Durations(view) = quarters(8, 3).view() else {
            panic!("durations")
        };
        let shown: Vec<&str> = view
            .groups
            .iter()
            .filter_map(|g| g.label.as_ref())
            .map(|l| l.note.as_str())
            .collect();
        assert_eq!(shown.len(), 8, "{shown:?}");
        assert_eq!(shown[1], "3/6");
    }
}
