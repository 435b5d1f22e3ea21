//! The round trips of the Redis cache, each bounded by the configured timeout.

use redis::{Cmd, FromRedisValue, cmd};

use super::{CacheError, RedisCache};

/// How many keys one `SCAN` step looks at: large enough for few round trips, small enough
/// that no single step blocks Redis noticeably.
const SCAN_COUNT: u32 = 500;

impl RedisCache {
    /// One command on the shared connection; the timeout covers connecting too.
    pub(super) async fn query<T: FromRedisValue>(&self, command: &Cmd) -> Result<T, CacheError> {
        self.bounded(self.run(command)).await
    }

    /// Unlinks every key matching the glob `pattern`, `SCAN`ning in steps rather than with
    /// `KEYS`, which would block Redis for every client while it walks the whole key space.
    /// Each step has its own timeout: the walk as a whole grows with the key space.
    pub(super) async fn unlink_matching(&self, pattern: &str) -> Result<(), CacheError> {
        let mut cursor: u64 = 0;
        loop {
            let scan = cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .clone();
            let (next, keys): (u64, Vec<Vec<u8>>) = self.bounded(self.run(&scan)).await?;
            if !keys.is_empty() {
                let unlink = cmd("UNLINK").arg(keys).clone();
                self.bounded(self.run::<()>(&unlink)).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// `command` on the shared connection (opened first when needed).
    async fn run<T: FromRedisValue>(&self, command: &Cmd) -> Result<T, CacheError> {
        self.connection
            .run(async |connection| command.query_async(connection).await)
            .await
            .map_err(|error| CacheError::Store(error.to_string()))
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
