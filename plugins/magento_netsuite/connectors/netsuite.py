"""``NetSuiteHook``: NetSuite REST record API, SuiteQL and RESTlets.

Connection ``netsuite_default`` (type ``netsuite`` or plain ``http``): host = REST base URL (optional;
default ``https://<account>.suitetalk.api.netsuite.com``), extras ``account_id``, ``auth`` (``tba`` |
``oauth2``), ``consumer_key``, ``consumer_secret``, ``token_id``, ``token_secret`` (TBA), ``client_id``,
``certificate_id``, ``private_key``, ``jwt_algorithm`` (OAuth 2.0), ``restlet_base_url``,
``concurrency`` (this hook's share of the account's concurrency limit), ``timeout``,
``max_attempts``, ``max_elapsed``, ``backoff_base``, ``backoff_max``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from magento_netsuite.connectors import netsuite_account
from magento_netsuite.connectors.auth import DEFAULT_SCOPES, ClientCredentialsTokens, oauth1_hmac_sha256
from magento_netsuite.connectors.base import ResilientHttpHook
from magento_netsuite.connectors.connection_form import NETSUITE_FORM
from magento_netsuite.connectors.diagnostics import netsuite_auth
from magento_netsuite.connectors.error_parsing import (
    NETSUITE,
    Classified,
    classify_netsuite,
    netsuite_error_parts,
    response_json,
)
from magento_netsuite.connectors.errors import AuthError, RecordError, SyncError

SUITEQL_ROW_CAP = 100_000
"""NetSuite returns at most this many rows of one SuiteQL query, however it is paged."""
SUITEQL_MAX_PAGE = 1000
WATERMARK_MARKER = "{watermark}"
RESTLET_PATH = "/app/site/hosting/restlet.nl"
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]+$")


class NetSuiteHook(ResilientHttpHook):
    """Talks to NetSuite with TBA or OAuth 2.0, retries, a concurrency bound and typed errors."""

    conn_name_attr = "netsuite_conn_id"
    default_conn_name = "netsuite_default"
    conn_type = "netsuite"
    hook_name = "NetSuite (magento-netsuite-sync)"
    system: ClassVar[str] = NETSUITE
    default_concurrency: ClassVar[int] = 2
    default_timeout: ClassVar[float] = 120.0

    def __init__(self, netsuite_conn_id: str = default_conn_name, max_concurrency: int | None = None) -> None:
        super().__init__(netsuite_conn_id, max_concurrency)
        self.netsuite_conn_id = netsuite_conn_id
        self.account_id: str | None = None
        self.rest_base: str = ""
        self.restlet_base: str = ""
        self.auth_mode: str = "tba"
        self._tba: Any = None
        self.tokens: ClientCredentialsTokens | None = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Field behaviour of the Airflow connection form (also declared in ``provider.py``)."""
        return NETSUITE_FORM.ui_field_behaviour()

    # -- set-up ---------------------------------------------------------------------------------

    def _configure(self, connection: Any) -> None:
        extras = self.extras
        host = (connection.host or "").strip()
        if host and "://" not in host:
            host = f"{connection.schema or 'https'}://{host}"
        if host and connection.port:
            host = f"{host}:{connection.port}"
        raw_account = extras.get("account_id") or (netsuite_account.account_from_url(host) if host else None)
        if not raw_account:
            raise AuthError(f"connection {self.netsuite_conn_id!r}: extra account_id is required", system=NETSUITE)
        self.account_id = netsuite_account.normalize_account_id(str(raw_account))
        rest = host.rstrip("/") or netsuite_account.rest_base_url(self.account_id)
        self.rest_base = re.sub(r"/services/rest$", "", rest)
        self.base_url = self.rest_base
        if extras.get("restlet_base_url"):
            self.restlet_base = str(extras["restlet_base_url"]).rstrip("/").removesuffix(RESTLET_PATH)
        elif host and not netsuite_account.is_netsuite_host(host):
            self.restlet_base = self.rest_base  # a proxy or the sandbox serves both
        else:
            self.restlet_base = netsuite_account.restlet_base_url(self.account_id)
        mode = (extras.get("auth") or ("oauth2" if extras.get("client_id") else "tba")).lower()
        if mode == "tba":
            self._tba = oauth1_hmac_sha256(
                extras.get("consumer_key", ""),
                extras.get("consumer_secret", ""),
                extras.get("token_id", ""),
                extras.get("token_secret", ""),
                realm=netsuite_account.realm(self.account_id),
            )
        elif mode == "oauth2":
            scopes = extras.get("scopes") or DEFAULT_SCOPES
            self.tokens = ClientCredentialsTokens(
                token_url=f"{self.rest_base}/services/rest/auth/oauth2/v1/token",
                client_id=extras.get("client_id", ""),
                certificate_id=extras.get("certificate_id", ""),
                private_key=extras.get("private_key") or connection.password or "",
                algorithm=extras.get("jwt_algorithm", "PS256"),
                scopes=scopes.split(",") if isinstance(scopes, str) else scopes,
            )
        else:
            raise AuthError(f"connection {self.netsuite_conn_id!r}: auth must be tba or oauth2, got {mode!r}")
        self.auth_mode = mode

    def _error_from_response(self, response: requests.Response, call: str) -> Classified:
        return classify_netsuite(response, call=call)

    # -- the one request path -------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """One authenticated call with retries; returns the response (2xx only)."""
        self.get_conn()
        call = self.describe(method, url)
        if idempotent is None:
            idempotent = method != "POST"

        def attempt() -> requests.Response:
            if self.tokens is None:
                return self._attempt(method, url, call, auth=self._tba, params=params, json=json, headers=headers)
            token, fresh = self.tokens.token(self._fetch_token)
            try:
                return self._attempt(method, url, call, params=params, json=json, headers=_bearer(headers, token))
            except AuthError:
                if fresh:
                    raise
                # a cached token the server no longer accepts (revoked, clock skew): fetch one once
                self.tokens.invalidate(token)
                token, _ = self.tokens.token(self._fetch_token)
                return self._attempt(method, url, call, params=params, json=json, headers=_bearer(headers, token))

        return self._retrying(call, attempt, idempotent=idempotent)

    def _fetch_token(self, form: dict[str, str]) -> dict:
        assert self.tokens is not None
        url = self.tokens.token_url
        response = self._attempt("POST", url, self.describe("POST", url), data=form)
        body = response_json(response)
        return body if isinstance(body, dict) else {}

    def record_url(self, record_type: str, record_id: str | None = None) -> str:
        self.get_conn()
        url = f"{self.rest_base}/services/rest/record/v1/{quote(record_type, safe='')}"
        return f"{url}/{quote(str(record_id), safe=':')}" if record_id is not None else url

    # -- SuiteQL --------------------------------------------------------------------------------

    def suiteql(
        self,
        query: str,
        params: Sequence[Any] | None = None,
        page_size: int = SUITEQL_MAX_PAGE,
        *,
        watermark_column: str | None = None,
        watermark_expression: str | None = None,
        row_cap: int = SUITEQL_ROW_CAP,
    ) -> Iterator[list[dict]]:
        """Yield SuiteQL rows page by page (``Prefer: transient``), until ``hasMore`` is false.

        Rows are NetSuite's (lower-case column keys, string values) without their ``links``.

        **Past the 100,000-row cap.** NetSuite serves at most ``row_cap`` rows of one query. For
        larger results give ``watermark_column``: the query must contain the marker ``{watermark}``
        where a WHERE condition may stand, and must ``ORDER BY`` that column ascending. The hook
        runs it with ``1 = 1`` in place of the marker; when a run reaches the cap it runs it again
        with ``<watermark_expression> >= ?`` (the expression defaults to the column; its bind is
        inserted among ``params`` where the marker stands), and skips the rows of the boundary value
        it already yielded, so ties are neither lost nor repeated. The watermark's values must compare
        correctly when bound back (ids, or a timestamp selected with ``TO_CHAR``), and fewer than
        ``row_cap`` rows may share one value.
        """
        self.get_conn()
        if not 1 <= page_size <= SUITEQL_MAX_PAGE:
            raise ValueError(f"page_size must be 1..{SUITEQL_MAX_PAGE}, got {page_size}")
        params = list(params or [])
        if watermark_column is None:
            yield from self._suiteql_run(query, params, page_size, row_cap, cap_error=True)
            return
        if query.count(WATERMARK_MARKER) != 1:
            raise ValueError(f"a watermarked SuiteQL query must contain {WATERMARK_MARKER} exactly once")
        expression = watermark_expression or watermark_column
        before, _ = query.split(WATERMARK_MARKER)
        bind_at = before.count("?")
        boundary: str | None = None
        seen_at_boundary: set[tuple] = set()
        while True:
            if boundary is None:
                run_query, run_params = query.replace(WATERMARK_MARKER, "1 = 1"), params
            else:
                run_query = query.replace(WATERMARK_MARKER, f"{expression} >= ?")
                run_params = [*params[:bind_at], boundary, *params[bind_at:]]
            rows_in_run = 0
            last: str | None = None
            at_last: set[tuple] = set()
            capped = False
            for page, more in self._suiteql_pages(run_query, run_params, page_size, row_cap):
                fresh_rows = []
                for row in page:
                    value = row.get(watermark_column)
                    if value is None:
                        raise SyncError(f"suiteql: watermark column {watermark_column!r} missing in a row")
                    key = tuple(sorted(row.items()))
                    if value == boundary and key in seen_at_boundary:
                        continue
                    if value != last:
                        last, at_last = value, set()
                    at_last.add(key)
                    fresh_rows.append(row)
                rows_in_run += len(page)
                if fresh_rows:
                    yield fresh_rows
                capped = more
            if not capped:
                return
            if last is None or last == boundary:
                raise SyncError(
                    f"suiteql: a whole {rows_in_run}-row run shares watermark {watermark_column}={boundary!r}; "
                    "choose a finer watermark",
                    system=NETSUITE,
                )
            self.log.info("suiteql: %d-row cap reached; continuing from %s >= %s", row_cap, expression, last)
            seen_at_boundary = at_last
            boundary = last

    def _suiteql_run(self, query, params, page_size, row_cap, *, cap_error: bool) -> Iterator[list[dict]]:
        for page, capped in self._suiteql_pages(query, params, page_size, row_cap):
            if page:
                yield page
            if capped and cap_error:
                raise SyncError(
                    f"suiteql: the query has more than {row_cap} rows, NetSuite's cap; pass watermark_column "
                    "(see NetSuiteHook.suiteql) or narrow the query",
                    system=NETSUITE,
                )

    def _suiteql_pages(self, query, params, page_size, row_cap) -> Iterator[tuple[list[dict], bool]]:
        """``(rows, capped)`` per page; ``capped`` is True on the last page a cap allows while more exist."""
        url = f"{self.rest_base}/services/rest/query/v1/suiteql"
        body: dict[str, Any] = {"q": query}
        if params:
            body["params"] = list(params)
        offset, fetched = 0, 0
        while True:
            response = self.request(
                "POST",
                url,
                params={"limit": page_size, "offset": offset},
                json=body,
                headers={"Prefer": "transient"},
                idempotent=True,
            )
            data = response_json(response) or {}
            rows = [_strip_links(row) for row in data.get("items") or []]
            fetched += len(rows)
            has_more = bool(data.get("hasMore"))
            self.log.info(
                "suiteql: offset %d, %d rows (%d of %s)", offset, len(rows), fetched, data.get("totalResults", "?")
            )
            offset += page_size
            capped = has_more and offset + page_size > row_cap
            yield rows, capped
            if not has_more or capped or not rows:
                return

    # -- RESTlets -------------------------------------------------------------------------------

    def restlet(
        self,
        script: str | int,
        deploy: str | int,
        method: str = "GET",
        params: dict[str, Any] | None = None,
        payload: Any = None,
    ) -> Any:
        """Call a RESTlet; ``script``/``deploy`` and ``params`` go in the (signed) query string.

        A RESTlet that catches an error answers HTTP 200 with ``{"error": {"code", "message"}}``;
        that is raised like an HTTP error.
        """
        self.get_conn()
        method = method.upper()
        if method == "GET" and payload is not None:
            raise ValueError("a GET RESTlet call cannot carry a payload (NetSuite answers 400)")
        url = f"{self.restlet_base}{RESTLET_PATH}"
        query = {
            "script": str(script),
            "deploy": str(deploy),
            **{k: v for k, v in (params or {}).items() if v is not None},
        }
        response = self.request(method, url, params=query, json=payload, idempotent=method != "POST")
        body = response_json(response)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            code, message, path = netsuite_error_parts(body)
            raise RecordError(
                f"RESTlet {script}/{deploy}: {message}",
                system=NETSUITE,
                status=response.status_code,
                code=code,
                field_path=path,
                details=body,
            )
        return body

    # -- records --------------------------------------------------------------------------------

    def get_record(
        self, record_type: str, record_id: str | int, expand: bool = False, fields: Sequence[str] | None = None
    ) -> dict:
        """``GET /record/v1/{type}/{id}`` (``expandSubResources`` for sublists), without ``links``."""
        params: dict[str, str] = {}
        if expand:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        response = self.request("GET", self.record_url(record_type, str(record_id)), params=params or None)
        return _strip_links(response_json(response) or {})

    def get_by_external_id(self, record_type: str, external_id: str) -> dict:
        """The record whose ``externalId`` is ``external_id`` (``GET /record/v1/{type}/eid:{id}``)."""
        return self.get_record(record_type, f"eid:{_checked_external_id(record_type, external_id)}")

    def create_record(self, record_type: str, body: dict) -> str:
        """``POST /record/v1/{type}``; returns the new internal id from ``Location``.

        Not retried after a timeout or 5xx (it could create twice): prefer
        :meth:`upsert_by_external_id` for anything that has a stable key.
        """
        response = self.request("POST", self.record_url(record_type), json=body, idempotent=False)
        new_id = _id_from_location(response)
        if new_id is None:
            raise SyncError(f"POST {record_type}: no Location header in NetSuite's answer", system=NETSUITE)
        return new_id

    def upsert_by_external_id(self, record_type: str, external_id: str, body: dict) -> str:
        """``PUT /record/v1/{type}/eid:{external_id}``: create or update; returns the internal id."""
        _checked_external_id(record_type, external_id)
        response = self.request("PUT", self.record_url(record_type, f"eid:{external_id}"), json=body)
        new_id = _id_from_location(response)
        if new_id is not None and not new_id.startswith("eid:"):
            return new_id
        return str(self.get_record(record_type, f"eid:{external_id}", fields=["id"])["id"])

    def patch_record(self, record_type: str, record_id: str | int, body: dict) -> None:
        """``PATCH /record/v1/{type}/{id}``: only the given fields change."""
        self.request("PATCH", self.record_url(record_type, str(record_id)), json=body)

    # -- Airflow UI -----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: the auth line of ``python -m magento_netsuite check``, same words."""
        try:
            finding = netsuite_auth(self)
        except Exception as exc:  # the UI shows the message; errors carry no secrets
            return False, str(exc)
        return finding.ok, finding.line()


def _checked_external_id(record_type: str, external_id: str) -> str:
    """NetSuite external ids hold letters, digits, ``_`` and ``-`` (anything else breaks ``eid:`` URLs)."""
    if not _EXTERNAL_ID.match(external_id or ""):
        raise RecordError(
            f"{record_type} externalId {external_id!r}: only letters, digits, _ and - are allowed",
            system=NETSUITE,
            code="INVALID_EXTERNAL_ID",
            field_path="externalId",
        )
    return external_id


def _bearer(headers: dict[str, str] | None, token: str) -> dict[str, str]:
    return {**(headers or {}), "Authorization": f"Bearer {token}"}


def _strip_links(value: Any) -> Any:
    """Drop NetSuite's HATEOAS ``links`` everywhere in a record or row."""
    if isinstance(value, dict):
        return {k: _strip_links(v) for k, v in value.items() if k != "links"}
    if isinstance(value, list):
        return [_strip_links(v) for v in value]
    return value


def _id_from_location(response: requests.Response) -> str | None:
    location = response.headers.get("Location")
    if not location:
        return None
    return urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1] or None
