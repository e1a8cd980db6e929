"""One source record to its target shape, following a flow of the real document."""

from __future__ import annotations

import copy

import pytest

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance import load_mapping_document, translate_record

ORDER = {
    "increment_id": "000000001",
    "customer_id": 3,
    "customer_email": " Buyer@Example.TEST ",
    "created_at": "2026-11-29 01:00:00",
    "items": [
        {"sku": "SKU-000001", "qty_ordered": 2, "price": "9.50", "name": "Widget"},
        {"sku": "SKU-000002", "qty_ordered": 1, "price": "5", "name": "Gadget"},
    ],
    "shipping_amount": 5,
    "subtotal": "24.00",
    "grand_total": "29.00",
    "payment": {"method": "checkmo"},
    "store_id": 1,
    "order_currency_code": "USD",
    "billing_address": {
        "lastname": "Doe",
        "street": ["1 Main"],
        "city": "Town",
        "postcode": "10001",
        "country_id": "US",
    },
    "extension_attributes": {
        "shipping_assignments": [
            {
                "shipping": {
                    "method": "ups_GND",
                    "address": {
                        "lastname": "Doe",
                        "street": ["1 Main"],
                        "city": "Town",
                        "postcode": "10001",
                        "country_id": "US",
                    },
                }
            }
        ]
    },
}


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document(MAPPINGS_DIR)


def test_order_becomes_a_netsuite_sales_order_body(doc):
    result = translate_record(doc.flow("orders_magento_to_netsuite"), ORDER, doc, {"purchase_order": False})
    assert result.ok, result.violations
    body = result.json_record()
    assert body["externalId"] == "000000001"
    assert body["entity"] == {"externalId": "MAG-CUST-3"}
    assert body["email"] == "buyer@example.test"
    assert body["tranDate"] == "2026-11-29"
    assert body["item"]["items"] == [
        {"item": "SKU-000001", "quantity": 2, "rate": 9.5, "description": "Widget"},
        {"item": "SKU-000002", "quantity": 1, "rate": 5, "description": "Gadget"},
    ]
    assert body["shipMethod"] == {"id": "104"} and body["paymentOption"] == {"id": "2"}
    assert body["shippingAddress"] == {
        "addressee": "Doe",
        "addr1": "1 Main",
        "city": "Town",
        "zip": "10001",
        "country": {"id": "US"},
    }
    assert "discountRate" not in body and "memo" not in body


def test_order_problems_are_violations_naming_the_magento_path(doc):
    broken = copy.deepcopy(ORDER)
    del broken["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]["postcode"]
    broken["payment"]["method"] = "paypal_express"
    result = translate_record(doc.flow("orders_magento_to_netsuite"), broken, doc, {"purchase_order": False})
    assert {(v.field, v.path) for v in result.violations} == {
        ("shipping_postcode", "extension_attributes.shipping_assignments[0].shipping.address.postcode"),
        ("payment_method", "payment.method"),
    }
    assert any("'payment_method' has no entry for 'paypal_express'" in v.message for v in result.violations)


def test_netsuite_customer_becomes_magento_customer_fields(doc):
    customer = {
        "creditLimit": 5000,
        "terms": {"id": "2", "refName": "Net 30"},
        "taxable": False,
        "priceLevel": {"id": "3"},
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ignored@example.test",
        "addressBook": {
            "items": [
                {
                    "addressBookAddress": {"addr1": "1 Main", "city": "Town", "zip": "1", "country": {"id": "GB"}},
                    "defaultBilling": True,
                }
            ]
        },
    }
    result = translate_record(doc.flow("customers_netsuite_to_magento"), customer, doc)
    assert result.ok, result.violations
    body = result.json_record()
    attributes = {a["attribute_code"]: a["value"] for a in body["custom_attributes"]}
    assert attributes == {"ns_credit_limit": 5000, "ns_payment_terms": "Net 30", "ns_taxable": 0, "ns_tax_exempt": 1}
    assert body["group_id"] == 4
    assert body["addresses"] == [
        {"street": ["1 Main"], "city": "Town", "postcode": "1", "country_id": "GB", "default_billing": True}
    ]
    assert "email" not in body
