"""Fixtures for the sandbox tests: a fixed clock, a small seeded dataset, a served Magento sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.credentials import MAGENTO_BEARER_TOKEN
from magento_netsuite.sandbox.datagen import Dataset, SeedConfig, generate

FIXED_NOW = datetime(2026, 11, 29, 2, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def fixed_now() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    """The default-size dataset (200 SKUs, 50 customers, 20 orders) at a fixed clock."""
    return generate(SeedConfig(now=FIXED_NOW))


@pytest.fixture(scope="module")
def magento_server() -> Iterator[SandboxServer]:
    """One Magento sandbox per test module; ``magento`` resets it before each test."""
    from magento_netsuite.sandbox.magento.app import create_app

    with SandboxServer(create_app(generate(SeedConfig(now=FIXED_NOW)))) as server:
        yield server


@pytest.fixture
def magento(magento_server: SandboxServer) -> Iterator[httpx.Client]:
    """A bearer-authenticated client on a freshly reset Magento sandbox (default seed, fixed clock)."""
    with httpx.Client(base_url=magento_server.url, timeout=30) as control:
        control.post("/_sandbox/reset").raise_for_status()
        control.delete("/_sandbox/faults").raise_for_status()
        control.post("/_sandbox/config", json={"input_limit": False, "bearer_enabled": True}).raise_for_status()
    headers = {"Authorization": f"Bearer {MAGENTO_BEARER_TOKEN}"}
    with httpx.Client(base_url=magento_server.url, headers=headers, timeout=30) as client:
        yield client
