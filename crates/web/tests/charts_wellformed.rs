//! Every chart stays well-formed XML, accessible and inert whatever it is given: odd
//! numbers (NaN, infinities, huge counts), no data, one bin, mismatched lengths, and hostile
//! labels.

use driftguard_web::charts::{
    Bins, Chart, Contribution, GroupRate, Series, StackedRow, Tone, TrendPoint, contributions,
    histogram, mini_histogram, overlaid_histograms, selection_rates, stacked_bars, trend,
};
use proptest::prelude::*;

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quote' \u{0}\u{1b}";

/// Parses the chart's SVG and table, and checks what every chart must have.
fn check(chart: &Chart) {
    let svg = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("SVG is not well-formed: {e}\n{}", chart.svg));
    let root = svg.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let id = root.attribute("id").unwrap_or_default();
    assert_eq!(
        root.attribute("aria-labelledby"),
        Some(format!("{id}-title").as_str())
    );
    let first: Vec<&str> = root
        .children()
        .filter(|n| n.is_element())
        .take(2)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(
        first,
        ["title", "desc"],
        "the title and description come first"
    );
    for node in svg.descendants() {
        assert_ne!(node.tag_name().name(), "script");
        assert_ne!(
            node.tag_name().name(),
            "style",
            "a style element breaks a strict CSP"
        );
        assert!(
            node.attribute("style").is_none(),
            "a style attribute breaks a strict CSP"
        );
    }
    let table = roxmltree::Document::parse(&chart.table)
        .unwrap_or_else(|e| panic!("table is not well-formed: {e}\n{}", chart.table));
    assert!(table.descendants().all(|n| n.tag_name().name() != "script"));
    assert_eq!(table.root_element().tag_name().name(), "table");
    assert!(
        table
            .descendants()
            .any(|n| n.tag_name().name() == "caption")
    );
}

fn every_chart(labels: &[String], values: &[f64], counts: &[u64]) -> Vec<Chart> {
    let bins = Bins::from_categories(labels.iter().cloned());
    let edges = Bins::from_edges(values);
    let rows: Vec<StackedRow> = labels
        .iter()
        .map(|label| StackedRow {
            label: label.clone(),
            counts: counts.to_vec(),
        })
        .collect();
    let series: Vec<Series> = labels
        .iter()
        .zip([Tone::Good, Tone::Warning, Tone::Bad, Tone::Neutral])
        .map(|(name, tone)| Series {
            name: name.clone(),
            tone,
        })
        .collect();
    let points: Vec<TrendPoint> = labels
        .iter()
        .zip(values.iter().chain(std::iter::repeat(&f64::NAN)))
        .enumerate()
        .map(|(i, (date, v))| TrendPoint {
            date: date.clone(),
            evaluations: counts.get(i).copied().unwrap_or(0),
            mean: (i % 3 != 1).then_some(*v),
            max: (i % 3 != 1).then_some(*v * 2.0),
        })
        .collect();
    let parts: Vec<Contribution> = labels
        .iter()
        .zip(values)
        .map(|(label, points)| Contribution {
            label: label.clone(),
            points: *points,
        })
        .collect();
    let groups: Vec<GroupRate> = labels
        .iter()
        .zip(values.iter().chain(std::iter::repeat(&f64::NAN)))
        .enumerate()
        .map(|(i, (group, rate))| GroupRate {
            group: group.clone(),
            rows: counts.get(i).copied().unwrap_or(u64::MAX),
            rate: (i % 4 != 3).then_some(*rate),
        })
        .collect();
    vec![
        histogram(HOSTILE, HOSTILE, &bins, values),
        histogram("edges", HOSTILE, &edges, values),
        overlaid_histograms("o", HOSTILE, &bins, values, &values[values.len().min(1)..]),
        mini_histogram("m", HOSTILE, &edges, values, Tone::Current),
        stacked_bars("s", HOSTILE, HOSTILE, &series, &rows),
        trend("t", HOSTILE, &points, 100.0),
        contributions(
            "c",
            HOSTILE,
            &parts,
            values.first().copied().unwrap_or(f64::NAN),
        ),
        selection_rates("f", HOSTILE, &groups, 0.8),
    ]
}

fn odd_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        -1e3..1e3f64,
        0.0..1.0f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn odd_inputs_make_well_formed_accessible_charts(
        labels in prop::collection::vec(".{0,20}", 0..40),
        values in prop::collection::vec(odd_number(), 0..40),
        counts in prop::collection::vec(prop_oneof![Just(u64::MAX), Just(0u64), 0..1000u64], 0..6),
    ) {
        for chart in every_chart(&labels, &values, &counts) {
            check(&chart);
        }
    }
}

#[test]
fn empty_and_one_bin_inputs_are_drawn() {
    for chart in every_chart(&[], &[], &[]) {
        check(&chart);
        let text = chart.svg.to_lowercase();
        assert!(
            text.contains("no data") || text.contains("no components"),
            "an empty chart says so: {}",
            chart.svg
        );
    }
    let one = vec!["only".to_owned()];
    for chart in every_chart(&one, &[1.0], &[u64::MAX]) {
        check(&chart);
    }
}

#[test]
fn a_script_in_a_label_comes_out_inert() {
    let labels = vec![
        HOSTILE.to_owned(),
        "<img src=x onerror=alert(1)>".to_owned(),
    ];
    for chart in every_chart(&labels, &[0.5, 0.5, 1.0], &[1, 2, 3, 4]) {
        check(&chart);
        for html in [&chart.svg, &chart.table] {
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
        }
        assert!(
            chart.svg.contains("&lt;script&gt;"),
            "the title is shown, escaped: {}",
            chart.svg
        );
    }
}

#[test]
fn an_id_cannot_break_out_of_its_attribute() {
    let chart = histogram(
        "a\" onload=\"alert(1)",
        "t",
        &Bins::from_categories(["x"]),
        &[1.0],
    );
    check(&chart);
    assert!(
        chart
            .svg
            .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"aonloadalert1\"")
    );
}

#[test]
fn huge_counts_do_not_overflow() {
    let rows = vec![StackedRow {
        label: "tier".to_owned(),
        counts: vec![u64::MAX, u64::MAX],
    }];
    let series = vec![
        Series {
            name: "pass".to_owned(),
            tone: Tone::Good,
        },
        Series {
            name: "fail".to_owned(),
            tone: Tone::Bad,
        },
    ];
    let chart = stacked_bars("s", "t", "Tier", &series, &rows);
    check(&chart);
    assert!(
        chart.table.contains(&format!("<td>{}</td>", u64::MAX)),
        "the total saturates: {}",
        chart.table
    );
}
