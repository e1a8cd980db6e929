"""The Drift section of the Error Queue page: what the nightly reconciliations found, and the trend.

Routes (read access, like the queue):

* ``GET /api/drift``: the latest reports' headline counts, newest first (``limit``, default 30), and
  the newest report in full;
* ``GET /api/drift/{id}``: one report in full (counts per field and kind, examples).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from magento_netsuite.errorqueue.drift import DriftReports
from magento_netsuite.errorqueue.web.security import can_read


@functools.cache
def get_reports() -> DriftReports:
    return DriftReports.from_connection()


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def drift_router() -> APIRouter:
    router = APIRouter()

    @router.get("/api/drift", dependencies=[can_read])
    async def list_drift(limit: Annotated[int, Query(ge=1, le=365)] = 30) -> dict[str, Any]:
        def read() -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            reports = get_reports()
            trend = reports.recent(limit=limit)
            return trend, (reports.get(trend[0]["id"]) if trend else None)

        trend, latest = await run_in_threadpool(read)
        return {"trend": [_jsonable(r) for r in trend], "latest": _jsonable(latest) if latest else None}

    @router.get("/api/drift/{report_id}", dependencies=[can_read])
    async def drift_report(report_id: Annotated[int, PathParam(ge=1)]) -> dict[str, Any]:
        report = await run_in_threadpool(get_reports().get, report_id)
        if report is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"drift report {report_id} does not exist")
        return _jsonable(report)

    return router
