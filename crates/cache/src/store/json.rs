//! Typed JSON values on top of any [`Cache`], so that callers never handle raw bytes.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Cache, CacheError};

/// JSON encoding and decoding for every [`Cache`] (a blanket implementation).
#[async_trait::async_trait]
pub trait CacheExt: Cache {
    /// The value under `key` decoded as `T`: `Ok(None)` when absent, `Err` when the store
    /// could not be read (see [`Cache::get`]). A value that does not decode (say, written by a
    /// release with another shape) counts as absent and is deleted, so that it is not decoded
    /// again on every request until it expires.
    async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CacheError> {
        let Some(bytes) = self.get(key).await? else {
            return Ok(None);
        };
        if let Ok(value) = serde_json::from_slice::<T>(&bytes) {
            return Ok(Some(value));
        }
        tracing::warn!(key, "cache.undecodable_value");
        self.delete(key).await;
        Ok(None)
    }

    /// Stores `value` as JSON under `key` for `ttl`. A value that cannot be encoded (a map
    /// with non-string keys, say) is not cached, which only costs the next caller a miss.
    async fn set_json<T: Serialize + Sync + ?Sized>(&self, key: &str, value: &T, ttl: Duration) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.set(key, bytes, ttl).await,
            Err(error) => tracing::warn!(key, error = %error, "cache.unencodable_value"),
        }
    }
}

impl<C: Cache + ?Sized> CacheExt for C {}
