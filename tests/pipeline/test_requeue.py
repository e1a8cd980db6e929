"""Queued rows for SKUs another flow has since created are found for re-reading (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.pipeline.ledger import Creations
from magento_netsuite.pipeline.requeue import created_since_quarantined


def _unknown(key: str, error_class: str = "reference") -> QuarantineRecord:
    return QuarantineRecord(
        flow="inventory", entity="inventory", record_key=key, error_class=error_class,
        message="SKU is not a Magento product", payload={"sku": key.split("@")[0]}, field_path="sku",
    )  # fmt: skip


def test_only_rows_whose_sku_was_created_and_confirmed_come_back(engine: sa.Engine) -> None:
    store = ErrorQueueStore(engine)
    assert created_since_quarantined("inventory", "products", lambda k: k.split("@")[0], store=store) == []
    store.quarantine([_unknown("A@wh_east"), _unknown("A@wh_west"), _unknown("B@wh_east"), _unknown("C@wh_east"),
                      _unknown("D@wh_east", "validation")])  # fmt: skip
    creations = Creations("products", engine)
    creations.intend(["A", "B", "D"], "run-1")
    creations.created("A", "101", "run-1")  # B: intent only (the create's answer never came)
    creations.created("D", "104", "run-1")  # D: created, but its row is not an unknown-SKU row

    keys = created_since_quarantined("inventory", "products", lambda k: k.split("@")[0], store=store)

    assert keys == ["A@wh_east", "A@wh_west"]
    assert created_since_quarantined("pricing", "products", lambda k: k, store=store) == []
