"""Shared test set-up.

Airflow reads its configuration at import time, so the environment is fixed here, before any test
module imports Airflow: one temporary ``AIRFLOW_HOME`` per test session, migrated once on SQLite
(``airflow_db`` fixture), the project's ``dags/`` and ``plugins/``, no example DAGs.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="mns-test-airflow-"))

os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# dag.test() only runs DAGs it can find in a bundle: the project's dags/ plus test-only DAGs.
os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(
    [
        {
            "name": "dags-folder",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(ROOT / "dags")},
        },
        {
            "name": "test-dags",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(ROOT / "tests" / "dags")},
        },
    ]
)
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "INFO"
# The API server signs its tokens with this; fixed per session so every app a test builds agrees.
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_urlsafe(48))
os.environ.setdefault("AIRFLOW_CONN_MNS_STORE", f'{{"conn_type": "sqlite", "host": "{_AIRFLOW_HOME}/mns_store.db"}}')
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "plugins"), str(ROOT), os.environ.get("PYTHONPATH", "")])


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def airflow_db(airflow_home: Path) -> Path:
    """Migrate the session's SQLite metadata DB once (about 3 s); ``dag.test()`` needs it."""
    marker = airflow_home / ".migrated"
    if not marker.exists():
        result = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )
        assert result.returncode == 0, f"airflow db migrate failed:\n{result.stdout}\n{result.stderr}"
        marker.touch()
    return airflow_home
