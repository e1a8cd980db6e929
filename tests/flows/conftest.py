"""Shared fixtures for end-to-end flow tests: both sandboxes, the connections, a clean store.

Generic on purpose (every flow's tests can use them):

* ``sandboxes`` (session): the Magento and NetSuite sandboxes on free loopback ports.
* ``flow_env`` (per test): both sandboxes reseeded with one :class:`SeedConfig` (so they agree),
  faults and metrics cleared, ``AIRFLOW_CONN_MAGENTO_DEFAULT`` / ``AIRFLOW_CONN_NETSUITE_DEFAULT``
  pointing at them, a fresh ``mns_store`` SQLite file and staging directory, no Slack connection.
  ``flow_env.seed(...)``, ``flow_env.connect(netsuite={...extras})`` and the two ``Control``
  handles do the rest. The NetSuite sandbox runs in OneWorld mode (subsidiary required on customers
  and sales orders), as most mid-market B2B accounts do.
* :class:`KitClock`: the kit's clock, for runs that must happen at a given time.

``dag.test()`` in Airflow 3.3.2 runs tasks of a pool that does not exist (checked), so no fixture
creates ``netsuite_api``; a scheduler does need it (``airflow pools set netsuite_api <slots> ...``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from magento_netsuite.flows.orders.constants import DAG_ID as ORDERS_DAG_ID
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import Dataset, SeedConfig, generate

ROOT = Path(__file__).resolve().parents[2]


class Control:
    """One sandbox's ``/_sandbox/`` control endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def post(self, path: str, body: Any = None) -> Any:
        response = httpx.post(f"{self.url}/_sandbox/{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.url}/_sandbox/{path}", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def fault(self, **fault: Any) -> None:
        self.post("faults", fault)

    def clear(self) -> None:
        httpx.delete(f"{self.url}/_sandbox/faults", timeout=10).raise_for_status()
        self.post("metrics/reset")

    def calls(self, endpoint_part: str = "") -> int:
        """Calls served whose endpoint name contains ``endpoint_part`` (all when empty)."""
        endpoints = self.get("metrics")["endpoints"]
        return sum(s["calls"] for name, s in endpoints.items() if endpoint_part in name)


@dataclass
class Sandboxes:
    magento: SandboxServer
    netsuite: SandboxServer

    @property
    def magento_control(self) -> Control:
        return Control(self.magento.url)

    @property
    def netsuite_control(self) -> Control:
        return Control(self.netsuite.url)


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[Sandboxes]:
    from magento_netsuite.sandbox.magento.app import create_app as magento_app
    from magento_netsuite.sandbox.netsuite.app import create_app as netsuite_app

    seed = generate(SeedConfig(skus=20, customers=5, orders=0))
    magento = SandboxServer(magento_app(seed)).start()
    netsuite = SandboxServer(netsuite_app(seed)).start()
    try:
        yield Sandboxes(magento, netsuite)
    finally:
        magento.stop()
        netsuite.stop()


@dataclass
class FlowEnv:
    sandboxes: Sandboxes
    monkeypatch: pytest.MonkeyPatch
    store_path: Path
    magento: Control = field(init=False)
    netsuite: Control = field(init=False)
    dataset: Dataset | None = None

    def __post_init__(self) -> None:
        self.magento = self.sandboxes.magento_control
        self.netsuite = self.sandboxes.netsuite_control

    def seed(self, config: SeedConfig) -> Dataset:
        """Reseed both sandboxes with ``config`` (``now`` is required so both agree to the second)."""
        if config.now is None:
            raise ValueError("give SeedConfig.now so both sandboxes generate the same data")
        body = {k: v for k, v in config.__dict__.items() if k != "now"}
        body["now"] = config.now.astimezone(UTC).isoformat()
        self.magento.post("seed", body)
        self.netsuite.post("seed", body)
        self.magento.clear()
        self.netsuite.clear()
        self.dataset = generate(config)
        return self.dataset

    def connect(self, magento: dict[str, Any] | None = None, netsuite: dict[str, Any] | None = None) -> None:
        """(Re)point the two connections at the sandboxes, with extras overridden."""
        self.monkeypatch.setenv(
            "AIRFLOW_CONN_MAGENTO_DEFAULT",
            credentials.magento_connection(self.sandboxes.magento.url, **(magento or {})),
        )
        self.monkeypatch.setenv(
            "AIRFLOW_CONN_NETSUITE_DEFAULT",
            credentials.netsuite_connection(self.sandboxes.netsuite.url, **(netsuite or {})),
        )

    def netsuite_record(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        return self.netsuite.get("state", record=record_type, externalId=external_id)["record"]

    def magento_order(self, increment_id: str) -> dict[str, Any]:
        return self.magento.get("state", order=increment_id)["order"]


@pytest.fixture
def flow_env(sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FlowEnv]:
    store = tmp_path / "mns_store.db"
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", json.dumps({"conn_type": "sqlite", "host": str(store)}))
    monkeypatch.setenv("MNS_STAGING_URL", f"file://{tmp_path / 'staging'}")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.test")
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_ALERTS", raising=False)
    env = FlowEnv(sandboxes, monkeypatch, store)
    env.connect()
    env.netsuite.post("config", {"oneworld": True})  # a OneWorld account, like most mid-market B2B
    yield env
    env.magento.clear()
    env.netsuite.clear()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def parsed_dag(dag_file: str, dag_id: str) -> Any:
    """A DAG of the project's ``dags/``, parsed through a ``DagBag`` (which must report no import error)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / dag_file))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag(dag_id)


@pytest.fixture(scope="module")
def orders_dag(airflow_db: Path) -> Any:
    return parsed_dag("magento_orders_to_netsuite.py", ORDERS_DAG_ID)


class KitClock:
    """The flow kit's clock (``pipeline.watermark.utcnow``), set by the test instead of slept for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        monkeypatch.setattr("magento_netsuite.pipeline.watermark.utcnow", lambda: self.now)

    def settle(self) -> None:
        """Wait until the real clock has passed the kit's: the sandboxes stamp changes with the real
        time, so a change the test makes after a run that read ahead of it must not fall behind the
        cursor that run left (a deployment has ``safe_lag`` for this; the tests run with 0)."""
        while (ahead := (self.now - utc_now()).total_seconds()) > 0:
            time.sleep(ahead + 0.01)
