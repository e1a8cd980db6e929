"""Ordinary words survive an alert; only secrets are cut (issue 19).

Before: every string in the connections' extras counted as a secret, so the sandbox connection's
``inventory_source: restlet`` turned "restlet" into ``***`` in alert text.
"""

from __future__ import annotations

import json
import re

import pytest

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.alerts.scrub import secret_values
from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.sandbox import credentials
from tests.alerts.conftest import use_webhook
from tests.alerts.receiver import SlackReceiver
from tests.alerts.test_failure_alert import context

SANDBOX_SECRETS = {
    name: value
    for name, value in vars(credentials).items()
    if name.isupper() and isinstance(value, str) and re.search(r"KEY|SECRET|TOKEN|CLIENT|CERTIFICATE", name)
}


def test_sandbox_credentials_are_no_words() -> None:
    assert len(SANDBOX_SECRETS) == 11
    for name, value in SANDBOX_SECRETS.items():
        assert len(value) >= 20 and re.search(r"\d", value) and re.search(r"[a-z]", value), name
        assert not re.search(r"sandbox|restlet|token|secret|key|magento|netsuite", value, re.I), name


def test_only_sensitive_extras_are_secrets() -> None:
    extra = json.loads(credentials.netsuite_connection("http://127.0.0.1:1"))["extra"]
    found = set(secret_values(extra))
    assert found == {
        credentials.NETSUITE_CONSUMER_KEY,
        credentials.NETSUITE_CONSUMER_SECRET,
        credentials.NETSUITE_TOKEN_ID,
        credentials.NETSUITE_TOKEN_SECRET,
    }
    assert secret_values({"keyfile_dict": {"anything": "x1"}, "inventory_source": "restlet"}) == ["x1"]


def test_an_alert_about_a_restlet_keeps_the_word(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", credentials.netsuite_connection("http://127.0.0.1:1"))
    monkeypatch.setenv("AIRFLOW_CONN_MAGENTO_DEFAULT", credentials.magento_connection("http://127.0.0.1:2"))
    use_webhook(monkeypatch, receiver.url)
    error = SyncError(
        f"inventory restlet (cursor None): answer without a rows list; token {credentials.NETSUITE_TOKEN_SECRET}",
        system="netsuite",
    )

    task_failure_alert(context(error))

    raw = receiver.requests[0].raw
    assert "inventory restlet (cursor None)" in receiver.requests[0].body["text"]
    for name, value in SANDBOX_SECRETS.items():
        assert value not in raw, name
