"""A real HTTP server on loopback standing in for Slack: slack-sdk posts to it over TCP."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: str
    body: dict[str, Any]


@dataclass
class SlackReceiver:
    """Records every POST; answers ``status`` (200 by default) like Slack's webhook or Web API would."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {}
                receiver.requests.append(Received(self.path, dict(self.headers), raw, body))
                is_api = "chat.postMessage" in self.path
                payload = (
                    json.dumps({"ok": receiver.status == 200, "error": None if receiver.status == 200 else "fail"})
                    if is_api
                    else ("ok" if receiver.status == 200 else "internal_error")
                )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json" if is_api else "text/plain")
                if receiver.status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def texts(self) -> list[str]:
        return [r.raw for r in self.requests]


def refused_url() -> str:
    """A loopback URL nothing listens on (the port was just free)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
