"""Resolve what an order references in NetSuite, in batches: items by SKU and existing orders.

Each lookup is one SuiteQL query per run (one per ``CHUNK`` keys when a run carries more), never one
call per order. Buyers are resolved by the shared handoff (:mod:`magento_netsuite.flows.customers.handoff`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from magento_netsuite.connectors.netsuite import NetSuiteHook

CHUNK = 1000
"""Keys per SuiteQL query (Oracle allows at most 1,000 expressions in one ``IN`` list)."""


def _chunks(values: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _rows(hook: NetSuiteHook, query: str, params: list[str]) -> Iterator[dict]:
    for page in hook.suiteql(query, params):
        yield from page


def item_ids_by_sku(hook: NetSuiteHook, skus: Iterable[str]) -> dict[str, str]:
    """Active inventory items by SKU (NetSuite ``itemId``) → internal id."""
    wanted = sorted({s for s in skus if s})
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        query = f"SELECT id, itemid FROM item WHERE isinactive = 'F' AND itemid IN ({_marks(len(chunk))})"
        found.update((row["itemid"], str(row["id"])) for row in _rows(hook, query, chunk))
    return found


def existing_orders(hook: NetSuiteHook, external_ids: Iterable[str]) -> dict[str, tuple[str, float | None]]:
    """Sales orders already in NetSuite: externalId → (internal id, NetSuite's computed total), one query
    per chunk (the total rides along, so checking it costs no call for orders that were there)."""
    wanted = sorted(set(external_ids))
    found: dict[str, tuple[str, float | None]] = {}
    for chunk in _chunks(wanted):
        query = (
            "SELECT id, externalid, foreigntotal FROM transaction "
            f"WHERE type = 'SalesOrd' AND externalid IN ({_marks(len(chunk))})"
        )
        found.update(
            (row["externalid"], (str(row["id"]), row.get("foreigntotal"))) for row in _rows(hook, query, chunk)
        )
    return found
