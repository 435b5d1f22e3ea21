//! The `ReferenceRepository` port: each model version's reference data, kept compressed,
//! its profile, and the history of its uploads.
//!
//! Contract every adapter keeps: `put` replaces the model's data and its prepared columns,
//! records the upload and sets the model's `has_reference`, in one transaction; a missing
//! model is `NotFound` and stores nothing. `columns` reads every prepared column of one
//! upload in one statement (never half of an old upload and half of a new one).

use async_trait::async_trait;
use driftguard_core::{DomainResult, ModelId, Timestamp, UserId};
use driftguard_stats::ColumnKind;
use serde::{Deserialize, Serialize};

/// How uploaded data is written. Front ends name it once, at the edge (HTTP from the
/// `Content-Type`, [`DataFormat::from_content_type`]); the use cases take it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataFormat {
    /// CSV with a header row.
    Csv,
    /// JSON columns or records.
    Json,
    /// Apache Parquet, read through Arrow. Never stored as such: a Parquet upload is kept
    /// as CSV (see `reference`), so that stored data is in the formats it always was.
    Parquet,
}

impl DataFormat {
    /// The content types a front end may send, for the message that refuses another one.
    pub const CONTENT_TYPES: &str = "text/csv, application/json or application/vnd.apache.parquet";

    /// The format a content type names (`text/csv`, `application/csv`, `application/json`,
    /// `application/vnd.apache.parquet`; parameters and case ignored), or None for any other.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("text/csv")
            || essence.eq_ignore_ascii_case("application/csv")
        {
            Some(Self::Csv)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(Self::Json)
        } else if essence.eq_ignore_ascii_case(crate::parquet::MEDIA_TYPE) {
            Some(Self::Parquet)
        } else {
            None
        }
    }
}

/// One column of uploaded data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Inferred or requested kind.
    pub kind: ColumnKind,
    /// Missing values.
    pub missing: u64,
}

/// What `PUT /models/{id}/reference` answers and `GET` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceProfile {
    /// The model version.
    pub model_id: ModelId,
    /// Data rows.
    pub rows: u64,
    /// Every column, in file order.
    pub columns: Vec<ColumnSummary>,
    /// Lower-case hex SHA-256 of the bytes as uploaded.
    pub sha256: String,
    /// When it was uploaded.
    pub uploaded_at: Timestamp,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// How the stored bytes are written.
    pub format: DataFormat,
}

/// Reference data to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReference {
    /// Its profile.
    pub profile: ReferenceProfile,
    /// The uploaded bytes, compressed.
    pub compressed: Vec<u8>,
    /// Every column prepared for evaluations, in file order.
    pub columns: Vec<StoredColumn>,
}

/// One column of reference data prepared for evaluations, encoded by `crate::prepared`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredColumn {
    /// The column's name.
    pub name: String,
    /// What drift reads: the sorted present numbers, or the category counts.
    pub prepared: Vec<u8>,
    /// The values in row order, kept only for the columns an evaluation reads row by row
    /// (see `crate::reference::kept_in_row_order`); None for the others.
    pub ordered: Option<Vec<u8>>,
}

/// One stored column read back: its prepared values, and its row-order values when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedColumn {
    /// The column's name.
    pub name: String,
    /// What drift reads.
    pub prepared: Vec<u8>,
    /// The values in row order, when the read asked for this column's and they are kept.
    pub ordered: Option<Vec<u8>>,
}

/// Which columns a read of prepared columns brings in row order as well (those of them whose
/// row-order values are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ordered {
    /// Every column (a simulation draws rows of all of them).
    All,
    /// The columns of these names (an evaluation's prediction, label and score).
    Only(Vec<String>),
}

/// One upload (or replacement) of a model's reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceUpload {
    /// The model version.
    pub model_id: ModelId,
    /// SHA-256 of the bytes uploaded.
    pub sha256: String,
    /// Data rows.
    pub rows: u64,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// When.
    pub uploaded_at: Timestamp,
}

/// Stored reference data.
#[async_trait]
pub trait ReferenceRepository: Send + Sync {
    /// Stores (or replaces) a model's reference data; see the module documentation.
    async fn put(&self, reference: NewReference) -> DomainResult<ReferenceProfile>;

    /// The profile of a model's reference data, if it has any.
    async fn profile(&self, model_id: ModelId) -> DomainResult<Option<ReferenceProfile>>;

    /// The profile and the compressed bytes, if the model has reference data.
    async fn data(&self, model_id: ModelId) -> DomainResult<Option<(ReferenceProfile, Vec<u8>)>>;

    /// The prepared columns of the model's reference data, in file order, with the row-order
    /// values of those `ordered` names; empty when it has no reference data or has one
    /// stored before prepared columns were (then [`prepare`](Self::prepare) adds them).
    async fn columns(&self, model_id: ModelId, ordered: Ordered)
    -> DomainResult<Vec<LoadedColumn>>;

    /// Adds the prepared columns of reference data stored without them, if the model's
    /// reference data is still the upload `profile` describes and nothing added them
    /// meanwhile; true when they were stored.
    async fn prepare(
        &self,
        profile: &ReferenceProfile,
        columns: Vec<StoredColumn>,
    ) -> DomainResult<bool>;

    /// Every upload of a model's reference data, oldest first.
    async fn uploads(&self, model_id: ModelId) -> DomainResult<Vec<ReferenceUpload>>;
}
