"""Orders that real stores take, end to end against both sandboxes (NetSuite in OneWorld mode), with the
kit's ledgers and the error queue on SQLite and on PostgreSQL.

One seeded store with realistic payment states and virtual goods, and one order per case: check/money
order and purchase order at new/pending, a card payment not captured yet, a purchase order without
its PO number, a virtual order, a buyer NetSuite knows by e-mail, an e-mail two NetSuite customers
share, a company, a UK store (subsidiary and currency), a discount, a grand total NetSuite disagrees
with, a create whose answer is lost, a NUL and an over-long street. The flow's own steps run twice
(extract → transform → load → quarantine → write-back, as the DAG's tasks call them, without
Airflow's scheduler to keep the test lean): one sales order per Magento order, one customer per buyer.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from magento_netsuite.errorqueue.replay import replay_flow
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.orders import flow as orders
from magento_netsuite.flows.orders.constants import DAG_ID, FLOW
from magento_netsuite.pipeline import ledger
from magento_netsuite.pipeline.flow import DELTA
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.watermark import Window
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, utc_now
from tests.pipeline.conftest import engine  # ruff: ignore[unused-import] - the SQLite / PostgreSQL store fixture


@pytest.fixture
def store(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> ErrorQueueStore:  # ruff: ignore[redefined-while-unused]
    """The error queue and the kit's ledgers (creations, side effects) on the test's store."""
    kit_engine = ledger.kit_engine
    monkeypatch.setattr(ledger, "kit_engine", lambda given=None: kit_engine(given or engine))
    return ErrorQueueStore(engine)


def run_flow(run_id: str, store: ErrorQueueStore) -> list[RecordOutcome]:
    """One run of the orders flow's steps over every order; its outcomes."""
    ctx = RunContext(run_id=run_id, dag_id=DAG_ID, task_id="load")
    window = Window(since=None, until=utc_now() + timedelta(minutes=5), max_records=5000, origin="full")
    extracted = [order for page in orders.extract(window, ctx) for order in page]
    transformed = orders.transform(extracted, ctx, mode=DELTA)
    outcomes = transformed.settled + orders.load(transformed.ready, ctx)
    store.quarantine([o.error for o in outcomes if o.error is not None])
    orders.after_load(transformed.ready, outcomes, ctx)
    assert sorted(o.key for o in outcomes) == sorted(o["increment_id"] for o in extracted)
    return outcomes


def _pick(candidates: list[dict[str, Any]], taken: set[str]) -> dict[str, Any]:
    order = next(o for o in candidates if o["increment_id"] not in taken)
    taken.add(order["increment_id"])
    return order


def test_orders_real_stores_take_load_once_per_case(flow_env: FlowEnv, store: ErrorQueueStore) -> None:
    dataset = flow_env.seed(
        SeedConfig(
            skus=30,
            customers=8,
            orders=24,
            seed=11,
            unknown_sku_share=0.0,
            unknown_customer_share=0.0,
            missing_postcode_share=0.0,
            configurable_share=0.0,
            bundle_share=0.0,
            guest_share=0.4,
            virtual_share=0.1,
            realistic_states=True,
            now=utc_now() - timedelta(minutes=1),
        )
    )
    virtual_keys = set(dataset.mismatches["virtual_orders"])
    physical = [o for o in dataset.orders if o["increment_id"] not in virtual_keys]
    by_method = Counter(o["payment"]["method"] for o in dataset.orders)
    assert {o["state"] for o in dataset.orders if o["payment"]["method"] == "braintree"} == {"processing"}
    assert {o["state"] for o in dataset.orders if o["payment"]["method"] != "braintree"} == {"new"}
    assert by_method["purchaseorder"] >= 2 and by_method["braintree"] >= 1 and by_method["checkmo"] >= 1

    taken: set[str] = set(virtual_keys)
    guests = [o for o in physical if o["customer_is_guest"] and o["payment"]["method"] != "braintree"]
    registered = [o for o in physical if not o["customer_is_guest"] and o["payment"]["method"] != "purchaseorder"]
    card_pending = _pick([o for o in physical if o["payment"]["method"] == "braintree"], taken)
    po_without_number = _pick([o for o in physical if o["payment"]["method"] == "purchaseorder"], taken)
    po_with_number = _pick([o for o in physical if o["payment"]["method"] == "purchaseorder"], taken)
    known, twins, company, uk = (_pick(guests, taken) for _ in range(4))
    discounted, mismatched, nul, long_street = (_pick(registered, taken) for _ in range(4))

    def patch(order: dict[str, Any], change: dict[str, Any]) -> None:
        url = f"{flow_env.magento.url}/_sandbox/orders/{order['increment_id']}"
        httpx.patch(url, json=change, timeout=10).raise_for_status()

    patch(card_pending, {"state": "new", "status": "pending_payment"})
    patch(po_without_number, {"payment.po_number": None})
    patch(company, {"billing_address.company": "Globex Ltd"})
    patch(uk, {"store_id": 2, "order_currency_code": "GBP"})
    grand = Decimal(str(discounted["grand_total"]))
    discount = Decimal(str(discounted["discount_amount"] or 0)) - Decimal("5.00")
    patch(discounted, {"discount_amount": float(discount), "grand_total": float(grand - Decimal("5.00"))})
    patch(mismatched, {"grand_total": float(Decimal(str(mismatched["grand_total"])) + Decimal("3.00"))})
    patch(nul, {"customer_note": "leave at the door\x00"})
    patch(long_street, {"billing_address.street": ["9" * 200]})
    flow_env.netsuite.post(
        "records/customer",
        [
            {
                "id": "920001",
                "email": known["customer_email"].upper(),
                "companyName": "Known",
                "subsidiary": {"id": "1"},
            },
            {"id": "920002", "email": twins["customer_email"], "companyName": "Twin A", "subsidiary": {"id": "1"}},
            {"id": "920003", "email": twins["customer_email"], "companyName": "Twin B", "subsidiary": {"id": "1"}},
        ],
    )
    # the first sales order NetSuite creates loses its answer (a 502 after the body went out)
    flow_env.netsuite.fault(kind="lost_answer", path="/record/v1/salesOrder$", method="POST", count=1, status=502)
    calls_before = flow_env.netsuite.calls()

    first = {o.key: o for o in run_flow("run-1", store)}

    netsuite_calls = flow_env.netsuite.calls() - calls_before
    lost = [f for f in flow_env.netsuite.get("faults")["faults"] if f["kind"] == "lost_answer"]
    assert [f["injected"] for f in lost] == [1]
    expected_quarantine = {o["increment_id"] for o in (po_without_number, twins, nul, long_street, mismatched)}
    assert {k for k, o in first.items() if o.status is Status.QUARANTINED} == expected_quarantine
    assert first[card_pending["increment_id"]].status is Status.UNCHANGED  # not captured: not ready yet
    loaded = {k for k, o in first.items() if o.status is Status.LOADED}
    assert loaded == {o["increment_id"] for o in dataset.orders} - expected_quarantine - {card_pending["increment_id"]}
    rows = {r.record_key: r for r in store.open_errors(flow=FLOW)}
    assert set(rows) == expected_quarantine
    assert rows[po_without_number["increment_id"]].field_path == "payment.po_number"
    twin_row = rows[twins["increment_id"]]
    assert twin_row.error_class == "conflict" and "920002" in twin_row.message and "920003" in twin_row.message
    assert rows[nul["increment_id"]].field_path == "customer_note" and "0x00" in rows[nul["increment_id"]].message
    assert rows[nul["increment_id"]].payload["customer_note"] == "leave at the door\\x00"  # NUL-safe store
    assert rows[long_street["increment_id"]].field_path == "billing_address.street[0]"
    total_row = rows[mismatched["increment_id"]]
    assert total_row.error_class == "total_mismatch" and "difference -3.00" in total_row.fix_hint
    ns_mismatched = flow_env.netsuite_record("salesOrder", mismatched["increment_id"])
    assert ns_mismatched is not None and ns_mismatched["id"] in total_row.fix_hint  # created, not deleted

    def sales_order(order: dict[str, Any]) -> dict[str, Any]:
        record = flow_env.netsuite_record("salesOrder", order["increment_id"])
        assert record is not None, order["increment_id"]
        return record

    assert sales_order(po_with_number)["otherRefNum"] == po_with_number["payment"]["po_number"]
    for key in virtual_keys:
        virtual = flow_env.netsuite_record("salesOrder", key)
        assert virtual is not None and "shipMethod" not in virtual and "shippingAddress" not in virtual
    assert sales_order(known)["entity"]["id"] == "920001"
    globex = flow_env.netsuite.get("state", record="customer", id=sales_order(company)["entity"]["id"])["record"]
    assert (globex["isPerson"], globex["companyName"]) == (False, "Globex Ltd")
    uk_order = sales_order(uk)
    assert uk_order["subsidiary"] == {"id": "2"} and uk_order["currency"] == {"id": "2"}
    uk_buyer = flow_env.netsuite.get("state", record="customer", id=uk_order["entity"]["id"])["record"]
    assert uk_buyer["subsidiary"] == {"id": "2"}
    with_discount = sales_order(discounted)
    assert with_discount["discountItem"] == {"id": "9001"} and Decimal(str(with_discount["discountRate"])) == discount
    assert Decimal(str(with_discount["total"])) == grand - Decimal("5.00")
    assert netsuite_calls <= len(first) * 2  # figures for the bench; the budget is asserted there

    counts = flow_env.netsuite.get("state")["counts"]
    second = {o.key: o for o in run_flow("run-2", store)}

    assert flow_env.netsuite.get("state")["counts"] == counts  # no second sales order, no second customer
    assert counts["salesOrders"] == len(loaded) + 1  # + the mismatched one, which stays in NetSuite
    assert {k for k, o in second.items() if o.status is Status.LOADED} == set()
    assert {k for k, o in second.items() if o.status is Status.QUARANTINED} == expected_quarantine
    assert {r.record_key: r.attempts for r in store.open_errors(flow=FLOW)} == dict.fromkeys(expected_quarantine, 2)

    # Magento's grand total was the wrong one: corrected there, one Retry checks again and resolves the row
    patch(mismatched, {"grand_total": ns_mismatched["total"]})
    store.mark_retrying([total_row.id], by="retry-test")
    replayed = replay_flow(store, FLOW, by="retry-test", run_id="manual__retry")
    assert (replayed.claimed, replayed.requeued) == (1, 0) and store.get(total_row.id).status == "resolved"
    assert flow_env.netsuite.get("state")["counts"] == counts
