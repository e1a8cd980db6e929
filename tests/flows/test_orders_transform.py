"""The orders flow's pure parts: line policy, mapping-driven transform, paths, keys, window, outcomes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from magento_netsuite.errorqueue.records import QuarantineRecord
from magento_netsuite.flows.orders.extract import order_cursor
from magento_netsuite.flows.orders.lines import effective_lines
from magento_netsuite.flows.orders.transform import (
    RunContext,
    complete_order,
    customer_of,
    draft_order,
    guest_external_id,
    quarantine_violations,
    unknown_sku_violations,
)
from magento_netsuite.flows.orders.writeback import (
    comment_text,
    has_write_back,
    write_back_targets,
    written_back_id,
)
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status, outcome_from_dict, outcome_to_dict
from magento_netsuite.pipeline.watermark import Cursor
from magento_netsuite.sandbox.datagen import SeedConfig, generate

CTX = RunContext(run_id="manual__test", dag_id="magento_orders_to_netsuite", task_id="prepare", try_number=1)


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document()


@pytest.fixture(scope="module")
def orders():
    return generate(SeedConfig(skus=60, customers=10, orders=60, seed=11, now=datetime(2026, 11, 29, tzinfo=UTC)))


def _first(orders, predicate):
    return copy.deepcopy(next(o for o in orders if predicate(o)))


def _types(order):
    return {item["product_type"] for item in order["items"]}


def test_configurable_is_one_line_with_the_child_sku_at_the_parent_price(orders) -> None:
    order = _first(orders.orders, lambda o: "configurable" in _types(o) and "bundle" not in _types(o))
    parent_index = next(i for i, it in enumerate(order["items"]) if it["product_type"] == "configurable")
    parent = order["items"][parent_index]

    lines = effective_lines(order)

    assert [ln.source_index for ln in lines].count(parent_index) == 1
    assert all(ln.item.get("parent_item_id") != parent["item_id"] for ln in lines), "child line skipped"
    line = next(ln for ln in lines if ln.source_index == parent_index)
    assert (line.item["sku"], line.item["price"]) == (parent["sku"], parent["price"])
    assert parent["price"] > 0


def test_fixed_price_bundle_sends_its_children_with_the_bundle_total_on_the_first(orders, doc) -> None:
    order = _first(orders.orders, lambda o: "bundle" in _types(o))
    bundle = next(it for it in order["items"] if it["product_type"] == "bundle")
    children = [it for it in order["items"] if it.get("parent_item_id") == bundle["item_id"]]

    lines = [ln for ln in effective_lines(order) if ln.item.get("parent_item_id") == bundle["item_id"]]

    assert [ln.item["sku"] for ln in lines] == [c["sku"] for c in children]
    assert all(ln.item["sku"] != bundle["sku"] for ln in effective_lines(order))
    draft = draft_order(order, doc)
    amounts = {line["description"]: line["rate"] * line["quantity"] for line in draft.body["item"]["items"]}
    total = sum(amounts.values())
    assert total == pytest.approx(order["subtotal"], abs=0.01), "the order's goods total survives the split"


def test_dynamic_bundle_children_keep_their_own_prices(orders) -> None:
    order = _first(orders.orders, lambda o: "bundle" in _types(o))
    bundle = next(it for it in order["items"] if it["product_type"] == "bundle")
    for item in order["items"]:
        if item.get("parent_item_id") == bundle["item_id"]:
            item["price"] = "7.50"
    prices = [ln.item["price"] for ln in effective_lines(order) if ln.item.get("parent_item_id") == bundle["item_id"]]
    assert prices and all(p == "7.50" for p in prices)


def test_draft_follows_the_mapping_and_leaves_netsuite_computed_totals_out(orders, doc) -> None:
    order = _first(orders.orders, lambda o: o.get("customer_id") and o["payment"]["method"] == "purchaseorder")
    draft = draft_order(order, doc)

    assert not draft.violations
    body = draft.body
    assert body["externalId"] == order["increment_id"]
    assert body["shipMethod"] == {"id": "101"} and body["paymentOption"] == {"id": "8"}
    assert body["otherRefNum"] == order["payment"]["po_number"]
    billing = order["billing_address"]
    assert body["billingAddress"]["addressee"] == f"{billing['firstname']} {billing['lastname']}"
    assert body["billingAddress"]["zip"] == billing["postcode"] and body["billingAddress"]["country"] == {"id": "US"}
    assert body["tranDate"] == order["created_at"][:10]
    assert not {"subtotal", "total", "taxTotal"} & set(body)
    assert draft.customer is not None and draft.customer.external_id == f"MAG-CUST-{order['customer_id']}"


def test_violations_name_the_magento_path_of_the_original_item(orders, doc) -> None:
    order = _first(orders.orders, lambda o: "configurable" in _types(o))
    # blank the SKU of the item *after* the configurable pair: its NetSuite line index differs
    cfg_index = next(i for i, it in enumerate(order["items"]) if it["product_type"] == "configurable")
    order["items"].insert(cfg_index + 2, {**order["items"][0], "item_id": 99_999, "sku": "", "product_type": "simple"})
    order["items"][cfg_index + 2].pop("parent_item_id", None)
    order["billing_address"]["postcode"] = None

    draft = draft_order(order, doc)

    paths = {v.path for v in draft.violations}
    assert f"items[{cfg_index + 2}].sku" in paths
    assert "billing_address.postcode" in paths
    outcome = quarantine_violations(draft.key, order, draft.violations, CTX)
    assert outcome.status is Status.QUARANTINED and outcome.error is not None
    assert outcome.error.field_path in paths and outcome.error.fix_hint
    assert outcome.error.task_id == "prepare" and outcome.error.payload["increment_id"] == order["increment_id"]


def test_unknown_sku_is_a_reference_error_at_its_item_path(orders, doc) -> None:
    order = _first(orders.orders, lambda o: "bundle" not in _types(o) and "configurable" not in _types(o))
    order["items"][-1]["sku"] = "MAGONLY-00042"
    draft = draft_order(order, doc)
    known = {sku: str(1000 + n) for n, (_, sku) in enumerate(draft.line_skus) if sku != "MAGONLY-00042"}

    violations = unknown_sku_violations(draft, known)

    last = len(order["items"]) - 1
    assert [(v.path, v.field) for v in violations] == [(f"items[{last}].sku", "line_sku")]
    outcome = quarantine_violations(draft.key, order, violations, CTX)
    assert outcome.error.error_class == "reference"
    assert "MAGONLY-00042" in outcome.error.fix_hint


def test_complete_order_references_items_and_customer_by_internal_id(orders, doc) -> None:
    order = _first(orders.orders, lambda o: True)
    draft = draft_order(order, doc)
    ids = {sku: f"id-{sku}" for _, sku in draft.line_skus}

    body = complete_order(draft, ids, "2042")

    assert body["entity"] == {"id": "2042"}
    assert [line["item"] for line in body["item"]["items"]] == [{"id": f"id-{sku}"} for _, sku in draft.line_skus]


def test_guests_match_by_normalised_email_and_never_by_name() -> None:
    a = customer_of({"customer_email": "  Ada.Chen@Example.TEST ", "customer_is_guest": 1, "customer_firstname": "A"})
    b = customer_of({"customer_email": "ada.chen@example.test", "customer_is_guest": 1, "customer_firstname": "Z"})
    c = customer_of({"customer_email": "other@example.test", "customer_is_guest": 1, "customer_firstname": "A"})
    assert a is not None and b is not None and c is not None
    assert a.is_guest and a.email == "ada.chen@example.test"
    assert a.external_id == b.external_id == guest_external_id("ADA.CHEN@example.test")
    assert c.external_id != a.external_id
    assert a.external_id.startswith("MAG-GUEST-") and len(a.external_id) <= 40
    registered = customer_of({"customer_email": "x@example.test", "customer_id": 7, "customer_is_guest": 0})
    assert registered is not None and (registered.external_id, registered.is_guest) == ("MAG-CUST-7", False)
    assert customer_of({"customer_email": "", "customer_is_guest": 1}) is None


def test_an_order_sorts_by_its_change_time_then_its_entity_id_as_a_number() -> None:
    a = order_cursor({"increment_id": "1", "entity_id": 9, "updated_at": "2026-11-29 02:00:00"})
    b = order_cursor({"increment_id": "2", "entity_id": 10, "updated_at": "2026-11-29 02:00:00"})
    c = order_cursor({"increment_id": "3", "entity_id": 1, "updated_at": "2026-11-29 02:00:01"})
    assert a < b < c
    assert a == Cursor(datetime(2026, 11, 29, 2, 0, tzinfo=UTC), "000000000009")
    with pytest.raises(ValueError, match="no updated_at"):
        order_cursor({"increment_id": "4", "entity_id": 4})


def test_write_back_targets_are_the_orders_now_in_netsuite_and_the_comment_names_the_id() -> None:
    ready = [
        {"key": "1", "magento": {"entity_id": 1, "status": "processing"}},
        {"key": "2", "magento": {"entity_id": 2, "status": "processing"}},
        {"key": "3", "magento": {"entity_id": 3, "status": "processing"}},
    ]
    error = QuarantineRecord("f", "order", "3", "validation", "bad")
    outcomes = [
        RecordOutcome("1", Status.UNCHANGED, target_id="10"),
        RecordOutcome("2", Status.LOADED, target_id="20"),
        RecordOutcome("3", Status.QUARANTINED, error=error),
    ]
    targets = write_back_targets(ready, outcomes)
    assert [(t.key, t.entity_id, t.netsuite_id) for t in targets] == [("1", 1, "10"), ("2", 2, "20")]
    commented = {"status_histories": [{"comment": "Customer called"}, {"comment": comment_text("1", "10")}]}
    assert has_write_back(commented, "10") and not has_write_back(commented, "11")
    assert written_back_id(commented) == "10"
    assert written_back_id({"status_histories": [{"comment": "Customer called"}]}) is None


def test_outcomes_survive_the_staged_file_round_trip() -> None:
    error = QuarantineRecord("f", "order", "9", "reference", "SKU 'X' unknown", {"a": 1}, "items[0].sku")
    for outcome in (
        RecordOutcome("8", Status.LOADED, target_id="77"),
        RecordOutcome("9", Status.QUARANTINED, error=error),
    ):
        assert outcome_from_dict(outcome_to_dict(outcome)) == outcome
