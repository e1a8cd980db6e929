"""Pure transform: one Magento order → the body of a NetSuite salesOrder, driven by the mapping.

Two steps, both without I/O:

1. :func:`draft_order` applies the line policy (:mod:`.lines`), then the mapping document's flow
   ``orders_magento_to_netsuite`` (extract, validate, transform, place). Violations name the path in
   the Magento order (``billing_address.postcode``, ``items[2].sku``).
2. :func:`complete_order` fills the references the flow resolved in NetSuite in batch: each line's
   item internal id (an unknown SKU is a violation at ``items[n].sku``) and the customer's internal id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.flows.customers.handoff import (
    DEFAULT_PATHS,
    Buyer,
    guest_external_id,
    normalise_email,
    registered_external_id,
)
from magento_netsuite.flows.orders.conditions import order_conditions
from magento_netsuite.flows.orders.constants import COMPANY_NAME_PATH, COMPUTED_BY_NETSUITE, ENTITY, FLOW
from magento_netsuite.flows.orders.lines import effective_lines
from magento_netsuite.governance import FieldViolation, MappingDocument, get_path, translate_record
from magento_netsuite.governance.translate import jsonable
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, quarantined

__all__ = ["Buyer", "Draft", "customer_of", "draft_order", "guest_external_id", "normalise_email", "order_key"]

SHIPPING_ADDRESS = "extension_attributes.shipping_assignments[0].shipping.address"
_LINE_PATH = re.compile(r"^items\[(\d+)\]")


@dataclass
class Draft:
    """A translated order still missing its NetSuite item and customer ids."""

    key: str
    body: dict[str, Any]
    customer: Buyer | None
    line_skus: list[tuple[int, str]] = field(default_factory=list)
    """(Magento items index, SKU) per NetSuite line, in line order."""
    violations: list[FieldViolation] = field(default_factory=list)


def order_key(order: Mapping[str, Any]) -> str:
    return str(order.get("increment_id") or f"entity-{order.get('entity_id')}")


def customer_of(
    order: Mapping[str, Any], company_path: str = COMPANY_NAME_PATH, body: Mapping[str, Any] | None = None
) -> Buyer | None:
    """The buyer's identity, or None when the order has no usable email (validation reports it).

    Registered buyers are ``MAG-CUST-<customer_id>``, guests ``MAG-GUEST-<hash of the e-mail>``; a
    company name at ``company_path`` makes the buyer a company. ``body`` (the translated order) gives
    the subsidiary and currency the mapping chose for the order's store, which the customer shares.
    """
    email = normalise_email(order.get("customer_email"))
    billing = order.get("billing_address") or {}
    first = str(order.get("customer_firstname") or billing.get("firstname") or "").strip()
    last = str(order.get("customer_lastname") or billing.get("lastname") or "").strip()
    company = str(get_path(order, company_path) or "").strip()
    refs = {name: _ref(body, name) for name in ("subsidiary", "currency")}
    customer_id = order.get("customer_id")
    registered = customer_id not in (None, "", 0) and not int(order.get("customer_is_guest") or 0)
    paths = {**DEFAULT_PATHS, "company_name": company_path}
    if registered:
        return Buyer(registered_external_id(customer_id), email, False, first, last, company, paths=paths, **refs)
    if not email:
        return None
    return Buyer(guest_external_id(email), email, True, first, last, company, paths=paths, **refs)


def _ref(body: Mapping[str, Any] | None, name: str) -> str | None:
    value = (body or {}).get(name)
    if isinstance(value, Mapping) and value.get("id") is not None:
        return str(value["id"])
    return None


def _addressee(address: Mapping[str, Any] | None) -> str | None:
    if not isinstance(address, Mapping):
        return None
    name = " ".join(str(address.get(part) or "").strip() for part in ("firstname", "lastname")).strip()
    return name or None


def draft_order(order: Mapping[str, Any], doc: MappingDocument) -> Draft:
    """Line policy + the mapping's extract/validate/transform; violations use Magento's paths."""
    flow = doc.flow(FLOW)
    lines = effective_lines(order)
    working = dict(order)
    working["items"] = [line.item for line in lines]
    translation = translate_record(flow, working, doc, order_conditions(order))
    source_index = [line.source_index for line in lines]
    violations = [_at_source_line(v, source_index) for v in translation.violations]
    if not lines:
        violations.append(FieldViolation("line_sku", "items", "the order has no line NetSuite can carry"))
    body = translation.json_record()
    for name in COMPUTED_BY_NETSUITE:
        body.pop(name, None)
    for address_field, source in (("billingAddress", "billing_address"), ("shippingAddress", SHIPPING_ADDRESS)):
        name = _addressee(get_path(order, source))
        if name and isinstance(body.get(address_field), dict):
            body[address_field]["addressee"] = name
    line_skus = [(line.source_index, str(line.item.get("sku") or "").strip()) for line in lines]
    policy = doc.entity(ENTITY).settings.get("buyer_policy") or {}
    company_path = str(policy.get("company_name_from") or COMPANY_NAME_PATH)
    return Draft(order_key(order), body, customer_of(order, company_path, body), line_skus, violations)


def _at_source_line(violation: FieldViolation, source_index: list[int]) -> FieldViolation:
    match = _LINE_PATH.match(violation.path)
    if not match or int(match.group(1)) >= len(source_index):
        return violation
    path = f"items[{source_index[int(match.group(1))]}]" + violation.path[match.end() :]
    return FieldViolation(violation.field, path, violation.message)


def unknown_sku_violations(draft: Draft, item_ids: Mapping[str, str]) -> list[FieldViolation]:
    return [
        FieldViolation(
            "line_sku", f"items[{index}].sku", f"SKU {sku!r} (items[{index}].sku) is not an active NetSuite item"
        )
        for index, sku in draft.line_skus
        if sku and sku not in item_ids
    ]


def complete_order(draft: Draft, item_ids: Mapping[str, str], customer_internal_id: str) -> dict[str, Any]:
    """The salesOrder body with item and customer references by internal id (SKUs must all be known)."""
    body = jsonable(draft.body)
    lines = body.setdefault("item", {}).setdefault("items", [])
    for position, (_, sku) in enumerate(draft.line_skus):
        lines[position]["item"] = {"id": str(item_ids[sku])}
    body["entity"] = {"id": str(customer_internal_id)}
    return body


def quarantine(
    key: str,
    payload: Mapping[str, Any],
    *,
    error_class: str,
    message: str,
    field_path: str | None,
    ctx: RunContext,
    code: str | None = None,
) -> RecordOutcome:
    """A quarantined order outcome with its error-queue record and fix hint."""
    return quarantined(
        FLOW, ENTITY, key, payload, error_class=error_class, message=message, field_path=field_path, ctx=ctx, code=code
    )


def quarantine_violations(
    key: str, payload: Mapping[str, Any], violations: Iterable[FieldViolation], ctx: RunContext
) -> RecordOutcome:
    """Quarantine an order for its violations: the first names the field, the message lists them all."""
    found = list(violations)
    first = found[0]
    error_class = "reference" if first.field == "line_sku" and "NetSuite item" in first.message else "validation"
    message = "; ".join(v.message if v.path in v.message else f"{v.path}: {v.message}" for v in found)
    return quarantine(key, payload, error_class=error_class, message=message, field_path=first.path, ctx=ctx)
