"""The store URL comes from the postgres provider's hook and keeps the connection's extras (issue 19)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from magento_netsuite.store.db import store_url
from tests.environment import unavailable
from tests.errorqueue.conftest import _postgres_reason


def _connect(monkeypatch: pytest.MonkeyPatch, **conn) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", json.dumps(conn))


def test_libpq_extras_such_as_sslmode_reach_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _connect(
        monkeypatch,
        conn_type="postgres",
        host="db.example.test",
        port=5433,
        login="mns",
        password="p@ss/word",
        schema="mns_store",
        extra={"sslmode": "verify-full", "sslrootcert": "/etc/ssl/rds.pem"},
    )
    url = sa.make_url(store_url())
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+psycopg2",
        "db.example.test",
        5433,
        "mns_store",
    )
    assert (url.username, url.password) == ("mns", "p@ss/word")
    assert dict(url.query) == {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/rds.pem"}


def test_the_extras_reach_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = _postgres_reason()
    if reason:
        unavailable(reason)
    _connect(
        monkeypatch,
        conn_type="postgres",
        host="127.0.0.1",
        port=5432,
        login="postgres",
        schema="test",
        extra={"sslmode": "disable", "application_name": "mns-store-url-test"},
    )
    engine = sa.create_engine(store_url())
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_setting('application_name')")).scalar_one() == (
                "mns-store-url-test"
            )
    finally:
        engine.dispose()


def test_the_connection_may_choose_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    _connect(monkeypatch, conn_type="postgres", host="h", schema="d", extra={"sqlalchemy_scheme": "postgresql+psycopg"})
    assert sa.make_url(store_url()).drivername == "postgresql+psycopg"
