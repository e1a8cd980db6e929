"""Load: ship each fulfilment into its Magento order once, and cancel what closed orders no longer ship.

"Once" holds whatever the reruns: each shipment is claimed first in the kit's side-effect ledger,
keyed on the fulfilment id and the Magento order (only the claim holder ships). Right before
shipping, the order's shipments are read fresh from Magento: one whose comment names the fulfilment
means an earlier attempt landed and only its answer was lost, so it is recorded, not shipped again.
A ship call is never retried by the hook after a timeout (it could ship twice); the task retry
goes through the claim and the fresh look instead.

Rows of one order run in order (shipments before its cancellation); orders run in parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from magento_netsuite.connectors.errors import AuthError, SyncError, TransientError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.fulfilments.constants import ENTITY, FLOW, SHIP_EFFECT
from magento_netsuite.flows.fulfilments.magento_orders import shipped_fulfilments
from magento_netsuite.pipeline.flow import Record
from magento_netsuite.pipeline.ledger import SideEffects
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined
from magento_netsuite.pipeline.writes import write_all

log = logging.getLogger(__name__)


def _rejected(row: Mapping[str, Any], exc: SyncError, ctx: RunContext) -> RecordOutcome:
    """Magento refused the call (shipping more than ordered, shipping a cancelled order, ...)."""
    what = "ship" if row["action"] == "ship" else "cancel"
    outcome = quarantined(
        FLOW,
        ENTITY,
        row["key"],
        row,
        error_class="validation",
        message=f"Magento refused to {what} order {row['order_id']}: {exc.message}",
        field_path=exc.field_path or ("item.items" if what == "ship" else "status"),
        code=exc.code,
        ctx=ctx,
    )
    assert outcome.error is not None
    outcome.error.fix_hint = (
        "Magento's order no longer matches NetSuite (cancelled, on hold, invoiced, or shipped by hand): bring the "
        "Magento order in line (unhold it; a credit memo for invoiced items) or correct NetSuite, then Retry"
    )
    return outcome


def _waits_for_shipment(row: Mapping[str, Any], ctx: RunContext) -> RecordOutcome:
    """A cancellation after a shipment of the same order that Magento refused: cancelling now would
    cancel quantity NetSuite shipped."""
    outcome = quarantined(
        FLOW,
        ENTITY,
        row["key"],
        row,
        error_class="conflict",
        message=f"order {row['order_id']}: not cancelled, since Magento refused a shipment of it in this run",
        field_path="item.items",
        ctx=ctx,
    )
    assert outcome.error is not None
    outcome.error.fix_hint = "Retry the order's quarantined fulfilment first (Error Queue), then Retry this order"
    return outcome


def ship(hook: MagentoHook, row: Mapping[str, Any]) -> int:
    """``POST /V1/order/{id}/ship``: the new shipment id."""
    return int(hook.post(f"V1/order/{row['order_id']}/ship", row["body"]))


def cancel(hook: MagentoHook, row: Mapping[str, Any], ctx: RunContext) -> RecordOutcome:
    """``POST /V1/orders/{id}/cancel`` (safe to repeat). Magento answers ``false`` when ``canCancel()``
    says no: an order cancelled already is unchanged; any other (everything invoiced, on hold) is
    quarantined, since its unshipped rest stays open in Magento."""
    target = str(row["order_id"])
    if hook.post(f"V1/orders/{target}/cancel", {}, idempotent=True) is True:
        return RecordOutcome(row["key"], Status.LOADED, target_id=target)
    state = (hook.get(f"V1/orders/{target}", params={"fields": "state"}) or {}).get("state")
    if state == "canceled":
        return RecordOutcome(row["key"], Status.UNCHANGED, target_id=target)
    return _rejected(row, SyncError(f"the order cannot be cancelled in state {state!r} (canCancel() is false)"), ctx)


def load_rows(
    hook: MagentoHook, rows: Iterable[Record], ctx: RunContext, ledger: SideEffects | None = None
) -> list[RecordOutcome]:
    """One outcome per row: loaded (shipped or cancelled by this run), unchanged (done before), quarantined."""
    rows = list(rows)
    ledger = ledger or SideEffects(FLOW, SHIP_EFFECT)
    ships = {r["fulfilment_id"]: r for r in rows if r["action"] == "ship"}
    claimed, skipped = ledger.claim({f: str(r["order_id"]) for f, r in ships.items()}, ctx.run_id)
    outcomes = [RecordOutcome(ships[f]["key"], Status.UNCHANGED, target_id=str(ships[f]["order_id"])) for f in skipped]
    for fulfilment, why in sorted(skipped.items()):
        log.info("fulfilment %s: not shipped by this run (%s)", fulfilment, why)
    landed = shipped_fulfilments(hook, {ships[f]["order_id"] for f in claimed}) if claimed else {}
    found = {f: landed[f] for f in claimed if f in landed}
    ledger.finish({f: str(ships[f]["order_id"]) for f in found}, ctx.run_id)
    outcomes += [RecordOutcome(ships[f]["key"], Status.UNCHANGED, target_id=str(found[f])) for f in sorted(found)]
    todo = [
        r for r in rows if r["action"] != "ship" or (r["fulfilment_id"] in claimed and r["fulfilment_id"] not in found)
    ]
    by_order: dict[int, list[Record]] = {}
    for row in todo:
        by_order.setdefault(int(row["order_id"]), []).append(row)

    def work(order_rows: list[Record]) -> list[RecordOutcome]:
        done: list[RecordOutcome] = []
        for row in order_rows:
            try:
                if row["action"] == "ship":
                    done.append(RecordOutcome(row["key"], Status.LOADED, target_id=str(ship(hook, row))))
                elif any(o.status is Status.QUARANTINED for o in done):
                    done.append(_waits_for_shipment(row, ctx))
                else:
                    done.append(cancel(hook, row, ctx))
            except (AuthError, TransientError):
                if row["action"] == "ship":  # the answer may be lost: the retry's fresh look decides
                    ledger.release({row["fulfilment_id"]: str(row["order_id"])}, ctx.run_id)
                raise
            except SyncError as exc:
                if row["action"] == "ship":
                    ledger.release({row["fulfilment_id"]: str(row["order_id"])}, ctx.run_id)
                done.append(_rejected(row, exc, ctx))
        return done

    workers = ctx.workers(hook.concurrency.limit)
    for part in write_all(list(by_order.values()), work, workers=workers, what="order(s)", system="magento"):
        outcomes += part
    # one ledger write for the run's shipments; if the task dies before it, the retry takes its own
    # claims over and the fresh look above finds the shipments in Magento
    shipped = {o.key for o in outcomes if o.status is Status.LOADED}
    ledger.finish({f: str(r["order_id"]) for f, r in ships.items() if r["key"] in shipped}, ctx.run_id)
    return outcomes
