"""The error queue's tables and their versioned creation/upgrade.

``mns_schema_version`` holds one row per component of the store (here ``errorqueue``) with the
schema version it is at; :func:`ensure_schema` brings the tables up to :data:`SCHEMA_VERSION` on
first use, under a lock (an advisory lock on PostgreSQL, the write lock on SQLite) so concurrent
first users don't race.

One open row per (flow, record key) is enforced by a *partial* unique index on
``(flow, record_key) WHERE status IN ('open', 'retrying')`` on both SQLite and PostgreSQL; the
store's upsert targets exactly that index (``ON CONFLICT ... WHERE ...``).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

COMPONENT = "errorqueue"
SCHEMA_VERSION = 1
ACTIVE_STATUSES = ("open", "retrying")
STATUSES = ("open", "retrying", "resolved", "ignored")

# A stable advisory-lock id for "migrating the errorqueue schema" (PostgreSQL only).
_PG_LOCK_ID = 0x6D6E_7365_7271  # "mnseq"


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC text, which sorts right)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the error queue stores UTC-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        return dialect.type_descriptor(sa.DateTime(timezone=dialect.name != "sqlite"))


metadata = sa.MetaData()

schema_version = sa.Table(
    "mns_schema_version",
    metadata,
    sa.Column("component", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

errors = sa.Table(
    "mns_error_queue",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flow", sa.String(128), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("record_key", sa.String(255), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("payload_source", sa.String(64), nullable=False, server_default="source"),
    sa.Column("error_class", sa.String(32), nullable=False),
    sa.Column("field_path", sa.String(512)),
    sa.Column("code", sa.String(128)),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("fix_hint", sa.Text),
    sa.Column("dag_id", sa.String(250)),
    sa.Column("run_id", sa.String(250)),
    sa.Column("task_id", sa.String(250)),
    sa.Column("try_number", sa.Integer),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("claimed_by", sa.String(250)),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("resolved_by", sa.String(250)),
    sa.Column("resolution", sa.Text),
    sa.CheckConstraint(f"status IN {STATUSES!r}", name="ck_mns_error_queue_status"),
)

ACTIVE_CONDITION = sa.text("status IN ('open', 'retrying')")
"""The "still to do" condition, as literal SQL: a query must spell it exactly like this for SQLite (and a
generic PostgreSQL plan) to use the partial indexes below, which a bound ``IN (?, ?)`` would not."""

sa.Index(
    "ux_mns_error_queue_active_key",
    errors.c.flow,
    errors.c.record_key,
    unique=True,
    sqlite_where=ACTIVE_CONDITION,
    postgresql_where=ACTIVE_CONDITION,
)
# Listing/paging newest first by (last_seen desc, id desc). The default listing (open + retrying) uses
# the partial indexes; a single-status filter the (…, status, last_seen, id) ones; "any status" the last.
for _name, _columns in {
    "ix_mns_error_queue_active_seen": (),
    "ix_mns_error_queue_active_flow_seen": (errors.c.flow,),
    "ix_mns_error_queue_active_class_seen": (errors.c.error_class,),
}.items():
    sa.Index(
        _name,
        *_columns,
        errors.c.last_seen,
        errors.c.id,
        sqlite_where=ACTIVE_CONDITION,
        postgresql_where=ACTIVE_CONDITION,
    )
sa.Index("ix_mns_error_queue_status_seen", errors.c.status, errors.c.last_seen, errors.c.id)
sa.Index("ix_mns_error_queue_flow_status_seen", errors.c.flow, errors.c.status, errors.c.last_seen, errors.c.id)
sa.Index("ix_mns_error_queue_seen", errors.c.last_seen, errors.c.id)
sa.Index("ix_mns_error_queue_run", errors.c.run_id, errors.c.status)
sa.Index("ix_mns_error_queue_key", errors.c.flow, errors.c.record_key)

attempts = sa.Table(
    "mns_error_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("error_id", sa.Integer, sa.ForeignKey("mns_error_queue.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("by", sa.String(250)),
    sa.Column("error_class", sa.String(32)),
    sa.Column("code", sa.String(128)),
    sa.Column("field_path", sa.String(512)),
    sa.Column("message", sa.Text),
    sa.Column("dag_id", sa.String(250)),
    sa.Column("run_id", sa.String(250)),
    sa.Column("task_id", sa.String(250)),
    sa.Column("try_number", sa.Integer),
    sa.Index("ix_mns_error_attempt_error", "error_id", "id"),
)

sync_markers = sa.Table(
    "mns_sync_marker",
    metadata,
    sa.Column("flow", sa.String(128), primary_key=True),
    sa.Column("record_key", sa.String(255), primary_key=True),
    sa.Column("last_synced", UTCDateTime, nullable=False),
)

_ENSURED: set[tuple[str, str]] = set()
_ENSURE_LOCK = threading.Lock()


def _schema_name(engine: sa.Engine) -> str:
    translate = engine.get_execution_options().get("schema_translate_map") or {}
    return str(translate.get(None) or "")


def ensure_schema(engine: sa.Engine) -> None:
    """Create or upgrade the error queue tables to :data:`SCHEMA_VERSION` (once per process and engine)."""
    cache_key = (engine.url.render_as_string(hide_password=True), _schema_name(engine))
    if cache_key in _ENSURED:
        return
    with _ENSURE_LOCK:
        if cache_key in _ENSURED:
            return
        for attempt in range(3):
            try:
                _migrate(engine)
                break
            except sa.exc.OperationalError:
                # SQLite: another process created the tables between our check and our write
                # (SQLITE_BUSY on a stale snapshot); the next attempt sees them.
                if attempt == 2:
                    raise
        _ENSURED.add(cache_key)


def _migrate(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_ID)))
        schema_version.create(conn, checkfirst=True)
        current = conn.execute(
            sa.select(schema_version.c.version).where(schema_version.c.component == COMPONENT)
        ).scalar_one_or_none()
        if current is None:
            for table in (errors, attempts, sync_markers):
                table.create(conn, checkfirst=True)
            conn.execute(
                schema_version.insert().values(
                    component=COMPONENT, version=SCHEMA_VERSION, applied_at=datetime.now(UTC)
                )
            )
        elif current > SCHEMA_VERSION:
            raise RuntimeError(
                f"the error queue schema is at version {current}, newer than this code ({SCHEMA_VERSION}): "
                "upgrade the magento_netsuite package"
            )
        # Upgrades from older versions go here, one step per version, when SCHEMA_VERSION grows.
