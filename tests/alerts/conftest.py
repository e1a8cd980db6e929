from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.alerts.receiver import SlackReceiver

WEBHOOK_SECRET = "T0FAKE/B0FAKE/webhookSecretPart42"
EXTRA_SECRET = "extra-signing-secret-9f8e7d"
NETSUITE_TOKEN_SECRET = "nsTokenSecret-abc123XYZ"
NETSUITE_CONSUMER_SECRET = "nsConsumerSecret-777"


@pytest.fixture
def receiver() -> Iterator[SlackReceiver]:
    server = SlackReceiver()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def alert_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh SQLite store per test, a known UI base URL, a NetSuite connection holding fake secrets."""
    store = tmp_path / "store.db"
    monkeypatch.setenv("AIRFLOW_CONN_MNS_STORE", json.dumps({"conn_type": "sqlite", "host": str(store)}))
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.test")
    monkeypatch.setenv(
        "AIRFLOW_CONN_NETSUITE_DEFAULT",
        json.dumps(
            {
                "conn_type": "http",
                "host": "https://1234567-sb1.suitetalk.api.netsuite.com",
                "password": "",
                "extra": {
                    "account_id": "1234567_SB1",
                    "auth": "tba",
                    "consumer_key": "ck-fake-consumer-key-1",
                    "consumer_secret": NETSUITE_CONSUMER_SECRET,
                    "token_id": "tid-fake-token-id-2",
                    "token_secret": NETSUITE_TOKEN_SECRET,
                },
            }
        ),
    )
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_ALERTS", raising=False)
    return store


def use_webhook(monkeypatch: pytest.MonkeyPatch, base: str, **extra: object) -> str:
    """Point ``slack_alerts`` at a webhook under ``base``; returns the webhook URL (itself a secret)."""
    url = f"{base}/services/{WEBHOOK_SECRET}"
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_ALERTS",
        json.dumps({"conn_type": "slackwebhook", "password": url, "extra": {"signing_secret": EXTRA_SECRET, **extra}}),
    )
    return url
