"""NetSuite sandbox: the shared concurrency limit, every fault kind, metrics and control endpoints."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from magento_netsuite.sandbox.common.server import SandboxServer
from magento_netsuite.sandbox.datagen import SeedConfig, generate
from magento_netsuite.sandbox.netsuite.app import create_app
from magento_netsuite.sandbox.netsuite.testing import tba_auth

DATASET = generate(SeedConfig(skus=10, customers=5, orders=0, now=datetime(2026, 11, 29, 2, tzinfo=UTC)))
CUSTOMER_ID = str(DATASET.ns_customers[0].internal_id)
CUSTOMER = f"/services/rest/record/v1/customer/{CUSTOMER_ID}"
RESTLET = "/app/site/hosting/restlet.nl"
INVENTORY = {"script": "customscript_mns_inventory", "deploy": "customdeploy_mns_inventory", "limit": "3"}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(create_app(DATASET)) as running:
        yield running


@pytest.fixture
def base(server: SandboxServer) -> str:
    requests.post(f"{server.url}/_sandbox/reset", timeout=10).raise_for_status()
    return server.url


def fault(base: str, **spec: object) -> None:
    requests.post(f"{base}/_sandbox/faults", json=spec, timeout=10).raise_for_status()


def parallel(base: str, paths: list[tuple[str, dict[str, str] | None]]) -> list[requests.Response]:
    barrier = threading.Barrier(len(paths))
    results: list[requests.Response | None] = [None] * len(paths)

    def run(index: int, path: str, params: dict[str, str] | None) -> None:
        barrier.wait()
        results[index] = requests.get(base + path, params=params, auth=tba_auth(), timeout=20)

    threads = [threading.Thread(target=run, args=(i, p, q)) for i, (p, q) in enumerate(paths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]


def test_request_over_the_limit_gets_429_on_rest(base: str) -> None:
    fault(base, kind="latency", seconds=0.6, path="/services/rest/")
    responses = parallel(base, [(CUSTOMER, None)] * 6)
    rejected = [r for r in responses if r.status_code == 429]
    assert len(rejected) == 1 and sum(r.status_code == 200 for r in responses) == 5
    assert rejected[0].json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Too Many Requests",
        "status": 429,
        "o:errorCode": "USER_ERROR",
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
            }
        ],
    }
    concurrency = requests.get(f"{base}/_sandbox/state", timeout=10).json()["concurrency"]
    assert concurrency == {"limit": 5, "in_flight": 0, "peak": 5, "rejected": 1}


def test_limit_is_shared_with_restlets_and_configurable(base: str) -> None:
    assert (
        requests.post(f"{base}/_sandbox/config", json={"concurrency_limit": 2}, timeout=10).json()["concurrency_limit"]
        == 2
    )
    fault(base, kind="latency", seconds=0.6)
    responses = parallel(base, [(CUSTOMER, None), (RESTLET, INVENTORY), (RESTLET, INVENTORY), (CUSTOMER, None)])
    assert sum(r.status_code == 200 for r in responses) == 2
    blocked = [r for r in responses if r.status_code != 200]
    assert len(blocked) == 2
    for response in blocked:
        if response.url.split("?")[0].endswith("restlet.nl"):
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "SSS_REQUEST_LIMIT_EXCEEDED"
        else:
            assert response.status_code == 429
    assert requests.post(f"{base}/_sandbox/config", json={"concurrency_limit": 0}, timeout=10).status_code == 400


def test_latency_fault_fixed_and_jittered(base: str) -> None:
    fault(base, kind="latency", seconds=0.3, jitter=0.1, path="customer", count=1)
    before = requests.get(f"{base}/_sandbox/faults", timeout=10).json()["counters"]
    started = time.monotonic()
    assert requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3
    requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10)
    after = requests.get(f"{base}/_sandbox/faults", timeout=10).json()["counters"]
    assert after["delayed"] - before["delayed"] == 1  # count=1: the second request is not delayed
    assert 300 <= after["delayed_ms"] - before["delayed_ms"] <= 400  # 0.3 s + up to 0.1 s jitter
    requests.post(f"{base}/_sandbox/config", json={"latency_ms": 250}, timeout=10).raise_for_status()
    started = time.monotonic()
    requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10)
    assert time.monotonic() - started >= 0.25


def test_timeout_fault_trips_a_short_client_timeout(base: str) -> None:
    fault(base, kind="timeout", seconds=1.0, count=1)
    with pytest.raises(requests.Timeout):
        requests.get(base + CUSTOMER, auth=tba_auth(), timeout=0.3)
    assert requests.get(base + CUSTOMER, auth=tba_auth(), timeout=5).status_code == 200


def test_status_faults_for_next_n_and_share(base: str) -> None:
    fault(base, kind="status", status=503, count=2, path="/record/")
    codes = [requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    fault(base, kind="status", status=500, count=1)
    server_error = requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10)
    detail = server_error.json()["o:errorDetails"][0]
    assert server_error.status_code == 500 and detail["o:errorCode"] == "UNEXPECTED_ERROR" and detail["o:errorId"]
    fault(base, kind="status", status=429, share=0.5, path="/record/")
    codes = [requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10).status_code for _ in range(40)]
    assert 5 <= codes.count(429) <= 35 and set(codes) == {200, 429}
    counters = requests.get(f"{base}/_sandbox/faults", timeout=10).json()["counters"]
    assert counters["injected"]["status"] == 3 + codes.count(429)


def test_auth_fault_answers_invalid_login(base: str) -> None:
    fault(base, kind="auth", count=1)
    response = requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10)
    assert response.status_code == 401
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10).status_code == 200


def test_record_fault_rejects_the_keyed_record(base: str) -> None:
    fault(base, kind="record", key="SHOP-666", field="item.items[0].item", message="Item is not available.")
    order = {
        "entity": {"id": CUSTOMER_ID},
        "externalId": "SHOP-666",
        "item": {"items": [{"item": {"id": "1001"}, "quantity": 1}]},
    }
    url = base + "/services/rest/record/v1/salesOrder"
    rejected = requests.post(url, json=order, auth=tba_auth(), timeout=10)
    assert rejected.status_code == 400
    assert rejected.json()["o:errorDetails"] == [
        {"detail": "Item is not available.", "o:errorCode": "INVALID_CONTENT", "o:errorPath": "item.items[0].item"}
    ]
    other = requests.post(url, json=order | {"externalId": "SHOP-667"}, auth=tba_auth(), timeout=10)
    assert other.status_code == 204
    upsert = requests.put(url + "/eid:SHOP-666", json=order, auth=tba_auth(), timeout=10)
    assert upsert.status_code == 400
    assert requests.get(f"{base}/_sandbox/faults", timeout=10).json()["counters"]["injected"]["record"] == 2


def test_metrics_count_calls_and_bytes_per_endpoint(base: str) -> None:
    for _ in range(3):
        requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10)
    requests.get(base + RESTLET, params=INVENTORY, auth=tba_auth(), timeout=10)
    endpoints = requests.get(f"{base}/_sandbox/metrics", timeout=10).json()["endpoints"]
    record = endpoints["GET /services/rest/record/v1/{record_type}/{key}"]
    assert record["calls"] == 3 and record["bytes_out"] > 300
    assert endpoints["GET /app/site/hosting/restlet.nl"]["calls"] == 1


def test_seed_regenerates_consistently_with_datagen(base: str) -> None:
    seeded = requests.post(f"{base}/_sandbox/seed", json={"skus": 7, "customers": 3, "orders": 0}, timeout=30)
    assert seeded.status_code == 200
    assert seeded.json()["counts"]["items"] == 7
    expected = generate(SeedConfig(skus=7, customers=3, orders=0))
    emails = {c.email for c in expected.ns_customers}
    state = requests.get(
        f"{base}/_sandbox/state",
        params={"record": "customer", "id": str(expected.ns_customers[0].internal_id)},
        timeout=10,
    )
    assert state.json()["record"]["email"] in emails
    assert requests.post(f"{base}/_sandbox/seed", json={"skus": 0}, timeout=10).status_code == 400
    # reset returns to the latest seed
    assert requests.post(f"{base}/_sandbox/reset", timeout=10).json()["items"] == 7


def test_faults_on_the_restlet_answer_in_the_restlet_shape(base: str) -> None:
    fault(base, kind="auth", count=1, path="restlet")
    denied = requests.get(base + RESTLET, params=INVENTORY, auth=tba_auth(), timeout=10)
    assert denied.status_code == 401
    assert denied.json() == {"error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}}
    fault(base, kind="status", status=429, count=1, path="restlet")
    limited = requests.get(base + RESTLET, params=INVENTORY, auth=tba_auth(), timeout=10)
    assert limited.status_code == 400 and limited.json()["error"]["code"] == "SSS_REQUEST_LIMIT_EXCEEDED"
    fault(base, kind="status", status=429, count=1, path="/record/")
    assert requests.get(base + CUSTOMER, auth=tba_auth(), timeout=10).status_code == 429
