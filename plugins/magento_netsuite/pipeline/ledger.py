"""Who created what, and which side effects are done: the kit's answer to overlapping runs and retries.

The target system keeps the main write idempotent (NetSuite refuses a second record with the same
externalId). Two things it can't tell us are kept here:

* :class:`Creations`: a run records its *intent* before it creates a record and the target's id after.
  When the record turns out to exist (a task retry, a create whose answer was lost, a replay), the
  intent says whether this run made it, so the summary's "created" and "already there" stay true.
* :class:`SideEffects`: a claim per (effect, record, target id) taken before acting, finished after.
  Two overlapping runs, a replay during a scheduled run or a retried task: only the claim holder acts.
  A claim whose holder died is taken over after a lease, so nothing is left undone for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta

import sqlalchemy as sa

from magento_netsuite.pipeline.state import CREATION, SIDE_EFFECT, chunks, insert_for, kit_engine
from magento_netsuite.pipeline.watermark import utcnow

CLAIMED, DONE = "claimed", "done"
DEFAULT_LEASE = timedelta(minutes=15)
"""How long a claim protects a side effect whose holder may have died (a killed task's claim)."""


class Creations:
    """``mns_creation``: per flow and record key, the run that created (or set out to create) the target record."""

    def __init__(self, flow: str, engine: sa.Engine | None = None) -> None:
        self.flow = flow
        self.engine = kit_engine(engine)

    def intend(self, keys: Iterable[str], run_id: str) -> None:
        """Before creating: this run is about to create these records (takes over unfinished intents)."""
        rows = [{"flow": self.flow, "record_key": k, "run_id": run_id, "target_id": None, "at": utcnow()} for k in keys]
        if not rows:
            return
        with self.engine.begin() as conn:
            insert = insert_for(conn, CREATION)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[CREATION.c.flow, CREATION.c.record_key],
                    set_={"run_id": insert.excluded.run_id, "at": insert.excluded.at},
                    where=CREATION.c.target_id.is_(None),
                ),
                rows,
            )

    def created(self, key: str, target_id: str, run_id: str) -> None:
        """The target answered: this run created ``key`` as ``target_id``."""
        self.created_all({key: target_id}, run_id)

    def created_all(self, targets: Mapping[str, str], run_id: str) -> None:
        """This run created each ``{key: target id}``, recorded in one transaction (a write loop records
        its creations once its calls are done, so no API slot waits on the store)."""
        rows = [
            {"flow": self.flow, "record_key": k, "run_id": run_id, "target_id": t, "at": utcnow()}
            for k, t in targets.items()
        ]
        if not rows:
            return
        with self.engine.begin() as conn:
            insert = insert_for(conn, CREATION)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[CREATION.c.flow, CREATION.c.record_key],
                    set_={k: insert.excluded[k] for k in ("run_id", "target_id", "at")},
                ),
                rows,
            )

    def creators(self, keys: Iterable[str]) -> dict[str, str]:
        """The run that created (or last set out to create) each key that has an entry."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for batch in chunks(sorted(set(keys))):
                query = sa.select(CREATION.c.record_key, CREATION.c.run_id).where(
                    CREATION.c.flow == self.flow, CREATION.c.record_key.in_(batch)
                )
                found.update((k, r) for k, r in conn.execute(query))
        return found

    def created_keys(self, keys: Iterable[str]) -> set[str]:
        """Of ``keys``, those whose record the target confirmed created (an intent alone does not count)."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for batch in chunks(sorted(set(keys))):
                query = sa.select(CREATION.c.record_key).where(
                    CREATION.c.flow == self.flow, CREATION.c.record_key.in_(batch), CREATION.c.target_id.is_not(None)
                )
                found.update(conn.execute(query).scalars())
        return found

    def made_by(self, keys: Iterable[str], run_id: str) -> set[str]:
        """Of ``keys``, those this run created (an earlier try, or a create whose answer was lost)."""
        return {k for k, r in self.creators(keys).items() if r == run_id}


class SideEffects:
    """``mns_side_effect``: one claim per (flow, effect, record key, target id)."""

    def __init__(self, flow: str, effect: str, engine: sa.Engine | None = None, lease: timedelta = DEFAULT_LEASE):
        self.flow = flow
        self.effect = effect
        self.lease = lease
        self.engine = kit_engine(engine)

    def _where(self, key: str, target_id: str) -> sa.ColumnElement[bool]:
        t = SIDE_EFFECT.c
        return sa.and_(t.flow == self.flow, t.effect == self.effect, t.record_key == key, t.target_id == target_id)

    def claim(self, targets: Mapping[str, str], run_id: str) -> tuple[set[str], dict[str, str]]:
        """Claim ``{key: target id}`` for ``run_id``. Returns (keys claimed now, keys skipped → why).

        A key is skipped when its effect is done, or claimed by another run within the lease. A claim of
        this same run (an earlier try of the task that died) or an expired one is taken over."""
        claimed: set[str] = set()
        skipped: dict[str, str] = {}
        now = utcnow()
        for key, target_id in targets.items():
            with self.engine.begin() as conn:
                insert = insert_for(conn, SIDE_EFFECT).values(
                    flow=self.flow,
                    effect=self.effect,
                    record_key=key,
                    target_id=target_id,
                    state=CLAIMED,
                    run_id=run_id,
                    at=now,
                )
                if conn.execute(insert.on_conflict_do_nothing()).rowcount:
                    claimed.add(key)
                    continue
                taken = conn.execute(
                    SIDE_EFFECT.update()
                    .where(
                        self._where(key, target_id),
                        SIDE_EFFECT.c.state == CLAIMED,
                        sa.or_(SIDE_EFFECT.c.run_id == run_id, SIDE_EFFECT.c.at < now - self.lease),
                    )
                    .values(run_id=run_id, at=now)
                ).rowcount
                if taken:
                    claimed.add(key)
                    continue
                row = conn.execute(
                    sa.select(SIDE_EFFECT.c.state, SIDE_EFFECT.c.run_id).where(self._where(key, target_id))
                ).one()
                skipped[key] = "done" if row.state == DONE else f"in progress by {row.run_id}"
        return claimed, skipped

    def finish(self, targets: Mapping[str, str], run_id: str) -> None:
        """The effects are done: nobody performs them again."""
        with self.engine.begin() as conn:
            for key, target_id in targets.items():
                conn.execute(
                    SIDE_EFFECT.update()
                    .where(self._where(key, target_id))
                    .values(state=DONE, run_id=run_id, at=utcnow())
                )

    def release(self, targets: Mapping[str, str], run_id: str) -> None:
        """Give claims back (the effect failed): the next run may try again."""
        with self.engine.begin() as conn:
            for key, target_id in targets.items():
                conn.execute(
                    SIDE_EFFECT.delete().where(
                        self._where(key, target_id), SIDE_EFFECT.c.state == CLAIMED, SIDE_EFFECT.c.run_id == run_id
                    )
                )
