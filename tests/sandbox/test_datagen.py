"""The seed generator: deterministic, consistent across Magento and NetSuite, mismatch shares exact."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from magento_netsuite.sandbox.datagen import (
    GROUP_TO_PRICE_LEVEL,
    LOCATION_SOURCES,
    Dataset,
    SeedConfig,
    generate,
)


def _cents(value: float) -> int:
    return round(value * 100)


def test_same_seed_same_data_other_seed_other_data(fixed_now: datetime) -> None:
    first = generate(SeedConfig(now=fixed_now))
    second = generate(SeedConfig(now=fixed_now))
    other = generate(SeedConfig(now=fixed_now, seed=7))
    assert dataclasses.asdict(first) == dataclasses.asdict(second)
    assert first.orders != other.orders
    assert [i.base_price for i in first.items] != [i.base_price for i in other.items]


def test_identity_rules_hold_across_systems(small_dataset: Dataset) -> None:
    ds = small_dataset
    assert len(ds.items) == 200
    assert ds.items[0].internal_id == 1001 and ds.items[0].sku == "SKU-000001"
    simple_skus = {p.sku for p in ds.products if p.type_id == "simple" and p.sku.startswith("SKU-")}
    assert simple_skus == {i.sku for i in ds.items}
    assert [loc.source_code for loc in ds.locations] == list(LOCATION_SOURCES[:3])
    assert ds.sources == ["default", "wh_east", "wh_west", "wh_central"]
    by_external = ds.ns_customer_by_external_id()
    for customer in ds.magento_customers:
        ns = by_external.get(f"MAG-CUST-{customer['id']}")
        if customer["id"] in ds.mismatches["unknown_customers"]:
            assert ns is None
            continue
        assert ns is not None and ns.internal_id == 2000 + customer["id"]
        assert ns.email == customer["email"] == f"customer{customer['id']:05d}@example.test"
        assert ns.pricelevel_id == GROUP_TO_PRICE_LEVEL[customer["group_id"]]
        assert ns.addressbook[0]["addressBookAddress"]["zip"] == customer["addresses"][0]["postcode"]
    for product in ds.products:
        if product.type_id in ("configurable", "bundle"):
            assert product.children and all(child.startswith("SKU-") for child in product.children)


def test_pricing_and_inventory_rows_are_complete(small_dataset: Dataset) -> None:
    for item in small_dataset.items:
        assert {(row.price_level_id, row.quantity) for row in item.pricing} == {
            (level, qty) for level in (1, 2, 3, 4) for qty in (0, 10, 50)
        }
        base = next(row for row in item.pricing if row.price_level_id == 1 and row.quantity == 0)
        assert base.unit_price == item.base_price
        assert [inv.location_id for inv in item.inventory] == [1, 2, 3]
        for inv in item.inventory:
            assert inv.available == inv.on_hand - inv.committed >= 0
    for price in small_dataset.contract_prices:
        assert price.customer_external_id == f"MAG-CUST-{price.customer_internal_id - 2000}"


def test_source_items_match_netsuite_except_the_stale_share(small_dataset: Dataset) -> None:
    ds = small_dataset
    available = {
        (item.sku, ds.locations[inv.location_id - 1].source_code): inv.available
        for item in ds.items
        for inv in item.inventory
    }
    stale = {tuple(pair) for pair in ds.mismatches["stale_source_items"]}
    assert len(stale) == round(len(available) * 0.1)
    for row in ds.source_items:
        if row.source_code == "default":
            assert row.sku.startswith("MAGONLY-")
            continue
        if (row.sku, row.source_code) in stale:
            assert row.quantity != available[row.sku, row.source_code]
        else:
            assert row.quantity == available[row.sku, row.source_code]
        assert row.status == (1 if row.quantity > 0 else 0)


def test_orders_have_magento_shape_and_totals_add_up(small_dataset: Dataset, fixed_now: datetime) -> None:
    ds = small_dataset
    assert [o["increment_id"] for o in ds.orders] == [f"{n:09d}" for n in range(1, 21)]
    for order in ds.orders:
        created = datetime.strptime(order["created_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=fixed_now.tzinfo)
        assert fixed_now - timedelta(minutes=60) <= created < fixed_now
        top = [line for line in order["items"] if "parent_item_id" not in line]
        assert _cents(order["subtotal"]) == sum(_cents(line["row_total"]) for line in top)
        assert _cents(order["tax_amount"]) == sum(_cents(line["tax_amount"]) for line in top)
        assert _cents(order["grand_total"]) == (
            _cents(order["subtotal"])
            + _cents(order["discount_amount"])
            + _cents(order["shipping_amount"])
            + _cents(order["tax_amount"])
        )
        assert order["base_grand_total"] == order["grand_total"]
        assignment = order["extension_attributes"]["shipping_assignments"][0]
        assert assignment["shipping"]["method"] == "flatrate_flatrate"
        assert assignment["shipping"]["total"]["shipping_amount"] == order["shipping_amount"]
        assert order["payment"]["method"] in ("checkmo", "purchaseorder")
        ids = {line["item_id"] for line in order["items"]}
        assert all(line["parent_item_id"] in ids for line in order["items"] if "parent_item_id" in line)
        if order["customer_is_guest"]:
            assert "customer_id" not in order and order["customer_group_id"] == 0
        else:
            assert isinstance(order["customer_id"], int)


def test_mismatch_shares_are_exact(fixed_now: datetime) -> None:
    cfg = SeedConfig(
        skus=300,
        customers=100,
        orders=200,
        now=fixed_now,
        unknown_sku_share=0.1,
        unknown_customer_share=0.2,
        missing_postcode_share=0.15,
        configurable_share=0.25,
        bundle_share=0.05,
        guest_share=0.3,
    )
    ds = generate(cfg)
    m = ds.mismatches
    assert len(m["magento_only_skus"]) == 30
    assert len(m["unknown_customers"]) == 20 and len(ds.ns_customers) == 80
    assert len(m["guest_orders"]) == 60
    assert len(m["unknown_customer_orders"]) == 40
    assert len(m["missing_postcode_orders"]) == 30
    by_inc = {o["increment_id"]: o for o in ds.orders}
    ns_skus = {i.sku for i in ds.items} | {p.sku for p in ds.products if p.type_id == "bundle"}
    unknown_sku_orders = {inc for inc, o in by_inc.items() if any(line["sku"] not in ns_skus for line in o["items"])}
    assert unknown_sku_orders == set(m["unknown_sku_orders"]) and len(unknown_sku_orders) == 20
    for inc in m["unknown_customer_orders"]:
        assert by_inc[inc]["customer_id"] in m["unknown_customers"]
    for inc, order in by_inc.items():
        postcode = order["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]["postcode"]
        assert (postcode is None) == (inc in m["missing_postcode_orders"])
    assert sum(any(line["product_type"] == "configurable" for line in o["items"]) for o in ds.orders) == 50
    assert sum(any(line["product_type"] == "bundle" for line in o["items"]) for o in ds.orders) == 10


def test_zero_shares_plant_no_mismatch(fixed_now: datetime) -> None:
    ds = generate(
        SeedConfig(
            now=fixed_now,
            unknown_sku_share=0,
            unknown_customer_share=0,
            missing_postcode_share=0,
            stale_inventory_share=0,
        )
    )
    assert all(not ds.mismatches[key] for key in ds.mismatches if key != "guest_orders")
    assert len(ds.ns_customers) == len(ds.magento_customers)


def test_invalid_config_names_the_field() -> None:
    with pytest.raises(ValueError, match="guest_share"):
        SeedConfig(guest_share=1.5)
    with pytest.raises(ValueError, match="locations"):
        SeedConfig(locations=9)


def test_large_catalogue_scales(fixed_now: datetime) -> None:
    ds = generate(SeedConfig(skus=20000, locations=3, customers=500, orders=100, now=fixed_now))
    assert len(ds.items) == 20000 and ds.items[-1].sku == "SKU-020000"
    assert len(ds.source_items) >= 60000
