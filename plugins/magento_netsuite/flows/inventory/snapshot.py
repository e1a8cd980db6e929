"""What we last pushed to Magento, in ``mns_store`` (SQLite or PostgreSQL).

``inventory_snapshot`` holds one row per ``(sku, source_code)`` Magento accepted: the quantity and
status we sent, when, and by which run. A delta pushes only rows that differ from it. (Which changes
a run reads is the kit's watermark, :mod:`magento_netsuite.pipeline.watermark`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from psycopg2.extras import execute_values

from magento_netsuite.store import engine_for

METADATA = sa.MetaData()
SNAPSHOT = sa.Table(
    "inventory_snapshot",
    METADATA,
    sa.Column("sku", sa.String(128), primary_key=True),
    sa.Column("source_code", sa.String(64), primary_key=True),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
)
sa.Index("ix_inventory_snapshot_run_id", SNAPSHOT.c.run_id)
CHUNK = 500
UPSERT = (
    "INSERT INTO inventory_snapshot (sku, source_code, quantity, status, pushed_at, run_id) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (sku, source_code) DO UPDATE SET quantity = excluded.quantity, status = excluded.status, "
    "pushed_at = excluded.pushed_at, run_id = excluded.run_id"
)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy stores a ``DateTime`` in SQLite (the text the ORM reads back)."""
COLUMNS = ["sku", "source_code", "quantity", "status"]


class Snapshot:
    """Reads and writes the snapshot table (created on first use), in bulk and as frames."""

    def __init__(self, engine: sa.Engine | None = None) -> None:
        self.engine = engine or engine_for()
        METADATA.create_all(self.engine, checkfirst=True)
        for index in SNAPSHOT.indexes:  # a table made before the index existed gets it too
            index.create(self.engine, checkfirst=True)

    def _frame(self, queries: Iterable[sa.Select]) -> pd.DataFrame:
        rows: list[tuple] = []
        with self.engine.connect() as conn:
            for query in queries:
                rows.extend(tuple(row) for row in conn.execute(query))
        frame = pd.DataFrame.from_records(rows, columns=[*COLUMNS, "run_id"])
        return frame.astype({"sku": "str", "source_code": "str", "quantity": "float64", "status": "int64"})

    def frame(self, skus: Iterable[str], *where: sa.ColumnElement[bool]) -> pd.DataFrame:
        """``sku, source_code, quantity, status, run_id`` of these SKUs (``IN`` lists of 500), and ``where``."""
        wanted = sorted(set(skus))
        columns = [SNAPSHOT.c[c] for c in [*COLUMNS, "run_id"]]
        return self._frame(
            sa.select(*columns).where(SNAPSHOT.c.sku.in_(wanted[i : i + CHUNK]), *where)
            for i in range(0, len(wanted), CHUNK)
        )

    def pushed_by(self, run_id: str, skus: Iterable[str]) -> pd.DataFrame:
        """What this run already pushed of these SKUs (an earlier try of a load task saved it)."""
        return self.frame(skus, SNAPSHOT.c.run_id == run_id)

    def load(self, skus: Iterable[str] | None = None) -> dict[tuple[str, str], tuple[float, int, str]]:
        """``(sku, source_code) → (quantity, status, run_id)``: everything, or only these SKUs."""
        if skus is None:
            frame = self._frame([sa.select(*(SNAPSHOT.c[c] for c in [*COLUMNS, "run_id"]))])
        else:
            frame = self.frame(skus)
        return {
            (sku, code): (qty, status, run_id)
            for sku, code, qty, status, run_id in frame.itertuples(index=False, name=None)
        }

    def save(self, items: pd.DataFrame | Iterable[Mapping[str, Any]], run_id: str) -> int:
        """Record items Magento accepted (``sku, source_code, quantity, status``), in one transaction."""
        frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(list(items), columns=COLUMNS)
        if frame.empty:
            return 0
        columns = (
            frame["sku"].tolist(),
            frame["source_code"].tolist(),
            frame["quantity"].astype("float64").tolist(),
            frame["status"].astype("int64").tolist(),
        )
        now = datetime.now(UTC)
        rows = [(*row, now, run_id) for row in zip(*columns, strict=True)]
        with self.engine.begin() as conn:
            # the drivers' bulk paths on plain tuples: SQLAlchemy's per-row parameter processing costs
            # tens of µs a row, most of a million-row save
            if conn.dialect.name == "postgresql":
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                execute_values(cursor, UPSERT.replace("(?, ?, ?, ?, ?, ?)", "%s"), rows, page_size=5000)
            else:
                at = now.strftime(SQLITE_TIME)
                conn.exec_driver_sql(UPSERT, [(*r[:4], at, r[5]) for r in rows])
        return len(frame)
