"""SQLAlchemy engines on the ``mns_store`` connection.

SQLite (a file under ``AIRFLOW_HOME``) is the embedded default; PostgreSQL is the production store.
Tasks reach the store through this connection only, never through Airflow's metadata DB.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa

from magento_netsuite.config import STORE_CONN_ID, default_store_path

log = logging.getLogger(__name__)

_ENGINES: dict[str, sa.Engine] = {}
_LOCK = threading.Lock()


def _connection_url(conn_id: str) -> str | None:
    """The SQLAlchemy URL of an Airflow connection, or ``None`` when it is not defined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException, AirflowSecretsBackendAccessDenied

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
    except AirflowSecretsBackendAccessDenied:
        # A deadline callback (Airflow 3.3) may not look connections up through the Execution API: it
        # sees env-var and secrets-backend connections only. Like a task without the connection, it
        # then uses the default store, so alert dedup works there too.
        log.info("connection %r is not readable in this process; using the default store", conn_id)
        return None
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    if conn.conn_type in {"postgres", "postgresql"}:
        return _postgres_url(conn_id)
    raise ValueError(f"connection {conn_id!r}: conn_type {conn.conn_type!r} is not supported (use sqlite or postgres)")


def _postgres_url(conn_id: str) -> str:
    """The postgres provider's URL of the connection, with its libpq extras (``sslmode``, ``sslrootcert``,
    ``options``...) as URL query parameters, which is how SQLAlchemy hands them to the driver.

    ``PostgresHook.sqlalchemy_url`` builds the URL (scheme, credentials, ``sqlalchemy_query``) but leaves
    the plain extras to its own ``get_conn``; the store's engine is SQLAlchemy's, so they are added here.
    The driver stays psycopg2 unless the connection's ``sqlalchemy_scheme`` extra says otherwise.
    """
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    hook = PostgresHook(postgres_conn_id=conn_id)
    extras = hook.connection.extra_dejson
    if not extras.get("sqlalchemy_scheme"):
        hook = PostgresHook(postgres_conn_id=conn_id, sqlalchemy_scheme="postgresql+psycopg2")
    url = hook.sqlalchemy_url
    libpq = {str(k): str(v) for k, v in extras.items() if k not in hook.ignored_extra_options}
    url = url.update_query_dict({**libpq, **dict(url.query)})
    return url.render_as_string(hide_password=False)


def store_url(conn_id: str = STORE_CONN_ID) -> str:
    """The URL of the store; the SQLite default under ``AIRFLOW_HOME`` when the connection is absent."""
    url = _connection_url(conn_id)
    if url is None:
        path = default_store_path()
        log.info("connection %r not defined; using the embedded SQLite store at %s", conn_id, path)
        url = f"sqlite:///{path}"
    return url


def describe_store(conn_id: str = STORE_CONN_ID) -> str:
    """Which store ``conn_id`` resolves to here, password hidden (for the CLI and ``make demo``)."""
    url = sa.make_url(store_url(conn_id))
    if url.get_backend_name() == "sqlite":
        origin = f"connection {conn_id}" if _connection_url(conn_id) else f"{conn_id} not defined: the embedded default"
        return f"SQLite {url.database} ({origin})"
    return f"{url.render_as_string(hide_password=True)} (connection {conn_id})"


def _tune_sqlite(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine_for_url(url: str) -> sa.Engine:
    """One engine per URL per process (engines pool connections; creating many leaks them)."""
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
                sa.event.listen(engine, "connect", _tune_sqlite)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
            _ENGINES[url] = engine
        return engine


def engine_for(conn_id: str = STORE_CONN_ID) -> sa.Engine:
    """The engine of the store behind ``conn_id``."""
    return engine_for_url(store_url(conn_id))
