"""The inventory RESTlet read, without a server: cursors per location side by side, a failing stream,
and a RESTlet that stops making progress."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from magento_netsuite.connectors.errors import AuthError, SyncError
from magento_netsuite.flows.inventory.extract import inventory_pages, restlet_pages


class Concurrency:
    limit = 5


class FakeHook:
    """``restlet()`` serves ``pages`` item rows per location, ``per_page`` at a time, keyed by cursor."""

    def __init__(self, items: int, per_page: int, fail_location: str | None = None, stuck_at: str | None = None):
        self.items, self.per_page = items, per_page
        self.fail_location, self.stuck_at = fail_location, stuck_at
        self.concurrency = Concurrency()
        self.extras = {"inventory_source": "restlet"}
        self.calls = 0
        self.lock = threading.Lock()

    def get_conn(self) -> None:
        return None

    def restlet(self, script: str, deploy: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls += 1
        location = params["locations"]
        cursor = int(params.get("cursor") or 0)
        if location == self.fail_location and cursor > 0:
            raise AuthError("Invalid login attempt.", system="netsuite")
        if self.stuck_at is not None and str(cursor) == self.stuck_at:
            return {"rows": [], "next_cursor": self.stuck_at, "count": 0}
        ids = list(range(cursor + 1, min(cursor + self.per_page, self.items) + 1))
        rows = [{"item_id": str(i), "sku": f"S{i}", "location_id": location, "available": 1} for i in ids]
        nxt = str(ids[-1]) if ids and ids[-1] < self.items else None
        return {"rows": rows, "next_cursor": nxt, "count": len(rows)}


def test_every_location_is_read_to_its_end_side_by_side() -> None:
    hook = FakeHook(items=23, per_page=5)
    pages, source = inventory_pages(hook, ["3", "1", "2"], since=None)  # type: ignore[arg-type]
    rows = [row for page in pages for row in page]
    assert source == "restlet"
    assert sorted((r["location_id"], r["item_id"]) for r in rows) == sorted(
        (loc, str(i)) for loc in "123" for i in range(1, 24)
    )
    assert hook.calls == 3 * 5


def test_a_failing_stream_raises_its_error_and_stops_the_others() -> None:
    hook = FakeHook(items=500, per_page=5, fail_location="2")
    pages, _ = inventory_pages(hook, ["1", "2", "3"], since=None)  # type: ignore[arg-type]
    with pytest.raises(AuthError):
        for _page in pages:
            pass
    assert hook.calls < 3 * 100, "the other streams stop instead of reading to their end"


def test_a_restlet_answering_the_cursor_it_was_given_is_called_again_then_fails_instead_of_looping() -> None:
    hook = FakeHook(items=50, per_page=5, stuck_at="10")
    with pytest.raises(SyncError, match=r"answered the cursor it was given \('10'\) 4 times"):
        list(restlet_pages(hook, ["1"], None, 5))  # type: ignore[arg-type]
    assert hook.calls == 2 + 4  # two pages, then the first answer and three calls again


def test_one_empty_page_with_the_same_cursor_means_call_again() -> None:
    hook = FakeHook(items=12, per_page=5, stuck_at="5")
    answer = hook.restlet
    stalled: list[str] = []

    def restlet(script: str, deploy: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("cursor") == "5" and not stalled:
            stalled.append("5")
            return {"rows": [], "next_cursor": "5", "count": 0}
        hook.stuck_at = None
        return answer(script, deploy, method, params)

    hook.restlet = restlet  # type: ignore[method-assign]
    rows = [r for page in restlet_pages(hook, ["1"], None, 5) for r in page]  # type: ignore[arg-type]
    assert [r["item_id"] for r in rows] == [str(n) for n in range(1, 13)]


def test_a_quiet_delta_is_one_call_for_every_location() -> None:
    hook = FakeHook(items=0, per_page=5)
    seen: list[str] = []
    answer = hook.restlet

    def restlet(script: str, deploy: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        seen.append(params["locations"])
        return answer(script, deploy, method, params)

    hook.restlet = restlet  # type: ignore[method-assign]
    pages, _ = inventory_pages(hook, ["3", "1", "2", "10"], since=datetime(2026, 11, 30, tzinfo=UTC))  # type: ignore[arg-type]
    assert [row for page in pages for row in page] == []
    assert seen == ["1,2,3,10"], "one cursor over every location, not one per location"
