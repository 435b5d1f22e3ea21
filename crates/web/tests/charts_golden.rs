//! Golden tests of the SVG charts: each chart of a fixed input is compared byte for byte
//! with its file under `tests/golden/`. After a deliberate change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test -p driftguard-web --test charts_golden` and review the diff
//! (open the `.html` files in a browser to look at them).

use std::path::PathBuf;

use driftguard_web::charts::{
    Bins, Chart, Contribution, GroupRate, Series, StackedRow, Tone, TrendPoint, contributions,
    histogram, mini_histogram, overlaid_histograms, selection_rates, stacked_bars, trend,
};

/// Compares the chart with `tests/golden/{name}.html` (the SVG and its table, one file so
/// it can be opened and looked at), or writes it when `UPDATE_GOLDEN` is set.
fn golden(name: &str, chart: &Chart) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.html"));
    let actual = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head><body>\n{}\n{}\n</body></html>\n",
        chart.svg, chart.table
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from {}; if the change is meant, run with UPDATE_GOLDEN=1 and review the diff",
        path.display()
    );
}

fn compliance_series() -> Vec<Series> {
    [
        ("pass", Tone::Good),
        ("warn", Tone::Warning),
        ("fail", Tone::Bad),
        ("unevaluated", Tone::Neutral),
    ]
    .into_iter()
    .map(|(name, tone)| Series {
        name: name.to_owned(),
        tone,
    })
    .collect()
}

#[test]
fn histogram_of_numeric_bins() {
    let bins = Bins::from_edges(&[0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    golden(
        "histogram",
        &histogram(
            "age-reference",
            "Reference distribution of age",
            &bins,
            &[0.1, 0.25, 0.35, 0.2, 0.1],
        ),
    );
}

#[test]
fn overlaid_histograms_of_categories() {
    let bins = Bins::from_categories(["north", "south", "east", "west"]);
    let chart = overlaid_histograms(
        "region-overlay",
        "Reference and current distribution of region",
        &bins,
        &[0.4, 0.3, 0.2, 0.1],
        &[0.2, 0.3, 0.2, 0.3],
    );
    golden("overlaid", &chart);
}

#[test]
fn mini_histogram_for_a_table_cell() {
    let bins = Bins::from_edges(&[f64::NEG_INFINITY, 0.0, 1.0, f64::INFINITY]);
    golden(
        "mini",
        &mini_histogram(
            "income-current-mini",
            "Current distribution of income",
            &bins,
            &[0.2, 0.5, 0.3],
            Tone::Current,
        ),
    );
}

#[test]
fn compliance_by_risk_tier() {
    let rows = [
        ("low", [5, 1, 0, 2]),
        ("medium", [3, 2, 1, 0]),
        ("high", [1, 1, 3, 1]),
        ("critical", [0, 0, 0, 0]),
    ]
    .into_iter()
    .map(|(label, counts)| StackedRow {
        label: label.to_owned(),
        counts: counts.to_vec(),
    })
    .collect::<Vec<_>>();
    golden(
        "stacked",
        &stacked_bars(
            "compliance-by-tier",
            "Compliance by risk tier",
            "Risk tier",
            &compliance_series(),
            &rows,
        ),
    );
}

#[test]
fn risk_trend_with_gaps() {
    let points: Vec<TrendPoint> = (1..=10u32)
        .map(|day| {
            let has_data = !matches!(day, 3 | 4 | 8);
            let mean = has_data.then(|| 20.0 + f64::from(day) * 3.0);
            TrendPoint {
                date: format!("2026-11-{day:02}"),
                evaluations: if has_data { u64::from(day) } else { 0 },
                mean,
                max: mean.map(|m| m + 15.5),
            }
        })
        .collect();
    golden(
        "trend",
        &trend("risk-trend", "Risk score per day", &points, 100.0),
    );
}

#[test]
fn risk_breakdown() {
    let parts = [("drift", 30.0), ("fairness", 20.25), ("performance", 4.0)]
        .into_iter()
        .map(|(label, points)| Contribution {
            label: label.to_owned(),
            points,
        })
        .collect::<Vec<_>>();
    golden(
        "contributions",
        &contributions("risk-breakdown", "Risk score breakdown", &parts, 54.25),
    );
}

#[test]
fn selection_rates_against_the_four_fifths_line() {
    let groups = [
        ("female", 412, Some(0.31)),
        ("male", 588, Some(0.45)),
        ("non-binary", 21, Some(0.38)),
        ("not stated", 0, None),
    ]
    .map(|(group, rows, rate)| GroupRate {
        group: group.to_owned(),
        rows,
        rate,
    });
    golden(
        "selection",
        &selection_rates(
            "fairness-0",
            "Selection rate of each group of sex",
            &groups,
            0.8,
        ),
    );
}
