"""Calls into Airflow's own public REST API, in-process, on behalf of the signed-in user.

The Error Queue app is mounted inside the Airflow API server. To trigger the replay DAG it calls
``POST /api/v2/dags/error_queue_replay/dagRuns`` of *that same* server through an in-process ASGI
transport (no network hop, no base URL to guess behind a proxy), forwarding the user's own JWT: Airflow
itself decides whether this user may trigger the DAG, and the run is recorded as triggered by them.

The root Airflow app is found through :class:`AirflowAppScopeMiddleware`, a root middleware the plugin
registers: Starlette sets ``scope["app"]`` to the root app before its middleware runs, and to the
mounted sub-app after, so the middleware copies the root app into :data:`ROOT_APP_SCOPE_KEY`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

ROOT_APP_SCOPE_KEY = "magento_netsuite.airflow_app"
REPLAY_DAG_ID = "error_queue_replay"


class AirflowAppScopeMiddleware:
    """Root middleware: remembers the Airflow root app in the request scope for the Error Queue app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and ROOT_APP_SCOPE_KEY not in scope and "app" in scope:
            scope[ROOT_APP_SCOPE_KEY] = scope["app"]
        await self.app(scope, receive, send)


class AirflowApiError(Exception):
    """Airflow's API refused or failed a call; ``status`` and ``detail`` are Airflow's answer."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"Airflow API answered {status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class TriggeredRun:
    dag_id: str
    run_id: str
    state: str


class AirflowApi:
    """A tiny client of Airflow's public API bound to one user's token."""

    def __init__(self, root_app: ASGIApp, token: str) -> None:
        self._root_app = root_app
        self._headers = {"Authorization": f"Bearer {token}"}

    def _client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self._root_app)
        return httpx.AsyncClient(transport=transport, base_url="http://airflow-api-server", headers=self._headers)

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise AirflowApiError(response.status_code, detail)

    async def trigger_replay(self, ids: list[int], *, note: str) -> TriggeredRun:
        """Queue one ``error_queue_replay`` run for exactly these row ids."""
        body = {"logical_date": None, "conf": {"ids": ids}, "note": note}
        async with self._client() as client:
            response = await client.post(f"/api/v2/dags/{REPLAY_DAG_ID}/dagRuns", json=body)
        self._raise_for(response)
        run = response.json()
        return TriggeredRun(dag_id=run["dag_id"], run_id=run["dag_run_id"], state=run["state"])

    async def pending_replays(self) -> dict[int, str]:
        """``{row id: run id}`` for the rows named in queued or running replay runs' conf."""
        params = [("state", "queued"), ("state", "running"), ("limit", "100"), ("order_by", "-run_after")]
        async with self._client() as client:
            response = await client.get(f"/api/v2/dags/{REPLAY_DAG_ID}/dagRuns", params=params)
        if response.status_code == 404:  # the replay DAG is not parsed yet: nothing can be pending
            return {}
        self._raise_for(response)
        pending: dict[int, str] = {}
        for run in response.json().get("dag_runs", []):
            for row_id in (run.get("conf") or {}).get("ids") or []:
                pending.setdefault(int(row_id), run["dag_run_id"])
        return pending
