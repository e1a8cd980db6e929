"""What we last pushed to Magento, in ``mns_store`` (SQLite or PostgreSQL).

``pricing_snapshot`` holds one row per ``(sku, customer_group, quantity)`` Magento accepted: the base
price (group ``""``, quantity 0) and every tier price, with the run that pushed it. A run writes only
rows that differ from it and deletes the tier prices it holds that NetSuite no longer has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from more_itertools import chunked

from magento_netsuite.flows.pricing.rules import COLUMNS, empty_frame
from magento_netsuite.store import engine_for

METADATA = sa.MetaData()
SNAPSHOT = sa.Table(
    "pricing_snapshot",
    METADATA,
    sa.Column("sku", sa.String(128), primary_key=True),
    sa.Column("customer_group", sa.String(64), primary_key=True),
    sa.Column("quantity", sa.Float, primary_key=True),
    sa.Column("price", sa.Float, nullable=False),
    sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
)
CHUNK = 500
WRITE_CHUNK = 5000


class PriceSnapshot:
    """Reads and writes the snapshot table (created on first use)."""

    def __init__(self, engine: sa.Engine | None = None) -> None:
        self.engine = engine or engine_for()
        METADATA.create_all(self.engine, checkfirst=True)

    def frame(self, skus: Iterable[str] | None = None) -> pd.DataFrame:
        """``sku, group, quantity, price``: everything, or only these SKUs."""
        cols = (SNAPSHOT.c.sku, SNAPSHOT.c.customer_group, SNAPSHOT.c.quantity, SNAPSHOT.c.price)
        if skus is None:
            queries: Iterable[Any] = [sa.select(*cols)]
        else:
            wanted = sorted(set(skus))
            queries = (
                sa.select(*cols).where(SNAPSHOT.c.sku.in_(wanted[i : i + CHUNK])) for i in range(0, len(wanted), CHUNK)
            )
        rows: list[tuple[Any, ...]] = []
        with self.engine.connect() as conn:
            for query in queries:
                rows.extend(tuple(r) for r in conn.execute(query))
        return pd.DataFrame(rows, columns=COLUMNS) if rows else empty_frame()

    def sku_pages(self, size: int = 5000) -> Iterator[list[str]]:
        """Every SKU of the snapshot in order, ``size`` at a time (keyset-paged: one page in memory)."""
        last: str | None = None
        while True:
            query = sa.select(SNAPSHOT.c.sku).distinct().order_by(SNAPSHOT.c.sku).limit(size)
            if last is not None:
                query = query.where(SNAPSHOT.c.sku > last)
            with self.engine.connect() as conn:
                page = [r[0] for r in conn.execute(query)]
            if page:
                yield page
            if len(page) < size:
                return
            last = page[-1]

    def present(self, skus: Iterable[str]) -> set[str]:
        """Which of ``skus`` the snapshot holds (bulk ``IN`` lookups)."""
        wanted = sorted(set(skus))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), CHUNK):
                query = sa.select(SNAPSHOT.c.sku).distinct().where(SNAPSHOT.c.sku.in_(wanted[i : i + CHUNK]))
                found.update(r[0] for r in conn.execute(query))
        return found

    def count(self) -> int:
        """SKUs in the snapshot."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count(SNAPSHOT.c.sku.distinct()))).scalar_one())

    def _upsert(self) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(SNAPSHOT)
        return stmt.on_conflict_do_update(
            index_elements=["sku", "customer_group", "quantity"],
            set_={"price": stmt.excluded.price, "pushed_at": stmt.excluded.pushed_at, "run_id": stmt.excluded.run_id},
        )

    def apply(
        self, written: Iterable[tuple[str, str, float, float]], deleted: Iterable[tuple[str, str, float]], run_id: str
    ) -> None:
        """Record rows Magento accepted (``sku, group, quantity, price``) and the tier prices deleted."""
        now = datetime.now(UTC)
        rows = (
            {"sku": s, "customer_group": g, "quantity": float(q), "price": float(p), "pushed_at": now, "run_id": run_id}
            for s, g, q, p in written
        )
        gone = ({"s": s, "g": g, "q": float(q)} for s, g, q in deleted)
        delete = SNAPSHOT.delete().where(
            SNAPSHOT.c.sku == sa.bindparam("s"),
            SNAPSHOT.c.customer_group == sa.bindparam("g"),
            SNAPSHOT.c.quantity == sa.bindparam("q"),
        )
        with self.engine.begin() as conn:  # one transaction, statements of WRITE_CHUNK rows each
            for batch in chunked(rows, WRITE_CHUNK):
                conn.execute(self._upsert(), batch)
            for batch in chunked(gone, WRITE_CHUNK):
                conn.execute(delete, batch)
