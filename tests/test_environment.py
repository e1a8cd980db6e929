"""A missing machine dependency skips a test on a user's clone and fails it in CI."""

from __future__ import annotations

import pytest

from tests.environment import REQUIRE_ALL_ENV, unavailable


def test_a_user_clone_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(REQUIRE_ALL_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="schema file missing"):
        unavailable("schema file missing")


def test_ci_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(REQUIRE_ALL_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"schema file missing \(MNS_TEST_REQUIRE_ALL=1"):
        unavailable("schema file missing")
