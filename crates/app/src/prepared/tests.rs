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
            ordered: ordered.then_some(c.ordered),
        })
        .collect()
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
    let stored = store(&reference);
    assert_eq!(stored, prepare(dataset()));
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
fn damaged_blobs_are_errors() {
    let stored = prepare(dataset());
    for column in &stored {
        let kind = decode_prepared(&column.prepared).expect("valid").kind();
        for blob in [&column.prepared, &column.ordered] {
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
            Err(BlobError::Version { found: 9, known: 1 })
        );
        assert!(matches!(
            decode_prepared(&column.ordered),
            Err(BlobError::Tag { .. })
        ));
        assert!(matches!(
            decode_column(&column.prepared, kind),
            Err(BlobError::Tag { .. })
        ));
    }
    // Values that contradict each other: unsorted numbers, counts over the rows.
    let unsorted = encode_prepared(&PreparedColumn::numeric(3, vec![1.0, 2.0]).expect("valid"));
    let mut swapped = unsorted.clone();
    let body = swapped.len() - 16;
    swapped[body..].rotate_left(8);
    assert!(matches!(
        decode_prepared(&swapped),
        Err(BlobError::Values(_))
    ));
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
