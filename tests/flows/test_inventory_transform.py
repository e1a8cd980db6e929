"""Inventory transform and snapshot, without Airflow: buffer, basis, status, quarantine, store dialects."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from magento_netsuite.flows.inventory.constants import FLOW
from magento_netsuite.flows.inventory.settings import InventorySettings, inventory_settings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import RunContext, source_item
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome

CTX = RunContext(run_id="r1", dag_id="netsuite_inventory_to_magento", task_id="plan")


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document()


def row(**overrides):
    base = {"item_id": "1001", "sku": "SKU-000001", "location_id": "1", "on_hand": 12, "committed": 2}
    base["available"] = base["on_hand"] - base["committed"]
    base["inactive"] = False
    base.update(overrides)
    return base


def convert(doc, settings=None, **overrides):
    return source_item(row(**overrides), doc.flow(FLOW), doc, settings or InventorySettings(), CTX)


def test_mapping_settings_default_to_available_without_buffer(doc) -> None:
    settings = inventory_settings(doc)
    assert settings.quantity_basis == "available"
    assert settings.buffer("SKU-000001", "wh_east") == 0


def test_location_maps_to_source_and_status_follows_quantity(doc) -> None:
    assert convert(doc) == {
        "key": "SKU-000001@wh_east",
        "sku": "SKU-000001",
        "source_code": "wh_east",
        "quantity": 10,
        "status": 1,
    }
    assert convert(doc, location_id="3", available=0)["source_code"] == "wh_central"
    assert convert(doc, available=0)["status"] == 0


def test_safety_buffer_per_sku_wins_over_per_location_and_never_goes_below_zero(doc) -> None:
    settings = InventorySettings(
        buffer_default=Decimal(1),
        buffer_per_location={"wh_east": Decimal(4)},
        buffer_per_sku={"SKU-000001": Decimal(9)},
    )
    assert convert(doc, settings)["quantity"] == 1  # 10 - 9 (per SKU)
    assert convert(doc, settings, sku="SKU-000002")["quantity"] == 6  # 10 - 4 (per location)
    assert convert(doc, settings, sku="SKU-000002", location_id="2")["quantity"] == 9  # default 1
    low = convert(doc, settings, available=3)
    assert low["quantity"] == 0 and low["status"] == 0


def test_on_hand_basis_and_inactive_items(doc) -> None:
    assert convert(doc, InventorySettings(quantity_basis="on_hand"))["quantity"] == 12
    inactive = convert(doc, inactive=True)
    assert inactive["quantity"] == 0 and inactive["status"] == 0


@pytest.mark.parametrize(
    ("overrides", "error_class", "field_path"),
    [
        ({"available": -3}, "validation", "available"),
        ({"available": "lots"}, "validation", "available"),
        ({"location_id": "99"}, "reference", "location_id"),
        ({"sku": ""}, "validation", "sku"),
    ],
)
def test_bad_rows_are_quarantined_with_the_field(doc, overrides, error_class, field_path) -> None:
    outcome = convert(doc, **overrides)
    assert isinstance(outcome, RecordOutcome) and outcome.error is not None
    assert (outcome.error.error_class, outcome.error.field_path) == (error_class, field_path), outcome.error.message
    assert outcome.error.flow == FLOW and outcome.error.run_id == "r1"


@pytest.mark.parametrize("url", ["sqlite", "postgresql"])
def test_snapshot_round_trip(url: str, tmp_path) -> None:
    if url == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 's.db'}")
    else:
        engine = sa.create_engine("postgresql+psycopg2://postgres@127.0.0.1:5432/test")
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS inventory_snapshot"))
    snapshot = Snapshot(engine)
    snapshot.save([{"sku": "A", "source_code": "wh_east", "quantity": 3, "status": 1}], "r1")
    snapshot.save([{"sku": "A", "source_code": "wh_east", "quantity": 0, "status": 0}], "r2")
    snapshot.save([{"sku": "B", "source_code": "wh_west", "quantity": 1.5, "status": 1}], "r2")
    assert snapshot.load(["A"]) == {("A", "wh_east"): (0.0, 0, "r2")}
    assert len(snapshot.load()) == 2
