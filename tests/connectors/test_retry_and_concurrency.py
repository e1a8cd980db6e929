"""The retry budget (attempts, elapsed time, full jitter, idempotency) and the concurrency bound."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from magento_netsuite.connectors.concurrency import ConcurrencyBound
from magento_netsuite.connectors.errors import AuthError, TransientError
from magento_netsuite.connectors.retry import RetryableFailure, RetryPolicy, call_with_retries

log = logging.getLogger("test.retry")


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _failing(times: int, *, applied_safe: bool = False, cost: float = 0.0, clock: FakeTime | None = None):
    calls = {"n": 0}

    def attempt() -> str:
        calls["n"] += 1
        if clock is not None:
            clock.now += cost
        if calls["n"] <= times:
            raise RetryableFailure(
                TransientError("429 Too Many Requests", system="netsuite", status=429), applied_safe=applied_safe
            )
        return "ok"

    return attempt, calls


def test_rides_out_a_burst_with_one_log_line_per_retry(caplog):
    fake = FakeTime()
    attempt, calls = _failing(3)
    policy = RetryPolicy(max_attempts=5, max_elapsed=60, base_delay=0.5, max_delay=10)
    with caplog.at_level(logging.WARNING, logger="test.retry"):
        assert (
            call_with_retries(attempt, policy, describe="GET /x", log=log, sleep=fake.sleep, clock=fake.clock) == "ok"
        )
    assert calls["n"] == 4
    assert len(fake.sleeps) == 3
    retry_lines = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retry_lines) == 3
    assert retry_lines[0].startswith("GET /x: 429 Too Many Requests; retry 1 of 4 in ")


def test_full_jitter_stays_within_the_exponential_ceiling():
    policy = RetryPolicy(base_delay=0.5, max_delay=4)
    for failures, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (8, 4.0)):
        draws = [policy.backoff(failures) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in draws)
        assert max(draws) > ceiling * 0.7  # spread over the range, not fixed


def test_gives_up_after_max_attempts():
    fake = FakeTime()
    attempt, calls = _failing(100)
    policy = RetryPolicy(max_attempts=3, max_elapsed=600, base_delay=0.1)
    with pytest.raises(TransientError, match="gave up after 3 attempts") as info:
        call_with_retries(attempt, policy, describe="GET /x", log=log, sleep=fake.sleep, clock=fake.clock)
    assert calls["n"] == 3
    assert info.value.status == 429 and info.value.system == "netsuite"


def test_gives_up_when_the_time_budget_is_spent():
    fake = FakeTime()
    attempt, calls = _failing(100, cost=2.0, clock=fake)  # each try takes 2 s (a timeout)
    policy = RetryPolicy(max_attempts=50, max_elapsed=5, base_delay=0.01, max_delay=0.01)
    with pytest.raises(TransientError, match=r"retry budget 5s spent"):
        call_with_retries(attempt, policy, describe="GET /x", log=log, sleep=fake.sleep, clock=fake.clock)
    assert calls["n"] == 3
    assert fake.now <= 5 + 2.0


def test_non_idempotent_calls_retry_only_when_the_server_surely_did_not_apply_them():
    fake = FakeTime()
    attempt, calls = _failing(1)
    with pytest.raises(TransientError, match="not retried: the request may have been applied"):
        call_with_retries(
            attempt, RetryPolicy(), describe="POST /x", log=log, idempotent=False, sleep=fake.sleep, clock=fake.clock
        )
    assert calls["n"] == 1
    attempt, calls = _failing(2, applied_safe=True)
    assert (
        call_with_retries(
            attempt, RetryPolicy(), describe="POST /x", log=log, idempotent=False, sleep=fake.sleep, clock=fake.clock
        )
        == "ok"
    )
    assert calls["n"] == 3


def test_retry_after_is_honoured_up_to_the_max_delay():
    fake = FakeTime()
    calls = {"n": 0}

    def attempt() -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RetryableFailure(TransientError("429"), applied_safe=True, retry_after=3.0)
        return "ok"

    call_with_retries(
        attempt,
        RetryPolicy(base_delay=0.01, max_delay=10),
        describe="GET /x",
        log=log,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    assert fake.sleeps == [3.0]


def test_other_errors_pass_straight_through():
    calls = {"n": 0}

    def attempt() -> str:
        calls["n"] += 1
        raise AuthError("401")

    with pytest.raises(AuthError):
        call_with_retries(attempt, RetryPolicy(), describe="GET /x", log=log)
    assert calls["n"] == 1


def test_policy_from_connection_extras():
    policy = RetryPolicy.from_extras({"max_attempts": "3", "max_elapsed": 2, "backoff_base": 0.01})
    assert (policy.max_attempts, policy.max_elapsed, policy.base_delay, policy.max_delay) == (3, 2.0, 0.01, 30.0)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_concurrency_bound_holds_under_twenty_threads():
    bound = ConcurrencyBound(5)
    start = threading.Barrier(20)
    over = []

    def worker() -> None:
        start.wait()
        with bound.slot():
            if bound.in_flight > 5:
                over.append(bound.in_flight)
            time.sleep(0.02)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not over
    assert bound.peak == 5
    assert bound.in_flight == 0


def test_concurrency_bound_releases_on_error():
    bound = ConcurrencyBound(1)
    with pytest.raises(RuntimeError), bound.slot():
        raise RuntimeError("boom")
    with bound.slot():
        assert bound.in_flight == 1
    with pytest.raises(ValueError):
        ConcurrencyBound(0)
