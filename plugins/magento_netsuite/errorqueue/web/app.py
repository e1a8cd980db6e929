"""The Error Queue page: a FastAPI app the Airflow API server mounts at ``/error-queue``.

Routes (all need an authenticated Airflow user, see :mod:`.security`):

* ``GET /``: the page (HTML shell; rows arrive as JSON and are rendered with ``textContent``, so
  nothing from a payload is ever parsed as HTML);
* ``GET /api/errors``: a page of rows with filters, keyset paging, the total and the counts per flow;
* ``GET /api/errors/{id}``: one row with its payload and attempt history;
* ``POST /api/retry``: retry exactly the given rows through the ``error_queue_replay`` DAG;
* ``POST /api/errors/{id}/ignore``: close a row with a required reason.

**Where Retry happens.** The server, not the page's JavaScript, both claims and triggers, so the two
cannot disagree: :func:`retry` first claims the rows with :meth:`ErrorQueueStore.mark_retrying` under a
claim of its own (atomic: of two concurrent clicks the second gets no rows and triggers nothing), drops
rows a queued or running replay run already names, triggers *one* ``error_queue_replay`` run with
exactly the claimed ids through Airflow's API as the signed-in user, and then hands the rows over to
that run: the run's ``claim`` task takes only ``open`` rows under its own claim id, so the page reopens
its claim the moment the run exists. Between hand-over and the run's claim (seconds) the run's conf is
what marks the rows as retrying: listings show such rows as ``retrying`` with a link to the run, and a
second Retry skips them. If the trigger fails (no permission, DAG missing) the claim is released and the
rows stay open.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote
from uuid import uuid4

from fastapi import Body, FastAPI, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from magento_netsuite.errorqueue.replay import CLI_RUN_PREFIX, REPLAY_TASK_ID
from magento_netsuite.errorqueue.store import AttemptRow, ErrorQueueStore, ErrorRow
from magento_netsuite.errorqueue.web.airflow_api import (
    REPLAY_DAG_ID,
    ROOT_APP_SCOPE_KEY,
    AirflowApi,
    AirflowApiError,
)
from magento_netsuite.errorqueue.web.drift import drift_router
from magento_netsuite.errorqueue.web.security import SameOrigin, Token, UserName, can_read, can_replay

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
REPLAY_CLAIM_PREFIX = f"{REPLAY_DAG_ID}:"  # magento_netsuite.errorqueue.replay.claim_id()
STATUS_FILTERS = {
    "active": ("open", "retrying"),
    "open": ("open",),
    "retrying": ("retrying",),
    "resolved": ("resolved",),
    "ignored": ("ignored",),
    "all": None,
}
MAX_RETRY_IDS = 1000
MAX_ID = 2**63 - 1
"""Row ids are 64-bit integers in both stores; a larger id is a request error (422), never a 500."""
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathRowId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
"""The page loads only its own static files and talks only to its own API; only Airflow's UI (same
origin) may frame it."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def get_store() -> ErrorQueueStore:
    """The store on the ``mns_store`` connection (one engine per process)."""
    return ErrorQueueStore.from_connection()


def airflow_base() -> str:
    """Path prefix of the Airflow UI (``[api] base_url``'s path, ``/`` by default)."""
    from airflow.api_fastapi.app import API_ROOT_PATH

    return API_ROOT_PATH


def _q(value: str) -> str:
    return quote(str(value), safe="")


def run_url(dag_id: str, run_id: str) -> str:
    return f"{airflow_base()}dags/{_q(dag_id)}/runs/{_q(run_id)}"


def task_log_url(row: ErrorRow | AttemptRow) -> str | None:
    if not (row.dag_id and row.run_id) or row.run_id.startswith(CLI_RUN_PREFIX):
        return None  # a CLI replay ran outside Airflow: there is no run to show
    if not row.task_id:
        return run_url(row.dag_id, row.run_id)
    if (row.dag_id, row.task_id) == (REPLAY_DAG_ID, REPLAY_TASK_ID):
        # mapped, one instance per flow (labelled with it); the row does not know the map index
        return f"{run_url(row.dag_id, row.run_id)}/tasks/{_q(row.task_id)}/mapped"
    url = f"{run_url(row.dag_id, row.run_id)}/tasks/{_q(row.task_id)}"
    return f"{url}?try_number={row.try_number}" if row.try_number else url


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _replay_run_of(row: ErrorRow, pending: dict[int, str]) -> str | None:
    if row.status == "retrying" and row.claimed_by and row.claimed_by.startswith(REPLAY_CLAIM_PREFIX):
        return row.claimed_by.removeprefix(REPLAY_CLAIM_PREFIX)
    if row.status == "open":
        return pending.get(row.id)
    return None


def row_json(row: ErrorRow, pending: dict[int, str], *, with_payload: bool = False) -> dict[str, Any]:
    replay_run = _replay_run_of(row, pending)
    data: dict[str, Any] = {
        "id": row.id,
        "flow": row.flow,
        "entity": row.entity,
        "record_key": row.record_key,
        "error_class": row.error_class,
        "field_path": row.field_path,
        "code": row.code,
        "message": row.message,
        "fix_hint": row.fix_hint,
        "dag_id": row.dag_id,
        "run_id": row.run_id,
        "task_id": row.task_id,
        "try_number": row.try_number,
        "attempts": row.attempts,
        "status": "retrying" if replay_run else row.status,
        "first_seen": _iso(row.first_seen),
        "last_seen": _iso(row.last_seen),
        "resolved_at": _iso(row.resolved_at),
        "resolved_by": row.resolved_by,
        "resolution": row.resolution,
        "payload_source": row.payload_source,
        "log_url": task_log_url(row),
        "replay_run_id": replay_run,
        "replay_run_url": run_url(REPLAY_DAG_ID, replay_run) if replay_run else None,
    }
    if with_payload:
        data["payload"] = row.payload
    return data


def attempt_json(event: AttemptRow) -> dict[str, Any]:
    return {
        "at": _iso(event.at),
        "event": event.event,
        "by": event.by,
        "error_class": event.error_class,
        "code": event.code,
        "field_path": event.field_path,
        "message": event.message,
        "dag_id": event.dag_id,
        "run_id": event.run_id,
        "task_id": event.task_id,
        "try_number": event.try_number,
        "log_url": task_log_url(event),
    }


def encode_cursor(row: ErrorRow) -> str:
    return f"{row.last_seen.isoformat()}|{row.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        seen, _, row_id = cursor.rpartition("|")
        parsed = datetime.fromisoformat(seen)
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        number = int(row_id)
        if not 1 <= number <= MAX_ID:
            raise ValueError("row id out of range")
        return parsed, number
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"cursor {cursor!r} is not valid") from None


def airflow_api(request: Request, token: str) -> AirflowApi | None:
    """A client of Airflow's API as this user, or ``None`` when the app runs outside Airflow's server."""
    root = request.scope.get(ROOT_APP_SCOPE_KEY)
    return AirflowApi(root, token) if root is not None else None


async def pending_replays(request: Request, token: str) -> dict[int, str]:
    api = airflow_api(request, token)
    if api is None:
        return {}
    try:
        return await api.pending_replays()
    except AirflowApiError as error:  # the listing still works; only the "queued" marks are missing
        log.warning("could not list pending %s runs: %s", REPLAY_DAG_ID, error)
        return {}


class RetryBody(BaseModel):
    ids: list[RowId] = Field(min_length=1, max_length=MAX_RETRY_IDS)


class IgnoreBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def create_app() -> FastAPI:
    app = FastAPI(title="Error Queue", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/", response_class=HTMLResponse, dependencies=[can_read])
    def page() -> HTMLResponse:
        html = (HERE / "templates" / "index.html").read_text()
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/api/errors", dependencies=[can_read])
    async def list_errors(
        request: Request,
        token: Token,
        flow: Annotated[str | None, Query(max_length=128)] = None,
        error_class: Annotated[str | None, Query(max_length=32)] = None,
        status_filter: Annotated[
            Literal["active", "open", "retrying", "resolved", "ignored", "all"], Query(alias="status")
        ] = "active",
        run_id: Annotated[str | None, Query(max_length=250)] = None,
        q: Annotated[str | None, Query(max_length=255, description="record key contains")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=100)] = None,
    ) -> dict[str, Any]:
        store = get_store()
        statuses = STATUS_FILTERS[status_filter]
        filters: dict[str, Any] = {
            "flow": flow or None,
            "error_class": error_class or None,
            "status": statuses,
            "run_id": run_id or None,
            "key_search": q or None,
        }
        before = decode_cursor(cursor) if cursor else None

        def read() -> tuple[list[ErrorRow], int, dict[str, dict[str, int]]]:
            rows = store.open_errors(**filters, limit=limit + 1, before=before)
            total = store.count(**filters)
            counts = store.counts(run_id=filters["run_id"], status=statuses)
            return rows, total, counts

        rows, total, counts = await run_in_threadpool(read)
        pending = await pending_replays(request, token)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "rows": [row_json(r, pending) for r in rows],
            "total": total,
            "next_cursor": encode_cursor(rows[-1]) if more else None,
            "counts": counts,
            "airflow_base": airflow_base(),
        }

    @app.get("/api/errors/{error_id}", dependencies=[can_read])
    async def error_detail(request: Request, token: Token, error_id: PathRowId) -> dict:
        store = get_store()
        row = await run_in_threadpool(store.get, error_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"error {error_id} does not exist")
        history = await run_in_threadpool(store.history, error_id)
        pending = await pending_replays(request, token)
        return {"row": row_json(row, pending, with_payload=True), "history": [attempt_json(h) for h in history]}

    @app.post("/api/retry", dependencies=[can_replay, SameOrigin])
    async def retry(request: Request, token: Token, user: UserName, body: Annotated[RetryBody, Body()]) -> dict:
        api = airflow_api(request, token)
        if api is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Retry works only inside the Airflow API server")
        store = get_store()
        wanted = sorted(set(body.ids))
        nothing_open = HTTPException(
            status.HTTP_409_CONFLICT,
            "none of the selected rows is open (already retrying, resolved or ignored): nothing triggered",
        )
        # rows a queued or running replay run already names are left out before claiming, so a refused
        # click writes no "retrying"/"reopened" history
        try:
            pending = await api.pending_replays()
        except AirflowApiError as error:
            raise HTTPException(error.status, f"Airflow could not list {REPLAY_DAG_ID} runs: {error.detail}") from None
        candidates = [i for i in wanted if i not in pending]
        if not candidates:
            raise nothing_open
        claim = f"error-queue-page:{user}:{uuid4().hex[:12]}"
        claimed = await run_in_threadpool(store.mark_retrying, candidates, by=claim)
        if not claimed:
            raise nothing_open
        try:
            # asked again after claiming: a run handed these rows between the first look and the claim
            # (a concurrent click) must not get a twin; only this rare race writes history on a refusal
            pending = await api.pending_replays()
            ids = [r.id for r in claimed if r.id not in pending]
            if not ids:
                raise nothing_open
            run = await api.trigger_replay(ids, note=f"Retry from the Error Queue page by {user}: {len(ids)} row(s)")
        except AirflowApiError as error:
            await run_in_threadpool(store.release, claim)
            raise HTTPException(error.status, f"Airflow refused to trigger {REPLAY_DAG_ID}: {error.detail}") from None
        except BaseException:
            await run_in_threadpool(store.release, claim)
            raise

        def hand_over() -> None:
            for row_id in ids:
                store.reopen(row_id, by=f"handed to {REPLAY_DAG_ID} run {run.run_id}")
            store.release(claim)  # rows a pending run already named: back to open, that run claims them

        await run_in_threadpool(hand_over)
        log.info("%s triggered %s %s for %d row(s)", user, REPLAY_DAG_ID, run.run_id, len(ids))
        return {
            "dag_id": run.dag_id,
            "run_id": run.run_id,
            "run_url": run_url(run.dag_id, run.run_id),
            "ids": ids,
            "skipped": [i for i in wanted if i not in set(ids)],
        }

    @app.post("/api/errors/{error_id}/ignore", dependencies=[can_replay, SameOrigin])
    async def ignore(user: UserName, error_id: PathRowId, body: IgnoreBody) -> dict:
        if not body.reason.strip():
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a reason is required to ignore an error")
        store = get_store()
        try:
            row = await run_in_threadpool(store.ignore, error_id, who=user, why=body.reason.strip())
        except KeyError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"error {error_id} does not exist") from None
        except ValueError as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
        return {"row": row_json(row, {})}

    app.include_router(drift_router())
    return app
