"""MSI source items (sync and async bulk) and the bulk status endpoint."""

from __future__ import annotations

import time

import httpx

from magento_netsuite.sandbox.common.server import SandboxServer


def _wait_bulk(magento: httpx.Client, bulk_uuid: str) -> dict:
    deadline = time.monotonic() + 5
    while True:
        status = magento.get(f"/rest/V1/bulk/{bulk_uuid}/status").json()
        if all(op["status"] != 4 for op in status["operations_list"]) or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_search_source_items_by_sku_and_source(magento: httpx.Client, sc) -> None:
    rows = magento.get("/rest/V1/inventory/source-items", params=sc([("sku", "SKU-000010", "eq")])).json()
    assert rows["total_count"] == 3 and {r["source_code"] for r in rows["items"]} == {
        "wh_east",
        "wh_west",
        "wh_central",
    }
    assert set(rows["items"][0]) == {"sku", "source_code", "quantity", "status"}
    east = magento.get(
        "/rest/V1/inventory/source-items",
        params=sc([("sku", "SKU-000010,SKU-000011", "in")], [("source_code", "wh_east", "eq")]),
    ).json()
    assert [(r["sku"], r["source_code"]) for r in east["items"]] == [
        ("SKU-000010", "wh_east"),
        ("SKU-000011", "wh_east"),
    ]
    paged = magento.get("/rest/V1/inventory/source-items", params=sc(page_size=100, current_page=7)).json()
    assert paged["total_count"] == 610 and len(paged["items"]) == 10


def test_save_source_items_returns_empty_array(magento: httpx.Client, sc) -> None:
    answer = magento.post(
        "/rest/V1/inventory/source-items",
        json={"sourceItems": [
            {"sku": "SKU-000010", "source_code": "wh_east", "quantity": 42, "status": 1},
            {"sku": "SKU-000010", "source_code": "default", "quantity": 0, "status": 0},
        ]},
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json() == []
    rows = {r["source_code"]: r for r in magento.get(
        "/rest/V1/inventory/source-items", params=sc([("sku", "SKU-000010", "eq")])
    ).json()["items"]}  # fmt: skip
    assert rows["wh_east"]["quantity"] == 42 and rows["default"]["status"] == 0


def test_unknown_sku_or_source_rejects_the_request_per_item(
    magento: httpx.Client, magento_server: SandboxServer
) -> None:
    answer = magento.post(
        "/rest/V1/inventory/source-items",
        json={"sourceItems": [
            {"sku": "SKU-000010", "source_code": "wh_east", "quantity": 1, "status": 1},
            {"sku": "GHOST-1", "source_code": "wh_east", "quantity": 1, "status": 1},
            {"sku": "SKU-000011", "source_code": "wh_mars", "quantity": 1, "status": 1},
        ]},
    )  # fmt: skip
    assert answer.status_code == 400
    body = answer.json()
    assert body["message"] == "Validation Failed"
    assert body["errors"] == [
        {"message": 'Product with SKU "%sku" does not exist.', "parameters": {"sku": "GHOST-1"}},
        {"message": 'Source with code "%code" does not exist.', "parameters": {"code": "wh_mars"}},
    ]
    state = httpx.get(f"{magento_server.url}/_sandbox/state", params={"sku": "SKU-000010"}).json()
    assert next(r for r in state["source_items"] if r["source_code"] == "wh_east")["quantity"] != 1  # nothing saved
    missing = magento.post("/rest/V1/inventory/source-items", json={"items": []})
    assert missing.status_code == 400 and missing.json()["parameters"] == {"fieldName": "sourceItems"}


def test_input_limit_on_source_items(magento: httpx.Client, magento_server: SandboxServer) -> None:
    items = [{"sku": f"SKU-{n:06d}", "source_code": "wh_east", "quantity": 5, "status": 1} for n in range(1, 22)]
    assert magento.post("/rest/V1/inventory/source-items", json={"sourceItems": items}).status_code == 200
    httpx.post(f"{magento_server.url}/_sandbox/config", json={"input_limit": True}).raise_for_status()
    refused = magento.post("/rest/V1/inventory/source-items", json={"sourceItems": items})
    assert refused.status_code == 400
    assert refused.json() == {
        "message": 'Maximum items of type "%type" is %max',
        "parameters": {"type": "Magento\\InventoryApi\\Api\\Data\\SourceItemInterface", "max": 20},
    }


def test_async_bulk_accepts_then_completes(magento: httpx.Client, magento_server: SandboxServer, sc) -> None:
    httpx.post(f"{magento_server.url}/_sandbox/config", json={"bulk_delay_ms": 300}).raise_for_status()
    operations = [
        {"sourceItems": [{"sku": "SKU-000020", "source_code": "wh_west", "quantity": 77, "status": 1}]},
        {"sourceItems": [{"sku": "GHOST", "source_code": "wh_west", "quantity": 1, "status": 1}]},
    ]
    accepted = magento.post("/rest/async/bulk/V1/inventory/source-items", json=operations)
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["errors"] is False and [i["status"] for i in body["request_items"]] == ["accepted", "accepted"]
    assert [i["id"] for i in body["request_items"]] == [0, 1] and len(body["request_items"][0]["data_hash"]) == 64
    open_status = magento.get(f"/rest/V1/bulk/{body['bulk_uuid']}/status").json()
    assert [op["status"] for op in open_status["operations_list"]] == [4, 4]
    done = _wait_bulk(magento, body["bulk_uuid"])
    assert done["operation_count"] == 2 and done["bulk_id"] == body["bulk_uuid"]
    complete, failed = done["operations_list"]
    assert complete["status"] == 1
    assert failed["status"] == 3 and failed["result_message"] == 'Product with SKU "GHOST" does not exist.'
    row = magento.get(
        "/rest/V1/inventory/source-items", params=sc([("sku", "SKU-000020", "eq")], [("source_code", "wh_west", "eq")])
    ).json()["items"][0]
    assert row["quantity"] == 77


def test_bulk_store_prefix_rejected_items_and_unknown_uuid(magento: httpx.Client) -> None:
    answer = magento.post("/rest/default/async/bulk/V1/inventory/source-items", json=[{"nope": 1}]).json()
    assert answer["errors"] is True and answer["request_items"][0]["status"] == "rejected"
    assert _wait_bulk(magento, answer["bulk_uuid"])["operations_list"][0]["status"] == 5
    assert magento.post("/rest/async/bulk/V1/inventory/source-items", json={"sourceItems": []}).status_code == 400
    missing = magento.get("/rest/V1/bulk/00000000-0000-0000-0000-000000000000/status")
    assert missing.status_code == 404 and missing.json()["parameters"] == {
        "bulkUuid": "00000000-0000-0000-0000-000000000000"
    }
