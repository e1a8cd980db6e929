"""Which Magento customer group a NetSuite customer belongs to: the one rule pricing and customers share.

The rule (``include/mappings/pricing.yaml`` and ``customer.yaml``, field ``customer_group``):

* a customer **without** contract prices belongs to the group its NetSuite price level maps to
  (value map ``price_level_to_customer_group``; no level means the Base Price level);
* a customer **with** contract prices gets a group of its own, ``CONTRACT-<NetSuite customer internal
  id>`` (setting ``contract_group_code_format``), which carries the tier prices of the customer's
  price level with the contract prices in place of the level's prices for those SKUs.

The pricing flow creates and fills those groups; the customers flow assigns customers to them by
calling :func:`group_for` (Magento addresses tier prices by group code; look the code up with
``GET /V1/customerGroups/search`` for the ``group_id`` of a customer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from magento_netsuite.flows.pricing.constants import MAPPING_ENTITY
from magento_netsuite.governance import MappingDocument, load_mapping_document

LEVEL_MAP = "price_level_to_customer_group"
DEFAULT_CONTRACT_FORMAT = "CONTRACT-" + "{customer_id}"


def _ref_id(value: Any) -> str | None:
    """A NetSuite reference as its id: ``{"id": "2"}`` (REST record), ``2`` or ``"2"``; None when empty."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return None if value in (None, "") else str(value)


def base_level_id(doc: MappingDocument | None = None) -> str:
    doc = doc or load_mapping_document()
    return str(doc.entity(MAPPING_ENTITY).settings.get("base_price_level_id", "1"))


def contract_group_code(customer_id: Any, doc: MappingDocument | None = None) -> str:
    """``CONTRACT-<NetSuite customer internal id>`` (the mapping's ``contract_group_code_format``)."""
    doc = doc or load_mapping_document()
    fmt = str(doc.entity(MAPPING_ENTITY).settings.get("contract_group_code_format") or DEFAULT_CONTRACT_FORMAT)
    return fmt.format(customer_id=customer_id)


def level_group(price_level_id: Any, doc: MappingDocument | None = None) -> str:
    """The group code a price level maps to; ``KeyError`` names the level when the map lacks it."""
    doc = doc or load_mapping_document()
    level = _ref_id(price_level_id) or base_level_id(doc)
    entries = doc.value_map(LEVEL_MAP).entries
    if level not in entries:
        raise KeyError(f"price level {level} is not in the value map {LEVEL_MAP} (include/mappings/value_maps.yaml)")
    return str(entries[level])


def group_for(customer: Mapping[str, Any], doc: MappingDocument | None = None) -> str:
    """The Magento customer group code of a NetSuite customer.

    ``customer`` needs its internal id (``id`` or ``customer_id``), its price level (``priceLevel`` as
    the REST record has it, or ``price_level_id``) and ``has_contract_prices`` (whether NetSuite holds
    customer item pricing for it).
    """
    if customer.get("has_contract_prices"):
        customer_id = _ref_id(customer.get("id", customer.get("customer_id")))
        if customer_id is None:
            raise ValueError(f"a contract customer needs its NetSuite internal id (id), got {dict(customer)!r}")
        return contract_group_code(customer_id, doc)
    return level_group(customer.get("priceLevel", customer.get("price_level_id")), doc)
