//! Fairness and performance on hand-worked cases: undefined rates, several sensitive
//! columns, 0/1 parsing, regression metrics and the baseline drop.
#![allow(clippy::unwrap_used)]

use driftguard_stats::fairness;
use driftguard_stats::performance::{self, Task};
use driftguard_stats::{ColumnRoles, Dataset, ParseOptions, StatsError};

fn csv(text: &str) -> Dataset {
    Dataset::from_csv(text.as_bytes(), &ParseOptions::default()).unwrap()
}

fn roles(sensitive: &[&str]) -> ColumnRoles {
    ColumnRoles {
        prediction: Some("pred".into()),
        label: Some("y".into()),
        score: None,
        sensitive: sensitive.iter().map(|s| (*s).to_owned()).collect(),
        ignore: vec![],
    }
}

const GROUPS: &str = "g,s2,pred,y\n\
    A,x,true,1\nA,x,false,1\nA,x,true,0\nA,x,true,0\n\
    B,x,false,0\nB,x,true,0\n\
    C,x,true,1\nC,x,true,1\nC,x,false,1\n";

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-15)
}

#[test]
fn undefined_rates_are_none_and_skipped() {
    let report = fairness::evaluate(&csv(GROUPS), &roles(&["g"]))
        .unwrap()
        .unwrap();
    let g = &report.columns[0];
    let [a, b, c] = &g.groups[..] else {
        panic!("three groups");
    };
    assert_eq!((a.group.as_str(), a.count), ("A", 4));
    assert!(close(a.selection_rate, 0.75) && close(a.tpr, 0.5) && close(a.fpr, 1.0));
    assert!(close(a.accuracy, 0.25));
    assert_eq!(b.tpr, None, "B has no label-1 row");
    assert!(close(b.fpr, 0.5));
    assert_eq!(c.fpr, None, "C has no label-0 row");
    assert!(close(c.tpr, 2.0 / 3.0));
    assert_eq!(g.warnings.len(), 2);
    assert!(g.warnings[0].contains("g=B"));
    let m = g.metrics;
    assert!(close(m.demographic_parity_difference, 0.25));
    assert!(close(m.demographic_parity_ratio, 0.5 / 0.75));
    assert_eq!(m.disparate_impact, m.demographic_parity_ratio);
    assert!(close(m.equal_opportunity_difference, 2.0 / 3.0 - 0.5));
    assert!(close(m.equal_opportunity_ratio, 0.75));
    assert!(close(m.equalized_odds_difference, 0.5));
    assert!(close(m.equalized_odds_ratio, 0.5));
}

#[test]
fn worst_over_several_sensitive_columns() {
    let report = fairness::evaluate(&csv(GROUPS), &roles(&["g", "s2"]))
        .unwrap()
        .unwrap();
    let single = &report.columns[1];
    assert_eq!(single.groups.len(), 1);
    assert!(close(single.metrics.demographic_parity_difference, 0.0));
    assert!(close(single.metrics.demographic_parity_ratio, 1.0));
    assert!(
        single
            .warnings
            .iter()
            .any(|w| w.contains("fewer than two groups"))
    );
    assert!(close(report.worst.demographic_parity_difference, 0.25));
    assert!(close(report.worst.demographic_parity_ratio, 0.5 / 0.75));
    assert!(close(report.worst.equalized_odds_difference, 0.5));
}

#[test]
fn fairness_needs_roles_and_binary_values() {
    let d = csv(GROUPS);
    assert_eq!(fairness::evaluate(&d, &roles(&[])).unwrap(), None);
    let mut no_label = roles(&["g"]);
    no_label.label = None;
    assert_eq!(
        fairness::evaluate(&d, &no_label).unwrap_err(),
        StatsError::MissingRole { role: "label" }
    );
    let mut wrong = roles(&["g"]);
    wrong.prediction = Some("g".into());
    assert!(matches!(
        fairness::evaluate(&d, &wrong).unwrap_err(),
        StatsError::NotBinary { row: 0, .. }
    ));
    assert!(matches!(
        fairness::evaluate(&d, &roles(&["nope"])).unwrap_err(),
        StatsError::MissingColumn { .. }
    ));
    let two = csv("g,pred,y\nA,2,1\nB,0,0\n");
    assert!(matches!(
        fairness::evaluate(&two, &roles(&["g"])).unwrap_err(),
        StatsError::NotBinary { .. }
    ));
}

#[test]
fn classification_metrics_and_drop() {
    let reference = csv("pred,y,p\n1,1,0.9\n0,0,0.2\n1,0,0.6\n0,1,0.4\n1,1,0.8\n");
    let current = csv("pred,y,p\n1,1,0.7\n0,1,0.3\n0,1,0.3\n0,0,0.1\n1,0,0.55\n");
    let mut r = roles(&[]);
    r.score = Some("p".into());
    let cmp = performance::compare(&reference, &current, Task::BinaryClassification, &r).unwrap();
    // reference: tp 2, fp 1, fn 1, tn 1; roc_auc_score([1,0,0,1,1], [.9,.2,.6,.4,.8]) = 5/6
    assert!(close(cmp.baseline.accuracy, 0.6));
    assert!(close(cmp.baseline.precision, 2.0 / 3.0));
    assert!(close(cmp.baseline.recall, 2.0 / 3.0));
    assert!(close(cmp.baseline.f1, 2.0 / 3.0));
    assert!(close(cmp.baseline.roc_auc, 5.0 / 6.0));
    // current: tp 1, fp 1, fn 2, tn 1; roc_auc_score([1,1,1,0,0], [.7,.3,.3,.1,.55]) = 4/6
    assert!(close(cmp.current.accuracy, 0.4));
    assert!(close(cmp.current.roc_auc, 4.0 / 6.0));
    assert!((cmp.drop["accuracy"] - 0.2).abs() < 1e-15);
    assert!((cmp.drop["roc_auc"] - 1.0 / 6.0).abs() < 1e-15);
    assert!(!cmp.drop.contains_key("rmse"));
    // Without a score column there is no AUC.
    let m = performance::evaluate(&reference, Task::BinaryClassification, &roles(&[])).unwrap();
    assert_eq!(m.roc_auc, None);
}

#[test]
fn regression_metrics_like_sklearn() {
    let d = csv("pred,y\n2.5,3\n0.0,-0.5\n2,2\n8,7\n,1\n");
    let m = performance::evaluate(&d, Task::Regression, &roles(&[])).unwrap();
    // sklearn: mae 0.5, rmse 0.6123724356957945, r2 0.9486081370449679 (missing row left out)
    assert_eq!(m.rows, 4);
    assert!(close(m.mae, 0.5));
    assert!(close(m.rmse, 0.612_372_435_695_794_5));
    assert!(close(m.r2, 0.948_608_137_044_967_9));
    assert_eq!(m.accuracy, None);
    let text = csv("pred,y\na,1\nb,2\n");
    assert!(matches!(
        performance::evaluate(&text, Task::Regression, &roles(&[])).unwrap_err(),
        StatsError::NotNumeric { .. }
    ));
}

#[test]
fn task_names() {
    assert_eq!("regression".parse::<Task>(), Ok(Task::Regression));
    assert_eq!(
        "binary_classification".parse::<Task>(),
        Ok(Task::BinaryClassification)
    );
    assert!("clustering".parse::<Task>().is_err());
    assert_eq!(
        serde_json::to_string(&Task::BinaryClassification).unwrap(),
        "\"binary_classification\""
    );
}
