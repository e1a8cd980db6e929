"""Which Magento customer group a NetSuite customer belongs in.

The rule is :mod:`magento_netsuite.flows.pricing.groups` (``include/mappings/pricing.yaml``); this
module applies it with group ids, as a Magento customer record holds them:

* a customer **with contract prices** (rows in NetSuite's ``customerItemPricing``) gets the group
  ``CONTRACT-<netsuite customer internal id>``, which holds their contract tier prices;
* every other customer gets the group mapped from their NetSuite price level (the mapping's
  ``customer_group`` field and its value map).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.pricing.groups import contract_group_code

CHUNK = 1000


@dataclass(frozen=True)
class GroupChoice:
    """The group a customer belongs in: by id (mapped from the price level) or by contract code."""

    group_id: int | None = None
    contract_code: str | None = None


def choose_group(netsuite_id: str, mapped_group_id: int | None, has_contract_prices: bool) -> GroupChoice:
    """The rule above for one customer; ``mapped_group_id`` comes from the price level's value map."""
    if has_contract_prices:
        return GroupChoice(contract_code=contract_group_code(netsuite_id))
    return GroupChoice(group_id=mapped_group_id)


def customers_with_contract_prices(hook: NetSuiteHook, internal_ids: Iterable[str]) -> set[str]:
    """The customers (of ``internal_ids``) that have at least one contract price: one query per 1,000."""
    ids = sorted({str(i) for i in internal_ids if str(i).isdigit()}, key=int)
    found: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = f"SELECT DISTINCT customer FROM customeritempricing WHERE customer IN ({', '.join('?' * len(chunk))})"
        for page in hook.suiteql(query, chunk):
            found.update(str(r["customer"]) for r in page)
    return found


def group_ids_by_code(hook: MagentoHook, codes: Iterable[str]) -> Mapping[str, int]:
    """Magento customer group ids of the given codes (case-insensitive, as Magento compares codes)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    found: dict[str, int] = {}
    for page in hook.search("customerGroups/search", [[("code", wanted, "in")]], page_size=300):
        found.update((str(g["code"]).casefold(), int(g["id"])) for g in page)
    return {code: found[code.casefold()] for code in wanted if code.casefold() in found}
