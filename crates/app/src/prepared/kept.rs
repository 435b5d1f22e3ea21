//! Prepared references kept in memory between evaluations (issue #17 part 2), up to a
//! budget of bytes a replica: an evaluation against a reference this replica holds neither
//! reads nor decodes it. An entry is keyed by the upload it holds (the model, the digest and
//! the time of the upload, read from the store at every evaluation), so that a replacement
//! made on any replica is seen at the next evaluation; the least recently used entries go
//! first when the budget is full, and an entry unused for an hour goes too.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use driftguard_core::{ModelId, Timestamp};
use driftguard_stats::PreparedReference;
use moka::future::Cache;
use moka::policy::EvictionPolicy;

use crate::ports::references::ReferenceProfile;

/// How long an entry nobody uses stays: memory a replica holds for a model no longer
/// evaluated, or for an upload replaced on another replica, is given back after it.
const IDLE: Duration = Duration::from_secs(3600);

/// One upload of a model's reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upload {
    model_id: ModelId,
    sha256: String,
    uploaded_at: Timestamp,
}

impl Upload {
    /// The upload `profile` describes.
    pub fn of(profile: &ReferenceProfile) -> Self {
        Self {
            model_id: profile.model_id,
            sha256: profile.sha256.clone(),
            uploaded_at: profile.uploaded_at,
        }
    }
}

/// A load that kept nothing: it found nothing to keep, or failed (the caller then reads the
/// store itself, and meets the failure there).
#[derive(Debug)]
struct NotKept;

/// A reference [`KeptReferences::get_or_load`] gives: held already, or loaded by this call.
pub struct Kept {
    /// The prepared reference.
    pub reference: Arc<PreparedReference>,
    /// Whether this call read it from the store (a miss), rather than finding it held, or
    /// being loaded by a concurrent call it waited for (a hit: it read nothing itself).
    pub loaded: bool,
}

/// The prepared references this replica keeps.
#[derive(Clone)]
pub struct KeptReferences {
    /// `None` when the budget is 0.
    cache: Option<Cache<Upload, Arc<PreparedReference>>>,
    max_bytes: u64,
}

impl KeptReferences {
    /// Keeps up to `max_bytes` of prepared references (0: none).
    pub fn new(max_bytes: u64) -> Self {
        let cache = (max_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(max_bytes.div_ceil(1024))
                .weigher(|_, reference: &Arc<PreparedReference>| kib(reference.heap_bytes()))
                // Least recently used first, always admitting the new entry: the reference
                // just uploaded is the one about to be evaluated.
                .eviction_policy(EvictionPolicy::lru())
                .time_to_idle(IDLE)
                .support_invalidation_closures()
                .build()
        });
        Self { cache, max_bytes }
    }

    /// Whether any reference is kept.
    pub fn is_on(&self) -> bool {
        self.cache.is_some()
    }

    /// Whether the upload `profile` describes fits the budget, at eight bytes a value (a
    /// number sorted, or a label's code and its count: no more than that).
    pub fn would_keep(&self, profile: &ReferenceProfile) -> bool {
        let values = profile.rows.saturating_mul(profile.columns.len() as u64);
        self.cache.is_some() && values.saturating_mul(8) <= self.max_bytes
    }

    /// The reference of `upload`, kept or loaded by `load` (once, however many ask for it at
    /// the same time) and kept; `None` when not kept and `load` gives nothing.
    pub async fn get_or_load(
        &self,
        upload: Upload,
        load: impl Future<Output = Option<PreparedReference>>,
    ) -> Option<Kept> {
        let cache = self.cache.as_ref()?;
        let loaded = async { load.await.map(Arc::new).ok_or(NotKept) };
        let entry = cache.entry(upload).or_try_insert_with(loaded).await.ok()?;
        Some(Kept {
            loaded: entry.is_fresh(),
            reference: entry.into_value(),
        })
    }

    /// Lets go of every upload of `model_id` this replica keeps (it has just been replaced).
    pub fn forget(&self, model_id: ModelId) {
        let Some(cache) = &self.cache else {
            return;
        };
        if let Err(e) = cache.invalidate_entries_if(move |upload, _| upload.model_id == model_id) {
            // Only without `support_invalidation_closures`, which `new` sets.
            tracing::error!(%model_id, error = %e, "kept reference data not forgotten");
        }
    }
}

/// Bytes as the cache weighs them: KiB, so that a weight (a `u32`) holds 4 TiB.
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}
