"""Named transforms (both directions) and per-field validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance import (
    FieldViolation,
    TransformError,
    ValueMapMiss,
    apply_transform,
    load_mapping_document,
    validate_record,
)

TO_MAGENTO = {"source": "netsuite", "target": "magento"}
TO_NETSUITE = {"source": "magento", "target": "netsuite"}


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document(MAPPINGS_DIR)


@pytest.mark.parametrize(
    ("name", "value", "direction", "expected"),
    [
        ("identity", {"a": 1}, TO_MAGENTO, {"a": 1}),
        ("string", " SKU-1 ", TO_MAGENTO, "SKU-1"),
        ("decimal", "19.99", TO_MAGENTO, Decimal("19.99")),
        ("integer", "12.0", TO_MAGENTO, 12),
        ("boolean", "T", TO_MAGENTO, True),
        ("boolean", "false", TO_MAGENTO, False),
        ("email", "  Buyer@Example.TEST ", TO_NETSUITE, "buyer@example.test"),
        ("datetime_utc", "2026-11-29 01:02:03", TO_NETSUITE, "2026-11-29T01:02:03Z"),
        ("datetime_utc", "2026-11-29T03:02:03+02:00", TO_MAGENTO, "2026-11-29 01:02:03"),
        ("date_utc", "2026-11-29 23:59:00", TO_NETSUITE, "2026-11-29"),
        ("ns_ref", 7, TO_NETSUITE, {"id": "7"}),
        ("ns_ref", {"id": "7", "refName": "Net 30"}, TO_MAGENTO, "7"),
        ("from_ns_ref", {"id": "2"}, TO_MAGENTO, "2"),
        ("bool_int", True, TO_MAGENTO, 1),
        ("bool_int", 0, TO_NETSUITE, False),
        ("negate|bool_int", True, TO_MAGENTO, 0),
        ("in_stock", "0", TO_MAGENTO, 0),
        ("in_stock", 3, TO_MAGENTO, 1),
        ("customer_external_id", 42, TO_NETSUITE, "MAG-CUST-42"),
        ("customer_external_id", "MAG-CUST-42", TO_MAGENTO, "42"),
        ("customer_ref", 42, TO_NETSUITE, {"externalId": "MAG-CUST-42"}),
        ("decimal", None, TO_MAGENTO, None),
        ("decimal", ["1", "2.5"], TO_MAGENTO, [Decimal(1), Decimal("2.5")]),
    ],
)
def test_named_transforms(name, value, direction, expected):
    assert apply_transform(name, value, **direction) == expected


def test_value_map_transforms_follow_direction(doc):
    assert apply_transform("map:location_to_source", "2", doc=doc, **TO_MAGENTO) == "wh_west"
    assert apply_transform("map:location_to_source", "wh_west", doc=doc, **TO_NETSUITE) == "2"
    assert apply_transform("from_ns_ref|map:terms", {"id": "2"}, doc=doc, **TO_MAGENTO) == "Net 30"
    assert apply_transform("map:shipping_method|ns_ref", "ups_GND", doc=doc, **TO_NETSUITE) == {"id": "104"}
    assert apply_transform("boolean|map:item_inactive_to_product_status", "T", doc=doc, **TO_MAGENTO) == 2
    with pytest.raises(ValueMapMiss) as miss:
        apply_transform("map:payment_method", "paypal_express", doc=doc, **TO_NETSUITE)
    assert (miss.value.map_name, miss.value.value) == ("payment_method", "paypal_express")


@pytest.mark.parametrize(
    ("name", "value"),
    [("decimal", "abc"), ("integer", "1.5"), ("boolean", "maybe"), ("datetime_utc", "yesterday"), ("nope", 1)],
)
def test_bad_values_raise_transform_error_naming_the_transform(name, value):
    with pytest.raises(TransformError, match=name):
        apply_transform(name, value, **TO_MAGENTO)


def test_validate_record_names_field_and_path(doc):
    flow = doc.flow("orders_magento_to_netsuite")
    record = {
        "external_id": "000000007",
        "customer_email": "not-an-email",
        "tran_date": "2026-11-29 01:00:00",
        "line_sku": ["SKU-000001", ""],
        "line_quantity": [1, -2],
        "line_rate": [10, 5],
        "shipping_method": "flatrate_flatrate",
        "shipping_cost": 5,
        "subtotal": 20,
        "grand_total": 25,
        "payment_method": "checkmo",
        "subsidiary": 1,
        "currency": "USD",
        "billing_addressee": "Doe",
        "billing_street": "1 Main",
        "billing_city": "Town",
        "billing_postcode": "10001",
        "billing_country": "US",
        "shipping_addressee": "Doe",
        "shipping_street": "1 Main",
        "shipping_city": "Town",
        "shipping_postcode": None,
        "shipping_country": "USA",
    }
    violations = validate_record(flow, record, {"physical_items": True, "purchase_order": False})
    by_path = {v.path: v for v in violations}
    virtual = validate_record(flow, record, {"physical_items": False, "purchase_order": True})
    assert {v.path for v in virtual} == {"customer_email", "items[1].sku", "items[1].qty_ordered", "payment.po_number"}
    assert set(by_path) == {
        "customer_email",
        "items[1].sku",
        "items[1].qty_ordered",
        "extension_attributes.shipping_assignments[0].shipping.address.postcode",
        "extension_attributes.shipping_assignments[0].shipping.address.country_id",
    }
    postcode = by_path["extension_attributes.shipping_assignments[0].shipping.address.postcode"]
    assert postcode == FieldViolation(
        "shipping_postcode",
        "extension_attributes.shipping_assignments[0].shipping.address.postcode",
        "is required but missing",
    )
    assert "below the minimum 0" in by_path["items[1].qty_ordered"].message
    assert "does not match pattern" in by_path["customer_email"].message


def test_validate_types_allowed_and_lengths(doc):
    flow = doc.flow("pricing_netsuite_to_magento")
    base = {
        "sku": "SKU-1",
        "base_price": "x",
        "price_level": "9",
        "tier_price": 1,
        "tier_quantity": 0,
        "contract_customer": ["MAG-CUST-1"],
        "contract_price": ["2.50"],
        "currency": "EUR",
    }
    messages = {v.field: v.message for v in validate_record(flow, base)}
    assert messages == {
        "base_price": "must be of type number, got 'x'",
        "price_level": "'9' is not one of ['1', '2', '3', '4']",
        "currency": "'EUR' is not one of ['USD']",
    }
    product = doc.flow("products_netsuite_to_magento")
    long_name = {"sku": "SKU-1", "erp_name": "n" * 256, "status": False}
    assert [v.message for v in validate_record(product, long_name)] == ["is longer than 255 characters"]
