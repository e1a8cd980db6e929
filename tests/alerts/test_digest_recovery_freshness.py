"""Quarantine digest, recovery message and the freshness deadline callback."""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from airflow.sdk import DeadlineAlert, SyncCallback

from magento_netsuite.alerts import (
    flow_success_callback,
    freshness_deadline,
    send_quarantine_digest,
    send_recovered,
    task_failure_alert,
)
from magento_netsuite.alerts.notify import deadline_run_id
from magento_netsuite.connectors.errors import AuthError
from tests.alerts.conftest import NETSUITE_TOKEN_SECRET, use_webhook
from tests.alerts.receiver import SlackReceiver, refused_url

FLOW = "orders_magento_to_netsuite"
DAG_ID = "magento_orders_to_netsuite"
RUN_ID = "scheduled__2026-11-29T02:00:00+00:00"
REASONS = [
    ("shipping_address.postcode", "Order 100000123 has no shipping postcode", 7),
    ("items[0].sku", "SKU ABC-1 does not exist in NetSuite", 3),
]


def import_string(path: str):
    """What Airflow's callback runner does with a ``SyncCallback`` path."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def digest() -> bool:
    return send_quarantine_digest(FLOW, DAG_ID, RUN_ID, {"validation": 7, "reference": 3}, REASONS)


def test_digest_counts_reasons_and_run_link(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)

    assert digest() is True

    body = receiver.requests[0].body
    text = body["text"]
    assert text.startswith(f"10 records quarantined: {FLOW}")
    assert "validation: 7, reference: 3" in text
    assert "7× shipping_address.postcode: Order 100000123 has no shipping postcode" in text
    assert "3× items[0].sku: SKU ABC-1 does not exist in NetSuite" in text
    run_link = "https://airflow.example.test/error-queue/?run_id=scheduled__2026-11-29T02%3A00%3A00%2B00%3A00"
    assert run_link in text
    blocks_json = receiver.requests[0].raw
    assert "shipping_address.postcode" in blocks_json and "*validation*" in blocks_json
    buttons = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    assert buttons[0]["url"] == run_link


def test_identical_digests_are_deduplicated(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)
    assert digest() is True
    assert digest() is False  # the same records failing again 5 minutes later
    other = send_quarantine_digest(FLOW, DAG_ID, "manual__x", {"not_found": 1}, [("sku", "gone", 1)])
    assert other is True
    assert len(receiver.requests) == 2


def test_empty_digest_sends_nothing(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)
    assert send_quarantine_digest(FLOW, DAG_ID, RUN_ID, {}, []) is False
    assert receiver.requests == []


def test_digest_scrubs_reason_messages(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)
    send_quarantine_digest(FLOW, DAG_ID, RUN_ID, {"auth": 1}, [("", f"refused token {NETSUITE_TOKEN_SECRET}", 1)])
    assert NETSUITE_TOKEN_SECRET not in receiver.requests[0].raw


def test_digest_with_slack_down_returns_false(monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, refused_url())
    assert digest() is False


def failure_context(dag_id: str = DAG_ID) -> dict:
    ti = SimpleNamespace(dag_id=dag_id, task_id="load", run_id=RUN_ID, try_number=1, map_index=-1)
    return {"ti": ti, "dag": SimpleNamespace(dag_id=dag_id, tags=[]), "exception": AuthError("refused")}


def test_recovered_only_after_an_alert_and_only_once(receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    use_webhook(monkeypatch, receiver.url)
    assert send_recovered(FLOW, DAG_ID) is False  # nothing had alerted
    assert receiver.requests == []

    task_failure_alert(failure_context())
    flow_success_callback({"dag": SimpleNamespace(dag_id=DAG_ID, tags=[]), "params": {}})

    assert len(receiver.requests) == 2
    resolved = receiver.requests[1].body
    assert resolved["text"].startswith(f"Resolved: {FLOW} is syncing again")
    assert "https://airflow.example.test/dags/magento_orders_to_netsuite" in resolved["text"]
    assert resolved["blocks"][0]["text"]["text"].endswith(f"Resolved: {FLOW}")
    assert send_recovered(FLOW, DAG_ID) is False  # already resolved

    # after recovery the same failure alerts at once again, without waiting for the repeat interval
    task_failure_alert(failure_context())
    assert len(receiver.requests) == 3
    assert "repeated" not in receiver.requests[2].body["text"]


def test_quarantine_digest_does_not_trigger_a_resolved_message(
    receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_webhook(monkeypatch, receiver.url)
    digest()
    assert send_recovered(FLOW, DAG_ID) is False


def deadline_context(run_id: str) -> dict:
    """What Airflow 3.3's ``Deadline.handle_miss`` passes as ``context`` (airflow/models/deadline.py)."""
    from airflow.api_fastapi.core_api.datamodels.dag_run import DAGRunResponse

    queued = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    run = {
        "run_id": run_id,
        "dag_id": "netsuite_inventory_to_magento",
        "dag_model": {"dag_display_name": "netsuite_inventory_to_magento"},
        "run_after": queued,
        "run_type": "scheduled",
        "state": "running",
        "dag_versions": [],
        **dict.fromkeys(
            [
                "logical_date",
                "queued_at",
                "start_date",
                "end_date",
                "duration",
                "data_interval_start",
                "data_interval_end",
                "last_scheduling_decision",
                "triggered_by",
                "triggering_user_name",
                "conf",
                "note",
                "bundle_version",
                "partition_key",
                "partition_date",
            ]
        ),
    }
    dag_run = DAGRunResponse.model_validate(run).model_dump(mode="json")
    return {"dag_run": dag_run, "deadline": {"id": "0190e1c2-0000-7000-8000-000000000000", "deadline_time": queued}}


def test_deadline_context_carries_the_run_as_dag_run_id() -> None:
    context = deadline_context("scheduled__y")
    assert "run_id" not in context["dag_run"]  # the shape the callback used to read: gone in 3.3
    assert deadline_run_id(context) == "scheduled__y"
    assert deadline_run_id({"dag_run": None}) == "" and deadline_run_id(None) == ""


def test_freshness_deadline_is_a_deadline_alert_whose_callback_alerts(
    receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_webhook(monkeypatch, receiver.url)
    deadline = freshness_deadline(
        "inventory_netsuite_to_magento", "netsuite_inventory_to_magento", timedelta(minutes=30)
    )
    assert isinstance(deadline, DeadlineAlert)
    assert isinstance(deadline.callback, SyncCallback)
    assert deadline.interval == timedelta(minutes=30)

    # resolve and call it the way Airflow's callback runner does: by import path, kwargs plus the
    # context Deadline.handle_miss builds (the run as the REST API's DAGRunResponse, dumped to JSON)
    callback = import_string(deadline.callback.path)
    assert callback(**deadline.callback.kwargs, context=deadline_context("scheduled__x")) is True

    text = receiver.requests[0].body["text"]
    assert text.startswith("Data is stale: inventory_netsuite_to_magento (stale)")
    assert "within 30 minutes" in text and "oversells" in text
    assert "https://airflow.example.test/dags/netsuite_inventory_to_magento/runs/scheduled__x" in text
    assert send_recovered("inventory_netsuite_to_magento", "netsuite_inventory_to_magento") is True


def test_freshness_callback_without_connection_logs(caplog: pytest.LogCaptureFixture) -> None:
    deadline = freshness_deadline("pricing_netsuite_to_magento", "netsuite_pricing_to_magento", timedelta(days=2))
    with caplog.at_level(logging.WARNING):
        assert import_string(deadline.callback.path)(**deadline.callback.kwargs) is False
    assert "Data is stale: pricing_netsuite_to_magento" in caplog.text


def test_freshness_deadline_survives_dag_serialization() -> None:
    """The scheduler only sees the serialized DAG: the callback path and kwargs must round-trip."""
    import pendulum
    from airflow.sdk import dag, task
    from airflow.serialization.serialized_objects import DagSerialization

    @dag(
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        deadline=freshness_deadline("inventory_netsuite_to_magento", DAG_ID, timedelta(minutes=30)),
    )
    def with_deadline():
        @task
        def noop() -> None:
            return None

        noop()

    restored = DagSerialization.from_dict(DagSerialization.to_dict(with_deadline()))
    (alert,) = restored.deadline
    callback = alert["callback"]["__data__"]
    assert callback["path"] == "magento_netsuite.alerts.notify.freshness_missed"
    assert callback["kwargs"] == {
        "flow": "inventory_netsuite_to_magento",
        "dag_id": DAG_ID,
        "interval_minutes": 30.0,
    }
