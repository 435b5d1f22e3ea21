//! Property tests: identical samples never drift, symmetric measures are symmetric, bounds
//! hold, and the readers never panic whatever the bytes.
#![allow(clippy::unwrap_used)]

use driftguard_stats::drift::{self, ColumnDrift, DriftMethod, DriftOptions};
use driftguard_stats::{Categorical, Column, ColumnRoles, Dataset, ParseOptions};
use proptest::prelude::*;

fn drift_of(reference: Column, current: Column, method: DriftMethod) -> ColumnDrift {
    let data = |c| Dataset::from_columns(vec![("x".to_owned(), c)]).unwrap();
    let options = DriftOptions {
        method: Some(method),
        ..DriftOptions::default()
    };
    let report = drift::compare(
        &data(reference),
        &data(current),
        &ColumnRoles::default(),
        &options,
    );
    report.unwrap().columns.remove(0)
}

fn numeric_sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            (-1e6f64..1e6).prop_map(|v| v),
            (0i32..8).prop_map(f64::from),
            Just(f64::NAN),
        ],
        1..120,
    )
}

fn categorical_sample() -> impl Strategy<Value = Vec<Option<String>>> {
    prop::collection::vec(
        prop_oneof![
            4 => (0u8..6).prop_map(|k| Some(format!("c{k}"))),
            1 => Just(None),
        ],
        1..120,
    )
}

fn categorical(labels: &[Option<String>]) -> Column {
    Column::Categorical(Categorical::from_labels(labels))
}

fn has_value(v: &[f64]) -> bool {
    v.iter().any(|x| !x.is_nan())
}

/// Symmetric on numeric columns. PSI and Jensen–Shannon are not: Evidently bins a numeric
/// column by width or by value depending on the *reference* side's distinct values.
const SYMMETRIC_NUMERIC: [DriftMethod; 3] =
    [DriftMethod::Ks, DriftMethod::Hellinger, DriftMethod::Ztest];

/// Symmetric on categorical columns (bins = the union of categories).
const SYMMETRIC_CATEGORICAL: [DriftMethod; 4] = [
    DriftMethod::Psi,
    DriftMethod::Jensenshannon,
    DriftMethod::Hellinger,
    DriftMethod::Ztest,
];

fn assert_symmetric(a: &Column, b: &Column, methods: &[DriftMethod]) -> Result<(), TestCaseError> {
    for &method in methods {
        let ab = drift_of(a.clone(), b.clone(), method).score.unwrap();
        let ba = drift_of(b.clone(), a.clone(), method).score.unwrap();
        prop_assert!(
            (ab - ba).abs() <= 1e-12 * ab.abs().max(1.0),
            "{method}: {ab} vs {ba}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identical_numeric_samples_do_not_drift(v in numeric_sample()) {
        prop_assume!(has_value(&v));
        for method in DriftMethod::ALL {
            let c = drift_of(Column::Numeric(v.clone()), Column::Numeric(v.clone()), method);
            prop_assert!(!c.drifted, "{method} drifted on identical samples: {:?}", c.score);
        }
    }

    #[test]
    fn identical_categorical_samples_do_not_drift(v in categorical_sample()) {
        prop_assume!(v.iter().any(Option::is_some));
        for method in DriftMethod::ALL {
            let c = drift_of(categorical(&v), categorical(&v), method);
            prop_assert!(!c.drifted, "{method}: {:?}", c.score);
        }
    }

    #[test]
    fn symmetric_measures_are_symmetric(a in numeric_sample(), b in numeric_sample(),
                                        ca in categorical_sample(), cb in categorical_sample()) {
        prop_assume!(has_value(&a) && has_value(&b));
        prop_assume!(ca.iter().any(Option::is_some) && cb.iter().any(Option::is_some));
        assert_symmetric(&Column::Numeric(a), &Column::Numeric(b), &SYMMETRIC_NUMERIC)?;
        assert_symmetric(&categorical(&ca), &categorical(&cb), &SYMMETRIC_CATEGORICAL)?;
    }

    #[test]
    fn bounds_hold(a in numeric_sample(), b in numeric_sample(),
                   ca in categorical_sample(), cb in categorical_sample()) {
        prop_assume!(has_value(&a) && has_value(&b));
        prop_assume!(ca.iter().any(Option::is_some) && cb.iter().any(Option::is_some));
        let pairs = [
            (Column::Numeric(a.clone()), Column::Numeric(b.clone())),
            (categorical(&ca), categorical(&cb)),
        ];
        for (r, c) in pairs {
            for method in DriftMethod::ALL {
                let d = drift_of(r.clone(), c.clone(), method);
                let Some(score) = d.score else {
                    prop_assert!(d.reason.is_some());
                    continue;
                };
                prop_assert!(!score.is_nan(), "{method} gave NaN");
                match method {
                    DriftMethod::Ks | DriftMethod::Chisquare | DriftMethod::Ztest => {
                        prop_assert!((0.0..=1.0).contains(&score), "{method} p = {score}");
                    }
                    DriftMethod::Jensenshannon => {
                        prop_assert!((0.0..=std::f64::consts::LN_2.sqrt() + 1e-12).contains(&score));
                    }
                    DriftMethod::Hellinger => prop_assert!((0.0..=1.0).contains(&score)),
                    _ => prop_assert!(score >= -1e-12, "{method} = {score}"),
                }
            }
        }
    }

    #[test]
    fn csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Dataset::from_csv(&bytes, &ParseOptions::default());
    }

    #[test]
    fn csv_reader_never_panics_on_csv_like_text(
        text in "[a-c0-9,\"\\n\\r .\\-]{0,300}"
    ) {
        let _ = Dataset::from_csv(text.as_bytes(), &ParseOptions::default());
        let _ = Dataset::from_csv_reader(text.as_bytes(), &ParseOptions::default());
    }

    #[test]
    fn json_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Dataset::from_json(&bytes, &ParseOptions::default());
    }

    #[test]
    fn json_reader_never_panics_on_json_like_text(
        text in "[\\[\\]{}\":,a-c0-9 .nul\\-]{0,200}"
    ) {
        let _ = Dataset::from_json(text.as_bytes(), &ParseOptions::default());
    }

    #[test]
    fn csv_round_trips_numbers(values in prop::collection::vec(-1e9f64..1e9, 6..60)) {
        let mut text = String::from("x\n");
        for v in &values {
            text.push_str(&format!("{v}\n"));
        }
        let d = Dataset::from_csv(text.as_bytes(), &ParseOptions::default()).unwrap();
        let distinct = {
            let mut s = values.clone();
            s.sort_by(f64::total_cmp);
            s.dedup();
            s.len()
        };
        match d.column("x").unwrap() {
            Column::Numeric(got) => prop_assert_eq!(got, &values),
            Column::Categorical(_) => prop_assert!(distinct <= 5),
        }
    }
}
