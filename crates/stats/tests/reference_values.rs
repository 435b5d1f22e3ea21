//! Every value of `reference_values_10k.json` (scipy, Evidently, Fairlearn, scikit-learn on
//! `reference_10k.csv` / `current_10k.csv`) reproduced from the CSVs.
//!
//! The files live in `testdata/reference/` in the repository (its README says which library
//! and version computed each value), or wherever `DRIFTGUARD_REFERENCE_DIR` points.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use driftguard_stats::drift::{self, ColumnDrift, DriftMethod, DriftOptions, DriftReport};
use driftguard_stats::fairness::{self, FairnessMetrics, GroupMetrics};
use driftguard_stats::performance::{self, PerformanceMetrics, Task};
use driftguard_stats::testing::{read_reference, reference_roles};
use driftguard_stats::{Categorical, Column, Dataset, ParseOptions};
use serde_json::Value;

const REL: f64 = 1e-9;
const P_ABS: f64 = 1e-6;

struct Fixture {
    reference: Dataset,
    current: Dataset,
    expected: Value,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let read = read_reference;
        let options = ParseOptions::default();
        Fixture {
            reference: Dataset::from_csv(&read("reference_10k.csv"), &options).unwrap(),
            current: Dataset::from_csv(&read("current_10k.csv"), &options).unwrap(),
            expected: serde_json::from_slice(&read("reference_values_10k.json")).unwrap(),
        }
    })
}

fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

#[track_caller]
fn assert_rel(got: f64, want: f64, what: &str) {
    let ok = if want == 0.0 {
        got.abs() <= 1e-15
    } else {
        ((got - want) / want).abs() <= REL
    };
    assert!(ok, "{what}: got {got:e}, want {want:e}");
}

#[track_caller]
fn assert_p(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= P_ABS,
        "{what}: got {got:e}, want {want:e}"
    );
}

fn report(options: &DriftOptions) -> DriftReport {
    let fx = fixture();
    drift::compare(&fx.reference, &fx.current, &reference_roles(), options).unwrap()
}

fn forced(method: DriftMethod) -> DriftReport {
    report(&DriftOptions {
        method: Some(method),
        ..DriftOptions::default()
    })
}

fn column<'a>(report: &'a DriftReport, name: &str) -> &'a ColumnDrift {
    report.columns.iter().find(|c| c.column == name).unwrap()
}

fn expected_columns() -> &'static serde_json::Map<String, Value> {
    fixture().expected["columns"].as_object().unwrap()
}

#[test]
fn features_are_the_twenty_non_role_columns() {
    let r = report(&DriftOptions::default());
    let mut names: Vec<&str> = r.columns.iter().map(|c| c.column.as_str()).collect();
    assert_eq!(names[..3], ["n01", "n02", "n03"], "file order");
    names.sort_unstable();
    let want: Vec<&str> = expected_columns().keys().map(String::as_str).collect();
    assert_eq!(names, want);
    for c in &r.columns {
        let e = &expected_columns()[&c.column];
        let kind = if e["type"] == "numerical" {
            "numeric"
        } else {
            "categorical"
        };
        assert_eq!(c.kind.as_str(), kind, "{}", c.column);
        assert_eq!(c.reference.count as u64, e["n_ref"].as_u64().unwrap());
        assert_eq!(c.current.count as u64, e["n_cur"].as_u64().unwrap());
        assert_eq!(
            c.reference.distinct as u64,
            e["ref_nunique"].as_u64().unwrap()
        );
    }
}

#[test]
fn evidently_default_per_column_and_dataset() {
    let r = report(&DriftOptions::default());
    for c in &r.columns {
        let e = &expected_columns()[&c.column]["evidently_default"];
        let method = c.method.unwrap();
        assert_eq!(method.as_str(), e["test"].as_str().unwrap(), "{}", c.column);
        assert_rel(c.score.unwrap(), f(&e["score"]), &c.column);
        assert_eq!(c.threshold, Some(f(&e["threshold"])));
        assert_eq!(
            c.drifted,
            e["drift_detected"].as_bool().unwrap(),
            "{}",
            c.column
        );
    }
    let e = &fixture().expected["evidently_default_dataset_drift"];
    assert_eq!(
        r.drifted_columns as u64,
        e["drifted_columns"].as_u64().unwrap()
    );
    assert_eq!(r.drifted_columns, 8);
    assert_eq!(r.total_columns, 20);
    assert_eq!(r.share, f(&e["share"]));
    assert_eq!(r.share, 0.4);
    assert!(!r.dataset_drifted);
}

#[test]
fn evidently_reports_with_other_methods() {
    let presets = fixture().expected["evidently_crosscheck"]["report_values"]
        .as_object()
        .unwrap();
    for (name, preset) in presets {
        let kwargs = &preset["preset_kwargs"];
        let method = |key: &str| {
            kwargs[key]
                .as_str()
                .map(|m| m.parse::<DriftMethod>().unwrap())
        };
        let r = report(&DriftOptions {
            method: method("method"),
            numeric_method: method("num_method"),
            categorical_method: method("cat_method"),
            ..DriftOptions::default()
        });
        let want = &preset["drifted_columns"];
        assert_eq!(r.drifted_columns as f64, f(&want["count"]), "preset {name}");
        assert_eq!(r.share, f(&want["share"]), "preset {name}");
    }
}

#[test]
fn ks_statistic_and_exact_p_values() {
    let r = forced(DriftMethod::Ks);
    for (name, e) in expected_columns() {
        let c = column(&r, name);
        if e["ks"].is_null() {
            assert_eq!(c.method, None, "{name}: ks does not apply");
            assert!(c.reason.is_some());
            continue;
        }
        assert_eq!(e["ks"]["method_used"], "exact");
        assert_rel(c.statistic.unwrap(), f(&e["ks"]["statistic"]), name);
        assert_p(c.score.unwrap(), f(&e["ks"]["pvalue"]), name);
        assert_eq!(
            c.drifted,
            e["drift_detected_if_forced"]["ks"].as_bool().unwrap(),
            "{name}"
        );
    }
}

#[test]
fn ks_asymptotic_p_values() {
    // scipy's method="asymp" on the same samples: kstwo.sf(D, round(n1·n2/(n1+n2))).
    for (name, e) in expected_columns() {
        if e["ks"].is_null() {
            continue;
        }
        let d = f(&e["ks"]["statistic"]);
        let p = drift::kstwo_sf(d, 5_000);
        assert_p(p, f(&e["ks"]["pvalue_asymp"]), name);
    }
}

#[test]
fn wasserstein_normed() {
    let r = forced(DriftMethod::Wasserstein);
    for (name, e) in expected_columns() {
        let c = column(&r, name);
        match e["wasserstein"].as_object() {
            None => assert_eq!(c.method, None, "{name}"),
            Some(w) => {
                assert_rel(c.score.unwrap(), f(&w["normed"]), name);
                assert_eq!(
                    c.drifted,
                    e["drift_detected_if_forced"]["wasserstein"]
                        .as_bool()
                        .unwrap()
                );
            }
        }
    }
}

#[test]
fn jensenshannon_and_bins() {
    let r = forced(DriftMethod::Jensenshannon);
    for (name, e) in expected_columns() {
        let c = column(&r, name);
        let js = &e["jensenshannon_evidently"];
        assert_rel(c.score.unwrap(), f(&js["value"]), name);
        assert_eq!(
            c.drifted,
            e["drift_detected_if_forced"]["jensenshannon"]
                .as_bool()
                .unwrap()
        );
        let bins = c.bins.as_ref().unwrap();
        assert_eq!(
            bins.reference.len() as u64,
            js["n_bins"].as_u64().unwrap(),
            "{name}"
        );
        if let Some(edges) = js["edges"].as_array() {
            let got = bins.edges.as_ref().unwrap();
            assert_eq!(got.len(), edges.len(), "{name}");
            for (g, w) in got.iter().zip(edges) {
                assert_rel(*g, f(w), &format!("{name} edge"));
            }
        }
    }
}

#[test]
fn psi_and_filled_shares() {
    let r = forced(DriftMethod::Psi);
    for (name, e) in expected_columns() {
        let c = column(&r, name);
        let psi = &e["psi_evidently"];
        assert_rel(c.score.unwrap(), f(&psi["value"]), name);
        assert_eq!(
            c.drifted,
            e["drift_detected_if_forced"]["psi"].as_bool().unwrap()
        );
        let bins = c.bins.as_ref().unwrap();
        for (shares, filled) in [
            (&bins.reference, &psi["ref_percents_filled"]),
            (&bins.current, &psi["cur_percents_filled"]),
        ] {
            for (&got, want) in shares.iter().zip(filled.as_array().unwrap()) {
                // The plot shows raw shares; the JSON holds them after zero filling.
                if got == 0.0 {
                    assert!(f(want) <= 1e-4, "{name}: filled zero {want}");
                } else {
                    assert_rel(got, f(want), &format!("{name} share"));
                }
            }
        }
        if let Some(keys) = psi["bin_keys"].as_array() {
            let labels = bins.labels.as_ref().unwrap();
            for (got, want) in labels.iter().zip(keys) {
                let want = want.as_str().unwrap();
                // Evidently prints floats as Python does ("3.0"); labels are canonical ("3").
                let same = got == want || got.parse::<f64>().ok() == want.parse::<f64>().ok();
                assert!(same, "{name}: bin {got} vs {want}");
            }
        }
    }
}

#[test]
fn chisquare_goodness_of_fit() {
    let r = forced(DriftMethod::Chisquare);
    for (name, e) in expected_columns() {
        let Some(chi) = e["chisquare_evidently"].as_object() else {
            continue;
        };
        let c = column(&r, name);
        assert_rel(c.statistic.unwrap(), f(&chi["statistic"]), name);
        assert_p(c.score.unwrap(), f(&chi["pvalue"]), name);
        assert_eq!(
            c.drifted,
            e["drift_detected_if_forced"]["chisquare"]
                .as_bool()
                .unwrap()
        );
    }
}

#[track_caller]
fn check_fairness(metrics: &FairnessMetrics, groups: &[GroupMetrics], want: &Value, side: &str) {
    let pairs = [
        (
            metrics.demographic_parity_difference,
            "demographic_parity_difference",
        ),
        (metrics.demographic_parity_ratio, "demographic_parity_ratio"),
        (metrics.disparate_impact, "demographic_parity_ratio"),
        (
            metrics.equalized_odds_difference,
            "equalized_odds_difference",
        ),
        (metrics.equalized_odds_ratio, "equalized_odds_ratio"),
        (
            metrics.equal_opportunity_difference,
            "equal_opportunity_difference",
        ),
        (metrics.equal_opportunity_ratio, "equal_opportunity_ratio"),
    ];
    for (got, key) in pairs {
        assert_rel(got.unwrap(), f(&want[key]), &format!("{side} {key}"));
    }
    let by_group = &want["components_by_group"];
    for g in groups {
        let k = g.group.as_str();
        assert_eq!(g.count as f64, f(&by_group["count"][k]));
        assert_rel(
            g.selection_rate.unwrap(),
            f(&by_group["selection_rate"][k]),
            k,
        );
        assert_rel(g.tpr.unwrap(), f(&by_group["tpr"][k]), k);
        assert_rel(g.fpr.unwrap(), f(&by_group["fpr"][k]), k);
    }
}

#[test]
fn fairness_like_fairlearn() {
    let fx = fixture();
    for (dataset, side) in [(&fx.reference, "reference"), (&fx.current, "current")] {
        let report = fairness::evaluate(dataset, &reference_roles())
            .unwrap()
            .unwrap();
        let group = &report.columns[0];
        assert_eq!(group.groups.len(), 3);
        let want = &fx.expected["fairness"][side];
        check_fairness(&group.metrics, &group.groups, want, side);
        check_fairness(&report.worst, &group.groups, want, side);
        assert!(group.warnings.is_empty());
    }
}

#[track_caller]
fn check_performance(m: &PerformanceMetrics, want: &Value, what: &str) {
    assert_eq!(m.rows as u64, want["n"].as_u64().unwrap());
    for (got, key) in [
        (m.accuracy, "accuracy"),
        (m.precision, "precision"),
        (m.recall, "recall"),
        (m.f1, "f1"),
        (m.roc_auc, "roc_auc"),
    ] {
        assert_rel(got.unwrap(), f(&want[key]), &format!("{what} {key}"));
    }
}

/// The rows of `dataset` whose `group` is `value`.
fn subset(dataset: &Dataset, value: &str) -> Dataset {
    let Some(Column::Categorical(group)) = dataset.column("group") else {
        panic!("group column");
    };
    let rows: Vec<usize> = (0..dataset.rows())
        .filter(|&i| group.get(i) == Some(value))
        .collect();
    let columns = dataset
        .iter()
        .map(|(name, column)| {
            let column = match column {
                Column::Numeric(v) => Column::Numeric(rows.iter().map(|&i| v[i]).collect()),
                Column::Categorical(c) => Column::Categorical(Categorical::from_labels(
                    &rows.iter().map(|&i| c.get(i)).collect::<Vec<_>>(),
                )),
            };
            (name.to_owned(), column)
        })
        .collect();
    Dataset::from_columns(columns).unwrap()
}

#[test]
fn performance_like_sklearn() {
    let fx = fixture();
    for (dataset, side) in [(&fx.reference, "reference"), (&fx.current, "current")] {
        let want = &fx.expected["performance"][side];
        let m =
            performance::evaluate(dataset, Task::BinaryClassification, &reference_roles()).unwrap();
        check_performance(&m, &want["overall"], side);
        for (group, want) in want["by_group"].as_object().unwrap() {
            let part = subset(dataset, group);
            let m = performance::evaluate(&part, Task::BinaryClassification, &reference_roles())
                .unwrap();
            check_performance(&m, want, &format!("{side} {group}"));
        }
    }
    let cmp = performance::compare(
        &fx.reference,
        &fx.current,
        Task::BinaryClassification,
        &reference_roles(),
    )
    .unwrap();
    let base = &fx.expected["performance"]["reference"]["overall"];
    let cur = &fx.expected["performance"]["current"]["overall"];
    assert_rel(
        cmp.drop["accuracy"],
        f(&base["accuracy"]) - f(&cur["accuracy"]),
        "drop",
    );
    assert_rel(
        cmp.drop["roc_auc"],
        f(&base["roc_auc"]) - f(&cur["roc_auc"]),
        "drop",
    );
}
