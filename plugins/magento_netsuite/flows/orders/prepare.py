"""The orders transform: the mapping-driven draft, then the NetSuite references resolved in batch.

Transform + one SKU lookup + the shared buyer handoff (one lookup, one create per new buyer); what can't be
resolved is quarantined with the field. Shared by the DAG's transform task and the replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.customers.handoff import Buyer, BuyerResult, resolve_buyers
from magento_netsuite.flows.orders.netsuite_refs import item_ids_by_sku
from magento_netsuite.flows.orders.totals import TotalsPolicy, apply_totals
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


@dataclass
class Prepared:
    """Orders ready to load (``{"key", "body", "magento"}``) and the ones quarantined on the way."""

    ready: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[RecordOutcome] = field(default_factory=list)
    customers: dict[str, int] = field(default_factory=dict)
    """How the batch's buyers were settled (created, linked by e-mail, ...): the run summary's extra."""


def _magento_ref(order: Mapping[str, Any]) -> dict[str, Any]:
    """What the load and the write-back need of the Magento order: where to comment, what to total."""
    return {
        "entity_id": order.get("entity_id"),
        "status": order.get("status"),
        "grand_total": order.get("grand_total"),
        "currency": order.get("order_currency_code"),
    }


def prepare_orders(
    orders: Iterable[Mapping[str, Any]],
    hook: NetSuiteHook,
    doc: MappingDocument,
    ctx: RunContext,
    *,
    workers: int,
) -> Prepared:
    """Transform every order; resolve SKUs (one lookup) and buyers (the shared handoff: one lookup, then
    one create per missing buyer)."""
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

    totals = TotalsPolicy.from_doc(doc)
    buyers = resolve_buyers(
        hook, (d.customer for _, d in valid if d.customer is not None), doc, ctx.run_id, workers=workers
    )
    result.customers = buyers.counts()

    for order, draft in valid:
        customer = draft.customer
        assert customer is not None
        problem = buyer_problem(draft.key, order, customer, buyers[customer.external_id], ctx)
        if problem is not None:
            result.quarantined.append(problem)
            continue
        internal_id = buyers[customer.external_id].internal_id
        assert internal_id is not None
        result.ready.append(
            {
                "key": draft.key,
                "body": apply_totals(complete_order(draft, item_ids, internal_id), order, totals),
                "magento": _magento_ref(order),
            }
        )
    return result


def buyer_problem(
    key: str, order: Mapping[str, Any], buyer: Buyer, result: BuyerResult, ctx: RunContext
) -> RecordOutcome | None:
    """The order's quarantine when its buyer could not be settled: ambiguous e-mail, a handoff field
    NetSuite would refuse, or NetSuite's rejection of the new customer; None when the buyer is known."""
    if result.ambiguous:
        return quarantine(
            key,
            order,
            error_class="conflict",
            message=(
                f"{len(result.candidates)} NetSuite customers share the buyer's e-mail {buyer.email!r} "
                f"(internal ids {', '.join(result.candidates)}); names are never used to pick one: merge them "
                f"in NetSuite or set externalId {buyer.external_id} on the right one, then retry"
            ),
            field_path=buyer.paths.get("login_email", "customer_email"),
            ctx=ctx,
        )
    if result.violations:
        return quarantine_violations(key, order, result.violations, ctx)
    if result.internal_id is None:
        error = result.error
        return quarantine(
            key,
            order,
            error_class="reference",
            message=(
                f"customer {buyer.external_id} could not be created in NetSuite: "
                f"{error.message if error else 'no id returned'}"
                + (f" (NetSuite field {error.field_path})" if error and error.field_path else "")
            ),
            field_path=buyer.paths.get("login_email", "customer_email") if buyer.is_guest else "customer_id",
            code=error.code if error else None,
            ctx=ctx,
        )
    return None
