"""Fixtures for the sandbox tests: a fixed clock, a small seeded dataset, a served Magento sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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


def criteria(
    *groups: Sequence[tuple[str, str, str]],
    page_size: int | None = None,
    current_page: int | None = None,
    sort: Sequence[tuple[str, str]] = (),
    camel: bool = False,
) -> list[tuple[str, str]]:
    """``groups`` are lists of (field, value, condition_type); filters in a group are ORed."""
    fg, cond, so, ps, cp = (
        ("filterGroups", "conditionType", "sortOrders", "pageSize", "currentPage")
        if camel
        else ("filter_groups", "condition_type", "sortOrders", "pageSize", "currentPage")
    )
    params: list[tuple[str, str]] = []
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            base = f"searchCriteria[{fg}][{g}][filters][{f}]"
            params += [(f"{base}[field]", field), (f"{base}[value]", value), (f"{base}[{cond}]", condition)]
    for s, (field, direction) in enumerate(sort):
        params += [(f"searchCriteria[{so}][{s}][field]", field), (f"searchCriteria[{so}][{s}][direction]", direction)]
    if page_size is not None:
        params.append((f"searchCriteria[{ps}]", str(page_size)))
    if current_page is not None:
        params.append((f"searchCriteria[{cp}]", str(current_page)))
    return params


@pytest.fixture(scope="session")
def sc() -> Callable[..., list[tuple[str, str]]]:
    """Build ``searchCriteria`` query params: ``sc([(field, value, condition), ...], page_size=...)``."""
    return criteria
