//! A what-if sweep: the risk score at each value tried, each point marked by the status it
//! gave (a circle for pass, a square for warn or fail, each in its colour), and the tipping
//! point — the first value whose status differs from the one before — as a dashed rule.

use super::Chart;
use super::format::{finite_max, nice_ceiling, number};
use super::palette::Tone;
use super::plot::{LINE_PLOT, Plot};
use super::svg::{Anchor, Svg, safe_id};
use super::table::Table;

/// One value of the sweep and what it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The swept parameter's value.
    pub value: f64,
    /// The risk score it gave.
    pub risk: f64,
    /// The status it gave: `pass`, `warn` or `fail`.
    pub status: String,
}

const PLOT: Plot = LINE_PLOT;

/// The tone and marker of a status: fail is a red square, warn an amber square, pass a
/// green circle, so the shape says as much as the colour.
fn look(status: &str) -> (Tone, bool) {
    match status {
        "fail" => (Tone::Bad, true),
        "warn" => (Tone::Warning, true),
        "pass" => (Tone::Good, false),
        _ => (Tone::Neutral, false),
    }
}

/// The sweep of `parameter` over `points` (in the order tried), with the index of the
/// tipping point if there is one. The y axis is the risk score, 0 to 100 or higher.
pub fn sweep(
    id: &str,
    title: &str,
    parameter: &str,
    points: &[SweepPoint],
    tipping: Option<usize>,
) -> Chart {
    let id = safe_id(id);
    let top = nice_ceiling(
        finite_max(points.iter().map(|p| p.risk))
            .unwrap_or(0.0)
            .max(100.0),
    );
    let mut svg = Svg::open(
        &id,
        PLOT.width as u32,
        PLOT.height as u32,
        title,
        &describe(parameter, points, tipping),
    );
    let slot = PLOT.inner_width() / points.len().max(1) as f64;
    let x_of = |i: usize| PLOT.left + slot * (i as f64 + 0.5);
    PLOT.frame(&mut svg, top, |v| number(v, 0), points.is_empty());
    let every = points.len().div_ceil(8).max(1);
    for (i, point) in points.iter().enumerate().step_by(every) {
        svg.text(
            x_of(i),
            PLOT.baseline() + 16.0,
            Anchor::Middle,
            &number(point.value, 3),
        );
    }
    svg.text(
        PLOT.left + PLOT.inner_width() / 2.0,
        PLOT.height - 4.0,
        Anchor::Middle,
        parameter,
    );
    if let Some(i) = tipping.filter(|&i| i < points.len()) {
        // Between the last value of the old status and the first of the new.
        let x = x_of(i) - slot / 2.0;
        let colour = Tone::Neutral.colour();
        svg.line((x, PLOT.top), (x, PLOT.baseline()), colour, "4 3");
        svg.text(
            x + 4.0,
            PLOT.top + 12.0,
            Anchor::Start,
            &format!("tips at {}", number(points[i].value, 3)),
        );
    }
    let finite: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.risk.is_finite())
        .map(|(i, p)| (i, p.risk))
        .collect();
    let d: Vec<String> = finite
        .iter()
        .enumerate()
        .map(|(n, &(i, risk))| {
            let command = if n == 0 { 'M' } else { 'L' };
            format!("{command}{:.1},{:.1}", x_of(i), PLOT.y_at(risk / top))
        })
        .collect();
    if !d.is_empty() {
        svg.path(&d.join(" "), Tone::Reference.colour(), "");
    }
    for &(i, risk) in &finite {
        let point = &points[i];
        let (tone, square) = look(&point.status);
        let tip = format!(
            "{parameter} {}: risk {}, {}",
            number(point.value, 3),
            number(risk, 1),
            point.status
        );
        svg.marker(x_of(i), PLOT.y_at(risk / top), square, tone.colour(), &tip);
    }
    for (n, status) in ["pass", "warn", "fail"].into_iter().enumerate() {
        let (tone, square) = look(status);
        let x = PLOT.left + 90.0 * n as f64;
        svg.marker(x + 6.0, 12.0, square, tone.colour(), status);
        svg.text(x + 16.0, 16.0, Anchor::Start, status);
    }
    let mut table = Table::open(&id, title, &[parameter, "Risk score", "Status"]);
    for (i, point) in points.iter().enumerate() {
        let status = if tipping == Some(i) {
            format!("{} (tipping point)", point.status)
        } else {
            point.status.clone()
        };
        table.row(&number(point.value, 3), &[number(point.risk, 1), status]);
    }
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

/// What the chart shows in words: the range tried and where the status tips.
fn describe(parameter: &str, points: &[SweepPoint], tipping: Option<usize>) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return format!("Risk score by {parameter}, with no values tried.");
    };
    let mut text = format!(
        "Risk score for {} values of {parameter} from {} to {}, each point shaped by its status \
         (circle pass, square warn or fail).",
        points.len(),
        number(first.value, 3),
        number(last.value, 3)
    );
    match tipping.and_then(|i| Some((i, points.get(i)?, points.get(i.checked_sub(1)?)?))) {
        Some((_, at, before)) => text.push_str(&format!(
            " The status tips from {} to {} at {} (dashed line).",
            before.status,
            at.status,
            number(at.value, 3)
        )),
        None => text.push_str(" The status does not change over the values tried."),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(value: f64, risk: f64, status: &str) -> SweepPoint {
        SweepPoint {
            value,
            risk,
            status: status.to_owned(),
        }
    }

    #[test]
    fn the_tipping_point_is_drawn_and_said() {
        let points = [
            point(0.0, 5.0, "pass"),
            point(1.0, 40.0, "warn"),
            point(2.0, 80.0, "fail"),
        ];
        let chart = sweep("w", "Sweep", "shift", &points, Some(1));
        assert!(chart.svg.contains("tips at 1"), "{}", chart.svg);
        assert!(chart.svg.contains("tips from pass to warn at 1"));
        assert!(chart.table.contains("warn (tipping point)"));
        assert_eq!(
            chart.svg.matches("<circle").count(),
            2,
            "pass points and the legend's"
        );
    }

    #[test]
    fn no_values_and_odd_numbers_draw_without_a_panic() {
        let empty = sweep("w", "Sweep", "scale", &[], None);
        assert!(empty.svg.contains("with no values tried"));
        let odd = sweep(
            "w",
            "Sweep",
            "scale",
            &[point(f64::NAN, f64::INFINITY, "?")],
            Some(5),
        );
        assert!(!odd.svg.contains("tips at"));
    }
}
