"""Watermarks, not windows: what a run reads is decided by a persisted cursor, never by its data interval.

A flow's cursor is the source's modification time of the last record it settled, plus the record's
sort key as a tie-break (many records share a second). A run reads every record after the cursor up
to a *safe upper bound* (now minus an allowance for clock skew and the source's commit lag), oldest
first, at most ``max_records`` of them (a bounded slice: a long outage is caught up over several
runs, each saying how far behind it is). The summary moves the cursor past what the run settled,
only forwards: rerunning an old run, or a backfill from an explicit ``since``, never moves it back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from magento_netsuite.pipeline.state import WATERMARK, insert_for, kit_engine

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The kit's clock (one place, so tests can move time)."""
    return datetime.now(UTC)


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the source's change order: modification time, then the record's sort key."""

    at: datetime
    key: str = ""

    def as_list(self) -> list[str]:
        return [self.at.isoformat(), self.key]

    @classmethod
    def from_list(cls, value: list[str] | tuple[str, str]) -> Cursor:
        return cls(parse_time(value[0]), str(value[1]))

    def __str__(self) -> str:
        return f"{self.at.isoformat()}#{self.key}" if self.key else self.at.isoformat()


def parse_time(value: Any, *, what: str = "timestamp") -> datetime:
    """An aware UTC datetime from an ISO-8601 string or a datetime (naive means UTC)."""
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if " " in text and "T" not in text:
            text = text.replace(" ", "T", 1)  # Magento's "2026-11-30 09:35:05"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{what} must be an ISO-8601 date-time, got {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """What one run reads: records after ``since`` (``None``: everything) and before ``until``."""

    since: Cursor | None
    until: datetime
    max_records: int
    origin: str
    """Where ``since`` came from: ``cursor``, ``since param`` (a backfill), ``initial lookback`` or ``full``."""

    def __post_init__(self) -> None:
        if self.max_records < 1:
            raise ValueError(f"a run must read at least one record, got max_records={self.max_records}")

    def admits(self, cursor: Cursor) -> bool:
        """Strictly after the lower cursor (the tie-break drops what the last run settled)."""
        return self.since is None or cursor > self.since

    def describe(self) -> str:
        lower = "the beginning" if self.since is None else str(self.since)
        return f"after {lower} ({self.origin}) until {self.until.isoformat()}"


@dataclass(frozen=True)
class WatermarkSettings:
    initial_lookback: timedelta
    """How far back the very first run reads (no cursor yet)."""
    safe_lag: timedelta
    """Allowance for clock skew and the source's commit lag: a run reads up to ``now - safe_lag``."""
    max_records: int
    """At most this many records per run; a bigger backlog is caught up by the next runs."""


class Watermarks:
    """The per-flow cursors in ``mns_store``."""

    def __init__(self, engine: sa.Engine | None = None) -> None:
        self.engine = kit_engine(engine)

    def get(self, flow: str) -> Cursor | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(WATERMARK.c.cursor_at, WATERMARK.c.cursor_key).where(WATERMARK.c.flow == flow)
            ).one_or_none()
        return None if row is None else Cursor(row.cursor_at, row.cursor_key)

    def advance(self, flow: str, cursor: Cursor, run_id: str) -> bool:
        """Move the flow's cursor to ``cursor`` if that is forwards; returns whether it moved."""
        now = utcnow()
        values = {"cursor_at": cursor.at, "cursor_key": cursor.key, "run_id": run_id, "moved_at": now}
        with self.engine.begin() as conn:
            insert = insert_for(conn, WATERMARK).values(flow=flow, **values)
            created = conn.execute(insert.on_conflict_do_nothing(index_elements=[WATERMARK.c.flow])).rowcount
            # compared on the stored values in one statement: two runs finishing at once can't regress it
            moved = (
                created
                or conn.execute(
                    WATERMARK.update()
                    .where(
                        WATERMARK.c.flow == flow,
                        sa.or_(
                            WATERMARK.c.cursor_at < cursor.at,
                            sa.and_(WATERMARK.c.cursor_at == cursor.at, WATERMARK.c.cursor_key < cursor.key),
                        ),
                    )
                    .values(**values)
                ).rowcount
            )
        if not moved:
            log.info("watermark of %s stays at %s: this run settled up to %s only", flow, self.get(flow), cursor)
        return bool(moved)


def plan_window(
    flow: str,
    settings: WatermarkSettings,
    *,
    since: str | datetime | None = None,
    full: bool = False,
    watermarks: Watermarks | None = None,
) -> Window:
    """The window of this run: from the cursor (or ``since``, or the initial lookback) to the safe bound."""
    now = utcnow()
    until = (now - settings.safe_lag).replace(microsecond=0)
    if full:
        return Window(None, until, settings.max_records, "full")
    if since not in (None, ""):
        return Window(Cursor(parse_time(since, what="Param since")), until, settings.max_records, "since param")
    stored = (watermarks or Watermarks()).get(flow)
    if stored is not None:
        return Window(stored, until, settings.max_records, "cursor")
    return Window(Cursor(until - settings.initial_lookback), until, settings.max_records, "initial lookback")
