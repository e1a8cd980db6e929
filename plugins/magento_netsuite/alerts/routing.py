"""Which flow a DAG belongs to, and where Airflow and the Error Queue live (for links)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

FLOW_BY_DAG_ID: dict[str, str] = {
    "magento_orders_to_netsuite": "orders_magento_to_netsuite",
    "netsuite_fulfilments_to_magento": "fulfillments_netsuite_to_magento",
    "netsuite_inventory_to_magento": "inventory_netsuite_to_magento",
    "netsuite_pricing_to_magento": "pricing_netsuite_to_magento",
    "netsuite_customers_to_magento": "customers_netsuite_to_magento",
    "magento_customer_registration_to_netsuite": "customer_registration_magento_to_netsuite",
    "netsuite_products_to_magento": "products_netsuite_to_magento",
}
"""The flow table of ``docs/architecture.md`` (DAG id → flow)."""

KNOWN_FLOWS = frozenset(
    [*FLOW_BY_DAG_ID.values(), "customer_email_magento_to_netsuite"],
)


def flow_for(dag_id: str, *, tags: Any = (), params: Any = None) -> str:
    """The flow of a DAG: a ``flow`` param, else a tag naming a known flow, else the flow table, else the DAG id."""
    if params is not None:
        try:
            flow = params.get("flow")
        except (AttributeError, KeyError, TypeError):
            flow = None
        if isinstance(flow, str) and flow:
            return flow
    for tag in sorted(tags or ()):
        if tag in KNOWN_FLOWS:
            return tag
    return FLOW_BY_DAG_ID.get(dag_id, dag_id)


def airflow_base_url() -> str:
    """Airflow's ``[api] base_url`` (what the UI is reached at), without a trailing slash."""
    from airflow.sdk import conf

    return str(conf.get("api", "base_url", fallback="http://localhost:8080")).rstrip("/")


def task_log_url(dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
    """The Airflow 3 UI page of one task try (same route as ``TaskInstance.log_url``)."""
    mapped = f"/mapped/{map_index}" if map_index is not None and map_index >= 0 else ""
    tries = f"?try_number={try_number}" if try_number and try_number > 0 else ""
    return (
        f"{airflow_base_url()}/dags/{quote(dag_id)}/runs/{quote(run_id, safe='')}/tasks/{quote(task_id)}{mapped}{tries}"
    )


def error_queue_url(**filters: str) -> str:
    """The Error Queue page (the plugin app mounted at ``/error-queue``), optionally filtered."""
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"{airflow_base_url()}/error-queue/" + (f"?{query}" if query else "")
