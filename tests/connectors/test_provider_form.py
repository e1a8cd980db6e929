"""The connection types we register validate against Airflow's own schemas."""

from __future__ import annotations

import json
from pathlib import Path

import airflow
import jsonschema

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.provider import get_provider_info

AIRFLOW_DIR = Path(airflow.__file__).parent


def test_provider_info_validates_against_airflows_schema():
    schema = json.loads((AIRFLOW_DIR / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)
    yaml_schema = json.loads((AIRFLOW_DIR / "provider.yaml.schema.json").read_text())
    conn_type_schema = yaml_schema["properties"]["connection-types"]["items"]
    for entry in get_provider_info()["connection-types"]:
        jsonschema.validate(entry, conn_type_schema)


def test_forms_offer_every_setting_and_mask_secrets():
    types = {entry["connection-type"]: entry for entry in get_provider_info()["connection-types"]}
    magento = types["magento"]["conn-fields"]
    netsuite = types["netsuite"]["conn-fields"]
    assert {"auth", "consumer_key", "consumer_secret", "access_token", "access_token_secret", "concurrency"} <= set(
        magento
    )
    assert {"account_id", "auth", "consumer_key", "consumer_secret", "token_id", "token_secret", "client_id",
            "certificate_id", "private_key", "restlet_base_url", "concurrency"} <= set(netsuite)  # fmt: skip
    for fields in (magento, netsuite):
        for name, field in fields.items():
            secret = "secret" in name or name in ("private_key", "access_token", "token_id")
            assert (field["schema"].get("format") == "password") == secret or name in ("consumer_key", "client_id")
    assert types["magento"]["hook-class-name"].endswith("MagentoHook")
    assert MagentoHook.get_ui_field_behaviour()["relabeling"]["host"] == "Magento base URL"
    assert "password" in NetSuiteHook.get_ui_field_behaviour()["hidden_fields"]


def test_behaviour_validates_against_airflows_form_schema():
    schema = json.loads((AIRFLOW_DIR / "customized_form_field_behaviours.schema.json").read_text())
    jsonschema.validate(MagentoHook.get_ui_field_behaviour(), schema)
    jsonschema.validate(NetSuiteHook.get_ui_field_behaviour(), schema)


def test_airflows_provider_manager_builds_the_forms_from_our_provider_info(monkeypatch):
    """What the UI gets once the entry point is installed (loaded here by hand, same code path)."""
    from airflow.providers_manager import ProviderInfo, ProvidersManager

    manager = ProvidersManager()
    for name in ("_provider_dict", "_connection_form_widgets", "_field_behaviours", "_hook_name_dict"):
        monkeypatch.setattr(manager, name, type(getattr(manager, name))(getattr(manager, name)))  # restored after
    manager._provider_dict["magento-netsuite-sync"] = ProviderInfo("0.1.0", get_provider_info())
    manager._load_ui_metadata()
    widgets = manager._connection_form_widgets
    assert widgets["extra__netsuite__private_key"].is_sensitive
    assert widgets["extra__magento__consumer_secret"].is_sensitive
    assert not widgets["extra__netsuite__account_id"].is_sensitive
    assert widgets["extra__netsuite__auth"].field["schema"]["enum"] == ["oauth2", "tba", None]
    assert manager._field_behaviours["magento"]["relabeling"]["host"] == "Magento base URL"
    assert manager._hook_name_dict["netsuite"] == "NetSuite (magento-netsuite-sync)"
