"""The distributed stack test (``make test-stack``): collected only with ``MNS_TEST_STACK=1``.

It starts a CeleryExecutor Airflow on the machine's PostgreSQL and Redis (about three minutes of
wall time), so ``make test`` leaves it out and CI runs it as its own step after ``make test``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.alerts.receiver import SlackReceiver
from tests.environment import unavailable

STACK_ENV = "MNS_TEST_STACK"
collect_ignore_glob = [] if os.environ.get(STACK_ENV) == "1" else ["test_*.py"]

METRICS: dict[str, object] = {}
"""Figures the stack test measured; printed in the terminal summary (and in the closing notes)."""


def free_redis_db(url: str = "redis://127.0.0.1:6379") -> int:
    """A Redis DB number nobody uses right now (2..15; 0 and 1 are left to people's own stacks)."""
    import redis

    numbers = list(range(2, 16))
    random.shuffle(numbers)
    for number in numbers:
        client = redis.Redis.from_url(f"{url}/{number}")
        try:
            if client.dbsize() == 0:
                return number
        finally:
            client.close()
    raise RuntimeError("no empty Redis DB between 2 and 15")


def require_services() -> None:
    import redis
    import sqlalchemy as sa

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at 127.0.0.1:6379 is not reachable ({type(exc).__name__})")
    engine = sa.create_engine("postgresql+psycopg2://127.0.0.1:5432/test", connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        unavailable("PostgreSQL at 127.0.0.1:5432 (db test) is not reachable")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("celery-stack")


def pytest_terminal_summary(terminalreporter) -> None:
    if METRICS:
        terminalreporter.section("stack measurements")
        for name, value in METRICS.items():
            terminalreporter.write_line(f"{name}: {value}")
