"""The package's own database (``mns_store``): error queue, snapshots, watermarks. Never Airflow's."""

from magento_netsuite.store.db import engine_for, store_url

__all__ = ["engine_for", "store_url"]
