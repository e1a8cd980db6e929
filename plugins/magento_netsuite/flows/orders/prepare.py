"""The orders transform: the mapping-driven draft, then the NetSuite references resolved in batch.

Transform + one SKU lookup + one buyer lookup + minimal creation of missing buyers; what can't be
resolved is quarantined with the field. Shared by the DAG's transform task and the replay.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.orders.netsuite_refs import create_customers, find_customers, item_ids_by_sku
from magento_netsuite.flows.orders.transform import (
    Draft,
    complete_order,
    draft_order,
    quarantine,
    quarantine_violations,
    unknown_sku_violations,
)
from magento_netsuite.governance import FieldViolation, MappingDocument
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """Orders ready to load (``{"key", "body", "magento"}``) and the ones quarantined on the way."""

    ready: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[RecordOutcome] = field(default_factory=list)
    customers_created: int = 0


def _magento_ref(order: Mapping[str, Any]) -> dict[str, Any]:
    return {"entity_id": order.get("entity_id"), "status": order.get("status")}


def prepare_orders(
    orders: Iterable[Mapping[str, Any]],
    hook: NetSuiteHook,
    doc: MappingDocument,
    ctx: RunContext,
    *,
    workers: int,
) -> Prepared:
    """Transform every order; resolve SKUs (one lookup) and buyers (one lookup); create missing buyers."""
    orders = list(orders)
    result = Prepared()
    drafts: list[tuple[Mapping[str, Any], Draft]] = [(order, draft_order(order, doc)) for order in orders]
    item_ids = item_ids_by_sku(hook, (sku for _, d in drafts for _, sku in d.line_skus))

    valid: list[tuple[Mapping[str, Any], Draft]] = []
    for order, draft in drafts:
        problems = draft.violations + unknown_sku_violations(draft, item_ids)
        if draft.customer is None and not any(v.field == "customer_email" for v in problems):
            problems.append(FieldViolation("customer_email", "customer_email", "is required to find the buyer"))
        if problems:
            result.quarantined.append(quarantine_violations(draft.key, order, problems, ctx))
        else:
            valid.append((order, draft))

    buyers = [d.customer for _, d in valid if d.customer is not None]
    matches = find_customers(hook, buyers)
    missing = {c.external_id: c for c in buyers if not matches.resolve(c)}
    created = create_customers(hook, missing.values(), workers) if missing else None
    if created is not None:
        result.customers_created = len(created.ids)
        log.info("prepare: created %d missing customer(s) in NetSuite", len(created.ids))

    for order, draft in valid:
        customer = draft.customer
        assert customer is not None
        candidates = matches.resolve(customer)
        if len(candidates) > 1:
            result.quarantined.append(
                quarantine(
                    draft.key,
                    order,
                    error_class="conflict",
                    message=(
                        f"{len(candidates)} NetSuite customers share the guest email {customer.email!r} "
                        f"(internal ids {', '.join(candidates)}); names are never used to pick one"
                    ),
                    field_path="customer_email",
                    ctx=ctx,
                )
            )
            continue
        internal_id = candidates[0] if candidates else (created.ids.get(customer.external_id) if created else None)
        if internal_id is None:
            error = created.rejected.get(customer.external_id) if created else None
            result.quarantined.append(
                quarantine(
                    draft.key,
                    order,
                    error_class="reference",
                    message=(
                        f"customer {customer.external_id} could not be created in NetSuite: "
                        f"{error.message if error else 'no id returned'}"
                    ),
                    field_path="customer_id" if not customer.is_guest else "customer_email",
                    code=error.code if error else None,
                    ctx=ctx,
                )
            )
            continue
        result.ready.append(
            {
                "key": draft.key,
                "body": complete_order(draft, item_ids, internal_id),
                "magento": _magento_ref(order),
            }
        )
    return result
