"""What a test needs from the machine that a fresh clone may lack: skip with the reason, or fail in CI.

A user's ``make test`` on a fresh clone passes without ``../shared`` (the Magento REST schema) or a
local PostgreSQL: those tests skip and ``-ra`` prints why. CI sets ``MNS_TEST_REQUIRE_ALL=1``
(``.ci/run``), where the same gap fails the test instead, so nothing is skipped unseen there.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL_ENV = "MNS_TEST_REQUIRE_ALL"


def required_everywhere() -> bool:
    return os.environ.get(REQUIRE_ALL_ENV, "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip the calling test for ``reason``; under ``MNS_TEST_REQUIRE_ALL=1`` fail it instead."""
    if required_everywhere():
        pytest.fail(f"{reason} ({REQUIRE_ALL_ENV}=1: CI runs every test)", pytrace=False)
    pytest.skip(reason)
