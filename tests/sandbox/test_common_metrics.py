"""Calls and bytes per endpoint (route template) and in total."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from magento_netsuite.sandbox.common.control import control_router, instrument
from magento_netsuite.sandbox.common.faults import ErrorRenderer, json_error
from magento_netsuite.sandbox.common.server import SandboxServer


def _app() -> FastAPI:
    app = FastAPI()
    renderer = ErrorRenderer(
        status_error=lambda status: json_error(status, {"status": status}),
        auth_error=lambda: json_error(401, {}),
        record_error=lambda key, message, field: json_error(400, {}),
    )
    app.include_router(control_router(instrument(app, renderer)))

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


def test_metrics_per_route_template_and_totals() -> None:
    with SandboxServer(_app()) as server, httpx.Client(base_url=server.url) as client:
        for n in range(3):
            assert client.get(f"/items/{n}").status_code == 200
        payload = b"x" * 1000
        assert client.post("/echo", content=payload).json() == {"received": 1000}
        client.post("/_sandbox/faults", json={"kind": "status", "status": 503, "count": 1})
        assert client.get("/items/9").status_code == 503
        snapshot = client.get("/_sandbox/metrics").json()
        items = snapshot["endpoints"]["GET /items/{item_id}"]
        assert items["calls"] == 4 and items["errors"] == 1
        assert items["bytes_out"] == 3 * len(b'{"item_id":0}') + len(b'{"status":503}')
        echo = snapshot["endpoints"]["POST /echo"]
        assert echo == {"calls": 1, "bytes_in": 1000, "bytes_out": len(b'{"received":1000}'), "errors": 0}
        assert snapshot["totals"]["calls"] == 5
        assert snapshot["totals"]["bytes_in"] == 1000
        assert not any(name.startswith(("GET /_sandbox", "POST /_sandbox")) for name in snapshot["endpoints"])
        reset = client.post("/_sandbox/metrics/reset").json()
        assert reset == {"endpoints": {}, "totals": {"calls": 0, "bytes_in": 0, "bytes_out": 0, "errors": 0}}
