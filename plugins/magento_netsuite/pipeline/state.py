"""The flow kit's own tables in ``mns_store`` (SQLite or PostgreSQL), created on first use.

* ``mns_watermark``: one cursor per flow (source modification time + record key as tie-break);
* ``mns_creation``: who created which target record (intent before the write, target id after), so a
  run's summary tells "created by this run" from "already there", across task retries and lost answers;
* ``mns_side_effect``: claims on side effects beyond the main write (the Magento write-back comment),
  keyed on the target's id, so overlapping runs, replays and retries perform each one once.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from magento_netsuite.errorqueue.schema import UTCDateTime
from magento_netsuite.store import engine_for

METADATA = sa.MetaData()

WATERMARK = sa.Table(
    "mns_watermark",
    METADATA,
    sa.Column("flow", sa.String(128), primary_key=True),
    sa.Column("cursor_at", UTCDateTime, nullable=False),
    sa.Column("cursor_key", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("moved_at", UTCDateTime, nullable=False),
)

CREATION = sa.Table(
    "mns_creation",
    METADATA,
    sa.Column("flow", sa.String(128), primary_key=True),
    sa.Column("record_key", sa.Text, primary_key=True),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("target_id", sa.Text, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

SIDE_EFFECT = sa.Table(
    "mns_side_effect",
    METADATA,
    sa.Column("flow", sa.String(128), primary_key=True),
    sa.Column("effect", sa.String(64), primary_key=True),
    sa.Column("record_key", sa.Text, primary_key=True),
    sa.Column("target_id", sa.Text, primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # claimed | done
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)

_CREATED: set[str] = set()
_LOCK = threading.Lock()
KEY_CHUNK = 500
"""Keys per ``IN (...)`` list, well inside SQLite's bound-parameter limit."""


def kit_engine(engine: sa.Engine | None = None) -> sa.Engine:
    """The store's engine with the kit's tables in place (checked once per engine and process)."""
    engine = engine or engine_for()
    url = engine.url.render_as_string(hide_password=True)
    if url not in _CREATED:
        with _LOCK:
            if url not in _CREATED:
                METADATA.create_all(engine, checkfirst=True)
                _CREATED.add(url)
    return engine


def insert_for(engine: sa.Engine | sa.Connection, table: sa.Table) -> Any:
    """The dialect's ``INSERT`` with ``ON CONFLICT`` support (both stores have it)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def chunks(keys: list[str], size: int = KEY_CHUNK) -> list[list[str]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)]
