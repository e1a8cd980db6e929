"""A trivial DAG that proves the test harness can run DAGs with ``dag.test()``."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["test"],
    doc_md=__doc__,
    default_args={"owner": "tests"},
)
def harness_probe():
    @task
    def produce() -> list[int]:
        return [1, 2, 3]

    @task
    def consume(values: list[int]) -> int:
        return sum(values)

    consume(produce())


harness_probe()
