//! A model version and the shapes used to create and change one.

use chrono::{DateTime, Utc};
use driftguard_core::{ArtifactDigest, EvaluationId, ModelId, RiskTier, Task, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema;

/// Where a model version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    /// Registered, never deployed (or deployment blocked).
    Registered,
    /// The version of its name that serves production; at most one per name.
    Deployed,
    /// Was deployed, replaced by another version of its name.
    Superseded,
    /// Taken out of service by an approver.
    Retired,
}

impl ModelStatus {
    /// Every status.
    pub const ALL: [ModelStatus; 4] = [
        ModelStatus::Registered,
        ModelStatus::Deployed,
        ModelStatus::Superseded,
        ModelStatus::Retired,
    ];

    /// The name as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Registered => "registered",
            ModelStatus::Deployed => "deployed",
            ModelStatus::Superseded => "superseded",
            ModelStatus::Retired => "retired",
        }
    }
}

impl std::str::FromStr for ModelStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "must be one of registered, deployed, superseded, retired".into())
    }
}

/// The roles of the columns in a model's data. Every other column is a feature. A column
/// plays at most one role among `prediction`, `label`, `score` and `sensitive` (422 otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelColumns {
    /// The model's prediction.
    #[serde(default)]
    #[schema(schema_with = schema::column)]
    pub prediction: Option<String>,
    /// The true label (or target), when known.
    #[serde(default)]
    #[schema(schema_with = schema::column)]
    pub label: Option<String>,
    /// The predicted probability of the positive class (binary classification).
    #[serde(default)]
    #[schema(schema_with = schema::column)]
    pub score: Option<String>,
    /// Columns whose groups fairness compares.
    #[serde(default)]
    #[schema(schema_with = schema::columns)]
    pub sensitive: Vec<String>,
    /// Columns left out of every test.
    #[serde(default)]
    #[schema(schema_with = schema::columns)]
    pub ignore: Vec<String>,
}

/// The summary of a model's latest evaluation, kept on the model for fast lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatestEvaluation {
    /// The evaluation's id.
    #[schema(value_type = i64)]
    pub id: EvaluationId,
    /// `pass`, `warn` or `fail`.
    pub status: String,
    /// Risk score, 0 to 100.
    pub risk_score: f64,
    /// When it ran.
    pub created_at: DateTime<Utc>,
}

/// A registered model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Model {
    /// Database id.
    #[schema(value_type = i64)]
    pub id: ModelId,
    /// Model name; unique together with `version`.
    pub name: String,
    /// Version label.
    pub version: String,
    /// Free text.
    pub description: Option<String>,
    /// What the model predicts.
    pub task: Task,
    /// How much harm it can do.
    pub risk_tier: RiskTier,
    /// Training framework (`sklearn`, `xgboost`, ...).
    pub framework: Option<String>,
    /// Free labels.
    pub tags: Vec<String>,
    /// The user who registered it.
    #[schema(value_type = i64)]
    pub owner_id: UserId,
    /// Lifecycle state.
    pub status: ModelStatus,
    /// Column roles.
    pub columns: ModelColumns,
    /// The model artefact's digest (`sha256:` and 64 lower-case hex digits): the subject of
    /// the attestations of its deploys that name none of their own.
    #[schema(value_type = Option<String>, pattern = "^sha256:[0-9a-f]{64}$")]
    pub artifact_digest: Option<ArtifactDigest>,
    /// Whether reference data has been uploaded.
    pub has_reference: bool,
    /// The latest evaluation, if any.
    pub latest_evaluation: Option<LatestEvaluation>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a new model version, as a client sends them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewModel {
    /// Model name: any printable text, 1 to 200 characters, surrounding white space trimmed.
    #[schema(schema_with = schema::name)]
    pub name: String,
    /// Version label: any printable text, 1 to 100 characters, trimmed like the name.
    #[schema(schema_with = schema::version)]
    pub version: String,
    /// Free text.
    #[serde(default)]
    #[schema(schema_with = schema::description)]
    pub description: Option<String>,
    /// What the model predicts.
    pub task: Task,
    /// How much harm it can do.
    pub risk_tier: RiskTier,
    /// Training framework.
    #[serde(default)]
    #[schema(schema_with = schema::framework)]
    pub framework: Option<String>,
    /// Free labels.
    #[serde(default)]
    #[schema(schema_with = schema::tags)]
    pub tags: Vec<String>,
    /// Column roles.
    #[serde(default, deserialize_with = "driftguard_core::object::one")]
    pub columns: ModelColumns,
    /// The model artefact's digest, `sha256:` and 64 hex digits (upper-case hex is read and
    /// lower-cased): the subject of its deploys' attestations.
    #[serde(default)]
    #[schema(schema_with = driftguard_core::digest::schema_or_null)]
    pub artifact_digest: Option<String>,
}

impl NewModel {
    /// A model with the four required fields (SPEC §3) and nothing else: no description,
    /// framework, tags or column roles.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        task: Task,
        risk_tier: RiskTier,
    ) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            description: None,
            task,
            risk_tier,
            framework: None,
            tags: Vec::new(),
            columns: ModelColumns::default(),
            artifact_digest: None,
        }
    }
}

/// A partial change to a model version: fields left out stay as they are. Name and version
/// identify the version and cannot change; status changes only through deploy and retire.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelPatch {
    /// New description (`null` clears it).
    #[serde(default, with = "double_option")]
    #[schema(schema_with = schema::description)]
    pub description: Option<Option<String>>,
    /// New task.
    #[serde(default)]
    pub task: Option<Task>,
    /// New risk tier.
    #[serde(default)]
    pub risk_tier: Option<RiskTier>,
    /// New framework (`null` clears it).
    #[serde(default, with = "double_option")]
    #[schema(schema_with = schema::framework)]
    pub framework: Option<Option<String>>,
    /// New tags (replace the old ones).
    #[serde(default)]
    #[schema(schema_with = schema::tags_or_null)]
    pub tags: Option<Vec<String>>,
    /// New column roles (replace the old ones).
    #[serde(default, deserialize_with = "driftguard_core::object::option")]
    pub columns: Option<ModelColumns>,
    /// New artefact digest (`null` clears it). Deploys already made keep theirs.
    #[serde(default, with = "double_option")]
    #[schema(schema_with = driftguard_core::digest::schema_or_null)]
    pub artifact_digest: Option<Option<String>>,
}

impl ModelPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.task.is_none()
            && self.risk_tier.is_none()
            && self.framework.is_none()
            && self.tags.is_none()
            && self.columns.is_none()
            && self.artifact_digest.is_none()
    }
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}
