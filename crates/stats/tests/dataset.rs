//! Reading datasets: CSV and JSON shapes, kind inference, missing values, limits and the
//! typed errors.
#![allow(clippy::unwrap_used)]

use driftguard_stats::{
    Column, ColumnKind, ColumnRoles, Dataset, DatasetError, Limits, ParseOptions,
};

fn csv(text: &str) -> Result<Dataset, DatasetError> {
    Dataset::from_csv(text.as_bytes(), &ParseOptions::default())
}

fn json(text: &str) -> Result<Dataset, DatasetError> {
    Dataset::from_json(text.as_bytes(), &ParseOptions::default())
}

fn numbers(d: &Dataset, name: &str) -> Vec<f64> {
    match d.column(name).unwrap() {
        Column::Numeric(v) => v.clone(),
        Column::Categorical(_) => panic!("{name} is categorical"),
    }
}

fn labels(d: &Dataset, name: &str) -> Vec<Option<String>> {
    match d.column(name).unwrap() {
        Column::Categorical(c) => (0..c.codes().len())
            .map(|i| c.get(i).map(str::to_owned))
            .collect(),
        Column::Numeric(_) => panic!("{name} is numeric"),
    }
}

#[test]
fn csv_with_inference_and_missing_values() {
    let d = csv("age,city,flag,score\n\
         31,Oslo,1,0.5\n\
         45,\"Rome, IT\",0,NA\n\
         ,Oslo,1,NaN\n\
         27,null,0,inf\n\
         52,Oslo,1,-inf\n\
         38,Rome,0,1e-3\n\
         61,Oslo,1,2\n")
    .unwrap();
    assert_eq!(d.rows(), 7);
    assert_eq!(d.names(), ["age", "city", "flag", "score"]);
    let age = numbers(&d, "age");
    assert!(age[2].is_nan());
    assert_eq!(age[6], 61.0);
    assert_eq!(labels(&d, "city")[1].as_deref(), Some("Rome, IT"));
    assert_eq!(labels(&d, "city")[3], None);
    // Two distinct values: categorical, with the canonical spelling of numbers.
    assert_eq!(labels(&d, "flag")[0].as_deref(), Some("1"));
    // Three present values only (0.5, 0.001, 2): categorical too.
    assert_eq!(d.column("score").unwrap().kind(), ColumnKind::Categorical);
    let profile = d.profile();
    assert_eq!(profile[0].kind, ColumnKind::Numeric);
    assert_eq!(profile[0].missing, 1);
    assert_eq!(profile[3].missing, 4);
    assert_eq!(profile[1].rows, 7);
}

#[test]
fn explicit_kinds_override_inference() {
    let text = "a,b\n1,x\n2,y\n3,z\n";
    let mut options = ParseOptions::default();
    options.kinds.insert("a".into(), ColumnKind::Numeric);
    let d = Dataset::from_csv(text.as_bytes(), &options).unwrap();
    assert_eq!(numbers(&d, "a"), [1.0, 2.0, 3.0]);
    options.kinds.insert("b".into(), ColumnKind::Numeric);
    let err = Dataset::from_csv(text.as_bytes(), &options).unwrap_err();
    assert_eq!(
        err,
        DatasetError::NotANumber {
            line: 2,
            column: "b".into(),
            value: "x".into()
        }
    );
    let mut options = ParseOptions::default();
    options.kinds.insert("a".into(), ColumnKind::Categorical);
    let d = Dataset::from_csv("a\n1\n2\n3\n4\n5\n6\n7\n".as_bytes(), &options).unwrap();
    assert_eq!(d.column("a").unwrap().kind(), ColumnKind::Categorical);
    options.kinds.insert("zzz".into(), ColumnKind::Categorical);
    assert!(matches!(
        Dataset::from_csv(b"a\n1\n", &options),
        Err(DatasetError::UnknownColumn { .. })
    ));
}

/// Kinds for the columns present read in one pass what inferring and then reading again
/// with the kinds that differ forced reads (how an evaluation used to match its reference's
/// kinds); names the data lacks are no error, and `kinds` wins over them.
#[test]
fn kinds_if_present_read_as_a_second_pass_with_the_differing_kinds_forced() {
    let like: std::collections::BTreeMap<String, ColumnKind> = [
        ("few", ColumnKind::Numeric),
        ("many", ColumnKind::Categorical),
        ("text", ColumnKind::Categorical),
        ("same", ColumnKind::Numeric),
        ("absent", ColumnKind::Numeric),
    ]
    .map(|(name, kind)| (name.to_owned(), kind))
    .into();
    let csv_text = "few,many,text,same\n1,1.5,a,1\n2,2.0,b,2\n1,3,a,3\n,4,,4\n2,5,c,5\n1,6e0,a,6\n";
    let json_text = r#"{"columns": {"few": [1, 2, 1, null, 2, 1], "many": [1.5, 2, 3, 4, 5, 6],
        "text": ["a", "b", "a", null, "c", "a"], "same": [1, 2, 3, 4, 5, 6]}}"#;
    let read = |text: &str, options: &ParseOptions| match text.starts_with('{') {
        true => Dataset::from_json(text.as_bytes(), options),
        false => Dataset::from_csv(text.as_bytes(), options),
    };
    for text in [csv_text, json_text] {
        let inferred = read(text, &ParseOptions::default()).unwrap();
        let differing = inferred
            .iter()
            .filter_map(|(name, column)| {
                let kind = *like.get(name)?;
                (kind != column.kind()).then(|| (name.to_owned(), kind))
            })
            .collect();
        let two_passes = ParseOptions {
            kinds: differing,
            ..ParseOptions::default()
        };
        let one_pass = ParseOptions {
            kinds_if_present: like.clone(),
            ..ParseOptions::default()
        };
        let want = read(text, &two_passes).unwrap();
        // Compared as text: a missing number is NaN, which equals no NaN.
        let got = read(text, &one_pass).unwrap();
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "{text}");
        assert_eq!(want.column("few").unwrap().kind(), ColumnKind::Numeric);
        assert_eq!(want.column("many").unwrap().kind(), ColumnKind::Categorical);
        // `kinds` wins, and a text column forced numeric fails as in the second pass.
        let both = ParseOptions {
            kinds: [("same".to_owned(), ColumnKind::Categorical)].into(),
            kinds_if_present: like.clone(),
            ..ParseOptions::default()
        };
        let same = read(text, &both).unwrap();
        assert_eq!(same.column("same").unwrap().kind(), ColumnKind::Categorical);
        let text_numeric = ParseOptions {
            kinds_if_present: [("text".to_owned(), ColumnKind::Numeric)].into(),
            ..ParseOptions::default()
        };
        let forced = ParseOptions {
            kinds: text_numeric.kinds_if_present.clone(),
            ..ParseOptions::default()
        };
        assert_eq!(read(text, &text_numeric), read(text, &forced));
        assert!(read(text, &forced).is_err());
    }
}

#[test]
fn six_distinct_numbers_make_a_numeric_column() {
    let d = csv("x\n1\n2\n3\n4\n5\n6\n").unwrap();
    assert_eq!(d.column("x").unwrap().kind(), ColumnKind::Numeric);
    let d = csv("x\n1\n2\n3\n4\n5\n5.0\n").unwrap();
    assert_eq!(d.column("x").unwrap().kind(), ColumnKind::Categorical);
}

#[test]
fn quoting_crlf_bom_and_blank_lines() {
    let d = Dataset::from_csv(
        b"\xEF\xBB\xBFa,b\r\n\"multi\nline\",\"say \"\"hi\"\"\"\r\n\r\nx,y\r\n",
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(d.names(), ["a", "b"]);
    assert_eq!(d.rows(), 2);
    assert_eq!(labels(&d, "a")[0].as_deref(), Some("multi\nline"));
    assert_eq!(labels(&d, "b")[0].as_deref(), Some("say \"hi\""));
}

#[test]
fn csv_errors_name_line_and_column() {
    assert_eq!(csv("").unwrap_err(), DatasetError::Empty);
    assert_eq!(csv(" \n\n").unwrap_err(), DatasetError::Empty);
    assert_eq!(csv("a,b\n").unwrap_err(), DatasetError::NoRows);
    assert_eq!(
        csv("a,b,a\n1,2,3\n").unwrap_err(),
        DatasetError::DuplicateColumn { column: "a".into() }
    );
    assert_eq!(
        csv("a,,b\n1,2,3\n").unwrap_err(),
        DatasetError::EmptyColumnName { position: 2 }
    );
    assert_eq!(
        csv("a,b\n1,2\n3\n").unwrap_err(),
        DatasetError::RaggedRow {
            line: 3,
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        csv("a,b\n1,2\n3,4,5\n").unwrap_err(),
        DatasetError::RaggedRow {
            line: 3,
            expected: 2,
            found: 3
        }
    );
    let err = Dataset::from_csv(b"a,b\n1,x\n2,\xff\xfe\n", &ParseOptions::default()).unwrap_err();
    assert_eq!(
        err,
        DatasetError::InvalidUtf8 {
            line: 3,
            column: "b".into()
        }
    );
    let err = Dataset::from_csv(b"a,\xff\n1,2\n", &ParseOptions::default()).unwrap_err();
    assert!(matches!(err, DatasetError::InvalidUtf8 { line: 1, .. }));
}

#[test]
fn limits_are_errors() {
    let limits = |max_bytes, max_rows, max_columns| ParseOptions {
        limits: Limits {
            max_bytes,
            max_rows,
            max_columns,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let text = b"a,b\n1,2\n3,4\n5,6\n";
    assert_eq!(
        Dataset::from_csv(text, &limits(10, 100, 100)).unwrap_err(),
        DatasetError::TooLarge {
            found: text.len(),
            limit: 10
        }
    );
    assert_eq!(
        Dataset::from_csv(text, &limits(1000, 2, 100)).unwrap_err(),
        DatasetError::TooManyRows { limit: 2 }
    );
    assert_eq!(
        Dataset::from_csv(text, &limits(1000, 100, 1)).unwrap_err(),
        DatasetError::TooManyColumns { found: 2, limit: 1 }
    );
    let j = br#"{"columns": {"a": [1, 2, 3]}}"#;
    assert_eq!(
        Dataset::from_json(j, &limits(1000, 2, 100)).unwrap_err(),
        DatasetError::TooManyRows { limit: 2 }
    );
    let j = br#"[{"a": 1, "b": 2}]"#;
    assert_eq!(
        Dataset::from_json(j, &limits(1000, 10, 1)).unwrap_err(),
        DatasetError::TooManyColumns { found: 2, limit: 1 }
    );
}

/// A CSV large enough to be parsed in several parallel chunks.
fn big_csv(rows: usize, quoted: bool) -> String {
    let mut text = String::from("id,value,city\n");
    for i in 0..rows {
        let city = ["Oslo", "Rome", "Lima"][i % 3];
        if quoted && i % 1000 == 0 {
            text.push_str(&format!("{i},{}.25,\"{city}\nnorth\"\n", i % 97));
        } else {
            text.push_str(&format!("{i},{}.25,{city}\n", i % 97));
        }
    }
    text
}

#[test]
fn chunked_parsing_matches_and_reports_absolute_lines() {
    for quoted in [false, true] {
        let text = big_csv(300_000, quoted);
        let d = csv(&text).unwrap();
        assert_eq!(d.rows(), 300_000);
        let ids = numbers(&d, "id");
        assert!(ids.iter().enumerate().all(|(i, &v)| v == i as f64));
        let cities = labels(&d, "city");
        assert_eq!(cities[299_999].as_deref(), Some("Lima"));
        assert_eq!(cities[299_998].as_deref(), Some("Rome"));
        // A ragged row near the end: its line counts every line before it.
        let mut broken = text.clone();
        broken.push_str("1,2\n");
        let extra = if quoted { 300 } else { 0 };
        assert_eq!(
            csv(&broken).unwrap_err(),
            DatasetError::RaggedRow {
                line: 300_002 + extra,
                expected: 3,
                found: 2
            }
        );
    }
}

#[test]
fn json_columns_and_records() {
    let d = json(r#"{"columns": {"age": [31, null, 45, 27, 52, 38, 61], "ok": [true, false, true, true, null, false, true]}}"#).unwrap();
    assert_eq!(d.rows(), 7);
    assert!(numbers(&d, "age")[1].is_nan());
    assert_eq!(labels(&d, "ok")[0].as_deref(), Some("true"));
    assert_eq!(labels(&d, "ok")[4], None);

    let d = json(r#"[{"a": 1, "b": "x"}, {"b": "y"}, {"a": "2.5", "b": null}]"#).unwrap();
    assert_eq!(d.names(), ["a", "b"]);
    assert_eq!(
        labels(&d, "a"),
        [Some("1".into()), None, Some("2.5".into())]
    );
    assert_eq!(labels(&d, "b")[2], None);
}

#[test]
fn json_errors() {
    assert_eq!(json("").unwrap_err(), DatasetError::Empty);
    assert_eq!(json("[]").unwrap_err(), DatasetError::Empty);
    assert_eq!(json(r#"{"columns": {}}"#).unwrap_err(), DatasetError::Empty);
    assert_eq!(
        json(r#"{"columns": {"a": []}}"#).unwrap_err(),
        DatasetError::NoRows
    );
    assert_eq!(
        json(r#"{"columns": {"a": [1, 2], "b": [1]}}"#).unwrap_err(),
        DatasetError::LengthMismatch {
            column: "b".into(),
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        json(r#"{"columns": {"a": [1], "a": [2]}}"#).unwrap_err(),
        DatasetError::DuplicateColumn { column: "a".into() }
    );
    for bad in [
        r#"{"rows": []}"#,
        r#"{"columns": {"a": [[1]]}}"#,
        r#"[{"a": 1}, {"b": 2}]"#,
        r#"[{"a": 1}, 5]"#,
        r#"{"columns": {"a": [1]}} trailing"#,
        "{",
    ] {
        assert!(
            matches!(json(bad).unwrap_err(), DatasetError::Json { .. }),
            "{bad}"
        );
    }
}

#[test]
fn roles_give_the_feature_columns() {
    let d = csv("id,a,b,pred,y,p,g\n1,1,1,1,1,0.5,x\n").unwrap();
    let roles = ColumnRoles {
        prediction: Some("pred".into()),
        label: Some("y".into()),
        score: Some("p".into()),
        sensitive: vec!["g".into()],
        ignore: vec!["id".into()],
    };
    assert_eq!(roles.feature_columns(&d), ["a", "b"]);
    let json = serde_json::to_value(&roles).unwrap();
    assert_eq!(json["sensitive"][0], "g");
}

#[test]
fn json_kind_overrides_and_options_from_json() {
    let options: ParseOptions =
        serde_json::from_str(r#"{"kinds": {"a": "numeric", "b": "categorical"}}"#).unwrap();
    assert_eq!(options.limits, Limits::default());
    let d = Dataset::from_json(br#"[{"a": 1, "b": 10}, {"a": "2", "b": 20}]"#, &options).unwrap();
    assert_eq!(numbers(&d, "a"), [1.0, 2.0]);
    assert_eq!(labels(&d, "b"), [Some("10".into()), Some("20".into())]);
    let err =
        Dataset::from_json(br#"[{"a": 1, "b": 1}, {"a": "x", "b": 2}]"#, &options).unwrap_err();
    assert_eq!(
        err,
        DatasetError::NotANumber {
            line: 2,
            column: "a".into(),
            value: "x".into()
        }
    );
}

/// Numbers of many digits read the same, correctly rounded, from CSV and from JSON (the
/// JSON reader rounded some of them one ulp off before serde_json's `float_roundtrip`).
#[test]
fn long_numbers_read_the_same_from_csv_and_json() {
    let long = [
        format!("{}.2", "4".repeat(108)),
        "0.1000000000000000055511151231257827021181583404541015625".to_owned(),
        "2.2250738585072011e-308".to_owned(),
        "123456789012345678901234567890.123456789e-20".to_owned(),
    ];
    let expected: Vec<f64> = long.iter().map(|v| v.parse().expect("f64")).collect();
    let from_csv = csv(&format!("x\n{}\n1\n2\n3\n4\n5\n", long.join("\n"))).expect("csv");
    let from_json = json(&format!(
        r#"{{"columns": {{"x": [{}, 1, 2, 3, 4, 5]}}}}"#,
        long.join(", ")
    ))
    .expect("json");
    for d in [&from_csv, &from_json] {
        assert_eq!(numbers(d, "x")[..long.len()], expected[..]);
    }
}
