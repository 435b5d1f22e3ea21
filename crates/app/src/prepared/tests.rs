//! The layout round-trips bit for bit, and a damaged blob is an error, never a panic.

use super::*;
use driftguard_stats::ParseOptions;

fn dataset() -> Dataset {
    let csv = b"x,c,n\n-0,b,1\n0,,2\n,a,1\n2.5,b,\n1e-300,b,3\n-7,a,1\n4,c,2\n";
    let options = ParseOptions {
        kinds: [
            ("x".to_owned(), ColumnKind::Numeric),
            ("n".to_owned(), ColumnKind::Categorical),
        ]
        .into(),
        ..ParseOptions::default()
    };
    Dataset::from_csv(csv, &options).expect("parses")
}

fn loaded(stored: Vec<StoredColumn>, ordered: bool) -> Vec<LoadedColumn> {
    stored
        .into_iter()
        .map(|c| LoadedColumn {
            name: c.name,
            prepared: c.prepared,
            ordered: c.ordered.filter(|_| ordered),
        })
        .collect()
}

/// Every column of [`dataset`], to keep all in row order.
fn all() -> Vec<String> {
    dataset().names().to_vec()
}

fn bits(column: &PreparedColumn) -> Vec<u64> {
    match column.values() {
        PreparedValues::Numeric(v) => v.iter().map(|x| x.to_bits()).collect(),
        PreparedValues::Categorical { counts, .. } => counts.clone(),
    }
}

#[test]
fn a_reference_reads_back_as_it_was_prepared() {
    let reference = PreparedReference::of(dataset());
    let stored = store(&reference, &all());
    assert_eq!(stored, prepare(dataset(), &all()));
    let again = load(loaded(stored.clone(), true)).expect("reads back");
    assert_eq!(again.names(), reference.names());
    for ((_, a), (_, b)) in again.iter().zip(reference.iter()) {
        assert_eq!((bits(a), a.rows()), (bits(b), b.rows()));
    }
    // NaN compares unequal: the row order is compared bit for bit.
    let x = |d: &Dataset| match d.column("x") {
        Some(Column::Numeric(v)) => v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        _ => panic!("x is numeric"),
    };
    assert_eq!(x(again.ordered()), x(&dataset()));
    assert_eq!(again.ordered().column("c"), dataset().column("c"));
    let without = load(loaded(stored, false)).expect("reads back");
    assert!(without.ordered().names().is_empty());
}

#[test]
fn only_the_columns_named_keep_their_row_order() {
    let named = ["c".to_owned(), "absent".to_owned()];
    let stored = prepare(dataset(), &named);
    let kept: Vec<&str> = stored
        .iter()
        .filter(|c| c.ordered.is_some())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(kept, ["c"]);
    assert_eq!(stored, store(&PreparedReference::of(dataset()), &named));
    let decoded = decode(loaded(stored, true)).expect("reads back");
    assert!(decoded.has_in_row_order(&Ordered::Only(named.to_vec())));
    assert!(decoded.has_in_row_order(&Ordered::Only(vec![])));
    assert!(!decoded.has_in_row_order(&Ordered::Only(vec!["x".into()])));
    assert!(!decoded.has_in_row_order(&Ordered::All));
    // The original parsed again stands in for the row order not kept.
    let reference = decoded.with_ordered(dataset()).expect("consistent");
    assert_eq!(reference.ordered().names(), dataset().names());
    assert_eq!(reference.ordered().column("n"), dataset().column("n"));
}

#[test]
fn version_1_blobs_are_read() {
    let sorted = [-3.5, -0.0, 0.0, 2.0, 2.0];
    let mut w = Writer(vec![1, SORTED_NUMBERS]);
    w.u64(6);
    w.u64(sorted.len() as u64);
    w.f64s(&sorted);
    let column = decode_prepared(&w.0).expect("reads version 1");
    let expected = PreparedColumn::numeric(6, sorted.to_vec()).expect("valid");
    assert_eq!((bits(&column), column.rows()), (bits(&expected), 6));
    // The same column as written now is smaller, and reads back the same.
    let now = encode_prepared(&expected);
    assert_eq!(now[0], VERSION);
    assert!(now.len() < w.0.len());
    assert_eq!(
        bits(&decode_prepared(&now).expect("reads back")),
        bits(&expected)
    );
    let mut rows = encode_column(&Column::Numeric(vec![1.0, f64::NAN]));
    rows[0] = 1;
    assert!(decode_column(&rows, ColumnKind::Numeric).is_ok());
}

#[test]
fn damaged_blobs_are_errors() {
    let stored = prepare(dataset(), &all());
    for column in &stored {
        let kind = decode_prepared(&column.prepared).expect("valid").kind();
        let ordered = column.ordered.as_ref().expect("kept");
        for blob in [&column.prepared, ordered] {
            for cut in 0..blob.len() {
                let short = &blob[..cut];
                assert!(
                    decode_prepared(short).is_err(),
                    "{} cut at {cut}",
                    column.name
                );
                assert!(
                    decode_column(short, kind).is_err(),
                    "{} cut at {cut}",
                    column.name
                );
            }
            let mut longer = blob.clone();
            longer.push(0);
            assert!(
                decode_prepared(&longer).is_err() && decode_column(&longer, kind).is_err(),
                "{}",
                column.name
            );
        }
        let mut version = column.prepared.clone();
        version[0] = 9;
        assert_eq!(
            decode_prepared(&version).map(|_| ()),
            Err(BlobError::Version { found: 9, known: 2 })
        );
        assert!(matches!(
            decode_prepared(ordered),
            Err(BlobError::Tag { .. })
        ));
        assert!(matches!(
            decode_column(&column.prepared, kind),
            Err(BlobError::Tag { .. })
        ));
    }
    // Values that contradict each other: unsorted numbers (version 1 stored them as they
    // are), NaN (a key past infinity's), counts over the rows.
    let sorted_blob = |version: u8, write: &dyn Fn(&mut Writer)| {
        let mut w = Writer(vec![version, SORTED_NUMBERS]);
        w.u64(3);
        w.u64(2);
        write(&mut w);
        w.0
    };
    let unsorted = sorted_blob(1, &|w| w.f64s(&[2.0, 1.0]));
    assert!(matches!(
        decode_prepared(&unsorted),
        Err(BlobError::Values(_))
    ));
    let nan = sorted_blob(2, &|w| w.sorted_f64s(&[1.0, f64::NAN]));
    assert!(matches!(decode_prepared(&nan), Err(BlobError::Values(_))));
    let counts =
        encode_prepared(&PreparedColumn::categorical(2, vec!["a".into()], vec![2]).expect("valid"));
    let mut over = counts.clone();
    let last = over.len() - 8;
    over[last] = 3;
    assert!(matches!(decode_prepared(&over), Err(BlobError::Values(_))));
    // A column from another column's bytes, or a bad category.
    let mut text = encode_column(dataset().column("c").expect("c"));
    let first_label = 2 + 8 + 8 + 4;
    text[first_label] = 0xff;
    assert_eq!(
        decode_column(&text, ColumnKind::Categorical).map(|_| ()),
        Err(BlobError::Text(0))
    );
    let error = load(vec![LoadedColumn {
        name: "x".into(),
        prepared: vec![1, 0, 5],
        ordered: None,
    }])
    .expect_err("truncated");
    assert_eq!(error.column, "x");
    assert!(
        error.to_string().starts_with("column `x`: truncated"),
        "{error}"
    );
}
