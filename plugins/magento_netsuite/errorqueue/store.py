"""The quarantine store: one open row per (flow, record key), its attempt history, and sync markers.

Every write is one short transaction. Concurrency guarantees:

* :meth:`ErrorQueueStore.quarantine` is an ``INSERT ... ON CONFLICT (flow, record_key) WHERE status
  IN ('open', 'retrying') DO UPDATE SET attempts = attempts + 1 ...`` against a partial unique index,
  so parallel writers never create a second open row for a key and never lose an attempt.
* :meth:`ErrorQueueStore.mark_retrying` is an ``UPDATE ... WHERE status = 'open' RETURNING``: of two
  concurrent claims on the same rows, the second gets none of them (never double-loaded).
* :meth:`ErrorQueueStore.finish_retry` only touches rows still ``retrying``, so a row resolved by a
  regular sync in the meantime is never reopened by a late replay.
* One lock order: a write that changes several rows first locks them with ``SELECT ... ORDER BY id
  FOR UPDATE`` (:func:`_lock_in_id_order`), so two writers never hold each other's next row. A
  deadlock or serialization failure PostgreSQL still reports (another client of the database) is
  retried with the whole transaction (:func:`_retrying`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from magento_netsuite.config import STORE_CONN_ID
from magento_netsuite.errorqueue import schema
from magento_netsuite.errorqueue.hints import fix_hint as hint_for
from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.storable import storable, storable_text, store_key

PAYLOAD_FROM_SOURCE = "source"
PAYLOAD_STORED_FALLBACK = "stored payload, source no longer has the record"
SUPERSEDED = "superseded by a newer sync"

StatusFilter = str | Iterable[str] | None

_T = schema.errors
_A = schema.attempts
_M = schema.sync_markers
_KEY_CHUNK = 500  # keys or ids per IN (...) list, well inside SQLite's bound-parameter limit
_R = TypeVar("_R")


@dataclass(frozen=True)
class ErrorRow:
    """One quarantine row as the API, the CLI and the UI see it."""

    id: int
    flow: str
    entity: str
    record_key: str
    payload: dict[str, Any]
    error_class: str
    field_path: str | None
    code: str | None
    message: str
    fix_hint: str | None
    dag_id: str | None
    run_id: str | None
    task_id: str | None
    try_number: int | None
    attempts: int
    status: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    payload_source: str
    claimed_by: str | None = None  # who holds the retry claim while the row is ``retrying``


@dataclass(frozen=True)
class AttemptRow:
    """One event in a row's life: ``failed``, ``retrying``, ``requeued``, ``resolved``, ``superseded``,
    ``ignored`` or ``reopened``."""

    id: int
    error_id: int
    at: datetime
    event: str
    by: str | None
    error_class: str | None
    code: str | None
    field_path: str | None
    message: str | None
    dag_id: str | None
    run_id: str | None
    task_id: str | None
    try_number: int | None


_ROW_FIELDS = tuple(ErrorRow.__dataclass_fields__)
_ATTEMPT_FIELDS = tuple(AttemptRow.__dataclass_fields__)


def _now() -> datetime:
    return datetime.now(UTC)


def _row(mapping: Any) -> ErrorRow:
    return ErrorRow(**{name: mapping[name] for name in _ROW_FIELDS})


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for key in dict.fromkeys(store_key(k) for k in keys):
        batch.append(key)
        if len(batch) == _KEY_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL ``deadlock_detected`` and ``serialization_failure``: the transaction may simply run again."""
TRANSACTION_TRIES = 5


def _retriable(error: sa.exc.DBAPIError) -> bool:
    code = getattr(error.orig, "pgcode", None) or getattr(error.orig, "sqlstate", None)
    return code in RETRIED_SQLSTATES or "database is locked" in str(error.orig)


def _retrying(transaction: Callable[[], _R]) -> _R:
    """Run ``transaction`` (one ``engine.begin()`` block), again on a deadlock, serialization failure or
    SQLite lock timeout: each of those rolled the whole transaction back, so running it again is safe."""
    for attempt in range(TRANSACTION_TRIES):
        try:
            return transaction()
        except sa.exc.DBAPIError as error:
            if attempt == TRANSACTION_TRIES - 1 or not _retriable(error):
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _lock_in_id_order(conn: sa.Connection, *where: Any) -> list[int]:
    """Lock the matching rows in ascending id order (PostgreSQL; SQLite locks the whole file) and return
    their ids: every multi-row write takes its locks in this one order, so none can deadlock another."""
    query = sa.select(_T.c.id).where(*where).order_by(_T.c.id).with_for_update()
    return [int(i) for i in conn.execute(query).scalars()]


def _statuses(status: StatusFilter) -> tuple[str, ...] | None:
    if status is None:
        return None
    values = (status,) if isinstance(status, str) else tuple(status)
    unknown = sorted(set(values) - set(schema.STATUSES))
    if unknown:
        raise ValueError(f"unknown status {unknown}: use one of {schema.STATUSES}")
    return values


class ErrorQueueStore:
    """The error queue on one SQLAlchemy engine (SQLite or PostgreSQL). Creates its schema on first use."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        schema.ensure_schema(engine)

    @classmethod
    def from_connection(cls, conn_id: str = STORE_CONN_ID) -> ErrorQueueStore:
        from magento_netsuite.store import engine_for

        return cls(engine_for(conn_id))

    # ------------------------------------------------------------------ writes

    def _upsert(self, dialect: str, values: dict[str, Any]) -> sa.Insert:
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(_T).values(**values)
        excluded = insert.excluded
        return insert.on_conflict_do_update(
            index_elements=[_T.c.flow, _T.c.record_key],
            index_where=_T.c.status.in_(schema.ACTIVE_STATUSES),
            set_={
                "attempts": _T.c.attempts + 1,
                "last_seen": excluded.last_seen,
                "entity": excluded.entity,
                "payload": excluded.payload,
                "payload_source": excluded.payload_source,
                "error_class": excluded.error_class,
                "field_path": excluded.field_path,
                "code": excluded.code,
                "message": excluded.message,
                "fix_hint": excluded.fix_hint,
                "dag_id": excluded.dag_id,
                "run_id": excluded.run_id,
                "task_id": excluded.task_id,
                "try_number": excluded.try_number,
            },
        ).returning(_T.c.id)

    def quarantine(self, records: Iterable[QuarantineRecord]) -> list[int]:
        """Upsert each record: a new open row, or the existing open/retrying row with attempts + 1 and the
        latest error. Adds a ``failed`` history event per record. Returns the row ids in input order."""
        records = list(records)
        ids: list[int] = []
        for record in records:
            ids.append(self._quarantine_one(record))
        return ids

    def _quarantine_one(self, record: QuarantineRecord) -> int:
        now = _now()
        values = {
            "flow": record.flow,
            "entity": record.entity,
            "record_key": str(record.record_key),
            "payload": record.payload or {},
            "payload_source": PAYLOAD_FROM_SOURCE,
            "error_class": record.error_class,
            "field_path": record.field_path,
            "code": record.code,
            "message": record.message,
            "fix_hint": record.fix_hint or hint_for(record),
            "dag_id": record.dag_id,
            "run_id": record.run_id,
            "task_id": record.task_id,
            "try_number": record.try_number,
            "attempts": 1,
            "status": "open",
            "first_seen": now,
            "last_seen": now,
        }
        values = {name: storable(value) for name, value in values.items()}
        values["record_key"] = store_key(record.record_key)
        # PostgreSQL can still raise a unique violation when a concurrent transaction resolves and
        # another inserts in between; SQLite can report "database is locked" past busy_timeout. Both
        # are safe to retry: the statement is idempotent up to the attempt it records.
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    row_id = conn.execute(self._upsert(conn.dialect.name, values)).scalar_one()
                    conn.execute(
                        _A.insert().values(error_id=row_id, at=now, event="failed", **storable(_event(record)))
                    )
                    return int(row_id)
            except (sa.exc.IntegrityError, sa.exc.OperationalError):
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def mark_retrying(self, ids: Iterable[int], *, by: str) -> list[ErrorRow]:
        """Claim rows for a retry: only ``open`` rows move to ``retrying`` and are returned."""
        ids = sorted({int(i) for i in ids})
        now = _now()
        rows: list[ErrorRow] = []

        def claim(chunk: list[int]) -> list[ErrorRow]:
            with self.engine.begin() as conn:
                locked = _lock_in_id_order(conn, _T.c.id.in_(chunk), _T.c.status == "open")
                if not locked:
                    return []
                claimed = conn.execute(
                    _T.update()
                    .where(_T.c.id.in_(locked), _T.c.status == "open")
                    .values(status="retrying", claimed_by=by)
                    .returning(*_T.c)
                ).mappings()
                batch = sorted((_row(m) for m in claimed), key=lambda r: r.id)
                if batch:
                    conn.execute(
                        _A.insert(), [{"error_id": r.id, "at": now, "event": "retrying", "by": by} for r in batch]
                    )
                return batch

        for start in range(0, len(ids), _KEY_CHUNK):
            chunk = ids[start : start + _KEY_CHUNK]
            rows += _retrying(lambda chunk=chunk: claim(chunk))
        return rows

    def claimed(self, by: str, *, flow: str | None = None, limit: int | None = None) -> list[ErrorRow]:
        """Rows ``by`` still holds a retry claim on (oldest first), of one flow or all."""
        query = sa.select(*_T.c).where(_T.c.status == "retrying", _T.c.claimed_by == by).order_by(_T.c.id)
        if flow is not None:
            query = query.where(_T.c.flow == flow)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def release(self, by: str, *, flow: str | None = None) -> list[ErrorRow]:
        """Reopen every row ``by`` still holds (of one flow, or all): a replay that could not finish them."""
        now = _now()
        held = [_T.c.status == "retrying", _T.c.claimed_by == by]
        if flow is not None:
            held.append(_T.c.flow == flow)

        def reopen_held() -> list[ErrorRow]:
            with self.engine.begin() as conn:
                locked = _lock_in_id_order(conn, *held)
                if not locked:
                    return []
                released = conn.execute(
                    _T.update()
                    .where(_T.c.id.in_(locked), *held)
                    .values(status="open", claimed_by=None)
                    .returning(*_T.c)
                ).mappings()
                rows = sorted((_row(m) for m in released), key=lambda r: r.id)
                if rows:
                    conn.execute(
                        _A.insert(),
                        [
                            {
                                "error_id": r.id,
                                "at": now,
                                "event": "reopened",
                                "by": by,
                                "message": "retry did not finish",
                            }
                            for r in rows
                        ],
                    )
                return rows

        return _retrying(reopen_held)

    def open_ids(self, *, flow: str | None = None) -> list[int]:
        """Ids of every ``open`` row (of one flow), oldest first: what "retry all" claims."""
        query = sa.select(_T.c.id).where(_T.c.status == "open").order_by(_T.c.id)
        if flow is not None:
            query = query.where(_T.c.flow == flow)
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def active_keys(self, flow: str) -> list[str]:
        """Record keys of a flow with an active row (open, retrying, held): what a sync may resolve."""
        query = sa.select(_T.c.record_key).where(_T.c.flow == flow, _T.c.status.in_(schema.ACTIVE_STATUSES))
        with self.engine.connect() as conn:
            return sorted(set(conn.execute(query).scalars()))

    def requeue(
        self, id: int, record: QuarantineRecord, *, payload_source: str = PAYLOAD_FROM_SOURCE
    ) -> ErrorRow | None:
        """A retry failed again: back to ``open`` with the new error, attempts + 1. ``None`` when the row is
        no longer open or retrying (a regular sync resolved it meanwhile)."""
        now = _now()
        with self.engine.begin() as conn:
            updated = (
                conn.execute(
                    _T.update()
                    .where(_T.c.id == id, _T.c.status.in_(schema.ACTIVE_STATUSES))
                    .values(
                        status="open",
                        claimed_by=None,
                        attempts=_T.c.attempts + 1,
                        last_seen=now,
                        payload=storable(record.payload or {}),
                        payload_source=payload_source,
                        error_class=record.error_class,
                        field_path=storable_text(record.field_path),
                        code=storable_text(record.code),
                        message=storable_text(record.message),
                        fix_hint=storable_text(record.fix_hint or hint_for(record)),
                        dag_id=record.dag_id,
                        run_id=record.run_id,
                        task_id=record.task_id,
                        try_number=record.try_number,
                    )
                    .returning(*_T.c)
                )
                .mappings()
                .one_or_none()
            )
            if updated is None:
                return None
            conn.execute(_A.insert().values(error_id=id, at=now, event="requeued", **storable(_event(record))))
        return _row(updated)

    def reopen(self, id: int, *, by: str) -> ErrorRow | None:
        """Release a ``retrying`` claim without a new error (a replay died before finishing)."""
        now = _now()
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    _T.update()
                    .where(_T.c.id == id, _T.c.status == "retrying")
                    .values(status="open", claimed_by=None)
                    .returning(*_T.c)
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            conn.execute(_A.insert().values(error_id=id, at=now, event="reopened", by=by))
        return _row(row)

    def finish_retry(
        self, id: int, *, how: str, by: str, payload_source: str | None = None, event: str = "resolved"
    ) -> ErrorRow | None:
        """Resolve one claimed (``retrying``) row after its replay; ``None`` if it is no longer retrying."""
        now = _now()
        values: dict[str, Any] = {
            "status": "resolved",
            "claimed_by": None,
            "resolved_at": now,
            "resolved_by": by,
            "resolution": how,
        }
        if payload_source is not None:
            values["payload_source"] = payload_source
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    _T.update().where(_T.c.id == id, _T.c.status == "retrying").values(**values).returning(*_T.c)
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            conn.execute(_A.insert().values(error_id=id, at=now, event=event, by=by, message=how))
        return _row(row)

    def resolve(self, flow: str, keys: Iterable[str], *, how: str, by: str) -> int:
        """Resolve the open/retrying rows of these keys (a later successful sync). Returns how many."""
        return self._close(flow, keys, how=how, by=by, event="resolved")

    def supersede(self, flow: str, keys: Iterable[str], *, by: str, at: datetime | None = None) -> int:
        """These keys were synced successfully by a newer run: resolve their rows as superseded and record
        the sync (:meth:`mark_synced`) so a replay claimed before this never loads the stale record."""
        keys = list(keys)
        self.mark_synced(flow, keys, at=at)
        return self._close(flow, keys, how=SUPERSEDED, by=by, event="superseded")

    def synced(
        self, flow: str, keys: Iterable[str], *, by: str, at: datetime | None = None, supersede: bool = False
    ) -> int:
        """What a flow calls after a run for the keys it synced successfully: their open rows resolve by
        themselves (as superseded when the flow declares its records snapshots of a changing value, such
        as stock or prices: ``supersede``), and the sync is recorded for the stale-retry guard. Returns how
        many rows were resolved."""
        keys = list(keys)
        if supersede:
            return self.supersede(flow, keys, by=by, at=at)
        self.mark_synced(flow, keys, at=at)
        return self.resolve(flow, keys, how=f"synced by {by}", by=by)

    def _close(self, flow: str, keys: Iterable[str], *, how: str, by: str, event: str) -> int:
        now = _now()
        total = 0

        def close(batch: list[str]) -> int:
            with self.engine.begin() as conn:
                active = (_T.c.flow == flow, _T.c.record_key.in_(batch), _T.c.status.in_(schema.ACTIVE_STATUSES))
                locked = _lock_in_id_order(conn, *active)
                if not locked:
                    return 0
                closed = (
                    conn.execute(
                        _T.update()
                        .where(_T.c.id.in_(locked), *active)
                        .values(status="resolved", claimed_by=None, resolved_at=now, resolved_by=by, resolution=how)
                        .returning(_T.c.id)
                    )
                    .scalars()
                    .all()
                )
                if closed:
                    conn.execute(
                        _A.insert(),
                        [{"error_id": i, "at": now, "event": event, "by": by, "message": how} for i in closed],
                    )
                return len(closed)

        for batch in _chunks(keys):
            total += _retrying(lambda batch=batch: close(batch))
        return total

    def ignore(self, id: int, *, who: str, why: str) -> ErrorRow:
        """Close a row on purpose (a test order, a record nobody wants synced). ``why`` is required."""
        if not why or not why.strip():
            raise ValueError(f"error {id}: ignoring needs a reason (why)")
        if not who or not who.strip():
            raise ValueError(f"error {id}: ignoring needs a name (who)")
        now = _now()
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    _T.update()
                    .where(_T.c.id == id, _T.c.status.in_(schema.ACTIVE_STATUSES))
                    .values(status="ignored", claimed_by=None, resolved_at=now, resolved_by=who, resolution=why)
                    .returning(*_T.c)
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                current = self.get(id)
                if current is None:
                    raise KeyError(f"error {id} does not exist")
                raise ValueError(f"error {id} is {current.status}; only open or retrying errors can be ignored")
            conn.execute(_A.insert().values(error_id=id, at=now, event="ignored", by=who, message=why))
        return _row(row)

    def mark_synced(self, flow: str, keys: Iterable[str], *, at: datetime | None = None) -> None:
        """Record that these keys were synced successfully at ``at`` (now by default); never moves back."""
        at = at or _now()

        def upsert(batch: list[str]) -> None:
            with self.engine.begin() as conn:
                insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(_M)
                insert = insert.values([{"flow": flow, "record_key": k, "last_synced": at} for k in batch])
                conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=[_M.c.flow, _M.c.record_key],
                        set_={"last_synced": insert.excluded.last_synced},
                        where=_M.c.last_synced < insert.excluded.last_synced,
                    )
                )

        # sorted: two runs marking overlapping keys lock the marker rows in the same order
        for batch in _chunks(sorted({str(k) for k in keys})):
            _retrying(lambda batch=batch: upsert(batch))

    def last_synced(self, flow: str, keys: Iterable[str]) -> dict[str, datetime]:
        """When each key (of those that have one) was last synced successfully."""
        found: dict[str, datetime] = {}
        asked = {store_key(k): str(k) for k in keys}
        with self.engine.connect() as conn:
            for batch in _chunks(asked):
                query = sa.select(_M.c.record_key, _M.c.last_synced).where(
                    _M.c.flow == flow, _M.c.record_key.in_(batch)
                )
                found.update((asked.get(key, key), synced) for key, synced in conn.execute(query))
        return found

    # ------------------------------------------------------------------ reads

    def _filtered(
        self,
        query: sa.Select[Any],
        *,
        flow: str | None,
        error_class: str | None,
        status: StatusFilter,
        run_id: str | None,
        key_search: str | None,
    ) -> sa.Select[Any]:
        statuses = _statuses(status)
        if statuses is not None and set(statuses) == set(schema.ACTIVE_STATUSES):
            query = query.where(schema.ACTIVE_CONDITION)
        elif statuses is not None:
            query = query.where(_T.c.status.in_(statuses))
        if flow:
            query = query.where(_T.c.flow == flow)
        if error_class:
            query = query.where(_T.c.error_class == error_class)
        if run_id:
            query = query.where(_T.c.run_id == run_id)
        if key_search:
            escaped = key_search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(_T.c.record_key.like(f"%{escaped}%", escape="\\"))
        return query

    def listing_query(
        self,
        *,
        flow: str | None = None,
        error_class: str | None = None,
        status: StatusFilter = schema.ACTIVE_STATUSES,
        run_id: str | None = None,
        key_search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        order: str = "newest",
        before: tuple[datetime, int] | None = None,
    ) -> sa.Select[Any]:
        """The SELECT behind :meth:`open_errors` (``bench/`` and the tests EXPLAIN it)."""
        if order not in {"newest", "oldest"}:
            raise ValueError(f"order {order!r}: use 'newest' or 'oldest'")
        query = self._filtered(
            sa.select(*_T.c), flow=flow, error_class=error_class, status=status, run_id=run_id, key_search=key_search
        )
        if before is not None:
            seen, row_id = before
            if order == "newest":
                query = query.where(
                    sa.tuple_(_T.c.last_seen, _T.c.id) < sa.tuple_(sa.literal(seen, schema.UTCDateTime), row_id)
                )
            else:
                query = query.where(
                    sa.tuple_(_T.c.last_seen, _T.c.id) > sa.tuple_(sa.literal(seen, schema.UTCDateTime), row_id)
                )
        ordering = (_T.c.last_seen.desc(), _T.c.id.desc()) if order == "newest" else (_T.c.last_seen, _T.c.id)
        return query.order_by(*ordering).limit(limit).offset(offset)

    def open_errors(
        self,
        *,
        flow: str | None = None,
        error_class: str | None = None,
        status: StatusFilter = schema.ACTIVE_STATUSES,
        run_id: str | None = None,
        key_search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        order: str = "newest",
        before: tuple[datetime, int] | None = None,
    ) -> list[ErrorRow]:
        """A page of rows, newest (``last_seen`` desc, ``id`` desc) first by default. ``status=None`` means
        any status. ``before=(last_seen, id)`` of the previous page's last row pages by keyset."""
        query = self.listing_query(
            flow=flow,
            error_class=error_class,
            status=status,
            run_id=run_id,
            key_search=key_search,
            limit=limit,
            offset=offset,
            order=order,
            before=before,
        )
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def count(
        self,
        *,
        flow: str | None = None,
        error_class: str | None = None,
        status: StatusFilter = schema.ACTIVE_STATUSES,
        run_id: str | None = None,
        key_search: str | None = None,
    ) -> int:
        query = self._filtered(
            sa.select(sa.func.count()).select_from(_T),
            flow=flow,
            error_class=error_class,
            status=status,
            run_id=run_id,
            key_search=key_search,
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def counts(
        self, *, flow: str | None = None, run_id: str | None = None, status: StatusFilter = schema.ACTIVE_STATUSES
    ) -> dict[str, dict[str, int]]:
        """``{flow: {error_class: n}}`` for summaries and digests."""
        query = self._filtered(
            sa.select(_T.c.flow, _T.c.error_class, sa.func.count()).group_by(_T.c.flow, _T.c.error_class),
            flow=flow,
            error_class=None,
            status=status,
            run_id=run_id,
            key_search=None,
        )
        result: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for row_flow, error_class, n in conn.execute(query):
                result.setdefault(row_flow, {})[error_class] = int(n)
        return result

    def get(self, id: int) -> ErrorRow | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(*_T.c).where(_T.c.id == id)).mappings().one_or_none()
        return _row(found) if found is not None else None

    def get_many(self, ids: Sequence[int]) -> list[ErrorRow]:
        ids = sorted({int(i) for i in ids})
        rows: list[ErrorRow] = []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), _KEY_CHUNK):
                query = sa.select(*_T.c).where(_T.c.id.in_(ids[start : start + _KEY_CHUNK])).order_by(_T.c.id)
                rows += [_row(m) for m in conn.execute(query).mappings()]
        return rows

    def history(self, id: int) -> list[AttemptRow]:
        """Every event of the row, oldest first."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(*_A.c).where(_A.c.error_id == id).order_by(_A.c.id)).mappings()
            return [AttemptRow(**{name: m[name] for name in _ATTEMPT_FIELDS}) for m in found]


def _event(record: QuarantineRecord) -> dict[str, Any]:
    return {
        "error_class": record.error_class,
        "code": record.code,
        "field_path": record.field_path,
        "message": record.message,
        "dag_id": record.dag_id,
        "run_id": record.run_id,
        "task_id": record.task_id,
        "try_number": record.try_number,
    }
