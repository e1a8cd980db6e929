"""PostgreSQL store under concurrent writers: one lock order, and deadlocks retried (issue 19).

Both tests stage, with a second transaction, the interleaving that made ~1 in 1,560 mixed operations
fail with ``DeadlockDetected``; they wait on ``pg_locks`` (not on the clock) for the store to block.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from magento_netsuite.errorqueue import schema
from magento_netsuite.errorqueue.store import ErrorQueueStore
from tests.errorqueue.test_store import FLOW, rec

pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
_T = schema.errors


def _lock(conn: sa.Connection, row_id: int, *, nowait: bool = False) -> None:
    conn.execute(sa.select(_T.c.id).where(_T.c.id == row_id).with_for_update(nowait=nowait)).all()


def _wait_until_blocked(engine: sa.Engine, patience: float = 30.0) -> None:
    """Until some backend waits for a row lock (the store's call, in its thread)."""
    deadline = time.monotonic() + patience
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the store call never blocked on the held row")


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except Exception as error:  # handed to the test thread, which asserts on it
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_multi_row_write_locks_rows_in_id_order(store: ErrorQueueStore, engine: sa.Engine) -> None:
    first, second = store.quarantine([rec("a"), rec("b")])
    store.mark_retrying([first, second], by="claim")
    store.quarantine([rec("a", message="again")])  # row `first` now lies after `second` on disk
    with engine.connect() as other:
        with other.begin():
            _lock(other, first)
            thread, result = _in_thread(lambda: store.release("claim"))
            _wait_until_blocked(engine)
            # the release waits for `first` holding nothing: `second` is still free for the other writer
            _lock(other, second, nowait=True)
        thread.join()
    assert "error" not in result, result
    assert {r.id for r in result["value"]} == {first, second}


def test_a_deadlock_is_retried_and_the_write_lands(store: ErrorQueueStore, engine: sa.Engine) -> None:
    first, second = store.quarantine([rec("a"), rec("b")])
    with engine.connect() as other:
        with other.begin():
            other.execute(sa.text("SET LOCAL deadlock_timeout = '20s'"))  # the store is the one PG aborts
            _lock(other, second)
            thread, result = _in_thread(lambda: store.resolve(FLOW, ["a", "b"], how="synced", by="run"))
            _wait_until_blocked(engine)
            _lock(other, first)  # the cycle: PostgreSQL aborts the store's transaction after 1 s
        thread.join()
    assert result == {"value": 2}
    assert {store.get(i).status for i in (first, second)} == {"resolved"}
    assert [h.event for h in store.history(first)] == ["failed", "resolved"]
