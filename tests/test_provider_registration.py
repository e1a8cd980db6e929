"""The editable install registers our provider, so Airflow's connection form offers the
``magento`` and ``netsuite`` types with their fields (through Airflow's real ProvidersManager)."""

from __future__ import annotations


def test_airflow_discovers_the_provider_and_its_connection_types():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "magento-netsuite-sync" in manager.providers, "run `make install`: the provider entry point is missing"
    widgets = manager.connection_form_widgets
    for field in ("account_id", "consumer_key", "token_secret", "private_key", "concurrency"):
        assert f"extra__netsuite__{field}" in widgets
    assert manager.field_behaviours["netsuite"]["hidden_fields"]
    assert "magento" in manager.field_behaviours
