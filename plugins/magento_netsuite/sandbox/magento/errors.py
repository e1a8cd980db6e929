# Exception handlers are async on purpose (they run on the event loop).
# ruff: file-ignore[unused-async]
"""Magento's web API error bodies and status codes (``Webapi\\ErrorProcessor``).

Body ``{"message": "...%name...", "parameters": {...} | [...]}``: NoSuchEntity → 404,
authorization → 401, other localized (validation) errors → 400, anything else → 500 with a
report id. MSI validation adds ``errors: [{message, parameters}]``.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.common.faults import ErrorRenderer

log = logging.getLogger(__name__)

NO_SUCH_ENTITY = "The entity that was requested doesn't exist. Verify the entity and try again."
NO_SUCH_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
NO_ROUTE = "Request does not match any route."
MAX_PAGE_SIZE = "Maximum SearchCriteria pageSize is %max"
MAX_ITEMS = 'Maximum items of type "%type" is %max'

_STATUS_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Error. Details are available in Magento log file. Report ID: %1",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class MagentoError(Exception):
    """An error the sandbox answers the way Magento's ErrorProcessor would."""

    def __init__(
        self,
        status: int,
        message: str,
        parameters: dict[str, Any] | list[Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters if parameters is not None else []
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "parameters": self.parameters}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def not_found(message: str = NO_SUCH_ENTITY, parameters: dict[str, Any] | None = None) -> MagentoError:
    return MagentoError(404, message, parameters)


def bad_request(message: str, parameters: dict[str, Any] | list[Any] | None = None) -> MagentoError:
    return MagentoError(400, message, parameters)


def unauthorized(resource: str) -> MagentoError:
    return MagentoError(401, NOT_AUTHORIZED, {"resources": resource})


def internal_error() -> MagentoError:
    report = f"webapi-{secrets.token_hex(6)}"
    return MagentoError(500, f"Internal Error. Details are available in Magento log file. Report ID: {report}")


def status_response(status: int) -> Response:
    """An injected status fault rendered like Magento (500s carry a report id)."""
    if status == 500:
        return internal_error().response()
    message = _STATUS_MESSAGES.get(status, "Service Unavailable")
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse({"message": message, "parameters": []}, status_code=status, headers=headers)


def record_error(key: str, message: str | None, field: str | None) -> MagentoError:
    """An injected record rejection: Magento's 400 ``{message, parameters}``."""
    if message:
        return MagentoError(400, message, {"key": key, "field": field})
    return MagentoError(
        400, 'Invalid value of "%value" provided for the %fieldName field.', {"value": key, "fieldName": field or "sku"}
    )


RENDERER = ErrorRenderer(
    status_error=status_response,
    auth_error=lambda: unauthorized("Magento_Backend::admin").response(),
    record_error=lambda key, message, field: record_error(key, message, field).response(),
)


def install_handlers(app: FastAPI) -> None:
    """Answer every error with Magento's body, whatever raised it."""

    @app.exception_handler(MagentoError)
    async def magento_error(_request: Request, exc: MagentoError) -> Response:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405):
            return MagentoError(404, NO_ROUTE).response()
        return MagentoError(exc.status_code, str(exc.detail)).response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "body"
        return bad_request(
            'Invalid value of "%value" provided for the %fieldName field.',
            {
                "value": str(first.get("input", ""))[:200],
                "fieldName": field,
            },
        ).response()

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        error = internal_error()
        log.exception("Magento sandbox internal error %s", error.message, exc_info=exc)
        return error.response()
