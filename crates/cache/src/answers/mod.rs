//! Cached answers: versioned keys, a TTL per class, and invalidation that every replica
//! sharing the store sees.
//!
//! An answer's key is `v{KEY_SCHEMA_VERSION}:{class}:{generation}:{params}`.
//!
//! - The schema version changes whenever the shape of a cached body changes, so that replicas
//!   of two releases sharing one Redis during a rolling deploy never decode each other's
//!   shapes.
//! - The generation is a random token kept in the cache itself under
//!   `v{N}:{class}:generation`. [`AnswerCache::invalidate`] deletes the class's answers and
//!   then writes a fresh token. That closes a race a plain delete leaves open: a reader that
//!   read the database before a write committed but stores its answer after the write's
//!   invalidation stores it under the old generation, where nobody looks any more. Readers
//!   read the generation before they compute, so an answer is only ever filed under a
//!   generation that was current when its computation started.
//! - A missing generation (expired, evicted, or never written) is never read as a constant:
//!   the reader mints a fresh token, writes it, and only then computes. A shared constant
//!   would let an answer filed under it before an invalidation become reachable again as
//!   soon as the newer token disappears.
//! - When the store cannot be read (Redis down, timed out, its breaker open, or being
//!   flushed), the answer is computed and returned but neither read from nor stored in the
//!   cache: a generation that could not be read is not known to be current, and guessing one
//!   is how a stale answer gets served.

mod classes;

use std::sync::Arc;
use std::time::Duration;

pub use classes::{CacheClass, CacheTtls, Lookup};

use crate::store::{Cache, CacheError, CacheExt};

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
    /// stored. An error from `compute` is returned and nothing is stored. While the store
    /// cannot be read, every call computes and nothing is stored (see the module docs).
    /// `params` must identify the answer within its class (say, the query string in a fixed
    /// order).
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
        let key = match self.generation(class).await {
            Ok(generation) => answer_key(class, &generation, params),
            Err(error) => return uncached(class, &error, compute).await,
        };
        match self.store.get_json::<T>(&key).await {
            Ok(Some(answer)) => return Ok((answer, Lookup::Hit)),
            Ok(None) => {}
            // A store failing now may have lost writes since the generation was read, an
            // invalidation among them (Flushing says as much): do not file an answer under a
            // generation that may be stale. The write would most likely be lost anyway.
            Err(error) => return uncached(class, &error, compute).await,
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
                store
                    .set(
                        &generation_key(class),
                        new_generation().into_bytes(),
                        generation_ttl,
                    )
                    .await;
            }
        });
        if let Err(error) = task.await {
            // Only a panic in an adapter or a runtime shutting down gets here.
            tracing::error!(error = %error, "cache.invalidation_failed");
        }
    }

    /// The current generation of `class`, minting one when there is none; Err when the store
    /// could not be read, for the caller to bypass the cache.
    async fn generation(&self, class: CacheClass) -> Result<String, CacheError> {
        let key = generation_key(class);
        // Bytes that are no UTF-8 were not written by this code: as good as no token.
        if let Some(token) = self
            .store
            .get(&key)
            .await?
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            return Ok(token);
        }
        // Missing: a token of our own, written before the caller computes. Two readers racing
        // here each write theirs and the last write wins; the loser's answer is filed under a
        // token nobody reads again and only takes up room until its TTL ends, which is
        // harmless. A mint racing an invalidation may overwrite the invalidation's token, which
        // is safe too: the minter computes only after its own token is written, so after the
        // write behind that invalidation had committed.
        let token = new_generation();
        self.store
            .set(&key, token.clone().into_bytes(), self.generation_ttl())
            .await;
        Ok(token)
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

/// Computes the answer without the cache, because the store could not be read.
async fn uncached<T, E, F, Fut>(
    class: CacheClass,
    error: &CacheError,
    compute: F,
) -> Result<(T, Lookup), E>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    // Debug only: the Redis adapter already logs when the store goes away and comes back, and
    // a line per request during an outage would drown the log.
    tracing::debug!(class = class.label(), error = %error, "cache.bypassed");
    compute().await.map(|answer| (answer, Lookup::Miss))
}

/// A generation token no replica has used before.
fn new_generation() -> String {
    uuid::Uuid::new_v4().simple().to_string()
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

#[cfg(test)]
mod tests;
