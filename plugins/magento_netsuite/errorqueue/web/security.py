"""Who may do what on the Error Queue page, and protection of its state-changing calls.

Authentication and authorization are Airflow's own (``airflow.api_fastapi.core_api.security``): the
caller is the user of the UI's ``_token`` cookie or of an ``Authorization: Bearer`` JWT, and the
configured auth manager (SimpleAuthManager, FAB, ...) answers the permission checks:

* reading the queue needs read access to DAGs (``GET`` on DAGs);
* Retry and Ignore need permission to trigger the replay DAG (``POST`` on its DAG runs).

Missing or invalid credentials get 401 (403 for a malformed token), missing permission 403; both
before any row is read.

Cross-site request forgery: the cookie is sent by the browser on cross-site requests too, so every
state-changing route is ``POST`` only and :func:`require_same_origin` rejects a request that lacks the
``X-Error-Queue`` header (a cross-site form cannot set it, and a cross-site ``fetch`` with it needs a
CORS preflight Airflow does not grant), that a browser marks as cross-site (``Sec-Fetch-Site``), or
whose ``Origin`` is not this server.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_dag
from fastapi import Depends, HTTPException, Request, status

from magento_netsuite.errorqueue.web.airflow_api import REPLAY_DAG_ID

CSRF_HEADER = "X-Error-Queue"

can_read = Depends(requires_access_dag("GET"))
can_replay = Depends(requires_access_dag("POST", DagAccessEntity.RUN, param_dag_id=REPLAY_DAG_ID))


def require_same_origin(request: Request) -> None:
    """Reject cross-site state changes (403) before the route runs."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing {CSRF_HEADER} header (cross-site request refused)")
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"cross-site request refused (Sec-Fetch-Site: {fetch_site})")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site request refused (Origin is not this server)")


def user_token(request: Request) -> str:
    """The JWT the caller authenticated with (Bearer header first, as ``get_user`` does, else the cookie)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return credentials
    token = request.cookies.get(COOKIE_NAME_JWT_TOKEN)
    if not token:  # get_user already refused such a request; kept so the type is str
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated")
    return token


def user_name(user: GetUserDep) -> str:
    return user.get_name()


UserName = Annotated[str, Depends(user_name)]
Token = Annotated[str, Depends(user_token)]
SameOrigin = Depends(require_same_origin)
