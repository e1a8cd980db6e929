"""Fix hints name the record, say where to fix it and end with the next step."""

from __future__ import annotations

import pytest

from magento_netsuite.errorqueue.hints import fix_hint
from magento_netsuite.errorqueue.records import ERROR_CLASSES, QuarantineRecord


def rec(error_class: str, message: str, **kw) -> QuarantineRecord:
    values = {"flow": "orders_magento_to_netsuite", "entity": "order", "record_key": "000000123"}
    values.update(kw)
    return QuarantineRecord(error_class=error_class, message=message, **values)


def test_unknown_sku_names_the_sku_and_the_sku_map() -> None:
    hint = fix_hint(rec("reference", "Invalid item reference", field_path="items[0].sku", payload={"sku": "ABC-1"}))
    assert hint.startswith("SKU ABC-1 does not exist in NetSuite")
    assert "include/mappings/" in hint and hint.endswith("then Retry")


def test_unknown_sku_from_the_message_when_the_payload_lacks_it() -> None:
    hint = fix_hint(rec("reference", "SKU 'XYZ-9' was not found", field_path="items[2].sku"))
    assert "SKU XYZ-9 does not exist in NetSuite" in hint


def test_missing_postcode_points_to_magento() -> None:
    hint = fix_hint(rec("validation", "postcode is required", field_path="shipping_address.postcode"))
    assert hint == "Order 000000123 has no shipping postcode: correct the address in Magento, then Retry"


def test_unknown_location_points_to_the_value_map() -> None:
    hint = fix_hint(
        rec(
            "reference",
            "location 7 has no MSI source",
            flow="inventory_netsuite_to_magento",
            entity="inventory",
            record_key="SKU-000001@7",
            field_path="location_id",
            payload={"location_id": "7"},
        )
    )
    assert "location 7" in hint and "location_to_source" in hint and "value_maps.yaml" in hint


@pytest.mark.parametrize(
    ("error_class", "code", "expected"),
    [
        ("auth", "INVALID_LOGIN", "Airflow connection"),
        ("transient_exhausted", "SSS_REQUEST_LIMIT_EXCEEDED", "Retry once the system responds"),
        ("unexpected", "RCRD_DSNT_EXIST", "no longer exists"),
        ("validation", "DUP_ENTITY", "different record under the same key"),
    ],
)
def test_known_codes_win_over_the_class(error_class: str, code: str, expected: str) -> None:
    assert expected in fix_hint(rec(error_class, "failed", code=code))


@pytest.mark.parametrize("error_class", ERROR_CLASSES)
def test_every_class_has_an_actionable_hint_naming_the_record(error_class: str) -> None:
    hint = fix_hint(rec(error_class, "something went wrong"))
    assert "000000123" in hint
    assert "Retry" in hint or "Ignore" in hint


def test_unknown_sku_in_a_flow_to_magento_says_magento_lacks_the_product() -> None:
    hint = fix_hint(
        rec(
            "reference",
            "SKU SKU-9 is not a Magento product; its stock at wh_east was not pushed",
            flow="inventory_netsuite_to_magento",
            entity="inventory",
            record_key="SKU-9@wh_east",
            field_path="sku",
            payload={"sku": "SKU-9"},
        )
    )
    assert hint.startswith("SKU SKU-9 is not a Magento product")
    assert "products flow" in hint and "in NetSuite" not in hint and hint.endswith("then Retry")
