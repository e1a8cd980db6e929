# Endpoints are async on purpose (they run on the event loop, so latency sleeps overlap).
"""The Magento sandbox's catalogue writes beyond one product: select attributes and their options,
configurable products (options + child links), and the async bulk product routes.

* ``GET /V1/products/attributes/{code}`` (the EAV attribute with ``options: [{label, value}]``),
  ``GET|POST /V1/products/attributes/{code}/options`` (``{"option": {"label": ...}}`` → the new id, a
  string; a label that exists already → 400).
* A configurable product is saved through ``POST /V1/products`` / ``PUT /V1/products/{sku}`` with
  ``extension_attributes.configurable_product_options`` (``attribute_id``, ``label``, ``values:
  [{value_index}]``) and ``configurable_product_links`` (child product ids): every link must be an
  existing product with a value for each option's attribute, and two children may not share one
  combination (Magento's messages). ``POST /V1/configurable-products/{sku}/child`` (``{childSku}``)
  links one more child; ``GET /V1/configurable-products/{sku}/children`` lists them.
* ``POST /async/bulk/V1/products`` and ``PUT /async/bulk/V1/products/bySku`` take an array of
  ``{"product": {...}}`` bodies (``bySku``: the SKU comes from each body), answer 202 with
  ``{bulk_uuid, request_items: [{id, data_hash, status}], errors}`` and run each body as one
  operation (``GET /V1/bulk/{uuid}/status``): a body Magento refuses fails alone with its message.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from magento_netsuite.sandbox.magento.errors import NO_SUCH_PRODUCT, MagentoError, bad_request, not_found
from magento_netsuite.sandbox.magento.store import (
    BULK_COMPLETE,
    BULK_FAILED,
    BULK_REJECTED,
    REQUIRED,
    Bulk,
    BulkOperation,
    MagentoState,
    now_str,
    product_field,
    render,
)

PRODUCT_TOPIC = "async.magento.catalog.api.productrepositoryinterface.save.{method}"
PRODUCT_SUCCESS = "Service execution success Magento\\Catalog\\Model\\ProductRepository\\Interceptor::save"
MISSING_VALUE = 'The child product doesn\'t have the "%1" attribute value. Verify the value and try again.'
SAME_VALUES = 'Products "%1" and "%2" have the same set of attribute values.'
ALREADY_ATTACHED = "The product is already attached."
NO_SUCH_ATTRIBUTE = 'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.'
OPTION_EXISTS = 'Admin store attribute option label "%1" is already exists.'


def seed_attributes() -> dict[str, dict[str, Any]]:
    """The select attributes configurable products are built on (Luma's ``color`` id 93, and ``size``)."""

    def attribute(attribute_id: int, code: str, label: str, values: list[str], first: int) -> dict[str, Any]:
        options = [{"label": " ", "value": ""}]
        options += [{"label": v, "value": str(first + n)} for n, v in enumerate(values)]
        return {
            "attribute_id": attribute_id,
            "attribute_code": code,
            "frontend_input": "select",
            "default_frontend_label": label,
            "is_user_defined": True,
            "scope": "global",
            "options": options,
        }

    return {
        "color": attribute(93, "color", "Color", ["Black", "Blue", "Red", "White"], 49),
        "size": attribute(144, "size", "Size", ["S", "M", "L", "XL"], 166),
    }


class Catalog:
    """Attributes and configurable links on top of :class:`MagentoState` (reset with it)."""

    def __init__(self, state: MagentoState) -> None:
        self.state = state
        self.attributes = seed_attributes()
        self._next_option = 1000

    def reset(self) -> None:
        self.attributes = seed_attributes()
        self._next_option = 1000

    def attribute(self, code: str) -> dict[str, Any]:
        found = self.attributes.get(code)
        if found is None:
            raise not_found(NO_SUCH_ATTRIBUTE, [code])
        return found

    def add_option(self, code: str, body: Any) -> str:
        option = body.get("option") if isinstance(body, dict) else None
        label = str((option or {}).get("label") or "").strip()
        if not label:
            raise bad_request(REQUIRED, {"fieldName": "label"})
        attribute = self.attribute(code)
        if any(o["label"].casefold() == label.casefold() for o in attribute["options"]):
            raise bad_request(OPTION_EXISTS, [label])
        value = str(self._next_option)
        self._next_option += 1
        attribute["options"].append({"label": label, "value": value})
        return value

    def _by_id(self) -> dict[int, str]:
        return {int(product_field(p, "id")): sku for sku, p in self.state.products.items()}

    def _attribute_value(self, product: Any, code: str) -> Any:
        body = self.state.product_json(product)
        for attribute in body.get("custom_attributes") or []:
            if attribute.get("attribute_code") == code:
                return attribute.get("value")
        return None

    def _code_of(self, attribute_id: Any) -> str:
        for code, attribute in self.attributes.items():
            if str(attribute["attribute_id"]) == str(attribute_id):
                return code
        raise bad_request('Invalid value of "%value" provided for the %fieldName field.',
                          {"value": attribute_id, "fieldName": "attribute_id"})  # fmt: skip

    def check_links(self, codes: list[str], child_skus: list[str]) -> None:
        """Every child has a value for each configurable attribute; no two share a combination."""
        seen: dict[tuple[Any, ...], str] = {}
        for sku in child_skus:
            product = self.state.products[sku]
            values = []
            for code in codes:
                value = self._attribute_value(product, code)
                if value in (None, ""):
                    raise bad_request(MISSING_VALUE, [code])
                values.append(str(value))
            other = seen.setdefault(tuple(values), sku)
            if other != sku:
                raise bad_request(SAME_VALUES, [other, sku])

    def check_product(self, body: Any, path_sku: str | None = None) -> None:
        """Magento's configurable checks on a product save (a no-op for other products)."""
        data = body.get("product") if isinstance(body, dict) else None
        extension = (data or {}).get("extension_attributes") or {}
        options = extension.get("configurable_product_options")
        links = extension.get("configurable_product_links")
        if options is None and links is None:
            return
        sku = path_sku or str((data or {}).get("sku") or "")
        current = self.state.products.get(sku)
        current_ext = (self.state.product_json(current).get("extension_attributes") or {}) if current else {}
        options = options if options is not None else current_ext.get("configurable_product_options") or []
        links = links if links is not None else current_ext.get("configurable_product_links") or []
        codes = [self._code_of(o.get("attribute_id")) for o in options if isinstance(o, dict)]
        by_id = self._by_id()
        children = []
        for link in links:
            child = by_id.get(int(link)) if str(link).isdigit() else None
            if child is None:
                raise not_found(NO_SUCH_PRODUCT)
            children.append(child)
        self.check_links(codes, children)

    def add_child(self, sku: str, body: Any) -> bool:
        child_sku = str((body or {}).get("childSku") or "") if isinstance(body, dict) else ""
        if not child_sku:
            raise bad_request(REQUIRED, {"fieldName": "childSku"})
        parent = self.state.products.get(sku)
        child = self.state.products.get(child_sku)
        if parent is None or child is None:
            raise not_found(NO_SUCH_PRODUCT)
        body_now = self.state.product_json(parent)
        if body_now.get("type_id") != "configurable":
            raise bad_request("The product is not configurable.")
        extension = body_now.setdefault("extension_attributes", {})
        links = [int(i) for i in extension.get("configurable_product_links") or []]
        child_id = int(product_field(child, "id"))
        if child_id in links:
            raise bad_request(ALREADY_ATTACHED)
        options = extension.get("configurable_product_options") or []
        codes = [self._code_of(o.get("attribute_id")) for o in options]
        by_id = self._by_id()
        self.check_links(codes, [by_id[i] for i in links if i in by_id] + [child_sku])
        extension["configurable_product_links"] = [*links, child_id]
        for option, code in zip(options, codes, strict=True):
            value = int(self._attribute_value(child, code))
            if all(int(v.get("value_index", -1)) != value for v in option.get("values") or []):
                option.setdefault("values", []).append({"value_index": value})
        body_now["updated_at"] = now_str()
        self.state.products[sku] = body_now
        return True

    def children(self, sku: str) -> list[dict[str, Any]]:
        parent = self.state.products.get(sku)
        if parent is None:
            raise not_found(NO_SUCH_PRODUCT)
        links = (self.state.product_json(parent).get("extension_attributes") or {}).get("configurable_product_links")
        by_id = self._by_id()
        return [self.state.product_json(self.state.products[by_id[int(i)]]) for i in links or [] if int(i) in by_id]

    # ------------------------------------------------------------ bulk
    def new_bulk(self, bodies: list[Any], method: str) -> Bulk:
        bulk = Bulk(str(uuid.uuid4()), f"Topic {PRODUCT_TOPIC.format(method=method)}", now_str())
        for index, data in enumerate(bodies):
            if isinstance(data, dict) and isinstance(data.get("product"), dict):
                digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
                bulk.operations.append(BulkOperation(index, copy.deepcopy(data), digest))
            else:
                message = render(REQUIRED, {"fieldName": "product"})
                bulk.operations.append(BulkOperation(index, data, None, BULK_REJECTED, message, 0))
        self.state.bulks[bulk.uuid] = bulk
        return bulk

    def run_bulk(self, bulk: Bulk, by_sku: bool, rejected: dict[str, str]) -> None:
        """Each open operation is one product save; a refused one fails alone with Magento's message."""
        for operation in bulk.operations:
            if operation.data_hash is None:
                continue
            data = operation.data
            sku = str(data.get("sku") or data["product"].get("sku") or "")
            try:
                if sku in rejected:
                    raise bad_request(rejected[sku])
                self.check_product(data, sku if by_sku else None)
                self.state.save_product(data, path_sku=sku if by_sku else None)
            except MagentoError as error:
                operation.status = BULK_FAILED
                operation.result_message = render(error.message, error.parameters)
                operation.error_code = 0
                continue
            operation.status = BULK_COMPLETE
            operation.result_message = PRODUCT_SUCCESS


def add_routes(
    v1: APIRouter,
    bulk_router: APIRouter,
    catalog: Catalog,
    *,
    guard: Callable[[str], Any],
    acl: str,
    body_of: Callable[[Request], Any],
    rejected_keys: Callable[[set[str], Request], dict[str, str]],
    bulk_delay: Callable[[], float],
    pending: set[asyncio.Task[None]],
) -> None:
    """Register the catalogue routes on the store (``v1``) and bulk routers of ``create_app``."""

    @v1.get("/products/attributes/{code}", dependencies=[guard(acl)])
    async def get_attribute(code: str) -> Response:
        return JSONResponse(catalog.attribute(code))

    @v1.get("/products/attributes/{code}/options", dependencies=[guard(acl)])
    async def get_options(code: str) -> Response:
        return JSONResponse(catalog.attribute(code)["options"])

    @v1.post("/products/attributes/{code}/options", dependencies=[guard(acl)])
    async def add_option(code: str, request: Request) -> Response:
        return JSONResponse(catalog.add_option(code, await body_of(request)))

    @v1.post("/configurable-products/{sku}/child", dependencies=[guard(acl)])
    async def add_child(sku: str, request: Request) -> Response:
        return JSONResponse(catalog.add_child(sku, await body_of(request)))

    @v1.get("/configurable-products/{sku}/children", dependencies=[guard(acl)])
    async def children(sku: str) -> Response:
        return JSONResponse(catalog.children(sku))

    async def bulk(request: Request, *, by_sku: bool) -> Response:
        bodies = await body_of(request)
        if not isinstance(bodies, list) or not bodies:
            raise bad_request("Request body must be an array of operations")
        job = catalog.new_bulk(bodies, "put" if by_sku else "post")
        skus = {
            str(op.data.get("sku") or op.data["product"].get("sku"))
            for op in job.operations
            if op.data_hash is not None
        }
        rejected = rejected_keys(skus, request)
        delay = bulk_delay()

        async def run_later() -> None:
            await asyncio.sleep(delay)
            catalog.run_bulk(job, by_sku, rejected)

        if delay <= 0:
            catalog.run_bulk(job, by_sku, rejected)
        else:
            task = asyncio.create_task(run_later())
            pending.add(task)
            task.add_done_callback(pending.discard)
        items = [
            {"id": op.id, "data_hash": op.data_hash, "status": "accepted" if op.data_hash else "rejected"}
            for op in job.operations
        ]
        errors = any(op.data_hash is None for op in job.operations)
        return JSONResponse({"bulk_uuid": job.uuid, "request_items": items, "errors": errors}, status_code=202)

    @bulk_router.post("/products", dependencies=[guard(acl)])
    async def bulk_create(request: Request) -> Response:
        return await bulk(request, by_sku=False)

    @bulk_router.put("/products/bySku", dependencies=[guard(acl)])
    async def bulk_update(request: Request) -> Response:
        return await bulk(request, by_sku=True)
