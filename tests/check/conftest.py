"""Both sandboxes for the ``check`` tests, seeded so the shipped value maps are all valid (5 locations).

``accounts`` (module): the two servers. ``setup`` (per test): connections pointing at them, every
sandbox setting back to a correct account afterwards (ACL, role, deployments, columns, limit).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from magento_netsuite.check.run import Options, run_checks
from magento_netsuite.connectors.diagnostics import Finding
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Accounts:
    magento: SandboxServer
    netsuite: SandboxServer


@pytest.fixture(scope="module")
def accounts() -> Iterator[Accounts]:
    from magento_netsuite.sandbox.magento.app import create_app as magento_app
    from magento_netsuite.sandbox.netsuite.app import create_app as netsuite_app

    seed = generate(SeedConfig(skus=10, locations=5, customers=3, orders=0))
    magento = SandboxServer(magento_app(seed)).start()
    netsuite = SandboxServer(netsuite_app(seed)).start()
    try:
        yield Accounts(magento, netsuite)
    finally:
        magento.stop()
        netsuite.stop()


@dataclass
class Setup:
    accounts: Accounts
    monkeypatch: pytest.MonkeyPatch
    mappings: Path

    def connect(self, magento: dict[str, Any] | None = None, netsuite: dict[str, Any] | None = None) -> None:
        magento = dict(magento or {})
        netsuite = dict(netsuite or {})
        self.monkeypatch.setenv(
            "AIRFLOW_CONN_MAGENTO_DEFAULT",
            credentials.magento_connection(self.accounts.magento.url, magento.pop("auth", "oauth1"), **magento),
        )
        self.monkeypatch.setenv(
            "AIRFLOW_CONN_NETSUITE_DEFAULT",
            credentials.netsuite_connection(self.accounts.netsuite.url, netsuite.pop("auth", "tba"), **netsuite),
        )

    def netsuite_account(self, **settings: Any) -> None:
        httpx.post(f"{self.accounts.netsuite.url}/_sandbox/account", json=settings, timeout=10).raise_for_status()

    def netsuite_config(self, **settings: Any) -> None:
        httpx.post(f"{self.accounts.netsuite.url}/_sandbox/config", json=settings, timeout=10).raise_for_status()

    def magento_acl(self, *denied: str) -> None:
        response = httpx.post(f"{self.accounts.magento.url}/_sandbox/acl", json={"denied": list(denied)}, timeout=10)
        response.raise_for_status()

    def check(self, pool_slots: int | None = 4) -> list[Finding]:
        return run_checks(Options(mappings_dir=self.mappings, pool_slots=pool_slots))


@pytest.fixture
def setup(accounts: Accounts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Setup]:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "include" / "mappings", mappings)
    env = Setup(accounts, monkeypatch, mappings)
    env.connect()
    yield env
    httpx.post(f"{accounts.netsuite.url}/_sandbox/reset", timeout=30).raise_for_status()
    httpx.post(f"{accounts.magento.url}/_sandbox/reset", timeout=30).raise_for_status()


def failed(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subject: f for f in findings if f.status == "failed"}
