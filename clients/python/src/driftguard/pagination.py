"""Lists as iterators: the API pages with ``skip`` and ``limit`` (1–100) and answers
``{"<items>": [...], "pagination": {"total", "skip", "limit", "pages"}}`` (SPEC §3); the
iterators here fetch page after page as they are consumed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

#: The largest page the API serves.
MAX_PAGE_SIZE = 100

FetchPage = Callable[[int, int], dict[str, Any]]


def iterate(fetch: FetchPage, key: str, page_size: int = MAX_PAGE_SIZE) -> Iterator[Any]:
    """Yields every item of a list, fetching one page of ``page_size`` at a time.

    ``fetch(skip, limit)`` returns one page. Iteration stops at the total the server reports
    or at an empty page. Items added or removed while iterating may shift the pages (lists
    are newest first): an item may then be seen twice or not at all, as with any offset
    pagination.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    skip = 0
    while True:
        page = fetch(skip, page_size)
        items = page.get(key) or []
        yield from items
        skip += len(items)
        total = (page.get("pagination") or {}).get("total", 0)
        if not items or skip >= total:
            return
