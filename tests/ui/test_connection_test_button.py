"""The connection form's **Test** button for ``magento`` and ``netsuite`` connections, pressed the way the
Airflow 3.3 UI presses it: ``POST /api/v2/connections/test`` on the API server (``[core]
test_connection = Enabled``), which builds the connection, finds our hook through the provider's
connection type and calls its ``test_connection``. The answer must be the auth line of ``check``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from magento_netsuite.connectors.diagnostics import magento_auth, netsuite_auth
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from tests.ui.helpers import bearer

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    from magento_netsuite.sandbox.magento.app import create_app as magento_app
    from magento_netsuite.sandbox.netsuite.app import create_app as netsuite_app

    seed = generate(SeedConfig(skus=5, customers=2, orders=1))
    magento = SandboxServer(magento_app(seed)).start()
    netsuite = SandboxServer(netsuite_app(seed)).start()
    try:
        yield {"magento": magento.url, "netsuite": netsuite.url}
    finally:
        magento.stop()
        netsuite.stop()


def form(conn_type: str, connection_json: str, **extra: Any) -> dict[str, Any]:
    """What the connection form posts: its fields, the extras as a JSON string."""
    conn = json.loads(connection_json)
    body = {"connection_id": f"{conn_type}_under_test", "conn_type": conn_type, "host": conn["host"]}
    if conn.get("password"):
        body["password"] = conn["password"]
    body["extra"] = json.dumps({**conn["extra"], **extra})
    return body


def press_test(client, tokens, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v2/connections/test", json=body, headers=bearer(tokens["admin"]))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def enabled(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")


def test_the_button_is_off_unless_enabled(client, tokens, servers, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Disabled")
    body = form("netsuite", credentials.netsuite_connection(servers["netsuite"]))
    response = client.post("/api/v2/connections/test", json=body, headers=bearer(tokens["admin"]))
    assert response.status_code == 403


@pytest.mark.usefixtures("enabled")
def test_netsuite_test_button_says_what_check_says(client, tokens, servers, monkeypatch):
    good = form("netsuite", credentials.netsuite_connection(servers["netsuite"]))
    answer = press_test(client, tokens, good)
    assert answer["status"] is True
    assert answer["message"].startswith("✓ NetSuite auth (tba): account 1234567_SB1 accepted the credentials")

    wrong = form("netsuite", credentials.netsuite_connection(servers["netsuite"]), token_secret="not-the-secret")
    answer = press_test(client, tokens, wrong)
    assert answer["status"] is False
    assert answer["message"].startswith("✗ NetSuite auth (tba):") and "INVALID_LOGIN" in answer["message"]
    assert "fix: connection" in answer["message"] and "token_secret" in answer["message"]
    assert "not-the-secret" not in answer["message"]

    # the same words as check's auth line for the same connection
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_UNDER_TEST", _as_env(wrong))
    expected = netsuite_auth(NetSuiteHook("netsuite_under_test")).line()
    assert _without_conn_id(answer["message"]) == _without_conn_id(expected)


@pytest.mark.usefixtures("enabled")
def test_magento_test_button_says_what_check_says(client, tokens, servers, monkeypatch):
    good = form("magento", credentials.magento_connection(servers["magento"], "oauth1"))
    answer = press_test(client, tokens, good)
    assert answer["status"] is True
    assert answer["message"].startswith("✓ Magento auth (oauth1):") and "accepted the integration" in answer["message"]

    wrong = form("magento", credentials.magento_connection(servers["magento"], "oauth1"), consumer_secret="nope1")
    answer = press_test(client, tokens, wrong)
    assert answer["status"] is False
    assert answer["message"].startswith("✗ Magento auth (oauth1): every call refused")
    assert "consumer_secret" in answer["message"] and "nope1" not in answer["message"]

    monkeypatch.setenv("AIRFLOW_CONN_MAGENTO_UNDER_TEST", _as_env(wrong))
    expected = magento_auth(MagentoHook("magento_under_test")).line()
    assert _without_conn_id(answer["message"]) == _without_conn_id(expected)


def _as_env(body: dict[str, Any]) -> str:
    return json.dumps(
        {
            "conn_type": body["conn_type"],
            "host": body["host"],
            "password": body.get("password"),
            "extra": json.loads(body["extra"]),
        }
    )


def _without_conn_id(line: str) -> str:
    """The API server tests under a random transient connection id; compare the words around it."""
    return re.sub(r"connection \S+:", "connection <id>:", line)
