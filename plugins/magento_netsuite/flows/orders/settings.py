"""Flow settings that come from the mapping document: when an order is ready for the ERP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from magento_netsuite.flows.orders.constants import ENTITY
from magento_netsuite.governance import MappingDocument, get_path

DEFAULT_READY_STATES = ("processing",)


def _rule(doc: MappingDocument) -> tuple[dict[str, list[str]], list[str]]:
    rule = doc.entity(ENTITY).settings.get("ready_for_erp") or {}
    by_method = {str(m): [str(s) for s in states] for m, states in (rule.get("by_payment_method") or {}).items()}
    otherwise = [str(s) for s in rule.get("otherwise") or DEFAULT_READY_STATES]
    return by_method, otherwise


def ready_states(doc: MappingDocument) -> list[str]:
    """Every Magento state in which some payment method's orders are ready (the extract's filter)."""
    by_method, otherwise = _rule(doc)
    return sorted({*otherwise, *(s for states in by_method.values() for s in states)})


def is_ready(order: Mapping[str, Any], doc: MappingDocument) -> bool:
    """The mapping's ``settings.ready_for_erp`` rule: the order's state is ready for its payment method."""
    by_method, otherwise = _rule(doc)
    method = str(get_path(order, "payment.method") or "")
    return str(order.get("state") or "") in by_method.get(method, otherwise)
