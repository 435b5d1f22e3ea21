//! The simulation's draw, scenarios and checks, on small tables and the shared reference.

use driftguard_core::DomainError;
use driftguard_stats::{Column, Dataset, Limits, ParseOptions};

use super::*;

/// 40 rows: `x` numeric 0..39, `c` categorical over a, b, c, d.
fn reference() -> Dataset {
    let mut csv = String::from("x,c\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{}\n", ["a", "b", "c", "d"][i % 4]));
    }
    Dataset::from_csv(csv.as_bytes(), &ParseOptions::default()).expect("csv")
}

fn scenario(column: &str) -> Scenario {
    Scenario {
        column: column.into(),
        shift: None,
        scale: None,
        missing_rate: None,
        relabel: None,
    }
}

fn run(reference: &Dataset, rows: Option<u64>, seed: u64, scenarios: &[Scenario]) -> Dataset {
    let draw = Draw {
        rows,
        seed,
        scenarios,
    };
    let plan = Plan::new(reference, draw, &Limits::default()).expect("a valid plan");
    plan.current(&plan.sample(), 0).expect("applies")
}

fn fields(error: DomainError) -> Vec<String> {
    match error {
        DomainError::Invalid { errors, .. } => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("not a field error: {other:?}"),
    }
}

fn plan_error(reference: &Dataset, rows: Option<u64>, scenarios: &[Scenario]) -> Vec<String> {
    let draw = Draw {
        rows,
        seed: 0,
        scenarios,
    };
    fields(Plan::new(reference, draw, &Limits::default()).expect_err("refused"))
}

fn numbers<'a>(data: &'a Dataset, column: &str) -> &'a [f64] {
    match data.column(column) {
        Some(Column::Numeric(v)) => v,
        other => panic!("{column} is not numeric: {other:?}"),
    }
}

#[test]
fn the_default_draw_is_the_reference_and_a_smaller_one_depends_on_the_seed() {
    let reference = reference();
    assert_eq!(run(&reference, None, 9, &[]), reference);
    let a = run(&reference, Some(10), 1, &[]);
    assert_eq!(a, run(&reference, Some(10), 1, &[]), "same seed, same rows");
    assert_ne!(a, run(&reference, Some(10), 2, &[]));
    let mut drawn = numbers(&a, "x").to_vec();
    drawn.sort_by(f64::total_cmp);
    drawn.dedup();
    assert_eq!(drawn.len(), 10, "without replacement");
    // More rows than the reference: whole copies, then a draw of the rest.
    let big = run(&reference, Some(90), 1, &[]);
    assert_eq!(big.rows(), 90);
    assert_eq!(numbers(&big, "x")[40..80], *numbers(&reference, "x"));
}

#[test]
fn shift_scale_missing_rate_and_move_do_what_they_say() {
    let reference = reference();
    let (mean, std) = reference
        .column("x")
        .and_then(Column::mean_and_std)
        .expect("numeric");
    let shift = Scenario {
        shift: Some(Values::One(2.0)),
        ..scenario("x")
    };
    let shifted = run(&reference, None, 0, &[shift]);
    assert_eq!(numbers(&shifted, "x")[3], 3.0 + 2.0 * std);
    let scale = Scenario {
        scale: Some(Values::One(0.5)),
        ..scenario("x")
    };
    let scaled = run(&reference, None, 0, &[scale]);
    assert_eq!(numbers(&scaled, "x")[0], mean + 0.5 * (0.0 - mean));

    let missing = Scenario {
        missing_rate: Some(Values::One(0.3)),
        ..scenario("c")
    };
    let blanked = run(&reference, None, 0, &[missing]);
    assert_eq!(blanked.column("c").map(Column::missing), Some(12));
    assert_eq!(blanked.column("x").map(Column::missing), Some(0));

    let relabel = Scenario {
        relabel: Some(Move {
            from: "a".into(),
            to: "b".into(),
            fraction: Values::One(1.0),
        }),
        ..scenario("c")
    };
    let moved = run(&reference, None, 0, &[relabel]);
    let Some(Column::Categorical(labels)) = moved.column("c") else {
        panic!("categorical")
    };
    assert_eq!(labels.categories(), ["b", "c", "d"]);
    let bs = (0..40).filter(|&r| labels.get(r) == Some("b")).count();
    assert_eq!(bs, 20);
}

#[test]
fn bad_scenarios_name_their_field() {
    let reference = reference();
    let relabel = |from: &str, to: &str, fraction: f64| Scenario {
        relabel: Some(Move {
            from: from.into(),
            to: to.into(),
            fraction: Values::One(fraction),
        }),
        ..scenario("c")
    };
    let bad = [
        Scenario {
            shift: Some(Values::One(1.0)),
            ..scenario("nope")
        },
        Scenario {
            shift: Some(Values::One(1.0)),
            ..scenario("c")
        },
        relabel("a", "zzz", 0.5),
        Scenario {
            missing_rate: Some(Values::One(1.5)),
            ..scenario("x")
        },
        relabel("a", "b", -0.1),
        scenario("x"),
        Scenario {
            scale: Some(Values::One(1.0)),
            missing_rate: Some(Values::One(0.1)),
            ..scenario("x")
        },
        Scenario {
            relabel: relabel("a", "b", 1.0).relabel,
            ..scenario("x")
        },
    ];
    assert_eq!(
        plan_error(&reference, Some(0), &bad),
        [
            "rows",
            "scenarios[0].column",
            "scenarios[1].shift",
            "scenarios[2].move.to",
            "scenarios[3].missing_rate",
            "scenarios[4].move.fraction",
            "scenarios[5]",
            "scenarios[6]",
            "scenarios[7].move",
        ]
    );
    let too_many_rows = Limits::default().max_rows as u64 + 1;
    assert_eq!(plan_error(&reference, Some(too_many_rows), &[]), ["rows"]);
}

#[test]
fn one_scenario_may_sweep_a_bounded_list() {
    let reference = reference();
    let sweep = |values: Vec<f64>| Scenario {
        shift: Some(Values::Many(values)),
        ..scenario("x")
    };
    let two = [sweep(vec![0.0, 1.0]), sweep(vec![2.0])];
    assert_eq!(plan_error(&reference, None, &two), ["scenarios[1]"]);
    let long = [sweep(vec![0.5; MAX_SWEEP_VALUES + 1])];
    assert_eq!(plan_error(&reference, None, &long), ["scenarios[0].shift"]);
    let far = [sweep(vec![0.0, MAX_FACTOR * 2.0])];
    assert_eq!(
        plan_error(&reference, None, &far),
        ["scenarios[0].shift[1]"]
    );

    let missing = Scenario {
        missing_rate: Some(Values::One(0.25)),
        ..scenario("c")
    };
    let scenarios = [missing, sweep(vec![0.0, 3.0])];
    let draw = Draw {
        rows: None,
        seed: 5,
        scenarios: &scenarios,
    };
    let plan = Plan::new(&reference, draw, &Limits::default()).expect("plan");
    assert_eq!((plan.runs(), plan.swept_scenario()), (2, Some(1)));
    let sample = plan.sample();
    let (first, second) = (
        plan.current(&sample, 0).expect("run 0"),
        plan.current(&sample, 1).expect("run 1"),
    );
    assert_eq!(numbers(&first, "x"), numbers(&reference, "x"));
    assert_ne!(numbers(&second, "x"), numbers(&reference, "x"));
    assert_eq!(
        first.column("c"),
        second.column("c"),
        "the other scenarios make the same choices in every run"
    );
}

#[test]
fn the_tipping_point_is_the_first_change() {
    let values = [0.0, 0.5, 1.0, 2.0];
    let statuses = [Status::Pass, Status::Pass, Status::Warn, Status::Fail];
    let point = tipping_point(&values, &statuses).expect("tips");
    assert_eq!(
        (point.value, point.index, point.from, point.to),
        (1.0, 2, Status::Pass, Status::Warn)
    );
    assert_eq!(tipping_point(&values, &[Status::Pass; 4]), None);
}
