"""Control endpoints: reset, seed, state, raw inserts, order patch, source-item dump, config."""

from __future__ import annotations

import httpx
import pytest

from magento_netsuite.sandbox.common.server import SandboxServer


@pytest.fixture
def control(magento_server: SandboxServer, magento: httpx.Client) -> httpx.Client:
    return httpx.Client(base_url=magento_server.url, timeout=30)


def test_reset_restores_the_seed(magento: httpx.Client, control: httpx.Client) -> None:
    magento.put("/rest/V1/products/SKU-000001", json={"product": {"name": "Changed"}}).raise_for_status()
    magento.post("/rest/V1/order/1/ship", json={}).raise_for_status()
    counts = control.post("/_sandbox/reset").json()
    assert counts["shipments"] == 0 and counts["orders"] == 20
    assert magento.get("/rest/V1/products/SKU-000001").json()["name"] != "Changed"
    assert all(i["qty_shipped"] == 0 for i in magento.get("/rest/V1/orders/1").json()["items"])


def test_state_lookups(control: httpx.Client) -> None:
    state = control.get(
        "/_sandbox/state", params={"sku": "SKU-000002", "order": "000000005", "email": "customer00003@example.test"}
    ).json()
    assert state["counts"]["products"] == 224 and state["config"]["input_limit"] is False
    assert state["product"]["sku"] == "SKU-000002" and len(state["source_items"]) == 3
    assert state["order"]["increment_id"] == "000000005" and state["shipments"] == []
    assert state["customer"]["id"] == 3
    assert control.get("/_sandbox/state", params={"sku": "NOPE"}).json()["product"] is None


def test_insert_raw_records(magento: httpx.Client, control: httpx.Client, sc) -> None:
    template = magento.get("/rest/V1/orders/1").json()
    raw = {key: value for key, value in template.items() if key not in ("entity_id", "increment_id")}
    created = control.post("/_sandbox/orders", json=raw)
    assert created.status_code == 201
    order = created.json()[0]
    assert order["entity_id"] == 21 and order["increment_id"] == "000000021"
    assert magento.get("/rest/V1/orders", params=sc([("increment_id", "000000021", "eq")])).json()["total_count"] == 1
    duplicate = control.post("/_sandbox/orders", json={**template, "entity_id": 99})
    assert duplicate.status_code == 400
    customer = control.post(
        "/_sandbox/customers", json=[{"email": "new@example.test", "firstname": "N", "lastname": "W"}]
    ).json()[0]
    assert customer["id"] == 51 and magento.get("/rest/V1/customers/51").json()["email"] == "new@example.test"
    product = control.post(
        "/_sandbox/products", json={"sku": "RAW-1", "name": "Raw", "price": 5, "type_id": "simple"}
    ).json()[0]
    assert magento.get("/rest/V1/products/RAW-1").json()["id"] == product["id"]


def test_patch_order_fixes_a_postcode_and_bumps_updated_at(magento: httpx.Client, control: httpx.Client, sc) -> None:
    before = magento.get("/rest/V1/orders/6").json()
    path = "extension_attributes.shipping_assignments[0].shipping.address.postcode"
    patched = control.patch("/_sandbox/orders/000000006", json={path: "99999", "customer_note": "fixed"}).json()
    assert patched["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]["postcode"] == "99999"
    assert patched["customer_note"] == "fixed" and patched["updated_at"] > before["updated_at"]
    fresh = magento.get("/rest/V1/orders", params=sc([("updated_at", patched["updated_at"], "gteq")])).json()
    assert "000000006" in [o["increment_id"] for o in fresh["items"]]
    merged = control.patch("/_sandbox/orders/000000006", json={"payment": {"po_number": "PO-9"}}).json()
    assert merged["payment"]["po_number"] == "PO-9" and merged["payment"]["method"] == before["payment"]["method"]
    assert control.patch("/_sandbox/orders/000000999", json={}).status_code == 404
    assert control.patch("/_sandbox/orders/000000006", json={"items[99].sku": "x"}).status_code == 400


def test_source_item_dump(control: httpx.Client) -> None:
    dump = control.get("/_sandbox/source-items").json()
    assert dump["total_count"] == len(dump["items"]) == 610
    east = control.get("/_sandbox/source-items", params={"source_code": "wh_east"}).json()
    assert east["total_count"] == 200
    one = control.get("/_sandbox/source-items", params={"sku": "SKU-000001"}).json()
    assert one["total_count"] == 3


def test_seed_replaces_the_data_and_becomes_the_baseline(magento: httpx.Client, control: httpx.Client) -> None:
    seeded = control.post(
        "/_sandbox/seed", json={"skus": 30, "customers": 5, "orders": 3, "seed": 7, "now": "2026-11-29T01:00:00Z"}
    ).json()
    assert seeded["counts"]["orders"] == 3 and seeded["counts"]["customers"] == 5
    assert magento.get("/rest/V1/orders").json()["total_count"] == 3
    magento.post("/rest/V1/order/1/ship", json={}).raise_for_status()
    assert control.post("/_sandbox/reset").json()["orders"] == 3
    bad = control.post("/_sandbox/seed", json={"skus": 0})
    assert bad.status_code == 400 and "skus" in bad.json()["message"]
    assert control.post("/_sandbox/seed", json={"colour": "red"}).status_code == 400
    control.post("/_sandbox/seed", json={"now": "2026-11-29T02:00:00Z"}).raise_for_status()  # back to the default seed


def test_config_validation(control: httpx.Client) -> None:
    assert control.post("/_sandbox/config", json={"input_limit": "yes"}).status_code == 400
    assert control.post("/_sandbox/config", json={"bulk_delay_ms": -1}).status_code == 400
    assert control.post("/_sandbox/config", json={"colour": 1}).status_code == 400
    config = control.post("/_sandbox/config", json={"bearer_enabled": False, "latency_ms": 5}).json()
    assert config["bearer_enabled"] is False and config["latency_ms"] == 5
