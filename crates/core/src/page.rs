//! Pagination: the `skip`/`limit` a list request asks for and the `pagination` block a list
//! answers with.

use serde::{Deserialize, Serialize};

/// The slice of a list a caller asked for; construct it with [`Page::new`], which validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    skip: u64,
    limit: u64,
}

impl Page {
    /// Largest page a caller may ask for.
    pub const MAX_LIMIT: u64 = 100;
    /// Page size when the caller does not say.
    pub const DEFAULT_LIMIT: u64 = 10;

    /// A page, or a message saying why `limit` is out of range (1 to 100).
    pub fn new(skip: u64, limit: u64) -> Result<Self, String> {
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(format!(
                "limit must be between 1 and {}, got {limit}",
                Self::MAX_LIMIT
            ));
        }
        // SQL offsets are signed 64-bit; anything beyond is an empty page anyway.
        Ok(Self {
            skip: skip.min(i64::MAX as u64),
            limit,
        })
    }

    /// Rows to skip.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// Rows to return at most.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The `pagination` block for a list of `total` rows.
    pub fn pagination(&self, total: u64) -> Pagination {
        Pagination {
            total,
            skip: self.skip,
            limit: self.limit,
            pages: total.div_ceil(self.limit),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            skip: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// What a list response says about where it is in the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pagination {
    /// Rows matching the request, over all pages.
    pub total: u64,
    /// Rows skipped before this page.
    pub skip: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of pages of `limit` rows.
    pub pages: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert!(Page::new(0, 0).is_err());
        assert!(Page::new(0, 101).is_err());
        assert!(Page::new(0, 1).is_ok());
        assert!(Page::new(5, 100).is_ok());
    }

    #[test]
    fn pages_round_up() {
        let page = Page::new(0, 10).expect("valid page");
        assert_eq!(page.pagination(0).pages, 0);
        assert_eq!(page.pagination(10).pages, 1);
        assert_eq!(page.pagination(11).pages, 2);
    }
}
