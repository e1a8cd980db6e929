"""Every fault type on the Magento sandbox, rendered with Magento's bodies, and its metrics."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from magento_netsuite.sandbox.common.server import SandboxServer


@pytest.fixture
def control(magento_server: SandboxServer, magento: httpx.Client) -> httpx.Client:
    """A client for ``/_sandbox`` (requesting ``magento`` first resets the sandbox)."""
    return httpx.Client(base_url=magento_server.url, timeout=10)


def test_429_then_recovery(magento: httpx.Client, control: httpx.Client) -> None:
    control.post(
        "/_sandbox/faults", json={"kind": "status", "status": 429, "count": 2, "path": "/V1/orders"}
    ).raise_for_status()
    first = magento.get("/rest/V1/orders/1")
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert first.json() == {"message": "Too Many Requests", "parameters": []}
    assert magento.get("/rest/V1/products/SKU-000001").status_code == 200  # other paths unaffected
    assert magento.get("/rest/V1/orders/1").status_code == 429
    assert magento.get("/rest/V1/orders/1").status_code == 200
    assert control.get("/_sandbox/faults").json()["counters"]["injected"] == {"status": 2}


def test_500_has_a_report_id_and_503(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"faults": [{"kind": "status", "status": 500, "count": 1},
                                                      {"kind": "status", "status": 503, "count": 1}]})  # fmt: skip
    error = magento.get("/rest/V1/orders")
    assert error.status_code == 500
    assert re.fullmatch(
        r"Internal Error\. Details are available in Magento log file\. Report ID: webapi-[0-9a-f]+",
        error.json()["message"],
    )
    assert magento.get("/rest/V1/orders").status_code == 503


def test_share_of_requests(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"kind": "status", "status": 503, "share": 0.3, "path": "source-items"})
    codes = [
        magento.get("/rest/V1/inventory/source-items", params={"searchCriteria[pageSize]": 1}).status_code
        for _ in range(100)
    ]
    assert 10 <= codes.count(503) <= 55 and set(codes) == {200, 503}


def test_auth_failure(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"kind": "auth", "count": 1})
    refused = magento.get("/rest/V1/orders/1")
    assert (
        refused.status_code == 401
        and refused.json()["message"] == "The consumer isn't authorized to access %resources."
    )
    assert magento.get("/rest/V1/orders/1").status_code == 200


def test_timeout_and_latency(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"kind": "timeout", "seconds": 1.5, "count": 1})
    with pytest.raises(httpx.ReadTimeout):
        magento.get("/rest/V1/orders/1", timeout=0.3)
    control.post("/_sandbox/config", json={"latency_ms": 150, "jitter_ms": 50, "latency_path": "/V1/customers"})
    before = control.get("/_sandbox/faults").json()["counters"]
    started = time.monotonic()
    magento.get("/rest/V1/customers/1").raise_for_status()
    assert time.monotonic() - started >= 0.15
    after = control.get("/_sandbox/faults").json()["counters"]
    assert after["delayed"] - before["delayed"] == 1
    assert 150 <= after["delayed_ms"] - before["delayed_ms"] <= 200
    assert control.get("/_sandbox/faults").json()["counters"]["injected"]["timeout"] == 1


def test_record_rejection_on_ship_and_source_items(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"kind": "record", "key": "000000002"})
    refused = magento.post("/rest/V1/order/2/ship", json={})
    assert refused.status_code == 400 and refused.json()["parameters"]["value"] == "000000002"
    assert magento.post("/rest/V1/order/3/ship", json={}).status_code == 200
    control.post(
        "/_sandbox/faults", json={"kind": "record", "key": "SKU-000005", "message": "Stock locked for %sku", "count": 1}
    )
    items = [{"sku": "SKU-000005", "source_code": "wh_east", "quantity": 1, "status": 1}]
    rejected = magento.post("/rest/V1/inventory/source-items", json={"sourceItems": items})
    assert rejected.status_code == 400 and rejected.json()["errors"] == [
        {"message": "Stock locked for %sku", "parameters": {"sku": "SKU-000005"}}
    ]
    assert magento.post("/rest/V1/inventory/source-items", json={"sourceItems": items}).status_code == 200


def test_record_rejection_in_price_failures_and_bulk(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"faults": [{"kind": "record", "key": "SKU-000007", "count": 2}]})
    failures = magento.post(
        "/rest/V1/products/base-prices",
        json={
            "prices": [
                {"sku": "SKU-000007", "price": 1, "store_id": 0},
                {"sku": "SKU-000008", "price": 1, "store_id": 0},
            ]
        },
    )
    assert failures.status_code == 200
    assert failures.json() == [{"message": "The record was rejected: %sku", "parameters": ["SKU-000007"]}]
    control.post("/_sandbox/config", json={"bulk_delay_ms": 0})
    bulk = magento.post(
        "/rest/async/bulk/V1/inventory/source-items",
        json=[{"sourceItems": [{"sku": "SKU-000007", "source_code": "wh_east", "quantity": 3, "status": 1}]}],
    ).json()
    status = magento.get(f"/rest/V1/bulk/{bulk['bulk_uuid']}/status").json()
    assert status["operations_list"][0]["status"] == 3
    assert control.get("/_sandbox/faults").json()["counters"]["injected"]["record"] == 2


def test_customer_and_product_record_rejection(magento: httpx.Client, control: httpx.Client) -> None:
    control.post("/_sandbox/faults", json={"kind": "record", "key": "customer00009@example.test", "field": "email"})
    body = {"customer": {"email": "customer00009@example.test", "firstname": "A", "lastname": "B"}}
    refused = magento.put("/rest/V1/customers/9", json=body)
    assert refused.status_code == 400 and refused.json()["parameters"]["fieldName"] == "email"
    control.post("/_sandbox/faults", json={"kind": "record", "key": "SKU-000009"})
    assert magento.put("/rest/V1/products/SKU-000009", json={"product": {"price": 2}}).status_code == 400


def test_metrics_count_calls_and_bytes_per_route(magento: httpx.Client, control: httpx.Client) -> None:
    for n in (1, 2, 3):
        magento.get(f"/rest/V1/orders/{n}").raise_for_status()
    magento.get("/rest/default/V1/orders/1").raise_for_status()
    payload = {"sourceItems": [{"sku": "SKU-000001", "source_code": "wh_east", "quantity": 1, "status": 1}]}
    magento.post("/rest/V1/inventory/source-items", json=payload).raise_for_status()
    metrics = control.get("/_sandbox/metrics").json()
    endpoints = metrics["endpoints"]
    assert endpoints["GET /rest/V1/orders/{order_id}"]["calls"] == 3
    assert endpoints["GET /rest/default/V1/orders/{order_id}"]["calls"] == 1
    post = endpoints["POST /rest/V1/inventory/source-items"]
    assert post["calls"] == 1 and post["bytes_in"] > 50 and post["bytes_out"] == 2
    assert metrics["totals"]["calls"] == 5
    assert metrics["totals"]["bytes_out"] == sum(e["bytes_out"] for e in endpoints.values())
