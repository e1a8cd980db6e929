# Endpoints are async on purpose (they run on the event loop, so latency sleeps overlap).
# ruff: file-ignore[unused-async]
"""The Magento 2.4 sandbox: the admin REST endpoints this package uses, same paths and shapes.

``create_app(dataset, input_limit=False, bearer_enabled=True)`` serves
``/rest/{,default/,all/}V1/...`` and ``/rest/{,default/,all/}async/bulk/V1/inventory/source-items``
(store scopes behave alike here; GETs honour ``fields=``), authenticated by the integration bearer token (refused when
``bearer_enabled`` is False, like 2.4.4+ by default) or OAuth 1.0a HMAC-SHA256.

Control endpoints (no auth): the shared ``/_sandbox/faults|metrics|config`` plus
``POST /_sandbox/reset`` (back to the seed: data, config, faults, counters, metrics),
``POST /_sandbox/seed`` (SeedConfig JSON; becomes the reset baseline), ``GET /_sandbox/state``
(counts; ``?sku=``, ``?order=<increment id>``, ``?customer_id=``, ``?email=`` look records up),
``POST /_sandbox/orders|customers|products`` (raw API JSON, one object or a list),
``PATCH /_sandbox/orders/{increment_id}`` (deep-merge, or dotted paths like
``extension_attributes.shipping_assignments[0].shipping.address.postcode``; bumps ``updated_at``),
``GET /_sandbox/source-items`` (every MSI row, ``?source_code=`` / ``?sku=`` to narrow).
``POST /_sandbox/config`` accepts ``input_limit``, ``bearer_enabled``, ``bulk_delay_ms``.

Catalogue writes (select attributes, configurable products, async bulk products) are
:mod:`.catalog`'s.

Record-level faults (``kind: record``) apply to: order ship/comment/cancel (key = increment id or
entity id), customer PUT (id or email), product POST/PUT (SKU), source items sync and bulk (SKU),
base and tier prices, tier-price deletes (SKU, reported in the failure array with HTTP 200).
``POST /V1/customerGroups`` creates a group (code unique, case blind, at most 32 characters).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.common.control import control_router, instrument
from magento_netsuite.sandbox.datagen import Dataset, SeedConfig, generate
from magento_netsuite.sandbox.magento import catalog as catalog_routes
from magento_netsuite.sandbox.magento import fields, search, store_setup
from magento_netsuite.sandbox.magento.auth import OAuthVerifier, check_bearer
from magento_netsuite.sandbox.magento.errors import (
    RENDERER,
    MagentoError,
    bad_request,
    install_handlers,
    record_error,
    unauthorized,
)
from magento_netsuite.sandbox.magento.store import (
    ASYNC_ARRAY_LIMIT,
    BASE_PRICE_TYPE,
    BULK_OPEN,
    REJECTED,
    SOURCE_ITEM_TYPE,
    SYNC_ARRAY_LIMIT,
    TIER_PRICE_TYPE,
    MagentoState,
    check_array_limit,
    order_field,
    product_field,
    source_item_field,
)

STORE_PREFIXES = ("/rest/V1", "/rest/default/V1", "/rest/all/V1")
BULK_PREFIXES = ("/rest/async/bulk/V1", "/rest/default/async/bulk/V1", "/rest/all/async/bulk/V1")

ACL_ORDERS = "Magento_Sales::actions_view"
ACL_SHIP = "Magento_Sales::ship"
ACL_COMMENT = "Magento_Sales::comment"
ACL_CANCEL = "Magento_Sales::cancel"
ACL_SHIPMENTS = "Magento_Sales::shipment"
ACL_CUSTOMERS = "Magento_Customer::manage"
ACL_GROUPS = "Magento_Customer::group"
ACL_PRODUCTS = "Magento_Catalog::products"
ACL_INVENTORY = "Magento_InventoryApi::source_item"
ACL_BULK = "Magento_Logging::system_magento_logging_bulk_operations"


@dataclass(frozen=True)
class Settings:
    input_limit: bool = False
    bearer_enabled: bool = True
    bulk_delay_ms: float = 100.0


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise bad_request("Decoding error: \nSyntax error") from None


def _read(request: Request, body: Any) -> JSONResponse:
    """A GET answer, trimmed by the ``fields=`` filter when one is given."""
    spec = request.query_params.get("fields")
    return _json(fields.apply(body, fields.parse(spec)) if spec else body)


def _search_response(
    request: Request, records: list[dict[str, Any]], criteria: search.SearchCriteria, total: int
) -> JSONResponse:
    return _read(request, {"items": records, "search_criteria": criteria.echo(), "total_count": total})


def create_app(dataset: Dataset | None = None, *, input_limit: bool = False, bearer_enabled: bool = True) -> FastAPI:
    app = FastAPI(title="Magento 2.4 sandbox", version="2.4.8", docs_url="/_sandbox/docs", redoc_url=None)
    defaults = Settings(input_limit=input_limit, bearer_enabled=bearer_enabled)
    box: dict[str, Any] = {"settings": defaults, "baseline": dataset or generate(SeedConfig())}
    state = MagentoState(box["baseline"])
    catalog = catalog_routes.Catalog(state)
    instruments = instrument(app, RENDERER)
    injector = instruments.injector
    verifier = OAuthVerifier()
    pending: set[asyncio.Task[None]] = set()
    install_handlers(app)
    grants = store_setup.AclGrants()

    def settings() -> Settings:
        return box["settings"]

    def guard(resource: str) -> Any:
        async def authenticate(request: Request) -> None:
            header = request.headers.get("authorization", "")
            scheme = header.split(" ", 1)[0].lower()
            if scheme == "bearer":
                check_bearer(header, bearer_enabled=settings().bearer_enabled, resource=resource)
            elif scheme == "oauth":
                verifier.verify(
                    method=request.method, url=str(request.url), header=header, form_params=[], resource=resource
                )
            else:
                raise unauthorized(resource)
            grants.require(resource)

        return Depends(authenticate)

    def criteria_of(request: Request) -> search.SearchCriteria:
        return search.parse(request.query_params.multi_items(), input_limit=settings().input_limit)

    def reject(key: str, request: Request) -> None:
        fault = injector.record_fault(key, request.method, request.url.path)
        if fault is not None:
            raise record_error(key, fault.message, fault.field)

    def rejected_keys(keys: set[str], request: Request) -> dict[str, str]:
        """Record faults hitting ``keys``: key → the message to report (the fault's, or Magento-like)."""
        rejected: dict[str, str] = {}
        for key in sorted(keys):
            fault = injector.record_fault(key, request.method, request.url.path)
            if fault is not None:
                rejected[key] = fault.message or REJECTED
        return rejected

    v1 = APIRouter()

    # ---------------------------------------------------------------- orders
    @v1.get("/orders", dependencies=[guard(ACL_ORDERS)])
    async def list_orders(request: Request) -> Response:
        criteria = criteria_of(request)
        page, total = search.apply(list(state.orders.values()), criteria, order_field)
        return _search_response(request, page, criteria, total)

    @v1.get("/orders/{order_id}", dependencies=[guard(ACL_ORDERS)])
    async def get_order(order_id: int, request: Request) -> Response:
        return _read(request, state.order(order_id))

    @v1.post("/orders/{order_id}/comments", dependencies=[guard(ACL_COMMENT)])
    async def add_comment(order_id: int, request: Request) -> Response:
        body = await _body(request)
        order = state.order(order_id)
        reject(order["increment_id"], request)
        reject(str(order_id), request)
        state.add_comment(order_id, body)
        return _json(True)

    @v1.post("/order/{order_id}/ship", dependencies=[guard(ACL_SHIP)])
    async def ship(order_id: int, request: Request) -> Response:
        body = await _body(request)
        order = state.order(order_id)
        reject(order["increment_id"], request)
        reject(str(order_id), request)
        return _json(state.ship(order_id, body))

    @v1.post("/orders/{order_id}/cancel", dependencies=[guard(ACL_CANCEL)])
    async def cancel_order(order_id: int, request: Request) -> Response:
        order = state.order(order_id)
        reject(order["increment_id"], request)
        reject(str(order_id), request)
        return _json(state.cancel(order_id))

    @v1.get("/shipments", dependencies=[guard(ACL_SHIPMENTS)])
    async def list_shipments(request: Request) -> Response:
        criteria = criteria_of(request)
        page, total = search.apply(list(state.shipments.values()), criteria, order_field)
        return _search_response(request, page, criteria, total)

    # ---------------------------------------------------------------- customers
    @v1.get("/customers/search", dependencies=[guard(ACL_CUSTOMERS)])
    async def search_customers(request: Request) -> Response:
        criteria = criteria_of(request)
        # the customer collection filters and sorts its id as ``entity_id`` (the API record calls it ``id``)
        page, total = search.apply(list(state.customers.values()), criteria, get=search.customer_field)
        return _search_response(request, page, criteria, total)

    @v1.get("/customers/{customer_id}", dependencies=[guard(ACL_CUSTOMERS)])
    async def get_customer(customer_id: int, request: Request) -> Response:
        return _read(request, state.customer(customer_id))

    @v1.put("/customers/{customer_id}", dependencies=[guard(ACL_CUSTOMERS)])
    async def put_customer(customer_id: int, request: Request) -> Response:
        body = await _body(request)
        existing = state.customer(customer_id)
        reject(str(customer_id), request)
        reject(existing["email"], request)
        return _json(state.save_customer(customer_id, body))

    @v1.get("/customerGroups/search", dependencies=[guard(ACL_GROUPS)])
    async def search_groups(request: Request) -> Response:
        criteria = criteria_of(request)
        page, total = search.apply(list(state.customer_groups.values()), criteria)
        return _search_response(request, page, criteria, total)

    @v1.post("/customerGroups", dependencies=[guard(ACL_GROUPS)])
    async def create_group(request: Request) -> Response:
        return _json(state.create_customer_group(await _body(request)))

    # ---------------------------------------------------------------- prices (before /products/{sku})
    @v1.post("/products/base-prices", dependencies=[guard(ACL_PRODUCTS)])
    async def base_prices(request: Request) -> Response:
        prices = (await _body(request)).get("prices")
        if not isinstance(prices, list):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "prices"})
        if settings().input_limit:
            check_array_limit(prices, BASE_PRICE_TYPE, SYNC_ARRAY_LIMIT)
        skus = {str(p.get("sku")) for p in prices if isinstance(p, dict)}
        return _json(state.save_base_prices(prices, rejected_keys(skus, request)))

    @v1.post("/products/base-prices-information", dependencies=[guard(ACL_PRODUCTS)])
    async def base_prices_information(request: Request) -> Response:
        skus = (await _body(request)).get("skus")
        if not isinstance(skus, list):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "skus"})
        return _json(state.base_prices([str(s) for s in skus]))

    async def tier_prices(request: Request, *, replace_all: bool) -> Response:
        prices = (await _body(request)).get("prices")
        if not isinstance(prices, list):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "prices"})
        if settings().input_limit:
            check_array_limit(prices, TIER_PRICE_TYPE, SYNC_ARRAY_LIMIT)
        skus = {str(p.get("sku")) for p in prices if isinstance(p, dict)}
        return _json(state.save_tier_prices(prices, rejected_keys(skus, request), replace=replace_all))

    @v1.post("/products/tier-prices", dependencies=[guard(ACL_PRODUCTS)])
    async def add_tier_prices(request: Request) -> Response:
        return await tier_prices(request, replace_all=False)

    @v1.put("/products/tier-prices", dependencies=[guard(ACL_PRODUCTS)])
    async def replace_tier_prices(request: Request) -> Response:
        return await tier_prices(request, replace_all=True)

    @v1.post("/products/tier-prices-delete", dependencies=[guard(ACL_PRODUCTS)])
    async def delete_tier_prices(request: Request) -> Response:
        prices = (await _body(request)).get("prices")
        if not isinstance(prices, list):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "prices"})
        if settings().input_limit:
            check_array_limit(prices, TIER_PRICE_TYPE, SYNC_ARRAY_LIMIT)
        skus = {str(p.get("sku")) for p in prices if isinstance(p, dict)}
        return _json(state.delete_tier_prices(prices, rejected_keys(skus, request)))

    @v1.post("/products/tier-prices-information", dependencies=[guard(ACL_PRODUCTS)])
    async def tier_prices_information(request: Request) -> Response:
        skus = (await _body(request)).get("skus")
        if not isinstance(skus, list):
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "skus"})
        return _json([tier for sku in skus for tier in state.tier_prices.get(str(sku), [])])

    # ---------------------------------------------------------------- products
    @v1.get("/products", dependencies=[guard(ACL_PRODUCTS)])
    async def search_products(request: Request) -> Response:
        criteria = criteria_of(request)
        skus = _sku_prefilter(criteria)  # Magento finds SKUs by index; scanning a 50k catalogue per call is not
        candidates = list(state.products.values()) if skus is None else [
            state.products[s] for s in skus if s in state.products
        ]  # fmt: skip
        page, total = search.apply(candidates, criteria, product_field)
        return _search_response(request, [state.product_json(p) for p in page], criteria, total)

    @v1.post("/products", dependencies=[guard(ACL_PRODUCTS)])
    async def create_product(request: Request) -> Response:
        body = await _body(request)
        product = body.get("product") if isinstance(body, dict) else None
        if isinstance(product, dict) and product.get("sku"):
            reject(str(product["sku"]), request)
        catalog.check_product(body)
        return _json(state.save_product(body))

    @v1.get("/products/{sku}", dependencies=[guard(ACL_PRODUCTS)])
    async def get_product(sku: str, request: Request) -> Response:
        return _read(request, state.product(sku))

    @v1.put("/products/{sku}", dependencies=[guard(ACL_PRODUCTS)])
    async def put_product(sku: str, request: Request) -> Response:
        body = await _body(request)
        reject(sku, request)
        catalog.check_product(body, sku)
        return _json(state.save_product(body, path_sku=sku))

    # ---------------------------------------------------------------- inventory
    @v1.get("/inventory/source-items", dependencies=[guard(ACL_INVENTORY)])
    async def search_source_items(request: Request) -> Response:
        criteria = criteria_of(request)
        candidates = state.source_item_candidates(_sku_prefilter(criteria))
        page, total = search.apply(candidates, criteria, source_item_field)
        items = [{"sku": r.sku, "source_code": r.source_code, "quantity": r.quantity, "status": r.status} for r in page]
        return _search_response(request, items, criteria, total)

    @v1.post("/inventory/source-items", dependencies=[guard(ACL_INVENTORY)])
    async def save_source_items(request: Request) -> Response:
        body = await _body(request)
        items = body.get("sourceItems") if isinstance(body, dict) else None
        if items is None:
            raise bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": "sourceItems"})
        if settings().input_limit:
            check_array_limit(items, SOURCE_ITEM_TYPE, SYNC_ARRAY_LIMIT)
        errors = state.source_item_errors(items)
        skus = {str(i.get("sku")) for i in items if isinstance(i, dict)} if isinstance(items, list) else set()
        for sku, message in rejected_keys(skus, request).items():
            errors.append({"message": message, "parameters": {"sku": sku}})
        if errors:
            raise MagentoError(400, "Validation Failed", [], errors=errors)
        state.save_source_items(items)
        return _json([])

    @v1.get("/bulk/{bulk_uuid}/status", dependencies=[guard(ACL_BULK)])
    async def bulk_status(bulk_uuid: str, request: Request) -> Response:
        return _read(request, state.bulk_status(bulk_uuid))

    bulk_router = APIRouter()

    @bulk_router.post("/inventory/source-items", dependencies=[guard(ACL_INVENTORY)])
    async def bulk_source_items(request: Request) -> Response:
        bodies = await _body(request)
        if not isinstance(bodies, list) or not bodies:
            raise bad_request("Request body must be an array of operations")
        if settings().input_limit:
            check_array_limit(bodies, SOURCE_ITEM_TYPE, ASYNC_ARRAY_LIMIT)
        bulk = state.new_bulk(bodies)
        skus = {
            str(item.get("sku"))
            for op in bulk.operations
            if op.status == BULK_OPEN
            for item in op.data["sourceItems"] or []
            if isinstance(item, dict)
        }
        rejected = rejected_keys(skus, request)
        delay = settings().bulk_delay_ms / 1000

        async def run_later() -> None:
            await asyncio.sleep(delay)
            state.run_bulk(bulk, rejected)

        if delay <= 0:
            state.run_bulk(bulk, rejected)
        else:
            task = asyncio.create_task(run_later())
            pending.add(task)
            task.add_done_callback(pending.discard)
        items = [
            {"id": op.id, "data_hash": op.data_hash, "status": "accepted" if op.data_hash else "rejected"}
            for op in bulk.operations
        ]
        errors = any(op.data_hash is None for op in bulk.operations)
        return _json({"bulk_uuid": bulk.uuid, "request_items": items, "errors": errors}, status=202)

    setup_v1, setup_control = store_setup.routers(guard, lambda: state.sources, grants, criteria_of)
    catalog_routes.add_routes(
        v1,
        bulk_router,
        catalog,
        guard=guard,
        acl=ACL_PRODUCTS,
        body_of=_body,
        rejected_keys=rejected_keys,
        bulk_delay=lambda: settings().bulk_delay_ms / 1000,
        pending=pending,
    )
    for prefix in STORE_PREFIXES:
        app.include_router(v1, prefix=prefix)
        app.include_router(setup_v1, prefix=prefix)
    for prefix in BULK_PREFIXES:
        app.include_router(bulk_router, prefix=prefix)

    # ---------------------------------------------------------------- control
    def on_config(values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - {"input_limit", "bearer_enabled", "bulk_delay_ms"}
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        current = settings()
        changes: dict[str, Any] = {}
        for key in ("input_limit", "bearer_enabled"):
            if key in values:
                if not isinstance(values[key], bool):
                    raise ValueError(f"config {key} must be true or false")
                changes[key] = values[key]
        if "bulk_delay_ms" in values:
            delay = values["bulk_delay_ms"]
            if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
                raise ValueError("config bulk_delay_ms must be a number >= 0")
            changes["bulk_delay_ms"] = float(delay)
        box["settings"] = replace(current, **changes)
        return asdict(box["settings"])

    control = control_router(instruments, on_config=on_config)

    @control.post("/reset")
    async def reset() -> Response:
        state.load(box["baseline"])
        catalog.reset()
        box["settings"] = defaults
        injector.reset()
        instruments.metrics.reset()
        grants.denied.clear()
        return _json(state.counts())

    @control.post("/seed")
    async def seed(request: Request) -> Response:
        raw = await _body(request)
        if not isinstance(raw, dict):
            raise bad_request("seed body must be a SeedConfig object")
        try:
            if isinstance(raw.get("now"), str):
                raw["now"] = datetime.fromisoformat(raw["now"].replace("Z", "+00:00"))
            config = SeedConfig(**raw)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid seed config: {exc}") from None
        box["baseline"] = await asyncio.to_thread(generate, config)
        state.load(box["baseline"])
        catalog.reset()
        return _json(
            {"counts": state.counts(), "mismatches": {k: len(v) for k, v in box["baseline"].mismatches.items()}}
        )

    @control.get("/state")
    async def inspect(request: Request) -> Response:
        query = request.query_params
        body: dict[str, Any] = {"counts": state.counts(), "config": asdict(settings())}
        if "sku" in query:
            sku = query["sku"]
            record = state.products.get(sku)
            body["product"] = state.product_json(record) if record is not None else None
            body["source_items"] = [
                {"sku": r.sku, "source_code": r.source_code, "quantity": r.quantity, "status": r.status}
                for r in state.source_item_candidates([sku])
            ]
            body["tier_prices"] = state.tier_prices.get(sku, [])
        if "order" in query:
            entity_id = state.order_ids.get(query["order"])
            body["order"] = state.orders.get(entity_id) if entity_id is not None else None
            body["shipments"] = [s for s in state.shipments.values() if s["order_id"] == entity_id]
        if "customer_id" in query:
            body["customer"] = state.customers.get(int(query["customer_id"]))
        if "email" in query:
            email = query["email"].casefold()
            body["customer"] = next((c for c in state.customers.values() if c["email"].casefold() == email), None)
        return _json(body)

    async def insert(request: Request, add: Any) -> Response:
        raw = await _body(request)
        records = raw if isinstance(raw, list) else [raw]
        return _json([add(record) for record in records], status=201)

    @control.post("/orders")
    async def add_orders(request: Request) -> Response:
        return await insert(request, state.insert_order)

    @control.post("/customers")
    async def add_customers(request: Request) -> Response:
        return await insert(request, state.insert_customer)

    @control.post("/products")
    async def add_products(request: Request) -> Response:
        return await insert(request, state.insert_product)

    @control.patch("/orders/{increment_id}")
    async def patch_order(increment_id: str, request: Request) -> Response:
        patch = await _body(request)
        if not isinstance(patch, dict):
            raise bad_request("patch body must be an object")
        return _json(state.patch_order(increment_id, patch))

    @control.get("/source-items")
    async def dump_source_items(request: Request) -> Response:
        source_code = request.query_params.get("source_code")
        sku = request.query_params.get("sku")
        rows = state.source_item_candidates([sku] if sku else None)
        items = [
            {"sku": r.sku, "source_code": r.source_code, "quantity": r.quantity, "status": r.status}
            for r in rows
            if source_code is None or r.source_code == source_code
        ]
        return _json({"items": items, "total_count": len(items)})

    app.include_router(control)
    app.include_router(setup_control)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def no_route() -> Response:
        return MagentoError(404, "Request does not match any route.").response()

    return app


def _sku_prefilter(criteria: search.SearchCriteria) -> list[str] | None:
    """SKUs to look up directly when one filter group is only ``sku eq/in`` (the common query)."""
    for group in criteria.filter_groups:
        if all(f.field == "sku" and f.condition_type in ("eq", "in") for f in group):
            skus: list[str] = []
            for flt in group:
                values = str(flt.value).split(",") if flt.condition_type == "in" else [str(flt.value)]
                skus.extend(value.strip() for value in values)
            return list(dict.fromkeys(skus))
    return None
