//! Cached answers: versioned keys, a TTL per class, and invalidation that every replica
//! sharing the store sees.
//!
//! An answer is kept under `v{KEY_SCHEMA_VERSION}:{class}:answer:{params}`, stamped with the
//! generation of its class it was computed under.
//!
//! - The schema version changes whenever the shape of a cached body (or the layout of the
//!   keys) changes, so that replicas of two releases sharing one Redis during a rolling
//!   deploy never decode each other's shapes.
//! - The generation is a random token kept in the cache itself under
//!   `v{N}:{class}:generation`. [`AnswerCache::invalidate`] writes a fresh token; the
//!   answers stamped with an old one are no longer served (a miss, which replaces them) and
//!   expire with their TTL. That closes a race a plain delete would leave open: a reader
//!   that read the database before a write committed but stores its answer after the
//!   write's invalidation stamps it with the old generation, which nobody accepts any more.
//!   Readers read the generation before they compute (in the same round trip as the answer:
//!   one `MGET` on Redis), so an answer is only ever stamped with a generation that was
//!   current when its computation started. A slow reader's answer may overwrite a newer one
//!   stamped with the current generation: that costs a miss, never a stale answer.
//! - A missing generation (expired, evicted, or never written) is never read as a constant:
//!   the reader mints a fresh token, writes it, and only then computes. A shared constant
//!   would let an answer stamped with it before an invalidation be served again as soon as
//!   the newer token disappears.
//! - When the store cannot be read (Redis down, timed out, its breaker open, or being
//!   flushed), the answer is computed and returned but neither read from nor stored in the
//!   cache: a generation that could not be read is not known to be current, and guessing one
//!   is how a stale answer gets served.
//! - Concurrent callers of this process that need the same answer share one computation
//!   (see the `flights` module): the first computes, the others wait for its answer, and a
//!   missing generation is minted once for all of them. They share a key, so they read the
//!   same generation before anyone computed: what a follower receives was computed after
//!   that generation was current, exactly as an answer it might have found in the cache. A
//!   caller that reads the generation after an invalidation wrote a new one has another key,
//!   and never joins a computation begun before it.
//! - Callers bypassing the cache share computations too (the outage is when the database can
//!   least afford a stampede), under a key made of the class, the parameters and a counter
//!   of this process's invalidations of the class: there is no generation to order them, and
//!   without the counter a reader could join, right after its own write, a computation that
//!   began before that write.

mod classes;
mod dashboards;
mod flights;
mod invalidation;
mod models;
mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use classes::{CacheClass, CacheTtls, Lookup};
pub use models::ModelPage;

use crate::store::{Cache, CacheError};

/// Bumped whenever the JSON shape of a cached answer, or the layout of the keys, changes (see
/// the module docs); 2: answers stamped with their generation instead of keyed by it.
pub const KEY_SCHEMA_VERSION: u32 = 2;

/// How long a generation token lives beyond the longest answer TTL. Long, because a
/// generation that expires only turns every live answer of its class into a miss, and
/// finite, so that the tokens of a class no longer used do not stay forever.
const GENERATION_MARGIN: Duration = Duration::from_secs(24 * 3600);

/// Cached answers on any [`Cache`]: the in-process one, or Redis shared by every replica.
/// Clones share their running computations (see [`AnswerCache::get_or_compute`]), so build
/// one per process and clone it.
#[derive(Clone, Debug)]
pub struct AnswerCache {
    store: Arc<dyn Cache>,
    ttls: CacheTtls,
    local: Arc<Local>,
}

/// What the clones of one [`AnswerCache`] share within this process.
#[derive(Debug, Default)]
struct Local {
    /// The computations running now, by key.
    flights: flights::Flights,
    /// Invalidations begun per class (by [`CacheClass::index`]): part of the key under which
    /// callers bypassing the cache share computations (see the module docs).
    invalidations: [AtomicU64; CacheClass::ALL.len()],
}

impl AnswerCache {
    /// Answers cached in `store` for the TTLs of `ttls`.
    pub fn new(store: Arc<dyn Cache>, ttls: CacheTtls) -> Self {
        Self {
            store,
            ttls,
            local: Arc::default(),
        }
    }

    /// The answer for (`class`, `params`): from the cache, or computed by `compute` and
    /// stored. An error from `compute` is returned and nothing is stored. While the store
    /// cannot be read, every call computes and nothing is stored (see the module docs).
    /// `params` must identify the answer within its class (say, the query string in a fixed
    /// order).
    ///
    /// At most one computation per answer runs at a time in this process (the cache bypassed
    /// or not): callers that miss while another caller (of this `AnswerCache` or a clone)
    /// computes the same answer wait for it and get its answer, reported as [`Lookup::Hit`]
    /// since they cost the database nothing. Only the caller that computed reports
    /// [`Lookup::Miss`]. When that computation fails, each waiting caller computes on its own
    /// (and gets an error only from its own computation); when its caller is dropped midway,
    /// one of the waiting callers takes over.
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
        // Before computing, never after: see the module docs on the generation. Both in one
        // round trip (Redis: one `MGET`), the answer kept apart from its generation's key.
        let key = answer_key(class, params);
        let generation_key = generation_key(class);
        let flight = match self.store.get_many(&[&generation_key, &key]).await {
            Ok(found) => {
                let mut found = found.into_iter();
                let (token, stored) = (found.next().flatten(), found.next().flatten());
                // Bytes that are no UTF-8 were not written by this code: as good as no token.
                match token.and_then(|bytes| String::from_utf8(bytes).ok()) {
                    Some(generation) => {
                        if let Some(answer) = stored.and_then(|s| unstamp(&key, &s, &generation)) {
                            return Ok((answer, Lookup::Hit));
                        }
                        Some(Flight::stored(class, params, key, generation))
                    }
                    // Missing: see `mint`.
                    None => {
                        let generation = self.mint(&generation_key).await;
                        Some(Flight::stored(class, params, key, generation))
                    }
                }
            }
            Err(error) => self.bypass(class, params, &error),
        };
        match flight {
            Some(flight) => self.compute_once(class, flight, compute).await,
            None => compute().await.map(|answer| (answer, Lookup::Miss)),
        }
    }

    /// The answer of `compute`, computed by this caller or by the one already computing
    /// `flight` (see [`AnswerCache::get_or_compute`]), and stored when `flight` says so.
    async fn compute_once<T, E, F, Fut>(
        &self,
        class: CacheClass,
        flight: Flight,
        compute: F,
    ) -> Result<(T, Lookup), E>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let key = flight.key();
        let leader = loop {
            match self.local.flights.join(key) {
                flights::Role::Leader(leader) => break Some(leader),
                flights::Role::Follower(follower) => match follower.outcome().await {
                    flights::Outcome::Answer(json) => match serde_json::from_slice(&json) {
                        Ok(answer) => return Ok((answer, Lookup::Hit)),
                        // Not the shape this caller expects (a `T` that does not read back
                        // what it wrote): its own computation is the only answer it can use.
                        Err(error) => {
                            tracing::warn!(key, error = %error, "cache.undecodable_value");
                            break None;
                        }
                    },
                    // Computing on its own rather than electing a new leader: a failing
                    // database would otherwise make each waiting caller fail in turn, one
                    // timeout after the other.
                    flights::Outcome::Failed => break None,
                    // The leader's caller was dropped (its client hung up): the first follower
                    // to get here leads, the others follow it.
                    flights::Outcome::Vanished => {}
                },
            }
        };
        let Some(leader) = leader else {
            return compute().await.map(|answer| (answer, Lookup::Miss));
        };
        let mut store_under = match &flight {
            Flight::Stored { filing, .. } => Some(filing),
            Flight::Bypassed(_) => None,
        };
        // Look again, now that no other computation of the key runs here: this caller's first
        // read may have missed an answer that a computation which ended meanwhile stored
        // (a read answered just before that write, or a follower of a dropped leader that
        // woke up after another follower took over). One more read per computed miss is
        // cheap next to a computation done twice.
        if let Some(filing) = store_under {
            match self.store.get(&filing.key).await {
                Ok(stored) => {
                    if let Some(answer) =
                        stored.and_then(|s| unstamp::<T>(&filing.key, &s, &filing.generation))
                    {
                        // Rare (a race lost by one read): encoding again for the followers is
                        // cheaper than a second decoding path.
                        leader.publish(serde_json::to_vec(&answer).ok().map(Arc::from));
                        return Ok((answer, Lookup::Hit));
                    }
                }
                // As on the first read: do not file an answer under a generation that may be
                // stale.
                Err(error) => {
                    tracing::debug!(class = class.label(), error = %error, "cache.bypassed");
                    store_under = None;
                }
            }
        }
        let answer = match compute().await {
            Ok(answer) => answer,
            Err(error) => {
                leader.publish(None);
                return Err(error);
            }
        };
        // Encoded once, for the followers and the store alike.
        let json = match serde_json::to_vec(&answer) {
            Ok(json) => Some(json),
            Err(error) => {
                tracing::warn!(key, error = %error, "cache.unencodable_value");
                None
            }
        };
        // Published before the answer is stored, so that followers do not wait for the store
        // too; the leader leaves (dropped below) only once the answer is stored, so that a
        // caller arriving later finds it in the store, on its first read or on its second.
        leader.publish(json.as_deref().map(Arc::from));
        if let (Some(filing), Some(json)) = (store_under, json) {
            // Stamped with the generation read before computing: lost, or landing after an
            // invalidation, it leaves nothing stale (see the module docs).
            let stamped = [filing.generation.as_bytes(), b"\n", &json].concat();
            self.store
                .fill(&filing.key, stamped, self.ttls.ttl(class))
                .await;
        }
        drop(leader);
        Ok((answer, Lookup::Miss))
    }

    /// The flight of a caller that computes without the cache, because the store could not be
    /// read; `None` for one that computes on its own.
    fn bypass(&self, class: CacheClass, params: &str, error: &CacheError) -> Option<Flight> {
        // Debug only: the Redis adapter already logs when the store goes away and comes back,
        // and a line per request during an outage would drown the log.
        tracing::debug!(class = class.label(), error = %error, "cache.bypassed");
        // The flight's key counts only this process's invalidations: a user's read begun
        // before a role change made through another replica could be shared with a request
        // after it. Each request reads its own user, as it did before users were cached.
        if class == CacheClass::Users {
            return None;
        }
        let invalidations = self.local.invalidations[class.index()].load(Ordering::Acquire);
        // Answer keys start with `v`: this never names a stored answer's flight.
        Some(Flight::Bypassed(format!(
            "bypass:{invalidations}:{}{params}",
            class_prefix(class)
        )))
    }

    /// Makes every cached answer of these classes stale, for every replica sharing the store.
    /// Call it after the write that changed them has committed.
    ///
    /// The work runs on a tokio task of its own, so that it finishes even when the caller is
    /// dropped halfway (actix drops a handler whose client hung up): by then the write has
    /// committed, and an invalidation cut short would leave its stale answers behind.
    pub async fn invalidate(&self, classes: &[CacheClass]) {
        // At once, before anything can be dropped: from here on, callers bypassing the cache
        // no longer join computations that may have begun before the write.
        for &class in classes {
            self.local.invalidations[class.index()].fetch_add(1, Ordering::AcqRel);
        }
        let store = self.store.clone();
        let classes = classes.to_vec();
        let generation_ttl = self.generation_ttl();
        let task = tokio::spawn(async move {
            for class in classes {
                // A new generation is all it takes: the class's answers are no longer served
                // (even one a slow reader stores later) and expire with their TTL. No delete
                // by prefix here: on Redis that is a SCAN of the whole keyspace, rate-limit
                // keys included, on every write.
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

    /// A new generation token for a class that has none, written under `key` before it is
    /// returned, so before the caller computes. Two readers racing here each write theirs and
    /// the last write wins; the loser's answer is stamped with a token nobody reads again, and
    /// is only a miss. A mint racing an invalidation may overwrite the invalidation's token,
    /// which is safe too: the minter computes only after its own token is written, so after
    /// the write behind that invalidation had committed. Concurrent callers of this process
    /// share one token: a token each would stamp their answers each with their own, and a
    /// cold cache would compute each answer once per caller after all. A follower gets the
    /// token only once it is written, so the argument above holds for it too.
    async fn mint(&self, key: &str) -> String {
        let flight = format!("mint:{key}");
        let leader = loop {
            match self.local.flights.join(&flight) {
                flights::Role::Leader(leader) => break leader,
                flights::Role::Follower(follower) => match follower.outcome().await {
                    // The leader publishes a `String`'s bytes: the conversion loses nothing.
                    flights::Outcome::Answer(token) => {
                        return String::from_utf8_lossy(&token).into_owned();
                    }
                    // A minter publishes no failure: only a minter dropped midway gets here,
                    // and then one of its followers mints instead.
                    flights::Outcome::Failed | flights::Outcome::Vanished => {}
                },
            }
        };
        // Look again, now that no other mint runs here: the caller's first read may have been
        // answered just before a mint that ended meanwhile wrote its token. A failed read
        // mints, as it would have without this second read: the first one found no token,
        // and a fresh token is written before anyone computes under it.
        let token = match self.store.get(key).await {
            Ok(Some(bytes)) => String::from_utf8(bytes).ok(),
            Ok(None) | Err(_) => None,
        };
        let token = match token {
            Some(token) => token,
            None => {
                let token = new_generation();
                self.store
                    .set(key, token.clone().into_bytes(), self.generation_ttl())
                    .await;
                token
            }
        };
        leader.publish(Some(Arc::from(token.as_bytes())));
        token
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

/// The key under which callers share a computation, and whether its answer is stored.
#[derive(Debug)]
enum Flight {
    /// A miss: the answer is stored as `filing` says once computed. Callers share it only
    /// when they read the same generation (the flight's key names it).
    Stored { key: String, filing: Filing },
    /// The store could not be read: the answer is shared with concurrent callers only.
    Bypassed(String),
}

/// Where a computed answer is stored, and the generation it is stamped with: the one read
/// before computing it.
#[derive(Debug)]
struct Filing {
    key: String,
    generation: String,
}

impl Flight {
    /// The flight of a miss of `key` (the answer's key) read under `generation`.
    fn stored(class: CacheClass, params: &str, key: String, generation: String) -> Self {
        Flight::Stored {
            key: format!("{}{generation}:{params}", class_prefix(class)),
            filing: Filing { key, generation },
        }
    }

    fn key(&self) -> &str {
        match self {
            Flight::Stored { key, .. } | Flight::Bypassed(key) => key,
        }
    }
}

/// The answer stored as `stamped` when it is stamped with `generation` and decodes as `T`;
/// `None` otherwise (stamped before an invalidation: a miss).
fn unstamp<T: serde::de::DeserializeOwned>(
    key: &str,
    stamped: &[u8],
    generation: &str,
) -> Option<T> {
    let json = stamped
        .strip_prefix(generation.as_bytes())?
        .strip_prefix(b"\n")?;
    match serde_json::from_slice(json) {
        Ok(answer) => Some(answer),
        // Not the shape this caller expects: a miss, and its computation's answer replaces it.
        Err(error) => {
            tracing::warn!(key, error = %error, "cache.undecodable_value");
            None
        }
    }
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

/// Where an answer is kept whatever its generation (which stamps it): `answer:` sets it
/// apart from the generation's key.
fn answer_key(class: CacheClass, params: &str) -> String {
    format!("{}answer:{params}", class_prefix(class))
}

#[cfg(test)]
mod tests;
