//! The readers are bounded: a wide header, a row of too many fields, an endless record,
//! too many categories or groups are refused with an error that names the limit (and the
//! column), without reading or holding more than the limit; JSON finds keys in constant
//! time; old settings without the newer limits still deserialize.
#![allow(clippy::unwrap_used)]

use std::fmt::Write;

use driftguard_stats::fairness;
use driftguard_stats::{
    Column, ColumnRoles, Dataset, DatasetError, Limits, ParseOptions, StatsError,
};

fn options(limits: Limits) -> ParseOptions {
    ParseOptions {
        limits,
        ..ParseOptions::default()
    }
}

/// The error of `text` read as a slice and as a stream, which must agree.
fn csv_error(text: &[u8], options: &ParseOptions) -> DatasetError {
    let sliced = Dataset::from_csv(text, options).unwrap_err();
    let streamed = Dataset::from_csv_reader(text, options).unwrap_err();
    assert_eq!(sliced, streamed);
    sliced
}

/// `a0,a1,...` with `n` names.
fn header(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(text, "{sep}a{i}").unwrap();
    }
    text
}

#[test]
fn a_wide_header_stops_at_the_column_limit() {
    let defaults = ParseOptions::default();
    // 100,001 columns (about 690 KB, within the record limit) and 1,000,000 (about 7.9 MB,
    // beyond it): the column limit is what is reported, at its first column too many.
    for columns in [100_001, 1_000_000] {
        let text = format!("{}\n1\n", header(columns));
        assert_eq!(
            csv_error(text.as_bytes(), &defaults),
            DatasetError::TooManyColumns {
                found: 1_001,
                limit: 1_000
            },
            "{columns} columns"
        );
    }
    // Commas inside quotes are no separators.
    let limits = Limits {
        max_columns: 2,
        ..Limits::default()
    };
    let quoted = b"\"a,b,c,d\",e\n1,2\n";
    let d = Dataset::from_csv(quoted, &options(limits)).unwrap();
    assert_eq!(d.names(), ["a,b,c,d", "e"]);
    assert_eq!(
        csv_error(b"a,\"b\",c\n1,2,3\n", &options(limits)),
        DatasetError::TooManyColumns { found: 3, limit: 2 }
    );
    let message = DatasetError::TooManyColumns { found: 3, limit: 2 }.to_string();
    assert_eq!(message, "the data has more than 2 columns");
}

#[test]
fn a_row_with_far_too_many_fields_is_ragged() {
    // 400,000 fields in about 800 KB: within the record limit, counted but not kept.
    let wide = vec!["1"; 400_000].join(",");
    for quoted in [false, true] {
        let first = if quoted { "\"x\"" } else { "x" };
        let text = format!("a,b,c\n{first},2,3\n{wide}\n4,5,6\n");
        assert_eq!(
            csv_error(text.as_bytes(), &ParseOptions::default()),
            DatasetError::RaggedRow {
                line: 3,
                expected: 3,
                found: 400_000
            },
            "quoted {quoted}"
        );
    }
}

#[test]
fn a_record_longer_than_the_limit_is_refused() {
    let defaults = ParseOptions::default();
    let huge = "x".repeat(2 << 20);
    let refused = |line| DatasetError::RecordTooLarge {
        line,
        limit: 1 << 20,
    };
    // A 2 MiB row, a 2 MiB quoted field over several lines, a 2 MiB header, and one
    // without any line break.
    let row = format!("a,b\n1,2\n3,{huge}\n5,6\n");
    assert_eq!(csv_error(row.as_bytes(), &defaults), refused(3));
    let quoted = format!("a,b\n1,\"2\"\n3,\"{huge}\n{huge}\"\n5,6\n");
    assert_eq!(csv_error(quoted.as_bytes(), &defaults), refused(3));
    let head = format!("a{huge},b\n1,2\n");
    assert_eq!(csv_error(head.as_bytes(), &defaults), refused(1));
    assert_eq!(csv_error(huge.as_bytes(), &defaults), refused(1));
    let blank_lines_first = format!("\n\n{head}");
    assert_eq!(
        csv_error(blank_lines_first.as_bytes(), &defaults),
        refused(3)
    );
    // Errors of the rows before it come first.
    let ragged_before = format!("a,b\n1\n3,{huge}\n");
    assert!(matches!(
        csv_error(ragged_before.as_bytes(), &defaults),
        DatasetError::RaggedRow { line: 2, .. }
    ));
    // The limit counts the line break: a record of exactly the limit passes.
    let limits = Limits {
        max_record_bytes: 4,
        ..Limits::default()
    };
    let d = Dataset::from_csv(b"a,b\n1,2\n3,4", &options(limits)).unwrap();
    assert_eq!(d.rows(), 2);
    assert_eq!(
        csv_error(b"a,b\n1,2\n3,45\n", &options(limits)),
        DatasetError::RecordTooLarge { line: 3, limit: 4 }
    );
    assert_eq!(
        DatasetError::RecordTooLarge { line: 3, limit: 4 }.to_string(),
        "line 3: a record is longer than the limit of 4 bytes"
    );
}

#[test]
fn too_many_categories_are_refused_naming_the_column() {
    let limits = Limits {
        max_categories: 1_000,
        ..Limits::default()
    };
    let refused = |column: &str| DatasetError::TooManyCategories {
        column: column.into(),
        limit: 1_000,
    };
    // Rows of `label(row)`; `label(i) = i % distinct` or runs of one label.
    let table = |rows: usize, label: &dyn Fn(usize) -> usize| {
        let mut text = String::from("n,id,ok\n");
        for i in 0..rows {
            writeln!(text, "{i},k{},yes", label(i)).unwrap();
        }
        text
    };
    // Exactly the limit passes.
    let d = Dataset::from_csv(table(3_000, &|i| i % 1_000).as_bytes(), &options(limits)).unwrap();
    let Some(Column::Categorical(id)) = d.column("id") else {
        panic!("id is categorical");
    };
    assert_eq!(id.categories().len(), 1_000);
    assert_eq!(
        csv_error(table(3_000, &|i| i % 1_001).as_bytes(), &options(limits)),
        refused("id")
    );
    // A million distinct labels: each chunk stops at its first label too many.
    let distinct = table(1_000_000, &|i| i);
    assert_eq!(
        csv_error(distinct.as_bytes(), &options(limits)),
        refused("id")
    );
    // 300,000 rows (four chunks of 1 MiB or more, each with fewer than 400 labels) of
    // 1,500 labels: over the limit once the chunks are put together.
    let runs = table(300_000, &|i| i / 200);
    assert!(runs.len() > 4 << 20);
    assert_eq!(csv_error(runs.as_bytes(), &options(limits)), refused("id"));
    // Numbers count once the column turns categorical.
    let mut numbers = String::from("v\n");
    for i in 0..2_000 {
        writeln!(numbers, "{i}").unwrap();
    }
    numbers.push_str("text\n");
    assert_eq!(
        csv_error(numbers.as_bytes(), &options(limits)),
        refused("v")
    );
    // JSON, both shapes.
    let labels: Vec<String> = (0..1_001).map(|i| format!("\"k{i}\"")).collect();
    let columns = format!(r#"{{"columns": {{"x": [{}]}}}}"#, labels.join(","));
    assert_eq!(
        Dataset::from_json(columns.as_bytes(), &options(limits)).unwrap_err(),
        refused("x")
    );
    let records: Vec<String> = labels.iter().map(|l| format!(r#"{{"y": {l}}}"#)).collect();
    let records = format!("[{}]", records.join(","));
    assert_eq!(
        Dataset::from_json(records.as_bytes(), &options(limits)).unwrap_err(),
        refused("y")
    );
    assert_eq!(
        refused("id").to_string(),
        "column `id` has more than 1000 distinct categories"
    );
}

#[test]
fn too_many_groups_are_refused_naming_the_sensitive_column() {
    let mut text = String::from("g,n,pred,y\n");
    for i in 0..60 {
        writeln!(text, "g{},{},{},{}", i % 3, i % 50, i % 2, i / 2 % 2).unwrap();
    }
    let d = Dataset::from_csv(text.as_bytes(), &ParseOptions::default()).unwrap();
    let roles = |sensitive: &str| ColumnRoles {
        prediction: Some("pred".into()),
        label: Some("y".into()),
        sensitive: vec![sensitive.into()],
        ..ColumnRoles::default()
    };
    let report = fairness::evaluate_with_max_groups(&d, &roles("g"), 3)
        .unwrap()
        .unwrap();
    assert_eq!(report.columns[0].groups.len(), 3);
    assert_eq!(
        fairness::evaluate_with_max_groups(&d, &roles("g"), 2).unwrap_err(),
        StatsError::TooManyGroups {
            column: "g".into(),
            found: 3,
            limit: 2
        }
    );
    // A numeric sensitive column: its distinct values.
    assert!(matches!(d.column("n"), Some(Column::Numeric(_))));
    let err = fairness::evaluate_with_max_groups(&d, &roles("n"), 10).unwrap_err();
    assert_eq!(
        err,
        StatsError::TooManyGroups {
            column: "n".into(),
            found: 50,
            limit: 10
        }
    );
    assert_eq!(
        err.to_string(),
        "sensitive column `n` has 50 groups, more than the limit of 10"
    );
    // The default limit (1,000) lets both through.
    assert_eq!(Limits::default().max_groups, 1_000);
    assert!(fairness::evaluate(&d, &roles("n")).unwrap().is_some());
}

#[test]
fn json_records_with_many_keys_in_any_order() {
    let keys = 1_000;
    let mut text = String::from("[");
    for row in 0..200 {
        let sep = if row == 0 { "" } else { "," };
        text.push_str(sep);
        text.push('{');
        // Every record after the first lists its keys in another order (a multiplier
        // prime to 1,000 makes a permutation).
        let multiplier = [1, 3, 7, 9, 11, 13, 17, 19][row % 8];
        for k in 0..keys {
            let key = (k * multiplier + row) % keys;
            let sep = if k == 0 { "" } else { "," };
            write!(text, r#"{sep}"k{key}": {}"#, key * 1_000 + row).unwrap();
        }
        text.push('}');
    }
    text.push(']');
    let d = Dataset::from_json(text.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(d.rows(), 200);
    assert_eq!(d.names().len(), keys);
    for key in [0, 1, 499, 999] {
        let Some(Column::Numeric(values)) = d.column(&format!("k{key}")) else {
            panic!("k{key} is numeric");
        };
        assert!(
            values
                .iter()
                .enumerate()
                .all(|(row, &v)| v == (key * 1_000 + row) as f64),
            "k{key}"
        );
    }
    // A key twice in one record, a key the first record lacks, one column too many.
    assert_eq!(
        Dataset::from_json(
            br#"[{"a": 1, "b": 2}, {"b": 3, "a": 4, "b": 5}]"#,
            &ParseOptions::default()
        )
        .unwrap_err(),
        DatasetError::DuplicateColumn { column: "b".into() }
    );
    assert!(matches!(
        Dataset::from_json(br#"[{"a": 1}, {"c": 2}]"#, &ParseOptions::default()).unwrap_err(),
        DatasetError::Json { .. }
    ));
    let wide: Vec<String> = (0..1_001).map(|k| format!(r#""k{k}": 1"#)).collect();
    let wide = format!("[{{{}}}]", wide.join(","));
    assert_eq!(
        Dataset::from_json(wide.as_bytes(), &ParseOptions::default()).unwrap_err(),
        DatasetError::TooManyColumns {
            found: 1_001,
            limit: 1_000
        }
    );
}

#[test]
fn settings_without_the_newer_limits_still_deserialize() {
    let old: Limits =
        serde_json::from_str(r#"{"max_bytes": 100, "max_rows": 10, "max_columns": 3}"#).unwrap();
    let defaults = Limits::default();
    assert_eq!(
        old,
        Limits {
            max_bytes: 100,
            max_rows: 10,
            max_columns: 3,
            ..defaults
        }
    );
    assert_eq!(defaults.max_record_bytes, 1 << 20);
    assert_eq!(defaults.max_categories, 100_000);
    let round_trip: Limits =
        serde_json::from_value(serde_json::to_value(defaults).unwrap()).unwrap();
    assert_eq!(round_trip, defaults);
}
