"""Products (search, get, create, update) and base / tier prices."""

from __future__ import annotations

import httpx
import pytest


def test_search_products_by_type_and_sku(magento: httpx.Client, sc) -> None:
    configurables = magento.get("/rest/V1/products", params=sc([("type_id", "configurable", "eq")])).json()
    assert configurables["total_count"] == 10
    assert all(p["sku"].startswith("CFG-") for p in configurables["items"])
    page = magento.get(
        "/rest/V1/products",
        params=sc([("sku", "SKU-0000%", "like")], page_size=50, current_page=2, sort=[("sku", "ASC")]),
    ).json()
    assert page["total_count"] == 99 and [p["sku"] for p in page["items"]][:2] == ["SKU-000051", "SKU-000052"]
    by_url_key = magento.get("/rest/V1/products", params=sc([("url_key", "sku-000010", "eq")])).json()
    assert [p["sku"] for p in by_url_key["items"]] == ["SKU-000010"]


def test_get_product_shape_and_404(magento: httpx.Client) -> None:
    product = magento.get("/rest/V1/products/SKU-000001").json()
    codes = {a["attribute_code"] for a in product["custom_attributes"]}
    assert {"description", "short_description", "meta_title", "url_key"} <= codes
    assert product["media_gallery_entries"][0]["types"] == ["image", "small_image", "thumbnail"]
    bundle = magento.get("/rest/V1/products/BND-00001").json()
    assert bundle["type_id"] == "bundle" and bundle["extension_attributes"]["bundle_product_options"]
    missing = magento.get("/rest/V1/products/NOPE-1")
    assert missing.status_code == 404
    assert (
        missing.json()["message"] == "The product that was requested doesn't exist. Verify the product and try again."
    )


def test_update_product_merges_attributes(magento: httpx.Client) -> None:
    before = magento.get("/rest/V1/products/SKU-000003").json()
    saved = magento.put(
        "/rest/V1/products/SKU-000003",
        json={
            "product": {
                "name": "Renamed",
                "weight": 2.5,
                "custom_attributes": [{"attribute_code": "meta_title", "value": "New"}],
            }
        },
    ).json()
    assert saved["name"] == "Renamed" and saved["weight"] == pytest.approx(2.5) and saved["price"] == before["price"]
    attributes = {a["attribute_code"]: a["value"] for a in saved["custom_attributes"]}
    assert attributes["meta_title"] == "New" and attributes["description"] == next(
        a["value"] for a in before["custom_attributes"] if a["attribute_code"] == "description"
    )
    assert saved["updated_at"] >= before["updated_at"]
    assert magento.get("/rest/all/V1/products/SKU-000003").json()["name"] == "Renamed"
    bad = magento.put("/rest/V1/products/SKU-000003", json={"product": {"price": -1}})
    assert bad.status_code == 400 and bad.json()["parameters"] == {"value": -1, "fieldName": "price"}


def test_create_product_via_post_and_put(magento: httpx.Client, sc) -> None:
    created = magento.post(
        "/rest/V1/products", json={"product": {"sku": "NEW-1", "name": "New one", "price": 10, "type_id": "simple"}}
    )
    assert created.status_code == 200 and created.json()["id"] > 0
    assert magento.get("/rest/V1/products/NEW-1").json()["name"] == "New one"
    upserted = magento.put("/rest/V1/products/NEW-2", json={"product": {"name": "Via PUT", "price": 1}}).json()
    assert upserted["sku"] == "NEW-2"
    unnamed = magento.post("/rest/V1/products", json={"product": {"sku": "NEW-3", "price": 1}})
    assert unnamed.status_code == 400 and unnamed.json()["parameters"] == ["Product Name"]
    no_sku = magento.post("/rest/V1/products", json={"product": {"name": "x"}})
    assert no_sku.status_code == 400 and no_sku.json()["parameters"] == {"fieldName": "sku"}
    total = magento.get("/rest/V1/products", params=sc([("sku", "NEW-%", "like")])).json()["total_count"]
    assert total == 2


def test_base_prices_apply_valid_rows_and_report_failures_with_200(magento: httpx.Client) -> None:
    answer = magento.post(
        "/rest/V1/products/base-prices",
        json={"prices": [
            {"sku": "SKU-000001", "price": 11.5, "store_id": 0},
            {"sku": "GHOST", "price": 3, "store_id": 0},
            {"sku": "SKU-000002", "price": -4, "store_id": 0},
            {"sku": "SKU-000003", "price": 4, "store_id": 9},
        ]},
    )  # fmt: skip
    assert answer.status_code == 200
    failures = answer.json()
    assert failures == [
        {
            "message": "Requested product doesn't exist. Row ID: SKU = %SKU, Store ID: %storeId.",
            "parameters": ["GHOST", "0"],
        },
        {
            "message": "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU, Store ID: %storeId.",
            "parameters": ["Price", "-4", "SKU-000002", "0"],
        },
        {
            "message": "Requested store is not found. Row ID: SKU = %SKU, Store ID: %storeId.",
            "parameters": ["SKU-000003", "9"],
        },
    ]
    assert all(set(f) == {"message", "parameters"} for f in failures)
    assert magento.get("/rest/V1/products/SKU-000001").json()["price"] == pytest.approx(11.5)
    info = magento.post("/rest/V1/products/base-prices-information", json={"skus": ["SKU-000001"]}).json()
    assert info == [{"price": 11.5, "store_id": 0, "sku": "SKU-000001"}]
    assert magento.post("/rest/V1/products/base-prices", json={"prices": []}).json() == []


def test_tier_prices_add_replace_and_validate(magento: httpx.Client) -> None:
    tier = {
        "sku": "SKU-000004",
        "price": 9.0,
        "price_type": "fixed",
        "website_id": 0,
        "customer_group": "Wholesale",
        "quantity": 1,
    }
    assert (
        magento.post(
            "/rest/V1/products/tier-prices", json={"prices": [tier, {**tier, "quantity": 10, "price": 8.0}]}
        ).json()
        == []
    )
    assert magento.post("/rest/V1/products/tier-prices", json={"prices": [{**tier, "price": 8.5}]}).json() == []
    stored = magento.post("/rest/V1/products/tier-prices-information", json={"skus": ["SKU-000004"]}).json()
    assert sorted((t["quantity"], t["price"]) for t in stored) == [(1, 8.5), (10, 8.0)]
    product = magento.get("/rest/V1/products/SKU-000004").json()
    assert {(t["customer_group_id"], t["qty"]) for t in product["tier_prices"]} == {(2, 1), (2, 10)}
    assert (
        magento.put("/rest/V1/products/tier-prices", json={"prices": [{**tier, "customer_group": "General"}]}).json()
        == []
    )
    replaced = magento.post("/rest/V1/products/tier-prices-information", json={"skus": ["SKU-000004"]}).json()
    assert [t["customer_group"] for t in replaced] == ["General"]
    failures = magento.post(
        "/rest/V1/products/tier-prices",
        json={"prices": [
            {**tier, "customer_group": "Platinum"},
            {**tier, "sku": "GHOST"},
            {**tier, "price_type": "percent"},
            {**tier, "sku": "BND-00001"},
            {**tier, "quantity": 0},
        ]},
    ).json()  # fmt: skip
    assert len(failures) == 5
    assert failures[0]["parameters"] == ["Platinum", "SKU-000004", "0", "Platinum", "1"]


def test_input_limit_on_price_arrays(magento: httpx.Client, magento_server) -> None:
    httpx.post(f"{magento_server.url}/_sandbox/config", json={"input_limit": True}).raise_for_status()
    prices = [{"sku": f"SKU-{n:06d}", "price": 1, "store_id": 0} for n in range(1, 22)]
    refused = magento.post("/rest/V1/products/base-prices", json={"prices": prices})
    assert refused.status_code == 400
    assert refused.json() == {
        "message": 'Maximum items of type "%type" is %max',
        "parameters": {"type": "Magento\\Catalog\\Api\\Data\\BasePriceInterface", "max": 20},
    }
    assert magento.post("/rest/V1/products/base-prices", json={"prices": prices[:20]}).json() == []
