"""NetSuite's error bodies (REST ``o:errorDetails`` shape and the RESTlet ``{"error": ...}`` shape)."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any

from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.common.faults import ErrorRenderer

ERROR_TYPE = "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1"
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > "
    "Users/Roles > User Management > View Login Audit Trail."
)
CONCURRENCY_DETAIL = "Concurrent request limit exceeded. Request blocked."
RESTLET_PATH = "/app/site/hosting/restlet.nl"
CURRENT_PATH: ContextVar[str] = ContextVar("netsuite_sandbox_path", default="")
"""The request path, set by the outermost middleware so injected faults answer in the API's own shape."""
ERROR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error"


class NetSuiteError(Exception):
    """Raised by handlers; rendered as the REST error body."""

    def __init__(self, status: int, code: str, detail: str, **extra: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail, self.extra = status, code, detail, extra

    def response(self) -> Response:
        return rest_error(self.status, self.code, self.detail, **self.extra)


def rest_error(status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: str) -> Response:
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code, **extra}
    body = {"type": ERROR_TYPE, "title": TITLES.get(status, "Error"), "status": status, "o:errorDetails": [item]}
    return JSONResponse(body, status_code=status, headers=headers, media_type=ERROR_MEDIA_TYPE)


def restlet_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def invalid_content(detail: str, path: str | None = None) -> NetSuiteError:
    extra = {"o:errorPath": path} if path else {}
    return NetSuiteError(400, "INVALID_CONTENT", detail, **extra)


def nonexistent() -> NetSuiteError:
    return NetSuiteError(404, "NONEXISTENT_ID", "Record does not exist.")


def unexpected_error() -> Response:
    error_id = uuid.uuid4().hex[:24]
    return rest_error(
        500, "UNEXPECTED_ERROR", f"An unexpected error occurred. Error ID: {error_id}", **{"o:errorId": error_id}
    )


def unauthorized(path: str, bearer_realm: str | None = None) -> Response:
    """401 as the API at ``path`` answers it (RESTlet or REST; bearer failures add WWW-Authenticate)."""
    if path == RESTLET_PATH:
        response = restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")
    else:
        response = rest_error(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)
    if bearer_realm is not None:
        response.headers["WWW-Authenticate"] = f'Bearer realm="{bearer_realm}", error="invalid_token"'
    return response


def concurrency_exceeded(path: str) -> Response:
    if path == RESTLET_PATH:
        return restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", CONCURRENCY_DETAIL)
    body = {
        "type": ERROR_TYPE,
        "title": "Too Many Requests",
        "status": 429,
        "o:errorCode": "USER_ERROR",
        "o:errorDetails": [{"detail": CONCURRENCY_DETAIL, "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}],
    }
    return JSONResponse(body, status_code=429)


def _status_error(status: int) -> Response:
    path = CURRENT_PATH.get()
    if status == 429:
        return concurrency_exceeded(path)
    if path == RESTLET_PATH:
        return restlet_error(status, "UNEXPECTED_ERROR", "An unexpected error occurred.")
    if status >= 500:
        return unexpected_error() if status == 500 else rest_error(status, "UNEXPECTED_ERROR", "Service unavailable.")
    return rest_error(status, "INVALID_REQUEST", "The request could not be processed.")


def _record_error(key: str, message: str | None, field: str | None) -> Response:
    detail = message or f"Invalid value for the record with key {key}."
    return invalid_content(detail, field).response()


RENDERER = ErrorRenderer(
    status_error=_status_error, auth_error=lambda: unauthorized(CURRENT_PATH.get()), record_error=_record_error
)
