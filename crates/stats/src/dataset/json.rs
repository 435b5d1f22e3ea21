//! JSON reader for `{"columns": {name: [values]}}` and `[{name: value}, ...]`, streaming
//! values straight into column builders (no intermediate `serde_json::Value` tree). A
//! record's keys are found in constant time each, however many columns there are.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::builder::{self, Cell, ColumnAccumulator, ColumnBuilder, LabelMap};
use super::{Dataset, DatasetError, ParseOptions};

pub(super) fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Dataset, DatasetError> {
    super::check_input(bytes, &options.limits)?;
    let mut state = State {
        options,
        names: Vec::new(),
        index: LabelMap::default(),
        columns: Vec::new(),
        rows: 0,
        error: RefCell::new(None),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outcome = (&mut de)
        .deserialize_any(DocumentVisitor(&mut state))
        .and_then(|()| de.end());
    if let Some(error) = state.error.take() {
        return Err(error);
    }
    outcome.map_err(|e| DatasetError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if state.names.is_empty() {
        return Err(DatasetError::Empty);
    }
    super::check_kind_overrides(&state.names, options)?;
    if state.rows == 0 {
        return Err(DatasetError::NoRows);
    }
    let max_categories = options.limits.max_categories;
    let columns = state
        .columns
        .into_iter()
        .zip(&state.names)
        .map(|(b, name)| {
            let kind = options.kind_of(name);
            let mut column = ColumnAccumulator::new(kind, max_categories);
            column
                .append(b)
                .and_then(|()| column.finish())
                .map_err(|e| e.at(0, name.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Dataset::from_columns(state.names.into_iter().zip(columns).collect())
}

/// Columns built so far; a typed error is parked in `error` and the parse aborted with a
/// placeholder serde error, so the caller sees the typed one.
struct State<'o> {
    options: &'o ParseOptions,
    names: Vec<String>,
    /// Position of each name in `names`.
    index: LabelMap<String, usize>,
    columns: Vec<ColumnBuilder>,
    rows: usize,
    error: RefCell<Option<DatasetError>>,
}

impl State<'_> {
    fn fail<E: de::Error>(&self, error: DatasetError) -> E {
        let message = error.to_string();
        *self.error.borrow_mut() = Some(error);
        E::custom(message)
    }

    fn add_column<E: de::Error>(&mut self, name: String) -> Result<usize, E> {
        if self.index.contains_key(&name) {
            return Err(self.fail(DatasetError::DuplicateColumn { column: name }));
        }
        if name.is_empty() {
            let position = self.names.len() + 1;
            return Err(self.fail(DatasetError::EmptyColumnName { position }));
        }
        let limit = self.options.limits.max_columns;
        if self.names.len() >= limit {
            let found = self.names.len() + 1;
            return Err(self.fail(DatasetError::TooManyColumns { found, limit }));
        }
        let kind = self.options.kind_of(&name);
        let max_categories = self.options.limits.max_categories;
        let index = self.names.len();
        self.index.insert(name.clone(), index);
        self.names.push(name);
        self.columns
            .push(ColumnBuilder::new(kind, 0, max_categories));
        Ok(index)
    }

    /// The position of column `name`, looked for first at `likely` (records usually list
    /// their keys in the first record's order).
    fn find(&self, name: &str, likely: usize) -> Option<usize> {
        match self.names.get(likely) {
            Some(n) if n == name => Some(likely),
            _ => self.index.get(name).copied(),
        }
    }

    /// Appends a value to column `index`; `row` is 1-based, for messages.
    fn push<E: de::Error>(&mut self, index: usize, value: Value, row: usize) -> Result<(), E> {
        let cell = match &value {
            Value::Missing => Cell::Missing,
            Value::Number(v) if v.is_finite() => Cell::Number(*v),
            Value::Number(_) => Cell::Missing,
            Value::Text(s) => builder::classify(s.as_bytes()),
        };
        match self.columns.get_mut(index).map(|c| c.push(cell)) {
            Some(Err(e)) => {
                let column = self.names[index].clone();
                Err(self.fail(e.at(row as u64, column)))
            }
            _ => Ok(()),
        }
    }

    fn count_row<E: de::Error>(&mut self) -> Result<usize, E> {
        self.rows += 1;
        let limit = self.options.limits.max_rows;
        if self.rows > limit {
            return Err(self.fail(DatasetError::TooManyRows { limit }));
        }
        Ok(self.rows)
    }
}

/// One JSON scalar.
enum Value {
    Missing,
    Number(f64),
    Text(String),
}

impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, string, boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Missing)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Missing)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct DocumentVisitor<'s, 'o>(&'s mut State<'o>);

impl<'de> Visitor<'de> for DocumentVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"{"columns": {...}} or a list of records"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != "columns" || seen {
                return Err(de::Error::custom(format!(
                    "unexpected key `{key}`: expected only \"columns\""
                )));
            }
            seen = true;
            map.next_value_seed(ColumnsSeed(&mut *self.0))?;
        }
        if !seen {
            return Err(de::Error::custom("missing key \"columns\""));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RecordSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// `{name: [values], ...}`: every array must have the first one's length.
struct ColumnsSeed<'s, 'o>(&'s mut State<'o>);

impl<'de> DeserializeSeed<'de> for ColumnsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ColumnsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of column arrays")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        while let Some(name) = map.next_key::<String>()? {
            let index = state.add_column(name)?;
            map.next_value_seed(ArraySeed {
                state: &mut *state,
                index,
            })?;
            let len = state.columns[index].len();
            if index == 0 {
                state.rows = len;
            } else if len != state.rows {
                let column = state.names[index].clone();
                let expected = state.rows;
                return Err(state.fail(DatasetError::LengthMismatch {
                    column,
                    expected,
                    found: len,
                }));
            }
        }
        Ok(())
    }
}

/// The values of one column.
struct ArraySeed<'s, 'o> {
    state: &'s mut State<'o>,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let limit = self.state.options.limits.max_rows;
        let mut row = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            row += 1;
            if row > limit {
                return Err(self.state.fail(DatasetError::TooManyRows { limit }));
            }
            self.state.push(self.index, value, row)?;
        }
        Ok(())
    }
}

/// One record `{name: value, ...}`; absent keys are missing values.
struct RecordSeed<'s, 'o>(&'s mut State<'o>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        let row = state.count_row()?;
        let mut key = 0;
        while let Some(name) = map.next_key::<String>()? {
            let index = match state.find(&name, key) {
                Some(index) => index,
                None if row == 1 => state.add_column(name.clone())?,
                None => {
                    return Err(de::Error::custom(format!(
                        "record {row} has the key `{name}`, which the first record lacks"
                    )));
                }
            };
            if state.columns[index].len() == row {
                return Err(state.fail(DatasetError::DuplicateColumn { column: name }));
            }
            let value = map.next_value::<Value>()?;
            state.push(index, value, row)?;
            key += 1;
        }
        // Keys a record leaves out are missing values.
        for column in state.columns.iter_mut().filter(|c| c.len() < row) {
            let _ = column.push(Cell::Missing);
        }
        Ok(())
    }
}
