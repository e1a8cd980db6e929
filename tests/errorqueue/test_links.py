"""Where an error-queue row links in the Airflow UI: to a task that exists, or to nothing.

A row re-queued by the replay names the replay DAG's ``replay_flow`` task, which is mapped (one
instance per flow): the unmapped task page does not exist, the mapped instances' page does. A row
re-queued by a CLI retry ran outside Airflow: there is no run to link to.
"""

from __future__ import annotations

from types import SimpleNamespace

from magento_netsuite.errorqueue.replay import CLI_RUN_PREFIX, REPLAY_DAG_ID, REPLAY_TASK_ID
from magento_netsuite.errorqueue.web.app import task_log_url
from tests.flows.conftest import parsed_dag

RUN = "manual__2026-11-30T11:41:45.738090+00:00"
RUN_PATH = "manual__2026-11-30T11%3A41%3A45.738090%2B00%3A00"


def row(dag_id: str | None, run_id: str | None, task_id: str | None, try_number: int | None = 1) -> SimpleNamespace:
    return SimpleNamespace(dag_id=dag_id, run_id=run_id, task_id=task_id, try_number=try_number)


def test_the_replay_dags_mapped_task_is_the_one_rows_name(airflow_db):
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    task = parsed_dag("error_queue_replay.py", REPLAY_DAG_ID).get_task(REPLAY_TASK_ID)
    assert isinstance(task, MappedOperator)


def test_a_row_requeued_by_the_replay_links_to_its_mapped_instances():
    url = task_log_url(row(REPLAY_DAG_ID, RUN, REPLAY_TASK_ID))
    assert url == f"/dags/{REPLAY_DAG_ID}/runs/{RUN_PATH}/tasks/{REPLAY_TASK_ID}/mapped"


def test_a_row_of_a_flow_task_links_to_that_try():
    url = task_log_url(row("magento_orders_to_netsuite", RUN, "transform", 2))
    assert url == f"/dags/magento_orders_to_netsuite/runs/{RUN_PATH}/tasks/transform?try_number=2"


def test_rows_without_an_airflow_run_link_nowhere():
    assert task_log_url(row(REPLAY_DAG_ID, f"{CLI_RUN_PREFIX}20261130T114145_abc123", REPLAY_TASK_ID)) is None
    assert task_log_url(row(None, None, None)) is None
    run_only = task_log_url(row("magento_orders_to_netsuite", RUN, None))
    assert run_only == f"/dags/magento_orders_to_netsuite/runs/{RUN_PATH}"
