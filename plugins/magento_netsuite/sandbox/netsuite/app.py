# Endpoints are async on purpose (they run on the event loop, so latency sleeps overlap).
# ruff: file-ignore[unused-async]
"""The NetSuite sandbox app: ``create_app(dataset, account_id=..., concurrency_limit=5)``.

API (authenticated by TBA or an OAuth 2.0 bearer token; see :mod:`.auth`):

* ``/services/rest/record/v1/{salesOrder,customer,inventoryItem,itemFulfillment,location,priceLevel}``:
  GET by id or ``eid:``, collection GET (``q``, ``limit``, ``offset``), POST (204 + Location;
  duplicate externalId → 400 INVALID_CONTENT, see :mod:`.records`), PATCH, PUT ``eid:`` upsert.
* ``POST /services/rest/query/v1/suiteql`` (see :mod:`.suiteql`).
* ``/app/site/hosting/restlet.nl?script=..&deploy=..``: our RESTlets, their JavaScript run under node
  (:mod:`.restlets`).
* ``POST /services/rest/auth/oauth2/v1/token``: client credentials with a JWT client assertion.

Control (no auth): the shared ``/_sandbox/faults|metrics|config`` (config also takes
``concurrency_limit``) plus ``POST /_sandbox/reset``, ``POST /_sandbox/seed`` (SeedConfig JSON),
``GET /_sandbox/state`` (counts, concurrency peak, auth failures; ``?record=<type>&externalId=`` or
``&id=`` returns a record), ``POST /_sandbox/records/{type}`` (raw record JSON, one or a list),
``POST /_sandbox/inventory`` (``[{sku|item_id, location_id, on_hand, committed}]``),
``POST /_sandbox/pricing`` (``[{sku|item_id, price_level_id, quantity, unit_price}]`` or with
``customer_id`` for a contract price; ``remove: true`` deletes that row),
``POST /_sandbox/salesorders/{id|eid:..}/cancel`` (the UI's Cancel button) and ``.../close``
(``{"lines": [2]}``, the Close checkbox; see :mod:`.lifecycle`),
``POST /_sandbox/items`` (``[{sku, displayname?, inventory?}]``
creates, ``[{sku, isinactive}]`` inactivates; also sets ``displayname``, ``cost``, ``weight``, ``vendorname``,
``upccode``, matrix ``matrixtype``/``parent`` (a SKU)/``custitem_color``/``custitem_size``),
``POST /_sandbox/oauth2/clients`` (``{client_id, certificate_id, public_key_pem}``).

Record faults (``kind: record``) reject creates and upserts whose key matches: salesOrder and
itemFulfillment by ``externalId``, customer by ``externalId`` or ``email``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI, Request
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox import credentials
from magento_netsuite.sandbox.common.control import control_router, instrument
from magento_netsuite.sandbox.datagen import Dataset, SeedConfig, generate
from magento_netsuite.sandbox.netsuite import account_setup, restlets
from magento_netsuite.sandbox.netsuite.auth import (
    AuthFailure,
    OAuth2Client,
    OAuth2Issuer,
    TbaCredentials,
    TbaVerifier,
    base_uri,
)
from magento_netsuite.sandbox.netsuite.concurrency import ConcurrencyLimit, ConcurrencyMiddleware
from magento_netsuite.sandbox.netsuite.errors import (
    RENDERER,
    RESTLET_PATH,
    NetSuiteError,
    restlet_error,
    unauthorized,
    unexpected_error,
)
from magento_netsuite.sandbox.netsuite.query_filter import FilterError, parse
from magento_netsuite.sandbox.netsuite.records import RECORD_TYPES, SUBLISTS, NetSuiteAccount
from magento_netsuite.sandbox.netsuite.suiteql import MAX_PAGE, ROW_CAP, SuiteQLError
from magento_netsuite.sandbox.netsuite.suitescript.driver import NodeMissing, ScriptError, SuiteScriptRunner

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # ruff: ignore[hardcoded-password-string] - a URL path
RECORD_PREFIX = "/services/rest/record/v1"


def oauth2_private_key_pem() -> str:
    """The sandbox's default OAuth 2.0 client key (EC P-256, derived from a fixed seed: sandbox-only)."""
    secret = int.from_bytes(hashlib.sha256(b"mns-sandbox-netsuite-oauth2").digest(), "big") % (2**255)
    key = ec.derive_private_key(secret, ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class AuthRejected(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("authentication failed")
        self.response = response


def _json(body: Any, status: int = 200, media_type: str = SINGULAR, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, media_type=media_type, headers=headers)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise NetSuiteError(400, "INVALID_CONTENT", "Invalid JSON in the request body.") from None


def _base(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def _page_params(request: Request, default: int = 1000) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", default))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        raise NetSuiteError(400, "INVALID_PARAMETER", "limit and offset must be integers.") from None
    if not 1 <= limit <= MAX_PAGE:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid limit {limit}: it must be 1 to {MAX_PAGE}.",
            **{"o:errorQueryParam": "limit"},
        )
    if offset < 0 or offset % limit:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid offset {offset}: the offset must be a multiple of the limit ({limit}).",
            **{"o:errorQueryParam": "offset"},
        )
    return limit, offset


def _paging_links(url: str, extra: dict[str, str], limit: int, offset: int, total: int) -> list[dict[str, str]]:
    def href(at: int) -> str:
        return f"{url}?{urlencode({**extra, 'limit': limit, 'offset': at})}"

    last = max(0, (total - 1) // limit * limit) if total else 0
    links = [{"rel": "self", "href": href(offset)}, {"rel": "first", "href": href(0)}]
    if offset > 0:
        links.append({"rel": "previous", "href": href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    return links


def create_app(
    dataset: Dataset | None = None,
    *,
    account_id: str = credentials.NETSUITE_ACCOUNT_ID,
    concurrency_limit: int = 5,
    oneworld: bool = False,
) -> FastAPI:
    app = FastAPI(title="NetSuite sandbox", docs_url="/_sandbox/docs", redoc_url=None)
    box: dict[str, Any] = {"baseline": dataset or generate(SeedConfig()), "oneworld": oneworld}

    def fresh_account() -> NetSuiteAccount:
        """A new account from the baseline, keeping the configured OneWorld mode."""
        created = NetSuiteAccount(box["baseline"])
        created.oneworld = box["oneworld"]
        return created

    box["account"] = fresh_account()
    box["setup"] = account_setup.AccountSetup()
    instruments = instrument(app, RENDERER)
    injector = instruments.injector
    limiter = ConcurrencyLimit(concurrency_limit)
    app.add_middleware(ConcurrencyMiddleware, limiter=limiter, metrics=instruments.metrics)
    tba = TbaVerifier(
        account_id,
        [
            TbaCredentials(
                credentials.NETSUITE_CONSUMER_KEY,
                credentials.NETSUITE_CONSUMER_SECRET,
                credentials.NETSUITE_TOKEN_ID,
                credentials.NETSUITE_TOKEN_SECRET,
            )
        ],
    )
    issuer = OAuth2Issuer()
    default_client = OAuth2Client(
        credentials.NETSUITE_CLIENT_ID, credentials.NETSUITE_CERTIFICATE_ID, _public_pem(oauth2_private_key_pem())
    )
    issuer.register(default_client)
    auth_failures: Counter[str] = Counter()
    bearer_realm = account_id.split("_")[0]

    def account() -> NetSuiteAccount:
        return box["account"]

    suitescript = SuiteScriptRunner()
    app.state.suitescript = suitescript

    @app.exception_handler(NetSuiteError)
    async def _netsuite_error(_request: Request, exc: NetSuiteError) -> Response:
        return exc.response()

    @app.exception_handler(AuthRejected)
    async def _auth_rejected(_request: Request, exc: AuthRejected) -> Response:
        return exc.response

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> Response:
        return unexpected_error()

    def authenticate(request: Request) -> None:
        header = request.headers.get("authorization", "")
        path = request.url.path
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "bearer":
            if issuer.check(header.split(" ", 1)[1].strip() if " " in header else ""):
                authorized(request)
                return
            auth_failures["invalid_token"] += 1
            raise AuthRejected(unauthorized(path, bearer_realm=bearer_realm))
        if scheme != "oauth":
            auth_failures["missing"] += 1
            raise AuthRejected(unauthorized(path))
        raw_path = request.scope.get("raw_path", path.encode()).decode().split("?", 1)[0]
        uri = base_uri(request.url.scheme, request.headers.get("host", request.url.netloc), raw_path)
        query = parse_qsl(request.scope.get("query_string", b"").decode(), keep_blank_values=True)
        try:
            tba.verify(request.method, uri, query, header)
        except AuthFailure as exc:
            auth_failures[str(exc)] += 1
            raise AuthRejected(unauthorized(path)) from None
        authorized(request)

    def authorized(request: Request) -> None:
        refusal = account_setup.authorize(box["setup"], request)
        if refusal is not None:
            raise AuthRejected(refusal)

    # ---------------------------------------------------------------- OAuth 2.0 token
    @app.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        token_url = f"{_base(request)}{TOKEN_PATH}"
        try:
            access_token = issuer.issue(form.get("client_assertion", ""), token_url)
        except AuthFailure as exc:
            auth_failures[f"oauth2: {exc}"] += 1
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse({"access_token": access_token, "expires_in": 3600, "token_type": "bearer"})

    # ---------------------------------------------------------------- record API
    def check_type(record_type: str) -> None:
        if record_type not in RECORD_TYPES:
            raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{record_type}' does not exist.")

    def record_url(request: Request, record_type: str, record_id: int | str) -> str:
        return f"{_base(request)}{RECORD_PREFIX}/{record_type}/{record_id}"

    def reject_fault(request: Request, record_type: str, body: dict[str, Any]) -> None:
        keys = [body.get("externalId")]
        if record_type == "customer":
            keys.append(body.get("email"))
        for key in keys:
            if key is None:
                continue
            fault = injector.record_fault(str(key), request.method, request.url.path)
            if fault is not None:
                detail = fault.message or f"Invalid field value for the {record_type} with key {key}."
                raise NetSuiteError(
                    400, "INVALID_CONTENT", detail, **({"o:errorPath": fault.field} if fault.field else {})
                )

    @app.get(RECORD_PREFIX + "/{record_type}")
    async def list_records(record_type: str, request: Request) -> Response:
        authenticate(request)
        check_type(record_type)
        limit, offset = _page_params(request)
        acct = account()
        q = request.query_params.get("q")
        ids = acct.ids(record_type)
        if q:
            try:
                predicate = parse(q)
            except FilterError as exc:
                raise NetSuiteError(
                    400, "INVALID_PARAMETER", f"Invalid search query: {exc}", **{"o:errorQueryParam": "q"}
                ) from None
            ids = [i for i, fields in acct.filterable(record_type) if predicate(fields)]
        page = ids[offset : offset + limit]
        url = f"{_base(request)}{RECORD_PREFIX}/{record_type}"
        return _json(
            {
                "links": _paging_links(url, {"q": q} if q else {}, limit, offset, len(ids)),
                "count": len(page),
                "hasMore": offset + len(page) < len(ids),
                "items": [{"links": [{"rel": "self", "href": f"{url}/{i}"}], "id": str(i)} for i in page],
                "offset": offset,
                "totalResults": len(ids),
            },
            media_type=COLLECTION,
        )

    @app.get(RECORD_PREFIX + "/{record_type}/{key}")
    async def get_record(record_type: str, key: str, request: Request) -> Response:
        authenticate(request)
        check_type(record_type)
        acct = account()
        record_id = acct.resolve(record_type, key)
        body = acct.render(record_type, record_id)
        url = record_url(request, record_type, record_id)
        expand = request.query_params.get("expandSubResources", "false").lower() == "true"
        sublists = SUBLISTS.get(record_type, ()) + (("locations",) if record_type == "inventoryItem" else ())
        for name in sublists:
            if name not in body:
                continue
            if expand:
                body[name] = {"links": [], **body[name]}
                for line in body[name].get("items", []):
                    line.setdefault("links", [])
            else:
                body[name] = {"links": [{"rel": "self", "href": f"{url}/{name}"}]}
        fields = request.query_params.get("fields")
        if fields:
            wanted = {f.strip() for f in fields.split(",") if f.strip()}
            body = {k: v for k, v in body.items() if k in wanted or k == "id"}
        return _json({"links": [{"rel": "self", "href": url}], **body})

    @app.post(RECORD_PREFIX + "/{record_type}")
    async def create_record(record_type: str, request: Request) -> Response:
        authenticate(request)
        check_type(record_type)
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        reject_fault(request, record_type, body)
        record_id = account().create(record_type, body)
        return Response(status_code=204, headers={"Location": record_url(request, record_type, record_id)})

    @app.patch(RECORD_PREFIX + "/{record_type}/{key}")
    async def patch_record(record_type: str, key: str, request: Request) -> Response:
        authenticate(request)
        check_type(record_type)
        acct = account()
        record_id = acct.resolve(record_type, key)
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        reject_fault(
            request,
            record_type,
            {**body, "externalId": body.get("externalId") or acct.render(record_type, record_id).get("externalId")},
        )
        acct.update(record_type, record_id, body)
        return Response(status_code=204, headers={"Location": record_url(request, record_type, record_id)})

    @app.put(RECORD_PREFIX + "/{record_type}/{key}")
    async def upsert_record(record_type: str, key: str, request: Request) -> Response:
        authenticate(request)
        check_type(record_type)
        if not key.startswith("eid:"):
            raise NetSuiteError(
                400, "INVALID_REQUEST", "PUT is supported only with an external ID (eid:<externalId>) in the URL."
            )
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        reject_fault(request, record_type, {**body, "externalId": key[4:]})
        record_id = account().upsert(record_type, key[4:], body)
        return Response(status_code=204, headers={"Location": record_url(request, record_type, record_id)})

    # ---------------------------------------------------------------- SuiteQL
    @app.post("/services/rest/query/v1/suiteql")
    async def suiteql(request: Request) -> Response:
        authenticate(request)
        if "transient" not in request.headers.get("prefer", "").lower():
            raise NetSuiteError(
                400,
                "INVALID_HEADER",
                "Invalid Prefer header: SuiteQL queries require the header 'Prefer: transient'.",
                **{"o:errorHeader": "Prefer"},
            )
        limit, offset = _page_params(request)
        if offset + limit > ROW_CAP:
            raise NetSuiteError(
                400,
                "INVALID_PARAMETER",
                f"Invalid offset {offset}: a SuiteQL query returns at most {ROW_CAP} results.",
                **{"o:errorQueryParam": "offset"},
            )
        body = await _json_body(request)
        query = body.get("q") if isinstance(body, dict) else None
        params = body.get("params", []) if isinstance(body, dict) else []
        if not isinstance(query, str) or not query.strip() or not isinstance(params, list):
            raise NetSuiteError(
                400, "INVALID_PARAMETER", "The request body must carry the query in 'q'.", **{"o:errorQueryParam": "q"}
            )
        try:
            account_setup.check_query(box["setup"], query, account().conn)
            page = account().suiteql.run(query, params, limit, offset)
        except SuiteQLError as exc:
            raise NetSuiteError(400, "INVALID_PARAMETER", str(exc), **{"o:errorQueryParam": "q"}) from None
        reachable = min(page.total, ROW_CAP)
        url = f"{_base(request)}/services/rest/query/v1/suiteql"
        return _json(
            {
                "links": _paging_links(url, {}, limit, offset, reachable),
                "count": len(page.items),
                "hasMore": offset + len(page.items) < reachable,
                "items": page.items,
                "offset": offset,
                "totalResults": page.total,
            },
            media_type=COLLECTION,
        )

    # ---------------------------------------------------------------- RESTlets
    @app.api_route(RESTLET_PATH, methods=["GET", "POST", "PUT", "DELETE"])
    async def restlet(request: Request) -> Response:
        authenticate(request)
        params = request.query_params
        script = (params.get("script") or "", params.get("deploy") or "")
        if script not in restlets.deployed():
            return restlet_error(
                400, "SSS_INVALID_SCRIPTLET_ID", "That Suitelet is invalid, disabled, or no longer exists."
            )
        if request.method == "GET" and await request.body():
            return restlet_error(400, "INVALID_REQUEST", "A GET request cannot carry a request body.")
        if request.method != "GET":
            return restlet_error(
                405, "INVALID_REQUEST", f"The RESTlet {script[0]} has no {request.method.lower()} entry point."
            )
        try:
            outcome = restlets.run(suitescript, account(), script, params, setup=box["setup"])
        except ScriptError as exc:  # thrown and not caught by the script: NetSuite answers 400
            return restlet_error(400, exc.name, exc.message)
        except NodeMissing as exc:  # the sandbox's own set-up, said plainly instead of a bare 500
            return restlet_error(500, "UNEXPECTED_ERROR", str(exc))
        return JSONResponse(outcome.result)

    # ---------------------------------------------------------------- control
    def on_config(values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - {"concurrency_limit", "oneworld"}
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        if "oneworld" in values:
            if not isinstance(values["oneworld"], bool):
                raise ValueError(f"oneworld must be true or false, got {values['oneworld']!r}")
            box["oneworld"] = account().oneworld = values["oneworld"]
        if "concurrency_limit" in values:
            limit = values["concurrency_limit"]
            if not isinstance(limit, int) or limit < 1:
                raise ValueError(f"concurrency_limit must be a positive integer, got {limit!r}")
            limiter.reset(limit)
        return {"concurrency_limit": limiter.limit, "oneworld": box["oneworld"]}

    control = control_router(instruments, on_config=on_config)

    def bad(message: str) -> NetSuiteError:
        return NetSuiteError(400, "INVALID_REQUEST", message)

    async def records_of(request: Request) -> list[dict[str, Any]]:
        raw = await _json_body(request)
        records = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(r, dict) for r in records):
            raise bad("expected a JSON object or a list of objects")
        return records

    @control.post("/reset")
    async def reset() -> Response:
        box["account"] = await asyncio.to_thread(fresh_account)
        injector.reset()
        instruments.metrics.reset()
        limiter.reset(concurrency_limit)
        auth_failures.clear()
        box["setup"] = account_setup.AccountSetup()
        return JSONResponse(account().counts())

    @control.post("/seed")
    async def seed(request: Request) -> Response:
        raw = await _json_body(request)
        if not isinstance(raw, dict):
            raise bad("seed body must be a SeedConfig object")
        try:
            if isinstance(raw.get("now"), str):
                raw["now"] = datetime.fromisoformat(raw["now"].replace("Z", "+00:00"))
            config = SeedConfig(**raw)
        except (TypeError, ValueError) as exc:
            raise bad(f"invalid seed config: {exc}") from None
        box["baseline"] = await asyncio.to_thread(generate, config)
        box["account"] = await asyncio.to_thread(fresh_account)
        return JSONResponse({"counts": account().counts()})

    @control.get("/state")
    async def state(request: Request) -> Response:
        acct = account()
        body: dict[str, Any] = {
            "account_id": account_id,
            "counts": acct.counts(),
            "concurrency": limiter.describe(),
            "auth_failures": dict(auth_failures),
            "time": datetime.now(UTC).isoformat(),
        }
        record_type = request.query_params.get("record")
        if record_type:
            check_type(record_type)
            key = request.query_params.get("id") or (
                f"eid:{request.query_params['externalId']}" if "externalId" in request.query_params else None
            )
            if key is None:
                raise bad("state lookup needs id= or externalId=")
            try:
                body["record"] = acct.render(record_type, acct.resolve(record_type, key))
            except NetSuiteError:
                body["record"] = None
        return JSONResponse(body)

    @control.post("/records/{record_type}")
    async def raw_records(record_type: str, request: Request) -> Response:
        check_type(record_type)
        records = await records_of(request)
        ids = [account().create(record_type, record, raw=True) for record in records]
        return JSONResponse({"ids": [str(i) for i in ids]}, status_code=201)

    async def change(request: Request, apply: Any) -> Response:
        records = await records_of(request)
        try:
            return JSONResponse({"changed": apply(records)})
        except (KeyError, ValueError, TypeError) as exc:
            raise bad(f"invalid change: {exc}") from None

    @control.post("/salesorders/{key}/cancel")
    async def cancel_sales_order(key: str) -> Response:
        acct = account()
        record_id = acct.resolve("salesOrder", key)
        acct.cancel_order(record_id)
        return JSONResponse(acct.render("salesOrder", record_id))

    @control.post("/salesorders/{key}/close")
    async def close_sales_order_lines(key: str, request: Request) -> Response:
        acct = account()
        record_id = acct.resolve("salesOrder", key)
        lines = (await _json_body(request)).get("lines")
        if not isinstance(lines, list) or not all(isinstance(n, int) for n in lines):
            raise bad('close needs {"lines": [<line numbers>]}')
        acct.close_lines(record_id, lines)
        return JSONResponse(acct.render("salesOrder", record_id))

    @control.post("/inventory")
    async def inventory_change(request: Request) -> Response:
        return await change(request, lambda r: account().set_inventory(r))

    @control.post("/pricing")
    async def pricing_change(request: Request) -> Response:
        return await change(request, lambda r: account().set_prices(r))

    @control.post("/items")
    async def items_change(request: Request) -> Response:
        return await change(request, lambda r: [str(i) for i in account().upsert_items(r)])

    @control.post("/oauth2/clients")
    async def register_client(request: Request) -> Response:
        raw = await _json_body(request)
        try:
            issuer.register(OAuth2Client(str(raw["client_id"]), str(raw["certificate_id"]), str(raw["public_key_pem"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(f"invalid client: {exc}") from None
        return JSONResponse({"registered": True}, status_code=201)

    app.include_router(control)
    for router in account_setup.routers(box, authenticate, limiter):
        app.include_router(router)
    app.include_router(_fallback())
    app.state.sandbox = box
    app.state.started = time.time()
    return app


def _fallback() -> APIRouter:
    router = APIRouter()

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def no_route(path: str) -> Response:
        raise NetSuiteError(404, "INVALID_REQUEST", f"Invalid request URL: /{path}.")

    return router
