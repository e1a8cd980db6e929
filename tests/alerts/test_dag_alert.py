"""A real task failure under ``dag.test()`` fires ``task_failure_alert`` and Slack receives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.conftest import use_webhook
from tests.alerts.receiver import SlackReceiver

pytestmark = pytest.mark.airflow


def test_auth_failure_in_a_dag_run_alerts_slack_once_then_resolves(
    airflow_db: Path, receiver: SlackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    use_webhook(monkeypatch, receiver.url)
    dag = DagBag(dag_folder=str(Path(__file__).parents[1] / "dags" / "alerts_probe.py")).get_dag("alerts_probe")

    run = dag.test()

    assert run.state == "failed"
    assert len(receiver.requests) == 1
    text = receiver.requests[0].body["text"]
    assert text.startswith("Sync failed: inventory_netsuite_to_magento (auth)")  # flow from the DAG's tags
    assert "DAG alerts_probe, task read_inventory" in text and "try 1" in text
    assert "INVALID_LOGIN_ATTEMPT" in text
    assert (
        "https://airflow.example.test/dags/alerts_probe/runs/" in text and "/tasks/read_inventory?try_number=1" in text
    )
    assert "tid-probe-token" not in receiver.requests[0].raw
    assert "cHJvYmUtc2lnbmF0dXJl" not in receiver.requests[0].raw

    assert dag.test().state == "failed"  # fails again at once: suppressed as a repeat
    assert len(receiver.requests) == 1

    assert dag.test(run_conf={"fail": False}).state == "success"  # credentials fixed
    assert len(receiver.requests) == 2
    assert receiver.requests[1].body["text"].startswith("Resolved: inventory_netsuite_to_magento is syncing again")
