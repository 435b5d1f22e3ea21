//! Contribution bars: how many points each component adds to a total, such as the risk
//! score's drift, fairness and performance contributions.

use super::Chart;
use super::format::{finite_max, number};
use super::palette::{AXIS, Fill, Paint, Tone};
use super::svg::{Anchor, Svg, clip, safe_id};
use super::table::Table;

/// One component and the points it contributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The component's name, e.g. `drift`.
    pub label: String,
    /// Its contribution in points.
    pub points: f64,
}

const WIDTH: f64 = 480.0;
const LABEL_W: f64 = 110.0;
const VALUE_W: f64 = 80.0;
const BAR_W: f64 = WIDTH - LABEL_W - VALUE_W;
const ROW_H: f64 = 28.0;
const FOOT_H: f64 = 28.0;

/// One bar per component, and below them the score they add up to. `score` is the total as
/// reported (the risk score is clamped to [0, 100], so it may differ from the sum).
pub fn contributions(id: &str, title: &str, parts: &[Contribution], score: f64) -> Chart {
    let id = safe_id(id);
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let sum: f64 = parts.iter().map(|p| finite(p.points)).sum();
    let height = ROW_H * parts.len().max(1) as f64 + FOOT_H + 4.0;
    let mut svg = Svg::open(
        &id,
        WIDTH as u32,
        height as u32,
        title,
        &describe(parts, sum, score),
    );
    // Negative points (never made by the risk score, but possible input) grow leftwards from
    // a zero line.
    let high = finite_max(parts.iter().map(|p| p.points))
        .unwrap_or(0.0)
        .max(0.0);
    let low = parts.iter().map(|p| finite(p.points)).fold(0.0, f64::min);
    let span = if high - low > 0.0 { high - low } else { 1.0 };
    let x_of = |v: f64| LABEL_W + BAR_W * (finite(v) - low) / span;
    let paint = Paint {
        tone: Tone::Reference,
        fill: Fill::Solid,
    };
    if parts.is_empty() {
        svg.text(
            WIDTH / 2.0,
            ROW_H / 2.0 + 4.0,
            Anchor::Middle,
            "No components",
        );
    }
    for (i, part) in parts.iter().enumerate() {
        let y = ROW_H * i as f64;
        let (zero, end) = (x_of(0.0), x_of(part.points));
        let value = format!("{} points", number(part.points, 1));
        svg.text(
            LABEL_W - 6.0,
            y + ROW_H / 2.0 + 4.0,
            Anchor::End,
            &clip(&part.label, 15),
        );
        let tip = format!("{}: {value}", part.label);
        svg.rect(
            zero.min(end),
            y + 5.0,
            (end - zero).abs(),
            ROW_H - 10.0,
            paint,
            &tip,
        );
        svg.text(
            zero.max(end) + 6.0,
            y + ROW_H / 2.0 + 4.0,
            Anchor::Start,
            &value,
        );
    }
    let bottom = ROW_H * parts.len().max(1) as f64;
    svg.line((x_of(0.0), 0.0), (x_of(0.0), bottom), AXIS, "");
    svg.line(
        (LABEL_W, bottom + 2.0),
        (LABEL_W + BAR_W, bottom + 2.0),
        AXIS,
        "",
    );
    svg.text(LABEL_W - 6.0, bottom + 20.0, Anchor::End, "Total");
    svg.text(
        LABEL_W,
        bottom + 20.0,
        Anchor::Start,
        &total_words(sum, score),
    );

    let mut table = Table::open(&id, title, &["Component", "Points"]);
    for part in parts {
        table.row(&part.label, &[number(part.points, 2)]);
    }
    table.row("Total", &[total_words(sum, score)]);
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

/// "54.3 points", or "104 points, clamped to 100" when the score is not the sum.
fn total_words(sum: f64, score: f64) -> String {
    if (sum - score).abs() < 0.05 || !score.is_finite() {
        format!("{} points", number(sum, 1))
    } else {
        format!("{} points, clamped to {}", number(sum, 1), number(score, 1))
    }
}

fn describe(parts: &[Contribution], sum: f64, score: f64) -> String {
    let each: Vec<String> = parts
        .iter()
        .map(|p| format!("{} {} points", p.label, number(p.points, 1)))
        .collect();
    if each.is_empty() {
        return format!("Score {} with no components.", number(score, 1));
    }
    format!(
        "Score {}: {}; together {}.",
        number(score, 1),
        each.join(", "),
        total_words(sum, score)
    )
}
