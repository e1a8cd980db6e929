"""Flow settings that come from the mapping document or from Airflow configuration at run time."""

from __future__ import annotations

import logging

from magento_netsuite.flows.orders.constants import DEFAULT_OVERLAP_MINUTES, ENTITY, OVERLAP_VARIABLE
from magento_netsuite.governance import MappingDocument

log = logging.getLogger(__name__)
DEFAULT_READY_STATES = ("processing",)


def ready_states(doc: MappingDocument) -> list[str]:
    """Magento order states the mapping marks as ready for the ERP (``settings.states_ready_for_erp``)."""
    states = doc.entity(ENTITY).settings.get("states_ready_for_erp") or list(DEFAULT_READY_STATES)
    return [str(s) for s in states]


def overlap_minutes() -> float:
    """The window overlap: Airflow Variable ``mns_orders_overlap_minutes`` (read at run time), else 10."""
    from airflow.sdk import Variable

    raw = Variable.get(OVERLAP_VARIABLE, default=None)
    if raw in (None, ""):
        return float(DEFAULT_OVERLAP_MINUTES)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"Airflow Variable {OVERLAP_VARIABLE} must be a number of minutes, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"Airflow Variable {OVERLAP_VARIABLE} must not be negative, got {value}")
    return value
