//! Drift on the cases the reference files do not cover, worked by hand or with scipy on
//! the same numbers: missing values, constant and one-category columns, categories seen
//! on one side only, tiny samples, an all-missing side, and the asymptotic KS branches.
#![allow(clippy::unwrap_used)]

use driftguard_stats::drift::{
    self, ColumnDrift, ColumnDriftOptions, DriftMethod, DriftOptions, DriftReport,
};
use driftguard_stats::{Categorical, Column, ColumnKind, ColumnRoles, Dataset, StatsError};

fn numeric(values: &[f64]) -> Column {
    Column::Numeric(values.to_vec())
}

fn labels(values: &[Option<&str>]) -> Column {
    Column::Categorical(Categorical::from_labels(values))
}

/// A categorical column holding each label `n` times.
fn repeated(counts: &[(&str, usize)]) -> Column {
    let values: Vec<Option<&str>> = counts
        .iter()
        .flat_map(|&(label, n)| std::iter::repeat_n(Some(label), n))
        .collect();
    labels(&values)
}

fn dataset(columns: Vec<(&str, Column)>) -> Dataset {
    Dataset::from_columns(
        columns
            .into_iter()
            .map(|(n, c)| (n.to_owned(), c))
            .collect(),
    )
    .unwrap()
}

/// Drift of a single column `x` under `method` (`None` = default).
fn one(reference: Column, current: Column, method: Option<DriftMethod>) -> ColumnDrift {
    let report = compare(reference, current, method);
    report.columns.into_iter().next().unwrap()
}

fn compare(reference: Column, current: Column, method: Option<DriftMethod>) -> DriftReport {
    let options = DriftOptions {
        method,
        ..DriftOptions::default()
    };
    drift::compare(
        &dataset(vec![("x", reference)]),
        &dataset(vec![("x", current)]),
        &ColumnRoles::default(),
        &options,
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

const NAN: f64 = f64::NAN;

#[test]
fn missing_values_are_dropped_per_side_and_reported() {
    let clean_ref = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let clean_cur = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    let with_ref = [1.0, NAN, 2.0, 3.0, 4.0, NAN, 5.0, 6.0, 7.0];
    let with_cur = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, NAN, NAN, NAN, NAN];
    for method in DriftMethod::ALL {
        let clean = one(numeric(&clean_ref), numeric(&clean_cur), Some(method));
        let missing = one(numeric(&with_ref), numeric(&with_cur), Some(method));
        assert_eq!(clean.score, missing.score, "{method}");
        assert_eq!(clean.statistic, missing.statistic, "{method}");
        assert_eq!(missing.reference.missing, 2);
        assert_eq!(missing.reference.count, 7);
        assert!(close(missing.reference.missing_share, 2.0 / 9.0));
        assert_eq!(missing.current.missing, 4);
        assert_eq!(missing.current.missing_share, 1.0 / 3.0);
    }
}

#[test]
fn default_method_follows_evidentlys_table() {
    let small: Vec<f64> = (0..100).map(|i| f64::from(i % 10)).collect();
    let three: Vec<f64> = (0..100).map(|i| f64::from(i % 3)).collect();
    let two: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
    let big: Vec<f64> = (0..1001).map(|i| f64::from(i % 10)).collect();
    let big_two: Vec<f64> = (0..1001).map(|i| f64::from(i % 2)).collect();
    let cats = |n: usize, k: usize| -> Column {
        let v: Vec<Option<String>> = (0..n).map(|i| Some(format!("c{}", i % k))).collect();
        Column::Categorical(Categorical::from_labels(&v))
    };
    let cases = [
        (numeric(&small), numeric(&small), DriftMethod::Ks),
        (numeric(&three), numeric(&three), DriftMethod::Chisquare),
        (numeric(&two), numeric(&two), DriftMethod::Ztest),
        (cats(100, 3), cats(100, 3), DriftMethod::Chisquare),
        (cats(100, 2), cats(100, 2), DriftMethod::Ztest),
        (numeric(&big), numeric(&big), DriftMethod::Wasserstein),
        (
            numeric(&big_two),
            numeric(&big_two),
            DriftMethod::Jensenshannon,
        ),
        (cats(1001, 5), cats(1001, 5), DriftMethod::Jensenshannon),
    ];
    for (reference, current, want) in cases {
        let c = one(reference, current, None);
        assert_eq!(c.threshold, Some(want.default_threshold()));
        assert_eq!(c.method, Some(want));
        assert_eq!(c.threshold, Some(want.default_threshold()));
        assert!(!c.drifted, "{want}: identical samples");
    }
    // Like Evidently, the row rule counts the reference's present values.
    let mut gappy: Vec<f64> = (0..1001).map(|i| f64::from(i % 10)).collect();
    gappy[0] = NAN;
    let c = one(numeric(&gappy), numeric(&big), None);
    assert_eq!(c.method, Some(DriftMethod::Ks));
}

#[test]
fn constant_columns() {
    let same = [4.0; 50];
    // Default (≤ 1000 rows, one value): z-test, p = 1.
    let c = one(numeric(&same), numeric(&same), None);
    assert_eq!(
        (c.method, c.score, c.drifted),
        (Some(DriftMethod::Ztest), Some(1.0), false)
    );
    // KS: D = 0, p = 1. Distances: 0.
    let c = one(numeric(&same), numeric(&same), Some(DriftMethod::Ks));
    assert_eq!((c.statistic, c.score), (Some(0.0), Some(1.0)));
    for m in [
        DriftMethod::Psi,
        DriftMethod::Jensenshannon,
        DriftMethod::KlDiv,
    ] {
        assert_eq!(
            one(numeric(&same), numeric(&same), Some(m)).score,
            Some(0.0),
            "{m}"
        );
    }
    let h = one(numeric(&same), numeric(&same), Some(DriftMethod::Hellinger));
    assert!(h.score.unwrap() < 1e-7);
    // Wasserstein against a constant reference is normed by 0.001:
    // wasserstein_distance([2, 2, 2], [2, 3, 4]) / 0.001 = 1000.
    let c = one(
        numeric(&[2.0; 3]),
        numeric(&[2.0, 3.0, 4.0]),
        Some(DriftMethod::Wasserstein),
    );
    assert!(close(c.score.unwrap(), 1000.0));
    assert!(c.drifted);
    // Two different constants: complete separation.
    let c = one(numeric(&[1.0; 40]), numeric(&[2.0; 40]), None);
    assert_eq!(c.method, Some(DriftMethod::Ztest));
    assert!(c.score.unwrap() < 1e-9 && c.drifted);
}

#[test]
fn one_category_columns() {
    let a = labels(&[Some("a"); 20]);
    let b = labels(&[Some("b"); 20]);
    let c = one(a.clone(), a.clone(), None);
    assert_eq!(
        (c.method, c.score, c.drifted),
        (Some(DriftMethod::Ztest), Some(1.0), false)
    );
    assert_eq!(c.kind, ColumnKind::Categorical);
    // chisquare with a single category has nothing to test.
    let c = one(a.clone(), a.clone(), Some(DriftMethod::Chisquare));
    assert_eq!((c.statistic, c.score), (Some(0.0), Some(1.0)));
    let c = one(a.clone(), b.clone(), None);
    assert!(c.drifted);
    let c = one(a, b, Some(DriftMethod::Jensenshannon));
    assert!(close(c.score.unwrap(), std::f64::consts::LN_2.sqrt()));
}

#[test]
fn categories_seen_on_one_side_only() {
    let reference = labels(&[Some("a"), Some("a"), Some("b"), Some("b"), Some("c")]);
    let current = labels(&[Some("a"), Some("b"), Some("b"), Some("d"), None]);
    // A value absent from the reference: chi-square p = 0.
    let c = one(
        reference.clone(),
        current.clone(),
        Some(DriftMethod::Chisquare),
    );
    assert_eq!((c.statistic, c.score), (None, Some(0.0)));
    assert!(c.drifted);
    let bins = c.bins.unwrap();
    assert_eq!(bins.labels.unwrap(), ["a", "b", "c", "d"]);
    assert_eq!(bins.reference, [0.4, 0.4, 0.2, 0.0]);
    assert_eq!(bins.current, [0.25, 0.5, 0.0, 0.25]);
    // PSI, KL with Evidently's zero filling (eps = 1e-4 here), JS without. Values from
    // numpy / scipy.stats.entropy / scipy.spatial.distance.jensenshannon.
    let r: [f64; 4] = [0.4, 0.4, 0.2, 1e-4];
    let k: [f64; 4] = [0.25, 0.5, 1e-4, 0.25];
    let psi: f64 = r.iter().zip(&k).map(|(a, b)| (a - b) * (a / b).ln()).sum();
    let c = one(reference.clone(), current.clone(), Some(DriftMethod::Psi));
    assert!(close(c.score.unwrap(), psi));
    let c = one(reference.clone(), current.clone(), Some(DriftMethod::KlDiv));
    let (sr, sk): (f64, f64) = (r.iter().sum(), k.iter().sum());
    let kl: f64 = r
        .iter()
        .zip(&k)
        .map(|(a, b)| a / sr * ((a / sr) / (b / sk)).ln())
        .sum();
    assert!(close(c.score.unwrap(), kl));
    let c = one(reference, current, Some(DriftMethod::Jensenshannon));
    assert!(c.score.unwrap() < std::f64::consts::LN_2.sqrt());
    assert_eq!(c.current.missing, 1);
}

#[test]
fn distances_by_hand_against_scipy() {
    // Shares [0.5, 0.3, 0.2, 0] vs [0.4, 0.3, 0.2, 0.1] as counts of 10.
    let reference = repeated(&[("a", 5), ("b", 3), ("c", 2)]);
    let current = repeated(&[("a", 4), ("b", 3), ("c", 2), ("d", 1)]);
    let score = |m| {
        one(reference.clone(), current.clone(), Some(m))
            .score
            .unwrap()
    };
    // scipy.stats.entropy(feel(r), feel(c)); psi; jensenshannon(r, c)
    assert!(close(score(DriftMethod::KlDiv), 0.110_769_918_137_559_38));
    assert!(close(score(DriftMethod::Psi), 0.712_399_107_501_736_5));
    assert!(close(
        score(DriftMethod::Jensenshannon),
        0.193_496_462_012_040_68
    ));
    // Evidently's numeric Hellinger (Sturges bins over the distinct values, densities).
    let h = one(
        numeric(&[1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0]),
        numeric(&[1.0, 1.0, 2.0, 3.0, 4.0, 9.0, 10.0, 30.0, 31.0]),
        Some(DriftMethod::Hellinger),
    );
    assert!(close(h.score.unwrap(), 0.494_042_186_806_495_03));
}

#[test]
fn tiny_samples() {
    // scipy.stats.ks_2samp([0.1, 0.5, 0.9], [0.2, 0.3, 0.4, 0.6, 0.7]): D = 1/3, p = 0.9642857142857143
    let c = one(
        numeric(&[0.1, 0.5, 0.9]),
        numeric(&[0.2, 0.3, 0.4, 0.6, 0.7]),
        Some(DriftMethod::Ks),
    );
    assert!(close(c.statistic.unwrap(), 1.0 / 3.0));
    assert!((c.score.unwrap() - 0.964_285_714_285_714_3).abs() < 1e-12);
    // One value each side: every method runs and stays finite.
    for m in DriftMethod::ALL {
        let c = one(numeric(&[1.0]), numeric(&[2.0]), Some(m));
        let score = c.score.unwrap();
        assert!(score.is_finite(), "{m}: {score}");
    }
    // scipy.stats.chisquare([30, 50, 20], [25, 45, 30]) on counts scaled to n_cur.
    let reference = repeated(&[("a", 25), ("b", 45), ("c", 30)]);
    let current = repeated(&[("a", 30), ("b", 50), ("c", 20)]);
    let c = one(reference, current, None);
    assert_eq!(c.method, Some(DriftMethod::Chisquare));
    assert!(close(c.statistic.unwrap(), 4.888_888_888_888_889));
    assert!((c.score.unwrap() - 0.086_774_329_473_929_21).abs() < 1e-12);
}

#[test]
fn all_missing_side_gets_no_test() {
    for (reference, current, side) in [
        (numeric(&[NAN, NAN]), numeric(&[1.0, 2.0, 3.0]), "reference"),
        (numeric(&[1.0, 2.0, 3.0]), numeric(&[NAN; 3]), "current"),
        (labels(&[None, None]), labels(&[Some("a")]), "reference"),
    ] {
        let report = compare(reference, current, None);
        let c = &report.columns[0];
        assert_eq!((c.method, c.score, c.drifted), (None, None, false));
        assert!(c.reason.as_deref().unwrap().contains(side));
        assert!(c.bins.is_none());
        assert_eq!((report.total_columns, report.drifted_columns), (1, 0));
    }
}

#[test]
fn numeric_methods_on_categorical_columns_are_reported_not_applied() {
    let a = labels(&[Some("a"), Some("b")]);
    let c = one(a.clone(), a, Some(DriftMethod::Ks));
    assert_eq!((c.method, c.drifted), (None, false));
    assert!(c.reason.unwrap().contains("ks"));
}

#[test]
fn a_side_inferred_categorical_is_compared_as_numbers() {
    // The current side has only three values, so the reader infers it categorical.
    let reference = Dataset::from_csv(b"x\n1\n2\n3\n4\n5\n6\n7\n", &Default::default()).unwrap();
    let current = Dataset::from_csv(b"x\n1\n2\n3\n1\n2\n3\n", &Default::default()).unwrap();
    assert_eq!(current.column("x").unwrap().kind(), ColumnKind::Categorical);
    let r = drift::compare(
        &reference,
        &current,
        &ColumnRoles::default(),
        &DriftOptions::default(),
    )
    .unwrap();
    assert_eq!(r.columns[0].kind, ColumnKind::Numeric);
    assert_eq!(r.columns[0].method, Some(DriftMethod::Ks));
}

#[test]
fn overrides_and_thresholds() {
    let reference = dataset(vec![
        ("a", numeric(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        ("b", numeric(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        ("label", numeric(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0])),
    ]);
    let current = dataset(vec![
        ("a", numeric(&[3.0, 4.0, 5.0, 6.0, 7.0, 8.0])),
        ("b", numeric(&[3.0, 4.0, 5.0, 6.0, 7.0, 8.0])),
        ("label", numeric(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0])),
    ]);
    let roles = ColumnRoles {
        label: Some("label".into()),
        ..ColumnRoles::default()
    };
    let mut options = DriftOptions {
        method: Some(DriftMethod::Wasserstein),
        threshold: Some(0.5),
        share_threshold: 0.5,
        ..DriftOptions::default()
    };
    options.columns.insert(
        "b".into(),
        ColumnDriftOptions {
            method: Some(DriftMethod::Psi),
            threshold: Some(100.0),
        },
    );
    let r = drift::compare(&reference, &current, &roles, &options).unwrap();
    assert_eq!(r.total_columns, 2);
    assert_eq!(r.columns[0].method, Some(DriftMethod::Wasserstein));
    assert_eq!(r.columns[0].threshold, Some(0.5));
    assert!(r.columns[0].drifted);
    assert_eq!(r.columns[1].method, Some(DriftMethod::Psi));
    assert!(!r.columns[1].drifted);
    assert_eq!(
        (r.drifted_columns, r.share, r.dataset_drifted),
        (1, 0.5, true)
    );

    options
        .columns
        .insert("nope".into(), ColumnDriftOptions::default());
    let err = drift::compare(&reference, &current, &roles, &options).unwrap_err();
    assert!(matches!(err, StatsError::MissingColumn { .. }));
    options.columns.clear();
    options.threshold = Some(-1.0);
    let err = drift::compare(&reference, &current, &roles, &options).unwrap_err();
    assert!(matches!(err, StatsError::InvalidThreshold { .. }));
}

#[test]
fn a_feature_missing_from_current_is_an_error() {
    let reference = dataset(vec![("a", numeric(&[1.0])), ("b", numeric(&[1.0]))]);
    let current = dataset(vec![("a", numeric(&[1.0]))]);
    let err = drift::compare(
        &reference,
        &current,
        &ColumnRoles::default(),
        &DriftOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        StatsError::MissingColumn {
            column: "b".into(),
            side: "current"
        }
    );
}

/// Sums of four LCG uniforms (the same generator as the scipy script that produced the
/// expected values).
fn lcg_sample(n: usize, seed: u64, shift: f64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let mut acc = 0.0;
            for _ in 0..4 {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                acc += (s >> 11) as f64 / 9_007_199_254_740_992.0;
            }
            acc + shift
        })
        .collect()
}

#[test]
fn ks_asymptotic_branches_match_scipy() {
    // scipy.stats.ks_2samp(a, b) with max(n1, n2) > 10,000: kstwo.sf(D, round(n1·n2/(n1+n2))).
    let cases = [
        // (n1, seed1, n2, seed2, shift, D, p): Pomeranz (n = 30), Smirnov, Pelz–Good.
        (
            12_000,
            1,
            30,
            2,
            0.15,
            0.189_083_333_333_333_38,
            0.205_760_277_586_768_4,
        ),
        (
            15_000,
            3,
            14_000,
            4,
            0.03,
            0.027_095_238_095_238_06,
            4.733_231_521_298_6e-5,
        ),
        (
            15_000,
            3,
            14_000,
            4,
            0.008,
            0.012_590_476_190_476_152,
            0.199_500_161_284_256_18,
        ),
        (
            300_000,
            5,
            300_000,
            6,
            0.002,
            0.002_346_666_666_666_608,
            0.380_031_994_310_776_17,
        ),
    ];
    for (n1, s1, n2, s2, shift, d, p) in cases {
        let c = one(
            numeric(&lcg_sample(n1, s1, 0.0)),
            numeric(&lcg_sample(n2, s2, shift)),
            Some(DriftMethod::Ks),
        );
        assert!((c.statistic.unwrap() - d).abs() < 1e-12, "D {n1}/{n2}");
        assert!(
            (c.score.unwrap() - p).abs() < 1e-6,
            "p {n1}/{n2}: {:?} vs {p}",
            c.score
        );
    }
}

#[test]
fn method_names_round_trip() {
    for m in DriftMethod::ALL {
        assert_eq!(m.as_str().parse::<DriftMethod>(), Ok(m));
        assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
    }
    assert_eq!("KL_DIV".parse::<DriftMethod>(), Ok(DriftMethod::KlDiv));
    assert!("t-test".parse::<DriftMethod>().is_err());
    let json = serde_json::to_value(compare(numeric(&[1.0]), numeric(&[NAN]), None)).unwrap();
    assert_eq!(json["columns"][0]["score"], serde_json::Value::Null);
    assert_eq!(json["columns"][0]["kind"], "numeric");
}

#[test]
fn ks_exact_and_wasserstein_on_unequal_samples_match_scipy() {
    // scipy.stats.ks_2samp (exact: max(n1, n2) <= 10,000) and
    // wasserstein_distance(a, b) / np.std(a) on the same LCG samples.
    let cases = [
        (
            500,
            7,
            700,
            8,
            0.1,
            0.091_714_285_714_285_72,
            0.013_838_534_280_994_177,
            0.186_080_163_597_255_15,
        ),
        (
            9_999,
            9,
            10_000,
            10,
            0.02,
            0.029_261_966_196_619_662,
            0.000_366_656_026_990_832_46,
            0.054_326_743_477_483_97,
        ),
        (
            3_000,
            11,
            3_000,
            12,
            0.05,
            0.037,
            0.032_905_682_211_538_924,
            0.073_322_619_450_180_32,
        ),
    ];
    for (n1, s1, n2, s2, shift, d, p, w) in cases {
        let (a, b) = (lcg_sample(n1, s1, 0.0), lcg_sample(n2, s2, shift));
        let ks = one(numeric(&a), numeric(&b), Some(DriftMethod::Ks));
        assert!(close(ks.statistic.unwrap(), d), "D {n1}/{n2}");
        assert!(
            (ks.score.unwrap() - p).abs() < 1e-9,
            "p {n1}/{n2}: {:?}",
            ks.score
        );
        let ws = one(numeric(&a), numeric(&b), Some(DriftMethod::Wasserstein));
        assert!(
            (ws.score.unwrap() - w).abs() <= 1e-9 * w,
            "W {n1}/{n2}: {:?}",
            ws.score
        );
    }
}

/// A comparison's exact KS steps are bounded over all its columns: past the budget it is
/// refused (issue #11: a 10,000 × 1,000 request would take minutes), with every number of a
/// comparison within it unchanged.
#[test]
fn exact_ks_work_is_bounded_per_comparison() {
    let column =
        |shift: i32, n: i32| Column::Numeric((0..n).map(|i| f64::from(i + shift)).collect());
    let data = |shift: i32, n: i32| {
        Dataset::from_columns(
            ["a", "b", "c"]
                .iter()
                .map(|name| ((*name).to_owned(), column(shift, n)))
                .collect(),
        )
        .unwrap()
    };
    let (reference, current) = (data(0, 1_000), data(100, 999));
    let roles = ColumnRoles::default();
    let within = DriftOptions {
        method: Some(DriftMethod::Ks),
        ..DriftOptions::default()
    };
    let report = drift::compare(&reference, &current, &roles, &within).unwrap();
    assert_eq!(report.total_columns, 3);
    let tight = DriftOptions {
        exact_ks_budget: 400_000,
        ..within.clone()
    };
    let err = drift::compare(&reference, &current, &roles, &tight).unwrap_err();
    assert!(
        matches!(err, StatsError::TooMuchExactWork { limit: 400_000 }),
        "{err}"
    );
    assert!(err.to_string().contains("another drift method"), "{err}");
    let roomy = DriftOptions {
        exact_ks_budget: 1_000_000,
        ..within
    };
    let again = drift::compare(&reference, &current, &roles, &roomy).unwrap();
    assert_eq!(again, report, "within the budget nothing changes");
}
