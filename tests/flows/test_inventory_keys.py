"""Inventory keys and quantities that must not hurt: whitespace and comma SKUs, out-of-range stock.

Each test here failed before the fix it names (issue 19): a ``" SKU-000007 "`` row shared the key of
``SKU-000007``; a comma SKU Magento has was called unknown (the ``in`` lookup split it); 1e15, 1e300
and 0.00001 were pushed as stock though Magento's column is ``decimal(12,4)``.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from magento_netsuite.flows.inventory.constants import FLOW
from magento_netsuite.flows.inventory.frames import same
from magento_netsuite.flows.inventory.pipeline import known_skus
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.transform import row_key, source_item
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, utc_now

CTX = RunContext(run_id="r1", dag_id="netsuite_inventory_to_magento", task_id="plan")


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document()


def convert(doc, **row):
    base = {"item_id": "7", "sku": "SKU-000007", "location_id": "1", "on_hand": 39, "committed": 0, "available": 39}
    return source_item({**base, **row}, doc.flow(FLOW), doc, InventorySettings(), CTX)


def test_a_sku_with_surrounding_spaces_keeps_its_own_key_and_is_quarantined(doc) -> None:
    clean = convert(doc)
    padded = convert(doc, sku=" SKU-000007 ", available=999)
    assert not isinstance(clean, RecordOutcome) and clean["key"] == "SKU-000007@wh_east"
    assert isinstance(padded, RecordOutcome) and padded.error is not None
    assert padded.key == " SKU-000007 @wh_east" != clean["key"]
    assert padded.error.field_path == "sku" and "whitespace" in padded.error.message
    assert row_key({"sku": " SKU-000007 ", "location_id": "1"}, doc) != row_key(
        {"sku": "SKU-000007", "location_id": "1"}, doc
    )


@pytest.mark.parametrize("sku", ["SKU\x00NUL", "TAB\tSKU", "X" * 65])
def test_skus_magento_cannot_hold_are_quarantined_on_the_sku(doc, sku: str) -> None:
    outcome = convert(doc, sku=sku)
    assert isinstance(outcome, RecordOutcome) and outcome.error is not None
    assert outcome.error.field_path == "sku"


@pytest.mark.parametrize("available", [1e15, 1e300, "100000000", "0.00001", "12.34567"])
def test_quantities_outside_decimal_12_4_are_quarantined_on_the_quantity_field(doc, available) -> None:
    outcome = convert(doc, available=available)
    assert isinstance(outcome, RecordOutcome) and outcome.error is not None, outcome
    assert (outcome.error.error_class, outcome.error.field_path) == ("validation", "available")


@pytest.mark.parametrize(("available", "pushed"), [("99999999.9999", 99999999.9999), ("0.0001", 0.0001)])
def test_quantities_at_the_edges_of_decimal_12_4_are_pushed_exactly(doc, available, pushed) -> None:
    item = convert(doc, available=available)
    assert not isinstance(item, RecordOutcome)
    assert item["quantity"] == pushed and item["status"] == 1


def test_a_change_of_one_ten_thousandth_is_a_change() -> None:
    assert same(pd.Series([0.0001, 5.0002, 7]), pd.Series([0, 5.0001, 7.0])).tolist() == [False, False, True]


def test_a_comma_sku_magento_has_is_known(flow_env: FlowEnv) -> None:
    from magento_netsuite.connectors.magento import MagentoHook

    flow_env.seed(SeedConfig(skus=5, customers=1, orders=0, seed=3, now=utc_now() - timedelta(hours=1)))
    flow_env.magento.post(
        "products", [{"sku": "PACK,2", "name": "Two-pack", "price": 5, "type_id": "simple", "attribute_set_id": 4}]
    )
    known = known_skus(MagentoHook(), ["PACK,2", "SKU-000001", "PACK", "2", "NOPE,1"])
    assert known == {"PACK,2", "SKU-000001"}
