"""The Error Queue app as Airflow's API server mounts it, with SimpleAuthManager users admin and viewer.

``airflow_app`` builds ``airflow.api_fastapi.app.create_app()`` (plugins from ``plugins/``, so the
Error Queue app sits at ``/error-queue`` behind Airflow's own auth) on the session's migrated metadata
DB, with the project's DAGs serialized so ``error_queue_replay`` can be triggered. Tokens come from
``POST /auth/token`` with the passwords SimpleAuthManager generated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = "admin:admin,viewer:viewer"
os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "False"


def reserialize_dags() -> None:
    """Parse the project's DAGs into the metadata DB (what the dag-processor does)."""
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "reserialize", "--bundle-name", "dags-folder"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert result.returncode == 0, f"airflow dags reserialize failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def airflow_app(airflow_db: Path):
    from airflow.api_fastapi.app import create_app, purge_cached_app

    reserialize_dags()
    purge_cached_app()
    yield create_app()
    purge_cached_app()


@pytest.fixture(scope="session")
def client(airflow_app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(airflow_app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def passwords(airflow_app, airflow_home: Path) -> dict[str, str]:
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    return json.loads(Path(SimpleAuthManager.get_generated_password_file()).read_text())


@pytest.fixture(scope="session")
def tokens(client, passwords: dict[str, str]) -> dict[str, str]:
    found = {}
    for user in ("admin", "viewer"):
        response = client.post("/auth/token", json={"username": user, "password": passwords[user]})
        assert response.status_code == 201, response.text
        found[user] = response.json()["access_token"]
    return found


@pytest.fixture
def flow() -> str:
    """A flow name of this test's own, so tests sharing the session store never see each other's rows."""
    return f"ui_test_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def store():
    from magento_netsuite.errorqueue.web.app import get_store

    return get_store()
