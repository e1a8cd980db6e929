"""Drift reports of the nightly reconciliations, kept in ``mns_store`` beside the error queue.

One row per reconciliation run: headline counts in columns (the trend reads only those) and the full
report (counts per field and kind, a few examples each) as JSON. The Error Queue page shows them
(:mod:`magento_netsuite.errorqueue.web.drift`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from magento_netsuite.config import STORE_CONN_ID
from magento_netsuite.errorqueue.schema import UTCDateTime

METADATA = sa.MetaData()
REPORTS = sa.Table(
    "mns_drift_report",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reconciliation", sa.String(128), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("compared", sa.Integer, nullable=False),
    sa.Column("drifted", sa.Integer, nullable=False),
    sa.Column("differences", sa.Integer, nullable=False),
    sa.Column("repaired", sa.Integer, nullable=False),
    sa.Column("unrepairable", sa.Integer, nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
    sa.UniqueConstraint("reconciliation", "run_id", name="ux_mns_drift_report_run"),
)
sa.Index("ix_mns_drift_report_at", REPORTS.c.reconciliation, REPORTS.c.at, REPORTS.c.id)
HEADLINE = ("compared", "drifted", "differences", "repaired", "unrepairable")


class DriftReports:
    """Store and read drift reports. A rerun of the same run replaces its report (no duplicate)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        METADATA.create_all(engine, checkfirst=True)

    @classmethod
    def from_connection(cls, conn_id: str = STORE_CONN_ID) -> DriftReports:
        from magento_netsuite.store import engine_for

        return cls(engine_for(conn_id))

    def save(self, reconciliation: str, run_id: str, report: dict[str, Any], at: datetime | None = None) -> int:
        values = {
            "reconciliation": reconciliation,
            "run_id": run_id,
            "at": at or datetime.now(UTC),
            "report": report,
            **{name: int(report.get(name) or 0) for name in HEADLINE},
        }
        where = (REPORTS.c.reconciliation == reconciliation) & (REPORTS.c.run_id == run_id)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(REPORTS).where(where))
            return int(conn.execute(sa.insert(REPORTS).values(**values)).inserted_primary_key[0])

    def recent(self, reconciliation: str | None = None, limit: int = 30) -> list[dict[str, Any]]:
        """The latest reports' headline counts, newest first (the trend)."""
        columns = [
            REPORTS.c.id,
            REPORTS.c.reconciliation,
            REPORTS.c.run_id,
            REPORTS.c.at,
            *(REPORTS.c[n] for n in HEADLINE),
        ]
        query = sa.select(*columns).order_by(REPORTS.c.at.desc(), REPORTS.c.id.desc()).limit(limit)
        if reconciliation:
            query = query.where(REPORTS.c.reconciliation == reconciliation)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def get(self, report_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(REPORTS).where(REPORTS.c.id == report_id)).first()
        return dict(row._mapping) if row is not None else None
