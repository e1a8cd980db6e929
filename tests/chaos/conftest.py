"""The fault suite's fixtures: both sandboxes (``tests/flows/conftest.py``), a store on SQLite *and*
PostgreSQL, fast retries, and :class:`Runner`, which runs a flow's tasks the way its DAG does.

``Runner`` calls the kit's task bodies (``pipeline.tasks``) in DAG order with each task's own
``RunContext``, retries a failed task like ``default_args`` would (a new try number), and on the
last failure calls the DAG's ``on_failure_callback`` (``task_failure_alert``). It runs in-process,
without the scheduler, so the suite can afford every fault on both stores (``dag.test()`` per run
costs seconds; the end-to-end tests in ``tests/flows`` cover the DAG wiring).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.connectors.errors import AuthError
from magento_netsuite.pipeline import tasks
from magento_netsuite.pipeline.outcomes import RunContext
from magento_netsuite.pipeline.registry import flow_spec
from tests.alerts.receiver import SlackReceiver
from tests.environment import unavailable
from tests.errorqueue.conftest import PG_URL
from tests.flows.conftest import FlowEnv
from tests.flows.conftest import flow_env as flow_env  # the flow tests' fixtures, shared (not copied)
from tests.flows.conftest import sandboxes as sandboxes
from tests.pipeline.conftest import postgres_reason

FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "max_attempts": 12, "max_elapsed": 30}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_kind(request: pytest.FixtureRequest, flow_env: FlowEnv) -> Iterator[str]:
    """``flow_env``'s SQLite store, or a throw-away PostgreSQL schema on the same ``mns_store`` connection
    (``search_path`` in the connection's ``options`` extra, which the store URL keeps)."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    reason = postgres_reason()
    if reason:
        unavailable(reason)
    schema = f"mns_chaos_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    flow_env.monkeypatch.setenv(
        "AIRFLOW_CONN_MNS_STORE",
        json.dumps(
            {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": 5432,
                "login": "postgres",
                "schema": "test",
                "extra": {"options": f"-csearch_path={schema}"},
            }
        ),
    )
    try:
        yield "postgresql"
    finally:
        from magento_netsuite.store import db

        for url in [u for u in db._ENGINES if schema in u]:
            db._ENGINES.pop(url).dispose()
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture
def chaos(flow_env: FlowEnv, store_kind: str, monkeypatch: pytest.MonkeyPatch) -> FlowEnv:
    monkeypatch.setenv("MNS_ORDERS_MAGENTO_TO_NETSUITE_SAFE_LAG_SECONDS", "0")
    flow_env.connect(magento=FAST, netsuite=FAST)
    return flow_env


@pytest.fixture
def slack(chaos: FlowEnv) -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    chaos.monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slackwebhook", "password": f"{receiver.url}/services/T0CHAOS/B0CHAOS/x"}),
    )
    yield receiver
    receiver.stop()


class Killed(BaseException):
    """The worker died mid-task (a ``BaseException``: nothing in the flow may catch it)."""


@dataclass
class Runner:
    """One flow's DAG, task by task, in this process."""

    flow: str
    retries: int = 2
    alerts: list[str] = field(default_factory=list)

    @property
    def dag_id(self) -> str:
        return flow_spec(self.flow).dag_id

    def task(self, name: str, run_id: str, body: Callable[[RunContext], Any], first_try: int = 1) -> Any:
        for try_number in range(first_try, first_try + self.retries + 1):
            ctx = RunContext(run_id=run_id, dag_id=self.dag_id, task_id=name, try_number=try_number)
            try:
                return body(ctx)
            except Exception as exc:
                if isinstance(exc, AuthError) or try_number >= first_try + self.retries:
                    self.alert(name, run_id, try_number, exc)
                    raise
        raise AssertionError("unreachable")

    def alert(self, task_id: str, run_id: str, try_number: int, exc: BaseException) -> None:
        ti = SimpleNamespace(dag_id=self.dag_id, task_id=task_id, run_id=run_id, try_number=try_number, map_index=-1)
        task_failure_alert(
            {"ti": ti, "dag": SimpleNamespace(dag_id=self.dag_id, tags=[]), "params": {}, "exception": exc}
        )
        self.alerts.append(f"{task_id}: {type(exc).__name__}")

    def extract(self, run_id: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.task("extract", run_id, lambda c: tasks.extract(self.flow, {"since": None, **(params or {})}, c))

    def transform(self, run_id: str, extracted: dict[str, Any]) -> dict[str, Any]:
        return self.task("transform", run_id, lambda c: tasks.transform(self.flow, extracted, c))

    def load(self, run_id: str, transformed: dict[str, Any], first_try: int = 1) -> list[dict[str, Any]]:
        return [
            self.task(
                "load",
                run_id,
                lambda c, ch=chunk: tasks.load(self.flow, ch, transformed["extracted_uri"], c),
                first_try,
            )
            for chunk in transformed["chunks"]
        ]

    def finish(self, run_id: str, extracted: dict, transformed: dict, loaded: list[dict]) -> dict[str, Any]:
        """write-back (when the flow has one), quarantine, summarize."""
        written: dict[str, Any] = {}
        if flow_spec(self.flow).after_load is not None:
            written = self.task("write_back", run_id, lambda c: tasks.after_load(self.flow, transformed, loaded, c))
        self.task("quarantine", run_id, lambda c: tasks.quarantine(self.flow, transformed, loaded, c))
        return self.task(
            "summarize",
            run_id,
            lambda c: tasks.summarize(self.flow, extracted, transformed, loaded, c, extra={"write_back": written}),
        )

    def run(self, run_id: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        extracted = self.extract(run_id, params)
        transformed = self.transform(run_id, extracted)
        return self.finish(run_id, extracted, transformed, self.load(run_id, transformed))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The suite's figures, for the closing note and the CI log."""
    from tests.chaos.invariants import FIGURES

    if FIGURES["faults"]:
        terminalreporter.write_line(
            f"chaos suite: {FIGURES['faults']} fault run(s), {FIGURES['records']} record(s), "
            f"duplicates {FIGURES['duplicates']}, lost {FIGURES['lost']}"
        )
