"""Totals: how a Magento order's money reaches NetSuite, and the check that NetSuite's total agrees.

The mapping document's ``settings.totals`` (order.yaml) decides:

* ``discount_item``: Magento's order discount goes as NetSuite's body ``discountItem`` (that item)
  with ``discountRate`` the (negative) amount; no discount, neither field;
* ``tax_policy``: ``carry_magento_tax`` adds a line of ``tax_item`` (an other-charge item) with
  the tax Magento charged; ``netsuite_computes`` sends no tax and lets NetSuite's tax engine decide;
* ``total_tolerance``: after the create, NetSuite's computed total is compared with Magento's
  ``grand_total``; a difference beyond it opens an error-queue row of class ``total_mismatch``
  (both totals and the difference in the hint). The order stays in NetSuite: it is NetSuite's now,
  and a person decides (fix it there, then Retry, which checks again).

Shipping goes as ``shippingCost`` through the mapping's ``shipping_cost`` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from magento_netsuite.flows.orders.constants import ENTITY, FLOW
from magento_netsuite.governance import MappingDocument
from magento_netsuite.pipeline.outcomes import QuarantineRecord, RecordOutcome, RunContext, Status

CARRY_MAGENTO_TAX = "carry_magento_tax"
NETSUITE_COMPUTES = "netsuite_computes"
TOTAL_MISMATCH = "total_mismatch"
TAX_LINE_DESCRIPTION = "Tax charged by the web store"


def money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class TotalsPolicy:
    discount_item: str | None
    tax_policy: str
    tax_item: str | None
    tolerance: Decimal

    @classmethod
    def from_doc(cls, doc: MappingDocument) -> TotalsPolicy:
        raw = doc.entity(ENTITY).settings.get("totals") or {}
        policy = str(raw.get("tax_policy") or NETSUITE_COMPUTES)
        if policy not in (CARRY_MAGENTO_TAX, NETSUITE_COMPUTES):
            raise ValueError(
                f"order.yaml settings.totals.tax_policy: {policy!r} is not one of carry_magento_tax, netsuite_computes"
            )
        tax_item = raw.get("tax_item")
        if policy == CARRY_MAGENTO_TAX and not tax_item:
            raise ValueError("order.yaml settings.totals: tax_policy carry_magento_tax needs a tax_item")
        return cls(
            discount_item=str(raw["discount_item"]) if raw.get("discount_item") else None,
            tax_policy=policy,
            tax_item=str(tax_item) if tax_item else None,
            tolerance=Decimal(str(raw.get("total_tolerance", "0.01"))),
        )


def apply_totals(body: dict[str, Any], order: Mapping[str, Any], policy: TotalsPolicy) -> dict[str, Any]:
    """The body with the discount item and, per the tax policy, Magento's tax as a line."""
    discount = money(body.get("discountRate"))
    if not discount:
        body.pop("discountRate", None)
    elif policy.discount_item:
        body["discountItem"] = {"id": policy.discount_item}
    tax = money(order.get("tax_amount"))
    if policy.tax_policy == CARRY_MAGENTO_TAX and tax:
        lines = body.setdefault("item", {}).setdefault("items", [])
        lines.append(
            {"item": {"id": policy.tax_item}, "quantity": 1, "rate": float(tax), "description": TAX_LINE_DESCRIPTION}
        )
    return body


def check_total(
    outcome: RecordOutcome,
    magento: Mapping[str, Any],
    netsuite_total: Any,
    policy: TotalsPolicy,
    ctx: RunContext,
) -> RecordOutcome:
    """``outcome`` unchanged when NetSuite's total agrees with Magento's grand total (or is unknown);
    else a ``total_mismatch`` quarantine that keeps the NetSuite id (the order is not deleted)."""
    expected, actual = money(magento.get("grand_total")), money(netsuite_total)
    if outcome.status is Status.QUARANTINED or expected is None or actual is None:
        return outcome
    difference = actual - expected
    if abs(difference) <= policy.tolerance:
        return outcome
    currency = magento.get("currency") or ""
    totals = (
        f"NetSuite total {actual} {currency}, Magento grand total {expected} {currency}, difference {difference:+} "
        f"(tolerance {policy.tolerance})".replace("  ", " ")
    )
    record = QuarantineRecord(
        flow=FLOW,
        entity=ENTITY,
        record_key=outcome.key,
        error_class=TOTAL_MISMATCH,
        message=f"sales order {outcome.target_id} was created, but its total disagrees: {totals}",
        payload=dict(magento),
        field_path="grand_total",
        dag_id=ctx.dag_id,
        run_id=ctx.run_id,
        task_id=ctx.task_id,
        try_number=ctx.try_number,
        fix_hint=(
            f"Order {outcome.key}: {totals}. The order is in NetSuite (internal id {outcome.target_id}) and was "
            "not deleted: compare its discount, shipping and tax with the Magento order, correct the sales order "
            "in NetSuite (or accept the difference with Ignore), then Retry to check again"
        ),
    )
    return RecordOutcome(outcome.key, Status.QUARANTINED, target_id=outcome.target_id, error=record)
