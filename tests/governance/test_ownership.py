"""The ownership filter on single records and pandas frames."""

from __future__ import annotations

import pandas as pd
import pytest

from magento_netsuite.config import MAPPINGS_DIR
from magento_netsuite.governance import OwnershipError, OwnershipFilter, load_mapping_document


@pytest.fixture(scope="module")
def doc():
    return load_mapping_document(MAPPINGS_DIR)


def test_flow_filter_keeps_only_source_owned_fields(doc):
    flt = OwnershipFilter(doc, "customers_netsuite_to_magento")
    assert "credit_limit" in flt.field_names and "login_email" not in flt.field_names
    record = {"credit_limit": "5000", "login_email": "x@example.test", "newsletter_subscription": True, "terms": "2"}
    assert flt.apply_record(record) == {"credit_limit": "5000", "terms": "2"}


def test_entity_and_direction_filter(doc):
    to_netsuite = OwnershipFilter(doc, entity="customer", source="magento", target="netsuite")
    assert to_netsuite.field_names == ["login_email"]
    to_magento = OwnershipFilter(doc, entity="product", source="netsuite", target="magento")
    assert to_magento.field_names == [
        "sku",
        "erp_name",
        "cost",
        "weight",
        "vendor",
        "upc",
        "status",
        "option_color",
        "option_size",
    ]


def test_asking_for_a_field_the_source_does_not_own_is_an_error(doc):
    flt = OwnershipFilter(doc, "products_netsuite_to_magento")
    with pytest.raises(OwnershipError, match=r"may not carry field 'description' .*owner is magento"):
        flt.apply_record({"sku": "SKU-1", "description": "<p>hi</p>"}, fields=["sku", "description"])
    with pytest.raises(OwnershipError, match=r"has no field 'colour'"):
        flt.apply_record({"sku": "SKU-1"}, fields=["colour"])
    with pytest.raises(OwnershipError, match=r"lacks requested field\(s\) \['weight'\]"):
        flt.apply_record({"sku": "SKU-1"}, fields=["sku", "weight"])


def test_create_only_flow_carries_handoff_fields_but_upsert_direction_does_not(doc):
    registration = OwnershipFilter(doc, "customer_registration_magento_to_netsuite")
    assert registration.apply_record({"first_name": "Ada", "login_email": "a@example.test", "credit_limit": 1}) == {
        "login_email": "a@example.test",
        "first_name": "Ada",
    }
    direction = OwnershipFilter(doc, entity="customer", source="magento", target="netsuite")
    with pytest.raises(OwnershipError, match="first_name"):
        direction.check(["first_name"])


def test_frame_filter(doc):
    flt = OwnershipFilter(doc, "inventory_netsuite_to_magento")
    frame = pd.DataFrame(
        {"quantity": [3, 0], "sku": ["SKU-1", "SKU-2"], "source_code": ["wh_east", "wh_west"], "note": ["a", "b"]}
    )
    filtered = flt.apply_frame(frame)
    assert list(filtered.columns) == ["sku", "source_code", "quantity"]
    assert filtered["quantity"].tolist() == [3, 0]
    assert list(flt.apply_frame(frame, fields=["sku", "quantity"]).columns) == ["sku", "quantity"]
    with pytest.raises(OwnershipError, match="source_item_status"):
        flt.apply_frame(frame, fields=["sku", "source_item_status"])
    with pytest.raises(OwnershipError, match="on_hand"):
        flt.apply_frame(frame, fields=["on_hand"])


def test_filter_needs_a_flow_or_a_direction(doc):
    with pytest.raises(ValueError, match="give a flow name"):
        OwnershipFilter(doc, entity="customer")
    with pytest.raises(KeyError, match="no flow 'nope'"):
        OwnershipFilter(doc, "nope")
