//! Stacked horizontal bars: counts of several series per row, such as compliance (pass,
//! warn, fail, unevaluated) by risk tier.

use super::Chart;
use super::palette::{AXIS, Paint, Tone};
use super::svg::{Anchor, Svg, clip, safe_id};
use super::table::Table;

/// One series of the stack: its name (in the legend and the table) and its tone, which
/// chooses both its colour and its pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Shown in the legend, the tooltips and the table's header.
    pub name: String,
    /// Its colour and pattern.
    pub tone: Tone,
}

/// One bar: its label and one count per series (missing counts are 0).
#[derive(Clone, Debug, PartialEq)]
pub struct StackedRow {
    /// The bar's label, e.g. a risk tier.
    pub label: String,
    /// One count per series, in the series' order.
    pub counts: Vec<u64>,
}

impl StackedRow {
    fn count(&self, series: usize) -> u64 {
        self.counts.get(series).copied().unwrap_or(0)
    }

    /// The bar's total over the given number of series (saturating: huge counts must not
    /// wrap around).
    fn total(&self, series: usize) -> u64 {
        (0..series).fold(0u64, |sum, s| sum.saturating_add(self.count(s)))
    }
}

const WIDTH: f64 = 480.0;
const LABEL_W: f64 = 96.0;
const TOTAL_W: f64 = 64.0;
const BAR_W: f64 = WIDTH - LABEL_W - TOTAL_W - 8.0;
const LEGEND_H: f64 = 30.0;
const ROW_H: f64 = 28.0;

/// Stacked bars, one per row; the bars share one scale, so longer means more. `row_heading`
/// heads the table's first column (e.g. "Risk tier").
pub fn stacked_bars(
    id: &str,
    title: &str,
    row_heading: &str,
    series: &[Series],
    rows: &[StackedRow],
) -> Chart {
    let id = safe_id(id);
    let height = LEGEND_H + ROW_H * rows.len().max(1) as f64 + 8.0;
    let largest = rows
        .iter()
        .map(|r| r.total(series.len()))
        .max()
        .unwrap_or(0);
    let mut svg = Svg::open(
        &id,
        WIDTH as u32,
        height as u32,
        title,
        &describe(series, rows),
    );
    let paints: Vec<Paint> = series.iter().map(|s| Paint::for_status(s.tone)).collect();
    svg.defs(&paints);
    let legend_w = (WIDTH - 8.0) / series.len().max(1) as f64;
    for (i, (one, paint)) in series.iter().zip(&paints).enumerate() {
        let name = clip(&one.name, ((legend_w - 24.0) / 7.0) as usize);
        svg.legend(4.0 + legend_w * i as f64, *paint, &name);
    }
    if rows.is_empty() {
        svg.text(
            WIDTH / 2.0,
            LEGEND_H + ROW_H / 2.0 + 4.0,
            Anchor::Middle,
            "No data",
        );
    }
    let scale = if largest == 0 {
        0.0
    } else {
        BAR_W / largest as f64
    };
    for (r, row) in rows.iter().enumerate() {
        let y = LEGEND_H + ROW_H * r as f64;
        svg.text(
            LABEL_W - 6.0,
            y + ROW_H / 2.0 + 4.0,
            Anchor::End,
            &clip(&row.label, 13),
        );
        let mut x = LABEL_W;
        for (s, (one, paint)) in series.iter().zip(&paints).enumerate() {
            let count = row.count(s);
            let w = count as f64 * scale;
            if count > 0 {
                let tip = format!("{}: {} {}", row.label, count, one.name);
                svg.rect(x, y + 4.0, w, ROW_H - 8.0, *paint, &tip);
            }
            x += w;
        }
        let total = row.total(series.len());
        svg.text(
            x + 6.0,
            y + ROW_H / 2.0 + 4.0,
            Anchor::Start,
            &total.to_string(),
        );
    }
    let bottom = LEGEND_H + ROW_H * rows.len().max(1) as f64;
    svg.line((LABEL_W, LEGEND_H), (LABEL_W, bottom), AXIS, "");

    let mut headers: Vec<&str> = vec![row_heading];
    headers.extend(series.iter().map(|s| s.name.as_str()));
    headers.push("Total");
    let mut table = Table::open(&id, title, &headers);
    for row in rows {
        let mut cells: Vec<String> = (0..series.len())
            .map(|s| row.count(s).to_string())
            .collect();
        cells.push(row.total(series.len()).to_string());
        table.row(&row.label, &cells);
    }
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

/// "low: 3 pass, 1 warn; high: …", with each series' pattern named once.
fn describe(series: &[Series], rows: &[StackedRow]) -> String {
    let key: Vec<String> = series
        .iter()
        .map(|s| format!("{} ({})", s.name, Paint::for_status(s.tone).fill.words()))
        .collect();
    let bars: Vec<String> = rows
        .iter()
        .map(|row| {
            let parts: Vec<String> = series
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} {}", row.count(i), s.name))
                .collect();
            format!("{}: {}", row.label, parts.join(", "))
        })
        .collect();
    if bars.is_empty() {
        return format!("Stacked bars of {}, with no data.", key.join(", "));
    }
    format!("Stacked bars of {}. {}.", key.join(", "), bars.join("; "))
}
