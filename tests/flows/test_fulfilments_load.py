"""The fulfilments flow's load and replay against both sandboxes, without a DAG run: a lost ship answer
never ships twice (ledger on SQLite and PostgreSQL), Magento's own refusals are quarantined with its
message, and a retried fulfilment is re-read from NetSuite."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.fulfilments.constants import FLOW, SHIP_EFFECT
from magento_netsuite.flows.fulfilments.flow import SPEC
from magento_netsuite.flows.fulfilments.load import load_rows
from magento_netsuite.flows.fulfilments.magento_orders import shippable_lines
from magento_netsuite.pipeline.flow import DELTA
from magento_netsuite.pipeline.ledger import SideEffects
from magento_netsuite.pipeline.outcomes import RunContext, Status
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, utc_now
from tests.flows.fulfilment_support import fulfil, sales_order_for
from tests.pipeline.conftest import engine  # ruff: ignore[unused-import] - the SQLite/PostgreSQL store fixture

CLEAN = {"unknown_sku_share": 0.0, "unknown_customer_share": 0.0, "missing_postcode_share": 0.0, "guest_share": 0.0}


def one_fulfilment(env: FlowEnv, quantity: float | None = None) -> tuple[dict[str, Any], str]:
    """A seeded Magento order, its NetSuite sales order and one fulfilment of its first line."""
    dataset = env.seed(SeedConfig(skus=20, customers=4, orders=4, seed=5, now=utc_now(), **CLEAN))
    order = dataset.orders[0]
    so_id = sales_order_for(env, dataset, order)
    first = shippable_lines(order)[0]
    return order, fulfil(env, so_id, [(1, quantity or float(first["qty_ordered"]))], tracking=("1Z9",))


def planned(env: FlowEnv, fulfilment_id: str, ctx: RunContext) -> Any:
    record = SPEC.reread([f"IF-{fulfilment_id}"], ctx)[f"IF-{fulfilment_id}"]
    return SPEC.transform([record], ctx, mode=DELTA)


def test_a_lost_ship_answer_is_found_in_magento_not_shipped_again(flow_env: FlowEnv, engine: sa.Engine) -> None:  # ruff: ignore[redefined-while-unused]
    order, fulfilment = one_fulfilment(flow_env)
    ctx = RunContext(run_id="scheduled__1")
    rows = planned(flow_env, fulfilment, ctx).ready
    assert [r["action"] for r in rows] == ["ship"]
    ledger = SideEffects(FLOW, SHIP_EFFECT, engine=engine)
    # the first try claimed, shipped, and died before it heard Magento's answer
    ledger.claim({fulfilment: str(rows[0]["order_id"])}, ctx.run_id)
    MagentoHook().post(f"V1/order/{rows[0]['order_id']}/ship", rows[0]["body"])
    ship_calls = flow_env.magento.calls("{order_id}/ship")

    retried = load_rows(MagentoHook(), rows, ctx, ledger=ledger)
    later = load_rows(MagentoHook(), rows, RunContext(run_id="scheduled__2"), ledger=ledger)

    assert [o.status for o in retried] == [Status.UNCHANGED] and [o.status for o in later] == [Status.UNCHANGED]
    assert flow_env.magento.calls("{order_id}/ship") == ship_calls
    assert len(flow_env.magento.get("state", order=order["increment_id"])["shipments"]) == 1
    assert ledger.claim({fulfilment: str(rows[0]["order_id"])}, "scheduled__3") == (set(), {fulfilment: "done"})


def test_magento_refusing_a_cancelled_order_is_quarantined_and_the_claim_released(
    flow_env: FlowEnv,
    engine: sa.Engine,  # ruff: ignore[redefined-while-unused]
) -> None:
    order, fulfilment = one_fulfilment(flow_env)
    ctx = RunContext(run_id="scheduled__1", dag_id="netsuite_fulfilments_to_magento", task_id="load")
    rows = planned(flow_env, fulfilment, ctx).ready
    assert MagentoHook().post(f"V1/orders/{rows[0]['order_id']}/cancel", {}) is True  # cancelled in Magento by hand
    ledger = SideEffects(FLOW, SHIP_EFFECT, engine=engine)

    [outcome] = load_rows(MagentoHook(), rows, ctx, ledger=ledger)

    assert outcome.status is Status.QUARANTINED and outcome.error is not None
    assert "The order does not allow a shipment to be created." in outcome.error.message
    assert flow_env.magento.get("state", order=order["increment_id"])["shipments"] == []
    claimed, _ = ledger.claim({fulfilment: str(rows[0]["order_id"])}, "scheduled__2")
    assert claimed == {fulfilment}  # released: a later run may ship it once the order is fixed


def test_magento_refuses_shipping_more_than_ordered_with_its_own_message(flow_env: FlowEnv) -> None:
    order, _ = one_fulfilment(flow_env)
    item = shippable_lines(order)[0]
    hook = MagentoHook()
    body = {"items": [{"order_item_id": item["item_id"], "qty": float(item["qty_ordered"]) + 1}]}
    with pytest.raises(Exception, match="We found an invalid quantity to ship") as raised:
        hook.post(f"V1/order/{order['entity_id']}/ship", body)
    assert getattr(raised.value, "status", None) == 400
    assert hook.post(f"V1/orders/{order['entity_id']}/cancel", {}) is True
    assert hook.post(f"V1/orders/{order['entity_id']}/cancel", {}) is False  # canCancel() is false now


def test_a_retried_fulfilment_is_read_again_from_netsuite(flow_env: FlowEnv) -> None:
    from magento_netsuite.connectors.netsuite import NetSuiteHook
    from magento_netsuite.errorqueue.replay import claim, claim_id, replay_flow
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    order, fulfilment = one_fulfilment(flow_env, quantity=999.0)
    [queued] = planned(flow_env, fulfilment, RunContext(run_id="scheduled__1")).settled
    assert queued.status is Status.QUARANTINED and queued.error is not None
    assert queued.error.field_path == "item.items[0].quantity"
    store = ErrorQueueStore.from_connection()
    store.quarantine([queued.error])
    # the warehouse corrects the quantity in NetSuite; the queued payload still says 999
    record = flow_env.netsuite.get("state", record="itemFulfillment", id=fulfilment)["record"]
    lines = record["item"]["items"]
    lines[0]["quantity"] = float(shippable_lines(order)[0]["qty_ordered"])
    NetSuiteHook().patch_record("itemFulfillment", fulfilment, {"item": {"items": lines}})

    claim(store, by=claim_id("manual__retry"), flow=FLOW)
    summary = replay_flow(store, FLOW, by=claim_id("manual__retry"), run_id="manual__retry")

    assert summary.loaded == 1 and summary.requeued == 0 and summary.stored_payload == 0
    assert store.open_errors(flow=FLOW) == []
    [shipment] = flow_env.magento.get("state", order=order["increment_id"])["shipments"]
    assert shipment["items"][0]["qty"] == lines[0]["quantity"]


def test_no_cancellation_after_magento_refused_a_shipment_of_the_same_order(flow_env: FlowEnv) -> None:
    order, fulfilment = one_fulfilment(flow_env)
    ctx = RunContext(run_id="scheduled__1")
    [ship_row] = planned(flow_env, fulfilment, ctx).ready
    cancel_row = {"key": "SO-10000", "action": "cancel", "order_id": order["entity_id"], "increment_id": "x"}
    flow_env.magento.fault(kind="record", key=order["increment_id"], path="/ship$", message="Source not assigned")

    shipped, cancelled = load_rows(MagentoHook(), [ship_row, cancel_row], ctx)

    assert shipped.status is Status.QUARANTINED and "Source not assigned" in shipped.error.message
    assert cancelled.status is Status.QUARANTINED and cancelled.error.error_class == "conflict"
    assert flow_env.magento_order(order["increment_id"])["state"] == "processing"
    assert flow_env.magento.calls("/cancel") == 0
