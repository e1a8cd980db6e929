"""The ``alert_log`` dedup on both store backends: one alert per window even with concurrent workers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from magento_netsuite.alerts import dedup
from magento_netsuite.store.db import engine_for_url
from tests.environment import unavailable

POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def _postgres() -> sa.Engine:
    engine = engine_for_url(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc.orig}")
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        yield engine_for_url(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        yield _postgres()


@pytest.fixture
def flow(engine: sa.Engine) -> Iterator[str]:
    """A flow name no other test uses; its rows are removed afterwards (the PostgreSQL DB is shared)."""
    name = f"test_flow_{uuid.uuid4().hex[:8]}"
    yield name
    with engine.begin() as conn:
        conn.execute(dedup.alert_log.delete().where(dedup.alert_log.c.flow == name))


def decide(engine: sa.Engine, flow: str, message: str, now: datetime, minutes: int = 60) -> dedup.Decision:
    return dedup.decide(
        engine,
        flow=flow,
        kind="failure",
        task_id="load",
        error_class="transient_exhausted",
        message=message,
        interval=timedelta(minutes=minutes),
        now=now,
    )


def test_window_suppresses_counts_and_reopens(engine: sa.Engine, flow: str) -> None:
    assert decide(engine, flow, "timeout after 30s (req 1)", T0) == dedup.Decision(send=True)
    for minutes in (15, 30, 45):
        assert decide(engine, flow, f"timeout after 30s (req {minutes})", T0 + timedelta(minutes=minutes)).send is False
    again = decide(engine, flow, "timeout after 30s (req 99)", T0 + timedelta(minutes=61))
    assert again == dedup.Decision(send=True, repeated=3, since=T0)
    assert decide(engine, flow, "a different message", T0 + timedelta(minutes=62)).send is True

    assert dedup.close_flow(engine, flow) == 2
    assert dedup.close_flow(engine, flow) == 0
    assert decide(engine, flow, "timeout after 30s (req 100)", T0 + timedelta(minutes=63)) == dedup.Decision(send=True)


def test_concurrent_workers_send_once(engine: sa.Engine, flow: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda i: decide(engine, flow, f"NetSuite down (worker {i})", T0), range(16)))
    assert sum(d.send for d in decisions) == 1
    later = decide(engine, flow, "NetSuite down (worker 0)", T0 + timedelta(hours=2))
    assert later.repeated == 15


def test_normalise_ignores_volatile_parts() -> None:
    assert dedup.normalise("Order 100000123 failed  at 02:15") == dedup.normalise("order 100000999 failed at 02:30")
    assert dedup.normalise("auth refused") != dedup.normalise("timeout")


def test_a_deadline_callback_without_mns_store_dedups_in_the_tasks_default_store(
    receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In Airflow 3.3 a deadline callback's Connection.get of an undefined connection is *denied*
    (AirflowSecretsBackendAccessDenied), not "not found": the store must still be the tasks' default."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowSecretsBackendAccessDenied

    from magento_netsuite.alerts.notify import freshness_missed
    from magento_netsuite.config import default_store_path
    from tests.alerts.conftest import use_webhook

    use_webhook(monkeypatch, receiver.url, repeat_interval_minutes=60)
    monkeypatch.delenv("AIRFLOW_CONN_MNS_STORE")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    lookup = Connection.get.__func__

    def callback_lookup(cls, conn_id: str):
        if conn_id == "mns_store":  # what the callback's Execution API answers for it
            raise AirflowSecretsBackendAccessDenied("Access denied for connection 'mns_store' by Execution API")
        return lookup(cls, conn_id)

    monkeypatch.setattr(Connection, "get", classmethod(callback_lookup))
    context = {"dag_run": {"dag_run_id": "scheduled__1"}}
    assert freshness_missed("inventory_netsuite_to_magento", "netsuite_inventory_to_magento", 30, context) is True
    assert freshness_missed("inventory_netsuite_to_magento", "netsuite_inventory_to_magento", 30, context) is False
    assert len(receiver.requests) == 1  # the repeat was deduplicated, not sent twice
    assert default_store_path().exists()  # in the store the tasks use without the connection
