"""The Magento catalogue as the products flow reads and writes it.

* :func:`current_products`: the products that exist for a set of SKUs, trimmed to what the flow
  compares (batched ``sku in (...)`` searches with ``fields=``).
* :class:`OptionIds`: a select attribute's option labels ↔ ids, creating a label NetSuite introduced.
* :func:`save_products`: creates (``POST /V1/products``) and updates (``PUT /V1/products/{sku}``)
  one call each, or through the async bulk API (``POST /async/bulk/V1/products``, ``PUT
  /async/bulk/V1/products/bySku``, one operation per product, then ``GET /V1/bulk/{uuid}/status``),
  which takes hundreds of products per call. A product Magento refuses fails alone, with its message
  and field (a refused bulk operation is re-sent on its own for Magento's structured error).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.errors import RecordError, TransientError
from magento_netsuite.connectors.magento import MagentoHook

log = logging.getLogger(__name__)
LOOKUP_BATCH = 500
COMPARED = (
    "id,sku,type_id,name,status,visibility,weight,custom_attributes,"
    "extension_attributes[configurable_product_links,configurable_product_options]"
)
BULK_COMPLETE = 1


def custom(product: Mapping[str, Any]) -> dict[str, Any]:
    """``custom_attributes`` as ``{code: value}``."""
    return {a.get("attribute_code"): a.get("value") for a in product.get("custom_attributes") or []}


def current_products(hook: MagentoHook, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
    """SKU → the Magento product (only the fields the flow compares), for the SKUs Magento has."""
    wanted = sorted(set(skus))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        for page in hook.search("products", [[("sku", chunk, "in")]], page_size=LOOKUP_BATCH, fields=COMPARED):
            found.update((str(p.get("sku")), p) for p in page)
    return found


class OptionIds:
    """Option ids of the configurable (select) attributes, by label (case-insensitive)."""

    def __init__(self, hook: MagentoHook, codes: Iterable[str]) -> None:
        self.hook = hook
        self.attribute_ids: dict[str, int] = {}
        self.labels: dict[str, dict[str, str]] = {}
        for code in codes:
            self._read(code)

    def _read(self, code: str) -> None:
        attribute = self.hook.get(f"V1/products/attributes/{code}")
        self.attribute_ids[code] = int(attribute["attribute_id"])
        self.labels[code] = {
            str(o.get("label")).strip().casefold(): str(o.get("value"))
            for o in attribute.get("options") or []
            if str(o.get("value") or "").strip()
        }

    def get(self, code: str, label: Any) -> str | None:
        return self.labels.get(code, {}).get(str(label).strip().casefold())

    def ensure(self, code: str, label: str) -> str:
        """The option id of ``label``, adding the option when NetSuite introduced a new value."""
        found = self.get(code, label)
        if found is not None:
            return found
        self.hook.post(f"V1/products/attributes/{code}/options", {"option": {"label": label, "sort_order": 0}})
        self._read(code)  # the answer is the id in 2.4 ("id_new_option" in older versions): read it back
        found = self.get(code, label)
        if found is None:
            raise RecordError(f"attribute {code}: option {label!r} was added but is not listed", system="magento")
        return found


@dataclass
class SaveResult:
    saved: dict[str, int | None] = field(default_factory=dict)
    """SKU → product id (``None`` when the bulk API saved it: ids are looked up afterwards)."""
    failed: dict[str, RecordError] = field(default_factory=dict)
    calls: int = 0


def save_products(
    hook: MagentoHook,
    creates: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    *,
    bulk: bool,
    per_request: int,
) -> SaveResult:
    """Create and update products (``{"sku": ..., ...}`` bodies); one outcome per SKU."""
    result = SaveResult()
    if bulk:
        for path, method, bodies in (
            ("async/bulk/V1/products", "POST", creates),
            ("async/bulk/V1/products/bySku", "PUT", updates),
        ):
            for start in range(0, len(bodies), per_request):
                _bulk(hook, path, method, bodies[start : start + per_request], result)
        # a bulk operation reports only a rendered message: re-send each refused product on its own, which
        # gives Magento's structured error (the field) or, for a retriable failure, saves it
        for body in [b for b in creates if b["sku"] in result.failed]:
            del result.failed[body["sku"]]
            _one(hook, "POST", "V1/products", body, result)
        for body in [b for b in updates if b["sku"] in result.failed]:
            del result.failed[body["sku"]]
            _one(hook, "PUT", f"V1/products/{body['sku']}", body, result)
        return result
    for body in creates:
        _one(hook, "POST", "V1/products", body, result)
    for body in updates:
        _one(hook, "PUT", f"V1/products/{body['sku']}", body, result)
    return result


def _one(hook: MagentoHook, method: str, path: str, body: dict[str, Any], result: SaveResult) -> None:
    result.calls += 1
    try:
        # a create is an upsert by SKU in Magento: sending it twice is harmless, so it may be retried
        answer = hook.request(method, path, json={"product": body}, idempotent=True)
    except RecordError as error:
        result.failed[body["sku"]] = error
        return
    result.saved[body["sku"]] = int(answer["id"]) if isinstance(answer, dict) and "id" in answer else None


def _bulk(hook: MagentoHook, path: str, method: str, bodies: list[dict[str, Any]], result: SaveResult) -> None:
    if not bodies:
        return
    accepted = hook.request(method, path, json=[{"product": b} for b in bodies], idempotent=True)
    result.calls += 1
    if not isinstance(accepted, dict) or not accepted.get("bulk_uuid"):
        raise TransientError(f"async bulk {path}: no bulk_uuid in the answer", system="magento", details=accepted)
    uuid = str(accepted["bulk_uuid"])
    rejected = set()
    for position, item in enumerate(accepted.get("request_items") or []):
        if isinstance(item, dict) and item.get("status") == "rejected":
            index = int(item.get("id", position))
            rejected.add(index)
            result.failed[bodies[index]["sku"]] = RecordError(
                f"bulk {uuid}: operation rejected: {item.get('error_message') or 'rejected'}", system="magento"
            )
    operations = hook.wait_for_bulk(uuid, poll_interval=0.05, poll_timeout=600)
    result.calls += 1
    for position, operation in enumerate(operations):
        index = int(operation.get("id", position))
        if index in rejected or index >= len(bodies):
            continue
        sku = bodies[index]["sku"]
        if int(operation.get("status", 0)) == BULK_COMPLETE:
            result.saved[sku] = None
        else:
            message = operation.get("result_message") or f"operation status {operation.get('status')}"
            result.failed[sku] = RecordError(str(message), system="magento")
    log.info("magento bulk %s (%s %s): %d operation(s)", uuid, method, path, len(bodies))
