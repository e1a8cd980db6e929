"""The SuiteScript RESTlets run under node against a sandbox account (no HTTP in between)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suitescript.driver import SuiteScriptRunner
from tests.environment import unavailable

SEEDED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """The account's clock: changes made through it are stamped with ``now``."""

    def __init__(self) -> None:
        self.now = SEEDED + timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def runner() -> Iterator[SuiteScriptRunner]:
    if shutil.which("node") is None:
        unavailable("node is not on PATH (`make node` installs it): the RESTlets' JavaScript cannot run")
    running = SuiteScriptRunner()
    yield running
    running.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def account(clock: Clock) -> NetSuiteAccount:
    """40 SKUs x 3 locations with prices and contract prices, all stamped before ``clock.now``."""
    return NetSuiteAccount(generate(SeedConfig(skus=40, customers=30, orders=0, now=SEEDED)), clock=clock)
