"""Transform: what each NetSuite record means for its Magento order, checked against Magento first.

A shipped fulfilment (``shipStatus`` in the mapping's ``ship_statuses_synced``) becomes one
``POST /V1/order/{id}/ship``: its lines' ``orderLine`` → the sales order line → the Magento item of
that SKU (the k-th NetSuite line of a SKU pairs with the k-th Magento line of it), quantities,
tracking numbers of every package with the mapped carrier, the MSI source of the location. A
fulfilment already in Magento (a shipment comment names it) is settled as unchanged.

A cancelled sales order, or one whose lines are all closed or fulfilled with something closed,
cancels what Magento still has to ship (``POST /V1/orders/{id}/cancel``: Magento cancels at order
level, every item's unshipped rest). While other lines are still open the closure waits: the order
is read again when NetSuite touches it (its last fulfilment does). A closure is never applied while
Magento lags behind a NetSuite fulfilment of the same order (it would cancel quantity NetSuite
shipped): it is quarantined until that fulfilment is in Magento.

Anything that doesn't match Magento (unknown order, line, item, too much quantity) is quarantined
with the exact NetSuite field and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from magento_netsuite.flows.fulfilments.constants import CANCELLED_STATUS, ENTITY, FLOW
from magento_netsuite.flows.fulfilments.extract import FULFILMENT, record_key
from magento_netsuite.flows.fulfilments.magento_orders import remaining, shipment_text, shippable_lines
from magento_netsuite.governance import MappingDocument
from magento_netsuite.governance.translate import translate_record
from magento_netsuite.pipeline.flow import Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status, quarantined

NON_FATAL = frozenset({"tracking_carrier", "tracking_title", "order_status"})
"""Fields whose miss never blocks a shipment: an unmapped ship method ships with carrier ``custom``;
the order status is Magento's to derive from its shipments and cancellations."""
DEFAULT_CARRIER = "custom"
EPSILON = 1e-9


def ship_settings(doc: MappingDocument) -> tuple[set[str], bool]:
    """``settings.ship_statuses_synced`` and ``settings.notify_customer`` of the mapping."""
    settings = doc.entity(ENTITY).settings
    return {str(s) for s in settings.get("ship_statuses_synced") or ["C"]}, bool(settings.get("notify_customer", True))


def _ref_id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return None if value in (None, "") else str(value)


@dataclass
class OrderView:
    """One Magento order as this run plans it: what each item can still ship, after this batch's shipments."""

    order: dict[str, Any]
    left: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.left = {int(i["item_id"]): remaining(i) for i in shippable_lines(self.order)}

    @property
    def entity_id(self) -> int:
        return int(self.order["entity_id"])

    def item_for(self, so_lines: list[dict[str, Any]], line_id: int) -> tuple[dict[str, Any] | None, dict | None]:
        """(sales order line, Magento item) of NetSuite line ``line_id`` (k-th line of a SKU ↔ k-th item)."""
        so_line = next((ln for ln in so_lines if int(ln["line"]) == line_id), None)
        if so_line is None:
            return None, None
        rank = [ln for ln in so_lines if ln.get("sku") == so_line.get("sku")].index(so_line)
        same_sku = [i for i in shippable_lines(self.order) if i.get("sku") == so_line.get("sku")]
        return so_line, (same_sku[rank] if rank < len(same_sku) else None)


@dataclass
class Plan:
    ready: list[Record] = field(default_factory=list)
    settled: list[RecordOutcome] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    not_shipped_yet: list[str] = field(default_factory=list)


def _quarantine(
    record: Mapping[str, Any], ctx: RunContext, *, path: str, message: str, fix: str, cls: str
) -> RecordOutcome:
    outcome = quarantined(
        FLOW, ENTITY, record_key(dict(record)), record, error_class=cls, message=message, field_path=path, ctx=ctx
    )
    assert outcome.error is not None
    outcome.error.fix_hint = fix
    return outcome


def _tracks(body: dict[str, Any], record: Mapping[str, Any]) -> list[dict[str, str]]:
    tracks = [t for t in body.get("tracks") or [] if t.get("track_number")]
    first = (body.get("tracks") or [{}])[0]
    method = str(first.get("carrier_code") or "")
    carrier = method.split("_", 1)[0] if method else DEFAULT_CARRIER
    title = str(first.get("title") or (record.get("shipMethod") or {}).get("refName") or "Shipment")
    return [{"track_number": str(t["track_number"]), "carrier_code": carrier, "title": title} for t in tracks]


def plan_fulfilment(
    record: Mapping[str, Any], view: OrderView, doc: MappingDocument, notify: bool, ctx: RunContext
) -> Record | RecordOutcome:
    """The ship row of one shipped fulfilment, or its quarantine."""
    key = record_key(dict(record))
    translation = translate_record(doc.flow(FLOW), record, doc)
    fatal = [v for v in translation.violations if v.field not in NON_FATAL]
    if fatal:
        return _quarantine(
            record,
            ctx,
            path=fatal[0].path,
            message="; ".join(str(v) for v in fatal),
            fix=f"Correct {fatal[0].path} on the item fulfilment in NetSuite (or the value map it names), then Retry",
            cls="validation",
        )
    body = translation.json_record()
    so_lines = record["salesOrder"].get("lines") or []
    items: list[dict[str, Any]] = []
    for n, line in enumerate((record.get("item") or {}).get("items") or []):
        order_line = line.get("orderLine")
        so_line, item = view.item_for(so_lines, int(order_line)) if order_line is not None else (None, None)
        if so_line is None:
            return _quarantine(
                record,
                ctx,
                path=f"item.items[{n}].orderLine",
                message=f"{key}: line {n + 1} points to order line {order_line!r}, which sales order "
                f"{record['salesOrder'].get('externalId')} does not have",
                fix="Correct the fulfilment's line in NetSuite (it must come from a line of its sales order), "
                "then Retry",
                cls="reference",
            )
        if item is None:
            return _quarantine(
                record,
                ctx,
                path=f"item.items[{n}].item",
                message=f"{key}: SKU {so_line.get('sku')!r} (order line {order_line}) is not on Magento order "
                f"{view.order.get('increment_id')}",
                fix="The NetSuite sales order and the Magento order differ in this item: correct the sales order "
                "line in NetSuite (or add the item to the Magento order), then Retry",
                cls="reference",
            )
        qty = float(line.get("quantity") or 0)
        left = view.left.get(int(item["item_id"]), 0.0)
        if qty > left + EPSILON:
            return _quarantine(
                record,
                ctx,
                path=f"item.items[{n}].quantity",
                message=f"{key}: ships {qty:g} of SKU {item.get('sku')!r} but Magento order "
                f"{view.order.get('increment_id')} has only {left:g} left to ship (ordered "
                f"{float(item.get('qty_ordered') or 0):g})",
                fix="Correct the fulfilled quantity in NetSuite (or the Magento order, if it was edited), then Retry",
                cls="validation",
            )
        if qty > 0:
            items.append({"order_item_id": int(item["item_id"]), "qty": qty})
    if not items:
        return _quarantine(
            record,
            ctx,
            path="item.items",
            message=f"{key}: the fulfilment ships nothing (no line with a quantity)",
            fix="Add the shipped lines to the fulfilment in NetSuite, then Retry",
            cls="validation",
        )
    for entry in items:
        view.left[entry["order_item_id"]] -= entry["qty"]
    ship: dict[str, Any] = {
        "items": items,
        "notify": notify,
        "appendComment": notify,
        "comment": {
            "comment": shipment_text(str(record.get("tranId") or key), str(record["id"])),
            "is_visible_on_front": 0,
        },
        "tracks": _tracks(body, record),
    }
    source = (body.get("arguments") or {}).get("extension_attributes", {}).get("source_code")
    if source:
        ship["arguments"] = {"extension_attributes": {"source_code": source}}
    return {"key": key, "action": "ship", "order_id": view.entity_id, "fulfilment_id": str(record["id"]), "body": ship}


def plan_closure(record: Mapping[str, Any], view: OrderView, ctx: RunContext) -> Record | RecordOutcome | None:
    """The cancel row of a cancelled or finished-with-closed-lines order; ``None`` while lines are open."""
    key = record_key(dict(record))
    so = record["salesOrder"]
    cancelled = _ref_id(so.get("status")) == CANCELLED_STATUS
    lines = so.get("lines") or []
    open_left = any(not ln["isClosed"] and ln["quantityFulfilled"] < ln["quantity"] for ln in lines)
    if not cancelled and open_left:
        return None
    for n, line in enumerate(lines):
        _, item = view.item_for(lines, int(line["line"]))
        if item is None:
            return _quarantine(
                record,
                ctx,
                path=f"item.items[{n}].item",
                message=f"{key}: SKU {line.get('sku')!r} (line {line['line']}) is not on Magento order "
                f"{view.order.get('increment_id')}",
                fix="The NetSuite sales order and the Magento order differ in this item: correct one of them, "
                "then Retry",
                cls="reference",
            )
        unshipped_in_netsuite = max(0.0, line["quantity"] - line["quantityFulfilled"])
        left = view.left.get(int(item["item_id"]), 0.0)
        if left > unshipped_in_netsuite + EPSILON:
            return _quarantine(
                record,
                ctx,
                path=f"item.items[{n}].quantityFulfilled",
                message=f"{key}: NetSuite fulfilled {line['quantityFulfilled']:g} of SKU {line.get('sku')!r} but "
                f"Magento order {view.order.get('increment_id')} still has {left:g} to ship, not "
                f"{unshipped_in_netsuite:g}: "
                "a fulfilment of this order is not in Magento yet",
                fix="Retry the order's quarantined fulfilment first (Error Queue), then Retry this order",
                cls="conflict",
            )
    if sum(view.left.values()) <= EPSILON or view.order.get("state") in ("canceled", "closed", "complete"):
        return RecordOutcome(key, Status.UNCHANGED, target_id=str(view.entity_id))
    for item_id in view.left:
        view.left[item_id] = 0.0
    return {"key": key, "action": "cancel", "order_id": view.entity_id, "increment_id": view.order.get("increment_id")}


def plan(
    records: list[Record],
    orders: Mapping[str, dict[str, Any]],
    shipped: Mapping[str, int],
    doc: MappingDocument,
    ctx: RunContext,
) -> Plan:
    """Ready rows and settled outcomes for a batch: fulfilments first (in NetSuite's change order), then
    closures, so an order's cancellation sees the shipments of the same run."""
    statuses, notify = ship_settings(doc)
    views: dict[str, OrderView] = {}
    result = Plan()
    for record in sorted(records, key=lambda r: r["kind"] != FULFILMENT):
        key = record_key(record)
        increment_id = str(record["salesOrder"].get("externalId") or "")
        order = orders.get(increment_id)
        if order is None:
            result.settled.append(
                _quarantine(
                    record,
                    ctx,
                    path="createdFrom",
                    message=f"{key}: sales order {record['salesOrder'].get('id')} (externalId {increment_id!r}) "
                    "has no Magento order with that increment id",
                    fix="The sales order did not come from this Magento store, or its externalId was changed: "
                    "set the sales order's External ID to the Magento order number, then Retry",
                    cls="reference",
                )
            )
            continue
        view = views.setdefault(increment_id, OrderView(order))
        if record["kind"] == FULFILMENT:
            if str(record["id"]) in shipped:
                result.settled.append(RecordOutcome(key, Status.UNCHANGED, target_id=str(shipped[str(record["id"])])))
                continue
            if _ref_id(record.get("shipStatus")) not in statuses:
                result.not_shipped_yet.append(key)
                result.settled.append(RecordOutcome(key, Status.UNCHANGED))
                continue
            planned = plan_fulfilment(record, view, doc, notify, ctx)
        else:
            planned = plan_closure(record, view, ctx)
            if planned is None:
                result.waiting.append(key)
                result.settled.append(RecordOutcome(key, Status.UNCHANGED))
                continue
        if isinstance(planned, RecordOutcome):
            result.settled.append(planned)
        else:
            result.ready.append(planned)
    return result


def transformed(result: Plan) -> Transformed:
    return Transformed(
        ready=result.ready,
        settled=result.settled,
        extra={"closures_waiting": len(result.waiting), "not_shipped_yet": len(result.not_shipped_yet)},
    )
