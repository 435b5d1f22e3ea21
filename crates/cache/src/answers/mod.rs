//! Cached answers: versioned keys, a TTL per class, and invalidation that every replica
//! sharing the store sees.
//!
//! An answer's key is `v{KEY_SCHEMA_VERSION}:{class}:{generation}:{params}`.
//!
//! - The schema version changes whenever the shape of a cached body changes, so that replicas
//!   of two releases sharing one Redis during a rolling deploy never decode each other's
//!   shapes.
//! - The generation is a token kept in the cache itself under `v{N}:{class}:generation`
//!   (missing reads as `0`). [`AnswerCache::invalidate`] deletes the class's answers and then
//!   writes a fresh token. That closes a race a plain delete leaves open: a reader that read
//!   the database before a write committed but stores its answer after the write's
//!   invalidation stores it under the old generation, where nobody looks any more. Readers
//!   read the generation before they compute, so an answer is only ever filed under a
//!   generation that was current when its computation started.

mod classes;

use std::sync::Arc;
use std::time::Duration;

pub use classes::{CacheClass, CacheTtls, Lookup};

use crate::store::{Cache, CacheExt};

/// Bumped whenever the JSON shape of a cached answer changes (see the module docs).
pub const KEY_SCHEMA_VERSION: u32 = 1;

/// How long a generation token lives beyond the longest answer TTL. Long, because a
/// generation that expires only turns every live answer of its class into a miss, and
/// finite, so that the tokens of a class no longer used do not stay forever.
const GENERATION_MARGIN: Duration = Duration::from_secs(24 * 3600);

/// Cached answers on any [`Cache`]: the in-process one, or Redis shared by every replica.
#[derive(Clone, Debug)]
pub struct AnswerCache {
    store: Arc<dyn Cache>,
    ttls: CacheTtls,
}

impl AnswerCache {
    /// Answers cached in `store` for the TTLs of `ttls`.
    pub fn new(store: Arc<dyn Cache>, ttls: CacheTtls) -> Self {
        Self { store, ttls }
    }

    /// The answer for (`class`, `params`): from the cache, or computed by `compute` and
    /// stored. An error from `compute` is returned and nothing is stored. `params` must
    /// identify the answer within its class (say, the query string in a fixed order).
    pub async fn get_or_compute<T, E, F, Fut>(
        &self,
        class: CacheClass,
        params: &str,
        compute: F,
    ) -> Result<(T, Lookup), E>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync,
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<T, E>> + Send,
        E: Send,
    {
        // Before computing, never after: see the module docs on the generation.
        let generation = self.generation(class).await;
        let key = answer_key(class, &generation, params);
        if let Some(answer) = self.store.get_json::<T>(&key).await {
            return Ok((answer, Lookup::Hit));
        }
        let answer = compute().await?;
        self.store
            .set_json(&key, &answer, self.ttls.ttl(class))
            .await;
        Ok((answer, Lookup::Miss))
    }

    /// Makes every cached answer of these classes stale, for every replica sharing the store.
    /// Call it after the write that changed them has committed.
    ///
    /// The work runs on a tokio task of its own, so that it finishes even when the caller is
    /// dropped halfway (actix drops a handler whose client hung up): by then the write has
    /// committed, and an invalidation cut short would leave its stale answers behind.
    pub async fn invalidate(&self, classes: &[CacheClass]) {
        let store = self.store.clone();
        let classes = classes.to_vec();
        let generation_ttl = self.generation_ttl();
        let task = tokio::spawn(async move {
            for class in classes {
                // Deleting frees the memory at once; the new generation is what makes the
                // answers unreachable even if a slow reader stores one after the delete. It
                // is written after the delete because the prefix covers the generation key.
                store.delete_prefix(&class_prefix(class)).await;
                let token = uuid::Uuid::new_v4().simple().to_string();
                store
                    .set(&generation_key(class), token.into_bytes(), generation_ttl)
                    .await;
            }
        });
        if let Err(error) = task.await {
            // Only a panic in an adapter or a runtime shutting down gets here.
            tracing::error!(error = %error, "cache.invalidation_failed");
        }
    }

    async fn generation(&self, class: CacheClass) -> String {
        self.store
            .get(&generation_key(class))
            .await
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_else(|| "0".to_owned())
    }

    /// Longer than any answer lives, so that an answer never outlives its generation.
    fn generation_ttl(&self) -> Duration {
        let longest = CacheClass::ALL
            .iter()
            .map(|&class| self.ttls.ttl(class))
            .max()
            .unwrap_or_default();
        longest.saturating_add(GENERATION_MARGIN)
    }
}

fn class_prefix(class: CacheClass) -> String {
    format!("v{KEY_SCHEMA_VERSION}:{}:", class.label())
}

fn generation_key(class: CacheClass) -> String {
    format!("{}generation", class_prefix(class))
}

fn answer_key(class: CacheClass, generation: &str, params: &str) -> String {
    format!("{}{generation}:{params}", class_prefix(class))
}
