//! Reference data use cases: upload (or replace) a model's reference data, read its profile,
//! and load it back prepared for an evaluation (issue #17 part 2: prepared once, at upload,
//! and kept in memory between evaluations; data stored before that is prepared on its first
//! use, see `docs/performance.md`).

use std::collections::BTreeMap;
use std::sync::Arc;

use driftguard_auth::Action;
use driftguard_core::{DomainError, DomainResult, ModelId, now};
use driftguard_registry::{Model, ModelColumns, ModelRepository};
use driftguard_stats::{ColumnKind, Dataset, Limits, ParseOptions, PreparedReference};

use crate::actor::Actor;
use crate::changes::Announcer;
use crate::data::{StoredData, UploadData, blocking, parse, read_for_storing};
use crate::packing::decompress;
use crate::ports::changes::Change;
use crate::ports::references::{
    ColumnSummary, DataFormat, NewReference, Ordered, ReferenceProfile, ReferenceRepository,
    ReferenceUpload,
};
use crate::ports::usage::UsageMetrics;
use crate::prepared;
use crate::prepared::kept::{Kept, KeptReferences, Upload};

/// Reference data use cases.
#[derive(Clone)]
pub struct ReferenceService {
    models: Arc<dyn ModelRepository>,
    references: Arc<dyn ReferenceRepository>,
    changes: Announcer,
    limits: Limits,
    kept: KeptReferences,
    usage: Arc<dyn UsageMetrics>,
}

impl ReferenceService {
    /// The use cases over these stores, announcing uploads to `changes`, with these upload
    /// limits, keeping prepared references in `kept` and counting in `usage` how often an
    /// evaluation found its reference kept.
    pub fn new(
        models: Arc<dyn ModelRepository>,
        references: Arc<dyn ReferenceRepository>,
        changes: Announcer,
        limits: Limits,
        kept: KeptReferences,
        usage: Arc<dyn UsageMetrics>,
    ) -> Self {
        Self {
            models,
            references,
            changes,
            limits,
            kept,
            usage,
        }
    }

    /// `PUT /models/{id}/reference`: reads the data (in `format`, as it arrives when it is
    /// arriving; Parquet is stored as CSV; `kinds` forcing column kinds), stores it
    /// compressed with its profile and its columns prepared for evaluations, replacing and
    /// recording any earlier upload, and returns the profile. Needs `engineer`.
    pub async fn upload_reference(
        &self,
        model_id: ModelId,
        data: impl Into<UploadData>,
        format: DataFormat,
        kinds: BTreeMap<String, ColumnKind>,
        user: &Actor,
    ) -> DomainResult<ReferenceProfile> {
        user.require(Action::EditModels)?;
        let Some(model) = self.models.get(model_id).await? else {
            return Err(model_id.not_found());
        };
        let in_row_order = outcome_columns(&model.columns);
        let options = ParseOptions {
            limits: self.limits,
            kinds,
            ..ParseOptions::default()
        };
        let data = data.into();
        let (rows, columns, stored, prepared) = blocking(move || {
            let (dataset, stored) = read_for_storing(data, format, &options)?;
            let rows = dataset.rows() as u64;
            let columns: Vec<ColumnSummary> = dataset
                .profile()
                .into_iter()
                .map(|c| ColumnSummary {
                    name: c.name,
                    kind: c.kind,
                    missing: c.missing as u64,
                })
                .collect();
            // The stored form was made as the data was read; the columns are prepared now,
            // all before the transaction (written as they were made, an upload held SQLite's
            // write lock while its columns waited for rayon's threads, which another upload's
            // columns held waiting for that lock: docs/performance.md).
            let prepared = prepared::prepare(dataset, &in_row_order);
            Ok((rows, columns, stored, prepared))
        })
        .await?;
        let StoredData {
            sha256,
            compressed,
            format,
        } = stored;
        let profile = ReferenceProfile {
            model_id,
            rows,
            columns,
            sha256,
            uploaded_at: now(),
            uploaded_by: user.id,
            format,
        };
        let stored = self.references.put(NewReference {
            profile,
            compressed,
            columns: prepared,
        });
        let profile = self.changes.after(&[Change::Reference], stored).await?;
        self.kept.forget(model_id);
        self.keep_soon(model_id);
        Ok(profile)
    }

    /// Reads the model's reference back into memory in the background, after the answer:
    /// an upload is most often followed by evaluations against it.
    fn keep_soon(&self, model_id: ModelId) {
        if !self.kept.is_on() {
            // Nothing to keep it in: no task.
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let kept = this.kept_reference(model_id).await;
            tracing::debug!(%model_id, kept = kept.is_some(), "reference data read back after its upload");
        });
    }

    /// `GET /models/{id}/reference`: the profile, or `NotFound` when the model or its
    /// reference data does not exist.
    pub async fn reference_profile(&self, model_id: ModelId) -> DomainResult<ReferenceProfile> {
        self.references
            .profile(model_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("model {model_id} has no reference data")))
    }

    /// `GET /models/{id}/reference/uploads`: every upload (and replacement) of the model's
    /// reference data, oldest first (SPEC §2: replacing it is recorded); `NotFound` when the
    /// model does not exist.
    pub async fn reference_uploads(&self, model_id: ModelId) -> DomainResult<Vec<ReferenceUpload>> {
        if self.models.get(model_id).await?.is_none() {
            return Err(model_id.not_found());
        }
        self.references.uploads(model_id).await
    }

    /// The model's reference data prepared for an evaluation, with the columns `ordered`
    /// names in row order as well; `Conflict` when it has none. The row-order values of a
    /// column not kept so (a simulation's, or roles a request names) come from the original,
    /// parsed again. Data stored before prepared forms is parsed and prepared here, once: its
    /// prepared columns are stored for the evaluations after this one.
    pub async fn load_prepared(
        &self,
        model: &Model,
        ordered: Ordered,
    ) -> DomainResult<Arc<PreparedReference>> {
        // The row-order columns an evaluation needs, when a kept reference may have them.
        let needed = match &ordered {
            Ordered::Only(names) if self.kept.is_on() => Some(names),
            _ => None,
        };
        let looked = needed.is_some();
        if let Some(names) = needed
            && let Some(kept) = self.kept_reference(model.id).await
            && prepared::has_in_row_order(&kept.reference, names)
        {
            // A hit when this evaluation read no column from the store itself.
            self.usage.kept_reference(!kept.loaded);
            return Ok(kept.reference);
        }
        let read = self.read_prepared(model, ordered).await.map(Arc::new);
        // A miss: read from the store (not counted when there was nothing to read).
        if looked && read.is_ok() {
            self.usage.kept_reference(false);
        }
        read
    }

    /// The model's prepared reference as this replica keeps it, read from the store (with
    /// the row-order columns stored) when it does not yet; `None` when it is not kept: the
    /// budget is 0 or too small for it, it has none or none prepared, or the read failed
    /// (the caller's own read meets the failure) or saw another upload than the one it was
    /// asked for.
    async fn kept_reference(&self, model_id: ModelId) -> Option<Kept> {
        if !self.kept.is_on() {
            return None;
        }
        let profile = self.references.profile(model_id).await.ok()??;
        if !self.kept.would_keep(&profile) {
            return None;
        }
        let load = async {
            let columns = self.references.columns(model_id, Ordered::All).await.ok()?;
            if columns.is_empty() {
                return None;
            }
            let reference = blocking(move || Ok(prepared::load(columns).ok()))
                .await
                .ok()??;
            // One upload throughout: the columns were read between two reads of its profile.
            let again = self.references.profile(model_id).await.ok()??;
            (again == profile).then_some(reference)
        };
        self.kept.get_or_load(Upload::of(&profile), load).await
    }

    /// [`load_prepared`](Self::load_prepared) from the store.
    async fn read_prepared(
        &self,
        model: &Model,
        ordered: Ordered,
    ) -> DomainResult<PreparedReference> {
        let model_id = model.id;
        let corrupt = move |e| {
            DomainError::internal_caused(
                format!(
                    "the stored prepared reference data of model {model_id} is corrupt; upload the reference data again"
                ),
                e,
            )
        };
        let columns = self.references.columns(model_id, ordered.clone()).await?;
        if !columns.is_empty() {
            let decoded = blocking(move || prepared::decode(columns).map_err(corrupt)).await?;
            if decoded.has_in_row_order(&ordered) {
                return blocking(move || decoded.into_reference().map_err(corrupt)).await;
            }
            let (_, dataset) = self.load_original(model_id).await?;
            return blocking(move || decoded.with_ordered(dataset).map_err(corrupt)).await;
        }
        let (profile, dataset) = self.load_original(model_id).await?;
        let in_row_order = outcome_columns(&model.columns);
        let (reference, stored) = blocking(move || {
            let reference = PreparedReference::of(dataset);
            let stored = prepared::store(&reference, &in_row_order);
            Ok((reference, stored))
        })
        .await?;
        let added = self.references.prepare(&profile, stored).await?;
        tracing::info!(%model_id, added, "reference data stored before prepared forms, prepared now");
        Ok(reference)
    }

    /// The model's reference data as uploaded, parsed with the kinds it was profiled with,
    /// and its profile; `Conflict` when it has none.
    pub async fn load_original(
        &self,
        model_id: ModelId,
    ) -> DomainResult<(ReferenceProfile, Dataset)> {
        let Some((profile, compressed)) = self.references.data(model_id).await? else {
            return Err(DomainError::Conflict(format!(
                "model {model_id} has no reference data; upload it with PUT /models/{model_id}/reference first"
            )));
        };
        let limits = self.limits;
        blocking(move || {
            let bytes = decompress(&compressed, limits.max_bytes)?;
            let kinds = profile
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.kind))
                .collect();
            let dataset = parse(bytes, profile.format, limits, kinds)?;
            Ok((profile, dataset))
        })
        .await
    }

    /// The upload limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

/// The columns an evaluation with these roles reads of the reference row by row: the
/// performance baseline's prediction, label and score. An upload keeps their row-order values
/// beside the prepared form (issue #17 part 2: the other columns' would double what is
/// written, for no evaluation).
pub(crate) fn outcome_columns(columns: &ModelColumns) -> Vec<String> {
    [&columns.prediction, &columns.label, &columns.score]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
}
