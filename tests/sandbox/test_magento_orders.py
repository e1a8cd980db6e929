"""Orders: list and get in every store scope, comments, shipments."""

from __future__ import annotations

import re

import httpx
import pytest

NO_SUCH_ENTITY = {
    "message": "The entity that was requested doesn't exist. Verify the entity and try again.",
    "parameters": [],
}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.mark.parametrize("prefix", ["/rest/V1", "/rest/default/V1", "/rest/all/V1"])
def test_get_order_in_every_store_scope(magento: httpx.Client, prefix: str) -> None:
    order = magento.get(f"{prefix}/orders/3").json()
    assert order["entity_id"] == 3 and order["increment_id"] == "000000003"
    assert STAMP.match(order["created_at"]) and STAMP.match(order["updated_at"])
    assert isinstance(order["customer_is_guest"], int)
    assert order["items"] and all("sku" in line for line in order["items"])
    assert order["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]["address_type"] == "shipping"


def test_missing_order_is_404(magento: httpx.Client) -> None:
    missing = magento.get("/rest/V1/orders/9999")
    assert missing.status_code == 404 and missing.json() == NO_SUCH_ENTITY
    assert magento.post("/rest/V1/order/9999/ship", json={}).status_code == 404
    assert magento.post("/rest/V1/orders/9999/comments", json={"statusHistory": {"comment": "x"}}).status_code == 404


def test_unknown_route_is_magento_404(magento: httpx.Client) -> None:
    response = magento.get("/rest/V1/no-such-thing")
    assert response.status_code == 404 and response.json() == {
        "message": "Request does not match any route.",
        "parameters": [],
    }


def test_comment_is_added_without_changing_status(magento: httpx.Client) -> None:
    before = magento.get("/rest/V1/orders/2").json()
    answer = magento.post(
        "/rest/V1/orders/2/comments",
        json={
            "statusHistory": {"comment": "Synced to NetSuite as SO-1", "is_customer_notified": 0, "status": "complete"}
        },
    )
    assert answer.status_code == 200 and answer.json() is True
    after = magento.get("/rest/V1/orders/2").json()
    assert after["status_histories"][0]["comment"] == "Synced to NetSuite as SO-1"
    assert after["status"] == before["status"] == "processing"  # 2.4.7+: comments no longer change status
    assert after["updated_at"] >= before["updated_at"]
    missing = magento.post("/rest/V1/orders/2/comments", json={"comment": "flat"})
    assert missing.status_code == 400 and missing.json()["parameters"] == {"fieldName": "statusHistory"}


def test_ship_everything_returns_an_int_and_updates_quantities(magento: httpx.Client) -> None:
    order = magento.get("/rest/V1/orders/1").json()
    shipment_id = magento.post(
        "/rest/V1/order/1/ship",
        json={
            "notify": False,
            "appendComment": True,
            "comment": {"comment": "Shipped from NetSuite IF-7", "is_visible_on_front": 0},
            "tracks": [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}],
            "arguments": {"extension_attributes": {"source_code": "wh_east"}},
        },
    ).json()
    assert isinstance(shipment_id, int) and shipment_id >= 1
    shipped = magento.get("/rest/V1/orders/1").json()
    for line in shipped["items"]:
        assert line["qty_shipped"] == line["qty_ordered"]
    assert shipped["status_histories"][0]["comment"] == "Shipped from NetSuite IF-7"
    assert shipped["updated_at"] >= order["updated_at"]
    again = magento.post("/rest/V1/order/1/ship", json={})
    assert again.status_code == 400
    assert again.json()["message"].startswith("Shipment Document Validation Error(s):")


def test_partial_and_over_shipment(magento: httpx.Client) -> None:
    order = magento.get("/rest/V1/orders/4").json()
    line = next(item for item in order["items"] if "parent_item_id" not in item)
    first = magento.post("/rest/V1/order/4/ship", json={"items": [{"order_item_id": line["item_id"], "qty": 1}]})
    assert first.status_code == 200
    second = magento.post("/rest/V1/order/4/ship", json={"items": [{"order_item_id": line["item_id"], "qty": 1}]})
    assert second.json() == first.json() + 1
    too_many = magento.post(
        "/rest/V1/order/4/ship", json={"items": [{"order_item_id": line["item_id"], "qty": line["qty_ordered"]}]}
    )
    assert too_many.status_code == 400 and too_many.json()["parameters"] == [line["name"]]
    unknown_item = magento.post("/rest/V1/order/4/ship", json={"items": [{"order_item_id": 999999, "qty": 1}]})
    assert unknown_item.status_code == 400
    bad_source = magento.post(
        "/rest/V1/order/4/ship",
        json={
            "items": [{"order_item_id": line["item_id"], "qty": 0}],
            "arguments": {"extension_attributes": {"source_code": "x"}},
        },
    )
    assert bad_source.status_code == 400
    after = magento.get("/rest/V1/orders/4").json()
    assert next(i for i in after["items"] if i["item_id"] == line["item_id"])["qty_shipped"] == 2


def test_configurable_child_ships_with_its_parent(magento: httpx.Client) -> None:
    orders = magento.get("/rest/V1/orders").json()["items"]
    order = next(o for o in orders if any(i["product_type"] == "configurable" for i in o["items"]))
    parent = next(i for i in order["items"] if i["product_type"] == "configurable")
    child = next(i for i in order["items"] if i.get("parent_item_id") == parent["item_id"])
    assert child["sku"] == parent["sku"] and child["price"] == 0
    magento.post(
        f"/rest/V1/order/{order['entity_id']}/ship", json={"items": [{"order_item_id": parent["item_id"], "qty": 1}]}
    ).raise_for_status()
    after = {i["item_id"]: i for i in magento.get(f"/rest/V1/orders/{order['entity_id']}").json()["items"]}
    assert after[parent["item_id"]]["qty_shipped"] == 1 and after[child["item_id"]]["qty_shipped"] == 1
