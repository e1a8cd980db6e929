"""Fixed names and locations the whole package agrees on.

Connection ids are fixed; users point them elsewhere with ``AIRFLOW_CONN_<ID>`` env vars or a
secrets backend, never by editing code.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INCLUDE_DIR = Path(os.environ.get("MNS_INCLUDE_DIR", REPO_ROOT / "include"))
MAPPINGS_DIR = Path(os.environ.get("MNS_MAPPINGS_DIR", INCLUDE_DIR / "mappings"))

MAGENTO_CONN_ID = "magento_default"
NETSUITE_CONN_ID = "netsuite_default"
STORE_CONN_ID = "mns_store"
SLACK_CONN_ID = "slack_alerts"

NETSUITE_POOL = "netsuite_api"
"""Airflow pool that caps this package's share of the NetSuite account concurrency limit."""
FLOWS_PACKAGE = "magento_netsuite.flows"
"""Each flow is a package under it: constants in ``__init__``, its declaration (``SPEC``) in ``.flow``."""


def airflow_home() -> Path:
    """The Airflow home this process runs under (defaults like Airflow's own)."""
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))


STORE_FILE_NAME = "mns_store.db"


def default_store_path() -> Path:
    """The embedded SQLite store used when the ``mns_store`` connection is not defined.

    One place for everyone on a machine: the tasks, the alert callbacks (dedup), the Error Queue
    page, ``python -m magento_netsuite.errorqueue`` and ``make demo`` all read and write this file
    (under the ``AIRFLOW_HOME`` they run with) unless ``mns_store`` points elsewhere.
    """
    return airflow_home() / STORE_FILE_NAME
