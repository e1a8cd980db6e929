"""The package's own database (``mns_store``): error queue, snapshots, watermarks. Never Airflow's."""

from magento_netsuite.store.db import describe_store, engine_for, store_url

__all__ = ["describe_store", "engine_for", "store_url"]
