"""write_all: results in input order; an auth error stops the loop; transient errors are collected;
spare threads keep every slot of a bounded target busy."""

from __future__ import annotations

import random
import threading
import time

import pytest

from magento_netsuite.connectors.concurrency import ConcurrencyBound
from magento_netsuite.connectors.errors import AuthError, RecordError, TransientError
from magento_netsuite.pipeline.writes import write_all


class Writer:
    """A write function that records its calls and fails for chosen items."""

    def __init__(self, fail: dict[int, Exception] | None = None, delay: float = 0.0) -> None:
        self.fail = fail or {}
        self.delay = delay
        self.calls: list[int] = []
        self.written: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, item: int) -> str:
        with self._lock:
            self.calls.append(item)
        if self.delay:
            time.sleep(self.delay)
        if item in self.fail:
            raise self.fail[item]
        with self._lock:
            self.written.append(item)
        return f"id-{item}"


def test_empty_input_writes_nothing() -> None:
    writer = Writer()
    assert write_all([], writer, workers=4, what="order(s)") == []
    assert writer.calls == []


@pytest.mark.parametrize("workers", [1, 3, 16])
def test_results_in_input_order(workers: int) -> None:
    rng = random.Random(7)
    delays = {n: rng.random() / 200 for n in range(30)}

    def write(item: int) -> str:
        time.sleep(delays[item])  # later items often finish first
        return f"id-{item}"

    assert write_all(iter(range(30)), write, workers=workers, what="order(s)") == [f"id-{n}" for n in range(30)]


def test_workers_below_one_still_writes() -> None:
    writer = Writer()
    assert write_all([1, 2], writer, workers=0, what="order(s)") == ["id-1", "id-2"]


def test_auth_error_stops_and_is_raised() -> None:
    denied = AuthError("invalid login", system="netsuite", status=401)
    writer = Writer(fail={0: denied}, delay=0.002)
    items = list(range(40))
    with pytest.raises(AuthError) as caught:
        write_all(items, writer, workers=2, what="order(s)")
    assert caught.value is denied
    assert len(writer.calls) < len(items) // 2  # the queued items were cancelled, not written


def test_auth_error_in_the_middle_stops_the_rest() -> None:
    writer = Writer(fail={5: AuthError("token revoked", system="magento")}, delay=0.002)
    items = list(range(60))
    with pytest.raises(AuthError, match="token revoked"):
        write_all(items, writer, workers=2, what="order(s)")
    assert len(writer.calls) < len(items) // 2


def test_auth_error_after_a_transient_error_still_stops_the_rest() -> None:
    writer = Writer(fail={0: TransientError("timeout", system="netsuite"), 1: AuthError("invalid login")}, delay=0.002)
    items = list(range(40))
    with pytest.raises(AuthError):
        write_all(items, writer, workers=1, what="order(s)")
    assert len(writer.calls) < len(items)


def test_transient_errors_are_collected_after_the_others_finish() -> None:
    fail = {n: TransientError(f"HTTP 503 on {n}", system="netsuite", status=503) for n in (1, 4, 7)}
    writer = Writer(fail=fail, delay=0.001)
    items = list(range(20))
    with pytest.raises(TransientError) as caught:
        write_all(items, writer, workers=3, what="order(s)")
    assert sorted(writer.calls) == items  # everything was attempted
    assert sorted(writer.written) == [n for n in items if n not in fail]  # 17 landed
    error = caught.value
    assert error not in fail.values()  # one new error for the whole loop
    assert error.message.startswith("3 of 20 order(s) could not be written past the retry budget (first: ")
    assert "HTTP 503 on 1" in error.message  # the first in input order
    assert error.system == "netsuite"


def test_transient_error_system_given_by_the_caller_wins() -> None:
    writer = Writer(fail={0: TransientError("timeout", system="netsuite")})
    with pytest.raises(TransientError) as caught:
        write_all([0, 1], writer, workers=1, what="batch(es)", system="magento")
    assert caught.value.system == "magento"
    assert "1 of 2 batch(es)" in caught.value.message


@pytest.mark.parametrize("error", [ValueError("a bug"), RecordError("bad sku", field_path="sku"), KeyError("x")])
def test_other_exceptions_propagate(error: Exception) -> None:
    writer = Writer(fail={3: error})
    with pytest.raises(type(error)) as caught:
        write_all(range(8), writer, workers=2, what="order(s)")
    assert caught.value is error


def test_a_bug_is_not_hidden_behind_transient_errors() -> None:
    bug = ZeroDivisionError("division by zero")
    writer = Writer(fail={0: TransientError("timeout"), 2: bug})
    with pytest.raises(ZeroDivisionError) as caught:
        write_all(range(5), writer, workers=1, what="order(s)")
    assert caught.value is bug


class BoundedTarget:
    """A fake API behind a :class:`ConcurrencyBound`, like a hook: each write first prepares its item
    outside the bound (building and signing the request), then holds a slot for the call until ``open``."""

    def __init__(self, limit: int) -> None:
        self.bound = ConcurrencyBound(limit)
        self.open = threading.Event()
        self.threads: set[str] = set()
        self.prepared = 0
        self.in_call = 0
        self._changed = threading.Condition()

    def __call__(self, item: int) -> str:
        with self._changed:
            self.threads.add(threading.current_thread().name)
            self.prepared += 1
            self._changed.notify_all()
        with self.bound.slot():
            with self._changed:
                self.in_call += 1
                self._changed.notify_all()
            assert self.open.wait(timeout=30), "the test never opened the target"
            with self._changed:
                self.in_call -= 1
                self.prepared -= 1
        return f"id-{item}"

    def wait_for(self, *, prepared: int, in_call: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: (self.prepared, self.in_call) == (prepared, in_call), timeout=30), (
                f"prepared {self.prepared}, in call {self.in_call}"
            )


def test_spare_threads_have_the_next_items_ready_while_every_slot_is_busy() -> None:
    """With twice as many threads as slots, while all slots are in calls as many items again are prepared
    and waiting at the bound: a slot that frees is taken at once, yet no more than the bound is in flight."""
    target = BoundedTarget(3)
    done: list[list[str]] = []
    writer = threading.Thread(target=lambda: done.append(write_all(range(12), target, workers=3, threads=6, what="x")))
    writer.start()
    target.wait_for(prepared=6, in_call=3)
    assert target.bound.in_flight == 3
    target.open.set()
    writer.join()
    assert done == [[f"id-{n}" for n in range(12)]]
    assert target.bound.peak == 3
    assert len(target.threads) == 6


def test_without_spare_threads_only_the_bound_is_in_progress() -> None:
    target = BoundedTarget(3)
    done: list[list[str]] = []
    writer = threading.Thread(target=lambda: done.append(write_all(range(12), target, workers=3, what="x")))
    writer.start()
    target.wait_for(prepared=3, in_call=3)
    target.open.set()
    writer.join()
    assert done == [[f"id-{n}" for n in range(12)]]
    assert len(target.threads) == 3 and target.bound.peak == 3
