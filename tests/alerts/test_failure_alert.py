"""The failure callback, against a real loopback receiver the real slack-sdk posts to."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.connectors.errors import AuthError, TransientError
from tests.alerts.conftest import (
    EXTRA_SECRET,
    NETSUITE_CONSUMER_SECRET,
    NETSUITE_TOKEN_SECRET,
    WEBHOOK_SECRET,
    use_webhook,
)
from tests.alerts.receiver import SlackReceiver, refused_url

OAUTH_HEADER = (
    'Authorization: OAuth realm="1234567_SB1",oauth_consumer_key="ck-fake-consumer-key-1",'
    'oauth_token="tid-fake-token-id-2",oauth_signature_method="HMAC-SHA256",oauth_timestamp="1764379200",'
    'oauth_nonce="n0nc3",oauth_version="1.0",oauth_signature="c2lnbmF0dXJlLXNob3VsZC1uZXZlci1sZWFr%3D"'
)
SECRETS = [
    WEBHOOK_SECRET,
    EXTRA_SECRET,
    NETSUITE_TOKEN_SECRET,
    NETSUITE_CONSUMER_SECRET,
    "ck-fake-consumer-key-1",
    "tid-fake-token-id-2",
    "c2lnbmF0dXJlLXNob3VsZC1uZXZlci1sZWFr",
    "n0nc3",
]


def context(exc: BaseException, *, dag_id: str = "netsuite_inventory_to_magento", task_id: str = "extract") -> dict:
    ti = SimpleNamespace(
        dag_id=dag_id, task_id=task_id, run_id="scheduled__2026-11-29T02:00:00+00:00", try_number=2, map_index=-1
    )
    return {
        "ti": ti,
        "dag": SimpleNamespace(dag_id=dag_id, tags=["netsuite", "inventory"]),
        "params": {},
        "exception": exc,
    }


def auth_error() -> AuthError:
    return AuthError(
        f"INVALID_LOGIN_ATTEMPT: request had {OAUTH_HEADER} token_secret={NETSUITE_TOKEN_SECRET}",
        system="netsuite",
        status=401,
        code="INVALID_LOGIN_ATTEMPT",
    )


def test_failure_alert_says_what_why_how_and_links(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)

    task_failure_alert(context(auth_error()))

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == f"/services/{WEBHOOK_SECRET}"
    body = request.body
    text = body["text"]
    assert "inventory_netsuite_to_magento" in text  # flow from the DAG id table
    assert "extract" in text and "try 2" in text
    assert "(auth)" in text and "INVALID_LOGIN_ATTEMPT" in text
    assert "netsuite_default connection credentials/role" in text and "all syncs to NetSuite fail until fixed" in text
    assert "oversells" in text
    log_url = (
        "https://airflow.example.test/dags/netsuite_inventory_to_magento/runs/"
        "scheduled__2026-11-29T02%3A00%3A00%2B00%3A00/tasks/extract?try_number=2"
    )
    queue_url = "https://airflow.example.test/error-queue/?flow=inventory_netsuite_to_magento"
    assert log_url in text and queue_url in text
    buttons = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    assert [(b["text"]["text"], b["url"]) for b in buttons] == [("Task log", log_url), ("Error Queue", queue_url)]
    assert body["blocks"][0]["type"] == "header"


def test_no_secret_reaches_slack(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)
    exc = RuntimeError(
        f"boom {OAUTH_HEADER}; consumer secret was {NETSUITE_CONSUMER_SECRET}; "
        f"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl; extra {EXTRA_SECRET}; "
        "retry via https://user:pa55w0rd@example.test/x"
    )

    task_failure_alert(context(exc))

    raw = receiver.requests[0].raw
    for secret in [*SECRETS, "pa55w0rd", "eyJhbGciOiJIUzI1NiJ9"]:
        assert secret not in raw, secret
    assert "boom" in raw and "RuntimeError" in raw  # the useful part survives
    assert "(unexpected)" in receiver.requests[0].body["text"]


def test_repeats_are_suppressed_then_counted(
    receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch, alert_env: Path
) -> None:
    use_webhook(monkeypatch, receiver.url, repeat_interval_minutes=60)
    for attempt in range(4):  # a DAG failing every 15 minutes, ids in the message differing each time
        task_failure_alert(
            context(TransientError(f"NetSuite timed out after 30s (request {attempt})", system="netsuite"))
        )
    assert len(receiver.requests) == 1

    sent_at = datetime.now(UTC) - timedelta(minutes=61)
    engine = sa.create_engine(f"sqlite:///{alert_env}")
    with engine.begin() as conn:  # the repeat interval passes
        conn.execute(sa.text("UPDATE alert_log SET last_sent_at = :t"), {"t": f"{sent_at:%Y-%m-%d %H:%M:%S.%f}"})
    engine.dispose()
    task_failure_alert(context(TransientError("NetSuite timed out after 30s (request 9)", system="netsuite")))

    assert len(receiver.requests) == 2
    assert f"repeated 3 times since {sent_at:%H:%M} UTC" in receiver.requests[1].body["text"]
    assert "(transient_exhausted)" in receiver.requests[1].body["text"]

    # a different task or error class is a different alert
    task_failure_alert(context(auth_error(), task_id="load"))
    assert len(receiver.requests) == 3


def test_dedup_interval_comes_from_the_connection(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url, repeat_interval_minutes=0)
    task_failure_alert(context(auth_error()))
    task_failure_alert(context(auth_error()))
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("status", [500, 429, 404])
def test_slack_error_answers_do_not_raise_and_are_retried_next_time(
    receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    use_webhook(monkeypatch, receiver.url)
    receiver.status = status
    with caplog.at_level(logging.WARNING):
        task_failure_alert(context(auth_error()))
    assert f"HTTP {status}" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text and NETSUITE_TOKEN_SECRET not in caplog.text

    receiver.status = 200  # Slack is back: the undelivered alert is not treated as already sent
    task_failure_alert(context(auth_error()))
    assert receiver.requests[-1].body["text"].startswith("Sync failed")
    assert len(receiver.requests) == 2


def test_refused_connection_does_not_raise(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    use_webhook(monkeypatch, refused_url())
    with caplog.at_level(logging.WARNING):
        task_failure_alert(context(auth_error()))
    assert "Slack is unreachable (URLError)" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text


def test_without_connection_the_alert_goes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        task_failure_alert(context(auth_error()))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'slack_alerts' is not defined" in r.getMessage() for r in warnings)
    logged = caplog.text
    assert "Sync failed: inventory_netsuite_to_magento (auth)" in logged
    assert "https://airflow.example.test/error-queue/" in logged
    for secret in SECRETS:
        assert secret not in logged, secret


def test_bot_token_posts_to_the_flow_channel(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "xoxb-fake-bot-token-0001"
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps(
            {
                "conn_type": "slack",
                "password": token,
                "extra": {
                    "channel": "#mns-alerts",
                    "channels": {"inventory_netsuite_to_magento": "#inventory"},
                    "base_url": f"{receiver.url}/api/",
                },
            }
        ),
    )
    task_failure_alert(context(auth_error()))
    task_failure_alert(context(auth_error(), dag_id="magento_orders_to_netsuite"))

    assert [r.path for r in receiver.requests] == ["/api/chat.postMessage"] * 2
    assert receiver.requests[0].headers["Authorization"] == f"Bearer {token}"
    assert [r.body["channel"] for r in receiver.requests] == ["#inventory", "#mns-alerts"]
    assert all(token not in r.raw for r in receiver.requests)
    assert receiver.requests[1].body["blocks"]


def test_bot_api_error_does_not_raise(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    receiver.status = 503
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps(
            {
                "conn_type": "slack",
                "password": "xoxb-x-1",
                "extra": {"channel": "#c", "base_url": f"{receiver.url}/api/"},
            }
        ),
    )
    task_failure_alert(context(auth_error()))
    assert len(receiver.requests) == 1
