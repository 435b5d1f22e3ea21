//! The pool and the round trips of the Redis cache, each bounded by the configured timeout.

use deadpool_redis::Connection;
use deadpool_redis::redis::{Cmd, FromRedisValue, cmd};

use super::{CacheError, RedisCache};

/// How many keys one `SCAN` step looks at: large enough for few round trips, small enough
/// that no single step blocks Redis noticeably.
const SCAN_COUNT: u32 = 500;

impl RedisCache {
    /// One command on a pooled connection; the timeout covers getting the connection too.
    pub(super) async fn query<T: FromRedisValue>(&self, command: &Cmd) -> Result<T, CacheError> {
        self.bounded(async {
            let mut conn = self.connection().await?;
            command.query_async(&mut conn).await.map_err(store_error)
        })
        .await
    }

    /// Unlinks every key matching the glob `pattern`, `SCAN`ning in steps rather than with
    /// `KEYS`, which would block Redis for every client while it walks the whole key space.
    /// Each step has its own timeout: the walk as a whole grows with the key space.
    pub(super) async fn unlink_matching(&self, pattern: &str) -> Result<(), CacheError> {
        let mut conn = self.bounded(self.connection()).await?;
        let mut cursor: u64 = 0;
        loop {
            let scan = cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .clone();
            let (next, keys): (u64, Vec<Vec<u8>>) = self
                .bounded(async { scan.query_async(&mut conn).await.map_err(store_error) })
                .await?;
            if !keys.is_empty() {
                let unlink = cmd("UNLINK").arg(keys).clone();
                self.bounded(async {
                    unlink
                        .query_async::<()>(&mut conn)
                        .await
                        .map_err(store_error)
                })
                .await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn connection(&self) -> Result<Connection, CacheError> {
        self.pool
            .get()
            .await
            .map_err(|e| CacheError::Store(e.to_string()))
    }

    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, CacheError>>,
    ) -> Result<T, CacheError> {
        let timeout = self.options.timeout;
        tokio::time::timeout(timeout, op)
            .await
            .map_err(|_| CacheError::Timeout(timeout))?
    }
}

fn store_error(error: deadpool_redis::redis::RedisError) -> CacheError {
    CacheError::Store(error.to_string())
}
