"""Fixtures of the flow-kit tests: a fresh store per test (SQLite file or PostgreSQL schema) and a clock.

``pipeline.state.kit_engine`` creates the kit's tables once per engine *URL*. The error-queue tests pick
their PostgreSQL schema with ``schema_translate_map``, which leaves the URL unchanged, so the kit would
skip creating its tables in every schema after the first. Here the throw-away schema is selected with
``search_path`` in the URL instead: each test gets its own URL, and ``kit_engine`` creates the tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from magento_netsuite.pipeline import ledger, watermark
from tests.environment import unavailable
from tests.errorqueue.conftest import PG_URL, _postgres_reason


@cache
def postgres_reason() -> str | None:
    """Why PostgreSQL can't be used (asked once per session), or ``None``."""
    return _postgres_reason()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on an empty store: a SQLite file, or a throw-away PostgreSQL schema."""
    if request.param == "sqlite":
        from magento_netsuite.store.db import engine_for_url

        sqlite = engine_for_url(f"sqlite:///{tmp_path / 'store.db'}")
        yield sqlite
        sqlite.dispose()
        return
    reason = postgres_reason()
    if reason:
        unavailable(reason)
    schema = f"mns_kit_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    scoped = sa.create_engine(url, pool_size=10, max_overflow=5)
    try:
        yield scoped
    finally:
        scoped.dispose()
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


class Clock:
    """The kit's ``utcnow``, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fixed clock for the watermark and the ledger (the ledger imported ``utcnow`` by name)."""
    fake = Clock(datetime(2026, 11, 30, 12, 0, 0, 654321, tzinfo=UTC))
    monkeypatch.setattr(watermark, "utcnow", fake)
    monkeypatch.setattr(ledger, "utcnow", fake)
    return fake
