//! A line chart with gaps: the risk trend, one point per day for the mean and the maximum,
//! where a day without evaluations breaks both lines and is shaded, rather than being drawn
//! as a zero or bridged over.

use super::Chart;
use super::format::{finite_max, nice_ceiling, number};
use super::palette::Tone;
use super::plot::{LINE_PLOT, Plot};
use super::svg::{Anchor, Svg, clip, safe_id};
use super::table::Table;

/// One day of the trend; `mean` and `max` are `None` on a day without evaluations.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    /// The day, as it should be printed (e.g. `2026-12-04`).
    pub date: String,
    /// How many evaluations the day had.
    pub evaluations: u64,
    /// The mean risk score of the day's evaluations.
    pub mean: Option<f64>,
    /// The highest risk score of the day's evaluations.
    pub max: Option<f64>,
}

const PLOT: Plot = LINE_PLOT;

/// A line is drawn in its tone with its own dash and marker shape, so the two lines differ
/// without colour.
struct Line {
    name: &'static str,
    tone: Tone,
    dash: &'static str,
    square: bool,
    value: fn(&TrendPoint) -> Option<f64>,
}

const LINES: [Line; 2] = [
    Line {
        name: "Mean",
        tone: Tone::Reference,
        dash: "",
        square: false,
        value: |p| p.mean,
    },
    Line {
        name: "Maximum",
        tone: Tone::Bad,
        dash: "6 3",
        square: true,
        value: |p| p.max,
    },
];

/// A value to draw: present and a finite number.
fn drawn(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// The trend of mean and maximum per day. The y axis runs from 0 to `y_max` (100 for the
/// risk score), or higher if a value exceeds it.
pub fn trend(id: &str, title: &str, points: &[TrendPoint], y_max: f64) -> Chart {
    let id = safe_id(id);
    let all = points
        .iter()
        .flat_map(|p| [drawn(p.mean), drawn(p.max)])
        .flatten();
    let top = nice_ceiling(finite_max(all).unwrap_or(0.0).max(y_max));
    let mut svg = Svg::open(
        &id,
        PLOT.width as u32,
        PLOT.height as u32,
        title,
        &describe(points),
    );
    let slot = PLOT.inner_width() / points.len().max(1) as f64;
    let x_of = |i: usize| PLOT.left + slot * (i as f64 + 0.5);
    // The gaps' bands go first, under the grid and the lines.
    for (i, point) in points.iter().enumerate() {
        if drawn(point.mean).is_none() && drawn(point.max).is_none() {
            let tip = format!("{}: no evaluations", point.date);
            svg.band(
                PLOT.left + slot * i as f64,
                PLOT.top,
                slot,
                PLOT.inner_height(),
                &tip,
            );
        }
    }
    PLOT.frame(&mut svg, top, |v| number(v, 1), points.is_empty());
    let every = points.len().div_ceil(6).max(1);
    for (i, point) in points.iter().enumerate().step_by(every) {
        svg.text(
            x_of(i),
            PLOT.baseline() + 16.0,
            Anchor::Middle,
            &clip(&point.date, 12),
        );
    }
    for (n, line) in LINES.iter().enumerate() {
        let colour = line.tone.colour();
        let legend_x = PLOT.left + 130.0 * n as f64;
        svg.line((legend_x, 12.0), (legend_x + 24.0, 12.0), colour, line.dash);
        svg.marker(legend_x + 12.0, 12.0, line.square, colour, line.name);
        svg.text(legend_x + 30.0, 16.0, Anchor::Start, line.name);
        let at = |i: usize, v: f64| (x_of(i), PLOT.y_at(v / top));
        let values: Vec<Option<f64>> = points.iter().map(|p| drawn((line.value)(p))).collect();
        let d = broken_path(&values, at);
        if !d.is_empty() {
            svg.path(&d, colour, line.dash);
        }
        for (i, point) in points.iter().enumerate() {
            if let Some(v) = values[i] {
                let tip = format!(
                    "{}, {}: {}",
                    point.date,
                    line.name.to_lowercase(),
                    number(v, 1)
                );
                let (x, y) = at(i, v);
                svg.marker(x, y, line.square, colour, &tip);
            }
        }
    }
    let gap_x = PLOT.left + 130.0 * LINES.len() as f64;
    svg.band(gap_x, 6.0, 14.0, 12.0, "No evaluations");
    svg.text(gap_x + 19.0, 16.0, Anchor::Start, "No evaluations");
    let mut table = Table::open(&id, title, &["Date", "Evaluations", "Mean", "Maximum"]);
    for point in points {
        let cell = |v: Option<f64>| drawn(v).map_or_else(|| "none".to_owned(), |v| number(v, 1));
        table.row(
            &point.date,
            &[
                point.evaluations.to_string(),
                cell(point.mean),
                cell(point.max),
            ],
        );
    }
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

/// The path through the present values, lifting the pen over each missing one so a day
/// without data is a gap, not a bridge.
fn broken_path(values: &[Option<f64>], at: impl Fn(usize, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    let mut joined = false;
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => {
                let (x, y) = at(i, *v);
                let command = if joined { 'L' } else { 'M' };
                d.push_str(&format!("{command}{x:.1},{y:.1} "));
                joined = true;
            }
            None => joined = false,
        }
    }
    d.trim_end().to_owned()
}

/// What the chart shows in words: the span, the peak and the gaps.
fn describe(points: &[TrendPoint]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return "Mean and maximum per day, with no days.".to_owned();
    };
    let mut text = format!(
        "Mean (solid line, circles) and maximum (dashed line, squares) per day from {} to {}.",
        first.date, last.date
    );
    let peak = points
        .iter()
        .filter_map(|p| drawn(p.max).map(|v| (v, &p.date)))
        .reduce(|a, b| if b.0 > a.0 { b } else { a });
    if let Some((value, date)) = peak {
        text.push_str(&format!(
            " The highest maximum is {} on {date}.",
            number(value, 1)
        ));
    }
    let empty = points
        .iter()
        .filter(|p| drawn(p.mean).is_none() && drawn(p.max).is_none())
        .count();
    text.push_str(&format!(
        " {empty} of {} days have no evaluations; they are gaps in the lines.",
        points.len()
    ));
    text
}
