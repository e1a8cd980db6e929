"""Hostile records through every transform (hypothesis): each one is accepted and round-trips unchanged,
or quarantined naming a field; nothing raises.

Generated: unicode (any plane), control characters, NUL, very long strings, whitespace and comma SKUs,
huge and tiny numbers, NaN / infinity, numbers as text, missing values. Derandomized (the same
examples every run, so CI is reproducible) and ``deadline=None`` (a loaded CI machine is not a bug).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.flows.inventory.transform import row_key, source_item
from magento_netsuite.flows.orders.transform import draft_order, order_key
from magento_netsuite.governance import load_mapping_document, translate_record
from magento_netsuite.governance.errors import PathError
from magento_netsuite.governance.paths import set_path
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.sandbox.datagen import SeedConfig, generate

DOC = load_mapping_document()
CTX = RunContext(run_id="hostile", dag_id="hostile", task_id="transform")
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
TEMPLATE_ORDER = generate(SeedConfig(skus=5, customers=2, orders=1, seed=3, guest_share=0.0)).orders[0]

SPECIAL_TEXT = [
    "",
    " ",
    " SKU-000007 ",
    "SKU-000007 ",
    "PACK,2",
    "A,B,C",
    "\x00",
    "NUL\x00IN",
    "\t\n\r",
    "é" * 300,
    "🧨" * 70,
    "x" * 5000,
    "'; DROP TABLE orders; --",
    "<script>alert(1)</script>",
    "\u202eevil",
    "SKU\x7f",
]
SPECIAL_NUMBERS = [
    1e15,
    1e300,
    -1e300,
    0.0001,
    0.00001,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    10**40,
    -1,
    "1e15",
    "1e300",
    "0.0001",
    "0.00001",
    "NaN",
    "Infinity",
    "abc",
    "",
    " 5 ",
    "5,5",
    "0x10",
]

texts = st.one_of(
    st.sampled_from(SPECIAL_TEXT), st.text(max_size=80), st.text(st.characters(codec="utf-8"), max_size=300)
)
numbers = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
)
values = st.one_of(texts, numbers, st.booleans(), st.none())


def json_safe(record: Any) -> Any:
    """The record as the staging files and the APIs carry it (no NaN / Infinity allowed); must round-trip."""
    text = json.dumps(record, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == record
    return record


def assert_quarantined_with_a_field(outcome: RecordOutcome, key: str) -> None:
    assert outcome.status is Status.QUARANTINED and outcome.error is not None
    assert outcome.key == key and outcome.error.record_key == key
    assert outcome.error.field_path, outcome.error.message


@PROPERTY
@given(
    sku=texts,
    location=st.one_of(st.sampled_from(["1", "2", "3", "99"]), texts),
    available=numbers,
    inactive=st.booleans(),
)
def test_inventory_rows(sku: str, location: str, available: Any, inactive: bool) -> None:
    row = {"item_id": "7", "sku": sku, "location_id": location, "on_hand": available, "committed": 0}
    row |= {"available": available, "inactive": inactive, "last_modified": None}
    result = source_item(row, DOC.flow(INVENTORY), DOC, InventorySettings(), CTX)
    if isinstance(result, RecordOutcome):
        assert_quarantined_with_a_field(result, row_key(row, DOC))
        return
    assert result["sku"] == sku and result["key"] == row_key(row, DOC)  # the SKU exactly as NetSuite spells it
    expected = Decimal(0) if inactive else Decimal(str(available).strip())
    assert Decimal(str(result["quantity"])) == expected and result["status"] == int(expected > 0)
    json_safe(result)


def _hostile_record(flow_name: str, data: st.DataObject) -> dict[str, Any]:
    flow = DOC.flow(flow_name)
    record: dict[str, Any] = {}
    for spec in flow.fields:
        path = spec.path_for(flow.source)
        value = data.draw(values, label=spec.name)
        try:
            set_path(record, path.replace("[]", "[0]"), value)
        except PathError:
            continue  # two fields at clashing paths: the first one stands
    return record


@PROPERTY
@given(flow_name=st.sampled_from(sorted(DOC.flow_index)), data=st.data())
def test_every_flows_mapping_transform(flow_name: str, data: st.DataObject) -> None:
    """Customers, products, pricing, fulfilments, orders, inventory: the mapping's own translate step."""
    translation = translate_record(DOC.flow(flow_name), _hostile_record(flow_name, data), DOC)
    if translation.violations:
        assert all(v.field and v.path for v in translation.violations)
        return
    json_safe(translation.json_record())


@st.composite
def hostile_orders(draw: st.DrawFn) -> dict[str, Any]:
    order = json.loads(json.dumps(TEMPLATE_ORDER))
    order["increment_id"] = draw(st.one_of(st.just(order["increment_id"]), texts))
    order["customer_email"] = draw(st.one_of(st.just(order["customer_email"]), texts))
    order["customer_firstname"] = draw(texts)
    for item in order["items"]:
        item["sku"] = draw(st.one_of(st.just(item["sku"]), texts))
        item["qty_ordered"] = draw(st.one_of(st.just(item["qty_ordered"]), numbers))
        item["price"] = draw(st.one_of(st.just(item["price"]), numbers))
        item["name"] = draw(texts)
    order["shipping_amount"] = draw(st.one_of(st.just(order.get("shipping_amount")), numbers))
    if isinstance(order.get("billing_address"), dict):
        order["billing_address"]["street"] = [draw(texts)]
        order["billing_address"]["postcode"] = draw(st.one_of(st.none(), texts))
    return order


@PROPERTY
@given(order=hostile_orders())
def test_orders(order: dict[str, Any]) -> None:
    draft = draft_order(order, DOC)
    assert draft.key == order_key(order)
    if draft.violations:
        assert all(v.field and v.path for v in draft.violations)
        return
    body = json_safe(draft.body)
    assert body.get("externalId") == str(order["increment_id"]).strip()
