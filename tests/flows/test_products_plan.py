"""The products flow's judgement calls, read from ``product.yaml`` settings (no sandbox, no Airflow)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from magento_netsuite.flows.products.plan import desired, kind_of
from magento_netsuite.flows.products.settings import product_settings
from magento_netsuite.governance import load_mapping_document

TARGET = {"sku": "SKU-1", "name": "ERP name", "weight": 2, "status": 1,
          "custom_attributes": [{"attribute_code": "cost", "value": 3}]}  # fmt: skip


@pytest.fixture
def settings():
    return product_settings(load_mapping_document())


def test_the_default_leaves_name_and_enabled_flag_to_merchandising(settings) -> None:
    assert (settings.name_owner, settings.enabled_owner, settings.new_status) == ("magento", "magento", 2)
    assert [settings.option_code(o) for o in settings.options] == ["color", "size"]
    new_top, new_custom = desired({"isInactive": False}, TARGET, settings, exists=False)
    assert (new_top["name"], new_top["status"], new_custom) == ("ERP name", 2, {"cost": 3})
    top, _ = desired({"isInactive": False}, TARGET, settings, exists=True)
    assert "name" not in top and "status" not in top, "an existing product's name and enabled flag are Magento's"
    inactive, _ = desired({"isInactive": True}, TARGET, settings, exists=True)
    assert inactive["status"] == 2, "an item NetSuite inactivates is always disabled"


def test_netsuite_owned_name_and_enabled_flag_when_the_settings_say_so(settings) -> None:
    netsuite = replace(settings, name_owner="netsuite", enabled_owner="netsuite")
    top, _ = desired({"isInactive": False}, TARGET, netsuite, exists=True)
    assert (top["name"], top["status"]) == ("ERP name", 1)
    created, _ = desired({"isInactive": False}, TARGET, netsuite, exists=False)
    assert created["status"] == 1


def test_a_bad_setting_is_refused_with_its_name(settings, monkeypatch) -> None:
    doc = load_mapping_document()
    entity = doc.entity("product")
    monkeypatch.setitem(entity.settings, "enabled_owner", "erp")
    with pytest.raises(ValueError, match=r"settings.enabled_owner must be one of \('magento', 'netsuite'\)"):
        product_settings(doc)


def test_matrix_kinds() -> None:
    assert kind_of({"matrixType": "PARENT"}) == "parent"
    assert kind_of({"matrixType": "CHILD", "parent": "TEE"}) == "child"
    assert kind_of({"matrixType": None, "parent": None}) == "simple"
