"""The orders flow's mapping rules for real stores, without I/O: readiness per payment method and state,
shipping required only with physical items, the PO number, field limits, discount item, tax line and
the total check."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from magento_netsuite.flows.orders.settings import is_ready, ready_states
from magento_netsuite.flows.orders.totals import (
    CARRY_MAGENTO_TAX,
    NETSUITE_COMPUTES,
    TotalsPolicy,
    apply_totals,
    check_total,
)
from magento_netsuite.flows.orders.transform import draft_order
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.sandbox.datagen import SeedConfig, generate

CTX = RunContext(run_id="manual__rules", dag_id="magento_orders_to_netsuite", task_id="load")
SHIPPING = "extension_attributes.shipping_assignments[0].shipping"


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document()


@pytest.fixture(scope="module")
def dataset():
    config = SeedConfig(
        skus=20, customers=6, orders=30, seed=5, virtual_share=0.2, realistic_states=True,
        configurable_share=0.0, bundle_share=0.0, unknown_sku_share=0.0, missing_postcode_share=0.0,
        now=datetime(2026, 11, 29, tzinfo=UTC),
    )  # fmt: skip
    return generate(config)


@pytest.mark.parametrize(
    ("method", "state", "ready"),
    [
        ("checkmo", "new", True),
        ("purchaseorder", "new", True),
        ("banktransfer", "new", True),
        ("cashondelivery", "processing", True),
        ("braintree", "new", False),
        ("braintree", "processing", True),
        ("some_new_gateway", "new", False),
        ("checkmo", "holded", False),
    ],
)
def test_ready_for_erp_is_per_payment_method_and_state(doc, method: str, state: str, ready: bool) -> None:
    assert is_ready({"state": state, "payment": {"method": method}}, doc) is ready
    assert set(ready_states(doc)) == {"new", "processing"}


def test_virtual_orders_need_no_shipping_and_physical_ones_do(doc, dataset) -> None:
    virtual = next(o for o in dataset.orders if o["increment_id"] in dataset.mismatches["virtual_orders"])
    draft = draft_order(virtual, doc)
    assert draft.violations == []
    assert "shipMethod" not in draft.body and "shippingAddress" not in draft.body
    assert draft.body["shippingCost"] == 0

    physical = copy.deepcopy(virtual)
    for item in physical["items"]:
        item.update(product_type="simple", is_virtual=0)
    physical.pop("is_virtual")
    paths = {v.path for v in draft_order(physical, doc).violations}
    assert paths == {
        f"{SHIPPING}.method",
        *(f"{SHIPPING}.address.{p}" for p in ("lastname", "street[0]", "city", "postcode", "country_id")),
    }


def test_purchase_order_needs_its_po_number_and_text_must_fit_netsuite(doc, dataset) -> None:
    order = copy.deepcopy(next(o for o in dataset.orders if o["payment"]["method"] == "purchaseorder"))
    assert order["state"] == "new" and order["payment"]["po_number"]
    assert draft_order(order, doc).body["otherRefNum"] == order["payment"]["po_number"]
    order["payment"]["po_number"] = " "
    order["billing_address"]["city"] = "C" * 51
    order["customer_note"] = "bell\x07"
    found = {v.path: v.message for v in draft_order(order, doc).violations}
    assert found["payment.po_number"] == "is required but missing"
    assert found["billing_address.city"] == "is longer than 50 characters"
    assert found["customer_note"] == "holds a control character (0x07) at position 4"


def test_discount_item_tax_line_and_the_total_check(doc) -> None:
    policy = TotalsPolicy.from_doc(doc)
    assert (policy.discount_item, policy.tax_policy, policy.tax_item) == ("9001", CARRY_MAGENTO_TAX, "9002")
    body = apply_totals(
        {"discountRate": -5, "item": {"items": [{"item": {"id": "1"}}]}}, {"tax_amount": "1.65"}, policy
    )
    assert body["discountItem"] == {"id": "9001"} and body["discountRate"] == -5
    assert body["item"]["items"][-1]["item"] == {"id": "9002"} and body["item"]["items"][-1]["rate"] == pytest.approx(
        1.65
    )
    plain = apply_totals({"discountRate": 0}, {"tax_amount": 0}, policy)
    assert plain == {}
    computed = TotalsPolicy(policy.discount_item, NETSUITE_COMPUTES, None, Decimal("0.01"))
    assert "item" not in apply_totals({}, {"tax_amount": "3.00"}, computed)

    created = RecordOutcome("100000001", Status.LOADED, target_id="10042")
    magento = {"grand_total": "100.00", "currency": "USD"}
    assert check_total(created, magento, 100.01, policy, CTX) is created  # within the tolerance
    mismatch = check_total(created, magento, 97.5, policy, CTX)
    assert (mismatch.status, mismatch.target_id) == (Status.QUARANTINED, "10042")
    assert mismatch.error is not None and mismatch.error.error_class == "total_mismatch"
    assert "NetSuite total 97.50 USD, Magento grand total 100.00 USD, difference -2.50" in mismatch.error.fix_hint
    assert check_total(created, magento, None, policy, CTX) is created  # NetSuite's total unknown: no verdict
