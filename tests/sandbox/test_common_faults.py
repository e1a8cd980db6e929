"""Fault injection and control endpoints, on a tiny app served over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import Response

from magento_netsuite.sandbox.common.control import control_router, instrument
from magento_netsuite.sandbox.common.faults import ErrorRenderer, json_error
from magento_netsuite.sandbox.common.server import SandboxServer

SAVED: list[str] = []


def _app() -> FastAPI:
    app = FastAPI()
    renderer = ErrorRenderer(
        status_error=lambda status: json_error(status, {"error": "status", "status": status}),
        auth_error=lambda: json_error(401, {"error": "auth"}),
        record_error=lambda key, message, field: json_error(
            400, {"key": key, "message": message or "rejected", "field": field}
        ),
    )
    instruments = instrument(app, renderer)
    app.include_router(control_router(instruments))

    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.post("/things/{thing_id}")
    async def save_thing(thing_id: str) -> Response:
        rejection = instruments.injector.record_rejection(thing_id, "POST", f"/things/{thing_id}")
        if rejection is None:
            SAVED.append(thing_id)
        return rejection or json_error(200, {"saved": thing_id})

    @app.get("/other")
    async def other() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(_app()) as srv:
        yield srv


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        c.delete("/_sandbox/faults").raise_for_status()
        c.post("/_sandbox/config", json={"latency_ms": 0, "jitter_ms": 0, "latency_path": None}).raise_for_status()
        yield c


def _counters(client: httpx.Client) -> dict:
    return client.get("/_sandbox/faults").json()["counters"]


def test_status_fault_for_next_n_requests_on_a_path(client: httpx.Client) -> None:
    fault_id = client.post(
        "/_sandbox/faults", json={"kind": "status", "status": 429, "count": 2, "path": "^/things/"}
    ).json()
    assert fault_id == {"ids": [1]} or len(fault_id["ids"]) == 1
    before = _counters(client)["injected"].get("status", 0)
    assert client.get("/other").status_code == 200
    codes = [client.get("/things/a").status_code for _ in range(3)]
    assert codes == [429, 429, 200]
    assert client.get("/things/a").json() == {"id": "a"}
    assert _counters(client)["injected"]["status"] - before == 2
    fault = client.get("/_sandbox/faults").json()["faults"][0]
    assert fault["remaining"] == 0 and fault["injected"] == 2


def test_status_fault_body_comes_from_the_renderer(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "status", "status": 503, "count": 1})
    response = client.get("/other")
    assert response.status_code == 503 and response.json() == {"error": "status", "status": 503}


def test_share_of_requests_fails(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "status", "status": 500, "share": 0.5, "path": "/things/"})
    codes = [client.get("/things/x").status_code for _ in range(200)]
    assert 60 < codes.count(500) < 140 and codes.count(200) == 200 - codes.count(500)
    client.delete("/_sandbox/faults")
    assert client.get("/things/x").status_code == 200


def test_auth_fault_all_requests_until_cleared(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "auth"})
    assert [client.get("/other").status_code for _ in range(3)] == [401, 401, 401]
    assert client.get("/other").json() == {"error": "auth"}
    client.delete("/_sandbox/faults")
    assert client.get("/other").status_code == 200


def test_method_scoped_fault(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "status", "status": 500, "method": "POST"})
    assert client.get("/things/m").status_code == 200
    assert client.post("/things/m").status_code == 500


def test_timeout_holds_the_response(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "timeout", "seconds": 1.0, "count": 1})
    with pytest.raises(httpx.ReadTimeout):
        client.get("/other", timeout=0.3)
    before = _counters(client)["injected"].get("timeout", 0)
    assert client.get("/other").status_code == 200
    assert _counters(client)["injected"].get("timeout", 0) == before  # count=1: the next one is not held


def test_latency_is_added_and_concurrent_requests_overlap(client: httpx.Client, server: SandboxServer) -> None:
    client.post("/_sandbox/config", json={"latency_ms": 200})
    started = time.monotonic()
    assert client.get("/other").status_code == 200
    assert time.monotonic() - started >= 0.2
    before = _counters(client)
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda _: httpx.get(f"{server.url}/other").status_code, range(10)))
    assert codes == [200] * 10
    after = _counters(client)
    assert after["delayed"] - before["delayed"] == 10
    assert after["peak_in_flight"] >= 2  # the delays overlapped (a serialising server would peak at 1)


def test_latency_path_and_jitter(client: httpx.Client) -> None:
    config = client.post(
        "/_sandbox/config", json={"latency_ms": 300, "jitter_ms": 100, "latency_path": "^/things/"}
    ).json()
    assert config == {"latency_ms": 300, "jitter_ms": 100, "latency_path": "^/things/"}
    before = _counters(client)
    client.get("/other")
    assert _counters(client)["delayed"] == before["delayed"]  # off the latency path: not delayed
    started = time.monotonic()
    client.get("/things/slow")
    assert time.monotonic() - started >= 0.3
    after = _counters(client)
    assert after["delayed"] - before["delayed"] == 1
    assert 300 <= after["delayed_ms"] - before["delayed_ms"] <= 400  # latency + jitter as configured


def test_latency_fault_for_next_request(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "latency", "seconds": 0.3, "count": 1})
    before = _counters(client)["delayed"]
    started = time.monotonic()
    client.get("/other")
    assert time.monotonic() - started >= 0.3
    client.get("/other")
    assert _counters(client)["delayed"] - before == 1  # count=1: only the first was delayed


def test_record_rejection_targets_one_key(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "record", "key": "bad", "message": "bad SKU", "field": "sku"})
    assert client.post("/things/good").status_code == 200
    rejected = client.post("/things/bad")
    assert rejected.status_code == 400 and rejected.json() == {"key": "bad", "message": "bad SKU", "field": "sku"}
    assert _counters(client)["injected"]["record"] == 1


def test_invalid_faults_are_refused(client: httpx.Client) -> None:
    assert client.post("/_sandbox/faults", json={"kind": "record"}).status_code == 400
    assert client.post("/_sandbox/faults", json={"kind": "explode"}).status_code == 400
    assert client.post("/_sandbox/faults", json={"kind": "status", "path": "(["}).status_code == 400
    assert client.post("/_sandbox/config", json={"colour": "red"}).status_code == 400


def test_several_faults_at_once_and_served_counter(client: httpx.Client) -> None:
    served = _counters(client)["served"]
    ids = client.post(
        "/_sandbox/faults",
        json={"faults": [{"kind": "status", "status": 500, "count": 1}, {"kind": "auth", "count": 1}]},
    ).json()["ids"]
    assert len(ids) == 2
    assert [client.get("/other").status_code for _ in range(3)] == [500, 401, 200]
    assert _counters(client)["served"] - served == 3
    assert client.get("/_sandbox/faults").status_code == 200
    assert _counters(client)["served"] - served == 3  # control calls are not counted


def test_drop_saves_the_record_and_loses_the_answer(client: httpx.Client) -> None:
    client.post("/_sandbox/faults", json={"kind": "lost_answer", "status": 504, "count": 1, "method": "POST"})
    answer = client.post("/things/dropped")
    assert answer.status_code == 504 and answer.json() == {"error": "status", "status": 504}
    assert "dropped" in SAVED  # the app did the work; only its answer was lost
    assert client.post("/things/kept").json() == {"saved": "kept"}  # count=1
    assert _counters(client)["injected"]["lost_answer"] == 1
