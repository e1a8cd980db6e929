"""Slack connections are read by the Slack provider's hooks, not parsed by hand (issue 19).

The provider understands every shape of its connections; the hand-written parser did not, e.g. a
webhook token with ``host`` and ``schema`` (it always assumed https), or the ``proxy`` extra.
"""

from __future__ import annotations

import json

import pytest

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.alerts.transport import load_target
from magento_netsuite.connectors.errors import SyncError
from tests.alerts.receiver import SlackReceiver
from tests.alerts.test_failure_alert import context


def test_a_webhook_token_with_host_and_schema_is_delivered(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch):
    host = receiver.url.removeprefix("http://")
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps(
            {"conn_type": "slackwebhook", "host": f"{host}/services", "schema": "http", "password": "T1/B1/tok"}
        ),
    )
    task_failure_alert(context(SyncError("restlet down", system="netsuite")))
    assert [r.path for r in receiver.requests] == ["/services/T1/B1/tok"]


def test_the_proxy_extra_is_honoured(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    # the receiver acts as the proxy: an absolute-form request for the real Slack host reaches it
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps(
            {
                "conn_type": "slackwebhook",
                "password": "http://hooks.slack.invalid/services/T2/B2/tok",
                "extra": {"proxy": receiver.url},
            }
        ),
    )
    task_failure_alert(context(SyncError("restlet down", system="netsuite")))
    assert len(receiver.requests) == 1 and receiver.requests[0].path.endswith("/services/T2/B2/tok")


def test_the_target_holds_no_secret_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slack", "password": "xoxb-1-2", "extra": {"channel": "#a"}}),
    )
    target = load_target()
    assert target is not None and target.kind == "bot" and "xoxb-1-2" not in repr(target)
    assert target.secrets == ("xoxb-1-2",)


def test_a_slack_connection_a_deadline_callback_may_not_read_is_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Airflow 3.3 denies a deadline callback the lookup of a connection kept in its database: no
    target, and an error that says where to define the connection instead (not a traceback)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowSecretsBackendAccessDenied

    def denied(cls, conn_id: str):
        raise AirflowSecretsBackendAccessDenied(f"Access denied for connection '{conn_id}' by Execution API")

    monkeypatch.setattr(Connection, "get", classmethod(denied))
    with caplog.at_level("ERROR"):
        assert load_target() is None
    assert "AIRFLOW_CONN_" in caplog.text and "slack_alerts" in caplog.text
