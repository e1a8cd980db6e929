"""Alert deduplication in the ``mns_store`` DB (table ``alert_log``), shared by all worker processes.

The same alert (same flow, task, error class and normalised message) is sent once per repeat
interval; repeats inside it are counted, and the next alert that goes out says "repeated N times
since HH:MM". A flow with an open failure alert gets a "resolved" message when it recovers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

metadata = sa.MetaData()

alert_log = sa.Table(
    "alert_log",
    metadata,
    sa.Column("alert_key", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(200), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # failure | digest | freshness
    sa.Column("task_id", sa.String(250), nullable=False),
    sa.Column("error_class", sa.String(40), nullable=False),
    sa.Column("message", sa.String(300), nullable=False),
    sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("suppressed", sa.Integer, nullable=False, default=0),
    sa.Column("open", sa.Boolean, nullable=False, default=True),
)

_created: set[str] = set()


def ensure_table(engine: sa.Engine) -> None:
    """Create ``alert_log`` when missing (once per engine per process)."""
    key = engine.url.render_as_string(hide_password=True)
    if key not in _created:
        try:
            metadata.create_all(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            # another worker created it between our check and our CREATE; anything else re-raises
            if not sa.inspect(engine).has_table(alert_log.name):
                raise
        _created.add(key)


def normalise(message: str) -> str:
    """The message with volatile parts (numbers, ids, whitespace) flattened, so repeats compare equal."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>", message.lower())
    text = re.sub(r"\d+", "#", text)
    return re.sub(r"\s+", " ", text).strip()[:300]


def alert_key(flow: str, task_id: str, error_class: str, message: str) -> str:
    raw = "\x1f".join([flow, task_id, error_class, normalise(message)])
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Decision:
    """Whether to send now, and how often it was suppressed since ``since`` (the previous send)."""

    send: bool
    repeated: int = 0
    since: datetime | None = None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _insert_ignore(engine: sa.Engine, values: dict) -> sa.Insert:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(alert_log).values(**values).on_conflict_do_nothing(index_elements=["alert_key"])


def decide(
    engine: sa.Engine,
    *,
    flow: str,
    kind: str,
    task_id: str,
    error_class: str,
    message: str,
    interval: timedelta,
    now: datetime | None = None,
) -> Decision:
    """Record one occurrence and decide whether it is sent. Atomic across processes.

    The row is inserted first (taking SQLite's write lock; on PostgreSQL the row is then locked
    ``FOR UPDATE``), so two workers failing at once send one alert, not two.
    """
    ensure_table(engine)
    now = now or datetime.now(UTC)
    key = alert_key(flow, task_id, error_class, message)
    with engine.begin() as conn:
        conn.execute(
            _insert_ignore(
                engine,
                {
                    "alert_key": key,
                    "flow": flow,
                    "kind": kind,
                    "task_id": task_id,
                    "error_class": error_class,
                    "message": normalise(message),
                    "last_sent_at": None,
                    "suppressed": 0,
                    "open": True,
                },
            )
        )
        row = conn.execute(
            sa.select(alert_log.c.last_sent_at, alert_log.c.suppressed, alert_log.c.open)
            .where(alert_log.c.alert_key == key)
            .with_for_update()
        ).one()
        last_sent = _aware(row.last_sent_at)
        if row.open and last_sent is not None and now - last_sent < interval:
            conn.execute(
                alert_log.update().where(alert_log.c.alert_key == key).values(suppressed=alert_log.c.suppressed + 1)
            )
            return Decision(send=False)
        conn.execute(
            alert_log.update().where(alert_log.c.alert_key == key).values(last_sent_at=now, suppressed=0, open=True)
        )
        if row.open and last_sent is not None and row.suppressed:
            return Decision(send=True, repeated=row.suppressed, since=last_sent)
        return Decision(send=True)


def close_flow(engine: sa.Engine, flow: str, kinds: tuple[str, ...] = ("failure", "freshness")) -> int:
    """Close the flow's open alerts of ``kinds``; returns how many were open (0: nothing to resolve)."""
    ensure_table(engine)
    with engine.begin() as conn:
        result = conn.execute(
            alert_log.update()
            .where(alert_log.c.flow == flow, alert_log.c.kind.in_(kinds), alert_log.c.open.is_(True))
            .values(open=False, suppressed=0)
        )
        return result.rowcount or 0


def forget_send(engine: sa.Engine, flow: str, task_id: str, error_class: str, message: str) -> None:
    """Undo the ``last_sent_at`` of an alert that could not be delivered, so the next one is not suppressed."""
    with engine.begin() as conn:
        conn.execute(
            alert_log.update()
            .where(alert_log.c.alert_key == alert_key(flow, task_id, error_class, message))
            .values(last_sent_at=None)
        )
