"""What we last pushed to Magento, in ``mns_store`` (SQLite or PostgreSQL).

``inventory_snapshot`` holds one row per ``(sku, source_code)`` Magento accepted: the quantity and
status we sent, when, and by which run. A delta pushes only rows that differ from it. (Which changes
a run reads is the kit's watermark, :mod:`magento_netsuite.pipeline.watermark`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

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
CHUNK = 500


class Snapshot:
    """Reads and writes the snapshot table (created on first use)."""

    def __init__(self, engine: sa.Engine | None = None) -> None:
        self.engine = engine or engine_for()
        METADATA.create_all(self.engine, checkfirst=True)

    def _upsert(self, table: sa.Table, keys: list[str]) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table)
        updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        return stmt.on_conflict_do_update(index_elements=keys, set_=updates)

    def load(self, skus: Iterable[str] | None = None) -> dict[tuple[str, str], tuple[float, int, str]]:
        """``(sku, source_code) → (quantity, status, run_id)``: everything, or only these SKUs."""
        cols = (SNAPSHOT.c.sku, SNAPSHOT.c.source_code, SNAPSHOT.c.quantity, SNAPSHOT.c.status, SNAPSHOT.c.run_id)
        out: dict[tuple[str, str], tuple[float, int, str]] = {}
        with self.engine.connect() as conn:
            if skus is None:
                batches: Iterable[Any] = [sa.select(*cols)]
            else:
                wanted = sorted(set(skus))
                batches = (
                    sa.select(*cols).where(SNAPSHOT.c.sku.in_(wanted[i : i + CHUNK]))
                    for i in range(0, len(wanted), CHUNK)
                )
            for query in batches:
                for sku, code, qty, status, run_id in conn.execute(query):
                    out[sku, code] = (float(qty), int(status), run_id)
        return out

    def save(self, items: Iterable[Mapping[str, Any]], run_id: str) -> int:
        """Record items Magento accepted (``sku, source_code, quantity, status``)."""
        now = datetime.now(UTC)
        rows = [
            {
                "sku": i["sku"],
                "source_code": i["source_code"],
                "quantity": float(i["quantity"]),
                "status": int(i["status"]),
                "pushed_at": now,
                "run_id": run_id,
            }
            for i in items
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(self._upsert(SNAPSHOT, ["sku", "source_code"]), rows)
        return len(rows)
