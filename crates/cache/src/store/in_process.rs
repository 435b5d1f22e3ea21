//! The in-process adapter: a moka cache bounded by bytes, for a single replica (the default).

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;

use super::{Cache, CacheError};

/// One cached value and the time it may live. The bytes sit behind an `Arc` because moka hands
/// out clones of values.
#[derive(Clone)]
struct Entry {
    bytes: Arc<[u8]>,
    ttl: Duration,
}

/// Gives every entry its own time to live, counted from its last write.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        // An overwrite starts the new value's own TTL instead of inheriting the old one's rest.
        Some(entry.ttl)
    }
}

/// Cached values in this process's memory: fast, but private to one replica, so only the
/// right choice when a single replica runs.
#[derive(Clone)]
pub struct InProcessCache {
    entries: moka::future::Cache<String, Entry>,
}

impl std::fmt::Debug for InProcessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // moka's own Debug lists every entry: megabytes in a log line. Sizes say enough.
        f.debug_struct("InProcessCache")
            .field("entries", &self.entries.entry_count())
            .field("weighted_size", &self.entries.weighted_size())
            .finish()
    }
}

impl InProcessCache {
    /// A cache holding at most about `max_bytes` of keys and values; the least useful entries
    /// are evicted beyond that. The server uses 64 MiB.
    pub fn new(max_bytes: u64) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.bytes.len()).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        Self { entries }
    }
}

#[async_trait::async_trait]
impl Cache for InProcessCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        // moka does not return an entry past its expiry even before it has been evicted. Memory
        // cannot be unreachable: this adapter never fails.
        Ok(self
            .entries
            .get(key)
            .await
            .map(|entry| entry.bytes.to_vec()))
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        let entry = Entry {
            bytes: value.into(),
            ttl,
        };
        self.entries.insert(key.to_owned(), entry).await;
    }

    async fn delete(&self, key: &str) {
        self.entries.invalidate(key).await;
    }
}
