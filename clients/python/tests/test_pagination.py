"""Lists as iterators over ``skip``/``limit`` pages."""

import uuid

import httpx
import pytest

import driftguard
from conftest import Server


def test_iterating_models_fetches_every_page(server: Server, engineer: driftguard.Client) -> None:
    prefix = f"paged-{uuid.uuid4().hex[:8]}"
    created = {
        engineer.models.create(f"{prefix}-{i:02}", "1", "regression", "low")["id"]
        for i in range(23)
    }
    pages: list[httpx.URL] = []
    counting = httpx.Client(event_hooks={"request": [lambda r: pages.append(r.url)]})
    with driftguard.Client(server.url, token=engineer.token, http=counting) as client:
        seen = [m["id"] for m in client.models.iter(q=prefix, page_size=10, sort="name")]
    counting.close()
    assert len(seen) == len(created) and set(seen) == created
    # Three pages of 10, 10 and 3, sorted by name as asked.
    assert [u.params["skip"] for u in pages] == ["0", "10", "20"]
    assert all(u.params["limit"] == "10" for u in pages)
    names = [engineer.models.get(i)["name"] for i in seen[:3]]
    assert names == sorted(names)


def test_a_page_reports_where_it_is(engineer: driftguard.Client) -> None:
    page = engineer.models.list(skip=0, limit=1)
    assert page["pagination"]["limit"] == 1
    assert page["pagination"]["pages"] == page["pagination"]["total"]


def test_an_empty_list_iterates_to_nothing(engineer: driftguard.Client) -> None:
    assert list(engineer.models.iter(q=f"nothing-{uuid.uuid4().hex}")) == []


def test_the_page_size_is_checked_before_any_request(engineer: driftguard.Client) -> None:
    with pytest.raises(ValueError):
        next(engineer.models.iter(page_size=101))


def test_other_lists_iterate_too(admin: driftguard.Client) -> None:
    users = list(admin.users.iter(page_size=1))
    assert len(users) >= 2 and len({u["id"] for u in users}) == len(users)
    policies = list(admin.policies.iter())
    assert any(p["name"] for p in policies)
