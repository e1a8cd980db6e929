"""Store fixtures: the same tests run on SQLite (a temp file) and PostgreSQL (a schema per test).

The PostgreSQL variant skips, with the reason shown, when 127.0.0.1:5432 is unreachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from magento_netsuite.errorqueue.store import ErrorQueueStore
from tests.environment import unavailable

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _postgres_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL at 127.0.0.1:5432 unreachable: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on a fresh, empty store: a SQLite file, or a throw-away PostgreSQL schema."""
    if request.param == "sqlite":
        from magento_netsuite.store.db import engine_for_url

        yield engine_for_url(f"sqlite:///{tmp_path / 'store.db'}")
        return
    reason = _postgres_reason()
    if reason:
        unavailable(reason)
    schema_name = f"mns_test_{uuid.uuid4().hex[:12]}"
    base = sa.create_engine(PG_URL, pool_size=10, max_overflow=5)
    with base.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema_name))
    try:
        yield base.execution_options(schema_translate_map={None: schema_name})
    finally:
        with base.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema_name, cascade=True))
        base.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> ErrorQueueStore:
    return ErrorQueueStore(engine)
