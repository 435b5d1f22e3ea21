//! Selection rates per group against the four-fifths line: one bar per group of a sensitive
//! column, and a dashed line at 0.8 × the highest group's rate. A bar below the line is
//! cross-hatched and says "below" in words, so the finding does not rest on its colour.

use super::Chart;
use super::format::{finite_max, number, share};
use super::palette::{AXIS, Fill, Paint, Tone};
use super::svg::{Anchor, Svg, clip, safe_id};
use super::table::Table;

/// One group and its selection rate (the share of its rows predicted positive).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRate {
    /// The group's value, e.g. `female`.
    pub group: String,
    /// Its rows.
    pub rows: u64,
    /// Its selection rate in [0, 1]; `None` when undefined (no rows).
    pub rate: Option<f64>,
}

const WIDTH: f64 = 480.0;
const LABEL_W: f64 = 110.0;
const VALUE_W: f64 = 110.0;
const BAR_W: f64 = WIDTH - LABEL_W - VALUE_W;
const ROW_H: f64 = 28.0;
const FOOT_H: f64 = 34.0;

const AT_OR_ABOVE: Paint = Paint {
    tone: Tone::Good,
    fill: Fill::Solid,
};
const BELOW: Paint = Paint {
    tone: Tone::Bad,
    fill: Fill::Cross,
};

/// Where a group stands against the line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    AtOrAbove,
    Below,
    Unknown,
}

/// The groups' rates on a 0–100 % axis and the line at `ratio` (0.8) × the highest finite
/// rate; with no finite rate (or a highest of 0) there is no line and every group is "n/a".
pub fn selection_rates(id: &str, title: &str, groups: &[GroupRate], ratio: f64) -> Chart {
    let id = safe_id(id);
    let rate_of = |g: &GroupRate| g.rate.filter(|r| r.is_finite());
    let highest = finite_max(groups.iter().filter_map(rate_of)).filter(|h| *h > 0.0);
    let line = highest.map(|h| h * ratio).filter(|l| l.is_finite());
    let standing = |g: &GroupRate| match (rate_of(g), line) {
        (Some(rate), Some(line)) if rate < line => Standing::Below,
        (Some(_), Some(_)) => Standing::AtOrAbove,
        _ => Standing::Unknown,
    };
    let height = ROW_H * groups.len().max(1) as f64 + FOOT_H;
    let mut svg = Svg::open(
        &id,
        WIDTH as u32,
        height as u32,
        title,
        &describe(groups, highest, line, ratio, &standing),
    );
    svg.defs(&[BELOW]);
    let x_of = |v: f64| LABEL_W + BAR_W * v.clamp(0.0, 1.0);
    if groups.is_empty() {
        svg.text(WIDTH / 2.0, ROW_H / 2.0 + 4.0, Anchor::Middle, "No data");
    }
    for (i, group) in groups.iter().enumerate() {
        let y = ROW_H * i as f64;
        let middle = y + ROW_H / 2.0 + 4.0;
        svg.text(LABEL_W - 6.0, middle, Anchor::End, &clip(&group.group, 15));
        let Some(rate) = rate_of(group) else {
            svg.text(LABEL_W + 6.0, middle, Anchor::Start, "n/a");
            continue;
        };
        let (paint, words) = match standing(group) {
            Standing::Below => (BELOW, format!("{} ✕ below", share(rate))),
            _ => (AT_OR_ABOVE, share(rate)),
        };
        let tip = format!("{}: selection rate {words}", group.group);
        svg.rect(
            LABEL_W,
            y + 5.0,
            x_of(rate) - LABEL_W,
            ROW_H - 10.0,
            paint,
            &tip,
        );
        svg.text(x_of(rate) + 6.0, middle, Anchor::Start, &words);
    }
    let bottom = ROW_H * groups.len().max(1) as f64;
    svg.line((LABEL_W, 0.0), (LABEL_W, bottom), AXIS, "");
    svg.line((LABEL_W, bottom), (LABEL_W + BAR_W, bottom), AXIS, "");
    for tick in [0.0, 0.5, 1.0] {
        svg.text(x_of(tick), bottom + 13.0, Anchor::Middle, &share(tick));
    }
    if let Some(line) = line {
        svg.line((x_of(line), 0.0), (x_of(line), bottom + 2.0), AXIS, "6 3");
        svg.text(
            x_of(line),
            bottom + 28.0,
            Anchor::Middle,
            &format!("four-fifths line {}", share(line)),
        );
    }

    let mut table = Table::open(
        &id,
        title,
        &[
            "Group",
            "Rows",
            "Selection rate",
            "Against the highest",
            "Four-fifths rule",
        ],
    );
    for group in groups {
        let against = rate_of(group)
            .zip(highest)
            .map_or_else(|| "n/a".to_owned(), |(r, h)| number(r / h, 2));
        let rule = match standing(group) {
            Standing::AtOrAbove => "at or above the line",
            Standing::Below => "below the line",
            Standing::Unknown => "n/a",
        };
        table.row(
            &group.group,
            &[
                group.rows.to_string(),
                rate_of(group).map_or_else(|| "n/a".to_owned(), share),
                against,
                rule.to_owned(),
            ],
        );
    }
    Chart {
        svg: svg.finish(),
        table: table.finish(),
    }
}

fn describe(
    groups: &[GroupRate],
    highest: Option<f64>,
    line: Option<f64>,
    ratio: f64,
    standing: &impl Fn(&GroupRate) -> Standing,
) -> String {
    let (Some(highest), Some(line)) = (highest, line) else {
        return format!(
            "Selection rates of {} groups; no group has a positive rate, so there is no four-fifths line.",
            groups.len()
        );
    };
    let below: Vec<&str> = groups
        .iter()
        .filter(|g| standing(g) == Standing::Below)
        .map(|g| g.group.as_str())
        .collect();
    let verdict = if below.is_empty() {
        "no group is below it".to_owned()
    } else {
        format!(
            "{} of {} groups are below it: {}",
            below.len(),
            groups.len(),
            below.join(", ")
        )
    };
    format!(
        "The highest selection rate is {}; the four-fifths line ({} of it) is at {}; {verdict}.",
        share(highest),
        number(ratio, 2),
        share(line),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, rate: Option<f64>) -> GroupRate {
        GroupRate {
            group: name.to_owned(),
            rows: 100,
            rate,
        }
    }

    #[test]
    fn groups_below_four_fifths_of_the_highest_are_named() {
        let chart = selection_rates(
            "f",
            "Selection rate by sex",
            &[
                group("a", Some(0.5)),
                group("b", Some(0.39)),
                group("c", Some(0.4)),
                group("d", None),
            ],
            0.8,
        );
        assert!(
            chart.svg.contains(
                "the four-fifths line (0.8 of it) is at 40%; 1 of 4 groups are below it: b."
            ),
            "{}",
            chart.svg
        );
        assert!(chart.svg.contains("39% ✕ below"));
        assert!(chart.svg.contains("four-fifths line 40%"));
        assert!(chart.table.contains("<td>below the line</td>"));
        assert_eq!(chart.table.matches("at or above the line").count(), 2);
        assert!(
            chart
                .table
                .contains("<th scope=\"row\">d</th><td>100</td><td>n/a</td>")
        );
    }

    #[test]
    fn without_a_positive_rate_there_is_no_line() {
        let chart = selection_rates("f", "t", &[group("a", Some(0.0))], 0.8);
        assert!(chart.svg.contains("there is no four-fifths line"));
        assert!(!chart.svg.contains("stroke-dasharray"));
    }
}
