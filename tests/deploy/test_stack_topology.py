"""``make stack`` and ``docker-compose.yaml`` describe the same deployment; this keeps them in step.

Same Airflow components (one compose service each, the Celery worker scaled to two locally), same
executor, metadata DB and broker kinds, the same Airflow settings, connections, pool and store.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from magento_netsuite.config import NETSUITE_POOL
from magento_netsuite.stack import StackConfig
from magento_netsuite.stack.launcher import COMPONENTS, POOL_DESCRIPTION, WORKER_COMMAND
from tests.deploy.test_compose import AIRFLOW_COMPONENTS, SERVICES

COMPOSE_ENV = SERVICES["airflow-scheduler"]["environment"]
LOCAL_ONLY = {
    # loopback ports are free ports here, fixed container ports there
    "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK",
}


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    return StackConfig(run_dir=tmp_path, slack_webhook_url="http://127.0.0.1:9/hook").env()


def test_the_same_airflow_components_run_in_both():
    local = {" ".join(args) for args in COMPONENTS.values()} | {" ".join(WORKER_COMMAND)}
    assert local == set(AIRFLOW_COMPONENTS.values())
    assert StackConfig(run_dir=Path("/nonexistent")).workers == 2


def test_every_airflow_setting_of_compose_is_set_by_the_stack(stack_env: dict[str, str]):
    compose_keys = {k for k in COMPOSE_ENV if k.startswith("AIRFLOW__")}
    assert compose_keys - set(stack_env) - LOCAL_ONLY == set()
    for key in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CORE__AUTH_MANAGER"):
        assert stack_env[key] == COMPOSE_ENV[key], key
    assert stack_env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"].lower() == "true"
    assert COMPOSE_ENV["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"].lower() == "true"
    for key, prefix in (
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://"),
        ("AIRFLOW__CELERY__RESULT_BACKEND", "db+postgresql://"),
        ("AIRFLOW__CELERY__BROKER_URL", "redis://"),
    ):
        assert stack_env[key].startswith(prefix) and COMPOSE_ENV[key].startswith(prefix), key
    assert stack_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].endswith("/execution/")


def test_the_same_connections_store_and_staging(stack_env: dict[str, str]):
    compose_conns = {k for k in COMPOSE_ENV if k.startswith("AIRFLOW_CONN_")}
    assert compose_conns <= set(stack_env)
    assert COMPOSE_ENV["AIRFLOW_CONN_MNS_STORE"].startswith("postgres://")
    assert '"conn_type": "postgres"' in stack_env["AIRFLOW_CONN_MNS_STORE"]
    # the store and the metadata DB are two databases in both
    assert "/mns" in COMPOSE_ENV["AIRFLOW_CONN_MNS_STORE"] and COMPOSE_ENV[
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    ].endswith("/airflow")
    assert stack_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("_airflow")
    assert '_store"' in stack_env["AIRFLOW_CONN_MNS_STORE"]
    for key in ("MNS_STAGING_URL", "PYTHONPATH"):
        assert key in COMPOSE_ENV and key in stack_env


def test_the_same_netsuite_pool(stack_env: dict[str, str]):
    init = "\n".join(SERVICES["airflow-init"]["command"])
    line = next(line for line in init.splitlines() if "airflow pools set" in line)
    _, _, _, name, slots, description = shlex.split(line.strip())
    assert name == NETSUITE_POOL
    assert int(slots) == StackConfig(run_dir=Path("/nonexistent")).pool_slots
    assert description == POOL_DESCRIPTION
    for env in (COMPOSE_ENV, stack_env):  # the hook's own bound = the pool's share
        assert json.loads(env["AIRFLOW_CONN_NETSUITE_DEFAULT"])["extra"]["concurrency"] == int(slots)
