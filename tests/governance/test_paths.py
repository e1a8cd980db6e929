"""Reading and writing record values by mapping-document paths."""

from __future__ import annotations

import pytest

from magento_netsuite.governance import PathError, get_path, set_path

ORDER = {
    "increment_id": "000000001",
    "billing_address": {"postcode": "10001", "street": ["1 Main St", "Suite 2"]},
    "items": [{"sku": "SKU-000001", "qty_ordered": 2}, {"sku": "SKU-000002", "qty_ordered": 1}],
    "custom_attributes": [{"attribute_code": "ns_terms", "value": "Net 30"}],
    "extension_attributes": {"shipping_assignments": [{"shipping": {"method": "flatrate_flatrate"}}]},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("increment_id", "000000001"),
        ("billing_address.postcode", "10001"),
        ("billing_address.street[1]", "Suite 2"),
        ("items[].sku", ["SKU-000001", "SKU-000002"]),
        ("items[1].qty_ordered", 1),
        ("custom_attributes.ns_terms", "Net 30"),
        ("extension_attributes.shipping_assignments[0].shipping.method", "flatrate_flatrate"),
        ("billing_address.city", None),
        ("items[5].sku", None),
        ("custom_attributes.absent", None),
    ],
)
def test_get_path(path, expected):
    assert get_path(ORDER, path) == expected


def test_get_path_default_and_dict_custom_attributes():
    assert get_path(ORDER, "payment.method", default="n/a") == "n/a"
    assert get_path({"custom_attributes": {"upc": "0123"}}, "custom_attributes.upc") == "0123"


def test_set_path_builds_nested_records():
    record: dict = {}
    set_path(record, "billingAddress.zip", "10001")
    set_path(record, "item.items[].item", ["1001", "1002"])
    set_path(record, "item.items[].quantity", [2, 1])
    set_path(record, "street[1]", "Suite 2")
    assert record == {
        "billingAddress": {"zip": "10001"},
        "item": {"items": [{"item": "1001", "quantity": 2}, {"item": "1002", "quantity": 1}]},
        "street": [None, "Suite 2"],
    }


def test_set_path_custom_attributes_updates_by_code():
    record = {"custom_attributes": [{"attribute_code": "upc", "value": "1"}]}
    set_path(record, "custom_attributes.upc", "2")
    set_path(record, "custom_attributes.ns_vendor", "Acme")
    assert record["custom_attributes"] == [
        {"attribute_code": "upc", "value": "2"},
        {"attribute_code": "ns_vendor", "value": "Acme"},
    ]
    assert get_path(record, "custom_attributes.ns_vendor") == "Acme"


def test_set_then_get_roundtrip_each_element():
    record: dict = {}
    set_path(record, "addresses[].street[0]", ["1 Main", "2 High"])
    assert get_path(record, "addresses[].street[0]") == ["1 Main", "2 High"]


@pytest.mark.parametrize("path", ["", ".a", "a.", "a..b", "a[x]", "a]b", "a[0"])
def test_malformed_paths_are_rejected(path):
    with pytest.raises(PathError):
        get_path({}, path)


def test_each_needs_a_list():
    with pytest.raises(PathError, match=r"needs a list value"):
        set_path({}, "items[].sku", "SKU-1")
