"""Airflow provider metadata: registers the ``magento`` and ``netsuite`` connection types.

With the package installed, the entry point

    [project.entry-points.apache_airflow_provider]
    provider_info = "magento_netsuite.provider:get_provider_info"

makes Airflow's connection form offer both types with their fields (Airflow 3.2+ reads them
declaratively from here, without importing the hooks). Plain ``http`` connections work too.
"""

from __future__ import annotations

from typing import Any

from magento_netsuite.connectors.connection_form import MAGENTO_FORM, NETSUITE_FORM


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "magento-netsuite-sync",
        "name": "Magento ↔ NetSuite sync",
        "description": "Hooks for Magento 2 / Adobe Commerce and Oracle NetSuite (magento-netsuite-sync DAGs).",
        "connection-types": [
            MAGENTO_FORM.provider_connection_type(),
            NETSUITE_FORM.provider_connection_type(),
        ],
    }
