"""Flow settings that come from the mapping document."""

from __future__ import annotations

from magento_netsuite.flows.orders.constants import ENTITY
from magento_netsuite.governance import MappingDocument

DEFAULT_READY_STATES = ("processing",)


def ready_states(doc: MappingDocument) -> list[str]:
    """Magento order states the mapping marks as ready for the ERP (``settings.states_ready_for_erp``)."""
    states = doc.entity(ENTITY).settings.get("states_ready_for_erp") or list(DEFAULT_READY_STATES)
    return [str(s) for s in states]
