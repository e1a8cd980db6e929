"""SandboxServer: free port, answers once started, stops cleanly; credentials helpers."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.server import SandboxServer


def test_server_starts_on_a_free_port_and_stops() -> None:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    server = SandboxServer(app).start()
    try:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert httpx.get(f"{server.url}/ping").json() == "pong"
        with SandboxServer(app) as second:
            assert second.port != server.port
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{server.port}/ping", timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.url


def test_connection_json_shapes() -> None:
    magento = json.loads(credentials.magento_connection("http://127.0.0.1:8780/"))
    assert magento["conn_type"] == "http" and magento["host"] == "http://127.0.0.1:8780"
    assert magento["password"] == credentials.MAGENTO_BEARER_TOKEN and magento["extra"]["auth"] == "bearer"
    oauth = json.loads(credentials.magento_connection("http://h", auth="oauth1"))["extra"]
    assert oauth["consumer_key"] == credentials.MAGENTO_CONSUMER_KEY
    assert oauth["access_token_secret"] == credentials.MAGENTO_ACCESS_TOKEN_SECRET
    netsuite = json.loads(credentials.netsuite_connection("http://127.0.0.1:8790"))
    assert netsuite["host"] == "http://127.0.0.1:8790"
    extra = netsuite["extra"]
    assert extra["account_id"] == "1234567_SB1" and extra["auth"] == "tba"
    assert extra["token_id"] == credentials.NETSUITE_TOKEN_ID
    assert extra["restlet_base_url"] == "http://127.0.0.1:8790"
    m2m = json.loads(credentials.netsuite_connection("http://h", auth="oauth2", private_key="PEM"))["extra"]
    assert m2m["client_id"] == credentials.NETSUITE_CLIENT_ID and m2m["private_key"] == "PEM"
    assert "token_secret" not in m2m
    with pytest.raises(ValueError, match="auth"):
        credentials.magento_connection("http://h", auth="basic")  # type: ignore[arg-type]
