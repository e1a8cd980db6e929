"""
### Error queue replay

Retries quarantined records: **manual trigger only** (the Error Queue page's *Retry* button, the CLI
`python -m magento_netsuite.errorqueue retry`, or `airflow dags trigger error_queue_replay --conf ...`).

Choose exactly one in the run's conf / params:

* `ids`: the error-queue row ids, e.g. `{"ids": [12, 13]}`;
* `flow`: every open row of one flow, e.g. `{"flow": "orders_magento_to_netsuite"}`;
* `all_open`: every open row, `{"all_open": true}`.

`claim` moves the open rows to *retrying* under this run (rows another replay holds are skipped, so
concurrent retries never load a record twice); `replay_flow` runs once per flow: rows whose record was
synced after the error are resolved as *superseded by a newer sync*, the others are **re-read from
the source by key** (the stored payload only when the source no longer has the record, noted on the
row), sent through the flow's own transform and load, and resolved or re-queued with the new error;
`report` adds it up. Tasks do not retry: a failing replay (source or target down, credentials refused)
reopens the rows it holds, fails the run and alerts; retry them again once the system is back.
`replay_flow` runs in the `netsuite_api` pool like the flows' own NetSuite tasks. Logic:
`magento_netsuite.errorqueue.replay` (claims, resolve / re-queue) and `magento_netsuite.pipeline.replay`
(each flow's own transform, load and write-back). Not paused on creation: a Retry runs at once.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.pipeline import replay
from magento_netsuite.pipeline.defaults import OWNER, netsuite_pool
from magento_netsuite.pipeline.tasks import context


@dag(
    dag_id="error_queue_replay",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=4,  # claims keep concurrent runs off each other's rows
    # unpaused from the start: a Retry click must not sit in queued behind a paused DAG
    is_paused_upon_creation=False,
    tags=["magento-netsuite", "error-queue"],
    doc_md=__doc__,
    default_args={
        "owner": OWNER,
        "retries": 0,  # a person re-triggers; failed replays reopen rows
        "on_failure_callback": task_failure_alert,
    },
    params={
        "ids": Param([], type="array", items={"type": "integer"}, description="Error-queue row ids to retry"),
        "flow": Param(None, type=["null", "string"], description="Retry every open row of this flow"),
        "all_open": Param(False, type="boolean", description="Retry every open row of every flow"),
    },
)
def error_queue_replay():
    @task
    def claim(params=None, run_id=None) -> list[str]:
        return replay.claim_rows(params, run_id)

    @task(multiple_outputs=False, map_index_template="{{ flow }}", **netsuite_pool())
    def replay_flow(flow: str, ti=None, run_id=None) -> dict:
        return replay.replay_claimed_flow(flow, context(ti, run_id))

    @task(multiple_outputs=False)
    def report(summaries, run_id=None) -> dict:
        return replay.report(summaries, run_id)

    report(replay_flow.expand(flow=claim()))


error_queue_replay()
