"""Turn a failed HTTP exchange into the error the pipeline acts on, from the bodies the APIs really send.

Magento: ``{"message": "...%1...", "parameters": [...] | {...}}`` with 400 (validation), 401 (auth and
ACL), 404 (no such entity), 429, 500 ("Internal Error ... Report ID: webapi-..."), 503.

NetSuite REST: ``{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode", "o:errorPath"
| "o:errorQueryParam"}]}``; RESTlets: ``{"error": {"code", "message"}}``. 401 ``INVALID_LOGIN``
(``INVALID_LOGIN_ATTEMPT`` on RESTlets); 404 ``NONEXISTENT_ID``; 429 ``CONCURRENCY_LIMIT_EXCEEDED``
(also seen with 400); RESTlets answer 400 ``SSS_REQUEST_LIMIT_EXCEEDED`` when over the limit.

Messages carry what the server said, the call ("GET /V1/orders/5") and never a header or secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec
import requests

from magento_netsuite.connectors import messages
from magento_netsuite.connectors.errors import AuthError, NotFoundError, RecordError, SyncError, TransientError

MAGENTO = "magento"
NETSUITE = "netsuite"

NETSUITE_LIMIT_CODES = frozenset({"CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED", "WS_REQUEST_BLOCKED"})
NETSUITE_AUTH_CODES = frozenset({"INVALID_LOGIN", "INVALID_LOGIN_ATTEMPT", "TWO_FA_REQD", "INVALID_LOGIN_CREDENTIALS"})
NETSUITE_NOT_FOUND_CODES = frozenset({"NONEXISTENT_ID", "RCRD_DSNT_EXIST"})

BEARER_DISABLED_HINT = (
    "Since Magento 2.4.4 an integration access token is not accepted as a standalone bearer token "
    "unless the store allows it: run `bin/magento config:set oauth/consumer/enable_integration_as_bearer 1` "
    "(or Admin > Stores > Configuration > Services > OAuth > Consumer Settings > "
    "'Allow OAuth Access Tokens to be used as standalone Bearer tokens' = Yes), or set the connection "
    "extra auth=oauth1 with the integration's consumer key/secret and access token/secret. "
    "If bearer use is already allowed, the integration lacks the ACL resource named above."
)
_MAGENTO_UNAUTHORIZED = "consumer isn't authorized"


@dataclass(frozen=True)
class Classified:
    """An error from one response, and whether the hook may retry it."""

    error: SyncError
    retryable: bool = False
    applied_safe: bool = False
    retry_after: float | None = None


def response_json(response: requests.Response) -> Any:
    """The body as JSON, or ``None`` when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        # msgspec (already installed with Airflow) decodes a RESTlet page of 10,000 rows several times
        # faster than the standard library, which is most of a large read's client time
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None


def retry_after_seconds(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds when the server sent a numeric one."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _snippet(response: requests.Response, limit: int = 300) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def classify_magento(response: requests.Response, *, call: str, bearer: bool) -> Classified:
    """The error for a non-2xx Magento response."""
    status = response.status_code
    body = response_json(response)
    template = body.get("message") if isinstance(body, dict) else None
    parameters = body.get("parameters") if isinstance(body, dict) else None
    text = messages.render(template, parameters) if isinstance(template, str) else _snippet(response)
    message = f"{call}: {text or response.reason}"
    common: dict[str, Any] = {"system": MAGENTO, "status": status, "details": body}
    if status == 401 or status == 403:
        if bearer and _MAGENTO_UNAUTHORIZED in text:
            message = f"{message}. {BEARER_DISABLED_HINT}"
        return Classified(AuthError(message, **common))
    if status == 429:
        return Classified(
            TransientError(message, **common),
            retryable=True,
            applied_safe=True,
            retry_after=retry_after_seconds(response),
        )
    if status >= 500 or status == 408:
        return Classified(
            TransientError(message, **common),
            retryable=True,
            applied_safe=status == 503,
            retry_after=retry_after_seconds(response),
        )
    if status == 404:
        return Classified(NotFoundError(message, **common))
    field = messages.field_name(template, parameters) if isinstance(template, str) else None
    nested = body.get("errors") if isinstance(body, dict) else None
    if isinstance(nested, list):  # MSI validation: {"message": "Validation Failed", "errors": [...]}
        rendered = [
            (messages.render(str(e.get("message", "")), e.get("parameters")), e) for e in nested if isinstance(e, dict)
        ]
        if rendered:
            message = f"{message}: " + "; ".join(text for text, _ in rendered)
            first = rendered[0][1]
            field = field or messages.field_name(str(first.get("message", "")), first.get("parameters"))
    return Classified(RecordError(message, field_path=field, **common))


def netsuite_error_parts(body: Any) -> tuple[str | None, str | None, str | None]:
    """``(code, message, field_path)`` from a NetSuite REST or RESTlet error body."""
    if not isinstance(body, dict):
        return None, None, None
    details = body.get("o:errorDetails")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        first = details[0]
        code = first.get("o:errorCode") or body.get("o:errorCode")
        detail = "; ".join(str(d.get("detail")) for d in details if isinstance(d, dict) and d.get("detail"))
        path = first.get("o:errorPath") or first.get("o:errorQueryParam") or first.get("o:errorHeader")
        return code, detail or body.get("title"), path
    error = body.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message.startswith("{"):
            try:  # RESTlets often wrap a JSON-encoded SuiteScript error in the message
                inner = json.loads(message)
                message = inner.get("message", message) if isinstance(inner, dict) else message
            except ValueError:
                pass
        return error.get("code"), message, None
    return body.get("o:errorCode"), body.get("title") or body.get("detail"), None


def classify_netsuite(response: requests.Response, *, call: str) -> Classified:
    """The error for a non-2xx NetSuite response."""
    status = response.status_code
    body = response_json(response)
    code, detail, path = netsuite_error_parts(body)
    message = f"{call}: {detail or _snippet(response) or response.reason}"
    common: dict[str, Any] = {"system": NETSUITE, "status": status, "code": code, "details": body}
    if status == 429 or code in NETSUITE_LIMIT_CODES:
        return Classified(
            TransientError(message, **common),
            retryable=True,
            applied_safe=True,
            retry_after=retry_after_seconds(response),
        )
    if status in (401, 403) or code in NETSUITE_AUTH_CODES:
        return Classified(AuthError(message, **common))
    if status >= 500 or status == 408:
        return Classified(
            TransientError(message, **common),
            retryable=True,
            applied_safe=status == 503,
            retry_after=retry_after_seconds(response),
        )
    if status == 404 or code in NETSUITE_NOT_FOUND_CODES:
        return Classified(NotFoundError(message, field_path=path, **common))
    return Classified(RecordError(message, field_path=path, **common))


def classify_transport(exc: requests.RequestException, *, call: str, system: str, timeout: float | None) -> Classified:
    """A timeout or connection failure: transient. Safe to resend only if it never connected."""
    if isinstance(exc, requests.ConnectTimeout):
        return Classified(
            TransientError(f"{call}: connect timed out after {timeout}s", system=system), True, applied_safe=True
        )
    if isinstance(exc, requests.Timeout):
        return Classified(TransientError(f"{call}: timed out after {timeout}s", system=system), True)
    reason = _transport_reason(exc)
    refused = "refused" in reason.lower() or "failed to establish" in reason.lower()
    return Classified(TransientError(f"{call}: connection failed: {reason}", system=system), True, applied_safe=refused)


def _transport_reason(exc: requests.RequestException) -> str:
    """The innermost reason, without the URL requests puts in its message (which could carry a query)."""
    inner: Any = exc.args[0] if exc.args else exc
    inner = getattr(inner, "reason", inner)
    text = str(inner)
    if "object at 0x" in text and ">: " in text:
        text = text.split(">: ", 1)[1].rstrip("')\"")
    return text.split(" with url:")[0][:200] or type(exc).__name__
