"""The test harness itself: a migrated AIRFLOW_HOME and in-process ``dag.test()`` runs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.airflow


def test_dag_test_runs_a_dag_from_a_bundle(airflow_db):
    from tests.dags.harness_probe import harness_probe

    run = harness_probe().test()
    assert run.state == "success"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {"produce": "success", "consume": "success"}
