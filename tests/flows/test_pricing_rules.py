"""The pricing rules without any server: the group rule, the Magento prices NetSuite's prices call for,
and the invoice / shown price functions the parity audit compares."""

from __future__ import annotations

from typing import Any

import pytest

from magento_netsuite.flows.pricing.groups import group_for
from magento_netsuite.flows.pricing.rules import (
    check_item,
    desired_prices,
    expected_magento_price,
    magento_price,
    netsuite_price,
    price_frames,
)
from magento_netsuite.flows.pricing.settings import pricing_settings
from magento_netsuite.governance import load_mapping_document

DOC = load_mapping_document()
SETTINGS = pricing_settings(DOC)


def item(sku: str, levels: dict[str, dict[float, float]], contracts: dict[str, float] | None = None) -> dict[str, Any]:
    return {
        "sku": sku,
        "item_id": "1",
        "prices": [
            {"level": level, "quantity": q, "price": f"{p:.2f}", "currency": "USD"}
            for level, breaks in levels.items()
            for q, p in breaks.items()
        ],
        "contracts": [
            {"customer_id": c, "external_id": f"MAG-CUST-{c}", "level": "2", "price": f"{p:.2f}", "currency": "USD"}
            for c, p in (contracts or {}).items()
        ],
    }


def rows_of(items: list[dict[str, Any]], contract_levels: dict[str, str | None]) -> tuple[dict, Any]:
    desired = desired_prices(*price_frames(items), contract_levels, SETTINGS, DOC)
    table = {(r.sku, r.group, r.quantity): r.price for r in desired.rows.itertuples()}
    return table, desired


def test_group_rule_level_groups_and_contract_groups() -> None:
    assert group_for({"id": "7", "priceLevel": {"id": "2"}, "has_contract_prices": False}) == "Wholesale"
    assert group_for({"id": "7", "price_level_id": "3"}) == "Distributor"
    assert group_for({"id": "7", "price_level_id": None}) == "General"  # no level: the Base Price level
    assert group_for({"id": "7", "price_level_id": "2", "has_contract_prices": True}) == "CONTRACT-7"
    with pytest.raises(KeyError, match="price level 9"):
        group_for({"id": "7", "price_level_id": "9"})


def test_levels_and_breaks_become_group_tiers_and_break_zero_means_any_quantity() -> None:
    prices = {"1": {0: 20.0, 10: 19.0, 50: 18.0}, "2": {0: 17.0, 10: 16.0, 50: 15.0}}
    table, desired = rows_of([item("A", prices)], {})
    assert table["A", "", 0.0] == pytest.approx(20.0)  # the Base Price level at quantity 0 is the product price
    assert {k: v for k, v in table.items() if k[1] == "Wholesale"} == {
        ("A", "Wholesale", 1.0): 17.0,  # break 0 ("any") is Magento's quantity 1
        ("A", "Wholesale", 10.0): 16.0,
        ("A", "Wholesale", 50.0): 15.0,
    }
    for group in ("General", "NOT LOGGED IN"):  # the base level's own breaks; its quantity 0 is the price
        assert {k[2]: v for k, v in table.items() if k[1] == group} == {10.0: 19.0, 50.0: 18.0}
    assert desired.unrepresentable.empty


def test_contract_price_replaces_the_level_at_every_quantity_in_the_contract_group() -> None:
    prices = {"1": {0: 20.0}, "2": {0: 17.0, 10: 16.0, 50: 15.0}}
    table, _ = rows_of([item("A", prices, {"55": 12.5}), item("B", prices)], {"55": "2"})
    assert {k: v for k, v in table.items() if k[1] == "CONTRACT-55"} == {
        ("A", "CONTRACT-55", 1.0): 12.5,  # the contract price alone on its SKU
        ("B", "CONTRACT-55", 1.0): 17.0,  # the customer's level elsewhere
        ("B", "CONTRACT-55", 10.0): 16.0,
        ("B", "CONTRACT-55", 50.0): 15.0,
    }
    a = item("A", prices, {"55": 12.5})
    for qty in (1, 10, 50, 100):
        assert netsuite_price(a, "2", "55", qty, "1") == pytest.approx(12.5)
        tiers = [{"customer_group": g, "quantity": q, "price": p, "price_type": "fixed", "website_id": 0}
                 for (sku, g, q), p in table.items() if sku == "A" and g]  # fmt: skip
        assert magento_price(20.0, tiers, "CONTRACT-55", qty, 0) == pytest.approx(12.5)


def test_prices_magento_cannot_show_are_reported_not_written() -> None:
    prices = {"1": {0: 20.0}, "4": {0: 22.0, 10: 21.0, 50: 19.5}, "3": {0: 15.0, 10: 16.0}}
    table, desired = rows_of([item("A", prices)], {})
    assert {k: v for k, v in table.items() if k[1] == "Retailer"} == {("A", "Retailer", 50.0): 19.5}
    unshowable = {(r.level, r.quantity) for r in desired.unrepresentable.itertuples()}
    assert unshowable == {("4", 0.0), ("4", 10.0), ("3", 10.0)}  # above base; above a lower break
    a = item("A", prices)
    assert netsuite_price(a, "4", None, 5, "1") == pytest.approx(22.0)
    assert expected_magento_price(a, "4", None, 5, "1") == pytest.approx(20.0)


def test_bad_rows_name_the_sku_and_the_field() -> None:
    no_base = check_item(item("A", {"2": {0: 17.0}}), SETTINGS)
    assert no_base is not None and no_base.field == "base_price" and "A" in no_base.message
    negative = check_item(item("B", {"1": {0: 20.0}, "2": {0: -1.0}}), SETTINGS)
    assert negative is not None and negative.field == "tier_price" and "B" in negative.message
    assert check_item(item("C", {"1": {0: 20.0}}), SETTINGS) is None
